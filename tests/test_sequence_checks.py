"""The NaN-padding checks of the pooled features (``sksssm.spectral._sequences``): a
non-finite value within a series is refused wherever it is, in every shape of padding."""

import re

import numpy as np
import pytest

from sksssm.spectral import sequence_lengths
from sksssm.spectral._sequences import _non_finite_within, _prepare


def _padded(seed=0):
    """Series of 3 channels, every second one NaN-padded after 7 of its 10 steps."""
    X = np.random.default_rng(seed).normal(size=(6, 10, 3))
    X[::2, 7:] = np.nan
    return X, np.where(np.arange(6) % 2 == 0, 7, 10)


@pytest.mark.parametrize("equal", [True, False])
def test_non_finite_within_matches_the_masked_definition(equal):
    X, lengths = _padded()
    if equal:
        X, lengths = np.nan_to_num(X), np.full(6, 10)
    valid = np.arange(10)[None, :] < lengths[:, None]
    rng = np.random.default_rng(1)
    for value in (np.nan, np.inf, -np.inf):
        for _ in range(20):
            Y = X.copy()
            i, t, c = rng.integers(6), rng.integers(10), rng.integers(3)
            Y[i, t, c] = value
            expected = not np.isfinite(Y[valid]).all()  # the definition, by a masked copy
            assert _non_finite_within(Y, lengths) == expected


def test_prepare_refuses_a_value_that_is_not_finite_within_the_lengths():
    X, lengths = _padded()
    _prepare(X, lengths)  # NaN in the padding only: accepted
    X[1, 9, 2] = np.inf
    with pytest.raises(ValueError, match="within the given lengths"):
        _prepare(X, lengths)


@pytest.mark.parametrize("where", [(1, 9, 2), (0, 6, 0), (0, 0, 1)])
def test_sequence_lengths_refuses_infinities_in_a_series(where):
    X, lengths = _padded()
    np.testing.assert_array_equal(sequence_lengths(X), lengths)
    X[where] = -np.inf
    with pytest.raises(ValueError, match="infinite values"):
        sequence_lengths(X)


def test_sequence_lengths_refuses_an_infinity_in_the_padding():
    X, _ = _padded()
    X[0, 8, 1] = np.inf  # the padding must be NaN in every channel
    with pytest.raises(ValueError, match="NaN inside a series"):
        sequence_lengths(X)


def test_sequence_lengths_refuses_a_2d_array_with_the_layout_message():
    # It raised numpy's AxisError.
    message = "X_btc must be 3D (n_samples, n_timesteps, n_channels), got shape (3, 5)."
    with pytest.raises(ValueError, match=re.escape(message)):
        sequence_lengths(np.ones((3, 5)))
