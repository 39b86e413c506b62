"""The interval candidates of ``benchmarks/interval_candidates.py`` (issue 22, session 38):
measured in ``benchmarks/m3_intervals.py`` and not kept, so not in the library.

Checked against independent computations: the per-horizon factors (candidate B) against
the horizon's ratios and weights written out one at a time; the combination's
between-member variance (candidate M) against the members from in-sample origins written
out step by step (drift model, damping, drift shrinkage, Theta, damped trend) and their
weighted spread about the combination by hand, the two-member and one-member cases by
their closed forms, and the mixture's calibration factor by a loop. Both leave the point
forecast and the interval centres alone.
"""

import numpy as np
import pandas as pd
import pytest

candidates = pytest.importorskip("benchmarks.interval_candidates")

from sksssm.forecasting import SpectralForecaster  # noqa: E402
from sksssm.forecasting._combination import fixed_weights  # noqa: E402
from sksssm.forecasting._damped_trend import fit_damped_trend  # noqa: E402
from sksssm.forecasting._intervals import (  # noqa: E402
    CALIBRATION_CLIP,
    CALIBRATION_MEMORY,
    CALIBRATION_PRIOR,
    calibration_sums,
    final_in_sample_errors,
    forecast_spread,
    in_sample_calibration,
)
from sksssm.forecasting._theta import fit_theta, theta_origin_forecasts  # noqa: E402

between_member_variance = candidates.between_member_variance
horizon_calibration = candidates.horizon_calibration
in_sample_between = candidates.in_sample_between
mixture_calibration = candidates.mixture_calibration


def _weighted_ratios_by_loop(errors, spread, memory):
    """(horizon, ratio, weight) of every finite in-sample ratio, one at a time."""
    out = []
    for series_errors, series_spread in zip(errors, spread, strict=True):
        last = len(series_errors) - 1
        for o, row in enumerate(series_errors):
            for h, channels in enumerate(row):
                for k, error in enumerate(channels):
                    if np.isfinite(error):
                        ratio = min(max(error / series_spread[h, k], -CALIBRATION_CLIP),
                                    CALIBRATION_CLIP)  # fmt: skip
                        weight = 1.0 if memory is None else np.exp(-(last - o) / memory)
                        out.append((h, ratio, weight))
    return out


@pytest.mark.parametrize("memory", [None, CALIBRATION_MEMORY])
def test_horizon_factors_by_hand(memory):
    """``kappa_h^2 = (prior kappa^2 + S_h / m) / (prior + W_h / m)``: the horizon's
    weighted squared ratios and weights (``m = 1``, or ``m = h``), the pooled factor as
    its prior; their sums over horizons give the pooled factor."""
    rng = np.random.default_rng(5)
    errors = [rng.normal(scale=1.5, size=(9, 4, 2)), rng.normal(size=(3, 4, 2))]
    errors[0][-3:, 3], errors[0][-1, 1:] = np.nan, np.nan  # beyond the series' end
    errors[1][0, 0, 0] = 20.0  # winsorized
    spread = rng.uniform(0.5, 2.0, size=(2, 4, 2))
    terms = _weighted_ratios_by_loop(errors, spread, memory)
    by_h = [[(r, w) for h, r, w in terms if h == step] for step in range(4)]
    s_h = np.array([sum(w * r**2 for r, w in rows) for rows in by_h])
    w_h = np.array([sum(w for _, w in rows) for rows in by_h])
    sum_sq, total = calibration_sums(errors, spread, memory)
    np.testing.assert_allclose(sum_sq, s_h, rtol=1e-12)
    np.testing.assert_allclose(total, w_h, rtol=1e-12)
    pooled_sq = (CALIBRATION_PRIOR + s_h.sum()) / (CALIBRATION_PRIOR + w_h.sum())
    kappa = in_sample_calibration(errors, spread, memory=memory)
    assert kappa == pytest.approx(np.sqrt(pooled_sq), rel=1e-12)
    for independent, m in ((False, np.ones(4)), (True, np.arange(1, 5))):
        expected = np.sqrt(
            (CALIBRATION_PRIOR * pooled_sq + s_h / m) / (CALIBRATION_PRIOR + w_h / m)
        )
        got = horizon_calibration(errors, spread, independent=independent, memory=memory)
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_horizon_factors_follow_the_errors_that_grow_with_the_horizon():
    """Ratios of 1 at ``h = 1`` and 2 at ``h = 3``: the factor grows with ``h``, less
    where a horizon's errors count as ``n_h / h``; without errors at a horizon (or at
    all) the pooled factor (or 1)."""
    errors = np.ones((30, 4, 1))
    errors[:, 1], errors[:, 2], errors[:, 3] = 1.5, 2.0, np.nan
    spread = np.ones((1, 4, 1))
    pooled = in_sample_calibration([errors], spread)
    every, independent = (horizon_calibration([errors], spread, independent=flag)
                          for flag in (False, True))  # fmt: skip
    assert every[0] < pooled < every[2] and np.all(np.diff(every[:3]) > 0)
    assert independent[0] == every[0] and pooled < independent[2] < every[2]
    assert every[3] == pytest.approx(pooled, rel=1e-12) == independent[3]
    np.testing.assert_allclose(horizon_calibration([np.zeros((0, 4, 1))], spread), 1.0)


