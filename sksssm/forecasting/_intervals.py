"""Prediction intervals: the model's h-step error plus the coefficients' estimation error.

Both parts are variances of the standardized (transformed) levels. Their sum is
calibrated on the in-sample errors of the final (combined, damped, shrunk, Theta-averaged)
forecast (:func:`in_sample_calibration`) and, opt-in, by rolling-origin refits
(:func:`backtest_calibration`); the forecaster maps Student-t quantiles to y's units.
"""

from __future__ import annotations

import numpy as np

from ._combination import combine_members, origin_errors
from ._design import integrate, propagate, recursive_forecast, rows_from
from ._model import MAX_RESIDUAL_ORIGINS

#: Smallest error scale of an h-step forecast, times sqrt(h) (standardized units).
SPREAD_FLOOR = 1e-3
#: Shortest truncated series of a backtest origin (:func:`backtest_calibration`).
MIN_BACKTEST_LENGTH = 8
#: Weight of the model's own spread in a calibration, in pseudo-errors of ratio 1.
CALIBRATION_PRIOR = 4
#: Largest error, in spreads, that enters a calibration (winsorized beyond).
CALIBRATION_CLIP = 3.0
#: Time scale, in time points, of the in-sample calibration's weights: the errors from
#: the origin ``a`` points before a series' last origin weigh ``exp(-a / 20)``.
CALIBRATION_MEMORY = 20.0


def forecast_spread(model, z, exog_future, error):
    """Per-series error scales (n_series, n_steps, c) of the levels.

    The model's ``h``-step error ``error`` (the scale of :func:`error_scale`) and the
    coefficients' estimation error (:func:`estimation_variance`) add up as variances; a
    floor of ``1e-3 sqrt(h)`` keeps every interval of positive width.
    """
    n_steps = len(error)
    variance = error**2 + estimation_variance(model, z, exog_future, n_steps)
    floor = SPREAD_FLOOR * np.sqrt(np.arange(1, n_steps + 1))[:, None]
    return np.maximum(np.sqrt(variance), floor)


def error_scale(model, z, e, n_steps, strategies):
    """Per-horizon error scale (n_steps, c) in standardized units, with its dof.

    The mean square of the model's in-sample ``h``-step errors of the levels (last 200
    origins) in the GCV form ``(SSE / n_h) / (1 - dof / n_h)^2``, at least the error the
    fitted recursion implies from its one-step error (:func:`implied_error_scale`);
    horizons without in-sample errors grow as ``sqrt(h)``.
    """
    cfg = model.config
    c = z[0].shape[1]
    sq, counts = np.zeros((n_steps, c)), np.zeros(n_steps)
    first = cfg.q + max(model.start, 1)
    origins = [list(range(max(first, len(s) - MAX_RESIDUAL_ORIGINS), len(s))) for s in z]
    if any(origins):
        windows, z_last = model.origins_batch(z, origins)
        exog = None
        if e is not None:
            exog = np.stack([
                rows_from(model.design.exog(e[i][cfg.q :]), o - cfg.q, n_steps)
                for i in range(len(z)) for o in origins[i]
            ])  # fmt: skip
        path = model.forecast(windows, z_last, exog, n_steps, strategies)
        b = 0
        for s, series_origins in zip(z, origins, strict=True):
            for o in series_origins:
                k = min(n_steps, len(s) - o)
                sq[:k] += (path[b, :k] - s[o : o + k]) ** 2
                counts[:k] += 1
                b += 1
    dof = model.one_step["dof"]
    sigma = np.full((n_steps, c), np.nan)
    enough = counts > dof + 1
    sigma[enough] = np.sqrt(sq[enough] / counts[enough, None]) / (1 - dof / counts[enough, None])
    if not enough[0]:
        # Too few in-sample errors: the spread of the differences (a random walk).
        spread = np.concatenate([np.diff(s, axis=0) for s in z if len(s) > 1])
        sigma[0] = np.sqrt(np.mean(spread**2, axis=0)) if len(spread) else 1.0
        enough[0] = True
    last = 0
    for h in range(n_steps):
        if enough[h]:
            last = h
        else:
            sigma[h] = sigma[last] * np.sqrt((h + 1) / (last + 1))
    # In-sample h-step errors are optimistic (the fit has seen those very steps); the
    # h-step error the fitted recursion implies from its one-step error is a floor.
    sigma = np.maximum(sigma, implied_error_scale(model, sigma[0], n_steps))
    return sigma, max(counts[0] - dof, 1.0)


