"""benchmarks/clf_singletons.py: its derived training sets, variants and rule."""

import numpy as np
import pytest

from benchmarks import clf_singletons as bench
from sksssm.estimators import _class_targets, _pooled_selection


def test_regimes_keep_one_series_of_the_reduced_classes():
    y = np.repeat(np.arange(6), [5, 4, 3, 6, 2, 5])
    one = bench.draw_training(y, "one", np.random.default_rng(0))
    assert sorted(y[one].tolist()) == list(range(6))
    half = bench.draw_training(y, "half", np.random.default_rng(0))
    counts = np.bincount(y[half], minlength=6)
    full = np.bincount(y)
    assert (counts == 1).sum() == 3 and ((counts == 1) | (counts == full)).all()


def test_test_rows_are_a_fixed_draw_below_the_cap():
    assert bench.test_rows("A", 10).tolist() == list(range(10))
    rows = bench.test_rows("A", 1000)
    assert len(rows) == bench.MAX_TEST and len(set(rows)) == bench.MAX_TEST
    np.testing.assert_array_equal(rows, bench.test_rows("A", 1000))


def test_variants_patch_and_restore_the_library():
    encoded = np.array([0, 0, 1])
    with bench.variant("main"):
        assert _class_targets.scored_series(encoded).all()
    with bench.variant("ppv_only/largest"):
        assert _pooled_selection.FALLBACK_FEATURE_SET == "ppv_only"
        assert _pooled_selection.fallback_penalty([1.0, 10.0, 100.0]) == 100.0
    assert _class_targets.scored_series(encoded).tolist() == [True, True, False]
    assert _pooled_selection.fallback_penalty([1.0, 10.0, 100.0]) == 10.0


@pytest.mark.parametrize(("exclusion", "adopted"), [(0.6, True), (0.4, False)])
def test_verdict_follows_the_rule(exclusion, adopted):
    half = {("A", 0): {"main": 0.5, "exclusion": exclusion}}
    names = ["/".join(f) for f in bench.FALLBACKS]
    one = {("A", 0): {"main": 0.5, **dict.fromkeys(names, 0.4), "ppv_only/largest": 0.7}}
    took, fallback, lines = bench.verdict(half, one)
    assert took is adopted
    assert fallback == ("ppv_only/largest" if adopted else None)
    assert len(lines) == (2 if adopted else 1)
    one[("A", 0)]["ppv_only/largest"] = 0.5  # not above main's: every series scored
    assert bench.verdict(half, one)[1] is None