def test_horizon_factors_leave_the_forecast_and_the_interval_centre_alone():
    """The candidate rule (horizon factors in place of ``kappa``, as the benchmark sets
    them) changes the widths only: the point forecast and the centre of every interval
    (no log transform: symmetric in y's units) are those of the default."""
    rng = np.random.default_rng(21)
    y = pd.Series(50 + np.cumsum(0.4 + rng.normal(size=18)))
    f = SpectralForecaster(log_transform=False).fit(y, fh=np.arange(1, 7))
    forecast = f.predict().to_numpy().ravel()
    default = f.predict_interval(coverage=[0.8, 0.95]).to_numpy()
    g = f._global
    z, _ = g.panel.series()
    error, _ = g.error_scales[6]
    errors = final_in_sample_errors(g, 6)
    spread = forecast_spread(g.best, z, None, error)
    factors = horizon_calibration(errors, spread, independent=True)
    g.error_scales[("in_sample", 6)] = factors[:, None]
    candidate = f.predict_interval(coverage=[0.8, 0.95]).to_numpy()
    np.testing.assert_array_equal(f.predict().to_numpy().ravel(), forecast)
    for intervals in (default, candidate):
        for lower, upper in ((0, 1), (2, 3)):
            np.testing.assert_allclose((intervals[:, lower] + intervals[:, upper]) / 2, forecast,
                                       rtol=1e-12)  # fmt: skip
    kappa = in_sample_calibration(errors, spread)
    assert g.error_scales[6][0] is error  # the same fit: only the factor was replaced
    np.testing.assert_allclose((candidate[:, 3] - forecast) / (default[:, 3] - forecast),
                               factors / kappa, rtol=1e-10)  # fmt: skip


def _drift_series(seed=11, n=14):
    rng = np.random.default_rng(seed)
    return pd.Series(30 + np.cumsum(0.5 + rng.normal(size=n)))


def test_in_sample_between_variance_of_the_members_written_out():
    """A drift model (d = 1, no AR terms) with Theta and the damped trend, weights
    0.375 / 0.375 / 0.25: from origin ``o`` each member by hand (as in
    tests/test_forecast_in_sample_calibration.py), then ``sum_i w_i (f_i - f)^2``."""
    params = dict(sp=1, d=1, ar_order=0, n_filters=0, n_combined=1, log_transform=False,
                  theta_weight=0.5, damped_trend_weight=0.25,
                  weight_prior_origins=None)  # fmt: skip
    f = SpectralForecaster(**params).fit(_drift_series(), fh=[1, 2, 3])
    z = f._panel.series()[0][0][:, 0]
    c = f._model.one_step["intercept"][0]
    errors = final_in_sample_errors(f._global, 3)
    between = in_sample_between(f._global, 3)
    origins = range(3, 14)
    assert between[0].shape == errors[0].shape == (len(origins), 3, 1)
    h = np.arange(1, 4)
    theta = theta_origin_forecasts(z, fit_theta(z), 3, list(origins))
    trend = fit_damped_trend(z)
    weights = np.array([0.375, 0.375, 0.25])
    for row, o, th in zip(between[0][:, :, 0], origins, theta, strict=True):
        damping = max(1 - 5 / o, 0.5)
        model = z[o - 1] + np.cumsum(c * damping**h)
        drift = z[o - 1] + h * (z[o - 1] - z[0]) / (o - 1)
        w = o / (o + 10)
        model = w * model + (1 - w) * drift
        level, slope = z[0], (z[3] - z[0]) / 3
        for value in z[1:o]:
            predicted = level + trend.phi * slope
            level = predicted + trend.alpha * (value - predicted)
            slope = trend.phi * slope + trend.alpha * trend.beta * (value - predicted)
        damped = level + slope * np.cumsum(trend.phi**h)
        members = np.stack([model, th, damped])
        combined = weights @ members
        expected = weights @ (members - combined) ** 2
        np.testing.assert_allclose(row, expected, rtol=1e-9, atol=1e-14)


