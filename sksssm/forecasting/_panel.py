"""Panels: the per-series state of a forecaster fitted on one series or many.

A :class:`Panel` holds everything :class:`~sksssm.forecasting.SpectralForecaster` knows
per series: its time index, raw values, transform and standardization, exogenous data
and how many steps before the cutoff it ends. The model itself is global: one set of
coefficients for all series (``panel="global"``), its QR factors summed across series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sktime.forecasting.base import ForecastingHorizon

from .._validation import power_of_two_below, standardization
from ._time_index import (
    check_continuation,
    check_time_index,
    datetime_freq,
    index_step,
    steps_until,
    time_grid,
)

#: How a panel (hierarchical) ``y`` is modelled: one model for all series, or one each.
PANEL_MODES = ("global", "local")
#: Smallest series length.
MIN_LENGTH = 3
#: What an update's ``X`` is needed for (:func:`exog_rows`).
UPDATE_NEEDS_X = "update: X is needed at every new time step of y"


def as_frame(y):
    """``y`` as a DataFrame: a ``pd.Series`` becomes its one column (named as sktime's
    conversion names it: the Series' name, else 0); a DataFrame is returned as it is.

    The forecaster takes a univariate ``pd.Series`` as it comes (one of its inner
    mtypes), which spares sktime's conversions on every ``fit`` and ``predict``.

    Examples
    --------
    >>> import pandas as pd
    >>> as_frame(pd.Series([1.0, 2.0], name="sales")).columns.tolist()
    ['sales']
    """
    return y.to_frame() if isinstance(y, pd.Series) else y


def split_series(y, name):
    """``{key: DataFrame}`` per series of ``y`` (key None for a single series), checked.

    Parameters
    ----------
    y : pandas.DataFrame
        One series, or a panel / hierarchy (MultiIndex, time the last level).
    name : str
        What ``y`` is called in error messages.

    Returns
    -------
    dict
    """
    if isinstance(y.index, pd.MultiIndex):
        # One pass over the values and the time level, then a view per series: cheaper
        # than a groupby frame per series with its index levels dropped (thousands of
        # series).
        levels = list(range(y.index.nlevels - 1))
        positions = y.groupby(level=levels, sort=False).indices
        times, values = y.index.get_level_values(-1), y.to_numpy()
        parts = {}
        for key, rows in sorted(positions.items(), key=lambda item: item[1][0]):
            key = key if len(levels) > 1 else (key[0] if isinstance(key, tuple) else key)
            parts[key] = pd.DataFrame(values[rows], index=times[rows], columns=y.columns)
    else:
        parts = {None: y}
    for key, frame in parts.items():
        where = f"{name}" if key is None else f"{name} (series {key!r})"
        check_time_index(frame.index, where)
        values = frame.to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError(f"{where} contains NaN or infinite values; remove or fill them.")
    return parts


def check_lengths(parts):
    """Refuse series shorter than :data:`~sksssm.forecasting._panel.MIN_LENGTH`, naming the first.

    Checked before anything is computed across series (their lags, their grid), so a
    short series gets this message rather than one about its frequency.

    Examples
    --------
    >>> import pandas as pd
    >>> check_lengths({"a": pd.DataFrame({"y": [1.0, 2.0]})})
    Traceback (most recent call last):
    ...
    ValueError: SpectralForecaster needs at least 3 time steps per series; got 2 (series 'a').
    """
    short = [(key, len(frame)) for key, frame in parts.items() if len(frame) < MIN_LENGTH]
    if short:
        key, n = short[0]
        more = f", and {len(short) - 1} more" if len(short) > 1 else ""
        where = "" if key is None else f" (series {key!r}{more})"
        raise ValueError(
            f"SpectralForecaster needs at least {MIN_LENGTH} time steps per series; "
            f"got {n}{where}."
        )


def check_one_grid(times):
    """Refuse a panel whose series (``{key: index}``, each of
    :data:`~sksssm.forecasting._panel.MIN_LENGTH` or more regular points) advance by
    different time steps: one global model forecasts them on one time grid (their lags
    and forecast dates are counted on it)."""
    grids = {key: time_grid(index) for key, index in times.items()}
    first = next(iter(grids))
    other = next((key for key, grid in grids.items() if grid != grids[first]), None)
    if other is not None:
        raise ValueError(
            f"the series of y have different time steps (series {first!r}: "
            f"{grids[first]!r}, series {other!r}: {grids[other]!r}); a panel is forecast on "
            "one time grid. Resample the series to one frequency, or fit one forecaster "
            "per frequency."
        )


def exog_rows(xparts, key, times, need):
    """The rows of ``X`` (split per series, ``xparts``) of series ``key`` at ``times``.

    Raises a ValueError that names the series and its first missing time point when
    ``X`` lacks the series or any of ``times``; ``need`` says what ``X`` is needed for.
    """
    series = "" if key is None else f" of series {key!r}"
    if key not in xparts:
        raise ValueError(f"{need}; X has no rows{series}.")
    missing = times.difference(xparts[key].index)
    if len(missing):
        raise ValueError(f"{need}; X{series} lacks {len(missing)} of them (first: {missing[0]}).")
    return xparts[key].loc[times]


def _series_scaling(values):
    """Mean and scale of one series' columns (:func:`standardization`), a constant
    column scaled by a power of two near its magnitude instead of 1: a later update's
    variation and the intervals' spread floor are then relative to the series' level
    (with scale 1 they were in the units of ``y``: a constant series at 1e-300 got
    intervals crossing zero, and one at 1e160 overflowed after an update).

    Examples
    --------
    >>> import numpy as np
    >>> [float(v[0]) for v in _series_scaling(np.full((4, 1), 3.0))]  # 2 <= 3 < 4
    [3.0, 2.0]
    """
    mean, scale, constant = standardization(values, return_constant=True)
    # an all-zero series keeps scale 1 (power_of_two_below gives 1 for 0)
    return mean, np.where(constant, power_of_two_below(np.abs(mean)), scale)


class Panel:
    """The series of a fitted forecaster, standardized, with their exogenous data.

    Parameters
    ----------
    y : pandas.DataFrame or pandas.Series
        The training series (one, or a panel / hierarchy; a Series: one univariate
        series, whose point forecasts are then a Series too, :meth:`to_y`). Each series
        needs at least :data:`~sksssm.forecasting._panel.MIN_LENGTH` time points, and
        the series of a panel one time step (frequency or integer step); a ValueError
        names the first that has not.

    Attributes
    ----------
    keys : list
        Series keys (``[None]`` for a single series).
    times, raw : dict
        Per key: the time index and the values (n_i, n_channels) in y's units.
    lags : list of int
        Steps from each series' last time point to the latest one (the cutoff).
    log : bool
        Whether the model sees ``log(y)`` (set by :meth:`standardize`).
    scaling, z : dict
        Per key: ``(mean, scale)`` of the (log-)values and the standardized values.
    exog_columns, x_scaling, e : list, dict, dict or None
        The exogenous columns, their per-series standardization and standardized values
        (None without exogenous data).
    """

    def __init__(self, y):
        self.series_name = y.name if isinstance(y, pd.Series) else None
        self.is_series = isinstance(y, pd.Series)
        y = as_frame(y)
        parts = split_series(y, "y")
        self.keys = list(parts)
        self.multi = isinstance(y.index, pd.MultiIndex)
        self.index_names = list(y.index.names)
        self.columns = y.columns
        self.times = {key: frame.index for key, frame in parts.items()}
        self.raw = {key: frame.to_numpy(dtype=float) for key, frame in parts.items()}
        self.log, self.scaling, self.z = False, {}, {}
        self.exog_columns, self.x_scaling, self.e = None, None, None
        check_lengths(parts)
        check_one_grid(self.times)
        self.lags = self._lags(self.times)

    def _lags(self, times):
        latest = max(index[-1] for index in times.values())
        return [steps_until(times[key], latest) for key in self.keys]

    def cutoff(self):
        """The panel's latest time point, as sktime holds a cutoff: a one-element index
        (a DatetimeIndex with its series' frequency)."""
        times = max(self.times.values(), key=lambda index: index[-1])
        last = times[[-1]]
        if isinstance(times, pd.DatetimeIndex):
            last = pd.DatetimeIndex(last, freq=datetime_freq(times))
        return last

    # -------------------------------------------------------------- values
    def standardize(self, log):
        """Model ``log(y)`` or ``y``, each series standardized by its own mean and scale."""
        self.log = bool(log)
        transformed = {key: self._transform(v) for key, v in self.raw.items()}
        self.scaling = {key: _series_scaling(v) for key, v in transformed.items()}
        self.z = {key: (v - self.scaling[key][0]) / self.scaling[key][1]
                  for key, v in transformed.items()}  # fmt: skip

    def _transform(self, values):
        return np.log(values) if self.log else values

    def set_exog(self, X):
        """Standardize exogenous ``X`` per series (on the fitted time points).

        Raises a ValueError that names the series and its first missing time point when
        ``X`` lacks a series of ``y`` or any of its time points.
        """
        self.exog_columns = list(X.columns)
        xparts = self.split_exog(X, "X")
        need = "X is needed at every time point of y"
        frames = {key: exog_rows(xparts, key, self.times[key], need) for key in self.keys}
        self.x_scaling = {key: standardization(frame.to_numpy(float))
                          for key, frame in frames.items()}  # fmt: skip
        self.e = {key: self.scale_exog(key, frame) for key, frame in frames.items()}

    def scale_exog(self, key, X):
        """Exogenous frame ``X`` of series ``key`` in its standardized units."""
        mean, scale = self.x_scaling[key]
        return (X.to_numpy(dtype=float) - mean) / scale

    def split_exog(self, X, where):
        """``split_series`` of ``X`` with its columns matched by name to fit's.

        The columns may come in any order; missing, renamed, extra or non-numeric columns
        are refused (sktime forecasters expect ``X`` with fit's columns).
        """
        expected = list(self.exog_columns)
        given = list(X.columns)
        missing = [c for c in expected if c not in given]
        unexpected = [c for c in given if c not in expected]
        if missing or unexpected or len(set(given)) != len(given):
            raise ValueError(
                f"{where} must have the exogenous columns seen in fit, {expected} (matched "
                f"by name, in any order); missing {missing}, unexpected {unexpected}"
                + (", duplicated names" if len(set(given)) != len(given) else "")
                + ". Pass X with exactly these columns."
            )
        non_numeric = [c for c in expected if not pd.api.types.is_numeric_dtype(X[c])]
        if non_numeric:
            raise ValueError(
                f"{where} has non-numeric exogenous columns {non_numeric}; encode them as "
                "numbers (e.g. one-hot) before fit and predict."
            )
        return split_series(X[expected], where)

    def exog_through(self, X, future):
        """Standardized exogenous data of every series up to the time points ``future``.

        Returns a list (key order) of arrays (n_i + len(future), n_exog), or None without
        exogenous data. ``X`` must cover every point of ``future``.
        """
        if self.e is None:
            return None
        xparts = self.split_exog(X, "X") if X is not None else {}
        need = "SpectralForecaster needs X at every step from the cutoff to the last forecast step"
        out = []
        for key in self.keys:
            rows = exog_rows(xparts, key, future, need)
            out.append(np.concatenate([self.e[key], self.scale_exog(key, rows)]))
        return out

    def series(self):
        """Standardized series ``z`` and exogenous ``e`` (or None) as lists, in key order."""
        z = [self.z[k] for k in self.keys]
        e = None if self.e is None else [self.e[k] for k in self.keys]
        return z, e

    def min_length(self):
        return min(len(v) for v in self.raw.values())

    def n_channels(self):
        return self.z[self.keys[0]].shape[1]

    # -------------------------------------------------------------- update
    def check_update(self, y, X):
        """Refuse an update that does not continue every series (state unchanged).

        With exogenous data, ``X`` must hold every new time point of every series that
        grows (a ValueError names the first series and time point it lacks).
        """
        y = as_frame(y)
        if self.multi != isinstance(y.index, pd.MultiIndex):
            raise ValueError("update: y must have the same (single / panel) layout as in fit.")
        parts = split_series(y, "y in update")
        unknown = set(parts) - set(self.keys)
        if unknown:
            raise ValueError(f"update: y has series not seen in fit: {sorted(unknown)[:3]}.")
        if len(y.columns) != len(self.columns):
            raise ValueError(
                f"update: y has {len(y.columns)} columns; the forecaster was fitted on "
                f"{len(self.columns)}."
            )
        news = {}
        for key, frame in parts.items():
            new = check_continuation(self.times[key], self.raw[key], frame)
            if self.log and (frame.loc[new].to_numpy(dtype=float) <= 0).any():
                raise ValueError(
                    "update: y has values <= 0, but the forecaster models log(y) "
                    "(log_transform_ is True). Refit on the whole series."
                )
            news[key] = new
        new_counts = {len(new) for new in news.values()}
        if self.e is not None and max(new_counts, default=0):
            # With X the series must stay aligned (see fit).
            if len(parts) != len(self.keys) or len(new_counts) > 1:
                raise ValueError(
                    "update: with exogenous X every series must get the same new time steps."
                )
            if X is None:
                raise ValueError("update: X is needed for the new time steps (fitted with X).")
        if self.e is not None and X is not None:
            xparts = self.split_exog(X, "X in update")
            for key, new in news.items():
                if len(new):
                    exog_rows(xparts, key, new, UPDATE_NEEDS_X)
        return parts

    def extend(self, y, X):
        """Append the new time steps of a checked update; return whether a series grew.

        Every new array is built before any is stored: an error leaves the panel as it
        was.
        """
        parts = split_series(as_frame(y), "y")
        xparts = self.split_exog(X, "X") if self.e is not None and X is not None else None
        grown = {}
        for key, frame in parts.items():
            new = frame.index > self.times[key][-1]
            if not new.any():
                continue
            mean, scale = self.scaling[key]
            values = frame.to_numpy(dtype=float)[new]
            grown[key] = {
                "times": self.times[key].append(frame.index[new]),
                "raw": np.concatenate([self.raw[key], values]),
                "z": np.concatenate([self.z[key], (self._transform(values) - mean) / scale]),
            }
            if self.e is not None:
                rows = exog_rows(xparts or {}, key, frame.index[new], UPDATE_NEEDS_X)
                grown[key]["e"] = np.concatenate([self.e[key], self.scale_exog(key, rows)])
        if not grown:
            return False
        lags = self._lags({**self.times, **{key: g["times"] for key, g in grown.items()}})
        for key, g in grown.items():
            self.times[key], self.raw[key], self.z[key] = g["times"], g["raw"], g["z"]
            if "e" in g:
                self.e[key] = g["e"]
        self.lags = lags
        return True

    # -------------------------------------------------------------- answers in y's units
    def to_original(self, i, z_values):
        """Standardized (transformed) values of series ``i`` in y's units."""
        mean, scale = self.scaling[self.keys[i]]
        with np.errstate(over="ignore"):
            values = z_values * scale + mean
            values = np.exp(values) if self.log else values
        return check_representable(z_values, values, "the forecast (or an interval bound)")

    def variance_to_original(self, i, variance, z_center):
        """Variance of the standardized values of series ``i`` in y's squared units.

        With the log transform: the log-normal variance around the back-transformed
        ``z_center`` (the median).
        """
        mean, scale = self.scaling[self.keys[i]]
        with np.errstate(over="ignore"):
            v = variance * scale**2
            if self.log:
                log_center = z_center * scale + mean
                v = np.expm1(v) * np.exp(2 * log_center + v)
        return check_representable(variance, v, "the forecast variance")

    @property
    def index_step(self):
        """Index units per time step (:func:`._time_index.index_step`)."""
        return index_step(next(iter(self.times.values())))

    def future_index(self, n_steps, cutoff):
        """The next ``n_steps`` time points of the series' grid after ``cutoff``."""
        steps = np.arange(1, n_steps + 1) * self.index_step
        return self.absolute_index(ForecastingHorizon(steps, is_relative=True), cutoff)

    def absolute_index(self, fh, cutoff):
        """The time points of the relative or absolute ``fh`` after ``cutoff``.

        sktime leaves the cutoff of a panel whose series start at different times without
        a frequency (a DatetimeIndex cannot hold one for such a union); the time grid of
        a series that ends at the cutoff supplies it, as it does for one series.
        """
        if isinstance(cutoff, pd.DatetimeIndex) and cutoff.freq is None:
            freqs = [datetime_freq(t) for t in self.times.values() if t[-1] == cutoff[-1]]
            freq = next((f for f in freqs if f is not None), None)
            if freq is not None:
                cutoff = pd.DatetimeIndex(cutoff, freq=freq)
        return fh.to_absolute_index(cutoff)

    def to_y(self, values, index):
        """(n_series, n, c) forecasts in y's units, laid out as ``y`` was: a Series for a
        Series (:meth:`to_frame` otherwise)."""
        if self.is_series:
            return pd.Series(values[0][:, 0], index=index, name=self.series_name)
        return self.to_frame(values, index)

    def to_frame(self, values, index, columns=None):
        """(n_series, n, c) values in y's units to a DataFrame indexed like y."""
        columns = self.columns if columns is None else columns
        frames = [pd.DataFrame(v, index=index, columns=columns) for v in values]
        if not self.multi:
            return frames[0]
        keys = [k if isinstance(k, tuple) else (k,) for k in self.keys]
        out = pd.concat(frames, keys=keys)
        out.index.names = self.index_names
        return out


def check_representable(standardized, values, what):
    """``values`` (in y's units), refused when finite ``standardized`` ones overflowed.

    The model works on standardized values, so it never overflows; only the answer in
    y's units can exceed the float64 range. That is a clear error, never ``inf``.
    """
    if np.isfinite(standardized).all() and not np.isfinite(values).all():
        raise ValueError(
            f"{what} exceeds the float64 range (about 1.8e308) in y's units; forecast "
            "fewer steps or rescale y (e.g. divide it by a large constant)."
        )
    return values
