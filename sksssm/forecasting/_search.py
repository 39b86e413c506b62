"""Configuration search: differencing by tests, then AR order, filters, intercept by GCV.

All candidates of one differencing are scored on the same target rows by the exact GCV
score of their ridge solution (:class:`~sksssm.spectral._ridge.RidgeSolution`), so the
scores compare the same quantity.
"""

from __future__ import annotations

import numpy as np

from ..spectral import max_usable_filters
from ..spectral._gcv import gcv_score_table
from ..spectral._ridge import QRAccumulator, RidgeSolution
from ._design import Configuration, difference, difference_polynomial
from ._seasonality import (
    KPSS_CRITICAL_5,
    SEASONAL_STRENGTH_THRESHOLD,
    kpss_statistic,
    seasonal_strength,
)

#: Candidate numbers of spectral filters K (per branch) and non-seasonal AR orders.
N_FILTERS_CANDIDATES = (0, 2, 4, 8)
AR_ORDER_CANDIDATES = (0, 1, 2, 3)
#: Longest spectral filter (time steps of the differenced series it looks back).
MAX_FILTER_LENGTH = 64
#: A candidate design needs at least this many rows per parameter.
ROWS_PER_PARAMETER = 2


def choose_differencing(z, sp, d, seasonal_d):
    """Differencing orders ``(d, D)`` and the statistics behind them.

    ``D = 1`` when the mean seasonal strength exceeds 0.64 with three seasons of data;
    ``d = 1`` when KPSS rejects level stationarity (of the seasonally differenced series)
    at 5%. A given order (not "auto") is kept; ``seasonal_d=1`` needs ``sp > 1``.

    Returns
    -------
    d, D : int
    strength, kpss : float or None
        The statistics (None when not computed).
    """
    n_min = min(len(s) for s in z)
    c = z[0].shape[1]
    strength, kpss = None, None
    if sp == 1 and seasonal_d == 1:
        raise ValueError(
            "seasonal_d=1 needs a seasonal period sp > 1, but sp is 1 (given, or no season "
            "detected with sp=None). Pass the period as sp, or seasonal_d='auto' or 0."
        )
    D = 0 if sp == 1 else seasonal_d
    if D == "auto":
        D = 0
        if n_min >= 3 * sp:
            strength = float(np.mean([seasonal_strength(s[:, ch], sp) for s in z
                                      for ch in range(c)]))  # fmt: skip
            D = int(strength > SEASONAL_STRENGTH_THRESHOLD)
    if d == "auto":
        poly = difference_polynomial(0, D, sp)
        kpss = float(np.mean([kpss_statistic(difference(s[:, ch], poly)) for s in z
                              for ch in range(c)]))  # fmt: skip
        d = int(kpss > KPSS_CRITICAL_5)
    if n_min - d - D * sp < 2:
        raise ValueError(
            f"d={d}, seasonal_d={D} with sp={sp} leaves fewer than 2 differenced time steps "
            f"of a {n_min}-step series; use less differencing."
        )
    return d, D, strength, kpss


