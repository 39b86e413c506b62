"""Exact leave-one-out ridge of one design with one row per series.

With an unpenalized intercept, the leave-one-out residuals of every penalty follow from
one eigendecomposition: of the centred ``n x n`` Gram matrix when the design has more
columns than rows (:func:`centred_eigh`), of ``R R^T`` after a QR factorization when it
has fewer (:func:`tall_basis`); :func:`ridge_loo_path` then scores each penalty in
``O(n m)``. At one penalty a Cholesky factorization gives the same residuals for a
fraction of that cost (:func:`gram_loo_at`, :func:`design_loo_at`). The choice among
candidate feature sets built on these is :mod:`sksssm.spectral._ridge_loo`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg


@dataclass(frozen=True)
class LooFit:
    """Leave-one-out result of one penalty (:func:`ridge_loo_path`).

    ``solution`` computes :attr:`dual` when asked for (an :class:`_EigenDual` on an
    eigendecomposition's path): a selection compares every penalty's score but uses the
    dual coefficients of the few it keeps (an ``n x n`` product per penalty saved).
    """

    alpha: float
    loo_decisions: np.ndarray
    score: float
    solution: object = field(repr=False)

    @property
    def dual(self) -> np.ndarray:
        """``(X X^T + alpha I)^-1 (Y - mean Y)`` of the centred design ``X``: the
        coefficients are ``X^T dual``."""
        return self.solution.dual(self.alpha)

    def coefficients(self, F):
        """``F^T dual``, one row per column of ``F`` (the design's columns are columns of
        ``F``, possibly weighted). Only the rows of the columns the design uses mean
        anything (a one-penalty primal solve leaves the others zero)."""
        return self.solution.coefficients(F, self.alpha)


class _DualSolution:
    """A solution whose coefficients are ``F^T dual``."""

    def coefficients(self, F, alpha):
        return F.T @ self.dual(alpha)


@dataclass(frozen=True)
class _EigenDual(_DualSolution):
    """The dual coefficients of every penalty from a basis ``U``, its eigenvalues ``s``
    and ``projected = U^T (Y - mean Y)``: ``U diag(1 / (s + alpha)) projected``."""

    U: np.ndarray
    s: np.ndarray
    projected: np.ndarray

    def dual(self, alpha):
        return self.U @ (self.projected / (self.s + alpha)[:, None])


@dataclass(frozen=True)
class _SolvedDual(_DualSolution):
    """The dual coefficients of the one penalty they were solved for."""

    solved: np.ndarray

    def dual(self, alpha):
        return self.solved


@dataclass(frozen=True)
class _SolvedPrimal:
    """The coefficients of the one penalty they were solved for, on the design
    ``F[:, columns] * weights``, and its dual coefficients.

    :meth:`coefficients` returns them as they are, not as ``F^T dual``: with a penalty
    far below the spectrum, ``X^T dual = X^T (Y_c - X w) / alpha`` would cancel to
    round-off (measured: 8e-6 relative error at ``alpha = 1e-6``).
    """

    coef: np.ndarray
    columns: np.ndarray
    weights: np.ndarray
    solved: np.ndarray

    def dual(self, alpha):
        return self.solved

    def coefficients(self, F, alpha):
        """``F^T dual`` on the design's columns (zero on the others)."""
        full = np.zeros((F.shape[1], self.coef.shape[1]))
        full[self.columns] = self.coef / self.weights[:, None]
        return full


def ridge_loo_path(U, s, targets, alphas, scored=None):
    """Exact leave-one-out of ridge with an unpenalized intercept, for every alpha.

    ``U, s``: an orthonormal basis of the centred design's row space orthogonal to the
    constant vector ``1`` (:func:`centred_eigh` of the Gram matrix ``X X^T``, or the
    left singular vectors of ``X``) and the matching eigenvalues (squared singular
    values). The hat matrix is ``H = 1 1^T / n + U diag(s / (s + alpha)) U^T`` and the
    leave-one-out residual of series ``i`` is ``(y_i - yhat_i) / (1 - H_ii)``.

    Both are computed in the damping form ``alpha / (s + alpha)``:
    ``y - yhat = r + U diag(alpha / (s + alpha)) U^T (y - mean y)`` and ``1 - H_ii = c_i +
    sum_k U_ik^2 alpha / (s_k + alpha)``, where ``r`` and ``c_i = 1 - 1/n - sum_k
    U_ik^2`` are the parts outside ``U`` (exactly zero, and taken as such, when ``U``
    has ``n - 1`` columns: it then spans the whole space orthogonal to ``1``, as for a
    design with more columns than series). With
    ``alpha`` far below the spectrum both are tiny, and ``1 - (1/n + sum s/(s+alpha))``
    would lose every digit; this form keeps them to full relative precision, so small
    penalties (the minimum-norm interpolating limit) are scored correctly.

    Yields one :class:`LooFit` per alpha: ``score = -mean(residual^2)`` over the rows
    ``scored`` (a boolean mask; None: every row) and ``dual = U diag(1 / (s + alpha))
    U^T (Y - mean Y)`` (the coefficients are ``X^T dual``), the latter computed only when
    asked for (:attr:`LooFit.dual`).
    """
    n = targets.shape[0]
    centred = targets - targets.mean(axis=0)
    projected = U.T @ centred
    U2 = U**2
    if U.shape[1] == n - 1:  # U spans all of it: the parts outside are zero, not round-off
        outside, outside_leverage = 0.0, 0.0
    else:
        outside = centred - U @ projected
        outside_leverage = 1.0 - 1.0 / n - U2.sum(axis=1)
    for alpha in alphas:
        damping = alpha / (s + alpha)
        residual = outside + U @ (damping[:, None] * projected)
        residual /= (outside_leverage + U2 @ damping)[:, None]
        score = -_mean_square(residual, scored)
        yield LooFit(alpha, targets - residual, score, _EigenDual(U, s, projected))


def _mean_square(residual, scored):
    """Mean squared ``residual`` over the rows ``scored`` (None: every row)."""
    return float(np.mean((residual if scored is None else residual[scored]) ** 2))


def centred_eigh(gram):
    """Eigenpairs of a centred Gram matrix on the space orthogonal to ``1``.

    ``gram = X X^T`` of a column-centred ``X`` has ``1`` in its null space, but an
    eigensolver returns that direction mixed with round-off. The Householder reflection
    of :class:`_Reflection` separates it exactly: the eigenvectors of ``(P gram
    P)[1:, 1:]``, mapped back by ``P[:, 1:]``, are orthogonal to ``1`` to round-off.
    Returns ``(s, U)`` with ``s >= 0`` of shape ``(n - 1,)`` and ``U`` of shape ``(n, n -
    1)``.
    """
    reflection = _Reflection(gram.shape[0])
    s, V = np.linalg.eigh(reflection.inner(gram))
    return np.clip(s, 0.0, None), reflection.back(V)


class _Reflection:
    """The Householder reflection ``P = I - c v v^T`` mapping ``e_0`` to ``1 / sqrt(n)``.

    ``P`` is symmetric and orthogonal, so ``P[:, 1:]`` is an orthonormal basis of the
    space orthogonal to ``1``. It is applied as the rank-one update it is (``O(n^2)``),
    never as a dense matrix product (two ``n x n`` products would cost more than the
    eigendecomposition itself on a few thousand series).
    """

    def __init__(self, n):
        self.v = np.full(n, 1.0 / np.sqrt(n))
        self.v[0] -= 1.0
        self.c = 2.0 / (self.v @ self.v)

    def inner(self, gram):
        """``(P gram P)[1:, 1:]`` of a symmetric ``gram``."""
        v, c = self.v, self.c
        w = gram @ v
        # P gram P = gram - c v w^T - c w v^T + c^2 (v^T w) v v^T, with w = gram v
        u = w - (0.5 * c * (v @ w)) * v
        return (gram - c * (np.outer(v, u) + np.outer(u, v)))[1:, 1:]

    def back(self, V):
        """``P[:, 1:] @ V``: ``[0; V] - c v (v[1:]^T V)``."""
        U = -self.c * np.outer(self.v, self.v[1:] @ V)
        U[1:] += V
        return U

    def forward(self, Y):
        """``(P Y)[1:]``."""
        return Y[1:] - self.c * np.outer(self.v[1:], self.v @ Y)

    def rows(self, start, stop):
        """``P[1:, start:stop]`` (``P`` is symmetric: its columns ``start .. stop - 1``
        without their first entry)."""
        block = -self.c * np.outer(self.v[1:], self.v[start:stop])
        diagonal = np.arange(max(start, 1), stop)  # the identity's ones below row 0
        block[diagonal - 1, diagonal - start] += 1.0
        return block


#: Memory (bytes) of one block of the one-penalty leverages' triangular solves: the
#: series per block (columns of ``P[1:, :]``, or rows of the design) are as many as fit.
LEVERAGE_BYTES = 128 * 2**20


def _blocks(n, width):
    """``(start, stop)`` blocks of ``n`` series, each of at most :data:`LEVERAGE_BYTES`
    as ``width`` float64 values per series."""
    size = max(LEVERAGE_BYTES // (8 * max(width, 1)), 1)
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def gram_loo_at(gram, targets, alpha, scored=None):
    """Exact leave-one-out of ridge at one penalty from the centred Gram matrix ``X X^T``,
    by a Cholesky factorization (``n^3 / 3`` flops, plus ``n^3`` for the leverages),
    not an eigendecomposition (about ``9 n^3``).

    In the reflected coordinates of :class:`_Reflection`, ``M = (P gram P)[1:, 1:] +
    alpha I = L L^T``. The dual coefficients are ``d = P[:, 1:] M^-1 (P Y_c)[1:]``, the
    residuals ``alpha d``, and ``1 - H_ii = alpha ||L^-1 P[1:, i]||^2`` (the intercept's
    ``1/n`` falls out with the direction of ``1``), so the leave-one-out residual
    ``d_i / ||L^-1 P[1:, i]||^2`` keeps full precision however small ``alpha`` is.
    Returns a :class:`LooFit`, scored as :func:`ridge_loo_path` scores.
    """
    n = gram.shape[0]
    reflection = _Reflection(n)
    M = reflection.inner(gram)
    M[np.diag_indices_from(M)] += alpha
    L = scipy.linalg.cholesky(M, lower=True, overwrite_a=True)
    centred = targets - targets.mean(axis=0)
    inner = scipy.linalg.cho_solve((L, True), reflection.forward(centred))
    dual = reflection.back(inner)
    norms = np.empty(n)
    for start, stop in _blocks(n, n):
        Z = scipy.linalg.solve_triangular(L, reflection.rows(start, stop), lower=True)
        norms[start:stop] = np.einsum("ij,ij->j", Z, Z)
    residual = dual / norms[:, None]
    score = -_mean_square(residual, scored)
    return LooFit(alpha, targets - residual, score, _SolvedDual(dual))


def design_loo_at(F, columns, weights, targets, alpha, scored=None):
    """Exact leave-one-out of ridge at one penalty on the design ``X = F[:, columns] *
    weights`` (column-centred, more rows than columns), by a Cholesky factorization of
    ``X^T X + alpha I = L L^T`` (``n p^2`` flops for the Gram matrix and as many for the
    leverages), not an orthonormal basis (:func:`tall_basis`, about ``6 n p^2 + 9
    p^3``).

    The coefficients are ``w = (X^T X + alpha I)^-1 X^T Y_c``, the residuals ``r = Y_c -
    X w``, the leverages ``H_ii = 1/n + ||L^-1 x_i||^2`` and the dual coefficients ``r /
    alpha``. Returns a :class:`LooFit`, scored as :func:`ridge_loo_path` scores, whose
    :meth:`~LooFit.coefficients` are ``w`` itself.
    """
    design = F[:, columns] * weights
    n = design.shape[0]
    gram = design.T @ design
    gram[np.diag_indices_from(gram)] += alpha
    L = scipy.linalg.cholesky(gram, lower=True, overwrite_a=True)
    centred = targets - targets.mean(axis=0)
    coef = scipy.linalg.cho_solve((L, True), design.T @ centred)
    residual = centred - design @ coef
    leverage = np.empty(n)
    for start, stop in _blocks(n, design.shape[1]):
        Z = scipy.linalg.solve_triangular(L, design[start:stop].T, lower=True)
        leverage[start:stop] = np.einsum("ij,ij->j", Z, Z)
    loo_residual = residual / (1.0 - 1.0 / n - leverage)[:, None]
    score = -_mean_square(loo_residual, scored)
    solution = _SolvedPrimal(coef, columns, weights, residual / alpha)
    return LooFit(alpha, targets - loo_residual, score, solution)


#: How :func:`tall_basis` finds the basis: ``"qr"`` (Householder QR, then the
#: eigendecomposition of ``R R^T``) or ``"svd"`` (numpy's SVD of the design, before
#: session 44). Read at call time: ``benchmarks/ucr_large.py`` plays either
#: (``REFIT_BASIS_RULE``).
TALL_BASIS = "qr"


def tall_basis(design):
    """``(U, s)``: an orthonormal basis of the column space of ``design`` (more rows than
    columns) and the squared singular values, ``design = U diag(sqrt(s)) V^T``.

    ``"qr"``: ``design = Q R``, ``R R^T = W diag(s) W^T``, ``U = Q W``. ``U`` is
    orthonormal to round-off whatever the conditioning (``Q`` and ``W`` are), and ``s``
    has the absolute round-off ``eps * max(s)`` of the eigendecomposition, as the
    Gram-matrix path of designs with more columns than rows has: enough for the
    penalties of the pooled classifier. Measured 1.4x faster than the SVD (whose right
    singular vectors nothing here uses) on a ``3600 x 2730`` design, one thread.
    """
    if TALL_BASIS == "svd":
        U, sv, _ = np.linalg.svd(design, full_matrices=False)
        return U, sv**2
    Q, R = np.linalg.qr(design)
    s, W = np.linalg.eigh(R @ R.T)
    return Q @ W, np.clip(s, 0.0, None)
