"""The members of the final forecast and their combination weights.

The point forecast of :class:`~._global.GlobalModels` combines up to three members per
series, each a forecast of the standardized levels:

- ``"models"``: the mean of the ``n_combined`` GCV-best linear models, without a season
  (and without exogenous data) damped and shrunk toward the drift
  (:func:`~._model.damp_increments`, :func:`~._model.shrink_toward_drift`);
- ``"theta"``: the classical Theta forecast (:mod:`._theta`);
- ``"damped_trend"``: the damped Holt forecast, from
  :data:`~._damped_trend.MIN_AICC_LENGTH` points the exponential smoothing chosen by
  AICc (:func:`~._damped_trend.fit_trend_member`), for a trend without a season only.

:func:`fixed_weights` gives their weights from ``theta_weight`` and
``damped_trend_weight``; :func:`in_sample_weights` moves them per series toward
the members with the smaller in-sample errors. :func:`origin_members` runs every
member from the series' in-sample origins with the fitted coefficients (no refit):
the forecasts :func:`in_sample_weights` scores and the in-sample calibration of the
intervals uses.
"""

from __future__ import annotations

import numpy as np

from ._damped_trend import damped_trend_origin_forecasts
from ._design import rows_from
from ._model import MAX_RESIDUAL_ORIGINS, damp_increments, damping_factors, shrink_toward_drift
from ._theta import theta_origin_forecasts

#: The members, in the order of a weight vector.
MEMBERS = ("models", "theta", "damped_trend")
#: First in-sample origin of :func:`origin_members` (a drift needs 2 points).
MIN_IN_SAMPLE_ORIGIN = 3
#: Smallest ``1 - dof / n`` of the models' GCV-form in-sample error (:func:`in_sample_weights`).
MIN_GCV_DENOMINATOR = 0.05


def fit_channels(series, fit_one):
    """``fit_one`` of every channel of every series: a member's fits.

    Parameters
    ----------
    series : list of ndarray of shape (n_i, c)
    fit_one : callable
        One channel (ndarray of shape (n_i,)) to its fit (anything with
        ``forecast(horizon)``: :class:`~._theta.ThetaFit`,
        :class:`~._damped_trend.DampedTrendFit`).

    Returns
    -------
    list of list
        Per series, per channel.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.forecasting._theta import fit_theta
    >>> fits = fit_channels([np.arange(10.0)[:, None]], fit_theta)
    >>> fitted_paths(fits, 2)[:, :, 0].round(3).tolist()  # alpha = 1 on a line
    [[9.5, 10.0]]
    """
    return [[fit_one(s[:, c]) for c in range(s.shape[1])] for s in series]


def fitted_paths(fits, horizon):
    """Forecasts (n_series, horizon, c) of :func:`fit_channels`' fits.

    Parameters
    ----------
    fits : list of list
        Per series, per channel, each with ``forecast(horizon)``.
    horizon : int

    Returns
    -------
    ndarray of shape (n_series, horizon, c)
    """
    return np.stack([np.stack([fit.forecast(horizon) for fit in channels], axis=1)
                     for channels in fits])  # fmt: skip


def fixed_weights(models):
    """Weights (len(MEMBERS),) of the members from ``theta_weight``, ``damped_trend_weight``.

    The models' forecast is averaged with Theta by ``theta_weight``, the result with the
    damped trend by ``damped_trend_weight``: ``(1 - t)(1 - d)``, ``t (1 - d)``, ``d``. A
    member :meth:`GlobalModels.uses` leaves out has weight 0.

    Parameters
    ----------
    models : GlobalModels

    Returns
    -------
    ndarray of shape (3,)
        Summing to 1.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> models = SimpleNamespace(theta_weight=0.5, damped_trend_weight=0.25,
    ...                          uses=lambda name: True)
    >>> fixed_weights(models).tolist()
    [0.375, 0.375, 0.25]
    """
    weights = np.array([1.0, 0.0, 0.0])
    for k, (name, weight) in enumerate(
        (("theta", models.theta_weight), ("damped_trend", models.damped_trend_weight)), start=1
    ):
        if models.uses(name):
            weights *= 1 - weight
            weights[k] = weight
    return weights


