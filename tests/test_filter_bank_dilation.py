"""The filter bank's dilated filters (``filter_bank(..., dilation=...)``)."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sksssm.spectral import filter_bank, fit_pooling, stu_filters
from sksssm.spectral._filter_bank import _responses, dilation_factor

LENGTHS = (8, 16, 32, 64, 128, 150)


def _expected_dilated(length, n_taps=8):
    """The length-8 STU filters and their alternating branch, tap ``j`` moved to row
    ``j * d``, built tap by tap."""
    d = dilation_factor(length)
    short = stu_filters(8, n_taps)
    positive = np.zeros((length, n_taps))
    alternating = np.zeros((length, n_taps))
    for j in range(8):
        positive[j * d] = short[j]
        alternating[j * d] = short[j] * (-1) ** j
    return positive, alternating


@pytest.mark.parametrize(
    ("length", "spacing"), [(16, 2), (32, 4), (64, 8), (128, 16), (150, 21), (20, 2), (1460, 208)]
)
def test_dilation_factor_fits_the_length(length, spacing):
    assert dilation_factor(length) == spacing
    assert 7 * spacing + 1 <= length


def test_none_is_the_default_bank():
    bank, groups = filter_bank(LENGTHS, 16)
    same, same_groups = filter_bank(LENGTHS, 16, dilation="none")
    np.testing.assert_array_equal(bank, same)
    assert [len(g) for g in groups] == [len(g) for g in same_groups]


def test_dilated_bank_places_the_short_filters_taps():
    bank, groups = filter_bank(LENGTHS, 16, dilation="all")
    assert bank.shape == (150, 1 + 2 * 8 * len(LENGTHS))
    assert [len(g) for g in groups] == [1] + [8] * (2 * len(LENGTHS))
    np.testing.assert_array_equal(bank[:, groups[1]], filter_bank(LENGTHS, 16)[0][:, groups[1]])
    for i, length in enumerate(LENGTHS[1:], start=1):
        positive, alternating = _expected_dilated(length)
        np.testing.assert_allclose(bank[:length, groups[2 * i + 1]], positive, atol=1e-12)
        np.testing.assert_allclose(bank[:length, groups[2 * i + 2]], alternating, atol=1e-12)
        assert np.all(bank[length:, groups[2 * i + 1]] == 0)


def test_half_dilated_keeps_the_counts_and_the_first_smooth_filters():
    bank, groups = filter_bank(LENGTHS, 16, dilation="half")
    default_bank, default_groups = filter_bank(LENGTHS, 16)
    assert bank.shape == default_bank.shape
    assert [len(g) for g in groups] == [len(g) for g in default_groups]
    for i, length in enumerate(LENGTHS[1:], start=1):
        positive = bank[:length, groups[2 * i + 1]]
        k = positive.shape[1]
        n_dilated = k // 2
        np.testing.assert_allclose(
            positive[:, : k - n_dilated], stu_filters(length, k)[:, : k - n_dilated], atol=1e-10
        )
        dilated, alternating = _expected_dilated(length)
        np.testing.assert_allclose(
            positive[:, k - n_dilated :], dilated[:, :n_dilated], atol=1e-12
        )
        np.testing.assert_allclose(
            bank[:length, groups[2 * i + 2]][:, k - n_dilated :],
            alternating[:, :n_dilated],
            atol=1e-12,
        )


def test_without_negative_branch():
    bank, groups = filter_bank(LENGTHS, 16, use_negative=False, dilation="all")
    assert [len(g) for g in groups] == [1] + [8] * len(LENGTHS)
    np.testing.assert_allclose(bank[:64, groups[4]], _expected_dilated(64)[0], atol=1e-12)


def test_unknown_dilation_is_refused():
    with pytest.raises(InvalidParameterError):
        filter_bank(LENGTHS, 16, dilation="some")


@pytest.mark.parametrize("dilation", ["all", "half"])
def test_responses_of_a_dilated_bank_are_direct_convolutions(dilation):
    """The FFT runs split where dilated and smooth columns have different taps."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 70, 1))
    state = fit_pooling(X, normalise=False, n_mixtures=0, dilation=dilation)
    np.testing.assert_array_equal(
        state.bank, filter_bank((8, 16, 32, 64, 70), 16, dilation=dilation)[0]
    )
    x = X[0, :, 0]
    Z = _responses(x[None, :, None], state)[0, 0]
    expected = np.stack([np.convolve(x, h)[: len(x)] for h in state.bank.T])
    np.testing.assert_allclose(Z, expected, rtol=0, atol=1e-5 * np.abs(expected).max())
