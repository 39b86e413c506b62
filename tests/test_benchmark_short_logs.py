"""The candidate and the verdict of ``benchmarks/m3_short_logs.py`` (issue 22, session 39)."""

import numpy as np
import pytest

short_logs = pytest.importorskip("benchmarks.m3_short_logs")
from sksssm.forecasting import prefers_log  # noqa: E402

S, DEFAULT = short_logs.SHORT_LOGS, short_logs.DEFAULT
decide = short_logs.prefers_log_short_without_season


def _levels_series(n):
    """A positive series whose spread does not grow with its level: Guerrero says levels."""
    return 100 + np.arange(n, dtype=float) + np.tile([3.0, -3.0], n)[:n]


def test_short_series_without_a_season_goes_to_logs():
    for n in (3, 14, 19):
        x = _levels_series(n)[:, None]
        if n >= 4:
            assert not prefers_log([x], 1)
        assert decide([x], 1)
    assert not decide([_levels_series(14)[:, None] - 101], 1)  # not positive: levels


def test_twenty_points_or_a_season_keep_guerreros_decision():
    x = _levels_series(20)[:, None]
    assert not prefers_log([x], 1) and not decide([x], 1)
    t = np.arange(16)
    seasonal = (100 + t + 5 * np.tile([1.0, -1.0, 2.0, -2.0], 4))[:, None]
    assert decide([seasonal], 4) == prefers_log([seasonal], 4)
    assert decide([seasonal], 4) is False


def test_a_panel_takes_the_majority_of_the_votes():
    short, long = _levels_series(14)[:, None], _levels_series(30)[:, None]
    assert not prefers_log([long], 1)
    assert decide([short, short, long], 1)  # two votes for logs, one for levels
    assert not decide([short, long, long], 1)
    assert not decide([short, short, long - 200], 1)  # a value <= 0: levels


def _table(default, candidate):
    return {("yearly", DEFAULT): default, ("yearly", S): candidate}


def test_yearly_coverage_must_move_toward_nominal_at_both_levels():
    default = (74.8, 89.8, 20.0, 2.0, 15.0)
    assert short_logs.yearly_coverage_improves(_table(default, (79.0, 93.0, 0, 0, 0)), S)
    assert short_logs.yearly_coverage_improves(_table(default, (85.1, 95.0, 0, 0, 0)), S)
    # 80% overshoots: 85.3 is 5.3 points from nominal, the default 5.2.
    assert not short_logs.yearly_coverage_improves(_table(default, (85.3, 95.0, 0, 0, 0)), S)
    assert not short_logs.yearly_coverage_improves(_table(default, (79.0, 89.8, 0, 0, 0)), S)
