"""Interval widths calibrated on the final forecast's in-sample errors (issue 22).

Checked against independent computations: Theta forecasts from in-sample origins by
the least-squares line and SES levels of each truncated series, the
in-sample errors of the final forecast (drift model, damping, drift shrinkage and the
Theta average) written out step by step, the calibration factor and the t dof per
horizon by hand, and the coverage on simulated series whose process is known.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sksssm.forecasting import SpectralForecaster
from sksssm.forecasting._damped_trend import (
    damped_trend_origin_forecasts,
    damped_trend_states,
    fit_damped_trend,
)
from sksssm.forecasting._intervals import (
    CALIBRATION_CLIP,
    CALIBRATION_MEMORY,
    CALIBRATION_PRIOR,
    calibration_sums,
    final_in_sample_errors,
    forecast_spread,
    in_sample_calibration,
    in_sample_dof,
)
from sksssm.forecasting._seasonality import seasonal_indices, seasonality_test
from sksssm.forecasting._theta import (
    fit_ses_alpha,
    fit_theta,
    ses_levels,
    theta_forecast,
    theta_origin_forecasts,
)


@pytest.mark.parametrize("sp", [1, 4])
def test_theta_from_origins_matches_the_theta_lines_of_the_truncated_series(sp):
    """From origin ``o``: the level of SES over ``x[:o]`` and the slope of its own
    least-squares line (the whole series' SES weight and season); ``theta_forecast``
    itself from ``o = n``."""
    rng = np.random.default_rng(sp)
    n, horizon = 40, 5
    x = 10 + np.cumsum(0.3 + rng.normal(size=n)) + 3 * np.resize([1.0, -1.0, 0.5, -0.5], n)
    cycle = np.zeros(n + horizon)
    if sp > 1:
        assert seasonality_test(x, sp)
        cycle = np.resize(seasonal_indices(x, sp, False), n + horizon)
    alpha = fit_ses_alpha(x - cycle[:n])
    origins = [5, 17, 39, 40]
    got = theta_origin_forecasts(x, fit_theta(x, sp), horizon, origins)
    np.testing.assert_allclose(got[-1], theta_forecast(x, horizon, sp), rtol=1e-12)
    # Each origin equals theta_forecast's closed form on the truncated series with the
    # whole series' SES weight and season.
    for row, o in zip(got, origins, strict=True):
        adjusted = x[:o] - cycle[:o]
        slope = np.polyfit(np.arange(o, dtype=float), adjusted, 1)[0]
        level = ses_levels(adjusted, alpha)[-1]
        h = np.arange(1, horizon + 1)
        closed = level + slope / 2 * ((h - 1) + 1 / alpha - (1 - alpha) ** o / alpha)
        np.testing.assert_allclose(row, closed + cycle[o + h - 1], rtol=1e-10)


@pytest.mark.parametrize("damped_trend_weight", [0.0, 0.25])
def test_in_sample_errors_of_the_final_forecast_written_out(damped_trend_weight):
    """A drift model (d = 1, no AR terms): from origin ``o`` the final forecast is the
    drift path damped by ``1 - 5 / o``, shrunk toward the line through ``z_1`` and
    ``z_o`` with weight ``o / (o + 10)``, averaged with Theta on ``z[:o]`` and then with
    the damped trend's forecast from the recursion's states after ``z[:o]``."""
    rng = np.random.default_rng(11)
    y = pd.Series(30 + np.cumsum(0.5 + rng.normal(size=14)))
    # Fixed member weights (per-series weights: tests/test_forecast_combination.py).
    params = dict(sp=1, d=1, ar_order=0, n_filters=0, n_combined=1, log_transform=False,
                  damped_trend_weight=damped_trend_weight,
                  weight_prior_origins=None)  # fmt: skip
    f = SpectralForecaster(**params).fit(y, fh=[1, 2, 3])
    z = f._panel.series()[0][0][:, 0]
    c = f._model.one_step["intercept"][0]
    errors = final_in_sample_errors(f._global, 3)[0][:, :, 0]
    origins = range(3, 14)
    assert errors.shape == (len(origins), 3)
    h = np.arange(1, 4)
    theta = theta_origin_forecasts(z, fit_theta(z), 3, list(origins))
    trend = fit_damped_trend(z)
    for row, o, th in zip(errors, origins, theta, strict=True):
        damping = max(1 - 5 / o, 0.5)
        model = z[o - 1] + np.cumsum(c * damping**h)
        drift = z[o - 1] + h * (z[o - 1] - z[0]) / (o - 1)
        w = o / (o + 10)
        final = 0.5 * (w * model + (1 - w) * drift) + 0.5 * th
        if damped_trend_weight:  # the recursion run by hand up to z[o - 1]
            level, slope = z[0], (z[3] - z[0]) / 3
            for value in z[1:o]:
                predicted = level + trend.phi * slope
                level = predicted + trend.alpha * (value - predicted)
                slope = trend.phi * slope + trend.alpha * trend.beta * (value - predicted)
            damped = level + slope * np.cumsum(trend.phi**h)
            final = (1 - damped_trend_weight) * final + damped_trend_weight * damped
        k = min(3, 14 - o)
        np.testing.assert_allclose(row[:k], z[o : o + k] - final[:k], rtol=1e-9, atol=1e-12)
        assert np.all(np.isnan(row[k:]))


def test_damped_trend_from_origins_continues_the_fitted_recursion():
    """From origin ``o >= 5`` the states are those of the recursion on ``x[:o]`` (same
    start, ``x[3]`` observed); from ``o = n`` the fit's own forecast."""
    rng = np.random.default_rng(3)
    x = np.cumsum(0.4 + rng.normal(size=30))
    fit = fit_damped_trend(x)
    origins = [5, 12, 29, 30]
    got = damped_trend_origin_forecasts(x, fit, 4, origins)
    np.testing.assert_allclose(got[-1], fit.forecast(4), rtol=1e-12)
    one = np.ones(1)
    for row, o in zip(got, origins, strict=True):
        level, trend, _ = damped_trend_states(x[:o], fit.alpha * one, fit.beta * one,
                                              fit.phi * one)  # fmt: skip
        expected = level + trend * np.cumsum(fit.phi ** np.arange(1, 5))
        np.testing.assert_allclose(row, expected, rtol=1e-12)


def test_calibration_factor_by_hand():
    """kappa^2 = (prior + sum w r^2) / (prior + sum w): winsorized squared ratios, the
    origin ``a`` points before a series' last weighing ``exp(-a / CALIBRATION_MEMORY)``."""
    errors = [np.array([[[1.0], [np.nan]], [[-8.0], [2.0]]]), np.array([[[0.5], [1.0]]])]
    spread = np.array([[[1.0], [2.0]], [[0.5], [0.5]]])
    # (ratio, weight): series 0's first origin is one point before its last.
    older = np.exp(-1 / CALIBRATION_MEMORY)
    terms = [(1.0, older), (-CALIBRATION_CLIP, 1.0), (1.0, 1.0), (1.0, 1.0), (2.0, 1.0)]
    ratios, weights = np.array(terms).T  # -8 / 1 winsorized
    expected = np.sqrt(
        (CALIBRATION_PRIOR + np.sum(weights * ratios**2)) / (CALIBRATION_PRIOR + weights.sum())
    )
    assert in_sample_calibration(errors, spread) == pytest.approx(expected, rel=1e-12)
    # Its sums per horizon: h = 1 holds terms 1, 2 and 4, h = 2 terms 3 and 5.
    sum_sq, total = calibration_sums(errors, spread)
    np.testing.assert_allclose(sum_sq, [older + CALIBRATION_CLIP**2 + 1.0, 1.0 + 4.0], rtol=1e-12)
    np.testing.assert_allclose(total, [older + 2.0, 2.0], rtol=1e-12)
    # Every origin alike (memory=None): the plain mean of the squared ratios.
    plain = np.sqrt((CALIBRATION_PRIOR + np.sum(ratios**2)) / (CALIBRATION_PRIOR + 5))
    assert in_sample_calibration(errors, spread, memory=None) == pytest.approx(plain, rel=1e-12)
    # No in-sample errors: the model's widths.
    assert in_sample_calibration([np.zeros((0, 2, 1))], spread[:1]) == 1.0


def test_recent_errors_weigh_more():
    """Twice the spread at the last 10 of 60 origins and at the spread elsewhere widens
    more than the same errors at the first 10; with equal weights both are the same."""
    spread = np.ones((1, 1, 1))
    late, early = np.ones((60, 1, 1)), np.ones((60, 1, 1))
    late[-10:], early[:10] = 2.0, 2.0
    assert in_sample_calibration([late], spread) > 1.2 > in_sample_calibration([early], spread)
    assert in_sample_calibration([late], spread, memory=None) == pytest.approx(
        in_sample_calibration([early], spread, memory=None), rel=1e-12
    )


def test_in_sample_dof_by_hand():
    """``CALIBRATION_PRIOR + n_h / h``, the in-sample ``h``-step errors of every series of
    a panel counted together; the model's dof without in-sample errors."""
    errors = [np.zeros((10, 3, 1)), np.zeros((5, 3, 1))]
    for e in errors:  # beyond each series' end
        e[-1, 1:], e[-2, 2] = np.nan, np.nan
    expected = CALIBRATION_PRIOR + np.array([15, 13 / 2, 11 / 3])
    np.testing.assert_allclose(in_sample_dof(errors, 3, 50.0), expected, rtol=1e-12)
    np.testing.assert_array_equal(in_sample_dof([np.zeros((0, 3, 1))], 3, 50.0), [50.0] * 3)


def test_the_forecaster_quantiles_are_t_with_the_dof_per_horizon():
    """The 95% half-width at ``h`` is ``t_{4 + n_h / h}(0.975)`` times the calibrated
    spread: the quantiles use each horizon's own dof."""
    rng = np.random.default_rng(13)
    y = pd.Series(100 + np.cumsum(rng.normal(size=30)))
    f = SpectralForecaster(sp=1, log_transform=False).fit(y, fh=np.arange(1, 7))
    center = f.predict().to_numpy().ravel()
    upper = f.predict_interval(coverage=0.95).to_numpy()[:, 1]
    spread, nu = f._spread(np.arange(1, 7))
    errors = final_in_sample_errors(f._global, 6)
    counts = np.isfinite(errors[0][:, :, 0]).sum(axis=0)
    np.testing.assert_allclose(nu[0, :, 0], CALIBRATION_PRIOR + counts / np.arange(1, 7))
    assert np.all(np.diff(nu[0, :, 0]) < 0)  # fewer independent errors further ahead
    scale = f._panel.scaling[None][1][0]
    expected = stats.t.ppf(0.975, nu[0, :, 0]) * spread[0, :, 0] * scale
    np.testing.assert_allclose(upper - center, expected, rtol=1e-10)


def test_the_forecaster_widths_are_kappa_times_the_model_spread():
    """The stored factor is the calibration of the final forecast's in-sample errors
    against the model's own spread, and the widths are that factor times it."""
    rng = np.random.default_rng(12)
    y = pd.Series(100 + np.cumsum(rng.normal(size=50)))
    f = SpectralForecaster(sp=1, log_transform=False).fit(y, fh=[1, 2, 3, 4])
    spread, _ = f._spread(np.arange(1, 5))
    kappa = f._global.error_scales[("in_sample", 4)]
    z, e = f._panel.series()
    error, _ = f._global.error_scales[4]
    model = forecast_spread(f._model, z, None, error)
    expected = in_sample_calibration(final_in_sample_errors(f._global, 4), model)
    assert kappa == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(spread, model * kappa, rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("process", ["ar1", "drift"])
def test_default_coverage_on_simulated_series(process):
    """150 series of a known process (n = 40), 4 steps ahead, default forecaster: the
    80% and 95% intervals cover about 80% and 95% of the 600 test points."""
    rng = np.random.default_rng(21)
    hits, total = np.zeros(2), 0
    for _ in range(150):
        e, x = rng.normal(size=144), np.zeros(144)
        for t in range(1, 144):
            x[t] = (0.7 * x[t - 1] if process == "ar1" else x[t - 1] + 0.3) + e[t]
        y = pd.Series(x[100:] + 50)
        f = SpectralForecaster().fit(y[:40], fh=np.arange(1, 5))
        bounds = f.predict_interval(coverage=[0.8, 0.95]).to_numpy()
        truth = y[40:].to_numpy()
        for k in range(2):
            hits[k] += np.sum((truth >= bounds[:, 2 * k]) & (truth <= bounds[:, 2 * k + 1]))
        total += 4
    coverage = hits / total
    # 600 points in 150 correlated groups of 4: standard errors about 0.025 (80%) and
    # 0.013 (95%); the tolerances are about 2.5 of them.
    assert abs(coverage[0] - 0.80) < 0.065
    assert abs(coverage[1] - 0.95) < 0.035