def test_between_variance_after_the_series_is_that_of_the_point_forecast():
    """After the series: the members' weighted mean is the point forecast (standardized),
    and the between-member variance is the loop over the members by hand."""
    f = SpectralForecaster(sp=1, d=1, log_transform=False).fit(_drift_series(4, 20), fh=[1, 2])
    g = f._global
    members = g.future_members(None, 4, f.cutoff)
    weights = g.weights(4)[0]
    assert np.all(weights > 0) and weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(np.tensordot(weights, members[:, 0], axes=1),
                               g.future_path(None, 4, f.cutoff)[0], rtol=1e-12)  # fmt: skip
    expected = sum(w * (m - g.future_path(None, 4, f.cutoff)[0]) ** 2
                   for w, m in zip(weights, members[:, 0], strict=True))  # fmt: skip
    got = between_member_variance(members, g.weights(4))[0]
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_two_members_give_w_one_minus_w_times_the_squared_gap():
    """A season (sp = 4): the models and Theta only, ``B = t (1 - t) (f_m - f_t)^2``."""
    rng = np.random.default_rng(2)
    y = pd.Series(50 + np.cumsum(rng.normal(size=40)) + 5 * np.resize([1, -1, 2, -2], 40))
    f = SpectralForecaster(sp=4, log_transform=False, theta_weight=0.3).fit(y, fh=[1, 2, 3])
    g = f._global
    assert not g.uses("damped_trend") and g.uses("theta")
    np.testing.assert_allclose(fixed_weights(g), [0.7, 0.3, 0.0])
    members = g.future_members(None, 3, f.cutoff)
    assert np.all(np.isnan(members[2]))
    got = between_member_variance(members, g.weights(3))
    np.testing.assert_allclose(got, 0.3 * 0.7 * (members[0] - members[1]) ** 2, rtol=1e-12)


def test_one_member_has_no_between_variance_and_keeps_the_calibration():
    """``theta_weight=0`` without a damped trend: the models alone, ``B = 0`` in sample
    and after the series, so the mixture's factor is the default's at every horizon."""
    params = dict(sp=1, d=1, log_transform=False, theta_weight=0.0, damped_trend_weight=0.0)
    f = SpectralForecaster(**params).fit(_drift_series(7, 24), fh=[1, 2, 3])
    g = f._global
    errors, between = final_in_sample_errors(g, 3), in_sample_between(g, 3)
    assert all(np.all(b == 0) for b in between)
    assert np.all(between_member_variance(g.future_members(None, 3, f.cutoff), g.weights(3)) == 0)
    f.predict_interval()  # the model's error scale, cached
    z, _ = g.panel.series()
    spread = forecast_spread(g.best, z, None, g.error_scales[3][0])
    kappa = in_sample_calibration(errors, spread)
    assert mixture_calibration(errors, spread, between) == kappa
    assert np.all(candidates.mixture_factor(g, errors, spread, 3, f.cutoff) == kappa)


def test_mixture_calibration_by_a_loop():
    """The ratios to the mixture's spread ``sqrt(s^2 + B_o)``, winsorized, the origin
    ``a`` points before a series' last weighing ``exp(-a / CALIBRATION_MEMORY)``."""
    rng = np.random.default_rng(8)
    errors = [rng.normal(scale=1.4, size=(9, 3, 2)), rng.normal(size=(4, 3, 2))]
    errors[0][-2:, 2], errors[0][-1, 1:] = np.nan, np.nan  # beyond the series' end
    errors[1][0, 0, 0] = 25.0  # winsorized
    between = [rng.uniform(0, 0.8, size=e.shape) for e in errors]
    spread = rng.uniform(0.5, 2.0, size=(2, 3, 2))
    sum_sq = total = 0.0
    for series_errors, series_spread, series_between in zip(errors, spread, between,
                                                            strict=True):  # fmt: skip
        last = len(series_errors) - 1
        for o, row in enumerate(series_errors):
            weight = np.exp(-(last - o) / CALIBRATION_MEMORY)
            for h, channels in enumerate(row):
                for k, error in enumerate(channels):
                    if np.isfinite(error):
                        ratio = error / np.sqrt(series_spread[h, k] ** 2 + series_between[o, h, k])
                        sum_sq += weight * min(abs(ratio), CALIBRATION_CLIP) ** 2
                        total += weight
    expected = np.sqrt((CALIBRATION_PRIOR + sum_sq) / (CALIBRATION_PRIOR + total))
    got = mixture_calibration(errors, spread, between)
    assert got == pytest.approx(expected, rel=1e-12)
    # A larger between-member spread in sample: a smaller factor of the mixture's spread.
    wider = [2 * b for b in between]
    assert mixture_calibration(errors, spread, wider) < got


