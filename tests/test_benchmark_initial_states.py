"""The candidate of ``benchmarks/m3_initial_states.py`` (issue 22, session 40: the trend
member's initial states from the least-squares line over the first points) against
``np.polyfit`` and the recursion written out; its per-series scores and verdict."""

from types import SimpleNamespace

import numpy as np
import pytest
from _holt import holt_recursion

initial = pytest.importorskip("benchmarks.m3_initial_states")
from sksssm.forecasting import _damped_trend  # noqa: E402
from sksssm.forecasting._damped_trend import (  # noqa: E402
    ETS_GRIDS,
    damped_trend_origin_forecasts,
    damped_trend_states,
    fit_damped_trend,
)


@pytest.fixture
def line_start():
    with initial.line_start():
        yield


def _noisy(n, seed=0):
    rng = np.random.default_rng(seed)
    return 5 + 0.3 * np.arange(n) + rng.normal(size=n)


def _polyfit_start(x):
    slope, intercept = np.polyfit(np.arange(min(len(x), 10)), x[:10], 1)
    return intercept, slope


@pytest.mark.parametrize("n", [3, 10, 11, 25])
def test_line_start_is_the_least_squares_line_of_the_first_ten_points(n, line_start):
    x = _noisy(n)
    np.testing.assert_allclose(_damped_trend.initial_states(x), _polyfit_start(x),
                               rtol=1e-12, atol=1e-12)  # fmt: skip


@pytest.mark.parametrize("n", [1, 2])
def test_line_start_keeps_the_first_points_start_under_three_points(n, line_start):
    x = _noisy(n)
    assert _damped_trend.initial_states(x) == (x[0], x[-1] - x[0] if n == 2 else 0.0)


def test_line_start_is_undone_on_leaving():
    x = np.array([0.0, 5.0, 1.0, 6.0, 2.0])
    first_points = _damped_trend.initial_states
    with pytest.raises(RuntimeError), initial.line_start():
        assert _damped_trend.initial_states(x) != (0.0, 2.0)
        raise RuntimeError
    assert _damped_trend.initial_states is first_points
    assert _damped_trend.initial_states(x) == (0.0, 2.0)


@pytest.mark.parametrize("n", [3, 10, 11, 30])
def test_line_start_states_match_the_component_form(n, line_start):
    x = _noisy(n, seed=n)
    one = np.ones(1)
    for alpha, beta, phi in [(0.3, 0.1, 0.9), (1.0, 0.4, 0.98), (0.2, 0.0, 0.0)]:
        got = damped_trend_states(x, alpha * one, beta * one, phi * one)
        expected = holt_recursion(x, _polyfit_start(x), alpha, beta, phi)
        np.testing.assert_allclose(np.ravel(got), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n", [3, 10, 11, 30])
def test_an_exact_line_is_still_followed_exactly(n, line_start):
    x = 2.0 - 0.7 * np.arange(n)
    fit = fit_damped_trend(x, ETS_GRIDS["holt"][0])  # phi = 1: no damping
    assert fit.sse == pytest.approx(0.0, abs=1e-20)
    assert (fit.level, fit.trend) == pytest.approx((x[-1], -0.7), abs=1e-12)
    np.testing.assert_allclose(fit.forecast(3), x[-1] - 0.7 * np.arange(1, 4), rtol=1e-12)


def test_origin_forecasts_continue_the_recursion_from_the_line_start(line_start):
    x = np.cumsum(0.4 + np.random.default_rng(3).normal(size=30))
    fit = fit_damped_trend(x)
    origins = [10, 17, 29, 30]
    got = damped_trend_origin_forecasts(x, fit, 4, origins)
    np.testing.assert_allclose(got[-1], fit.forecast(4), rtol=1e-12)
    for row, o in zip(got, origins, strict=True):
        level, trend, _ = holt_recursion(x[:o], _polyfit_start(x), fit.alpha, fit.beta, fit.phi)
        expected = level + trend * np.cumsum(fit.phi ** np.arange(1, 5))
        np.testing.assert_allclose(row, expected, rtol=1e-10)


def _series(y, horizon, period, name="s"):
    return SimpleNamespace(name=name, y=y[:-horizon], y_test=y[-horizon:], horizon=horizon,
                           period=period, frequency="YEARLY")  # fmt: skip


def test_scores_differ_only_where_the_trend_member_is_used():
    rng = np.random.default_rng(0)
    t = np.arange(26.0)
    trending = _series(100 + 2 * t + np.cumsum(rng.normal(scale=3, size=26)), 6, 1)
    out = initial.series_scores(trending)
    assert out[initial.USES_MEMBER]
    assert out[initial.DEFAULT] != out[initial.LINE_START]
    assert all(np.isfinite(out[initial.LINE_START]))
    t = np.arange(48.0)
    seasonal = _series(50 + 10 * np.sin(2 * np.pi * t / 4) + rng.normal(size=48), 8, 4)
    out = initial.series_scores(seasonal)  # checks the equality itself where unused
    assert not out[initial.USES_MEMBER]
    assert out[initial.DEFAULT] == out[initial.LINE_START]


def test_verdict_follows_the_protocol():
    assert initial.verdict([], 0).startswith("passes")
    assert initial.verdict([], 1) == "adopted"
    assert initial.verdict(["all MSIS"], 0).endswith("no confirmation run")
    assert initial.verdict(["all MSIS"], 1) == "fails the rule: measured, not kept"
