"""The bank's FFT runs and responses for series longer than the filter bank."""

import numpy as np

from sksssm.spectral import fit_pooling
from sksssm.spectral._filter_bank import _bank_runs, _responses


def test_taps_are_counted_from_the_bank_not_from_the_series():
    """A series longer than the bank (predict on longer series): the identity stays a
    copy and each filter's FFT is sized by its own taps, not by the series' length."""
    X = np.random.default_rng(0).normal(size=(3, 40, 1))
    state = fit_pooling(X, normalise=False, n_mixtures=0)
    n_taps = state.bank.shape[0]
    t = 3 * n_taps
    for start, stop, n_fft, _ in _bank_runs(state.bank, t, np.float64):
        columns = state.bank[:, start:stop]
        taps = n_taps - np.argmax((columns != 0)[::-1].any(axis=1))
        if taps == 1:
            assert n_fft == 0
        else:
            assert t + taps - 1 <= n_fft < t + 2 * taps


def test_responses_of_a_longer_series_are_direct_convolutions():
    rng = np.random.default_rng(1)
    state = fit_pooling(rng.normal(size=(3, 24, 1)), normalise=False, n_mixtures=0)
    x = rng.normal(size=60)
    Z = _responses(x[None, :, None], state)[0, 0]
    expected = np.stack([np.convolve(x, h)[: len(x)] for h in state.bank.T])
    np.testing.assert_allclose(Z, expected, rtol=0, atol=1e-5 * np.abs(expected).max())
