"""The adoption rules of ``benchmarks/clf_speed.py`` on made-up rows."""

import pytest

clf_speed = pytest.importorskip("benchmarks.clf_speed")
from benchmarks.corpus import UCR_DEVELOPMENT  # noqa: E402


def _rows(times, accuracies, identical=False):
    """Rows of the 37 development sets: baseline (1 s, 0.8) against ``times[i]``, ..."""
    return [
        {"name": name, "baseline": (None, 1.0, 0.8), "new": (None, t, a), "identical": identical}
        for name, t, a in zip(UCR_DEVELOPMENT, times, accuracies, strict=True)
    ]


N = len(UCR_DEVELOPMENT)


def test_identical_predictions_need_only_a_lower_total():
    assert "adopted (rule 1)" in clf_speed.verdict(_rows([0.99] * N, [0.8] * N, True))
    assert "not adopted (rule 1)" in clf_speed.verdict(_rows([1.01] * N, [0.8] * N, True))


def test_changed_predictions_need_accuracy_and_time():
    accuracies = [0.81] * 5 + [0.79] * 7 + [0.8] * (N - 12)  # 5 wins, 7 losses
    assert clf_speed.verdict(_rows([0.85] * N, accuracies)).endswith(": adopted.")
    # one loss too many fails both rules, however fast
    accuracies = [0.81] * 5 + [0.79] * 8 + [0.8] * (N - 13)
    assert clf_speed.verdict(_rows([0.5] * N, accuracies)).endswith("not adopted.")


def test_rule_3_takes_the_median_per_set_ratio():
    # most sets 0.85x, one long set 3x slower: the total rises, the median ratio is 0.85
    times = [0.85] * (N - 1) + [3.0]
    verdict = clf_speed.verdict(_rows(times, [0.8] * N))
    assert "rule 2 not met, rule 3 met: adopted." in verdict
    assert "rule 3 not met" in clf_speed.verdict(_rows([0.95] * N, [0.8] * N))
