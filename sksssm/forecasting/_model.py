"""The fitted linear model: one ridge per horizon on the design of one configuration.

:class:`SpectralModel` keeps the streamed QR factors (so ``update`` continues them
exactly), the solved coefficients, the strategy of each horizon (recursive or direct)
and the forecast recursion.
"""

from __future__ import annotations

import numpy as np

from ..spectral._ridge import RidgeSolution
from ._design import (
    difference,
    first_features,
    integrate,
    recursive_forecast,
    rows_from,
    solve_stable,
    spectral_radius,
    window,
)
from ._horizons import solve_direct
from ._search import accumulate, accumulate_horizons

#: In-sample forecast origins (the most recent) for the strategy choice and intervals.
MAX_RESIDUAL_ORIGINS = 200


class SpectralModel:
    """One ridge model per forecast horizon on a configuration's design.

    The horizons are ``1`` to ``n_horizons``.

    Parameters
    ----------
    config : Configuration
    n_channels, n_exog, exog_lags : int
    start : int
        First row of every series used (the AR order: every lag observed).
    n_horizons : int
        1 for the recursive model only; more fits direct models too.
    """

    def __init__(self, config, n_channels, n_exog, exog_lags, start, n_horizons):
        self.config = config
        self.design = config.design(n_channels, n_exog, exog_lags)
        self.start = start
        self.horizons = list(range(1, n_horizons + 1))
        self.accumulators = []
        self.models = []

    def fit(self, z, e, factor=accumulate, cache=None):
        """Stream every series' rows into one factor per horizon (a global fit).

        ``factor``: :func:`._search.accumulate`, or :class:`._global.DaskFactors`;
        ``cache``: the search's shared columns (:func:`._search.series_rows`).
        """
        if factor is accumulate:  # in this process: every series' rows built once
            self.accumulators = accumulate_horizons(
                self.config, self.design, z, e, self.start, self.horizons, cache
            )
        else:
            self.accumulators = [
                factor(self.config, self.design, z, e, self.start, h) for h in self.horizons
            ]
        return self

    def add_rows(self, z, e, old_length):
        """Rows whose targets became observable when series ``i`` grew from ``old_length[i]``."""
        cfg, design = self.config, self.design
        for h, acc in zip(self.horizons, self.accumulators, strict=True):
            for i, n_old in old_length.items():
                w = difference(z[i], cfg.poly)
                F = design.own(w)
                if e is not None:
                    F = np.concatenate([F, design.exog(e[i][cfg.q :])], axis=1)
                first = max(self.start, n_old - cfg.q - h + 1)
                last = len(w) - h + 1
                if last > first:
                    acc.update(F[first:last], w[first + h - 1 : last + h - 1])

    def solve(self, alpha):
        """Solve every horizon's ridge (the one-step model made stable).

        The direct models (``h >= 2``) are solved together (:func:`._horizons.solve_direct`).
        """
        acc = self.accumulators[0]
        solution = RidgeSolution(acc, self.config.fit_intercept)
        coef, intercept, chosen, gcv, rule, radius = solve_stable(
            solution, alpha, self.design, True, return_radius=True
        )
        dof = solution.dof(chosen) if rule != "mean" else float(solution.fit_intercept)
        one_step = {"coef": coef, "intercept": intercept, "alpha": chosen, "gcv": gcv,
                    "rule": rule, "dof": dof, "n": acc.n_rows_, "solution": solution,
                    "radius": radius}  # fmt: skip
        direct = solve_direct(self.accumulators[1:], self.config.fit_intercept, alpha)
        self.models = [one_step, *direct]
        return self

    @property
    def one_step(self):
        return self.models[0]

    def spectral_radius(self):
        """Companion spectral radius of the one-step recursion of the differenced series."""
        if not self.design.n_own:
            return 0.0
        if self.one_step["radius"] is None:  # not computed by the stability check
            self.one_step["radius"] = spectral_radius(self.design.recursion(self.one_step["coef"]))
        return self.one_step["radius"]

    def choose_strategies(self, strategy, z, e):
        """Recursive or direct for every fitted horizon (rule 5 of the forecaster).

        Horizon ``h >= 2`` is direct when the direct model's GCV score, with the
        effective sample size ``n / h`` of overlapping ``h``-step targets (their errors
        are MA(h - 1), Hansen & Hodrick 1980), is below the recursive model's in-sample
        ``h``-step mean squared error inflated by the one-step GCV factor.
        """
        n_h = len(self.horizons)
        if strategy == "recursive" or n_h == 1:
            return ["recursive"] * n_h
        if strategy == "direct":
            return ["recursive"] + ["direct"] * (n_h - 1)
        errors, counts = self.in_sample_w_errors(z, e, n_h)
        one = self.one_step
        inflation = 1.0 / max(1.0 - one["dof"] / max(one["n"], 1), 1e-3) ** 2
        strategies = ["recursive"]
        for h in range(2, n_h + 1):
            recursive = errors[h - 1] / max(counts[h - 1], 1) * inflation
            model = self.models[h - 1]
            n, dof = max(model["n"], 1), model["dof"]
            mse = model["gcv"] * (1.0 - dof / n) ** 2 / z[0].shape[1]
            direct = mse / (1.0 - h * dof / n) ** 2 if h * dof < n else np.inf
            use_direct = counts[h - 1] > 0 and np.isfinite(direct) and direct < recursive
            strategies.append("direct" if use_direct else "recursive")
        return strategies

    # ------------------------------------------------------------------ forecasting
    def origins_batch(self, z, origins_per_series):
        """Differenced-series windows and last levels for forecasts from given origins.

        ``origins_per_series[i]`` lists indices into series ``i`` of the first forecast
        step. Returns ``windows`` (B, memory, c) and ``z_last`` (B, q, c).
        """
        cfg = self.config
        windows, z_last = [], []
        for s, origins in zip(z, origins_per_series, strict=True):
            w = difference(s, cfg.poly)
            for origin in origins:
                windows.append(window(w[: origin - cfg.q], self.design.memory))
                z_last.append(s[origin - cfg.q : origin])
        return np.stack(windows), np.stack(z_last)

    def forecast(self, windows, z_last, exog_rows, n_steps, strategies):
        """Standardized level forecasts (B, n_steps, c) with the given strategies."""
        design, one = self.design, self.one_step
        w_path = recursive_forecast(
            design, windows, exog_rows, one["coef"], one["intercept"], n_steps
        )
        if "direct" in strategies[:n_steps]:
            first = first_features(design, windows, exog_rows)
            for h in range(2, min(n_steps, len(strategies)) + 1):
                if strategies[h - 1] == "direct":
                    model = self.models[h - 1]
                    w_path[:, h - 1] = first @ model["coef"].T + model["intercept"]
        return integrate(z_last, w_path, self.config.poly)

    def future_exog_rows(self, e_all, n_steps):
        """Exogenous feature rows (n_steps, f) of the last ``n_steps`` of ``e_all``."""
        return self.design.exog(e_all[self.config.q :])[-n_steps:]

    def in_sample_w_errors(self, z, e, n_steps):
        """Sum of squared recursive in-sample h-step errors of ``w`` and their counts."""
        cfg, design, one = self.config, self.design, self.one_step
        sq, counts = np.zeros(n_steps), np.zeros(n_steps)
        for i, s in enumerate(z):
            w = difference(s, cfg.poly)
            origins = np.arange(max(self.start, len(w) - MAX_RESIDUAL_ORIGINS), len(w))
            if not origins.size:
                continue
            windows = origin_windows(w, origins, design.memory)
            exog = None
            if e is not None:
                F = design.exog(e[i][cfg.q :])
                exog = np.stack([rows_from(F, o, n_steps) for o in origins])
            path = recursive_forecast(
                design, windows, exog, one["coef"], one["intercept"], n_steps
            )
            # Step j from origin o is scored where w_{o+j} is observed.
            ahead = origins[:, None] + np.arange(n_steps)
            observed = ahead < len(w)
            targets = np.concatenate([w, np.zeros((n_steps, w.shape[1]))])[ahead]
            errors = np.where(observed, np.sum((path - targets) ** 2, axis=-1), 0.0)
            sq += np.add.reduce(errors, axis=0)  # origin by origin, in order
            counts += s.shape[1] * observed.sum(axis=0)
        return sq, counts


