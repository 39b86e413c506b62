"""``SpectralFilterClassifier(n_mixtures="auto")``: 32 mixtures shared out among the
channels, ``ceil(32 / c)`` per group and channel, on every fit path (issue 21)."""

import numpy as np
import pytest
from _streaming_spy import mixture_widths, streaming_poolings
from _synthetic import nan_padded, noisy_waves
from sklearn.utils._param_validation import InvalidParameterError

from sksssm import SpectralFilterClassifier
from sksssm.estimators._pooled import resolve_mixtures
from sksssm.sktime import SSMTimeSeriesClassifier

#: A configuration whose features 200 series of 2 channels outnumber (streaming path):
#: per channel 5 bank columns and 2 x 16 mixtures, one statistic.
STREAMING = dict(
    n_filters=2, filter_lengths=(8,), statistics=("mean",), differences=False, random_state=0
)


def _channels(n, c, length=24, seed=0):
    """``n`` series of ``c`` channels: the class's noisy wave in channel ``y % c``, noise
    elsewhere; returns ``(X, y)`` with ``X`` of shape ``(n, c, length)``."""
    waves, y = noisy_waves(n, length, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(0, 0.5, (n, c, length))
    X[np.arange(n), y % c] = waves
    return X, y


def _fit(X, y, **params):
    return SpectralFilterClassifier(random_state=0, **params).fit(X, y)


@pytest.mark.parametrize("three_d", [False, True])
def test_one_channel_is_the_default_model_bit_for_bit(three_d):
    X, y = noisy_waves(40, 32, seed=1)
    X = X[:, None] if three_d else X
    auto, default = _fit(X, y, n_mixtures="auto"), _fit(X, y, n_mixtures=32)
    assert auto.n_mixtures_ == default.n_mixtures_ == 32
    assert [head.n_mixtures_ for head in auto.estimators_] == [32, 32]
    np.testing.assert_array_equal(auto.decision_function(X), default.decision_function(X))


@pytest.mark.parametrize(("c", "expected"), [(3, 11), (10, 4)])
def test_channels_share_out_the_mixtures(c, expected):
    X, y = _channels(36, c, seed=c)
    auto, fixed = _fit(X, y, n_mixtures="auto"), _fit(X, y, n_mixtures=expected)
    assert auto.n_mixtures_ == expected and mixture_widths(auto) == {expected}
    np.testing.assert_array_equal(auto.decision_function(X), fixed.decision_function(X))


def test_unequal_lengths_with_channels():
    X, y = _channels(36, 3, length=30, seed=2)
    X, _ = nan_padded(X)
    auto, fixed = _fit(X, y, n_mixtures="auto"), _fit(X, y, n_mixtures=11)
    assert auto.n_mixtures_ == 11
    decision = auto.decision_function(X)
    assert np.isfinite(decision).all()
    np.testing.assert_array_equal(decision, fixed.decision_function(X))


def test_streaming_path_resolves_the_same(monkeypatch):
    X, y = _channels(260, 2, length=16, seed=4)
    clf, states = streaming_poolings(monkeypatch, X[:200], y[:200], n_mixtures="auto", **STREAMING)
    assert {w.shape[1] for state in states.values() for w in state.mixing} == {16}
    (head,) = clf.estimators_
    assert clf.n_mixtures_ == head.n_mixtures_ == 16
    fixed = SpectralFilterClassifier(n_mixtures=16, **STREAMING).fit(X[:200], y[:200])
    np.testing.assert_array_equal(clf.decision_function(X[200:]), fixed.decision_function(X[200:]))


def test_dask_path_resolves_the_same():
    da = pytest.importorskip("dask.array")
    X, y = _channels(260, 2, length=16, seed=5)
    params = {**STREAMING, "n_mixtures": "auto", "normalise": "loo"}
    in_memory = SpectralFilterClassifier(**params).fit(X[:200], y[:200])
    on_dask = SpectralFilterClassifier(**params).fit(da.from_array(X[:200], chunks=70), y[:200])
    assert on_dask.n_mixtures_ == in_memory.n_mixtures_ == 16
    assert mixture_widths(on_dask) == {16}
    np.testing.assert_allclose(
        on_dask.decision_function(X[200:]), in_memory.decision_function(X[200:]), atol=1e-9
    )


def test_sktime_adapter_passes_it_through():
    X, y = _channels(30, 3, seed=6)
    inner = SpectralFilterClassifier(n_mixtures="auto", random_state=0)
    adapter = SSMTimeSeriesClassifier(inner).fit(X, y)
    assert adapter.estimator_.n_mixtures_ == 11
    np.testing.assert_array_equal(adapter.predict(X), _fit(X, y, n_mixtures=11).predict(X))


def test_resolution_by_hand():
    # ceil(32 / c), written out
    assert [resolve_mixtures("auto", c) for c in (1, 2, 3, 4, 5, 31, 32, 33)] == [
        32, 16, 11, 8, 7, 2, 1, 1,
    ]  # fmt: skip
    assert resolve_mixtures(0, 7) == 0 and resolve_mixtures(5, 7) == 5
    with pytest.raises(ValueError, match="auto"):
        resolve_mixtures("many", 2)


@pytest.mark.parametrize("bad", ["many", "Auto", 1.5, -1])
def test_bad_values_are_refused(bad):
    X, y = _channels(20, 2, seed=7)
    with pytest.raises(InvalidParameterError, match="n_mixtures"):
        SpectralFilterClassifier(n_mixtures=bad).fit(X, y)


def test_auto_is_the_default():
    # so scikit-learn's estimator checks of the default classifier
    # (tests/test_estimator_checks.py) run with "auto"
    assert SpectralFilterClassifier().get_params()["n_mixtures"] == "auto"
