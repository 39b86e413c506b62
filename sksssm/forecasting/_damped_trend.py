"""The trend member: damped Holt, or on long series exponential smoothing chosen by AICc.

Exponential smoothing with a damped additive trend (Gardner and McKenzie, 1985), in
error-correction form: with the one-step forecast ``f_t = l_{t-1} + phi b_{t-1}`` and its
error ``e_t = x_t - f_t``,

    l_t = f_t + alpha e_t,        b_t = phi b_{t-1} + alpha beta e_t,

started at ``l_0 = x_0`` and ``b_0 = (x_k - x_0) / k``, ``k = min(n - 1, 3)``
(:func:`initial_states`). The ``h``-step forecast is ``l_n + (phi + phi^2 + ... +
phi^h) b_n``. ``(alpha, beta, phi)`` minimize the one-step squared error over
:data:`GRID` (all candidates are run at once, vectorized over the grid). Plain numpy, no
optimizer: the same answer on every machine.

On a series of at least :data:`MIN_AICC_LENGTH` points the member is instead chosen
among three exponential-smoothing classes like AutoETS (Hyndman et al. 2002, 2008):
simple exponential smoothing (``beta = phi = 0``), Holt (``phi = 1``) and the damped
Holt above, each fitted on its grid (:data:`ETS_GRIDS`), the one with the least AICc
kept (:func:`fit_trend_member`). An information criterion chooses reliably only with
enough one-step errors per parameter; on shorter series the damped Holt alone is the
safer hedge (M3, issue 22: the AICc choice on every series lost on the short yearly
series; from 51 points it helped "other" on both halves).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Candidate smoothing weights of the level (``alpha``), of the trend as a fraction of
#: ``alpha`` (``beta``) and damping factors (``phi``).
ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
BETAS = (0.01, 0.05, 0.1, 0.2, 0.4)
PHIS = (0.8, 0.85, 0.9, 0.95, 0.98)
#: Every ``(alpha, beta, phi)`` of the grid search, as three flat arrays.
GRID = tuple(g.ravel() for g in np.meshgrid(ALPHAS, BETAS, PHIS, indexing="ij"))
_HOLT_ALPHAS, _HOLT_BETAS = (g.ravel() for g in np.meshgrid(ALPHAS, BETAS, indexing="ij"))
#: The classes :func:`fit_trend_member` chooses among: their grids ``(alpha, beta, phi)``
#: and parameter counts ``k`` (smoothing weights, damping, initial states). Simple
#: exponential smoothing is ``beta = phi = 0`` (the trend state stays 0); Holt ``phi = 1``.
ETS_GRIDS = {
    "ses": ((np.array(ALPHAS), np.zeros(len(ALPHAS)), np.zeros(len(ALPHAS))), 2),
    "holt": ((_HOLT_ALPHAS, _HOLT_BETAS, np.ones(len(_HOLT_ALPHAS))), 4),
    "damped": (GRID, 5),
}
#: Fewest one-step errors per parameter for an AICc choice (the usual rule of thumb).
MIN_ERRORS_PER_PARAMETER = 10
#: Shortest series whose member is chosen by AICc: ``n - 1 >= 10 k`` one-step errors for
#: the class with the most parameters (damped Holt, ``k = 5``), so 51 points.
MIN_AICC_LENGTH = MIN_ERRORS_PER_PARAMETER * max(k for _, k in ETS_GRIDS.values()) + 1
#: Smallest one-step mean square in the AICc (a perfect fit: the fewer parameters win).
MIN_MEAN_SQUARE = 1e-12


class DampedTrendFit(NamedTuple):
    """The fitted damped trend of one series (:func:`fit_damped_trend`).

    ``level`` and ``trend`` are the last states ``l_n`` and ``b_n``; ``sse`` the
    one-step squared error of the chosen ``(alpha, beta, phi)``.
    """

    level: float
    trend: float
    alpha: float
    beta: float
    phi: float
    sse: float

    def forecast(self, horizon):
        """``l_n + (phi + ... + phi^h) b_n`` for ``h = 1, ..., horizon``.

        Examples
        --------
        >>> fit = DampedTrendFit(level=10.0, trend=1.0, alpha=0.5, beta=0.1, phi=0.5, sse=0.0)
        >>> fit.forecast(3).tolist()
        [10.5, 10.75, 10.875]
        """
        return self.level + self.trend * np.cumsum(self.phi ** np.arange(1, horizon + 1))


def initial_states(x):
    """The start ``(l_0, b_0)`` of the recursion on ``x``, shared by every class.

    ``l_0 = x_0`` and ``b_0 = (x_k - x_0) / k`` with ``k = min(n - 1, 3)`` (0 for one
    point), in the fit and in the in-sample origins' recursion alike. Simple exponential
    smoothing reads ``l_0`` only (``phi = 0``). Measured, not kept (M3, issue 22,
    ``benchmarks/m3_initial_states.py``): the textbook start, the least-squares line
    over the first ten points, lost yearly accuracy on M3's development half.

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    level, trend : float

    Examples
    --------
    >>> import numpy as np
    >>> initial_states(np.array([1.0, 2.0, 4.0, 7.0, 11.0]))
    (1.0, 2.0)
    """
    k = min(len(x) - 1, 3)
    return float(x[0]), float((x[k] - x[0]) / k) if k > 0 else 0.0


def damped_trend_states(x, alpha, beta, phi):
    """Last level, last trend and one-step squared error of each ``(alpha, beta, phi)``.

    Parameters
    ----------
    x : ndarray of shape (n,)
    alpha, beta, phi : ndarray of shape (m,)
        Candidate parameters (``beta`` as a fraction of ``alpha``).

    Returns
    -------
    level, trend, sse : ndarray of shape (m,)

    Examples
    --------
    >>> import numpy as np
    >>> one = np.array([1.0])
    >>> level, trend, sse = damped_trend_states(np.arange(6.0), one, 0.1 * one, one)
    >>> level.tolist(), trend.tolist(), sse.tolist()  # a line is followed exactly
    ([5.0], [1.0], [0.0])
    """
    x = np.asarray(x, dtype=float)
    level0, trend0 = initial_states(x)
    level = np.full(np.shape(alpha), level0)
    trend = np.full(np.shape(alpha), trend0)
    sse = np.zeros(np.shape(alpha))
    gain = alpha * beta
    for value in x[1:]:
        predicted = level + phi * trend
        error = value - predicted
        sse += error**2
        level = predicted + alpha * error
        trend = phi * trend + gain * error
    return level, trend, sse


def fit_damped_trend(x, grid=GRID):
    """The fit of ``x`` with the least one-step squared error over ``grid``.

    Ties go to the first grid point (of :data:`GRID`: smallest ``alpha``, then
    ``beta``, then ``phi``).

    Parameters
    ----------
    x : ndarray of shape (n,)
    grid : tuple of 3 ndarray of shape (m,), default=GRID
        Candidate ``(alpha, beta, phi)`` (one class of :data:`ETS_GRIDS`).

    Returns
    -------
    DampedTrendFit

    Examples
    --------
    >>> import numpy as np
    >>> fit = fit_damped_trend(np.arange(20.0))
    >>> fit.forecast(2).round(2).tolist()  # a line, slightly damped (phi = 0.98)
    [19.95, 20.88]
    """
    alpha, beta, phi = grid
    level, trend, sse = damped_trend_states(x, alpha, beta, phi)
    best = int(np.argmin(sse))
    return DampedTrendFit(float(level[best]), float(trend[best]), float(alpha[best]),
                          float(beta[best]), float(phi[best]), float(sse[best]))  # fmt: skip


def aicc(sse, m, k):
    """AICc ``m log(SSE / m) + 2k + 2k(k + 1) / (m - k - 1)`` of ``m`` one-step errors.

    The mean square is at least :data:`MIN_MEAN_SQUARE`; with ``m <= k + 1`` it is inf.

    Examples
    --------
    >>> round(aicc(10.0, 60, 5), 4)  # 60 log(1/6) + 10 + 60/54
    -96.3945
    """
    if m - k - 1 <= 0:
        return np.inf
    mean_square = max(sse / m, MIN_MEAN_SQUARE)
    return float(m * np.log(mean_square) + 2 * k + 2 * k * (k + 1) / (m - k - 1))


def fit_trend_member(x):
    """The trend member of ``x``: damped Holt, or on long series the AICc choice.

    On a series of at least :data:`MIN_AICC_LENGTH` points each class of
    :data:`ETS_GRIDS` is fitted by :func:`fit_damped_trend` on its grid and the one
    with the least :func:`aicc` (``m = n - 1`` one-step errors) is returned (ties to the
    fewer parameters); a shorter series gets the damped Holt of :data:`GRID`.

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    DampedTrendFit
        Simple exponential smoothing as ``beta = phi = 0``, Holt as ``phi = 1``.

    Examples
    --------
    >>> import numpy as np
    >>> fit_trend_member(np.arange(60.0)).forecast(2).tolist()  # a line: Holt, exactly
    [60.0, 61.0]
    >>> fit_trend_member(np.arange(50.0)).phi  # too short to choose: damped Holt
    0.98
    """
    x = np.asarray(x, dtype=float)
    if len(x) < MIN_AICC_LENGTH:
        return fit_damped_trend(x)
    fits = [(fit_damped_trend(x, grid), k) for grid, k in ETS_GRIDS.values()]
    scores = [aicc(fit.sse, len(x) - 1, k) for fit, k in fits]
    return fits[int(np.argmin(scores))][0]


def damped_trend_origin_forecasts(x, fit, horizon, origins):
    """Damped-trend forecasts (len(origins), horizon) from in-sample origins of ``x``.

    The recursion of :func:`damped_trend_states` with the fitted ``(alpha, beta, phi)``
    of ``fit`` (the whole series' fit, not refitted per origin), its states ``(l, b)``
    after ``x[:o]`` giving the forecast from origin ``o``: ``l + (phi + ... + phi^h) b``.
    From origin ``len(x)`` it is ``fit.forecast`` exactly.

    Parameters
    ----------
    x : ndarray of shape (n,)
    fit : DampedTrendFit
        :func:`fit_trend_member` (or :func:`fit_damped_trend`) of ``x``.
    horizon : int
    origins : sequence of int in [1, n]
        Index of each forecast's first step.

    Returns
    -------
    ndarray of shape (len(origins), horizon)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(20.0)
    >>> fit = fit_damped_trend(x)
    >>> got = damped_trend_origin_forecasts(x, fit, 2, [20])
    >>> np.allclose(got[0], fit.forecast(2))
    True
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    levels, trends = np.empty(n), np.empty(n)
    levels[0], trends[0] = initial_states(x)
    alpha, gain, phi = fit.alpha, fit.alpha * fit.beta, fit.phi
    for t in range(1, n):
        predicted = levels[t - 1] + phi * trends[t - 1]
        error = x[t] - predicted
        levels[t] = predicted + alpha * error
        trends[t] = phi * trends[t - 1] + gain * error
    last = np.asarray(origins, dtype=int) - 1
    damping = np.cumsum(phi ** np.arange(1, horizon + 1))
    return levels[last, None] + trends[last, None] * damping
