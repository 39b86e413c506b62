"""The trend member's initial states (issue 22 candidate: the least-squares line over the
first points) against ``np.polyfit`` and the recursion written out."""

import numpy as np
import pytest

from sksssm.forecasting import _damped_trend
from sksssm.forecasting._damped_trend import (
    ETS_GRIDS,
    damped_trend_origin_forecasts,
    damped_trend_states,
    fit_damped_trend,
    initial_states,
)


@pytest.fixture
def line_start(monkeypatch):
    monkeypatch.setattr(_damped_trend, "_LINE_START", True)


def _noisy(n, seed=0):
    rng = np.random.default_rng(seed)
    return 5 + 0.3 * np.arange(n) + rng.normal(size=n)


def _recursion(x, start, alpha, beta, phi):
    """Damped Holt in component form from ``start = (l_0, b_0)``; returns l_n, b_n, SSE."""
    (level, trend), sse = start, 0.0
    for value in x[1:]:
        sse += (value - level - phi * trend) ** 2
        previous = level
        level = alpha * value + (1 - alpha) * (level + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
    return level, trend, sse


@pytest.mark.parametrize("n", [3, 10, 11, 25])
def test_line_start_is_the_least_squares_line_of_the_first_ten_points(n, line_start):
    x = _noisy(n)
    slope, intercept = np.polyfit(np.arange(min(n, 10)), x[:10], 1)
    np.testing.assert_allclose(initial_states(x), (intercept, slope), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2])
def test_line_start_keeps_the_first_points_start_under_three_points(n, line_start):
    x = _noisy(n)
    assert initial_states(x) == (x[0], x[-1] - x[0] if n == 2 else 0.0)


def test_first_points_start_without_the_switch():
    x = _noisy(12)
    assert initial_states(x) == (x[0], (x[3] - x[0]) / 3)


@pytest.mark.parametrize("n", [3, 10, 11, 30])
def test_line_start_states_match_the_component_form(n, line_start):
    x = _noisy(n, seed=n)
    slope, intercept = np.polyfit(np.arange(min(n, 10)), x[:10], 1)
    one = np.ones(1)
    for alpha, beta, phi in [(0.3, 0.1, 0.9), (1.0, 0.4, 0.98), (0.2, 0.0, 0.0)]:
        got = damped_trend_states(x, alpha * one, beta * one, phi * one)
        expected = _recursion(x, (intercept, slope), alpha, beta, phi)
        np.testing.assert_allclose(np.ravel(got), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n", [3, 10, 11, 30])
def test_an_exact_line_is_still_followed_exactly(n, line_start):
    x = 2.0 - 0.7 * np.arange(n)
    fit = fit_damped_trend(x, ETS_GRIDS["holt"][0])  # phi = 1: no damping
    assert fit.sse == pytest.approx(0.0, abs=1e-20)
    assert (fit.level, fit.trend) == pytest.approx((x[-1], -0.7), abs=1e-12)
    np.testing.assert_allclose(fit.forecast(3), x[-1] - 0.7 * np.arange(1, 4), rtol=1e-12)


def test_origin_forecasts_continue_the_recursion_from_the_line_start(line_start):
    """From origin ``o >= 10`` (the start's points observed) the states are those of the
    recursion on ``x[:o]``; from ``o = n`` the fit's own forecast."""
    x = np.cumsum(0.4 + np.random.default_rng(3).normal(size=30))
    fit = fit_damped_trend(x)
    origins = [10, 17, 29, 30]
    got = damped_trend_origin_forecasts(x, fit, 4, origins)
    np.testing.assert_allclose(got[-1], fit.forecast(4), rtol=1e-12)
    for row, o in zip(got, origins, strict=True):
        level, trend, _ = _recursion(x[:o], initial_states(x), fit.alpha, fit.beta, fit.phi)
        expected = level + trend * np.cumsum(fit.phi ** np.arange(1, 5))
        np.testing.assert_allclose(row, expected, rtol=1e-10)
