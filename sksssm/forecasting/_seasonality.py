"""Seasonality and stationarity tests: the data-driven choices of the configuration.

The seasonal period (:func:`detect_seasonal_period`), the log transform
(:func:`prefers_log`), the seasonal difference (:func:`seasonal_strength`) and the first
difference (:func:`kpss_statistic`) of :class:`~sksssm.forecasting.SpectralForecaster`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Seasonal period implied by a pandas frequency (its base, without multiples/anchors;
#: a multiple ``k`` divides it, see :func:`_frequency_period`).
FREQUENCY_PERIODS = {
    "Y": 1, "A": 1, "YS": 1, "YE": 1, "AS": 1, "BY": 1, "BYS": 1,
    "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4,
    "M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12, "SM": 24, "SMS": 24,
    "W": 52, "D": 7, "B": 5, "C": 5,
    "H": 24, "h": 24, "BH": 24, "T": 60, "min": 60, "S": 60, "s": 60,
}  # fmt: skip
#: Largest lag searched for a seasonal period when the index has no frequency.
MAX_DETECTED_PERIOD = 52
#: One-sided normal quantile of the seasonality test (90%, as in the M4 Theta benchmark).
SEASONALITY_TEST_Z = 1.645
#: 5% critical value of the KPSS level-stationarity test.
KPSS_CRITICAL_5 = 0.463
#: Seasonal strength above which a seasonal difference is taken (as in auto.arima).
SEASONAL_STRENGTH_THRESHOLD = 0.64


def _frequency_period(index):
    """The seasonal period a pandas frequency implies, or None (no / unknown frequency).

    A frequency with a multiple ``k`` (``"3M"``, ``"2h"``) steps ``k`` base units at a
    time: its period is the base's divided by ``k`` (``12 / 3 = 4``, ``24 / 2 = 12``)
    when ``k`` divides it, else None (the lag is searched as without a frequency). A
    base without a season (annual, period 1) has none at any multiple.

    Examples
    --------
    >>> import pandas as pd
    >>> [_frequency_period(pd.period_range("2000-01", periods=4, freq=f))
    ...  for f in ("M", "3M", "5M", "Q", "2Y")]
    [12, 4, None, 4, 1]
    """
    freq = getattr(index, "freqstr", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = pd.infer_freq(index)
    if not freq:
        return None
    head = freq.split("-")[0]
    base = head.lstrip("0123456789")
    period = FREQUENCY_PERIODS.get(base)
    multiple = int(head[: len(head) - len(base)] or 1)
    if period is None or multiple == 1 or period == 1:
        return period
    return period // multiple if period % multiple == 0 else None


def _autocorrelation(x, max_lag):
    """Sample autocorrelations ``r_1 .. r_max_lag`` of a 1D array (biased estimator)."""
    x = x - x.mean()
    denominator = float(x @ x)
    if denominator <= 0 or max_lag < 1:
        return np.zeros(max(max_lag, 0))
    return np.array([float(x[k:] @ x[:-k]) / denominator for k in range(1, max_lag + 1)])


def seasonality_test(x, period):
    """Whether lag ``period`` of the autocorrelation of ``x`` is significantly positive.

    The one-sided 90% test of the M4 Theta benchmark: ``r_m > 1.645 sqrt((1 + 2 sum_{k<m}
    r_k^2) / n)`` (Bartlett's variance of ``r_m`` under an MA(m-1) null).

    Parameters
    ----------
    x : ndarray of shape (n,)
    period : int

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(96)
    >>> seasonality_test(np.sin(2 * np.pi * t / 12), 12)
    True
    >>> seasonality_test(np.random.default_rng(0).normal(size=96), 12)
    False
    """
    n = len(x)
    if period < 2 or n < 3 * period:
        return False
    r = _autocorrelation(np.asarray(x, dtype=float), period)
    limit = SEASONALITY_TEST_Z * np.sqrt((1.0 + 2.0 * np.sum(r[:-1] ** 2)) / n)
    return bool(r[-1] > limit)


def _detrend(x):
    """``x`` minus its least-squares line."""
    t = np.arange(len(x), dtype=float)
    return x - np.polyval(np.polyfit(t, x, 1), t)


def acf_peak(acf):
    """The lag (>= 2) of the highest positive local maximum of an autocorrelation, or 1.

    A season of period ``m`` makes ``r_m`` a positive local peak
    (``r_{m-1} < r_m >= r_{m+1}``, ``r_m > 0``);
    a persistent series without a season (a random walk, a trend the line does not
    remove) has an autocorrelation that decays from lag 1, so its largest value past lag
    1 is ``r_2`` without being a peak, and no lag is returned (1).

    Parameters
    ----------
    acf : ndarray of shape (max_lag,)
        ``r_1 .. r_max_lag``; lags ``2 .. max_lag - 1`` are candidates.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> acf_peak(np.array([0.9, 0.8, 0.7, 0.6])), acf_peak(np.array([0.1, -0.5, 0.6, 0.2]))
    (1, 3)
    """
    r = np.r_[1.0, np.asarray(acf, dtype=float)]  # r[k] is the lag-k autocorrelation
    lags = np.arange(2, len(r) - 1)
    peaks = lags[(r[lags] > r[lags - 1]) & (r[lags] >= r[lags + 1]) & (r[lags] > 0)]
    return int(peaks[np.argmax(r[peaks])]) if peaks.size else 1


def detect_seasonal_period(series, index=None):
    """The seasonal period of one or more series: the rule of :class:`SpectralForecaster`.

    1. A candidate period: from the index frequency when it has one (monthly 12,
       quarterly 4, weekly 52, daily 7, hourly 24, annual 1, ...; a multiple ``k`` of
       the frequency divides the period when it divides it evenly: ``"3M"`` 4, ``"2h"``
       12); otherwise (or when ``k`` does not divide the period) the lag in
       ``2 .. min(n // 3, 52)`` where the autocorrelation of the linearly detrended
       series (averaged over the series and their channels) has its highest positive
       local peak (:func:`acf_peak`; none: no season).
    2. The candidate is kept if the series has at least three seasons and the
       autocorrelation of the detrended series at that lag passes the 90% seasonality
       test (:func:`seasonality_test`, for half of the series' channels or more);
       otherwise the period is 1 (no season).

    Parameters
    ----------
    series : list of ndarray of shape (n_i, n_channels)
    index : pandas Index or None
        The time index (of the first series), for its frequency.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(120)
    >>> y = 10 + 0.1 * t + np.sin(2 * np.pi * t / 7)
    >>> detect_seasonal_period([y[:, None]])
    7
    >>> detect_seasonal_period([np.cumsum(np.ones(120))[:, None] ** 1.5])  # no season
    1
    """
    # Every channel votes like a series (as in the differencing tests), so the period
    # does not depend on the order of y's columns.
    differences = [_detrend(s[:, j]) for s in series if len(s) >= 4 for j in range(s.shape[1])]
    if not differences:
        return 1
    n = min(len(d) for d in differences)
    candidate = _frequency_period(index) if index is not None else None
    if candidate is None:
        max_lag = min(n // 3, MAX_DETECTED_PERIOD)
        if max_lag < 2:
            return 1
        acf = np.mean([_autocorrelation(d, max_lag + 1) for d in differences], axis=0)
        candidate = acf_peak(acf)
    if candidate <= 1:
        return 1
    votes = [seasonality_test(d, candidate) for d in differences]
    return candidate if np.mean(votes) >= 0.5 else 1


def kpss_statistic(x):
    """KPSS statistic of level stationarity (Kwiatkowski et al., 1992).

    ``eta = sum_t S_t^2 / (n^2 s^2)`` with ``S_t`` the partial sums of ``x - mean(x)`` and
    ``s^2`` the Newey-West long-run variance with ``floor(3 sqrt(n) / 13)`` lags (the
    short bandwidth of ``auto.arima``). Above 0.463 the null of stationarity is rejected
    at 5%.

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> bool(kpss_statistic(rng.normal(size=200)) < KPSS_CRITICAL_5)
    True
    >>> bool(kpss_statistic(np.cumsum(rng.normal(size=200))) > KPSS_CRITICAL_5)
    True
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    e = x - x.mean()
    variance = long_run_variance(x)
    if variance <= 0:
        return 0.0
    partial = np.cumsum(e)
    return float(partial @ partial) / (n**2 * variance)


def long_run_variance(x):
    """Newey-West (Bartlett kernel) long-run variance with ``floor(3 sqrt(n) / 13)`` lags.

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(long_run_variance(np.array([1.0, -1.0, 1.0, -1.0])), 6)
    1.0
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    e = x - x.mean()
    variance = float(e @ e) / n
    lags = min(int(3 * np.sqrt(n) / 13), n - 1)
    for k in range(1, lags + 1):
        variance += 2 * (1 - k / (lags + 1)) * float(e[k:] @ e[:-k]) / n
    return variance


def seasonal_strength(x, period):
    """Strength of the season of ``x``: ``max(0, 1 - Var(R) / Var(S + R))``.

    Classical decomposition: the trend is the centred moving average over one period
    (``2 x period`` for even periods), the season ``S`` the mean detrended value at each
    phase (centred), ``R`` the remainder (Wang, Smith & Hyndman, 2006). ``auto.arima``
    takes a seasonal difference when it exceeds 0.64.

    Parameters
    ----------
    x : ndarray of shape (n,)
    period : int

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(96)
    >>> noise = np.random.default_rng(0).normal(size=96)
    >>> round(seasonal_strength(t + 5 * np.sin(2 * np.pi * t / 12) + 0.1 * noise, 12), 2)
    1.0
    >>> bool(seasonal_strength(noise, 12) < 0.64)
    True
    """
    x = np.asarray(x, dtype=float)
    if period < 2 or len(x) < 2 * period + 1:
        return 0.0
    detrended, phases = _detrended(x, period)
    remainder = detrended - _phase_indices(detrended, phases, period)[phases]
    total = np.var(detrended)
    return float(max(0.0, 1.0 - np.var(remainder) / total)) if total > 0 else 0.0


def seasonal_indices(x, period, multiplicative=False):
    """One cycle of classical-decomposition seasonal indices, from ``x[0]``'s position.

    The trend is the centred moving average of order ``period`` (``2 x period`` for an
    even period); an index is the mean ratio (or difference) of the series to the trend
    at its position in the cycle, normalized to mean 1 (or 0).

    Parameters
    ----------
    x : ndarray of shape (n,)
        Needs ``n >= 2 * period``.
    period : int >= 2
    multiplicative : bool, default=False

    Returns
    -------
    ndarray of shape (period,)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.tile([1.0, -1.0, 2.0, -2.0], 4) + np.arange(16)
    >>> seasonal_indices(x, 4).round(6).tolist()
    [1.0, -1.0, 2.0, -2.0]
    """
    x = np.asarray(x, dtype=float)
    deviation, phases = _detrended(x, period, multiplicative)
    return _phase_indices(deviation, phases, period, multiplicative)


def _detrended(x, period, multiplicative=False):
    """``x`` less (or over) its centred moving average, and each value's phase.

    The classical decomposition's trend: the centred moving average over one period
    (``2 x period`` for even periods), defined from ``half`` to ``n - half - 1``.
    """
    if period % 2 == 0:
        weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    else:
        weights = np.ones(period) / period
    half = len(weights) // 2
    trend = np.convolve(x, weights, mode="valid")  # trend at times half .. n - half - 1
    inner = x[half : half + len(trend)]
    deviation = inner / trend if multiplicative else inner - trend
    return deviation, (np.arange(len(trend)) + half) % period


def _phase_indices(deviation, phases, period, multiplicative=False):
    """Mean deviation at each phase, normalized to mean 1 (ratios) or 0 (differences)."""
    means = np.array([deviation[phases == k].mean() for k in range(period)])
    return means / means.mean() if multiplicative else means - means.mean()


def prefers_log(series, period):
    """Whether to model ``log(y)``: Guerrero's rule restricted to ``lambda in {0, 1}``.

    The series is cut (from its end) into blocks of one season (two steps when
    ``period = 1``); with block means ``m_i`` and standard deviations ``s_i``, the log is
    preferred when ``s_i / m_i`` varies less across blocks (coefficient of variation) than
    ``s_i``: the spread grows in proportion to the level (Guerrero, 1993). Needs every value
    positive and at least two blocks in every series; a panel takes the majority.

    Parameters
    ----------
    series : list of ndarray of shape (n_i, n_channels)
    period : int

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(96)
    >>> y = np.exp(0.03 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
    >>> prefers_log([y[:, None]], 12), prefers_log([y[:, None] - 1], 12)
    (True, False)
    """
    block = period if period > 1 else 2
    votes = []
    for values in series:
        if (values <= 0).any():
            return False
        n_blocks = len(values) // block
        if n_blocks < 2:
            return False
        for ch in range(values.shape[1]):
            x = values[len(values) - n_blocks * block :, ch].reshape(n_blocks, block)
            mean, std = x.mean(axis=1), x.std(axis=1, ddof=1)
            if not (std > 0).all():
                votes.append(False)
                continue

            def variation(r):
                return r.std(ddof=1) / r.mean()

            votes.append(bool(variation(std / mean) < variation(std)))
    return bool(np.mean(votes) > 0.5)


def choose_period_and_log(panel, sp, log_transform):
    """The seasonal period and whether to model ``log(y)``, by the forecaster's rules.

    Both rules are scale-free: they see each series over its largest magnitude (no
    overflow for huge values). A given ``sp`` or boolean ``log_transform`` is kept
    (``True`` needs ``y > 0``).

    Parameters
    ----------
    panel : Panel
    sp : int or None
    log_transform : "auto" or bool

    Returns
    -------
    sp : int
    log : bool
    """
    normalized = [v / max(np.abs(v).max(), 1e-300) for v in panel.raw.values()]
    if sp is None:
        sp = detect_seasonal_period(normalized, panel.times[panel.keys[0]])
    if log_transform == "auto":
        return sp, prefers_log(normalized, sp)
    if log_transform and any((v <= 0).any() for v in panel.raw.values()):
        raise ValueError(
            'log_transform=True needs y > 0; y has values <= 0. Use log_transform=False or "auto".'
        )
    return sp, bool(log_transform)
