"""Interval candidates of issue 22 measured in :mod:`benchmarks.m3_intervals` and not kept.

``SpectralForecaster`` never uses them, so they live with their measurement (moved out of
``sksssm.forecasting`` in session 38). Each is built on the library's own quantities
(:meth:`GlobalModels.origin_members`, :meth:`GlobalModels.weights`,
:meth:`GlobalModels.future_members`, :func:`~sksssm.forecasting._combination.combine_members`,
:func:`~sksssm.forecasting._intervals.calibration_sums`,
:func:`~sksssm.forecasting._intervals.in_sample_calibration`), so the candidates and
the default see the same members, weights, errors and calibration.

- "horizon factors n_h/h (candidate B)": :func:`horizon_calibration`, one factor per
  horizon shrunk toward the pooled ``kappa``;
- "mixture spread calibrated (candidate M)": :func:`mixture_factor`, the combination's
  between-member variance (:func:`between_member_variance`, :func:`in_sample_between`)
  added to the model's variance at the in-sample origins and after the series,
  ``kappa`` calibrating the sum (:func:`mixture_calibration`);
- "member envelope (candidate E)" and "envelope with the unhedged trend (candidate U)"
  (session 39, :mod:`benchmarks.m3_trend_bias`): :func:`envelope_quantiles`, the lower
  bound from the lowest of a set of forecast paths and the upper from the highest, each
  with the calibrated spread.

The argument, rules and results are in the docstrings of :mod:`benchmarks.m3_intervals`
and (candidates E and U) :mod:`benchmarks.m3_trend_bias`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from sksssm.forecasting._combination import combine_members
from sksssm.forecasting._intervals import (
    CALIBRATION_MEMORY,
    CALIBRATION_PRIOR,
    calibration_sums,
    in_sample_calibration,
    weighted_origin_members,
)


def between_member_variance(forecasts, weights):
    """``sum_k weights[k] (forecasts[k] - combined)^2``: the members' spread about the combination.

    With the combined forecast read as the mixture of its members (member ``k`` with
    probability ``weights[k]``), the law of total variance splits the mixture's variance
    into the weighted mean of the members' variances and this between-member part. A
    forecast with one member (weight 1) has none. The weighted sum is the library's
    :func:`~sksssm.forecasting._combination.combine_members` of the squared gaps (a
    member without weight, NaN if not used, is left out there).

    Parameters
    ----------
    forecasts : ndarray of shape (len(MEMBERS), B, n_steps, c)
    weights : ndarray of shape (len(MEMBERS),) or (B, len(MEMBERS))

    Returns
    -------
    ndarray of shape (B, n_steps, c)

    Examples
    --------
    >>> import numpy as np
    >>> forecasts = np.stack([np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), np.nan)])
    >>> between_member_variance(forecasts, np.array([0.75, 0.25, 0.0])).ravel().tolist()
    [0.1875]
    """
    return combine_members((forecasts - combine_members(forecasts, weights)) ** 2, weights)


def in_sample_between(models, n_steps):
    """The between-member variance at every in-sample origin, per series.

    The members from the origins of
    :func:`~sksssm.forecasting._intervals.final_in_sample_errors` with the series' own
    weights (:func:`~sksssm.forecasting._intervals.weighted_origin_members`), as the
    final forecast combines them there.

    Parameters
    ----------
    models : GlobalModels
    n_steps : int

    Returns
    -------
    list of ndarray of shape (n_origins_i, n_steps, c)
        Aligned with ``final_in_sample_errors(models, n_steps)``.
    """
    origins, forecasts, per_origin = weighted_origin_members(models, n_steps)
    between = between_member_variance(forecasts, per_origin)
    return np.split(between, np.cumsum([len(o) for o in origins])[:-1])


def mixture_calibration(errors, spread, between, memory=CALIBRATION_MEMORY):
    """Candidate M's factor ``kappa_M`` of the mixture's spread ``sqrt(s_h^2 + B)``.

    The default's calibration
    (:func:`~sksssm.forecasting._intervals.in_sample_calibration`) of the ratios
    ``e_o / sqrt(s_h^2 + B_o)``: each in-sample error over the mixture's spread at its
    origin. They are handed to it as the errors rescaled by ``s_h / sqrt(s_h^2 + B_o)``
    over the model's spread ``s_h`` (the same ratios up to rounding).

    Parameters
    ----------
    errors : list of ndarray of shape (n_origins_i, n_steps, c)
        :func:`~sksssm.forecasting._intervals.final_in_sample_errors`.
    spread : ndarray of shape (n_series, n_steps, c)
        The model's spread (:func:`~sksssm.forecasting._intervals.forecast_spread`).
    between : list of ndarray of shape (n_origins_i, n_steps, c)
        :func:`in_sample_between`.
    memory : float or None, default=CALIBRATION_MEMORY

    Returns
    -------
    float
    """
    rescaled = [e / np.sqrt(1 + b / s[None] ** 2)
                for e, b, s in zip(errors, between, spread, strict=True)]  # fmt: skip
    return in_sample_calibration(rescaled, spread, memory)


def mixture_factor(models, errors, spread, n_steps, cutoff):
    """Candidate M as a factor (n_series, n_steps, c) of the model's spread.

    The predicted variance is the mixture's, ``s^2 + B``, at the in-sample origins and
    after the series: ``kappa_M`` (:func:`mixture_calibration`) times
    ``sqrt(s_h^2 + B_h)`` after the series, i.e. ``kappa_M sqrt(1 + B_h / s_h^2)``
    times the model's spread ``s_h``, which the forecaster's calibrated factor
    multiplies.

    Parameters
    ----------
    models : GlobalModels
    errors : list of ndarray of shape (n_origins_i, n_steps, c)
        :func:`~sksssm.forecasting._intervals.final_in_sample_errors` at ``n_steps``.
    spread : ndarray of shape (n_series, n_steps, c)
        The model's spread (:func:`~sksssm.forecasting._intervals.forecast_spread`).
    n_steps : int
    cutoff : the forecaster's cutoff
        For :meth:`GlobalModels.future_members`.

    Returns
    -------
    ndarray of shape (n_series, n_steps, c)
    """
    kappa = mixture_calibration(errors, spread, in_sample_between(models, n_steps))
    final = between_member_variance(
        models.future_members(None, n_steps, cutoff), models.weights(n_steps)
    )
    return kappa * np.sqrt(1 + final / spread**2)


def horizon_calibration(errors, spread, independent=False, memory=CALIBRATION_MEMORY):
    """Scale factors (n_steps,) per horizon, each shrunk toward the pooled factor.

    The pooled factor ``kappa`` of
    :func:`~sksssm.forecasting._intervals.in_sample_calibration` takes most of its errors
    from the short horizons (every origin reaches ``h = 1``, few reach the last), so a
    forecast whose errors grow faster with ``h`` than the model's spread (a short series
    whose trend turns within the horizon) gets too narrow long horizons. At horizon
    ``h`` the factor is the horizon's own calibration with ``kappa`` as its prior, worth
    ``CALIBRATION_PRIOR`` ratios:

    ``kappa_h^2 = (CALIBRATION_PRIOR kappa^2 + S_h / m) / (CALIBRATION_PRIOR + W_h / m)``

    (``S_h = sum w r^2``, ``W_h = sum w`` over the ``h``-step ratios,
    :func:`~sksssm.forecasting._intervals.calibration_sums`), ``m = 1`` counting every
    ratio as one error (candidate A, removed after the development run), or ``m = h``
    with ``independent`` (candidate B: consecutive origins' ``h``-step errors share
    ``h - 1`` steps, so ``n_h`` of them hold about ``n_h / h`` independent errors, the
    count of :func:`~sksssm.forecasting._intervals.in_sample_dof`). The fewer a
    horizon's errors, the closer its factor to ``kappa``; without errors it is ``kappa``.

    Parameters
    ----------
    errors : list of ndarray of shape (n_origins_i, n_steps, c)
    spread : ndarray of shape (n_series, n_steps, c)
    independent : bool, default=False
        Whether a horizon's ratios count as ``n_h / h`` errors (else ``n_h``).
    memory : float or None, default=CALIBRATION_MEMORY

    Returns
    -------
    ndarray of shape (n_steps,)

    Examples
    --------
    >>> import numpy as np
    >>> errors = [np.array([[1.0, 2.0], [1.0, np.nan]])[:, :, None]]  # ratio 2 at h = 2
    >>> horizon_calibration(errors, np.ones((1, 2, 1)), memory=None).round(4).tolist()
    [1.1339, 1.3939]
    """
    sum_sq, total = calibration_sums(errors, spread, memory)
    pooled_sq = in_sample_calibration(errors, spread, memory) ** 2
    evidence = np.arange(1, len(sum_sq) + 1) if independent else 1
    return np.sqrt((CALIBRATION_PRIOR * pooled_sq + sum_sq / evidence)
                   / (CALIBRATION_PRIOR + total / evidence))  # fmt: skip


def envelope_quantiles(paths, center, spread, nu, alphas):
    """Quantiles (n_steps, len(alphas)) of the envelope of ``paths``, in modelled units.

    Below the median the quantile is the lowest path plus the Student-t quantile times
    the spread, above it the highest path plus it, at ``alpha = 1/2`` the point forecast:

    ``q(a) = min_k paths_k + t_a(nu) s`` (``a < 1/2``), ``center`` (``a = 1/2``),
    ``max_k paths_k + t_a(nu) s`` (``a > 1/2``).

    With the point forecast among the paths each bound is at least as far out as the
    symmetric one; with one path equal to ``center`` it is the symmetric quantile.

    Parameters
    ----------
    paths : ndarray of shape (n_paths, n_steps)
        NaN for a path not used (a member without weight).
    center : ndarray of shape (n_steps,)
        The point forecast.
    spread, nu : ndarray of shape (n_steps,)
        The calibrated spread and the t dof (:meth:`GlobalModels.spread`).
    alphas : sequence of float in (0, 1)

    Returns
    -------
    ndarray of shape (n_steps, len(alphas))

    Examples
    --------
    >>> import numpy as np
    >>> paths = np.array([[0.0, 0.0], [1.0, 2.0], [np.nan, np.nan]])
    >>> q = envelope_quantiles(paths, np.array([0.5, 1.0]), np.ones(2), np.full(2, 1e9),
    ...                        [0.025, 0.5, 0.975])
    >>> q.round(2).tolist()
    [[-1.96, 0.5, 2.96], [-1.96, 1.0, 3.96]]
    """
    low, high = np.nanmin(paths, axis=0), np.nanmax(paths, axis=0)
    columns = []
    for a in alphas:
        base = low if a < 0.5 else high if a > 0.5 else center
        columns.append(base + stats.t.ppf(a, nu) * spread)
    return np.stack(columns, axis=-1)