def implied_error_scale(model, one_step_sigma, n_steps):
    """Error scale (n_steps, c) of the level that the fitted recursion implies.

    With innovations of scale ``one_step_sigma`` (independent across channels), the
    ``h``-step error is ``sum_{k<h} psi_k e_{t+h-k}``, where ``psi_k`` is the impulse
    response of the autoregression ``w_t = sum_j A_j w_{t-j}``
    (:meth:`ForecastDesign.recursion`) passed through the inverse of the differencing.
    """
    A = model.design.recursion(model.one_step["coef"])  # (memory, c, c)
    poly = model.config.poly
    c = len(one_step_sigma)
    psi_w = np.zeros((n_steps, c, c))
    psi_z = np.zeros((n_steps, c, c))
    for k in range(n_steps):
        psi_w[k] = np.eye(c) if k == 0 else 0.0
        for j in range(1, min(k, len(A)) + 1):
            psi_w[k] += A[j - 1] @ psi_w[k - j]
        lags = range(1, min(k, len(poly) - 1) + 1)
        psi_z[k] = psi_w[k] - sum(poly[j] * psi_z[k - j] for j in lags)
    variance = np.cumsum(np.einsum("kij,j->ki", psi_z**2, one_step_sigma**2), axis=0)
    return np.sqrt(variance)


def estimation_variance(model, z, exog_future, n_steps):
    """Variance (n_series, n_steps, c) of each level forecast from coefficient error.

    First-order (delta method) propagation of the one-step model's coefficient
    covariance (:meth:`RidgeSolution.parameter_directions`) through the recursion from
    each series' own last window: for a direction ``(dA, db)`` of the parameters, the
    forecast path moves by ``d_i = (dA x_i + db) + A_own(d_{<i})`` (``x_i`` the features
    of step ``i`` along the forecast path), then integrated like the forecasts. Exact
    for the random walk with drift (``sigma^2 h^2 / n``). Horizons forecast directly use
    the recursive model's value.
    """
    one = model.one_step
    d_coef, d_intercept = one["solution"].parameter_directions(
        one["alpha"], coefficients_used=one["rule"] != "mean"
    )
    windows, _ = model.origins_batch(z, [[len(s)] for s in z])
    design, poly = model.design, model.config.poly
    _, features = recursive_forecast(
        design, windows, exog_future, one["coef"], one["intercept"], n_steps,
        return_features=True,
    )  # fmt: skip
    # Perturbation of each step's prediction: (directions, series, steps, channels).
    forcing = np.einsum("bip,kcp->kbic", features, d_coef) + d_intercept[:, None, None]
    k, B, _, c = forcing.shape
    moved = propagate(design, one["coef"][:, : design.n_own], forcing.reshape(k * B, n_steps, c))
    moved = integrate(np.zeros((k * B, len(poly) - 1, c)), moved, poly)
    return np.sum(moved.reshape(k, B, n_steps, c) ** 2, axis=0)


def final_in_sample_errors(models, n_steps):
    """Errors of the final forecast from in-sample origins, without refitting.

    From every origin ``o`` of series ``i`` (:func:`~._combination.in_sample_origins`)
    the forecast the forecaster would make from ``z_i[:o]`` with its fitted
    coefficients: every member from ``o`` (:meth:`GlobalModels.origin_members`: the
    models' mean, damping and drift shrinkage on ``z_i[:o]``, Theta and the damped
    trend), combined with the series' own weights (:meth:`GlobalModels.weights`), the
    weights of its forecast after the series.

    Parameters
    ----------
    models : GlobalModels
    n_steps : int

    Returns
    -------
    list of ndarray of shape (n_origins_i, n_steps, c)
        Per series: observed minus forecast, NaN beyond the series' end.
    """
    z, _ = models.panel.series()
    origins, forecasts, per_origin = weighted_origin_members(models, n_steps)
    if not any(origins):
        return [np.zeros((0, n_steps, s.shape[1])) for s in z]
    return origin_errors(z, origins, combine_members(forecasts, per_origin))


def weighted_origin_members(models, n_steps):
    """The members' forecasts from every in-sample origin and their weights there.

    ``(origins, forecasts, weights)``: :meth:`GlobalModels.origin_members` and, per
    origin (in the same order), the weights of its series' final forecast
    (:meth:`GlobalModels.weights`), shape ``(n_origins, len(MEMBERS))``: what
    :func:`final_in_sample_errors` combines.
    """
    origins, forecasts = models.origin_members(n_steps)
    per_origin = np.repeat(models.weights(n_steps), [len(o) for o in origins], axis=0)
    return origins, forecasts, per_origin


