"""The rules of the classifier ablation's frontier group (``benchmarks/_frontier.py``)
on made-up numbers."""

import numpy as np
import pytest

frontier = pytest.importorskip("benchmarks._frontier")

N = 37


def test_pilot_drops_variants_above_the_ratio():
    seconds = {
        "default": (1.0, 2.0, 3.0, 4.0),  # total 10
        "at the limit": (11.5, 0.0, 0.0, 0.0),
        "above it": (11.6, 0.0, 0.0, 0.0),
        "cheaper": (1.0, 1.0, 1.0, 1.0),
    }
    assert frontier.counted_variants(seconds) == ["default", "at the limit", "cheaper"]
    rows = frontier.pilot_table(seconds)
    assert [row[-1] for row in rows] == ["yes", "yes", "no (dropped)", "yes"]
    assert rows[2][-2] == "1.16"


def test_counted_run_needs_the_pilot():
    with pytest.raises(ValueError, match="pilot"):
        frontier.counted_variants({})


def _run(variant_accuracy, variant_seconds):
    """Default at 0.8 and 1 s on every set against the given per-set columns."""
    accuracy = np.column_stack([np.full(N, 0.8), *variant_accuracy])
    seconds = np.column_stack([np.ones(N), *variant_seconds])
    names = ["default"] + [f"v{j}" for j in range(len(variant_accuracy))]
    return accuracy, seconds, names


def _column(wins, losses, step=0.02):
    """Accuracy ``0.8 + step`` on ``wins`` sets, ``0.8 - step`` on ``losses``."""
    return np.array([0.8 + step] * wins + [0.8 - step] * losses + [0.8] * (N - wins - losses))


def test_verdict_takes_the_most_accurate_passing_variant():
    good = _column(10, 7)  # +3 net wins, mean +0.0016: too little gain
    better = _column(12, 4)  # +8 net wins, mean +0.0043
    best_but_slow = _column(20, 0)
    accuracy, seconds, names = _run(
        [good, better, best_but_slow], [np.ones(N), np.full(N, 0.9), np.full(N, 1.01)]
    )
    text = frontier.verdict(accuracy, seconds, names)
    assert "`v0`: time 1.00x (met), accuracy +0.0016 (not met)" in text
    assert "`v2`: time 1.01x (not met)" in text
    assert text.endswith("Outcome: adopted: `v1`.")


def test_verdict_needs_three_net_wins():
    # large gains on few sets: mean +0.0108 but wins/losses 6/4
    column = np.array([0.9] * 6 + [0.79] * 4 + [0.8] * (N - 10))
    accuracy, seconds, names = _run([column], [np.ones(N)])
    text = frontier.verdict(accuracy, seconds, names)
    assert "wins/losses 6/4 (not met)" in text
    assert text.endswith("no variant passes: the default stays.")
