"""The direct models of horizons ``h >= 2``: every horizon's ridge solved in one batch.

A configuration fitted for ``H`` horizons has one streamed QR factor per horizon, all of
the same shape (the same features; each horizon's rows end ``h - 1`` steps earlier). The
direct models need no stability check, so each is the GCV choice of its factor's
:class:`~sksssm.spectral._ridge.RidgeSolution` (what :func:`._design.solve_stable` does
without the check). :func:`solve_direct` computes the same quantities for all horizons
at once (one array operation per step instead of one per horizon); the singular value
decompositions are the same LAPACK calls, so the results agree with the one-by-one
solution to round-off.
"""

from __future__ import annotations

import numpy as np

from ..spectral._lapack import svd as _svd
from ..spectral._ridge import RELATIVE_ALPHAS, RidgeSolution, standardized_factor
from ._design import solve_stable


def solve_one(accumulator, fit_intercept, alpha):
    """One horizon's model: :func:`solve_stable` without the stability check.

    Returns
    -------
    dict
        ``coef``, ``intercept``, ``alpha``, ``gcv``, ``rule`` ("none"), ``dof``, ``n``,
        ``solution`` and ``radius`` (None: not checked), as in
        :meth:`._model.SpectralModel.solve`.
    """
    solution = RidgeSolution(accumulator, fit_intercept)
    coef, intercept, chosen, gcv, rule = solve_stable(solution, alpha, None, False)
    return {"coef": coef, "intercept": intercept, "alpha": chosen, "gcv": gcv, "rule": rule,
            "dof": solution.dof(chosen), "n": accumulator.n_rows_, "solution": solution,
            "radius": None}  # fmt: skip


def solve_direct(accumulators, fit_intercept, alpha):
    """:func:`solve_one` of every accumulator, in one batch where their factors allow it.

    The batch needs factors of one shape, at least one feature, and no repeated rows
    (:meth:`RidgeSolution._repeated_directions`); otherwise each horizon is solved alone.
    The batch keeps no :class:`RidgeSolution` (``solution`` is None): only the one-step
    model's is used afterwards (intervals).

    Parameters
    ----------
    accumulators : list of QRAccumulator
    fit_intercept : bool
    alpha : "auto" or float

    Returns
    -------
    list of dict
    """
    if not accumulators:
        return []
    factors = [acc.centred_factor(fit_intercept) for acc in accumulators]
    L_F = factors[0][0]
    if (
        len({(f.shape, y.shape) for f, y in factors}) > 1
        or 0 in L_F.shape
        or min(acc.n_rows_ for acc in accumulators) < 1
    ):
        return [solve_one(acc, fit_intercept, alpha) for acc in accumulators]
    batch = _Batch(accumulators, factors, fit_intercept)
    if batch.repeated:
        return [solve_one(acc, fit_intercept, alpha) for acc in accumulators]
    return batch.solve(alpha)