def member_paths(models, paths, histories, members):
    """Every member's forecasts (len(MEMBERS), B, n_steps, c); a member not used is NaN.

    Parameters
    ----------
    models : GlobalModels
    paths : ndarray of shape (n_models, B, n_steps, c)
        The models' forecasts continuing ``histories``.
    histories : list of ndarray of shape (n_b, c)
        The B observed series (or truncated series) the paths continue.
    members : callable
        ``members(name, n_steps)``: the "theta" or "damped_trend" forecasts (B, n_steps, c).
    """
    path = np.mean(paths, axis=0)
    # No season: a damped trend, shrunk toward the drift. Not with exogenous X: the
    # increments then follow X, which neither the damping nor the drift line describes
    # (as Theta and the damped-trend member are left out, GlobalModels.uses).
    if models.sp == 1 and models.panel.e is None:
        damping = damping_factors(models.damping, [len(s) for s in histories])
        path = damp_increments(np.stack([s[-1] for s in histories]), path, damping)
        path = np.stack([shrink_toward_drift(s, p, models.drift_prior_length)
                         for s, p in zip(histories, path, strict=True)])  # fmt: skip
    out = np.full((len(MEMBERS), *path.shape), np.nan)
    out[0] = path
    for k, name in enumerate(MEMBERS[1:], start=1):
        if models.uses(name):
            out[k] = members(name, path.shape[1])
    return out


def combine_members(forecasts, weights):
    """``sum_k weights[k] forecasts[k]`` over the members with a weight.

    Parameters
    ----------
    forecasts : ndarray of shape (len(MEMBERS), B, n_steps, c)
    weights : ndarray of shape (len(MEMBERS),) or (B, len(MEMBERS))
        One weight vector, or one per forecast.

    Returns
    -------
    ndarray of shape (B, n_steps, c)

    Examples
    --------
    >>> import numpy as np
    >>> forecasts = np.stack([np.zeros((2, 1, 1)), np.ones((2, 1, 1)), np.full((2, 1, 1), np.nan)])
    >>> combine_members(forecasts, np.array([[0.5, 0.5, 0.0], [0.25, 0.75, 0.0]])).ravel().tolist()
    [0.5, 0.75]
    """
    weights = np.broadcast_to(weights, (forecasts.shape[1], len(MEMBERS)))
    total = np.zeros(forecasts.shape[1:])
    for k in range(len(MEMBERS)):
        used = weights[:, k] > 0
        total[used] += weights[used, k, None, None] * forecasts[k, used]
    return total


def origin_errors(z, origins, forecasts):
    """Observed minus forecast from every in-sample origin, per series.

    Parameters
    ----------
    z : list of ndarray of shape (n_i, c)
    origins : list of list of int
        Per series (:func:`in_sample_origins`).
    forecasts : ndarray of shape (..., n_origins, n_steps, c)
        From the origins of all series in order (leading axes, e.g. the members, kept).

    Returns
    -------
    list of ndarray of shape (..., len(origins_i), n_steps, c)
        ``z_i[o + h - 1] - forecast``; NaN beyond the series' end.

    Examples
    --------
    >>> import numpy as np
    >>> z = [np.arange(5.0)[:, None]]
    >>> origin_errors(z, [[3, 4]], np.full((2, 2, 1), 3.0))[0][:, :, 0].tolist()
    [[0.0, 1.0], [1.0, nan]]
    """
    n_steps = forecasts.shape[-2]
    errors, b = [], 0
    for s, series_origins in zip(z, origins, strict=True):
        shape = (*forecasts.shape[:-3], len(series_origins), n_steps, s.shape[1])
        out = np.full(shape, np.nan)
        for row, o in enumerate(series_origins):
            k = min(n_steps, len(s) - o)
            out[..., row, :k, :] = s[o : o + k] - forecasts[..., b, :k, :]
            b += 1
        errors.append(out)
    return errors


def in_sample_origins(models):
    """Per series, the in-sample origins of :func:`origin_members` (list of list of int).

    The last :data:`~._model.MAX_RESIDUAL_ORIGINS` origins, each at least
    :data:`MIN_IN_SAMPLE_ORIGIN` and the lags of every combined model.
    """
    z, _ = models.panel.series()
    first = max(MIN_IN_SAMPLE_ORIGIN,
                *(m.config.q + max(m.start, 1) for m in models.models))  # fmt: skip
    return [list(range(max(first, len(s) - MAX_RESIDUAL_ORIGINS), len(s))) for s in z]


