"""Tests of the sktime forecasters (sktime is optional: skipped without it)."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.forecasting.base import ForecastingHorizon  # noqa: E402

from sksssm.forecasting import DeepReductionForecaster, SpectralForecaster  # noqa: E402
from sksssm.spectral import stu_features  # noqa: E402


def ar_series(n=120, seed=0, channels=1):
    """A stable AR(2) series plus an offset, shape (n, channels)."""
    rng = np.random.default_rng(seed)
    y = np.zeros((n, channels))
    for t in range(2, n):
        y[t] = 1.2 * y[t - 1] - 0.5 * y[t - 2] + 0.1 * rng.standard_normal(channels)
    return pd.DataFrame(y + 5.0, index=pd.RangeIndex(n))


def reference_design(z, filters, ar_order):
    """Features built independently: explicit sums over the past, then explicit lags."""
    n, c = z.shape
    k = filters.shape[1]
    signs = (-1.0) ** np.arange(n)
    rows = []
    for t in range(n):
        past = z[:t][::-1]  # z[t-1], z[t-2], ...
        pos = [filters[: len(past), j] @ past[:, ch] for ch in range(c) for j in range(k)]
        neg = [
            (filters[: len(past), j] * signs[: len(past)]) @ past[:, ch]
            for ch in range(c)
            for j in range(k)
        ]
        lags = [z[t - lag] if t >= lag else np.zeros(c) for lag in range(1, ar_order + 1)]
        rows.append(np.concatenate([pos, neg, *lags]))
    return np.array(rows)


def test_design_matches_explicit_sums_and_feature_rows():
    y = ar_series(40, channels=2)
    f = SpectralForecaster(n_filters=3, ar_order=2).fit(y, fh=[1])
    F = f._design(f._z, None)
    np.testing.assert_allclose(F, reference_design(f._z, f.filters_, 2), atol=1e-10)
    for t in (1, 7, 39):
        np.testing.assert_allclose(f._feature_row(f._z, None, t), F[t], atol=1e-12)


def test_fit_is_exact_ridge_on_the_design():
    """With a fixed alpha the coefficients equal a dense ridge on standardized features."""
    y = ar_series(60)
    f = SpectralForecaster(n_filters=4, ar_order=2, alpha=0.3).fit(y, fh=[1])
    F, target = f._design(f._z, None)[2:], f._z[2:]
    Fc, yc = F - F.mean(0), target - target.mean(0)
    scale = np.sqrt((Fc**2).mean(0))
    Fs = Fc / scale
    w = np.linalg.solve(Fs.T @ Fs + 0.3 * np.eye(F.shape[1]), Fs.T @ yc)
    np.testing.assert_allclose(f.coef_, (w / scale[:, None]).T, rtol=1e-8, atol=1e-10)


def test_recursive_forecast_of_noise_free_ar_process():
    """A sinusoid obeys y_t = 2 cos(w) y_{t-1} - y_{t-2}: in the model class, so the
    recursive multi-step forecasts are near exact."""
    t = np.arange(170)
    y = np.sin(0.3 * t) + 2.0
    f = SpectralForecaster(n_filters=2, ar_order=2, alpha=1e-12).fit(pd.Series(y[:160]))
    y_pred = f.predict(fh=np.arange(1, 11))
    np.testing.assert_allclose(y_pred.to_numpy(), y[160:], atol=1e-4)


def test_update_equals_statistics_of_one_pass_with_same_filters():
    y = ar_series(100)
    full = SpectralForecaster(n_filters=4, ar_order=2, alpha=0.5).fit(y.iloc[:70], fh=[1])
    full.update(y.iloc[70:])
    # Independent: the design of all 100 steps, with the filters/scaling of the first fit.
    F, target = full._design(full._z, None)[2:], full._z[2:]
    Fc, yc = F - F.mean(0), target - target.mean(0)
    scale = np.sqrt((Fc**2).mean(0))
    w = np.linalg.solve(
        (Fc / scale).T @ (Fc / scale) + 0.5 * np.eye(F.shape[1]), (Fc / scale).T @ yc
    )
    np.testing.assert_allclose(full.coef_, (w / scale[:, None]).T, rtol=1e-8, atol=1e-10)
    assert full.filters_.shape[0] == 70  # filters keep the training length
    assert full.cutoff[0] == 99


def test_filters_are_a_sliding_window_beyond_training_length():
    """Past the training length, features see only the last L values (filter length)."""
    y = ar_series(50)
    f = SpectralForecaster(n_filters=3, ar_order=0).fit(y.iloc[:20], fh=[1])
    z = np.concatenate([f._z, np.random.default_rng(1).normal(size=(30, 1))])
    row = f._feature_row(z, None, 50)
    z_window = z.copy()
    z_window[:30] = 1e3  # values older than L=20 steps must not matter
    np.testing.assert_allclose(f._feature_row(z_window, None, 50), row)
    expected = stu_features(z[None], f.filters_, input_lags=0)[0, 50 - 1]
    assert expected.shape == row.shape


def test_direct_strategy_one_ridge_per_horizon():
    y = ar_series(120)
    f = SpectralForecaster(n_filters=4, ar_order=2, strategy="direct", alpha=1e-3)
    f.fit(y.iloc[:100], fh=np.arange(1, 6))
    assert len(f._coefs) == 5
    # Horizon h's ridge is a dense ridge of y[t + h - 1] on the features at t.
    F, z = f._design(f._z, None), f._z
    for h in (1, 3):
        _, coef, _ = f._coefs[h - 1]
        rows, target = F[2 : len(z) - h + 1], z[h + 1 : len(z)]
        Fc, yc = rows - rows.mean(0), target - target.mean(0)
        scale = np.sqrt((Fc**2).mean(0))
        gram = (Fc / scale).T @ (Fc / scale) + 1e-3 * np.eye(F.shape[1])
        w = np.linalg.solve(gram, (Fc / scale).T @ yc)
        np.testing.assert_allclose(coef, (w / scale[:, None]).T, rtol=1e-7, atol=1e-9)
    assert f.get_tag("requires-fh-in-fit")
    with pytest.raises(ValueError):  # fh beyond the fitted horizons
        f.predict(fh=[6])


def test_exogenous_input_is_used():
    rng = np.random.default_rng(0)
    x = rng.normal(size=130)
    y = pd.Series(2.0 * x + 0.01 * rng.normal(size=130))
    X = pd.DataFrame({"x": x})
    f = SpectralForecaster(n_filters=3, ar_order=1).fit(y[:120], X=X[:120])
    fh = ForecastingHorizon(np.arange(1, 11), is_relative=True)
    y_pred = f.predict(fh=fh, X=X[120:])
    np.testing.assert_allclose(y_pred.to_numpy(), y[120:].to_numpy(), atol=0.1)
    with pytest.raises(ValueError, match="needs X at every step"):
        f.predict(fh=fh, X=X[120:125])


def test_multivariate_output_shape_and_columns():
    y = ar_series(80, channels=3)
    y.columns = ["a", "b", "c"]
    y_pred = SpectralForecaster(n_filters=3).fit(y).predict(fh=[1, 2, 3, 4])
    assert y_pred.shape == (4, 3) and list(y_pred.columns) == ["a", "b", "c"]


def test_interval_spread_matches_in_sample_multistep_errors():
    y = ar_series(150, seed=2)
    f = SpectralForecaster(n_filters=4, ar_order=2).fit(y.iloc[:, 0])
    var = f.predict_var(fh=[1, 2, 3]).to_numpy().ravel()
    # Independent: replay recursive forecasts from the last 100 origins by hand.
    coef, (_, _, intercept) = f.coef_, f._coefs[0]
    z = f._z
    errors = {h: [] for h in (1, 2, 3)}
    for origin in range(max(1, len(z) - 100 - 2), len(z)):
        path = list(z[:origin, 0])
        for h in range(1, min(3, len(z) - origin) + 1):
            row = f._feature_row(np.array(path)[:, None], None, len(path))
            path.append(float(row @ coef[0] + intercept[0]))
            errors[h].append(path[-1] - z[origin + h - 1, 0])
    sigma = np.array([np.sqrt(np.mean(np.square(errors[h]))) for h in (1, 2, 3)])
    np.testing.assert_allclose(np.sqrt(var), sigma * f._y_scale[0], rtol=1e-8)
    interval = f.predict_interval(fh=[1, 2, 3], coverage=0.9).to_numpy()
    mean = f.predict(fh=[1, 2, 3]).to_numpy()
    np.testing.assert_allclose(interval[:, 1] - mean, 1.6448536 * np.sqrt(var), rtol=1e-6)


def test_invalid_hyperparameters_raise():
    y = ar_series(40)
    for params in ({"n_filters": 0}, {"strategy": "both"}, {"alpha": -1.0}, {"hankel": "Q"}):
        with pytest.raises(ValueError):
            SpectralForecaster(**params).fit(y)


def test_airline_beats_seasonal_naive_after_differencing():
    from sktime.datasets import load_airline
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.transformations.series.difference import Differencer

    y = load_airline()
    f = TransformedTargetForecaster(
        [("d", Differencer(lags=1)), ("stu", SpectralForecaster(ar_order=13))]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f.fit(y[:-12])
    y_pred = f.predict(fh=np.arange(1, 13)).to_numpy()
    truth, seasonal_naive = y[-12:].to_numpy(), y[-24:-12].to_numpy()
    assert np.abs(y_pred - truth).mean() < np.abs(seasonal_naive - truth).mean()


def test_deep_reduction_forecaster_runs_on_airline():
    from sktime.datasets import load_airline

    from sksssm import SpectralFilterRegressor

    y = load_airline()
    regressor = SpectralFilterRegressor(
        4, solver="gradient", d_model=4, n_layers=1, max_epochs=2, random_state=0
    )
    y_pred = DeepReductionForecaster(regressor, window_length=12).fit(y).predict(fh=[1, 2, 3])
    assert y_pred.shape == (3,) and np.isfinite(y_pred).all()
    with pytest.raises(ValueError, match="estimator"):
        DeepReductionForecaster("lstm").fit(y, fh=[1])


def test_import_sksssm_does_not_import_sktime():
    code = "import sys, sksssm; assert 'sktime' not in sys.modules; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
