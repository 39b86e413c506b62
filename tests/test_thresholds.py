"""The ``ppv`` thresholds of several representations from one set of responses."""

import numpy as np
import pytest

from sksssm.spectral import fit_pooling
from sksssm.spectral._filter_bank import _responses, _shared_responses
from sksssm.spectral._pooling import _fit_poolings
from sksssm.spectral._sequences import _inputs
from sksssm.spectral._thresholds import (
    MAX_BIAS_ROWS,
    ROUNDOFF_MARGIN,
    _quantiles_and_largest,
    threshold_series,
)

OPTIONS = dict(
    n_filters=3,
    filter_lengths=None,
    use_negative=True,
    n_mixtures=2,
    differences=True,
    statistics=("mean", "ppv"),
    quantiles=(0.1, 0.5, 0.9),
    n_segments=4,
    cross=False,
    hankel="Z",
    mixing_seed=0,
    chunk_size=None,
)


def _series(n=9, t=40, c=2, seed=0):
    rng = np.random.default_rng(seed)
    # levels far from zero and unequal spreads: the two representations differ
    return rng.normal(size=(n, t, c)) * rng.uniform(0.5, 3.0, size=(n, 1, c)) + 4.0


def _expected_biases(X, state, responses_of):
    """Quantiles of each response over the threshold series' steps, by direct gathering
    (every step of every chosen series, fewer than MAX_BIAS_ROWS here)."""
    lengths = np.full(len(X), X.shape[1])
    chosen = threshold_series(X.shape, state.n_responses)
    assert lengths[chosen].sum() <= MAX_BIAS_ROWS
    kinds = responses_of(X[chosen], lengths[chosen])
    biases = []
    for Z in kinds:  # (m, c, r, t) -> (c, r, m t), series-major as _fit_biases numbers them
        values = np.moveaxis(Z, 0, 2).reshape(*Z.shape[1:3], -1).copy()
        quantiles, largest = _quantiles_and_largest(values, state.quantiles)
        biases.append(quantiles + ROUNDOFF_MARGIN[state.dtype] * largest)
    return np.stack(biases)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_thresholds_are_quantiles_of_the_features_own_responses(dtype):
    X = _series()
    raw, standardized = _fit_poolings(
        X, None, representations=(False, True), dtype=dtype, **OPTIONS
    )
    for state in (raw, standardized):

        def shared(U, lengths, state=state):
            return _shared_responses(U, lengths, [state], [{}])(0, state.normalise)

        # bit for bit: the same derivation from the centred responses as the features
        np.testing.assert_array_equal(state.biases, _expected_biases(X, state, shared))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_shared_thresholds_equal_one_representation_at_a_time(dtype):
    X = _series(seed=1)
    X[2, 25:] = np.nan  # an unequal length takes the gathering's other paths
    both = _fit_poolings(X, None, representations=(False, True), dtype=dtype, **OPTIONS)
    for state in both:
        alone = fit_pooling(X, normalise=state.normalise, dtype=dtype, **OPTIONS)
        np.testing.assert_array_equal(state.biases, alone.biases)
        np.testing.assert_array_equal(state.bank, alone.bank)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_thresholds_agree_with_the_responses_of_each_input(dtype):
    # the former computation: the FFTs of the raw or the standardized series themselves
    X = _series(seed=2)
    for state in _fit_poolings(X, None, representations=(False, True), dtype=dtype, **OPTIONS):

        def direct(U, lengths, state=state):
            inputs = _inputs(U, lengths, state.differences, state.normalise)
            return [_responses(V, state) for V in inputs]

        expected = _expected_biases(X, state, direct)
        # responses up to ~20 here; float32 round-off ~1e-7 of it, float64 ~1e-15
        atol = 1e-4 if dtype == "float32" else 1e-11
        np.testing.assert_allclose(state.biases, expected, rtol=0, atol=atol)
        assert not np.array_equal(state.biases[0], state.biases[1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_thresholds_do_not_depend_on_the_quantile_blocks(monkeypatch, dtype):
    """The quantiles are taken block by block of responses; one response per block (the
    smallest budget) gives the same thresholds bit for bit, with ties (a constant
    stretch) and an unequal length."""
    import sksssm.spectral._thresholds as thresholds

    X = _series(seed=2)
    X[4, 10:20] = 1.5
    X[3, 31:] = np.nan
    default = _fit_poolings(X, None, representations=(False, True), dtype=dtype, **OPTIONS)
    monkeypatch.setattr(thresholds, "QUANTILE_BLOCK_BYTES", 1)
    blocked = _fit_poolings(X, None, representations=(False, True), dtype=dtype, **OPTIONS)
    for state, other in zip(default, blocked, strict=True):
        np.testing.assert_array_equal(state.biases, other.biases)
