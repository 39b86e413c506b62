"""``SpectralFilterSequenceRegressor(n_mixtures="auto")``: the regressor's 64 mixtures
shared out among the channels, ``ceil(64 / c)`` per group and channel, resolved by the
classifier's :func:`~sksssm.estimators._pooled.resolve_mixtures` on every fit path
(issue 21)."""

import numpy as np
import pytest
from _streaming_spy import mixture_widths, streaming_poolings
from _synthetic import nan_padded
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksssm import SpectralFilterSequenceRegressor
from sksssm.estimators._pooled import resolve_mixtures
from sksssm.sktime import SSMTimeSeriesRegressor

#: A configuration whose features 200 series of 2 channels outnumber (streaming path):
#: per channel 5 bank columns and 2 x 32 mixtures, one statistic.
STREAMING = dict(
    n_filters=2, filter_lengths=(8,), statistics=("mean",), differences=False, random_state=0
)


def _channels(n, c, length=24, seed=0):
    """``n`` random walks of ``c`` channels and a target: the amplitude of a sine added
    to channel ``i % c`` of series ``i``; returns ``(X, y)``, ``X`` of shape ``(n, c,
    length)``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, c, length)).cumsum(-1) * 0.1
    y = rng.uniform(0.5, 2.0, n)
    X[np.arange(n), np.arange(n) % c] += y[:, None] * np.sin(np.linspace(0, 9, length))
    return X, y


def _fit(X, y, **params):
    return SpectralFilterSequenceRegressor(random_state=0, **params).fit(X, y)


@pytest.mark.parametrize("three_d", [False, True])
def test_one_channel_is_the_default_model_bit_for_bit(three_d):
    X, y = _channels(30, 1, length=32, seed=1)
    X = X if three_d else X[:, 0]
    auto, default = _fit(X, y, n_mixtures="auto"), _fit(X, y)
    assert auto.n_mixtures_ == default.n_mixtures_ == 64 and mixture_widths(auto) == {64}
    np.testing.assert_array_equal(auto.predict(X), default.predict(X))
    np.testing.assert_array_equal(auto.loo_rmse_, default.loo_rmse_)


@pytest.mark.parametrize(("c", "expected"), [(3, 22), (10, 7)])
def test_channels_share_out_the_mixtures(c, expected):
    X, y = _channels(30, c, seed=c)
    auto, fixed = _fit(X, y, n_mixtures="auto"), _fit(X, y, n_mixtures=expected)
    assert auto.n_mixtures_ == expected and mixture_widths(auto) == {expected}
    np.testing.assert_array_equal(auto.predict(X), fixed.predict(X))
    np.testing.assert_array_equal(auto.loo_rmse_, fixed.loo_rmse_)


def test_both_heads_share_the_resolved_number():
    X, y = _channels(30, 3, seed=11)
    both = _fit(X, y, n_mixtures="auto", normalise="both")
    assert both.n_mixtures_ == 22
    assert [head.n_mixtures_ for head in both.estimators_] == [22, 22]
    assert mixture_widths(both) == {22}


def test_unequal_lengths_with_channels():
    X, y = _channels(30, 3, length=30, seed=2)
    X, _ = nan_padded(X)
    auto, fixed = _fit(X, y, n_mixtures="auto"), _fit(X, y, n_mixtures=22)
    assert auto.n_mixtures_ == 22
    predicted = auto.predict(X)
    assert np.isfinite(predicted).all()
    np.testing.assert_array_equal(predicted, fixed.predict(X))


@pytest.mark.parametrize("normalise", ["loo", "both"])
def test_streaming_path_resolves_the_same(monkeypatch, normalise):
    X, y = _channels(260, 2, length=16, seed=4)
    params = {**STREAMING, "n_mixtures": "auto", "normalise": normalise}
    reg, states = streaming_poolings(
        monkeypatch, X[:200], y[:200], model=SpectralFilterSequenceRegressor, **params
    )
    assert {w.shape[1] for state in states.values() for w in state.mixing} == {32}
    assert reg.n_mixtures_ == 32 and mixture_widths(reg) == {32}
    fixed = SpectralFilterSequenceRegressor(**{**params, "n_mixtures": 32}).fit(X[:200], y[:200])
    np.testing.assert_array_equal(reg.predict(X[200:]), fixed.predict(X[200:]))


def test_dask_path_resolves_the_same():
    da = pytest.importorskip("dask.array")
    X, y = _channels(260, 2, length=16, seed=5)
    params = {**STREAMING, "n_mixtures": "auto"}
    in_memory = SpectralFilterSequenceRegressor(**params).fit(X[:200], y[:200])
    on_dask = SpectralFilterSequenceRegressor(**params).fit(
        da.from_array(X[:200], chunks=70), da.from_array(y[:200], chunks=70)
    )
    assert on_dask.n_mixtures_ == in_memory.n_mixtures_ == 32
    assert mixture_widths(on_dask) == {32}
    np.testing.assert_allclose(on_dask.predict(X[200:]), in_memory.predict(X[200:]), rtol=1e-9)


def test_sktime_adapter_passes_it_through():
    X, y = _channels(30, 3, seed=6)
    inner = SpectralFilterSequenceRegressor(n_mixtures="auto", random_state=0)
    adapter = SSMTimeSeriesRegressor(inner).fit(X, y)
    assert adapter.estimator_.n_mixtures_ == 22
    np.testing.assert_array_equal(adapter.predict(X), _fit(X, y, n_mixtures=22).predict(X))


def test_resolution_by_hand():
    # ceil(64 / c), written out: the TSER archive's channel counts among them
    assert [resolve_mixtures("auto", c, base=64) for c in (1, 2, 3, 5, 8, 9, 24, 64, 65)] == [
        64, 32, 22, 13, 8, 8, 3, 1, 1,
    ]  # fmt: skip
    assert SpectralFilterSequenceRegressor._auto_mixtures == 64
    assert resolve_mixtures(5, 7, base=64) == 5


@pytest.mark.parametrize("bad", ["many", "Auto", 1.5, -1])
def test_bad_values_are_refused(bad):
    X, y = _channels(20, 2, seed=7)
    with pytest.raises(InvalidParameterError, match="n_mixtures"):
        SpectralFilterSequenceRegressor(n_mixtures=bad).fit(X, y)


@parametrize_with_checks([SpectralFilterSequenceRegressor(n_mixtures="auto")])
def test_sklearn_compatible_with_auto(estimator, check):
    check(estimator)