def origin_windows(w, origins, memory):
    """``np.stack([window(w[:o], memory) for o in origins])`` in one gather: (B, memory, c)."""
    padded = np.concatenate([np.zeros((memory, w.shape[1])), w])
    return padded[np.asarray(origins)[:, None] + np.arange(memory)]


# ------------------------------------------------------------------ shrinkage of the path
#: ``damping="auto"``: a series of length ``n`` is damped by ``1 - DAMPING_LENGTH / n``.
DAMPING_LENGTH = 5.0
#: ``damping="auto"``: the least damping factor (series of ``2 DAMPING_LENGTH`` or fewer).
MIN_AUTO_DAMPING = 0.5


def damping_factors(damping, lengths):
    """Per-series damping factors: ``damping``, or for "auto" ``1 - DAMPING_LENGTH / n``.

    "auto" damps a series of length ``n`` by ``max(1 - 5 / n, 0.5)``: short series (whose
    slope is least certain) the most, long ones little (``n = 25``: 0.8; ``n = 100``:
    0.95).

    Parameters
    ----------
    damping : float in (0, 1] or "auto"
    lengths : sequence of int
        Each series' length.

    Returns
    -------
    ndarray of shape (len(lengths),)

    Examples
    --------
    >>> damping_factors("auto", [25, 100, 4]).tolist()
    [0.8, 0.95, 0.5]
    >>> damping_factors(0.9, [25, 100]).tolist()
    [0.9, 0.9]
    """
    n = np.asarray(lengths, dtype=float)
    if isinstance(damping, str):
        return np.maximum(1.0 - DAMPING_LENGTH / n, MIN_AUTO_DAMPING)
    return np.full(n.shape, float(damping))


