"""Candidate members and damping rules for series without a season (M3 ablation rows).

Issue 22 ("other" and quarterly sMAPE): the default's hedges (the models' damping
``max(1 - 5 / n, 0.5)``, the fixed member weights) help the short yearly series and hurt
the long non-seasonal "other" series. These candidates recompute the default's
combination on the same fit (:func:`candidate_forecasts`) with one change each; they are
rows of :mod:`benchmarks.m3_ablation` and not part of the library (none was adopted: see
the ``m3_ablation`` and ``m3_ablation_offset1`` sections of ``docs/benchmarks.md``).
Session 38 adopted ``ETS AICc choice`` only for series of at least 51 points
(:func:`sksssm.forecasting._damped_trend.fit_trend_member`, measured by
:mod:`benchmarks.m3_member_weights`): since then the default's member is that choice on
those series, and these rows compare against that default.

- ``ETS AICc weights``: the damped-trend member replaced by exponential smoothing chosen
  like AutoETS (Hyndman et al. 2002, 2008): simple exponential smoothing (ANN), Holt
  (AAN, ``phi = 1``) and damped Holt (AAdN), each fitted by least one-step squared error
  on the damped-trend member's grid (:mod:`sksssm.forecasting._damped_trend`), averaged
  with Akaike weights ``exp(-AICc / 2)``, ``AICc = m log(SSE / m) + 2k + 2k(k+1)/(m-k-1)``
  (``m = n - 1`` one-step errors; ``k`` = 2, 4, 5: the smoothing parameters, the damping
  and the initial states);
- ``ETS AICc choice``: the one with the least AICc instead;
- ``ETS AICc weights, damping 2.5/n``: with the models' damping ``max(1 - 2.5 / n, 0.5)``;
- ``ETS AICc weights, weight n/(n+40)``: the member's weight growing with the length
  ``n`` instead of the fixed 1/4;
- ``damping by drift t-test``: the models' increments damped only when the mean
  increment of the modelled series is not significant (``|t| < 1.96``, ``t`` the mean of
  the first differences over its standard error).

Every rule acts only where the default has a damped-trend member (``sp_ = 1, d_ = 1``).
"""

from __future__ import annotations

import time

import numpy as np

from sksssm.forecasting._combination import combine_members, fitted_paths
from sksssm.forecasting._damped_trend import ETS_GRIDS, aicc, fit_damped_trend
from sksssm.forecasting._model import damp_increments, damping_factors, shrink_toward_drift

#: Exponential-smoothing classes: grids ``(alpha, beta, phi)`` and parameter counts ``k``;
#: the library's (:data:`sksssm.forecasting._damped_trend.ETS_GRIDS`), which adopted the
#: least-AICc choice on long series (session 38).
ETS_CLASSES = ETS_GRIDS
#: Critical value of the drift t-test (two-sided 5%).
T_CRITICAL = 1.96
CANDIDATES = (
    "ETS AICc weights",
    "ETS AICc choice",
    "ETS AICc weights, damping 2.5/n",
    "ETS AICc weights, weight n/(n+40)",
    "damping by drift t-test",
)


def ets_forecasts(x, horizon):
    """Per class of :data:`ETS_CLASSES`: its grid-best forecast (horizon,) and AICc.

    Examples
    --------
    >>> import numpy as np
    >>> fits = ets_forecasts(np.arange(20.0), 2)
    >>> fits["holt"][0].tolist()  # a line, followed exactly by Holt
    [20.0, 21.0]
    >>> min(fits, key=lambda name: fits[name][1])
    'holt'
    """
    x = np.asarray(x, dtype=float)
    out = {}
    for name, (grid, k) in ETS_CLASSES.items():
        fit = fit_damped_trend(x, grid)
        out[name] = (fit.forecast(horizon), aicc(fit.sse, len(x) - 1, k))
    return out


