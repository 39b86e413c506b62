"""Tests of sksssm.plotting: drawn data checked against independent computations."""

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sksssm import PTDSSMRegressor, SpectralFilterRegressor  # noqa: E402
from sksssm.datasets import make_stu_system  # noqa: E402
from sksssm.exceptions import SpectralFilterWarning  # noqa: E402
from sksssm.nn import DiagonalSSMConv, HOPELayer  # noqa: E402
from sksssm.plotting import (  # noqa: E402
    impulse_response,
    plot_forecast,
    plot_history,
    plot_impulse_response,
    plot_spectral_filters,
    plot_transfer_function,
)
from sksssm.spectral import hankel_matrix  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_spectral_filters_are_top_eigenvectors_of_dense_hankel():
    L, K = 64, 4
    ax = plot_spectral_filters(L, K)
    drawn = np.stack([line.get_ydata() for line in ax.get_lines()], axis=1)
    eigenvalues, eigenvectors = np.linalg.eigh(hankel_matrix(L))
    top = eigenvectors[:, ::-1][:, :K]
    # Eigenvectors are defined up to sign: compare |cosine| with 1.
    cosines = np.abs(np.sum(drawn * top, axis=0))
    np.testing.assert_allclose(cosines, 1.0, atol=1e-6)
    scaled = plot_spectral_filters(L, K, scaled=True)
    drawn_scaled = np.stack([line.get_ydata() for line in scaled.get_lines()], axis=1)
    np.testing.assert_allclose(
        np.abs(drawn_scaled), np.abs(drawn) * eigenvalues[::-1][:K] ** 0.25, rtol=1e-8
    )


def _fit_stu(ar_order=0):
    data = make_stu_system(n_samples=8, n_timesteps=256, eigenvalue=0.95, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        reg = SpectralFilterRegressor(n_filters=16, return_sequences=True, ar_order=ar_order)
        return data, reg.fit(data.X, data.y)


@pytest.mark.parametrize("ar_order", [0, 2])
def test_spectral_regressor_response_matches_predict_on_impulses(ar_order):
    data, reg = _fit_stu(ar_order)
    responses, labels = impulse_response(reg, 100)
    n_in, n_out = data.X.shape[1], data.y.shape[1]
    assert responses.shape == (n_in * n_out, 100) and len(labels) == n_in * n_out
    # Independent route: the model is affine, so predict(impulse) - predict(0) is linear.
    impulses = np.zeros((n_in, n_in, 100))
    impulses[np.arange(n_in), np.arange(n_in), 0] = 1.0
    expected = reg.predict(impulses) - reg.predict(np.zeros_like(impulses))
    np.testing.assert_allclose(responses, expected.reshape(-1, 100), atol=1e-10)


def test_spectral_regressor_response_recovers_markov_parameters():
    data, reg = _fit_stu()
    responses, _ = impulse_response(reg, 60)
    A, B, C, D = data.A, data.B, data.C, data.D
    markov = [D] + [C @ np.linalg.matrix_power(A, lag - 1) @ B for lag in range(1, 60)]
    truth = np.stack(markov, axis=-1)  # (out, in, lag)
    truth = truth.transpose(1, 0, 2).reshape(-1, 60)
    error = np.linalg.norm(responses - truth) / np.linalg.norm(truth)
    assert error < 1e-2


def test_sequence_to_one_spectral_regressor_is_refused():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 32))
    reg = SpectralFilterRegressor(n_filters=4).fit(X, X[:, -1])
    with pytest.raises(ValueError, match="return_sequences=True"):
        plot_impulse_response(reg)


def test_estimators_without_a_response_or_history_are_refused_clearly():
    from sklearn.exceptions import NotFittedError

    from sksssm import SpectralFilterClassifier

    with pytest.raises(NotFittedError):
        impulse_response(SpectralFilterRegressor())
    with pytest.raises(NotFittedError):
        plot_history(PTDSSMRegressor())
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 1, 16))
    classifier = SpectralFilterClassifier(n_filters=2, random_state=0).fit(X, np.arange(12) % 2)
    with pytest.raises(TypeError, match="SpectralFilterClassifier has no impulse response"):
        impulse_response(classifier)
    regressor = SpectralFilterRegressor(n_filters=2, return_sequences=True).fit(X, X)
    with pytest.raises(TypeError, match="SpectralFilterRegressor has no training history"):
        plot_history(regressor)
    with pytest.raises(TypeError, match="takes the series, not a forecaster"):
        plot_forecast(np.arange(10.0), regressor)


def _run_layer_on_impulses(layer, d_model, n_timesteps):
    x = torch.zeros(d_model, n_timesteps, d_model, dtype=torch.float64)
    x[torch.arange(d_model), 0, torch.arange(d_model)] = 1.0
    with torch.no_grad():
        y = layer(x)
    return y[torch.arange(d_model), :, torch.arange(d_model)].numpy()


@pytest.mark.parametrize(
    "layer",
    [
        DiagonalSSMConv(3, 8, init="s4d-lin", random_state=0, dtype=torch.float64),
        HOPELayer(3, state_dim=8, random_state=0, dtype=torch.float64),
    ],
    ids=["diagonal", "hope"],
)
def test_layer_response_matches_running_the_layer(layer):
    ax = plot_impulse_response(layer, 40)
    drawn = np.stack([line.get_ydata() for line in ax.get_lines()])
    np.testing.assert_allclose(drawn, _run_layer_on_impulses(layer, 3, 40), atol=1e-10)