def test_mixture_factor_leaves_the_forecast_and_the_interval_centre_alone():
    """Candidate M, set as the benchmark sets it (a factor of the model's spread per
    horizon), changes the widths only: the forecast and every interval's centre (no log
    transform) stay, and the widths are ``kappa_M sqrt(s^2 + B_h)``."""
    f = SpectralForecaster(log_transform=False).fit(_drift_series(21, 18), fh=np.arange(1, 7))
    forecast = f.predict().to_numpy().ravel()
    default = f.predict_interval(coverage=[0.8, 0.95]).to_numpy()
    g = f._global
    z, _ = g.panel.series()
    error, _ = g.error_scales[6]
    spread = forecast_spread(g.best, z, None, error)
    errors, between = final_in_sample_errors(g, 6), in_sample_between(g, 6)
    final = between_member_variance(g.future_members(None, 6, f.cutoff), g.weights(6))
    assert np.all(final > 0)
    kappa = in_sample_calibration(errors, spread)
    factor = candidates.mixture_factor(g, errors, spread, 6, f.cutoff)
    np.testing.assert_allclose(
        factor,
        mixture_calibration(errors, spread, between) * np.sqrt(1 + final / spread**2),
        rtol=1e-14,
    )
    g.error_scales[("in_sample", 6)] = factor
    intervals = f.predict_interval(coverage=[0.8, 0.95]).to_numpy()
    np.testing.assert_array_equal(f.predict().to_numpy().ravel(), forecast)
    for lower, upper in ((0, 1), (2, 3)):
        np.testing.assert_allclose((intervals[:, lower] + intervals[:, upper]) / 2, forecast,
                                   rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose((intervals[:, 3] - forecast) / (default[:, 3] - forecast),
                               factor[0, :, 0] / kappa, rtol=1e-10)  # fmt: skip


# ----------------------------------------------------------------- envelope (session 39)
envelope_quantiles = candidates.envelope_quantiles


def test_envelope_quantiles_written_out():
    """Below the median: lowest path + t_a s; above: highest path + t_a s; at 1/2: centre."""
    from scipy import stats

    paths = np.array([[1.0, 2.0, 3.0], [0.5, 2.5, 2.0], [np.nan, np.nan, np.nan]])
    center = np.array([0.8, 2.2, 2.6])
    spread, nu = np.array([0.3, 0.4, 0.5]), np.array([5.0, 6.0, 7.0])
    got = envelope_quantiles(paths, center, spread, nu, [0.1, 0.5, 0.975])
    for h in range(3):
        low, high = min(paths[0, h], paths[1, h]), max(paths[0, h], paths[1, h])
        assert got[h, 0] == pytest.approx(low + stats.t.ppf(0.1, nu[h]) * spread[h], rel=1e-12)
        assert got[h, 1] == center[h]
        assert got[h, 2] == pytest.approx(high + stats.t.ppf(0.975, nu[h]) * spread[h], rel=1e-12)


def test_envelope_of_the_point_forecast_alone_is_the_default_interval():
    """One path, the point forecast: the forecaster's own quantiles (nothing changes)."""
    forecaster = SpectralForecaster().fit(pd.Series(_drift_series()), fh=np.arange(1, 5))
    g, steps = forecaster._global, np.arange(1, 5)
    center = g.future_path(None, 4, forecaster.cutoff)[0, :, 0]
    spread, nu = g.spread(steps, None, forecaster.cutoff)
    alphas = [0.1, 0.9, 0.025, 0.975]
    quantiles = envelope_quantiles(center[None], center, spread[0, :, 0], nu[0, :, 0], alphas)
    in_y = np.column_stack([g.panel.to_original(0, q[:, None])[:, 0] for q in quantiles.T])
    expected = forecaster.predict_quantiles(alpha=alphas).to_numpy()
    np.testing.assert_allclose(in_y, expected, rtol=1e-12)


def test_envelope_bounds_contain_the_symmetric_ones():
    """With the point forecast between the paths, each bound is at least as far out."""
    rng = np.random.default_rng(3)
    paths = rng.normal(size=(3, 6))
    weights = np.array([0.375, 0.375, 0.25])
    center = weights @ paths
    spread, nu = np.full(6, 0.7), np.full(6, 8.0)
    envelope = envelope_quantiles(paths, center, spread, nu, [0.025, 0.975])
    symmetric = envelope_quantiles(center[None], center, spread, nu, [0.025, 0.975])
    assert (envelope[:, 0] <= symmetric[:, 0]).all() and (envelope[:, 1] >= symmetric[:, 1]).all()
    assert (envelope[:, 1] - envelope[:, 0] > symmetric[:, 1] - symmetric[:, 0]).any()
