"""The statistics kernels of ``_segment_stats`` and the quantile selection against
their direct definitions (plain loops over series, responses and segments)."""

import numpy as np
import pytest

import sksssm.spectral._segment_stats as segment_stats
from sksssm.spectral._pooling import _select_ranks
from sksssm.spectral._segment_stats import (
    ALL_STATISTICS,
    _pool,
    _pool_blocks,
    _segment_moments,
    _threshold_statistic,
    segment_edges,
)


@pytest.mark.parametrize("lengths", [[23, 23, 23], [23, 9, 17], [23, 2, 5]])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_segment_moments_equal_loop(lengths, dtype):
    rng = np.random.default_rng(0)
    lengths = np.array(lengths)
    Z = (rng.normal(size=(3, 2, 5, 23)) + 3.0).astype(dtype)
    means, variances, counts = _segment_moments(Z, lengths, 4, want_var=True)
    edges = segment_edges(lengths, 4)
    tol = 1e-12 if dtype == np.float64 else 2e-6
    for i in range(3):
        for k in range(4):
            part = Z[i, :, :, edges[i, k] : edges[i, k + 1]].astype(np.float64)
            assert counts[i, 0, 0, k] == part.shape[-1]
            if part.shape[-1] == 0:  # a segment of a series shorter than n_segments
                assert (means[i, ..., k] == 0).all() and (variances[i, ..., k] == 0).all()
                continue
            np.testing.assert_allclose(means[i, ..., k], part.mean(axis=-1), rtol=tol, atol=tol)
            np.testing.assert_allclose(
                variances[i, ..., k], part.var(axis=-1), rtol=10 * tol, atol=10 * tol
            )
    # the padding never enters: garbage beyond the lengths changes nothing
    padded = Z.copy()
    for i, n in enumerate(lengths):
        padded[i, ..., n:] = 1e3
    again = _segment_moments(padded, lengths, 4, want_var=True)
    np.testing.assert_allclose(again[0], means, rtol=tol, atol=tol)
    np.testing.assert_allclose(again[1], variances, rtol=10 * tol, atol=10 * tol)
    assert _segment_moments(Z, lengths, 4, want_var=False)[1] is None


@pytest.mark.parametrize("n", [1, 2, 7, 1000])
def test_select_ranks_gives_the_order_statistics(n):
    rng = np.random.default_rng(1)
    values = rng.integers(0, 5, size=(3, 4, n)).astype(np.float32)  # with ties
    ranks = sorted({0, n // 3, n // 2, n - 1})
    found = values.copy()
    _select_ranks(found, ranks, 0, n)
    expected = np.sort(values, axis=-1)
    for k in ranks:
        np.testing.assert_array_equal(found[..., k], expected[..., k])
    # a reordering of each row: the same values
    np.testing.assert_array_equal(np.sort(found, axis=-1), expected)


@pytest.mark.parametrize("t", [40, 70_000])
def test_ppv_counts_equal_loop(t):
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(2, 1, 3, t)).astype(np.float32)
    bias = np.array([[-0.5, 0.0, 1.5]], dtype=np.float32)[..., None]
    count = np.full((2, 1, 1), t, dtype=np.float32)
    found = _threshold_statistic("ppv", Z, bias, None, count)
    for i in range(2):
        for f in range(3):
            above = sum(1 for z in Z[i, 0, f] if z > bias[0, f, 0])
            assert found[i, 0, f] == pytest.approx(above / t, rel=1e-7)


@pytest.mark.parametrize("lengths", [[30, 30, 30], [30, 17, 9]])
def test_pool_with_a_divisor_equals_pooling_the_divided_responses(lengths):
    """``spread``: the statistics of ``Z / spread`` without forming it (the scaling ones
    divided, the thresholds compared at ``bias * spread``); ``memo``: the statistics of
    ``Z`` shared between the raw and the divided pooling, neither changed by it."""
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(3, 2, 6, 30))
    lengths = np.array(lengths)
    spread = rng.uniform(0.5, 4.0, size=(3, 2, 1, 1))
    biases = np.sort(rng.normal(size=(3, 2, 6)), axis=0)
    groups = [np.arange(0, 1), np.arange(1, 6)]
    expected = _pool(Z / spread, lengths, ALL_STATISTICS, biases, groups)
    memo = {}
    raw = _pool(Z, lengths, ALL_STATISTICS, biases, groups, memo=memo)
    found = _pool(Z, lengths, ALL_STATISTICS, biases, groups, spread=spread, memo=memo)
    np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(raw, _pool(Z, lengths, ALL_STATISTICS, biases, groups))
    alone = _pool(Z, lengths, ALL_STATISTICS, biases, groups, spread=spread)
    np.testing.assert_array_equal(found, alone)