def origin_members(models, n_steps, origins=None):
    """Every member's forecasts from in-sample origins, without refitting.

    From origin ``o`` of series ``i`` the forecast each member would make from
    ``z_i[:o]`` with its fitted coefficients: the models' mean, damping and drift
    shrinkage on ``z_i[:o]``, the Theta forecast
    (:func:`~._theta.theta_origin_forecasts`: level and slope of ``z_i[:o]``, the SES
    weight and season of the whole series' fit) and the damped trend's
    (:func:`~._damped_trend.damped_trend_origin_forecasts`: the fitted recursion's
    states after ``z_i[:o]``). The models are linear, so one batch serves every origin.

    Parameters
    ----------
    models : GlobalModels
    n_steps : int
    origins : list of list of int, optional
        Per series; default :func:`in_sample_origins`. Origin ``len(z_i)`` gives the
        forecast after the series.

    Returns
    -------
    origins : list of list of int
    forecasts : ndarray of shape (len(MEMBERS), n_origins, n_steps, c)
        Origins of all series in order; NaN for a member not used.
    """
    z, e = models.panel.series()
    origins = in_sample_origins(models) if origins is None else origins
    c = z[0].shape[1]
    if not any(origins):
        return origins, np.zeros((len(MEMBERS), 0, n_steps, c))
    paths = []
    for model, strategies in zip(models.models, models.strategies, strict=True):
        windows, z_last = model.origins_batch(z, origins)
        exog = None
        if e is not None:
            cfg = model.config
            exog = np.stack([
                rows_from(model.design.exog(e[i][cfg.q :]), o - cfg.q, n_steps)
                for i in range(len(z)) for o in origins[i]
            ])  # fmt: skip
        paths.append(model.forecast(windows, z_last, exog, n_steps, strategies))
    histories = [s[:o] for s, series_origins in zip(z, origins, strict=True)
                 for o in series_origins]  # fmt: skip
    origin_forecasts = {"theta": theta_origin_forecasts,
                        "damped_trend": damped_trend_origin_forecasts}  # fmt: skip

    def members(name, length):
        fits, forecasts = models.member_fits(name), origin_forecasts[name]
        return np.concatenate([
            np.stack([forecasts(s[:, j], fit, length, o) for j, fit in enumerate(channels)],
                     axis=-1)
            for s, channels, o in zip(z, fits, origins, strict=True) if o
        ])  # fmt: skip

    return origins, member_paths(models, paths, histories, members)


def in_sample_weights(models, n_steps, forecasts=None):
    """Per-series member weights (n_series, len(MEMBERS)) from their in-sample errors.

    Each member's mean square ``h``-step error (``h <= n_steps``) over the series' in-sample
    origins (:func:`origin_members`), the models' in the GCV form
    ``MSE / (1 - dof / n)^2`` (their in-sample errors have seen the fit; ``dof`` and
    ``n`` of the best model's one-step ridge), gives inverse-MSE weights over the members
    :func:`fixed_weights` uses. They are shrunk toward the fixed weights by the number
    of origins ``R`` of the series: ``lam = R^2 / (R^2 + P^2)``, ``P`` the
    ``weight_prior_origins`` of ``models`` (None: the fixed weights).

    Parameters
    ----------
    models : GlobalModels
    n_steps : int
    forecasts : tuple, optional
        :func:`origin_members` ``(origins, forecasts)`` of ``models`` at ``n_steps``.

    Returns
    -------
    ndarray of shape (n_series, len(MEMBERS))
        Each row sums to 1.
    """
    z, _ = models.panel.series()
    fixed = fixed_weights(models)
    weights = np.tile(fixed, (len(z), 1))
    prior = models.weight_prior_origins
    used = fixed > 0
    if prior is None or used.sum() < 2:
        return weights
    origins, paths = origin_members(models, n_steps) if forecasts is None else forecasts
    one = models.best.one_step
    inflation = max(1.0 - one["dof"] / max(one["n"], 1), MIN_GCV_DENOMINATOR) ** -2
    errors = origin_errors(z, origins, paths)
    for i, series_errors in enumerate(errors):
        R = series_errors.shape[1]
        if R == 0:
            continue
        sq = series_errors**2
        mse = np.full(len(MEMBERS), np.nan)
        mse[used] = np.nanmean(sq[used].reshape(used.sum(), -1), axis=1)
        mse[0] *= inflation
        mse = mse[used]
        if not np.isfinite(mse).all() or mse.max() <= 0:
            continue
        inverse = 1.0 / np.maximum(mse, 1e-9 * mse.max())
        lam = R**2 / (R**2 + prior**2) if prior > 0 else 1.0
        weights[i, used] = (1 - lam) * fixed[used] + lam * inverse / inverse.sum()
    return weights