def aicc_member(x, horizon, choose=False):
    """The Akaike-weighted (or, ``choose``, the least-AICc) forecast of :func:`ets_forecasts`.

    Examples
    --------
    >>> import numpy as np
    >>> aicc_member(np.arange(20.0), 2, choose=True).tolist()
    [20.0, 21.0]
    """
    fits = list(ets_forecasts(x, horizon).values())
    aicc = np.array([a for _, a in fits])
    if choose or not np.isfinite(aicc).all():
        weights = (aicc == np.nanmin(aicc)).astype(float)
    else:
        weights = np.exp(-(aicc - aicc.min()) / 2)
    weights /= weights.sum()
    return sum(w * f for w, (f, _) in zip(weights, fits, strict=True))


def drift_t(x):
    """The mean first difference of ``x`` over its standard error (inf if constant)."""
    dx = np.diff(np.asarray(x, dtype=float))
    spread = dx.std(ddof=1) if len(dx) > 1 else 0.0
    return abs(dx.mean()) / (spread / np.sqrt(len(dx))) if spread > 0 else np.inf


def _combination(fitted, z, raw, theta, member, phi, member_weight):
    """The default's combination of one series with a given member, damping and weight."""
    path = shrink_toward_drift(z, damp_increments(z[-1:], raw[None], phi)[0],
                               fitted.drift_prior_length)  # fmt: skip
    t, d = fitted.theta_weight, member_weight
    members = np.stack([path, theta, member])[:, None]
    return combine_members(members, np.array([(1 - t) * (1 - d), t * (1 - d), d]))[0]


def candidate_forecasts(forecaster, horizon):
    """Forecasts (y's units) of :data:`CANDIDATES` and the default, from one fitted forecaster.

    A series without the damped-trend member (a season, or ``d_ = 0``) keeps the
    default's forecast. Returns ``(forecasts, seconds)``: a dict of name to ndarray
    (horizon,) and the time of the AICc members' fits.
    """
    fitted, panel = forecaster._global, forecaster._panel
    default = np.asarray(forecaster.predict(), dtype=float).ravel()
    if not fitted.uses("damped_trend") or not fitted.uses("theta") or len(panel.keys) != 1:
        return dict.fromkeys(("default", *CANDIDATES), default), 0.0
    z2 = panel.series()[0][0]
    z = z2[:, 0]
    paths = []
    for model, strategies in zip(fitted.models, fitted.strategies, strict=True):
        windows, z_last = model.origins_batch([z2], [[len(z)]])
        paths.append(model.forecast(windows, z_last, None, horizon, strategies))
    raw = np.mean(paths, axis=0)[0]
    theta = fitted_paths(fitted.member_fits("theta"), horizon)[0]
    damped = fitted_paths(fitted.member_fits("damped_trend"), horizon)[0]
    start = time.perf_counter()
    weights = aicc_member(z, horizon)[:, None]
    choice = aicc_member(z, horizon, choose=True)[:, None]
    seconds = time.perf_counter() - start
    n, w = len(z), fitted.damped_trend_weight
    auto = damping_factors("auto", [n])
    z_paths = {
        "default": _combination(fitted, z2, raw, theta, damped, auto, w),
        "ETS AICc weights": _combination(fitted, z2, raw, theta, weights, auto, w),
        "ETS AICc choice": _combination(fitted, z2, raw, theta, choice, auto, w),
        "ETS AICc weights, damping 2.5/n": _combination(
            fitted, z2, raw, theta, weights, np.maximum(1 - 2.5 / n, 0.5), w
        ),
        "ETS AICc weights, weight n/(n+40)": _combination(
            fitted, z2, raw, theta, weights, auto, n / (n + 40)
        ),
        "damping by drift t-test": _combination(
            fitted, z2, raw, theta, damped, 1.0 if drift_t(z) >= T_CRITICAL else auto, w
        ),
    }
    out = {name: panel.to_original(0, path)[:, 0] for name, path in z_paths.items()}
    if not np.allclose(out.pop("default"), default, rtol=1e-8):
        raise AssertionError("the recomputed combination differs from the default's forecast")
    return {"default": default, **out}, seconds
