"""Tests of the causal FFT convolution and the STU features against direct loops."""

import numpy as np
import pytest

from sksssm.spectral import causal_convolve, n_stu_features, stu_features, stu_filters

EPS = np.finfo(np.float64).eps


def _assert_fft_close(actual, expected):
    """FFT convolution against a direct sum: round-off is a few eps log2(n_fft) times the
    output scale (measured <= 2.2 eps max|expected| for the sizes here); fail beyond 50 eps."""
    np.testing.assert_allclose(actual, expected, rtol=0, atol=50 * EPS * np.abs(expected).max())


def _direct_convolve(u, filters):
    """out[:, t, c, k] = sum_{s=0}^{min(t, L_f-1)} filters[s, k] u[:, t-s, c], as a loop."""
    n, t_len, c_len = u.shape
    out = np.zeros((n, t_len, c_len, filters.shape[1]))
    for t in range(t_len):
        for s in range(min(t, filters.shape[0] - 1) + 1):
            out[:, t] += u[:, t - s, :, None] * filters[s][None, None, :]
    return out


def _direct_stu_features(u, filters, input_lags, use_negative):
    """The documented feature map, computed term by term."""
    n, t_len, c_len = u.shape
    k_len = filters.shape[1]
    signs = (-1.0) ** np.arange(filters.shape[0])
    branches = [filters, filters * signs[:, None]] if use_negative else [filters]
    features = []
    for t in range(t_len):
        row = []
        for branch in branches:
            block = np.zeros((n, c_len, k_len))
            for s in range(min(t - 1, branch.shape[0] - 1) + 1):  # past inputs u_{t-1-s}
                block += u[:, t - 1 - s, :, None] * branch[s][None, None, :]
            row.append(block.reshape(n, c_len * k_len))
        lags = np.zeros((n, c_len, input_lags))
        for j in range(input_lags):
            if t - j >= 0:
                lags[:, :, j] = u[:, t - j]
        row.append(lags.reshape(n, c_len * input_lags))
        features.append(np.concatenate(row, axis=1))
    return np.stack(features, axis=1)


@pytest.mark.parametrize("n_timesteps, filter_length", [(40, 40), (57, 20), (15, 64)])
def test_causal_convolve_matches_direct_loop(n_timesteps, filter_length):
    rng = np.random.default_rng(n_timesteps)
    u = rng.standard_normal((3, n_timesteps, 2))
    filters = rng.standard_normal((filter_length, 4))
    _assert_fft_close(causal_convolve(u, filters), _direct_convolve(u, filters))


def test_causal_convolve_matches_numpy_convolve():
    rng = np.random.default_rng(1)
    u = rng.standard_normal(300)
    kernel = rng.standard_normal(300)
    out = causal_convolve(u.reshape(1, -1, 1), kernel.reshape(-1, 1))[0, :, 0, 0]
    _assert_fft_close(out, np.convolve(u, kernel)[:300])


def test_no_wrap_around():
    u = np.zeros((1, 64, 1))
    u[0, -1, 0] = 1.0  # a spike at the very end must not leak to the start
    filters = np.ones((64, 3))
    out = causal_convolve(u, filters)
    # Zero up to FFT round-off of a unit spike (measured 4.4e-16 = 2 eps).
    assert np.abs(out[0, :-1]).max() < 50 * EPS
    np.testing.assert_allclose(out[0, -1, 0], 1.0, rtol=0, atol=50 * EPS)
    features = stu_features(u, filters)
    assert np.abs(features[0, :-1]).max() < 50 * EPS


@pytest.mark.parametrize("use_negative", [True, False])
@pytest.mark.parametrize("input_lags", [0, 1, 3])
def test_stu_features_match_direct_computation(input_lags, use_negative):
    rng = np.random.default_rng(input_lags)
    u = rng.standard_normal((2, 30, 3))
    filters = rng.standard_normal((25, 4))
    features = stu_features(u, filters, input_lags=input_lags, use_negative=use_negative)
    expected = _direct_stu_features(u, filters, input_lags, use_negative)
    assert features.shape == (2, 30, n_stu_features(3, 4, input_lags, use_negative))
    _assert_fft_close(features, expected)


def test_negative_branch_is_alternating_sign_convolution():
    rng = np.random.default_rng(7)
    u = rng.standard_normal((2, 50, 2))
    filters = stu_filters(50, 5)
    n_block = 2 * 5
    features = stu_features(u, filters, input_lags=0)
    alternating = filters * (-1.0) ** np.arange(50)[:, None]
    past = np.zeros_like(u)
    past[:, 1:] = u[:, :-1]
    expected = causal_convolve(past, alternating).reshape(2, 50, n_block)
    _assert_fft_close(features[..., n_block:], expected)


def test_features_are_causal():
    rng = np.random.default_rng(3)
    u = rng.standard_normal((2, 80, 2))
    filters = stu_filters(80, 6)
    t0 = 37
    changed = u.copy()
    changed[:, t0 + 1 :] += 1e3 * rng.standard_normal((2, 80 - t0 - 1, 2))
    before = stu_features(u, filters)
    after = stu_features(changed, filters)
    # FFT round-off scales with the largest output (the 1e3 change): measured 3.5e-13, i.e.
    # 0.5 eps max|after|; a real leak would be of order 1e3. Fail beyond 50 eps max|after|.
    np.testing.assert_allclose(
        after[:, : t0 + 1], before[:, : t0 + 1], rtol=0, atol=50 * EPS * np.abs(after).max()
    )
    assert np.abs(after[:, t0 + 1] - before[:, t0 + 1]).max() > 1.0


def test_input_validation():
    filters = np.ones((10, 2))
    with pytest.raises(ValueError, match="u must be 3D"):
        causal_convolve(np.ones((4, 10)), filters)
    with pytest.raises(ValueError, match="filters must be 2D"):
        causal_convolve(np.ones((1, 10, 1)), np.ones(10))
    with pytest.raises(ValueError, match="real"):
        causal_convolve(np.ones((1, 10, 1)) * 1j, filters)
    with pytest.raises(ValueError, match="input_lags"):
        stu_features(np.ones((1, 10, 1)), filters, input_lags=-1)
