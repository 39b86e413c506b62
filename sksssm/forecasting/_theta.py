"""The classical Theta method in closed form (Assimakopoulos and Nikolopoulos, 2000).

Simple exponential smoothing (SES) of the seasonally adjusted series with a drift of
half the slope of its least-squares line: the average of the theta = 0 line (the linear
trend) and the theta = 2 line extrapolated by SES (Hyndman and Billah, 2003). The
seasonal adjustment is the classical decomposition (centred moving average) at the
forecaster's period, applied when :func:`~._seasonality.seasonality_test` finds the
season (as in the M3/M4 Theta benchmark).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter

from ._seasonality import seasonal_indices, seasonality_test

#: Bounds of the SES smoothing weight fitted by least squares.
SES_ALPHA_BOUNDS = (0.01, 1.0)


def ses_levels(x, alpha):
    """Levels ``l_t = alpha x_t + (1 - alpha) l_{t-1}`` of SES, ``l_0 = x_0``.

    Parameters
    ----------
    x : ndarray of shape (n,)
    alpha : float in (0, 1]

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> ses_levels(np.array([1.0, 3.0, 3.0]), 0.5).tolist()
    [1.0, 2.0, 2.5]
    """
    x = np.asarray(x, dtype=float)
    levels, _ = lfilter([alpha], [1.0, alpha - 1.0], x[1:], zi=[(1.0 - alpha) * x[0]])
    return np.concatenate([x[:1], levels])


def fit_ses_alpha(x):
    """The SES weight that minimizes the one-step squared error (``l_0 = x_0``).

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(fit_ses_alpha(np.cumsum(np.ones(20))), 2)  # a line: follow the last value
    1.0
    """
    x = np.asarray(x, dtype=float)
    if len(x) < 3:
        return 1.0

    def sse(alpha):
        return float(np.sum((x[1:] - ses_levels(x, alpha)[:-1]) ** 2))

    return float(minimize_scalar(sse, bounds=SES_ALPHA_BOUNDS, method="bounded").x)


class ThetaFit(NamedTuple):
    """The fitted classical Theta method of one series (:func:`fit_theta`).

    ``level`` is the last SES level of the seasonally adjusted series, ``slope`` its
    least-squares slope, ``alpha`` the SES weight, ``n`` the series' length and
    ``cycle`` one cycle of seasonal indices from the series' first point (None: no
    season removed).
    """

    level: float
    slope: float
    alpha: float
    n: int
    cycle: np.ndarray | None
    multiplicative: bool

    def forecast(self, horizon):
        """Forecast ``horizon`` steps after the series (ndarray of shape (horizon,)).

        Examples
        --------
        >>> import numpy as np
        >>> fit_theta(np.arange(10.0)).forecast(3).round(3).tolist()
        [9.5, 10.0, 10.5]
        """
        h = np.arange(1, horizon + 1)
        alpha = self.alpha
        trend = (h - 1) + 1 / alpha - (1 - alpha) ** self.n / alpha
        forecast = self.level + self.slope / 2 * trend
        if self.cycle is None:
            return forecast
        future = np.resize(self.cycle, self.n + horizon)[self.n :]
        return forecast * future if self.multiplicative else forecast + future


def fit_theta(x, sp=1, multiplicative=False):
    """Fit the classical Theta method to ``x``: everything its forecasts depend on.

    The season (period ``sp``) is removed when :func:`seasonality_test` finds it; the SES
    weight is fitted on the adjusted series (:func:`fit_ses_alpha`).

    Parameters
    ----------
    x : ndarray of shape (n,)
    sp : int, default=1
        Seasonal period (1: no season).
    multiplicative : bool, default=False
        Multiplicative seasonal indices (needs ``x > 0``); else additive.

    Returns
    -------
    ThetaFit

    Examples
    --------
    >>> import numpy as np
    >>> fitted = fit_theta(np.arange(10.0))
    >>> round(fitted.alpha, 3), round(fitted.slope, 3)
    (1.0, 1.0)
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n < 2:  # the last value: no slope, SES weight 1
        return ThetaFit(float(x[-1]), 0.0, 1.0, n, None, multiplicative)
    cycle = None
    if sp > 1 and seasonality_test(x, sp):
        cycle = seasonal_indices(x, sp, multiplicative)
    adjusted = x
    if cycle is not None:
        full = np.resize(cycle, n)
        adjusted = x / full if multiplicative else x - full
    slope = np.polyfit(np.arange(n, dtype=float), adjusted, 1)[0]
    alpha = fit_ses_alpha(adjusted)
    level = ses_levels(adjusted, alpha)[-1]
    return ThetaFit(float(level), float(slope), alpha, n, cycle, multiplicative)