def damp_increments(z_last, path, damping):
    """Level paths whose step-``h`` increments are multiplied by ``damping ** h``.

    Parameters
    ----------
    z_last : ndarray of shape (B, c)
        Last observed level of each path.
    path : ndarray of shape (B, n_steps, c)
        Level forecasts.
    damping : float in (0, 1] or ndarray of shape (B,)
        One factor, or one per path; 1 leaves the path unchanged.

    Returns
    -------
    ndarray of shape (B, n_steps, c)
    """
    increments = np.diff(np.concatenate([z_last[:, None], path], axis=1), axis=1)
    damping = np.broadcast_to(np.asarray(damping, dtype=float), (len(z_last),))
    factors = damping[:, None] ** np.arange(1, path.shape[1] + 1)[None, :]
    return z_last[:, None] + np.cumsum(increments * factors[:, :, None], axis=1)


def shrink_toward_drift(series, path, prior_length):
    """``w path + (1 - w) drift`` with ``w = n / (n + prior_length)``.

    The drift forecast continues the line through the first and last of the ``n``
    observed levels (``y_n + h (y_n - y_1) / (n - 1)``); short series lean on it more.

    Parameters
    ----------
    series : ndarray of shape (n, c)
        Observed levels of one series.
    path : ndarray of shape (n_steps, c)
        Its level forecasts.
    prior_length : float
        Number of observations at which the model and the drift weigh equally.

    Returns
    -------
    ndarray of shape (n_steps, c)
    """
    n = len(series)
    if n < 2 or prior_length == 0:
        return path
    slope = (series[-1] - series[0]) / (n - 1)
    drift = series[-1] + np.arange(1, len(path) + 1)[:, None] * slope
    weight = n / (n + prior_length)
    return weight * path + (1 - weight) * drift
