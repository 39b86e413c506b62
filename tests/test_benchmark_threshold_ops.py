"""The efficient forms of MultiRocket's operators (``benchmarks.threshold_ops``) against
direct loops over each series' valid steps."""

import numpy as np
import pytest

threshold_ops = pytest.importorskip("benchmarks.threshold_ops")


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


@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("per_series", [False, True])
@pytest.mark.parametrize("t", [1, 2, 9, 40])
def test_fast_forms_match_direct_loops(t, per_series, padded):
    rng = np.random.default_rng(t)
    m, c, f = 4, 2, 3
    Z = rng.standard_normal((m, c, f, t)).astype(np.float32)
    Z[0, 0, 0] = 5.0  # every step above: one run of the whole series
    Z[1, 0, 0] = -5.0  # no step above
    lengths = rng.integers(1, t + 1, m) if padded else np.full(m, t)
    valid = (np.arange(t) < lengths[:, None])[:, None, None, :] if padded else None
    count = lengths[:, None, None].astype(np.float32)
    bias = (0.5 * rng.standard_normal((m, c, f) if per_series else (c, f))).astype(np.float32)
    threshold_ops._forget()
    for stat in ("ppv", "mpv", "mipv", "lspv"):  # ppv first: the others reuse its mask
        got = threshold_ops.fast_threshold_statistic(stat, Z, bias[..., None], valid, count)
        for i, j, k in np.ndindex(m, c, f):
            b = bias[i, j, k] if per_series else bias[j, k]
            z = Z[i, j, k, : lengths[i]]
            assert got[i, j, k] == pytest.approx(_direct(stat, z, b), rel=1e-5, abs=1e-6)


def test_a_new_chunk_is_compared_afresh():
    Z = np.array([[[[1.0, 2.0, 3.0]]]], dtype=np.float32)
    count = np.array([[[3.0]]], dtype=np.float32)
    bias = np.array([[[1.5]]], dtype=np.float32)
    first = threshold_ops.fast_threshold_statistic("ppv", Z, bias, None, count)
    second = threshold_ops.fast_threshold_statistic("ppv", -Z, bias, None, count)
    assert first[0, 0, 0] == pytest.approx(2 / 3) and second[0, 0, 0] == 0.0
