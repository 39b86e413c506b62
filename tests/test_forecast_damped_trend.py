"""The trend member (damped Holt; on long series the AICc choice of SES, Holt, damped Holt)
against independent computations."""

import itertools

import numpy as np
import pandas as pd
import pytest
from _holt import holt_recursion

from sksssm.forecasting import _global
from sksssm.forecasting._damped_trend import (
    ALPHAS,
    BETAS,
    MIN_AICC_LENGTH,
    PHIS,
    damped_trend_states,
    fit_damped_trend,
    fit_trend_member,
)


def _holt_component_form(x, alpha, beta, phi):
    """Holt's damped trend in component form from ``l_0 = x_0``, ``b_0 = (x_3 - x_0) / 3``;
    returns l_n, b_n, SSE."""
    k = min(len(x) - 1, 3)
    return holt_recursion(x, (x[0], (x[k] - x[0]) / k), alpha, beta, phi)


def _series(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return 10 + 0.4 * np.arange(n) + np.cumsum(rng.normal(scale=0.5, size=n))


@pytest.mark.parametrize(("alpha", "beta", "phi"), [(0.3, 0.1, 0.9), (1.0, 0.4, 0.98)])
def test_states_match_the_component_form(alpha, beta, phi):
    x = _series()
    level, trend, sse = damped_trend_states(x, np.array([alpha]), np.array([beta]),
                                            np.array([phi]))  # fmt: skip
    expected = _holt_component_form(x, alpha, beta, phi)
    np.testing.assert_allclose([level[0], trend[0], sse[0]], expected, rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_is_the_grid_optimum_and_forecasts_the_damped_sum(seed):
    x = _series(30, seed)
    grid = list(itertools.product(ALPHAS, BETAS, PHIS))
    sse = [_holt_component_form(x, *point)[2] for point in grid]
    alpha, beta, phi = grid[int(np.argmin(sse))]
    fit = fit_damped_trend(x)
    assert (fit.alpha, fit.beta, fit.phi) == (alpha, beta, phi)
    level, trend, _ = _holt_component_form(x, alpha, beta, phi)
    expected = [level + trend * sum(phi**j for j in range(1, h + 1)) for h in range(1, 6)]
    np.testing.assert_allclose(fit.forecast(5), expected, rtol=1e-10)


def _ses(x, alpha):
    """Simple exponential smoothing written out: ``l_t = alpha x_t + (1 - alpha) l_{t-1}``
    from ``l_0 = x_0``; returns l_n and the one-step SSE."""
    level, sse = x[0], 0.0
    for value in x[1:]:
        sse += (value - level) ** 2
        level = alpha * value + (1 - alpha) * level
    return level, sse


def _aicc(sse, m, k):
    return m * np.log(sse / m) + 2 * k + 2 * k * (k + 1) / (m - k - 1)


def _expected_member(x, horizon):
    """The least-AICc class (k = 2, 4, 5), each fitted by brute force over its grid."""
    m = len(x) - 1
    ses = min(((_ses(x, a), a) for a in ALPHAS), key=lambda r: r[0][1])
    holt = [(_holt_component_form(x, a, b, 1.0), a, b) for a in ALPHAS for b in BETAS]
    holt = min(holt, key=lambda r: r[0][2])
    damped = [(_holt_component_form(x, *p), *p) for p in itertools.product(ALPHAS, BETAS, PHIS)]
    damped = min(damped, key=lambda r: r[0][2])
    h = np.arange(1, horizon + 1)
    (level, trend, _), _, _, phi = damped
    forecasts = {
        "ses": np.full(horizon, ses[0][0]),
        "holt": holt[0][0] + holt[0][1] * h,
        "damped": level + trend * np.cumsum(phi**h),
    }
    scores = {"ses": _aicc(ses[0][1], m, 2), "holt": _aicc(holt[0][2], m, 4),
              "damped": _aicc(damped[0][2], m, 5)}  # fmt: skip
    best = min(scores, key=scores.get)
    return best, forecasts[best]


@pytest.mark.parametrize(
    "kind, seed, expected",
    [("random walk", 0, "ses"), ("trend", 0, "holt"), ("trend", 1, "holt"), ("noise", 2, "ses")],
)
def test_long_series_get_the_least_aicc_class(kind, seed, expected):
    rng = np.random.default_rng(seed)
    x = {"random walk": np.cumsum(rng.normal(size=60)), "trend": _series(60, seed),
         "noise": rng.normal(size=60)}[kind]  # fmt: skip
    best, forecast = _expected_member(x, 5)
    assert best == expected
    np.testing.assert_allclose(fit_trend_member(x).forecast(5), forecast, rtol=1e-9)


def test_the_aicc_choice_starts_at_51_points():
    # 10 one-step errors per parameter of damped Holt (5): n - 1 >= 50.
    assert MIN_AICC_LENGTH == 51
    x = np.cumsum(np.random.default_rng(0).normal(size=51))
    assert _expected_member(x[:50], 1)[0] != "damped"  # the AICc would not keep it at 50
    assert fit_trend_member(x[:50]) == fit_damped_trend(x[:50])
    best, forecast = _expected_member(x, 3)
    assert best != "damped"
    np.testing.assert_allclose(fit_trend_member(x).forecast(3), forecast, rtol=1e-9)


@pytest.mark.parametrize("n", [50, 51])
def test_a_series_under_51_points_keeps_the_damped_holt_forecast_exactly(n, monkeypatch):
    from sksssm.forecasting import SpectralForecaster

    y = pd.Series(100 + np.cumsum(np.random.default_rng(0).normal(size=n)))
    fh = np.arange(1, 9)
    ours = SpectralForecaster(sp=1, d=1).fit(y, fh=fh).predict().to_numpy()
    monkeypatch.setattr(_global, "fit_trend_member", fit_damped_trend)  # the damped Holt only
    damped_only = SpectralForecaster(sp=1, d=1).fit(y, fh=fh).predict().to_numpy()
    if n < MIN_AICC_LENGTH:
        np.testing.assert_array_equal(ours, damped_only)
    else:
        assert np.abs(ours - damped_only).max() > 1e-6


@pytest.mark.parametrize("n", [50, 80])
def test_forecaster_averages_in_the_damped_trend_without_a_season(n):
    from sksssm.forecasting import SpectralForecaster

    y = pd.Series(_series(n))
    fh = [1, 2, 3, 4]
    kwargs = dict(sp=1, log_transform=False, theta_weight=0.0, weight_prior_origins=None)
    f = SpectralForecaster(**kwargs).fit(y, fh=fh)
    assert f.damped_trend_weight == 0.25 and (f.sp_, f.d_) == (1, 1)
    plain = SpectralForecaster(damped_trend_weight=0.0, **kwargs).fit(y, fh=fh).predict()
    # The member is affine-equivariant (the AICc choice too: SSE scales alike in every
    # class): on the standardized series it is y's.
    trend = fit_trend_member(y.to_numpy()).forecast(4)
    if n < MIN_AICC_LENGTH:
        np.testing.assert_array_equal(trend, fit_damped_trend(y.to_numpy()).forecast(4))
    np.testing.assert_allclose(
        f.predict().to_numpy(), 0.75 * plain.to_numpy() + 0.25 * trend, rtol=1e-8
    )
    alone = SpectralForecaster(damped_trend_weight=1.0, **kwargs).fit(y, fh=fh).predict()
    np.testing.assert_allclose(alone.to_numpy(), trend, rtol=1e-8)


@pytest.mark.parametrize("params", [{"sp": 4}, {"sp": 1, "d": 0}])
def test_no_damped_trend_with_a_season_or_without_differencing(params):
    from sksssm.forecasting import SpectralForecaster

    t = np.arange(60)
    y = pd.Series(20 + 0.1 * t + 3 * np.sin(2 * np.pi * t / 4))
    forecasts = [SpectralForecaster(damped_trend_weight=w, **params).fit(y, fh=[1, 2])
                 for w in (0.0, 0.5)]  # fmt: skip
    assert not forecasts[1]._global.uses("damped_trend")
    np.testing.assert_array_equal(forecasts[0].predict().to_numpy(),
                                  forecasts[1].predict().to_numpy())  # fmt: skip


@pytest.mark.parametrize("weight", [-0.5, 2.0, "auto"])
def test_invalid_damped_trend_weight_is_refused(weight):
    from sksssm.forecasting import SpectralForecaster

    with pytest.raises(ValueError, match="damped_trend_weight"):
        SpectralForecaster(damped_trend_weight=weight).fit(pd.Series(_series()), fh=[1])
