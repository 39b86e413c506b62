"""MultiRocket's operators (``mpv``, ``mipv``, ``lspv``) and ``ppv`` against direct loops
over each series' valid steps, alone and sharing one comparison per threshold."""

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
    for stat in ("ppv", "mpv", "mipv", "lspv"):
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
    stats = ("ppv", "mpv", "mipv", "lspv")
    groups = (np.arange(Z.shape[2]),)
    together = _pool(Z, lengths, stats, biases, groups)
    alone = np.concatenate([_pool(Z, lengths, (s,), biases, groups) for s in stats], axis=1)
    np.testing.assert_array_equal(together, alone)


def test_the_public_recipe_adds_the_operators_columns():
    """``STATISTICS + ("mpv", "mipv", "lspv")`` (the user guide's recipe) is accepted and
    adds one block per operator and threshold to each head's pooled features."""
    from sksssm import SpectralFilterClassifier
    from sksssm.spectral import EXTRA_STATISTICS, STATISTICS

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
    assert added == 3 * n_ppv
    assert recipe.score(X, y) > 0.9
