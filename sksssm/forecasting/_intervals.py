"""Prediction intervals: the model's h-step error plus the coefficients' estimation error.

Both parts are variances of the standardized (transformed) levels; the forecaster maps
Student-t quantiles of their sum to y's units.
"""

from __future__ import annotations

import numpy as np

from ._design import integrate, propagate, recursive_forecast, rows_from
from ._model import MAX_RESIDUAL_ORIGINS

#: Smallest error scale of an h-step forecast, times sqrt(h) (standardized units).
SPREAD_FLOOR = 1e-3


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