def candidate_pairs(params, m_min, total_rows, n_channels, n_exog, sp):
    """Feasible (p, K) pairs, the common first row and the filter length.

    ``params`` holds the forecaster's hyperparameters; ``total_rows(start)`` counts the
    target rows from ``start`` on over all series.
    """
    if params.ar_order == "auto":
        ps = set(AR_ORDER_CANDIDATES) | ({sp, sp + 1} if sp > 1 else set())
        ps = sorted(p for p in ps if 3 * (p + 1) <= m_min or p == 0)
    else:
        if params.ar_order >= m_min - 1:
            raise ValueError(
                f"ar_order={params.ar_order} needs more time steps: the (differenced) "
                f"series has {m_min}; use ar_order <= {max(m_min - 2, 0)} or "
                'ar_order="auto".'
            )
        ps = [params.ar_order]
    Ks = list(N_FILTERS_CANDIDATES) if params.n_filters == "auto" else [params.n_filters]
    start = max(max(ps), 1)
    rows = total_rows(start)
    filter_length = int(min(max(m_min - 1, 1), MAX_FILTER_LENGTH))
    usable = max_usable_filters(filter_length, params.hankel) if filter_length >= 2 else 0
    branches = 2 if params.use_negative else 1
    fixed = params.ar_order != "auto" and params.n_filters != "auto"
    pairs = []
    for K in Ks:
        if K > usable or (K and filter_length < 2):
            if params.n_filters != "auto":
                raise ValueError(
                    f"n_filters={K} needs a longer series: {filter_length} differenced "
                    f"steps support at most {usable} filters; use n_filters <= {usable} "
                    'or n_filters="auto".'
                )
            continue
        for p in ps:
            n_params = (n_channels * (p + branches * K)
                        + n_exog * (branches * K + params.exog_lags) + 1)  # fmt: skip
            if fixed or ROWS_PER_PARAMETER * n_params <= rows or (p == 0 and K == 0):
                pairs.append((p, K))
    return pairs or [(min(ps), 0)], start, filter_length


def series_rows(config, design, s, e_s, cache=None, key=None):
    """Differenced series ``w`` (m, c) and its design rows ``F`` (m, f), every step.

    ``cache`` (a dict, one per fit) keeps what does not depend on the AR order (the
    differenced series, the spectral and exogenous columns) under ``key`` (the series'
    position), for the other candidates of the same differencing and filters.
    """
    if cache is None:
        w = difference(s, config.poly)
        F = design.own(w)
        if e_s is not None:
            F = np.concatenate([F, design.exog(e_s[config.q :])], axis=1)
        return w, F
    base = (key, config.d, config.seasonal_d, config.sp)
    if base not in cache:
        cache[base] = difference(s, config.poly)
    w = cache[base]
    spectral = None
    if design.K:
        spectral_key = (*base, config.K, config.filter_length, config.use_negative)
        if spectral_key not in cache:
            cache[spectral_key] = design.own_spectral(w)
        spectral = cache[spectral_key]
    F = design.own(w, spectral)
    if e_s is not None:
        exog_key = (*base, "exog", config.K, config.filter_length, config.use_negative)
        if exog_key not in cache:
            cache[exog_key] = design.exog(e_s[config.q :])
        F = np.concatenate([F, cache[exog_key]], axis=1)
    return w, F


def horizon_rows(w, F, start, horizon):
    """Rows ``t >= start`` of ``F`` and their targets ``w_{t+h-1}``."""
    last = max(len(w) - horizon + 1, start)
    return F[start:last], w[start + horizon - 1 : last + horizon - 1]


def design_rows(config, design, z, e, start, horizon=1):
    """Design rows and targets (``w_{t+h-1}``) of every series, rows ``t >= start``."""
    return [
        horizon_rows(*series_rows(config, design, s, None if e is None else e[i]), start, horizon)
        for i, s in enumerate(z)
    ]


def accumulate(config, design, z, e, start, horizon=1, cache=None):
    """The streamed QR factor of :func:`design_rows` over all series (global fit)."""
    return accumulate_horizons(config, design, z, e, start, [horizon], cache)[0]


def accumulate_horizons(config, design, z, e, start, horizons, cache=None):
    """:func:`accumulate` for each of ``horizons``, every series' rows built once.

    ``cache``: see :func:`series_rows`.
    """
    accumulators = [QRAccumulator(design.n_features, z[0].shape[1]) for _ in horizons]
    for i, s in enumerate(z):
        w, F = series_rows(config, design, s, None if e is None else e[i], cache, i)
        for horizon, acc in zip(horizons, accumulators, strict=True):
            acc.update(*horizon_rows(w, F, start, horizon))
    return accumulators


