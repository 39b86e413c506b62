"""Columns of the pooled features that are zero by construction."""

import numpy as np

from sksssm.spectral import fit_pooling


def test_zero_columns_are_the_standardized_identity_means(monkeypatch):
    """The columns written as exact zeros are those whose computed value is round-off:
    the mean of the identity response of each standardized channel (float64 here, so the
    round-off is ~1e-16); every other ``mean`` column carries a value."""
    from sksssm.spectral import pooled_features
    from sksssm.spectral._pooling_state import PoolingState

    X = np.random.default_rng(2).normal(size=(5, 40, 3)) * 7.0 + 3.0
    state = fit_pooling(X, normalise=True, dtype="float64")
    zero = state.zero_columns()
    assert len(zero) == 3
    assert (state.column_statistics()[zero] == "mean").all()
    assert (pooled_features(X, state)[:, zero] == 0.0).all()
    monkeypatch.setattr(PoolingState, "zero_columns", lambda self: np.empty(0, dtype=np.intp))
    computed = pooled_features(X, state)
    np.testing.assert_allclose(computed[:, zero], 0.0, rtol=0, atol=1e-12)
    means = np.flatnonzero(state.column_statistics() == "mean")
    others = np.setdiff1d(means, zero)
    assert (np.abs(computed[:, others]).max(axis=0) > 1e-6).all()
    raw = fit_pooling(X, normalise=False, dtype="float64")
    assert len(raw.zero_columns()) == 0