#: Groups of a pooling of 13 responses: the identity, then groups of 4, 4, 2 and 2.
BLOCK_GROUPS = [np.arange(0, 1), np.arange(1, 5), np.arange(5, 9), np.arange(9, 11),
                np.arange(11, 13)]  # fmt: skip


@pytest.mark.parametrize(
    "budget",
    [
        3 * 13 * 30 * 8 * 2,  # two channels per block
        3 * 5 * 30 * 8,  # each channel cut into runs of whole groups
        8,  # one group per block (each larger than the budget)
    ],
)
@pytest.mark.parametrize("lengths", [[30, 30, 30], [30, 17, 9]])
def test_pool_in_blocks_equals_pooling_at_once(monkeypatch, budget, lengths):
    """Responses larger than :data:`POOL_BLOCK_BYTES` are pooled in blocks of channels
    and of whole groups of responses: the same features (every statistic, per-series
    thresholds with a divisor, the memo shared by two calls) as one block."""
    rng = np.random.default_rng(4)
    Z = rng.normal(size=(3, 4, 13, 30))
    lengths = np.array(lengths)
    spread = rng.uniform(0.5, 4.0, size=(3, 4, 1, 1))
    biases = np.sort(rng.normal(size=(3, 4, 13)), axis=0)
    series_biases = np.sort(rng.normal(size=(3, 3, 4, 13)), axis=0)

    def pooled():
        memo = {}
        raw = _pool(Z, lengths, ALL_STATISTICS, biases, BLOCK_GROUPS, memo=memo)
        scaled = _pool(Z, lengths, ALL_STATISTICS, series_biases, BLOCK_GROUPS,
                       spread=spread, memo=memo)  # fmt: skip
        return raw, scaled

    at_once = pooled()
    monkeypatch.setattr(segment_stats, "POOL_BLOCK_BYTES", budget)
    assert len(_pool_blocks(Z.shape, Z.itemsize, BLOCK_GROUPS)) > 1
    for found, expected in zip(pooled(), at_once, strict=True):
        np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("budget", [8, 5 * 30 * 8, 7 * 30 * 8, 4 * 13 * 30 * 8])
def test_pool_blocks_cover_every_response_once_and_keep_groups_whole(monkeypatch, budget):
    monkeypatch.setattr(segment_stats, "POOL_BLOCK_BYTES", budget)
    shape, itemsize = (1, 4, 13, 30), 8
    seen = np.zeros(shape[1:3], dtype=int)
    for channels, responses, groups in _pool_blocks(shape, itemsize, BLOCK_GROUPS):
        seen[channels, responses] += 1
        width = responses.stop - responses.start
        n_channels = channels.stop - channels.start
        # within the budget, or a single group larger than it
        assert n_channels * width * 30 * itemsize <= budget or len(groups) == 1
        shifted = [g + responses.start for g in groups]
        inside = [g for g in BLOCK_GROUPS if responses.start <= g[0] < responses.stop]
        assert [g.tolist() for g in shifted] == [g.tolist() for g in inside]
        assert all(g[-1] < responses.stop for g in shifted)  # no group cut
    np.testing.assert_array_equal(seen, 1)