class _Batch:
    """The quantities of :class:`RidgeSolution` for factors of one shape, stacked."""

    def __init__(self, accumulators, factors, fit_intercept):
        self.accumulators = accumulators
        self.fit_intercept = bool(fit_intercept)
        L_F = np.stack([f for f, _ in factors])  # (H, k, p)
        L_Y = np.stack([y for _, y in factors])  # (H, k, t)
        self.n = np.array([acc.n_rows_ for acc in accumulators], dtype=float)
        feature_mean = np.stack([acc.means()[0] for acc in accumulators])
        standardized, self.scale = standardized_factor(L_F, self.n, feature_mean)
        svds = [_svd(a) for a in standardized]
        U = np.stack([u for u, _, _ in svds])
        self.s = np.stack([s for _, s, _ in svds])  # (H, r)
        self.Vt = np.stack([vt for _, _, vt in svds])
        self.c = np.swapaxes(U, 1, 2) @ L_Y  # (H, r, t)
        residual = (L_Y - U @ self.c) ** 2
        self.unexplained = np.add.reduce(residual.reshape(len(residual), -1), axis=1)
        self.cutoff = max(L_F.shape[1:]) * np.finfo(float).eps * self.s[:, 0]
        target_norm = np.sqrt(
            np.add.reduce((self.c**2).reshape(len(self.c), -1), axis=1) + self.unexplained
        )
        tolerance = 1e-10 * np.maximum(target_norm, 1e-300)
        c_norms = np.sqrt(np.add.reduce(self.c * self.c, axis=2))
        self.repeated = bool(
            ((self.s <= self.cutoff[:, None]) & (c_norms <= tolerance[:, None])).any()
        )
        self.s2 = self.s**2
        self.dropped = (self.s <= self.cutoff[:, None]).astype(float)
        self.c2 = np.add.reduce(self.c**2, axis=2)  # (H, r)

    def shrinkage(self, alphas):
        """``alpha / (s^2 + alpha)`` for ``alphas`` (H, A): (H, A, r); the round-off rule at 0."""
        penalty = alphas[:, :, None]
        denominator = self.s2[:, None, :] + penalty
        out = np.divide(
            penalty, denominator, out=np.ones_like(denominator), where=denominator != 0
        )
        return np.where(penalty == 0, self.dropped[:, None, :], out)

    def gcv_scores(self, alphas):
        """GCV scores (H, A) of :meth:`RidgeSolution.gcv_scores` (no repeated rows)."""
        shrinkage = self.shrinkage(alphas)
        rss = self.unexplained[:, None] + np.add.reduce(shrinkage**2 * self.c2[:, None], axis=2)
        rows_without_direction = self.n - self.fit_intercept - self.s.shape[1]
        residual_dof = rows_without_direction[:, None] + np.add.reduce(shrinkage, axis=2)
        n = self.n[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = (rss / n) / (residual_dof / n) ** 2
        return np.where(residual_dof > 0, scores, np.inf)

    def solve(self, alpha):
        """Every horizon's GCV choice (:func:`~sksssm.spectral._ridge.gcv_choice`) or
        ``alpha``, its coefficients and degrees of freedom."""
        if isinstance(alpha, str):
            s_max = self.s[:, 0]
            base = np.where(s_max > 0, s_max**2, 1.0)
            grid = np.concatenate(
                [np.zeros((len(base), 1)), base[:, None] * RELATIVE_ALPHAS], axis=1
            )
            scores = self.gcv_scores(grid)
            # gcv_choice row by row: the largest penalty (the grid increases) among the
            # finite scores within 1e-9 of the smallest; the largest if none is finite.
            finite = np.isfinite(scores)
            best = np.where(finite, scores, np.inf).min(axis=1, keepdims=True)
            ties = finite & (scores <= best * (1 + 1e-9))
            last = grid.shape[1] - 1
            index = np.where(ties.any(axis=1), last - np.argmax(ties[:, ::-1], axis=1), last)
            rows = np.arange(len(grid))
            chosen, gcv = grid[rows, index], scores[rows, index]
        else:
            chosen = np.full(len(self.n), float(alpha))
            gcv = self.gcv_scores(chosen[:, None])[:, 0]
        factors = 1.0 - self.shrinkage(chosen[:, None])[:, 0]  # (H, r)
        inverse = np.divide(factors, self.s, out=np.zeros_like(self.s), where=factors > 0)
        coef = np.swapaxes(np.swapaxes(self.Vt, 1, 2) @ (inverse[:, :, None] * self.c), 1, 2)
        coef = coef / self.scale[:, None, :]  # (H, t, p)
        dof = np.add.reduce(factors, axis=1) + self.fit_intercept
        models = []
        for h, acc in enumerate(self.accumulators):
            feature_mean, target_mean = acc.means()
            if self.fit_intercept:
                intercept = target_mean - coef[h] @ feature_mean
            else:
                intercept = np.zeros(coef.shape[1])
            models.append(
                {"coef": coef[h], "intercept": intercept, "alpha": float(chosen[h]),
                 "gcv": float(gcv[h]), "rule": "none", "dof": float(dof[h]),
                 "n": acc.n_rows_, "solution": None, "radius": None}
            )  # fmt: skip
        return models
