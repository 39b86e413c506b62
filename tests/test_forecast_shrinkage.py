"""Damped trend and shrinkage toward the drift forecast (SpectralForecaster defaults)."""

import numpy as np
import pandas as pd
import pytest

from sksssm.forecasting import SpectralForecaster
from sksssm.forecasting._model import damp_increments, shrink_toward_drift


def test_damp_increments_matches_a_direct_recursion():
    rng = np.random.default_rng(0)
    z_last, path, phi = rng.normal(size=(3, 2)), rng.normal(size=(3, 5, 2)), 0.8
    expected = np.empty_like(path)
    for b in range(3):
        level, previous = z_last[b].copy(), z_last[b]
        for h in range(5):
            level = level + phi ** (h + 1) * (path[b, h] - previous)
            previous = path[b, h]
            expected[b, h] = level
    np.testing.assert_allclose(damp_increments(z_last, path, phi), expected, rtol=1e-12)
    np.testing.assert_allclose(damp_increments(z_last, path, 1.0), path, rtol=1e-12)


def test_shrink_toward_drift_weights_the_line_through_first_and_last_value():
    series = np.array([[1.0], [4.0], [2.0], [7.0]])  # drift slope (7 - 1) / 3 = 2
    path = np.array([[10.0], [20.0]])
    w = 4 / (4 + 6)
    expected = w * path + (1 - w) * np.array([[9.0], [11.0]])
    np.testing.assert_allclose(shrink_toward_drift(series, path, 6), expected, rtol=1e-12)
    np.testing.assert_allclose(shrink_toward_drift(series, path, 0), path)


def trending_series(n=40, seed=1):
    rng = np.random.default_rng(seed)
    return pd.Series(50 + np.cumsum(0.8 + rng.normal(size=n)))


def test_default_forecast_is_the_damped_model_shrunk_toward_drift():
    y = trending_series()
    fh = np.arange(1, 7)
    # Theta and the damped trend: test_forecast_theta, test_forecast_damped_trend
    fixed = dict(sp=1, log_transform=False, theta_weight=0.0, damped_trend_weight=0.0)
    plain = SpectralForecaster(damping=1.0, drift_prior_length=0, **fixed).fit(y, fh=fh)
    f = SpectralForecaster(**fixed).fit(y, fh=fh)  # the defaults: damping "auto", prior 10
    assert (f.damping, f.drift_prior_length) == ("auto", 10)
    # Independent computation in y's units (standardization is affine, so it commutes).
    base, last, n = plain.predict().to_numpy(), y.iloc[-1], len(y)
    steps = np.diff(np.concatenate([[last], base]))
    damped = last + np.cumsum(steps * (1 - 5 / n) ** fh)  # "auto": 1 - 5 / 40 = 0.875
    drift = last + fh * (last - y.iloc[0]) / (n - 1)
    w = n / (n + 10)
    np.testing.assert_allclose(f.predict().to_numpy(), w * damped + (1 - w) * drift, rtol=1e-10)
    # The model's own widths, rescaled by the in-sample errors of the forecast actually
    # made (damped and shrunk here, not in `plain`): only that factor differs.
    plain.interval_backtests = f.interval_backtests = 0
    width = np.diff(f.predict_interval(coverage=0.8).to_numpy(), axis=1)
    plain_width = np.diff(plain.predict_interval(coverage=0.8).to_numpy(), axis=1)
    kappa, plain_kappa = (g._global.error_scales[("in_sample", 6)] for g in (f, plain))
    assert kappa != plain_kappa
    np.testing.assert_allclose(width, plain_width * kappa / plain_kappa, rtol=1e-10)


def test_auto_damping_follows_each_series_length_in_a_panel():
    """``damping="auto"``: series of 12, 30 and 60 points in one global model are damped
    by ``max(1 - 5 / n, 0.5)``: 0.583, 0.833 and 0.917."""
    parts = [trending_series(n, seed).to_numpy() for n, seed in ((12, 2), (30, 3), (60, 4))]
    y = pd.concat(
        pd.DataFrame({"y": v}, index=pd.MultiIndex.from_product([[k], np.arange(-len(v), 0)]))
        for k, v in enumerate(parts)
    )
    fh = np.arange(1, 5)
    fixed = dict(sp=1, log_transform=False, drift_prior_length=0, theta_weight=0.0,
                 damped_trend_weight=0.0)  # fmt: skip
    plain = SpectralForecaster(damping=1.0, **fixed).fit(y, fh=fh).predict()
    auto = SpectralForecaster(**fixed).fit(y, fh=fh).predict()
    for k, v in enumerate(parts):
        steps = np.diff(np.concatenate([[v[-1]], plain.loc[k].to_numpy().ravel()]))
        factor = max(1 - 5 / len(v), 0.5)
        expected = v[-1] + np.cumsum(steps * factor**fh)
        np.testing.assert_allclose(auto.loc[k].to_numpy().ravel(), expected, rtol=1e-10)


def test_seasonal_forecasts_are_neither_damped_nor_shrunk():
    t = np.arange(48)
    y = pd.Series(10 + 0.1 * t + np.sin(2 * np.pi * t / 12) + 0.01 * np.cos(t))
    kwargs = dict(sp=12, log_transform=False)
    f = SpectralForecaster(**kwargs).fit(y, fh=[1, 2, 3])
    plain = SpectralForecaster(damping=1.0, drift_prior_length=0, **kwargs).fit(y, fh=[1, 2, 3])
    np.testing.assert_array_equal(f.predict().to_numpy(), plain.predict().to_numpy())


@pytest.mark.parametrize(
    "params",
    [{"damping": 0.0}, {"damping": 1.5}, {"damping": "none"}, {"drift_prior_length": -1}],
)
def test_invalid_shrinkage_parameters_are_refused(params):
    with pytest.raises(ValueError, match=next(iter(params))):
        SpectralForecaster(**params).fit(trending_series(), fh=[1])
