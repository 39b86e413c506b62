"""benchmarks/clf_few_series.py: its candidate, training draws and rule."""

import numpy as np
import pytest
from test_classifier_singletons import _series

from benchmarks import clf_few_series as bench
from sksssm import SpectralFilterClassifier
from sksssm.estimators import _pooled_selection


def test_the_candidate_follows_the_median_class():
    rule = bench.few_series_rule(2)
    assert not rule(np.array([0, 0, 1, 1, 2, 2, 2, 2]))  # median 2
    assert rule(np.repeat([0, 1], 3))
    assert not rule(np.arange(4))  # nothing to score
    assert bench.few_series_rule(0)(np.array([0, 0, 1, 1]))


def test_the_candidate_takes_the_fallback_with_a_fitted_temperature(monkeypatch):
    X, y = _series([2, 2, 2, 2])
    monkeypatch.setattr(_pooled_selection, "selects_by_loo", bench.few_series_rule(2))
    clf = SpectralFilterClassifier(random_state=0).fit(X, y)
    for head in clf.estimators_:
        assert head.alpha_ == 10.0
        assert head.feature_set_ == _pooled_selection.FALLBACK_FEATURE_SET
        assert np.isfinite(head.loo_score_) and head.temperature_ != 1.0


def test_draw_keeps_k_series_per_class():
    y = np.repeat(np.arange(4), [5, 1, 3, 6])
    keep = bench.draw_training(y, 2, np.random.default_rng(0))
    assert np.bincount(y[keep]).tolist() == [2, 1, 2, 2]


def _cells(default, fixed):
    return {("A", 10): {"default": default, "fixed": fixed}}


@pytest.mark.parametrize(
    ("two", "three", "few"),
    [
        ((0.5, 0.506), (0.5, 0.506), 3),
        ((0.5, 0.506), (0.5, 0.504), 2),
        ((0.5, 0.504), (0.5, 0.6), 0),  # regime three is not read once two fails
    ],
)
def test_verdict_follows_the_rule(two, three, few):
    results = {"two": _cells(*two), "three": _cells(*three)}
    assert bench.verdict(results)[0] == few