def calibration_sums(errors, spread, memory=CALIBRATION_MEMORY):
    """Per-horizon weighted sums of the squared ratios and of the weights, (n_steps,) each.

    Each error of :func:`final_in_sample_errors` is divided by the spread predicted for
    its horizon, the ratio winsorized at :data:`CALIBRATION_CLIP`; the ratios from the
    origin ``a`` points before the series' last origin weigh ``w = exp(-a / memory)``
    (every series and channel of a panel together). :func:`in_sample_calibration` is
    made of these sums (as are the per-horizon factors measured in
    ``benchmarks/interval_candidates.py``).

    Parameters
    ----------
    errors : list of ndarray of shape (n_origins_i, n_steps, c)
    spread : ndarray of shape (n_series, n_steps, c)
    memory : float or None, default=CALIBRATION_MEMORY
        None weighs every origin alike.

    Returns
    -------
    sum_sq, total : ndarray of shape (n_steps,)
        ``sum w r^2`` and ``sum w`` at each horizon.
    """
    n_steps = spread.shape[1]
    sum_sq, total = np.zeros(n_steps), np.zeros(n_steps)
    for series_errors, series_spread in zip(errors, spread, strict=True):
        steps = series_errors.shape[1]
        ratio = series_errors / series_spread[None, :steps]
        finite = np.isfinite(ratio)
        ratio = np.clip(np.where(finite, ratio, 0.0), -CALIBRATION_CLIP, CALIBRATION_CLIP)
        age = np.arange(len(ratio))[::-1].astype(float)
        weight = np.ones_like(age) if memory is None else np.exp(-age / memory)
        weight = weight[:, None, None] * finite
        sum_sq[:steps] += np.sum(weight * ratio**2, axis=(0, 2))
        total[:steps] += np.sum(weight, axis=(0, 2))
    return sum_sq, total


def in_sample_calibration(errors, spread, memory=CALIBRATION_MEMORY):
    """Scale factor of the interval widths from the final forecast's in-sample errors.

    Each error of :func:`final_in_sample_errors` is divided by the spread predicted for
    its horizon (``spread``: the model's, (n_series, n_steps, c)), the ratio winsorized
    at :data:`CALIBRATION_CLIP`. The ratios from the origin ``a`` points before the
    series' last origin weigh ``w = exp(-a / memory)`` (the recent errors say more about
    the next ones: trends and volatility change); with the weights of every series of a
    panel together (:func:`calibration_sums`, every horizon),

    ``kappa^2 = (CALIBRATION_PRIOR + sum w r^2) / (CALIBRATION_PRIOR + sum w)``,

    the model's own spread counting as :data:`CALIBRATION_PRIOR` ratios of 1. The
    model's spread is that of the best configuration's recursion alone; ``kappa``
    carries it to the forecast actually made (the combination, damping, drift
    shrinkage and Theta average), wider or narrower.

    Parameters
    ----------
    errors : list of ndarray of shape (n_origins_i, n_steps, c)
        Per series, from consecutive origins ending at the series' last
        (:func:`~._combination.in_sample_origins`).
    spread : ndarray of shape (n_series, n_steps, c)
    memory : float or None, default=CALIBRATION_MEMORY
        Time scale of the weights, in time points; None weighs every origin alike.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> errors = [np.full((8, 2, 1), 2.0)]  # every error twice its spread of 1
    >>> round(in_sample_calibration(errors, np.ones((1, 2, 1)), memory=None), 4)
    1.8439
    >>> round(in_sample_calibration(errors, np.ones((1, 2, 1))), 4)  # recent weigh more
    1.8207
    """
    sum_sq, total = calibration_sums(errors, spread, memory)
    return float(np.sqrt((CALIBRATION_PRIOR + sum_sq.sum()) / (CALIBRATION_PRIOR + total.sum())))