def test_deep_estimator_response_is_its_first_layer():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 32))
    params = dict(state_dim=8, d_model=4, n_layers=1, init="s4d-lin", max_epochs=1)
    causal = PTDSSMRegressor(**params, bidirectional=False, random_state=0)
    causal.fit(X, X.sum(axis=1))
    responses, labels = impulse_response(causal, 20)
    layer = causal.net_.module_.blocks[0].layer.double()
    np.testing.assert_allclose(responses, _run_layer_on_impulses(layer, 4, 20), atol=1e-6)
    assert labels == [f"channel {c}" for c in range(4)]
    # A bidirectional layer: the response of its causal (forward) half.
    both = PTDSSMRegressor(**params, bidirectional=True, random_state=0)
    both.fit(X, X.sum(axis=1))
    responses, labels = impulse_response(both, 20)
    forward = both.net_.module_.blocks[0].layer.forward_layer.double()
    np.testing.assert_allclose(responses, _run_layer_on_impulses(forward, 4, 20), atol=1e-6)
    assert labels == [f"forward channel {c}" for c in range(4)]


def test_array_response_and_bad_shapes():
    kernel = torch.tensor([[1.0, 0.5, 0.25], [0.0, 1.0, -1.0]])
    responses, labels = impulse_response(kernel, 2)
    np.testing.assert_array_equal(responses, [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match="n_kernels, n_timesteps"):
        impulse_response(np.zeros((2, 2, 2)))


def test_transfer_function_plot_draws_dense_hippo_response():
    from sksssm.ssm import hippo_legs

    omega = np.logspace(-1, 2, 30)
    ax = plot_transfer_function(N=8, frequencies=omega)
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    A, B = hippo_legs(8)
    C = np.random.default_rng(0).standard_normal(8)
    direct = [abs(C @ np.linalg.inv(1j * w * np.eye(8) - A) @ B) for w in omega]
    np.testing.assert_allclose(lines["HiPPO-LegS"], direct, rtol=1e-8)
    # PTD approximates HiPPO uniformly (strongly) with a tiny perturbation.
    gap = np.max(np.abs(lines["PTD"] - lines["HiPPO-LegS"])) / np.max(lines["HiPPO-LegS"])
    assert gap < 0.05


def test_history_plot_draws_the_losses():
    history = [{"epoch": e, "train_loss": 1.0 / e} for e in (1, 2, 3)]

    class Fitted:
        history_ = history

    ax = plot_history(Fitted())
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.5, 1.0 / 3])
    with pytest.raises(ValueError, match="train_loss"):
        plot_history([{"epoch": 1}])


def test_forecast_plot_with_sktime_style_intervals():
    index = pd.period_range("2000-01", periods=12, freq="M")
    y = pd.Series(np.arange(12.0), index=index)
    y_train, y_test = y[:9], y[9:]
    y_pred = y_test + 0.5
    columns = pd.MultiIndex.from_tuples(
        [("y", 0.9, "lower"), ("y", 0.9, "upper"), ("y", 0.5, "lower"), ("y", 0.5, "upper")]
    )
    intervals = pd.DataFrame(
        np.c_[y_pred - 2, y_pred + 2, y_pred - 1, y_pred + 1], index=y_test.index, columns=columns
    )
    _, ax = plt.subplots()
    assert plot_forecast(y_train, y_pred, y_test, intervals, ax=ax) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["training", "test", "forecast"]
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), y_pred.to_numpy())
    bands = [c for c in ax.collections if c.get_label().endswith("interval")]
    assert [band.get_label() for band in bands] == ["90% interval", "50% interval"]
    with pytest.raises(ValueError, match="lower"):
        plot_forecast(y_train, y_pred, intervals=pd.DataFrame({"a": y_pred}))


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install sksssm\[plot\]"):
        plot_history([{"train_loss": 1.0}])


def test_impulse_response_refuses_a_bad_length_or_layer():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 32))
    est = PTDSSMRegressor(state_dim=4, d_model=4, n_layers=2, max_epochs=1, random_state=0)
    est.fit(X, X.sum(axis=1))
    assert impulse_response(est, 5, layer=1)[0].shape == (4, 5)
    for layer in (2, -1, 1.0):
        with pytest.raises(ValueError, match=r"layer must be an integer in \[0, 2\)"):
            impulse_response(est, 5, layer=layer)
    for n_timesteps in (0, 2.5):
        with pytest.raises(ValueError, match="n_timesteps must be an integer >= 1"):
            impulse_response(0.5 ** np.arange(4), n_timesteps)


def test_plot_forecast_refuses_several_series():
    index = pd.RangeIndex(10)
    y_train = pd.DataFrame({"a": np.arange(10.0), "b": np.ones(10)}, index=index)
    y_pred = pd.DataFrame({"a": [10.0, 11.0], "b": [1.0, 1.0]}, index=[10, 11])
    with pytest.raises(ValueError, match="y_train has 2 columns"):
        plot_forecast(y_train, y_pred)
    ax = plot_forecast(y_train[["a"]], y_pred[["a"]])
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [10.0, 11.0])