def score_candidates(params, z, e, d, D, sp, factor=accumulate, cache=None):
    """Every candidate (p, K, intercept) for differencing (d, D) with its GCV score.

    Every candidate is scored on the same target rows (``t >= start``). The intercept
    (a drift after one difference) is a candidate too when ``d + D = 1``; with
    ``d + D = 0`` there is always one, with ``d + D = 2`` never. A single candidate is
    not scored (its score is NaN). ``factor`` builds each candidate's global factor
    (:func:`accumulate`, or :class:`._global.DaskFactors` on Dask workers); ``cache``
    (a dict) keeps the columns :func:`accumulate` shares between candidates.

    Returns
    -------
    scored : list of (Configuration, float)
        In order of increasing size.
    start : int
        The common first row.
    """
    c = z[0].shape[1]
    n_exog = 0 if e is None else e[0].shape[1]
    m = [len(s) - d - D * sp for s in z]
    pairs, start, filter_length = candidate_pairs(
        params, min(m), lambda st: sum(max(mi - st, 0) for mi in m), c, n_exog, sp
    )
    intercepts = [True, False] if d + D == 1 else [d + D == 0]
    by_filters = {
        K: Configuration(sp, d, D, 0, K, filter_length, params.use_negative, params.hankel)
        for K in dict.fromkeys(K for _, K in pairs)
    }
    configs = [by_filters[K].variant(p, i) for p, K in pairs for i in intercepts]
    if len(configs) == 1:
        return [(configs[0], np.nan)], start
    kept, solutions, factors, designs = [], [], {}, {}
    for config in configs:
        # The intercept variants of one (p, K) share their rows: one factor for both.
        if (config.p, config.K) not in designs:
            designs[config.p, config.K] = config.design(c, n_exog, params.exog_lags)
        design = designs[config.p, config.K]
        if (config.p, config.K) not in factors:
            if factor is accumulate:
                factors[config.p, config.K] = accumulate(config, design, z, e, start, 1, cache)
            else:
                factors[config.p, config.K] = factor(config, design, z, e, start)
        acc = factors[config.p, config.K]
        if acc.n_rows_:
            kept.append(config)
            solutions.append(RidgeSolution(acc, config.fit_intercept))
    return list(zip(kept, lowest_gcv_scores(solutions, params.alpha), strict=True)), start


def lowest_gcv_scores(solutions, alpha):
    """Each solution's lowest finite GCV score over its grid (``alpha="auto"``) or at
    ``alpha``; ``inf`` where none is finite. One pass over all of them
    (:func:`~sksssm.spectral._gcv.gcv_score_table`; shorter grids padded with NaN)."""
    if not solutions:
        return []
    if alpha == "auto":
        grids = [solution.alpha_grid() for solution in solutions]
    else:
        grids = [np.array([float(alpha)])] * len(solutions)
    alphas = np.full((len(grids), max(map(len, grids))), np.nan)
    for row, grid in enumerate(grids):
        alphas[row, : len(grid)] = grid
    scores = gcv_score_table(solutions, alphas)
    finite = np.isfinite(scores)
    lowest = np.where(finite, scores, np.inf).min(axis=1)
    return [float(score) for score in lowest]


def select_configurations(params, z, e, d, D, sp, n_best=1, factor=accumulate, cache=None):
    """The ``n_best`` GCV-best candidates of :func:`score_candidates`, best first.

    The best is the first (the smallest) candidate with the lowest score; the others
    follow by increasing score (ties in order of size).

    Returns
    -------
    configs : list of Configuration
    start : int
    """
    scored, start = score_candidates(params, z, e, d, D, sp, factor, cache)
    best_score, best = np.inf, 0
    for i, (_, score) in enumerate(scored):
        if i == 0 or score < best_score - 1e-12 * abs(best_score):
            best_score, best = score, i
    others = sorted((i for i in range(len(scored)) if i != best), key=lambda i: scored[i][1])
    return [scored[i][0] for i in [best, *others][:n_best]], start
