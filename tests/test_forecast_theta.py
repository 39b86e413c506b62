"""The closed-form classical Theta forecast against independent computations."""

import numpy as np
import pytest

from sksssm.forecasting._seasonality import seasonal_indices, seasonality_test
from sksssm.forecasting._theta import (
    fit_ses_alpha,
    fit_theta,
    ses_levels,
    theta_forecast,
)


def _ses_loop(x, alpha):
    level = x[0]
    for value in x[1:]:
        level = alpha * value + (1 - alpha) * level
    return level


def _theta_lines(x, horizon, alpha):
    """Mean of the theta = 0 line (extrapolated) and SES of the theta = 2 line."""
    t = np.arange(len(x), dtype=float)
    slope, intercept = np.polyfit(t, x, 1)
    line = intercept + slope * t
    future_line = intercept + slope * (len(x) - 1 + np.arange(1, horizon + 1))
    return 0.5 * future_line + 0.5 * _ses_loop(2 * x - line, alpha)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ses_alpha_minimizes_the_one_step_error(seed):
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=40)) + rng.normal(scale=2.0, size=40)
    grid = np.linspace(0.01, 1.0, 991)
    sse = [sum((x[t] - _ses_loop(x[:t], a)) ** 2 for t in range(1, len(x))) for a in grid]
    assert fit_ses_alpha(x) == pytest.approx(grid[int(np.argmin(sse))], abs=2e-3)
    alpha = fit_ses_alpha(x)
    assert ses_levels(x, alpha)[-1] == pytest.approx(_ses_loop(x, alpha), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 3])
def test_theta_forecast_is_the_mean_of_the_theta_lines(seed):
    rng = np.random.default_rng(seed)
    x = 10 + 0.3 * np.arange(30) + rng.normal(size=30)
    expected = _theta_lines(x, 6, fit_ses_alpha(x))
    np.testing.assert_allclose(theta_forecast(x, 6), expected, rtol=1e-10)


def _classical_multiplicative_indices(x, period):
    """Seasonal indices of the classical multiplicative decomposition, by its definition:
    the ratios of the series to its centred moving average (2 x m for an even period m),
    averaged per position in the season and scaled to mean 1."""
    half = period // 2
    weights = np.ones(2 * half + 1)
    if period % 2 == 0:
        weights[0] = weights[-1] = 0.5
    ratios = [[] for _ in range(period)]
    for t in range(half, len(x) - half):
        window = x[t - half : t + half + 1]
        trend = sum(w * v for w, v in zip(weights, window, strict=True)) / period
        ratios[t % period].append(x[t] / trend)
    averages = np.array([np.mean(r) for r in ratios])
    return averages / averages.mean()


