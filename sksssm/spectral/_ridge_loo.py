"""Exact leave-one-out choice of a ridge's feature set and penalty, for designs with one
row per series (the pooled classifier).

The pooled design has one row per *series* and usually more columns than rows. Every
candidate feature set's Gram matrix is then a sum of per-block Gram matrices computed
once, and every penalty's exact leave-one-out residuals follow from one
eigendecomposition of it (:func:`select_ridge_by_loo`, which can also average the heads
of the few best candidates, ``n_heads``: the series-to-value regressor's small
ensemble). How one design's leave-one-out residuals are computed (an eigendecomposition
for many penalties, a Cholesky factorization for one; more columns than series or
fewer) is :mod:`sksssm.spectral._loo_solvers`, whose functions are importable from here
too. The streaming QR core (:mod:`sksssm.spectral._ridge`) serves designs with one row
per time step, where the penalty is chosen by GCV.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ._loo_solvers import (
    _mean_square,
    centred_eigh,
    design_loo_at,
    gram_loo_at,
    ridge_loo_path,
    tall_basis,
)


@dataclass(frozen=True)
class RidgeSelection:
    """The feature set and penalty chosen by :func:`select_ridge_by_loo`."""

    name: str
    mask: np.ndarray
    alpha: float
    coef: np.ndarray
    intercept: np.ndarray
    loo_decisions: np.ndarray
    score: float
    weights: np.ndarray
    #: ``(feature set name, alpha)`` of each averaged head (``n_heads``), best first.
    heads: tuple = ()


def select_ridge_by_loo(
    F, targets, alphas, candidates, cross=None, require_cross=False, n_heads=1, scored=None
):
    """Penalty and feature set with the smallest exact leave-one-out squared error.

    The candidates are first compared without the ``cross`` columns (the per-channel
    model of each feature set); then the best of them is refitted with its cross-channel
    columns added (those its dropped blocks leave), weighted by ``sqrt(w)``, ``w =
    trace(K_rest) / trace(K_cross)`` (the ratio of the squared norms of the two column
    blocks): both blocks then carry the same total variance, whatever their number of
    columns, so a few hundred cross-channel columns are not drowned by tens of thousands
    of per-channel ones under one penalty. The cross block is kept only if it lowers the
    leave-one-out error (always, with ``require_cross``, when it has columns).

    Every candidate's Gram matrix is a (weighted) sum of the Gram matrices of disjoint
    column blocks, each computed once.

    Parameters
    ----------
    F : ndarray of shape (n_series, n_columns)
        Standardized (column-centred) features.
    targets : ndarray of shape (n_series, n_targets)
        E.g. the classifier's ``{-1, +1}`` one-vs-all targets.
    alphas : ndarray of float
        Candidate penalties.
    candidates : list of (str, ndarray of bool)
        Named column masks; ties go to the first.
    cross : ndarray of bool of shape (n_columns,) or None
        The cross-channel columns, weighted as above.
    require_cross : bool
        Keep the cross columns whatever their leave-one-out error.
    n_heads : int
        Average the ridge heads of the ``n_heads`` (feature set, penalty) pairs with the
        smallest leave-one-out errors (equal weights; ties: the first). The average is
        one linear head on the union of their columns (zero weight where a head lacks a
        column), and its exact leave-one-out decisions are the average of theirs. 1: the
        best head alone.
    scored : ndarray of bool of shape (n_series,) or None
        The series whose leave-one-out residuals the scores average (None: all). The
        classifier leaves out the series of a class with no other training series:
        without it, its class is absent from the fold, and the residual measures how
        far every class's decision is shrunk, not how well the series is classified
        (:func:`~sksssm.estimators._class_targets.scored_series`).

    Returns
    -------
    RidgeSelection
        ``weights`` (one per column of ``F``, 1 except the chosen cross columns) scales
        the columns the ridge was fitted on; ``coef`` is on the scaled columns
        ``F[:, mask] * weights[mask]``; ``name`` and ``alpha`` are the best head's.
    """
    p = F.shape[1]
    cross = np.zeros(p, dtype=bool) if cross is None else np.asarray(cross, dtype=bool)
    paths = _CandidatePaths(F, targets, alphas, [mask for _, mask in candidates], cross, scored)
    ranking = _Ranking(n_heads)

    def rank_per_channel():
        for c in range(len(candidates)):
            if (paths.masks[c] & ~cross).any():
                ranking.add(paths(c), c, None)

    # one candidate whose cross columns are required: its per-channel model is not needed
    if not (require_cross and cross.any() and len(candidates) == 1):
        rank_per_channel()
    if cross.any():
        c = ranking.best_candidate()
        weight = _cross_weight(F, paths.masks[c] & ~cross, paths.masks[c] & cross)
        if weight is not None:
            if require_cross:
                ranking.clear()
            ranking.add(paths(c, weight), c, weight)
    if ranking.empty:  # the required cross columns are constant
        rank_per_channel()
    return _selection(F, targets, candidates, paths.masks, cross, ranking.heads(), scored)


class _CandidatePaths:
    """Leave-one-out paths of the candidates' ridges over ``alphas``.

    With no more series than columns, every candidate's Gram matrix is a sum of the
    Gram matrices of the column blocks that share one membership pattern (in which
    candidates, cross-channel or not), each computed once; otherwise an orthonormal basis
    of the candidate's design (:func:`tall_basis`). One penalty is solved by a Cholesky
    factorization instead (:func:`gram_loo_at`, :func:`design_loo_at`).
    """

    def __init__(self, F, targets, alphas, candidate_masks, cross, scored):
        self.F, self.targets, self.alphas, self.cross = F, targets, alphas, cross
        self.scored = scored
        self.masks = np.stack([*candidate_masks, cross])
        self.gram_blocks = _gram_blocks(F, self.masks) if F.shape[0] <= F.shape[1] else {}

    def __call__(self, c, cross_weight=None):
        """:class:`LooFit` per penalty of candidate ``c``'s per-channel columns, plus its
        cross-channel columns times ``sqrt(cross_weight)`` unless that is None."""
        if self.gram_blocks:
            blocks = self.gram_blocks.items()
            gram = sum(g for pattern, g in blocks if pattern[c] and not pattern[-1])
            if cross_weight is not None:
                gram = gram + cross_weight * sum(
                    g for pattern, g in blocks if pattern[c] and pattern[-1]
                )
            if len(self.alphas) == 1:
                return [gram_loo_at(gram, self.targets, self.alphas[0], self.scored)]
            s, U = centred_eigh(gram)
        else:
            columns = np.flatnonzero(self.masks[c] & ~self.cross)
            weights = np.ones(len(columns))
            if cross_weight is not None:
                extra = np.flatnonzero(self.masks[c] & self.cross)
                columns = np.concatenate([columns, extra])
                weights = np.concatenate([weights, np.full(len(extra), np.sqrt(cross_weight))])
            if len(self.alphas) == 1:
                return [
                    design_loo_at(
                        self.F, columns, weights, self.targets, self.alphas[0], self.scored
                    )
                ]
            U, s = tall_basis(self.F[:, columns] * weights)
        return ridge_loo_path(U, s, self.targets, self.alphas, self.scored)


def _gram_blocks(F, masks):
    """``{membership pattern: Gram matrix of its columns}`` over the rows of ``masks``.

    Each column's pattern is coded as one integer (bit ``k``: in ``masks[k]``): a 1D
    unique, not a lexicographic sort of ``p`` rows. Columns in no mask are never used.
    """
    codes = np.zeros(F.shape[1], dtype=object if len(masks) > 62 else np.int64)
    for k, mask in enumerate(masks):
        codes += mask.astype(codes.dtype) << k
    blocks = {}
    for code in np.unique(codes):
        if code == 0:
            continue
        columns = np.flatnonzero(codes == code)
        blocks[tuple(masks[:, columns[0]])] = _gram(F, columns)
    return blocks


class _Ranking:
    """The ``n_heads`` best ``(fit, candidate, cross weight)`` seen, by leave-one-out
    score; ties go to the one added first."""

    def __init__(self, n_heads):
        self.n_heads = max(int(n_heads), 1)
        self.entries = []  # (-score, order added, fit, candidate, cross weight)
        self.added = itertools.count()

    def add(self, fits, c, cross_weight):
        for fit in fits:
            self.entries.append((-fit.score, next(self.added), fit, c, cross_weight))
        self.entries.sort(key=lambda entry: entry[:2])
        del self.entries[self.n_heads :]

    def clear(self):
        self.entries.clear()

    @property
    def empty(self):
        return not self.entries

    def best_candidate(self):
        """The best head's candidate (the first candidate when none is ranked yet)."""
        return self.entries[0][3] if self.entries else 0

    def heads(self):
        """``[(fit, candidate, cross weight or None)]``, best first."""
        return [entry[2:] for entry in self.entries]


