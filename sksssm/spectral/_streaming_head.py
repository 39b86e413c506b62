"""Ridge head for large sets: pooled features in chunks of series, streaming QR, GCV.

When series outnumber pooled features, the in-memory leave-one-out selection
(:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`) would hold the whole ``n x p``
design. Here the features of each chunk of series are computed, appended to the
triangular factor of ``[1 | F | Y]`` (:class:`~sksssm.spectral._ridge.QRAccumulator`) and
dropped, so memory is one chunk plus a ``(1 + p + q)``-square factor whatever ``n``; the
penalty is chosen by generalized cross-validation from the factor
(:class:`~sksssm.spectral._ridge.RidgeSolution`, :func:`~sksssm.spectral._gcv.gcv_choice`),
on the same standardized features (centred, divided by their standard deviation) as the
leave-one-out path. Dask blocks of series are factored on the workers and merged
(:func:`~sksssm.spectral._dask.accumulate_dask`).

A second pass over the series gives the exact leave-one-out decisions of the chosen ridge
(:func:`loo_decisions`): residual over ``1 - h_ii``, with the leverage ``h_ii`` from the
same SVD.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from .._validation import to_btc
from ._gcv import gcv_choice
from ._pooling import pooled_features, sequence_lengths
from ._ridge import QRAccumulator, RidgeSolution


@dataclass(frozen=True)
class StreamingRidge:
    """A ridge on standardized pooled features, fitted from the streamed factor.

    Predictions are ``((F - feature_mean) / feature_scale) @ coef + intercept``.
    """

    alpha: float
    coef: np.ndarray  # (n_features, n_targets), on standardized features
    intercept: np.ndarray  # (n_targets,)
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    gcv_score: float
    solution: RidgeSolution

    def decisions_and_leverage(self, F):
        """Decisions and hat-matrix diagonal ``h_ii`` of the rows of ``F`` (raw features).

        With the standardized, centred design ``Z = U S V'``, ``H = 1 1'/n + Z V diag(1 /
        (s^2 + alpha)) V' Z'`` (``alpha = 0``: ``1 / s^2`` above the round-off cut-off).
        """
        Z = (F - self.feature_mean) / self.feature_scale
        solution = self.solution
        kept = 1.0 - solution._shrinkage(self.alpha)
        weight = np.divide(kept, solution.s**2, out=np.zeros_like(kept), where=kept > 0)
        projected = Z @ solution.Vt.T
        leverage = 1.0 / solution.n_rows + (projected**2) @ weight
        return Z @ self.coef + self.intercept, leverage


def solve_by_gcv(accumulator, alphas):
    """The ridge whose penalty among ``alphas`` has the smallest GCV score.

    ``alphas`` penalize the weights of the standardized features (as in
    :func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`); ties go to the largest.
    """
    solution = RidgeSolution(accumulator, fit_intercept=True)
    alphas = np.asarray(alphas, dtype=float)
    scores = solution.gcv_scores(alphas)
    best = gcv_choice(alphas, scores)
    coef, intercept = solution.coefficients(alphas[best])  # original units
    feature_mean = accumulator.means()[0]
    return StreamingRidge(
        alpha=float(alphas[best]),
        coef=(coef * solution.scale).T,
        intercept=intercept + coef @ feature_mean,
        feature_mean=feature_mean,
        feature_scale=solution.scale,
        gcv_score=float(scores[best]),
        solution=solution,
    )


def chunks(n_samples, chunk_rows):
    """Slices of at most ``chunk_rows`` consecutive series."""
    return [slice(start, start + chunk_rows) for start in range(0, n_samples, chunk_rows)]


def accumulate_pooled(X_btc, lengths, pooling, targets, *, chunk_rows, chunk_size=None):
    """The streamed factor of ``[1 | pooled features | targets]``, ``chunk_rows`` series at
    a time (the features of one chunk are the only ``n``-dependent memory)."""
    accumulator = QRAccumulator(pooling.n_features, targets.shape[1])
    for rows in chunks(len(X_btc), chunk_rows):
        F = pooled_features(X_btc[rows], pooling, lengths[rows], chunk_size=chunk_size)
        accumulator.update(F, targets[rows])
    return accumulator


def loo_decisions(X_btc, lengths, pooling, fit, targets, *, chunk_rows, chunk_size=None):
    """Exact leave-one-out decisions ``y - (y - yhat) / (1 - h)`` of ``fit``, chunk by chunk."""
    result = np.empty_like(targets)
    for rows in chunks(len(X_btc), chunk_rows):
        F = pooled_features(X_btc[rows], pooling, lengths[rows], chunk_size=chunk_size)
        result[rows] = _loo_from(fit, F, targets[rows])
    return result


def _loo_from(fit, F, targets):
    decision, leverage = fit.decisions_and_leverage(F)
    return targets - (targets - decision) / (1.0 - leverage)[:, None]


class PooledBlockRows:
    """Featurizer of one Dask block of series (public layout) and its targets.

    Picklable (it runs on the workers): centres and scales the block like the in-memory
    fit and pools it; the targets (already encoded, e.g. ``{-1, +1}``) pass through.
    """

    def __init__(self, pooling, location, scale, chunk_size=None):
        self.pooling = pooling
        self.location = location
        self.scale = scale
        self.chunk_size = chunk_size

    def features(self, X_block):
        X_btc = (to_btc(np.asarray(X_block, dtype=np.float64)) - self.location) / self.scale
        return pooled_features(
            X_btc, self.pooling, sequence_lengths(X_btc), chunk_size=self.chunk_size
        )

    def __call__(self, X_block, y_block):
        return self.features(X_block), _as_2d(y_block)

    def loo_block(self, X_block, y_block, fit):
        return _loo_from(fit, self.features(X_block), _as_2d(y_block))


def _as_2d(y_block):
    y_block = np.asarray(y_block, dtype=np.float64)
    return y_block[:, None] if y_block.ndim == 1 else y_block


def accumulate_pooled_dask(X, y, block_rows, n_targets, *, samples_per_call):
    """The factor of a Dask data set, featurized and factored on the workers."""
    from ._dask import accumulate_dask

    return accumulate_dask(
        X,
        y,
        block_rows,
        partial(QRAccumulator, block_rows.pooling.n_features, n_targets),
        samples_per_call=samples_per_call,
    )


def loo_decisions_dask(X, y, block_rows, fit):
    """:func:`loo_decisions` of a Dask data set (one value per series, gathered)."""
    import dask

    parts = [
        dask.delayed(block_rows.loo_block)(X_block, y_block, fit)
        for X_block, y_block in zip(X.to_delayed().ravel(), y.to_delayed().ravel(), strict=True)
    ]
    return np.concatenate(dask.compute(*parts))
