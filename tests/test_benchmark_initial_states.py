"""The candidate switch, the per-series scores and the verdict of
``benchmarks/m3_initial_states.py`` (issue 22, session 40)."""

from types import SimpleNamespace

import numpy as np
import pytest

initial = pytest.importorskip("benchmarks.m3_initial_states")
from sksssm.forecasting import _damped_trend  # noqa: E402


def test_line_start_switches_the_member_and_restores_it():
    x = np.array([0.0, 5.0, 1.0, 6.0, 2.0])
    assert _damped_trend.initial_states(x) == (0.0, 2.0)
    with initial.line_start():
        slope, intercept = np.polyfit(np.arange(5), x, 1)
        assert _damped_trend.initial_states(x) == pytest.approx((intercept, slope))
    assert _damped_trend.initial_states(x) == (0.0, 2.0)
    with pytest.raises(RuntimeError), initial.line_start():
        raise RuntimeError
    assert _damped_trend._LINE_START is False


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
    assert out[initial.DEFAULT] == out[initial.LINE_START]


def test_verdict_follows_the_protocol():
    assert initial.verdict([], 0).startswith("passes")
    assert initial.verdict([], 1) == "adopted"
    assert initial.verdict(["all MSIS"], 0).endswith("no confirmation run")
    assert initial.verdict(["all MSIS"], 1) == "fails the rule: measured, not kept"