def test_seasonal_theta_matches_a_classical_decomposition():
    rng = np.random.default_rng(0)
    n, period = 48, 4
    pattern = np.array([1.2, 0.9, 1.1, 0.8])
    x = (50 + np.arange(n) + rng.normal(size=n)) * np.tile(pattern, n // period)
    indices = _classical_multiplicative_indices(x, period)
    np.testing.assert_allclose(seasonal_indices(x, period, multiplicative=True), indices)
    adjusted = x / np.tile(indices, n // period)
    expected = _theta_lines(adjusted, 8, fit_ses_alpha(adjusted)) * np.tile(indices, 2)
    np.testing.assert_allclose(
        theta_forecast(x, 8, period, multiplicative=True), expected, rtol=1e-10
    )
    # Additive indices of log(x) are the log of (nearly) the same season.
    additive = seasonal_indices(np.log(x), period)
    np.testing.assert_allclose(np.exp(additive), indices, rtol=0.02)


def test_no_season_without_a_significant_autocorrelation():
    x = np.random.default_rng(1).normal(size=40)
    np.testing.assert_allclose(theta_forecast(x, 5, sp=4), theta_forecast(x, 5))


def _trend_series(n=40, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.Series(20 + 0.5 * np.arange(n) + np.cumsum(rng.normal(size=n)))


def test_forecaster_averages_its_forecast_with_the_theta_lines():
    from sksssm.forecasting import SpectralForecaster

    y = _trend_series()
    fh = [1, 2, 3, 4]
    kwargs = dict(sp=1, log_transform=False, damped_trend_weight=0.0, weight_prior_origins=None)
    f = SpectralForecaster(**kwargs).fit(y, fh=fh)
    plain = SpectralForecaster(theta_weight=0.0, **kwargs).fit(y, fh=fh).predict().to_numpy()
    x = y.to_numpy()
    # Theta is affine-equivariant: on the standardized series it is the Theta of y.
    theta = _theta_lines(x, 4, fit_ses_alpha(x))
    assert f.theta_weight == 0.5
    np.testing.assert_allclose(f.predict().to_numpy(), 0.5 * plain + 0.5 * theta, rtol=1e-8)
    weighted = SpectralForecaster(theta_weight=1.0, **kwargs).fit(y, fh=fh)
    np.testing.assert_allclose(weighted.predict().to_numpy(), theta, rtol=1e-8)
    interval = f.predict_interval(coverage=0.9).to_numpy()
    assert (
        (interval[:, 0] < f.predict().to_numpy()) & (f.predict().to_numpy() < interval[:, 1])
    ).all()


@pytest.mark.parametrize("weight", [-0.1, 1.5, "half"])
def test_invalid_theta_weight_is_refused(weight):
    from sksssm.forecasting import SpectralForecaster

    with pytest.raises(ValueError, match="theta_weight"):
        SpectralForecaster(theta_weight=weight).fit(_trend_series(), fh=[1])


def _theta_by_its_formula(x, horizon, sp):
    """The Theta forecast recomputed from scratch (the code before the fit/forecast split)."""
    n = len(x)
    cycle = np.zeros(n + horizon)
    if sp > 1 and seasonality_test(x, sp):
        cycle = np.resize(seasonal_indices(x, sp), n + horizon)
    adjusted = x - cycle[:n]
    slope = np.polyfit(np.arange(n, dtype=float), adjusted, 1)[0]
    alpha = fit_ses_alpha(adjusted)
    level = _ses_loop(adjusted, alpha)
    h = np.arange(1, horizon + 1)
    return level + slope / 2 * ((h - 1) + 1 / alpha - (1 - alpha) ** n / alpha) + cycle[n:]


@pytest.mark.parametrize(("n", "sp"), [(30, 1), (48, 4), (61, 12), (1, 1)])
def test_one_theta_fit_serves_every_horizon(n, sp):
    rng = np.random.default_rng(n)
    x = 5 + 0.2 * np.arange(n) + np.tile([2.0, -1.0, 0.5, -1.5], n)[:n] + rng.normal(size=n)
    fitted = fit_theta(x, sp)
    for horizon in (1, 5, 13):
        expected = _theta_by_its_formula(x, horizon, sp) if n > 1 else np.full(horizon, x[-1])
        np.testing.assert_allclose(fitted.forecast(horizon), expected, rtol=1e-10)
        np.testing.assert_array_equal(fitted.forecast(horizon), theta_forecast(x, horizon, sp))


def test_forecaster_fits_theta_once_and_refits_after_an_update(monkeypatch):
    from sksssm.forecasting import SpectralForecaster, _theta

    y = _trend_series(60)
    expected = theta_forecast(y.to_numpy()[:50], 3)
    calls = []
    original = _theta.fit_ses_alpha

    def counting(x):
        calls.append(len(x))
        return original(x)

    monkeypatch.setattr(_theta, "fit_ses_alpha", counting)
    f = SpectralForecaster(sp=1, log_transform=False, damped_trend_weight=0.0)
    f = f.fit(y.iloc[:50], fh=[1, 2, 3])
    assert calls == [50]  # at fit, on the training series
    first = [f.predict().to_numpy() for _ in range(3)]
    f.predict(fh=[1, 2, 3, 4, 5, 6])
    assert calls == [50]  # every predict, any horizon, reuses the fit
    np.testing.assert_array_equal(first[0], first[2])
    # Theta is affine-equivariant: the fit on the standardized series is y's Theta.
    in_y = f._panel.to_original(0, f._global.member_fits("theta")[0][0].forecast(3)[:, None])
    np.testing.assert_allclose(in_y[:, 0], expected, rtol=1e-8)
    f.update(y.iloc[50:], update_params=False)  # new values: Theta is refitted on them
    f.predict()
    assert calls == [50, 60]
