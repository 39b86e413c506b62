"""Pure functions of the benchmark protocol (no corpus data needed)."""

import numpy as np
import pytest

protocol = pytest.importorskip("benchmarks.protocol")


def test_ranks_best_is_one_and_ties_share_the_mean():
    scores = np.array([[0.9, 0.8, 0.8], [0.5, 0.7, 0.6]])
    np.testing.assert_allclose(protocol.ranks(scores), [[1, 2.5, 2.5], [3, 1, 2]])
    np.testing.assert_allclose(protocol.ranks(scores, higher_is_better=False)[1], [1, 3, 2])


def test_wins_draws_losses_counts_each_direction():
    ours, theirs = [0.9, 0.5, 0.7, 0.1], [0.8, 0.5, 0.9, 0.1]
    assert protocol.wins_draws_losses(ours, theirs) == (1, 2, 1)
    assert protocol.wins_draws_losses(ours, theirs, higher_is_better=False) == (1, 2, 1)
    assert protocol.wins_draws_losses([1.0, 2.0], [3.0, 3.0], higher_is_better=False) == (2, 0, 0)


def test_mase_against_a_hand_computed_seasonal_scale():
    y_train = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 8.0])  # period 2: |4-1|,|3-2|,|5-4|,|8-3|
    scale = np.mean([3.0, 1.0, 1.0, 5.0])
    y_test, y_pred = np.array([7.0, 9.0]), np.array([6.0, 12.0])
    assert protocol.mase(y_train, y_test, y_pred, 2) == pytest.approx(2.0 / scale)
    with pytest.raises(ValueError, match="zero"):
        protocol.mase(np.ones(5), y_test, y_pred, 1)


def test_smape_matches_its_definition():
    value = protocol.smape([100.0, 50.0], [110.0, 50.0])
    assert value == pytest.approx(np.mean([200 * 10 / 210, 0.0]))


def test_summary_rows_and_wilcoxon():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 0.9, size=20)
    scores = np.column_stack([base + 0.05, base])
    rows = protocol.summary(scores, ["ours", "anchor"], "ours")
    assert rows[0][2] == "1.00" and rows[1][3] == "20/0/0"
    assert float(rows[1][4]) < 1e-4
    assert np.isnan(protocol.wilcoxon_p(base, base))