def _cross_weight(F, rest, extra):
    """``trace(K_rest) / trace(K_cross)`` of the column masks ``rest`` (per-channel) and
    ``extra`` (cross-channel), from the columns' squared norms (no copy of ``F``'s
    columns); 1 without per-channel columns, None when the cross columns are all zero."""
    squares = np.einsum("ij,ij->j", F, F)
    rest_norm = float(squares[rest].sum())
    cross_norm = float(squares[extra].sum())
    if cross_norm <= 0.0:
        return None
    return rest_norm / cross_norm if rest_norm > 0.0 else 1.0


def _selection(F, targets, candidates, masks, cross, heads, scored):
    """The :class:`RidgeSelection` averaging ``heads`` (:class:`_Ranking`'s, best first)."""
    fit, _, _ = heads[0]
    weights = np.ones(F.shape[1])
    member_masks = []
    for _, c, cross_weight in heads:
        mask = masks[c] & ~cross
        if cross_weight is not None:
            weights[masks[c] & cross] = np.sqrt(cross_weight)  # one cross weight: one c
            mask = masks[c].copy()
        member_masks.append(mask)
    mask = np.logical_or.reduce(member_masks)
    # coef = (F[:, mask] * weights[mask]).T @ dual, the weights applied after the product:
    # F^T dual over every column costs less than copying the chosen columns out of F
    coef = sum(
        np.where(mask_j[mask][:, None], fit_j.coefficients(F)[mask] * weights[mask, None], 0.0)
        for (fit_j, _, _), mask_j in zip(heads, member_masks, strict=True)
    ) / len(heads)
    names = [candidates[c][0] + ("+cross" if w is not None else "") for _, c, w in heads]
    loo_decisions = sum(fit_j.loo_decisions for fit_j, _, _ in heads) / len(heads)
    score = -_mean_square(targets - loo_decisions, scored) if len(heads) > 1 else fit.score
    return RidgeSelection(
        name=names[0],
        mask=mask,
        alpha=fit.alpha,
        coef=coef,
        intercept=targets.mean(axis=0),
        loo_decisions=loo_decisions,
        score=score,
        weights=weights,
        heads=tuple((name, fit_j.alpha) for name, (fit_j, _, _) in zip(names, heads, strict=True)),
    )


#: Columns of the design copied at a time to form a Gram matrix (bounds the copy's memory).
GRAM_COLUMNS = 2048


def _gram(F, columns):
    """``F[:, columns] @ F[:, columns].T``, copying at most :data:`GRAM_COLUMNS` columns
    at a time."""
    gram = np.zeros((len(F), len(F)))
    for start in range(0, len(columns), GRAM_COLUMNS):
        Fk = F[:, columns[start : start + GRAM_COLUMNS]]
        gram += Fk @ Fk.T
    return gram