@pytest.mark.parametrize("statistics", [("segment_mean", "std"), ("mean", "segment_mean")])
def test_one_segment_mean_of_the_standardized_identity_is_an_exact_zero(monkeypatch, statistics):
    """With ``n_segments=1`` the ``segment_mean`` of each standardized channel's identity
    response is the series' mean, 0 by construction: written as an exact zero, with or
    without ``"mean"`` (its round-off was standardized into a column of noise and fitted),
    in the series' block only; with two segments it carries a value."""
    from sksssm.spectral import fit_pooling, pooled_features
    from sksssm.spectral._pooling_state import PoolingState

    X = np.random.default_rng(2).normal(size=(5, 40, 3)) * 7.0 + 3.0
    X[1, 25:] = np.nan  # one shorter series: its own mean
    state = fit_pooling(X, normalise=True, n_segments=1, statistics=statistics, dtype="float64")
    zero = state.zero_columns()
    labels = state.column_statistics()
    zeroed = [stat for stat in statistics if stat in ("mean", "segment_mean")]
    assert len(zero) == 3 * len(zeroed)
    assert sorted(set(labels[zero])) == sorted(zeroed)
    # the identity (response 0) of each channel, in the series' (first) block
    for stat in zeroed:
        first = int(np.argmax(labels == stat))
        columns = np.sort(zero[labels[zero] == stat])
        np.testing.assert_array_equal(columns, first + np.arange(3) * state.n_responses)
    assert (pooled_features(X, state)[:, zero] == 0.0).all()
    monkeypatch.setattr(PoolingState, "zero_columns", lambda self: np.empty(0, dtype=np.intp))
    computed = pooled_features(X, state)
    np.testing.assert_allclose(computed[:, zero], 0.0, rtol=0, atol=1e-12)
    monkeypatch.undo()
    # the identity's segment means of the first differences (the second kind's block,
    # one segment: one column per channel and response) carry values
    segment = np.flatnonzero(labels == "segment_mean")
    differences = segment[len(segment) // 2] + np.arange(3) * state.n_responses
    assert not np.isin(differences, zero).any()
    assert (np.abs(computed[:, differences]).max(axis=0) > 1e-6).all()
    two = fit_pooling(X, normalise=True, n_segments=2, statistics=statistics, dtype="float64")
    assert (two.column_statistics()[two.zero_columns()] == "mean").all()


def test_hydra_counts_exact_ties_as_wins_whatever_the_round_off():
    """Responses equal in exact arithmetic (all zero: the first differences at t = 0) all
    win, whatever round-off (far below the margin) the FFT gave them; a response short of
    the maximum by more than the margin does not."""
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(2, 1, 4, 12))
    Z[:, :, :, 0] = np.array([0.0, 1e-16, -1e-16, 5e-17])  # a tie up to round-off
    Z[0, 0, :, 5] = [1.0, 1.0 - 1e-3, 0.2, -3.0]  # not a tie: 1e-3 is far above the margin
    lengths = np.array([12, 9])
    groups = (np.arange(1), np.arange(1, 4))
    found = _pool(Z, lengths, ("hydra",), None, groups)
    # independently: per group and valid step, the responses equal to the maximum once
    # rounded to 1e-12 (every round-off here is 1e-16)
    expected = np.zeros((2, 1, 4))
    for i, n in enumerate(lengths):
        for group in groups:
            z = np.round(Z[i, 0, group, :n], 12)
            expected[i, 0, group] = (z == z.max(axis=0)).mean(axis=1)
    np.testing.assert_allclose(found.reshape(2, 1, 4), expected, rtol=0, atol=1e-15)
    # one win per valid step, plus two for the three-way tie at t = 0
    np.testing.assert_allclose(found[:, 1:].sum(axis=1), (lengths + 2) / lengths, rtol=1e-15)
    np.testing.assert_array_equal(found[:, 0], 1.0)  # a group of one wins every step