def in_sample_dof(errors, n_steps, nu):
    """Student-t degrees of freedom (n_steps,) of the calibrated widths, per horizon.

    ``CALIBRATION_PRIOR + n_h / h``: the calibration is a variance estimated from the
    prior's pseudo-errors and the ``n_h`` in-sample ``h``-step errors of
    :func:`final_in_sample_errors` (every series of a panel together), of which about
    ``n_h / h`` do not overlap. Without in-sample errors, the model's ``nu`` at every
    horizon.

    Parameters
    ----------
    errors : list of ndarray of shape (n_origins_i, n_steps, c)
        Per series, NaN beyond the series' end.
    n_steps : int
    nu : float
        The model's dof.

    Returns
    -------
    ndarray of shape (n_steps,)

    Examples
    --------
    >>> import numpy as np
    >>> errors = [np.ones((12, 3, 1))]
    >>> errors[0][-1:, 1], errors[0][-2:, 2] = np.nan, np.nan  # beyond the series' end
    >>> in_sample_dof(errors, 3, 30.0).round(2).tolist()  # 4 + 12/1, 4 + 11/2, 4 + 10/3
    [16.0, 9.5, 7.33]
    """
    counts = np.zeros(n_steps)
    for series_errors in errors:
        counts += np.sum(np.all(np.isfinite(series_errors), axis=-1), axis=0)
    if not counts[0]:
        return np.full(n_steps, float(nu))
    return CALIBRATION_PRIOR + counts / np.arange(1, n_steps + 1)


class TruncatedPanel:
    """A panel's series without their last ``k`` time points: one backtest origin.

    Offers what :class:`~._global.GlobalModels` reads from a panel. Every series is
    forecast from its own truncated end (no lags); the exogenous rows of the next ``k``
    steps come from the stored data, so a forecast of at most ``k`` steps needs no ``X``.

    Parameters
    ----------
    panel : Panel
    k : int
        Time points dropped from the end of every series.
    """

    def __init__(self, panel, k):
        z, e = panel.series()
        self.k, self._e, self._panel = k, e, panel
        self.z = [s[:-k] for s in z]
        self.e = None if e is None else [x[:-k] for x in e]
        self.lags = [0] * len(z)

    def series(self):
        return self.z, self.e

    def future_index(self, n_steps, cutoff):
        """The full panel's (:meth:`exog_through` reads only its length)."""
        return self._panel.future_index(n_steps, cutoff)

    def exog_through(self, X, future):
        """Stored exogenous rows through ``len(future)`` steps after the truncation."""
        if self._e is None:
            return None
        return [x[: len(x) - self.k + len(future)] for x in self._e]


def backtest_calibration(models, params, n_steps, cutoff, nu):
    """Scale factor of the interval widths, and the t dof, from rolling-origin refits.

    For ``k = 1, ..., params.interval_backtests`` (while every truncated series keeps at
    least :data:`MIN_BACKTEST_LENGTH` and ``2 sp + 2`` points) the whole forecaster
    (configuration search, combination, shrinkage and intervals) is refitted without the
    last ``k`` points of every series, and forecasts the ``min(k, n_steps)`` held-out
    steps. Each error is divided by the spread the refit predicts for it, the ratio
    winsorized at ``CALIBRATION_CLIP`` (one error from a break does not set the widths);
    with ``r^2`` the mean of the squared ratios of one series and origin (``m`` of them
    in all),

    ``kappa^2 = (CALIBRATION_PRIOR + sum r^2) / (CALIBRATION_PRIOR + m)``,

    the model's own spread counting as ``CALIBRATION_PRIOR`` pseudo-origins with ratio 1.
    The widths are multiplied by ``kappa`` and the quantiles are Student-t with
    ``CALIBRATION_PRIOR + m`` degrees of freedom (``kappa^2`` is a variance estimated from
    that many ratios). Without an admissible origin the widths stay and ``nu`` is kept.

    Returns
    -------
    kappa : float
    nu : float, or the given ``nu`` without an admissible origin
    """
    z, _ = models.panel.series()
    shortest = min(len(s) for s in z)
    sum_sq, count = 0.0, 0
    for k in range(1, params.interval_backtests + 1):
        if shortest - k < max(MIN_BACKTEST_LENGTH, 2 * models.sp + 2):
            break
        refit = type(models)(params, TruncatedPanel(models.panel, k), models.sp,
                             len(models.best.horizons))  # fmt: skip
        refit.solve(params.alpha, params.strategy)
        steps = np.arange(1, min(k, n_steps) + 1)
        center = refit.future_path(None, len(steps), cutoff)
        spread, _ = refit.model_spread(steps, None, cutoff)
        actual = np.stack([s[len(s) - k : len(s) - k + len(steps)] for s in z])
        ratio = np.clip((actual - center) / spread, -CALIBRATION_CLIP, CALIBRATION_CLIP)
        sum_sq += float(np.sum(np.mean(ratio**2, axis=1)))
        count += ratio.shape[0] * ratio.shape[2]
    if not count:
        return 1.0, nu
    kappa = np.sqrt((CALIBRATION_PRIOR + sum_sq) / (CALIBRATION_PRIOR + count))
    return float(kappa), float(CALIBRATION_PRIOR + count)