def theta_forecast(x, horizon, sp=1, multiplicative=False):
    """Forecast of the classical Theta method, ``horizon`` steps after ``x``.

    ``SES_h + (b / 2) ((h - 1) + 1 / alpha - (1 - alpha)^n / alpha)`` on the seasonally
    adjusted series, ``b`` the slope of its least-squares line, re-seasonalized
    (:func:`fit_theta`, then :meth:`ThetaFit.forecast`).

    Parameters
    ----------
    x : ndarray of shape (n,)
    horizon : int
    sp : int, default=1
        Seasonal period (1: no season).
    multiplicative : bool, default=False
        Multiplicative seasonal indices (needs ``x > 0``); else additive.

    Returns
    -------
    ndarray of shape (horizon,)

    Examples
    --------
    >>> import numpy as np
    >>> theta_forecast(np.arange(10.0), 3).round(3).tolist()  # alpha = 1 on a line
    [9.5, 10.0, 10.5]
    """
    return fit_theta(x, sp, multiplicative).forecast(horizon)


def theta_origin_forecasts(x, fit, horizon, origins):
    """Additive Theta forecasts (len(origins), horizon) from in-sample origins of ``x``.

    The forecast from origin ``o`` uses ``x[:o]`` for the SES level and the slope of the
    least-squares line, with the SES weight and the seasonal indices of ``fit``, the
    Theta fit of the whole series (not refitted per origin). From origin ``len(x)`` it is
    ``fit.forecast`` exactly; from an origin below 2 it is the last value.

    Parameters
    ----------
    x : ndarray of shape (n,)
    fit : ThetaFit
        :func:`fit_theta` of ``x`` (additive).
    horizon : int
    origins : sequence of int in [1, n]
        Index of each forecast's first step.

    Returns
    -------
    ndarray of shape (len(origins), horizon)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> theta_origin_forecasts(x, fit_theta(x), 2, [10, 6]).round(3).tolist()
    [[9.5, 10.0], [5.5, 6.0]]
    """
    x = np.asarray(x, dtype=float)
    n, o = len(x), np.asarray(origins, dtype=int)
    if n < 2:
        return np.full((len(o), horizon), x[-1])
    cycle = np.zeros(n + horizon) if fit.cycle is None else np.resize(fit.cycle, n + horizon)
    adjusted = x - cycle[:n]
    alpha = fit.alpha
    level = ses_levels(adjusted, alpha)[o - 1]
    # Least-squares slopes of adjusted[:o] on t = 0..o-1 from running sums.
    t = np.arange(n, dtype=float)
    sum_y, sum_ty = np.cumsum(adjusted)[o - 1], np.cumsum(t * adjusted)[o - 1]
    m = o.astype(float)
    sum_t, sum_tt = m * (m - 1) / 2, (m - 1) * m * (2 * m - 1) / 6
    denominator = m * sum_tt - sum_t**2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(m >= 2, (m * sum_ty - sum_t * sum_y) / denominator, 0.0)
    h = np.arange(1, horizon + 1)
    trend = (h - 1) + 1 / alpha - (1 - alpha) ** m[:, None] / alpha
    forecast = level[:, None] + slope[:, None] / 2 * trend + cycle[o[:, None] + h - 1]
    return np.where((m < 2)[:, None], x[o - 1][:, None], forecast)
