"""MultiRocket's operators (``mpv``, ``mipv``, ``lspv``), the run count ``rpv`` and ``ppv``
against direct loops over each series' valid steps, alone and sharing one comparison per
threshold."""

import numpy as np
import pytest

from sksssm.spectral._segment_stats import _above, _pool, _threshold_statistic


def _direct(stat, z, b):
    """One response ``z`` (its valid steps only) and threshold ``b``, step by step."""
    above = [i for i, value in enumerate(z) if value > b]
    if stat == "ppv":
        return len(above) / len(z)
    if stat == "mpv":
        return sum(z[i] - b for i in above) / max(len(above), 1)
    if stat == "mipv":
        return sum(above) / len(above) / len(z) if above else -1.0
    if stat == "rpv":  # a run starts at each step above whose previous step is not
        starts = [i for i in above if i == 0 or i - 1 not in above]
        return len(starts) / len(z)
    longest = run = 0
    for value in z:
        run = run + 1 if value > b else 0
        longest = max(longest, run)
    return longest / len(z)


def _data(t, per_series, padded):
    rng = np.random.default_rng(t)
    m, c, f = 4, 2, 3
    Z = rng.standard_normal((m, c, f, t)).astype(np.float32)
    Z[0, 0, 0] = 5.0  # every step above: one run of the whole series
    Z[1, 0, 0] = -5.0  # no step above
    lengths = rng.integers(1, t + 1, m) if padded else np.full(m, t)
    bias = (0.5 * rng.standard_normal((m, c, f) if per_series else (c, f))).astype(np.float32)
    return Z, lengths, bias


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("per_series", [False, True])
@pytest.mark.parametrize("t", [1, 2, 9, 40])
def test_operators_match_direct_loops(t, per_series, padded, shared):
    Z, lengths, bias = _data(t, per_series, padded)
    m, c, f, _ = Z.shape
    valid = (np.arange(t) < lengths[:, None])[:, None, None, :] if padded else None
    count = lengths[:, None, None].astype(np.float32)
    comparison = _above(Z, bias[..., None], valid) if shared else None
    for stat in ("ppv", "mpv", "mipv", "lspv", "rpv"):
        got = _threshold_statistic(stat, Z, bias[..., None], valid, count, comparison)
        for i, j, k in np.ndindex(m, c, f):
            b = bias[i, j, k] if per_series else bias[j, k]
            z = Z[i, j, k, : lengths[i]]
            assert got[i, j, k] == pytest.approx(_direct(stat, z, b), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("padded", [False, True])
def test_pool_gives_the_same_blocks_with_and_without_sharing(padded):
    """Several threshold statistics share one comparison per threshold in ``_pool``:
    the same columns as each statistic pooled alone."""
    t = 30
    Z, lengths, _ = _data(t, False, padded)
    biases = np.random.default_rng(0).normal(scale=0.5, size=(3, *Z.shape[1:3])).astype(np.float32)
    stats = ("ppv", "mpv", "mipv", "lspv", "rpv")
    groups = (np.arange(Z.shape[2]),)
    together = _pool(Z, lengths, stats, biases, groups)
    alone = np.concatenate([_pool(Z, lengths, (s,), biases, groups) for s in stats], axis=1)
    np.testing.assert_array_equal(together, alone)


def test_the_public_recipe_adds_the_operators_columns():
    """``STATISTICS + ("mpv", "mipv", "lspv")`` (the user guide's recipe) is accepted and
    adds :func:`n_threshold_blocks` blocks per operator to each head's pooled features."""
    from sksssm import SpectralFilterClassifier
    from sksssm.spectral import EXTRA_STATISTICS, STATISTICS
    from sksssm.spectral._segment_stats import n_threshold_blocks

    assert SpectralFilterClassifier().statistics == STATISTICS
    assert {"mpv", "mipv", "lspv"} <= set(EXTRA_STATISTICS)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 1, 24))
    y = np.repeat([0, 1], 10)
    X[y == 1, 0, 12:] += 2.0
    options = {"n_filters": 2, "n_mixtures": 2, "normalise": False, "block_selection": "off"}
    plain = SpectralFilterClassifier(random_state=0, **options).fit(X, y)
    recipe = SpectralFilterClassifier(
        statistics=STATISTICS + ("mpv", "mipv", "lspv"), random_state=0, **options
    ).fit(X, y)
    n_ppv = (plain.pooling_.column_statistics() == "ppv").sum()
    added = recipe.pooling_.n_features - plain.pooling_.n_features
    n_q = len(plain.pooling_.quantiles)  # a ppv block per threshold
    assert added == 3 * n_threshold_blocks("mpv", n_q) * (n_ppv // n_q)
    assert recipe.score(X, y) > 0.9


def _own_threshold(where, biases, position):
    """The thresholds of a response for the operators, from the thresholds of that
    response alone (any order): each, the median, or the ``position % n``-th smallest
    (``position``: the response's within its group)."""
    ordered = sorted(biases)
    if where == "median":
        return [ordered[len(ordered) // 2]]
    if where == "cycle":
        return [ordered[position % len(ordered)]]
    return list(biases)


@pytest.mark.parametrize("where", ["every", "median", "cycle"])
@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("per_series", [False, True])
def test_operators_at_each_columns_own_threshold(where, padded, per_series, monkeypatch):
    """Per column, each operator equals the loop at that column's own threshold(s), and
    ``ppv`` keeps every threshold; the block sizes are those of ``n_threshold_blocks``."""
    from sksssm.spectral import _segment_stats

    monkeypatch.setattr(_segment_stats, "_OPERATOR_THRESHOLDS", where)
    t, n_q = 30, 3
    Z, lengths, _ = _data(t, False, padded)
    m, c, f, _ = Z.shape
    rng = np.random.default_rng(1)
    shape = (n_q, m, c, f) if per_series else (n_q, c, f)
    sorted_biases = np.sort(rng.normal(scale=0.5, size=shape), axis=0)
    biases = sorted_biases[[2, 0, 1]].astype(np.float32)  # not in increasing order
    stats = ("ppv", "mpv", "mipv", "lspv", "rpv")
    groups = (np.arange(1), np.arange(1, f))  # an identity, then a group of filters
    pooled = _pool(Z, lengths, stats, biases, groups)
    sizes = [_segment_stats.n_threshold_blocks(s, n_q) * c * f for s in stats]
    assert pooled.shape == (m, sum(sizes))
    assert sizes[0] == n_q * c * f
    start = 0
    for stat, size in zip(stats, sizes, strict=True):
        block = pooled[:, start : start + size].reshape(m, -1, c, f)  # threshold outermost
        start += size
        for i, j, k in np.ndindex(m, c, f):
            own = biases[:, i, j, k] if per_series else biases[:, j, k]
            position = k if k == 0 else k - 1  # within its group
            wanted = list(own) if stat == "ppv" else _own_threshold(where, own, position)
            z = Z[i, j, k, : lengths[i]]
            expected = [_direct(stat, z, b) for b in wanted]
            np.testing.assert_allclose(block[i, :, j, k], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("where", ["every", "median", "cycle"])
def test_the_layout_agrees_with_the_pooled_matrix(where, monkeypatch):
    """``n_features``, ``column_statistics`` and ``n_pooled_features`` describe the columns
    ``pooled_features`` writes, whichever thresholds the operators use."""
    from sksssm.spectral import _segment_stats, fit_pooling, n_pooled_features, pooled_features

    monkeypatch.setattr(_segment_stats, "_OPERATOR_THRESHOLDS", where)
    X = np.random.default_rng(3).normal(size=(6, 40, 2))
    stats = ("mean", "ppv", "mpv", "mipv", "lspv", "rpv", "segment_mean")
    quantiles = (0.1, 0.5, 0.9)
    state = fit_pooling(
        X, n_filters=3, n_mixtures=2, statistics=stats, quantiles=quantiles, normalise=False
    )
    F = pooled_features(X, state)
    labels = state.column_statistics()
    assert F.shape[1] == state.n_features == len(labels)
    assert F.shape[1] == n_pooled_features(
        2, state.n_responses, statistics=stats, n_quantiles=3, normalise=False
    )
    per_kind = 2 * state.n_responses  # channels x responses
    blocks = {"every": 3, "median": 1, "cycle": 1}[where]
    for stat in ("mpv", "mipv", "lspv", "rpv"):
        assert (labels == stat).sum() == 2 * blocks * per_kind  # two kinds
    assert (labels == "ppv").sum() == 2 * 3 * per_kind


@pytest.mark.parametrize("where", ["every", "median", "cycle"])
def test_a_reduced_pooling_keeps_each_responses_threshold(where, monkeypatch):
    """A pooling without the alternating-sign filters (a feature set's, at ``predict``)
    computes the operators of every kept response at the full pooling's threshold."""
    from sksssm.spectral import _segment_stats, fit_pooling, pooled_features
    from sksssm.spectral._feature_sets import used_responses

    monkeypatch.setattr(_segment_stats, "_OPERATOR_THRESHOLDS", where)
    rng = np.random.default_rng(8)
    X = rng.normal(size=(9, 40, 2))
    X[2, 30:] = np.nan
    stats = ("ppv", "mpv", "mipv", "lspv", "rpv")
    state = fit_pooling(
        X, n_filters=4, n_mixtures=3, statistics=stats, quantiles=(0.1, 0.5, 0.9), normalise=False
    )
    full = pooled_features(X, state)
    keep = ~state.feature_masks()["alternating"]
    reduced, kept = used_responses(state, keep)
    assert reduced.n_responses < state.n_responses  # the alternating filters dropped
    np.testing.assert_array_equal(kept, keep)
    np.testing.assert_allclose(pooled_features(X, reduced), full[:, kept], rtol=1e-6, atol=1e-6)
