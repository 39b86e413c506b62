"""Time index rules shared by both forecasters: regular grids, and updates that continue them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset


def check_time_index(index, where):
    """Refuse duplicated, unordered or gappy time indices with a clear ValueError."""
    if index.has_duplicates:
        duplicated = index[index.duplicated()][0]
        raise ValueError(f"{where} has duplicated time points (first: {duplicated}).")
    if not index.is_monotonic_increasing:
        raise ValueError(f"{where} must be sorted by time.")
    if len(index) < 3:
        return
    if isinstance(index, pd.PeriodIndex):
        steps = np.diff(index.asi8)
        if not (steps == index.freq.n).all():
            raise ValueError(
                f"{where} has gaps: its PeriodIndex skips time steps (first after "
                f"{index[int(np.argmax(steps != index.freq.n))]}). Fill the missing steps."
            )
    elif isinstance(index, pd.DatetimeIndex):
        freq = index.freq or pd.infer_freq(index)
        if freq is None:
            raise ValueError(
                f"{where} has a DatetimeIndex without a regular frequency (missing time "
                "steps?). Fill the missing steps (e.g. y.asfreq(freq)) or resample."
            )
    elif pd.api.types.is_numeric_dtype(index):
        steps = np.diff(np.asarray(index, dtype=float))
        if not np.allclose(steps, steps[0]):
            raise ValueError(
                f"{where} has an irregular numeric index (gaps); the time steps must be "
                "equally spaced."
            )


def check_continuation(times, values, frame):
    """Refuse an update of one series that does not continue its fitted history.

    The one update rule of both forecasters: the new data must be finite, of fit's index
    type and frequency, agree with the history where they overlap, and continue it
    without a gap.

    Parameters
    ----------
    times : pandas.Index
        The fitted (regular) time index of the series.
    values : ndarray of shape (len(times), n_columns)
        The fitted values.
    frame : pandas.DataFrame
        The update of the series.

    Returns
    -------
    new : pandas.Index
        The time points of ``frame`` after ``times[-1]``.
    """
    check_time_index(frame.index, "y in update")
    if not np.isfinite(frame.to_numpy(dtype=float)).all():
        raise ValueError("update: y contains NaN or infinite values; remove or fill them.")
    check_same_kind(times, frame.index)
    old = frame.index[frame.index <= times[-1]]
    if len(old):
        stored = pd.DataFrame(values, index=times).reindex(old)
        given = frame.loc[old].to_numpy(dtype=float)
        if stored.isna().any().any() or not np.allclose(
            stored.to_numpy(), given, rtol=1e-12, atol=0
        ):
            raise ValueError(
                "update: y overlaps the fitted history with different values (or "
                "times before the first fitted one); the forecaster cannot revise "
                "the past. Refit with the corrected series."
            )
    new = frame.index[frame.index > times[-1]]
    if len(new) and not is_successor(times, new[0]):
        raise ValueError(
            f"update: y continues at {new[0]}, but the next time step after the "
            f"cutoff {times[-1]} is expected (a gap of missing time steps). Fill "
            "the gap or refit."
        )
    if len(new) > 1:
        # gaps inside the new data: the continued history must stay regular
        check_time_index(times[-2:].append(new), "y in update")
    return new


def check_same_kind(fitted, new):
    """Refuse an update whose index type or frequency differs from fit's."""
    if type(fitted) is not type(new) and not (
        pd.api.types.is_integer_dtype(fitted) and pd.api.types.is_integer_dtype(new)
    ):
        raise ValueError(
            f"update: y has a {type(new).__name__}; the forecaster was fitted on a "
            f"{type(fitted).__name__}."
        )
    f_old, f_new = getattr(fitted, "freqstr", None), getattr(new, "freqstr", None)
    if isinstance(fitted, pd.DatetimeIndex):
        f_old = f_old or (pd.infer_freq(fitted) if len(fitted) >= 3 else None)
        f_new = f_new or (pd.infer_freq(new) if len(new) >= 3 else None)
        if f_new is None or f_old is None:
            return
    if f_old != f_new:
        raise ValueError(
            f"update: y has frequency {f_new!r}; the forecaster was fitted with frequency "
            f"{f_old!r}."
        )


def steps_until(times, later):
    """Number of time steps from ``times[-1]`` to ``later`` on the grid of ``times``.

    Raises a ValueError when ``later`` is not on that grid (another frequency or phase).
    """
    last = times[-1]
    if isinstance(times, pd.PeriodIndex):
        if later.freq != times.freq:
            raise ValueError(
                f"the series have different frequencies ({times.freq}, {later.freq})."
            )
        n = (later.ordinal - last.ordinal) / times.freq.n
    elif isinstance(times, pd.DatetimeIndex):
        if later == last:
            return 0
        freq = datetime_freq(times)
        if freq is None:
            raise ValueError(
                "the series end at different times and a series has no regular frequency "
                "to count the steps between them."
            )
        grid = pd.date_range(last, later, freq=freq)
        n = len(grid) - 1 if len(grid) and grid[-1] == later else np.nan
    else:
        step = times[-1] - times[-2] if len(times) >= 2 else 1
        n = (later - last) / step
    if not np.isfinite(n) or not np.isclose(n, round(n)):
        raise ValueError(
            f"the series end at {last} and {later}, which are not a whole number of time "
            "steps apart; the panel's series must share one time grid."
        )
    return int(round(n))


