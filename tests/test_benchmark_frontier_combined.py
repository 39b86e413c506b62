"""The frontier-combined group of the classifier ablation (``benchmarks/_frontier_combined.py``):
its variants, its rule on made-up numbers and its section's two parts."""

import numpy as np
import pytest
from _synthetic import noisy_waves

fc = pytest.importorskip("benchmarks._frontier_combined")
variants_module = pytest.importorskip("benchmarks._classifier_ablation_variants")

N = 37
VARIANTS = ["default", fc.CANDIDATE]


def test_the_variants_build_the_estimators_they_name():
    X, y = noisy_waves(30, 40, seed=0)
    candidate = variants_module.variant_factory(fc.CANDIDATE)().fit(X, y)
    assert candidate.get_params()["dilation"] == "raw"
    assert candidate.statistics[-1] == "rpv"
    raw, standardized = candidate.estimators_
    assert (raw.dilation, raw.differences, standardized.differences) == ("all", False, True)
    assert "rpv" in raw.statistics and "rpv" in standardized.statistics
    assert variants_module.GROUPS["frontier_combined"] is fc.FRONTIER_COMBINED


def _column(wins, losses, n=N, step=0.02):
    """Accuracy ``0.8 + step`` on ``wins`` sets, ``0.8 - step`` on ``losses``."""
    return np.array([0.8 + step] * wins + [0.8 - step] * losses + [0.8] * (n - wins - losses))


def _development(column, ratio):
    accuracy = np.column_stack([np.full(N, 0.8), column])
    seconds = np.column_stack([np.ones(N), np.full(N, ratio)])
    return fc.development_verdict(accuracy, seconds, VARIANTS)


def test_development_condition():
    # 12/4: +8 net wins, mean +0.0043
    met, words = _development(_column(12, 4), 1.15)
    assert met
    assert words == "time 1.15x (met), accuracy +0.0043 (met), wins/losses 12/4 (met): met."
    assert not _development(_column(12, 4), 1.16)[0]  # too slow
    assert not _development(_column(10, 7), 1.0)[0]  # mean +0.0016
    # mean +0.0108 on few sets, wins/losses 6/4
    few = np.array([0.9] * 6 + [0.79] * 4 + [0.8] * (N - 10))
    met, words = _development(few, 1.0)
    assert not met and "wins/losses 6/4 (not met)" in words


def test_bundled_condition():
    seconds = np.column_stack([np.ones(7), np.full(7, 1.1)])
    for loss, expected in ((0.002, True), (0.0021, False)):
        accuracy = np.column_stack([np.full(7, 0.9), np.full(7, 0.9 - loss)])
        assert fc.bundled_verdict(accuracy, seconds, VARIANTS)[0] is expected


def test_each_run_keeps_the_other_part():
    page = "intro\n\n<!-- BEGIN {0} -->\n## t\n\n{1}\n<!-- END {0} -->\n"
    first = fc.section_body("development", True, "the 37 sets' tables", page="")
    assert "pending" in first.split("**Outcome:**")[1].splitlines()[0]
    both = fc.section_body("bundled", True, "bundled tables", page=page.format(fc.SECTION, first))
    assert "the 37 sets' tables" in both and "bundled tables" in both
    assert both.index("the 37 sets'") < both.index("bundled tables")
    assert "the candidate is adopted" in both
    again = fc.section_body("development", False, "new tables", page=page.format(fc.SECTION, both))
    assert "the 37 sets' tables" not in again and "bundled tables" in again
    assert "the candidate fails the rule" in again
