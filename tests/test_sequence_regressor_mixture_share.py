"""The gentler share-out of ``n_mixtures="auto"`` (issue 21, session 42): 64 mixtures
shared as ``ceil(64 / sqrt(c))`` per group and channel
(:class:`~sksssm.estimators._pooled.MixtureShare` with exponent 1/2), resolved by the one
:func:`~sksssm.estimators._pooled.resolve_mixtures` on every fit path.

The share is read from the estimator's ``_auto_mixtures``; :class:`SqrtShare` sets it on
a subclass, so these tests hold whatever the regressor's own share is.
"""

import math

import numpy as np
import pytest
from _streaming_spy import mixture_widths, streaming_poolings
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksssm import SpectralFilterSequenceRegressor
from sksssm.estimators._pooled import MixtureShare, resolve_mixtures

#: The mixtures per group and channel of ``ceil(64 / sqrt(c))``, written out for the
#: channel counts of the TSER archive's shapes (and 2).
BY_HAND = {1: 64, 2: 46, 3: 37, 8: 23, 24: 14}
#: A configuration whose features 300 series of 2 channels outnumber (streaming path):
#: per channel 5 bank columns and 2 x 46 mixtures, one statistic.
STREAMING = dict(
    n_filters=2, filter_lengths=(8,), statistics=("mean",), differences=False, random_state=0
)


class SqrtShare(SpectralFilterSequenceRegressor):
    """The regressor with ``n_mixtures="auto"`` shared as ``ceil(64 / sqrt(c))``."""

    _auto_mixtures = MixtureShare(64, 0.5)


def _channels(n, c, length=24, seed=0):
    """``n`` random walks of ``c`` channels and a target: the amplitude of a sine added
    to channel ``i % c`` of series ``i``; returns ``(X, y)``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, c, length)).cumsum(-1) * 0.1
    y = rng.uniform(0.5, 2.0, n)
    X[np.arange(n), np.arange(n) % c] += y[:, None] * np.sin(np.linspace(0, 9, length))
    return X, y


def _fit(model, X, y, **params):
    return model(random_state=0, **params).fit(X, y)


def test_resolved_counts_by_hand_and_against_floats():
    share = MixtureShare(64, 0.5)
    assert {c: resolve_mixtures("auto", c, share) for c in BY_HAND} == BY_HAND
    # an independent computation: floating-point ceil(64 / sqrt(c)), and the defining
    # inequalities (m - 1)**2 c < 64**2 <= m**2 c of the integer one
    for c in range(1, 3000):
        m = resolve_mixtures("auto", c, share)
        assert m == math.ceil(64 / math.sqrt(c))
        assert (m - 1) ** 2 * c < 64**2 <= m**2 * c
    # the perfect squares, where a float root could round either way
    assert [resolve_mixtures("auto", c, share) for c in (4, 16, 64, 4096, 4097)] == [
        32, 16, 8, 1, 1,
    ]  # fmt: skip
    # exponent 1 (an int base, or a share with exponent 1) is ceil(base / c)
    assert resolve_mixtures("auto", 24, MixtureShare(64, 1)) == resolve_mixtures("auto", 24, 64)
    assert resolve_mixtures(5, 24, share) == 5  # an int n_mixtures as it is


def test_other_exponents_are_refused():
    with pytest.raises(ValueError, match="share exponent must be one of"):
        resolve_mixtures("auto", 3, MixtureShare(64, 0.25))


@pytest.mark.parametrize("three_d", [False, True])
def test_one_channel_is_the_64_mixture_model_bit_for_bit(three_d):
    X, y = _channels(30, 1, length=32, seed=1)
    X = X if three_d else X[:, 0]
    share = _fit(SqrtShare, X, y, n_mixtures="auto")
    fixed = _fit(SpectralFilterSequenceRegressor, X, y, n_mixtures=64)
    assert share.n_mixtures_ == fixed.n_mixtures_ == 64 and mixture_widths(share) == {64}
    np.testing.assert_array_equal(share.predict(X), fixed.predict(X))
    np.testing.assert_array_equal(share.loo_rmse_, fixed.loo_rmse_)
    np.testing.assert_array_equal(share.coef_, fixed.coef_)


@pytest.mark.parametrize("c", [2, 3, 8])
def test_in_memory_fit_is_the_fixed_count_model(c):
    X, y = _channels(30, c, seed=c)
    share = _fit(SqrtShare, X, y, n_mixtures="auto")
    fixed = _fit(SpectralFilterSequenceRegressor, X, y, n_mixtures=BY_HAND[c])
    assert share.n_mixtures_ == BY_HAND[c] and mixture_widths(share) == {BY_HAND[c]}
    np.testing.assert_array_equal(share.predict(X), fixed.predict(X))
    np.testing.assert_array_equal(share.loo_rmse_, fixed.loo_rmse_)


def test_both_heads_share_the_resolved_number():
    X, y = _channels(30, 3, seed=11)
    both = _fit(SqrtShare, X, y, n_mixtures="auto", normalise="both")
    assert both.n_mixtures_ == 37
    assert [head.n_mixtures_ for head in both.estimators_] == [37, 37]
    assert mixture_widths(both) == {37}


@pytest.mark.parametrize("normalise", ["loo", "both"])
def test_streaming_path_resolves_the_same(monkeypatch, normalise):
    X, y = _channels(360, 2, length=16, seed=4)
    params = {**STREAMING, "n_mixtures": "auto", "normalise": normalise}
    reg, states = streaming_poolings(monkeypatch, X[:300], y[:300], model=SqrtShare, **params)
    assert {w.shape[1] for state in states.values() for w in state.mixing} == {46}
    assert reg.n_mixtures_ == 46 and mixture_widths(reg) == {46}
    fixed = SpectralFilterSequenceRegressor(**{**params, "n_mixtures": 46}).fit(X[:300], y[:300])
    np.testing.assert_array_equal(reg.predict(X[300:]), fixed.predict(X[300:]))


def test_dask_path_resolves_the_same():
    da = pytest.importorskip("dask.array")
    X, y = _channels(360, 2, length=16, seed=5)
    params = {**STREAMING, "n_mixtures": "auto"}
    in_memory = SqrtShare(**params).fit(X[:300], y[:300])
    on_dask = SqrtShare(**params).fit(
        da.from_array(X[:300], chunks=100), da.from_array(y[:300], chunks=100)
    )
    assert on_dask.n_mixtures_ == in_memory.n_mixtures_ == 46
    assert mixture_widths(on_dask) == {46}
    np.testing.assert_allclose(on_dask.predict(X[300:]), in_memory.predict(X[300:]), rtol=1e-9)


@parametrize_with_checks([SqrtShare(n_mixtures="auto")])
def test_sklearn_compatible_with_the_sqrt_share(estimator, check):
    check(estimator)
