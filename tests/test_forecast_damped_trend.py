"""The damped-trend (damped Holt) member against independent computations."""

import itertools

import numpy as np
import pandas as pd
import pytest

from sksssm.forecasting._damped_trend import (
    ALPHAS,
    BETAS,
    PHIS,
    damped_trend_states,
    fit_damped_trend,
)


def _holt_component_form(x, alpha, beta, phi):
    """Holt's damped trend in component form (Gardner & McKenzie), one step at a time:
    ``l_t = alpha x_t + (1 - alpha)(l_{t-1} + phi b_{t-1})``,
    ``b_t = beta (l_t - l_{t-1}) + (1 - beta) phi b_{t-1}``; returns l_n, b_n, SSE."""
    k = min(len(x) - 1, 3)
    level, trend, sse = x[0], (x[k] - x[0]) / k, 0.0
    for value in x[1:]:
        sse += (value - level - phi * trend) ** 2
        previous = level
        level = alpha * value + (1 - alpha) * (level + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
    return level, trend, sse


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


def test_forecaster_averages_in_the_damped_trend_without_a_season():
    from sksssm.forecasting import SpectralForecaster

    y = pd.Series(_series(50))
    fh = [1, 2, 3, 4]
    kwargs = dict(sp=1, log_transform=False, theta_weight=0.0, weight_prior_origins=None)
    f = SpectralForecaster(**kwargs).fit(y, fh=fh)
    assert f.damped_trend_weight == 0.25 and (f.sp_, f.d_) == (1, 1)
    plain = SpectralForecaster(damped_trend_weight=0.0, **kwargs).fit(y, fh=fh).predict()
    # The damped trend is affine-equivariant: on the standardized series it is y's.
    trend = fit_damped_trend(y.to_numpy()).forecast(4)
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
