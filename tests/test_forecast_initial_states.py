"""The trend member's initial states: today's start from the first points, the one start
that the fit and the in-sample origins' recursion read."""

import numpy as np
import pytest
from _holt import holt_recursion

from sksssm.forecasting import _damped_trend
from sksssm.forecasting._damped_trend import (
    damped_trend_origin_forecasts,
    damped_trend_states,
    fit_damped_trend,
    initial_states,
)


def _noisy(n, seed=0):
    rng = np.random.default_rng(seed)
    return 5 + 0.3 * np.arange(n) + rng.normal(size=n)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11])
def test_start_from_the_first_points(n):
    x = _noisy(n)
    k = min(n - 1, 3)
    assert initial_states(x) == (x[0], (x[k] - x[0]) / k if k else 0.0)


def test_fit_and_origins_read_the_one_start(monkeypatch):
    """Any start put in ``initial_states`` is the start of both recursions."""
    monkeypatch.setattr(_damped_trend, "initial_states", lambda x: (3.0, -0.5))
    x = _noisy(20)
    one = np.ones(1)
    got = damped_trend_states(x, 0.3 * one, 0.2 * one, 0.9 * one)
    expected = holt_recursion(x, (3.0, -0.5), 0.3, 0.2, 0.9)
    np.testing.assert_allclose(np.ravel(got), expected, rtol=1e-12)
    fit = fit_damped_trend(x)
    rows = damped_trend_origin_forecasts(x, fit, 3, [1, 8, 20])
    for row, o in zip(rows, [1, 8, 20], strict=True):
        level, trend, _ = holt_recursion(x[:o], (3.0, -0.5), fit.alpha, fit.beta, fit.phi)
        np.testing.assert_allclose(row, level + trend * np.cumsum(fit.phi ** np.arange(1, 4)),
                                   rtol=1e-12)  # fmt: skip