def is_successor(times, first_new):
    """Whether ``first_new`` is the time step right after ``times[-1]``.

    A DatetimeIndex without a frequency (fewer than 3 points, none set) cannot tell; it
    is accepted.
    """
    if isinstance(times, pd.DatetimeIndex) and datetime_freq(times) is None:
        return True
    try:
        return steps_until(times, first_new) == 1
    except ValueError:
        return False


def datetime_freq(times):
    """The frequency of a DatetimeIndex: its own, else inferred from 3 or more points."""
    return times.freq or (pd.infer_freq(times) if len(times) >= 3 else None)


def index_step(times):
    """Index units per time step: the spacing of an integer index, else 1 (sktime counts
    the steps of a Period- or DatetimeIndex in its frequency).

    Examples
    --------
    >>> import pandas as pd
    >>> index_step(pd.Index([1000, 1005, 1010])), index_step(pd.RangeIndex(4))
    (5, 1)
    """
    if isinstance(times, (pd.PeriodIndex, pd.DatetimeIndex)) or len(times) < 2:
        return 1
    return int(times[-1] - times[-2])


def time_grid(times):
    """The time step of a series' regular index: the PeriodIndex's or DatetimeIndex's
    frequency, else the integer step (:func:`index_step`).

    Examples
    --------
    >>> import pandas as pd
    >>> time_grid(pd.date_range("2000-01-31", periods=3, freq="ME"))
    'ME'
    >>> time_grid(pd.Index([0, 5, 10]))
    5
    """
    if isinstance(times, pd.PeriodIndex):
        return times.freqstr
    if isinstance(times, pd.DatetimeIndex):
        return to_offset(datetime_freq(times)).freqstr
    return index_step(times)


def fh_steps(fh, cutoff, unit, times=None):
    """The time steps after ``cutoff`` that ``fh`` asks for (int array), both forecasters'
    one rule.

    sktime counts a relative ``fh`` in index units (an absolute one is made relative to
    ``cutoff`` first); an integer index that advances by ``unit > 1`` per time step
    takes multiples of ``unit`` only: any other step falls between two time points. A
    relative ``fh`` of durations (``pd.Timedelta`` values, on a Datetime- or PeriodIndex)
    is counted in time steps of the series' grid, as sktime reads it (the time points
    ``cutoff + fh``); a duration that is not a whole number of time steps is refused.

    Parameters
    ----------
    fh : ForecastingHorizon
    cutoff : pandas.Index or None
        sktime's cutoff (the last time point of the series).
    unit : int
        Index units per time step (:func:`index_step`).
    times : pandas.Index or None, default=None
        A time index that ends at the cutoff and has the series' frequency (e.g. the
        fitted index of a series that ends there), to count the steps of a duration
        ``fh``; None: ``cutoff`` itself (sktime gives it the series' frequency).

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> import pandas as pd
    >>> from sktime.forecasting.base import ForecastingHorizon
    >>> fh_steps(ForecastingHorizon([5, 10]), None, 5).tolist()
    [1, 2]
    >>> cutoff = pd.date_range("2000-01-01", periods=1, freq="D")
    >>> fh_steps(ForecastingHorizon(pd.to_timedelta([1, 7], unit="D")), cutoff, 1).tolist()
    [1, 7]
    """
    # a relative fh holds its steps (sktime's to_relative would copy it, hashing the
    # horizon and the cutoff for its cache: a measurable share of a short fit)
    relative = fh if fh.is_relative else fh.to_relative(cutoff)
    values = relative.to_pandas()
    if not pd.api.types.is_integer_dtype(values):
        return _duration_steps(fh, cutoff, times)
    steps = np.asarray(values, dtype=int)
    if unit == 1:
        return steps
    if np.any(steps % unit):
        raise ValueError(
            f"y's integer index advances by {unit} per time step, and sktime counts fh in "
            f"index units: fh must hold multiples of {unit} (got {steps.tolist()}), for "
            f"example fh={[unit, 2 * unit, 3 * unit]}."
        )
    return steps // unit


def _duration_steps(fh, cutoff, times):
    """The time steps of a relative ``fh`` of durations on the grid of ``times``."""
    grid = cutoff if times is None else times
    durations = [str(v) for v in fh.to_pandas()]
    if not isinstance(grid, (pd.DatetimeIndex, pd.PeriodIndex)):
        raise ValueError(
            f"fh holds durations ({durations}), which need a DatetimeIndex or PeriodIndex; "
            "y has an integer index. Pass fh as a number of time steps."
        )
    last = grid[-1]
    try:
        # a time point before the cutoff (in-sample) counts back from the cutoff
        steps = [
            steps_until(grid, later)
            if later >= last
            else -steps_until(_ending_at(grid, later), last)
            for later in fh.to_absolute_index(cutoff)
        ]
    except (ValueError, TypeError) as error:
        freq = getattr(grid, "freqstr", None) or datetime_freq(grid)
        raise ValueError(
            f"fh holds durations ({durations}) that are not a whole number of time steps "
            f"of y's index (frequency {freq!r}) after the cutoff {last}. Pass fh as a "
            "number of time steps, or as durations that are multiples of the frequency."
        ) from error
    return np.asarray(steps, dtype=int)


def _ending_at(grid, point):
    """A one-point time index at ``point`` with the frequency of ``grid``."""
    if isinstance(grid, pd.PeriodIndex):
        return pd.PeriodIndex([point])
    return pd.DatetimeIndex([point], freq=datetime_freq(grid))
