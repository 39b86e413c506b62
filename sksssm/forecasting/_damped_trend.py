"""The damped-trend (additive damped Holt) forecast, fitted by a small grid search.

Exponential smoothing with a damped additive trend (Gardner and McKenzie, 1985), in
error-correction form: with the one-step forecast ``f_t = l_{t-1} + phi b_{t-1}`` and its
error ``e_t = x_t - f_t``,

    l_t = f_t + alpha e_t,        b_t = phi b_{t-1} + alpha beta e_t,

started at ``l_0 = x_0`` and ``b_0 = (x_k - x_0) / k`` (``k = min(n - 1, 3)``). The
``h``-step forecast is ``l_n + (phi + phi^2 + ... + phi^h) b_n``. ``(alpha, beta, phi)``
minimize the one-step squared error over :data:`GRID` (all candidates are run at once,
vectorized over the grid). Plain numpy, no optimizer: the same answer on every machine.
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
    n = len(x)
    k = min(n - 1, 3)
    level = np.full(np.shape(alpha), x[0])
    trend = np.full(np.shape(alpha), (x[k] - x[0]) / k if k > 0 else 0.0)
    sse = np.zeros(np.shape(alpha))
    gain = alpha * beta
    for value in x[1:]:
        predicted = level + phi * trend
        error = value - predicted
        sse += error**2
        level = predicted + alpha * error
        trend = phi * trend + gain * error
    return level, trend, sse


def fit_damped_trend(x):
    """The damped trend of ``x`` with the least one-step squared error over :data:`GRID`.

    Ties go to the first grid point (smallest ``alpha``, then ``beta``, then ``phi``).

    Parameters
    ----------
    x : ndarray of shape (n,)

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
    alpha, beta, phi = GRID
    level, trend, sse = damped_trend_states(x, alpha, beta, phi)
    best = int(np.argmin(sse))
    return DampedTrendFit(float(level[best]), float(trend[best]), float(alpha[best]),
                          float(beta[best]), float(phi[best]), float(sse[best]))  # fmt: skip


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
        :func:`fit_damped_trend` of ``x``.
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
    k = min(n - 1, 3)
    levels, trends = np.empty(n), np.empty(n)
    levels[0], trends[0] = x[0], (x[k] - x[0]) / k if k > 0 else 0.0
    alpha, gain, phi = fit.alpha, fit.alpha * fit.beta, fit.phi
    for t in range(1, n):
        predicted = levels[t - 1] + phi * trends[t - 1]
        error = x[t] - predicted
        levels[t] = predicted + alpha * error
        trends[t] = phi * trends[t - 1] + gain * error
    last = np.asarray(origins, dtype=int) - 1
    damping = np.cumsum(phi ** np.arange(1, horizon + 1))
    return levels[last, None] + trends[last, None] * damping
