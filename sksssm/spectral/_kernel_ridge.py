"""Gaussian-kernel ridge on a chosen feature set, with exact leave-one-out.

The classifier's ridge is linear in its pooled features. :func:`fit_rbf_ridge` fits the
kernel ridge of the same targets with the Gaussian kernel ``k(z, z') = exp(-gamma ||z -
z'||^2)`` on the same standardized features, an unpenalized intercept (the kernel
centred in feature space, ``J K J``, ``J = I - 1 1^T / n``), and its bandwidth and penalty
chosen by exact leave-one-out: the centred kernel's eigendecomposition gives every
penalty's leave-one-out residuals at once (:func:`~._loo_solvers.ridge_loo_path`, the
linear ridge's own formulas with ``X X^T`` replaced by the kernel). The bandwidths are
multiples :data:`BANDWIDTHS` of the inverse median squared distance between training
series. The classifier's rule that keeps it is
:func:`sksssm.estimators._pooled_selection.kernel_beats_linear`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._loo_solvers import centred_eigh, ridge_loo_path

#: The classifier's ``kernel`` options: the linear ridge, the kernel ridge where
#: leave-one-out classifies better
#: (:func:`~sksssm.estimators._pooled_selection.kernel_beats_linear`), the kernel ridge.
KERNELS = ("linear", "auto", "rbf")
#: ``gamma = c / median squared distance`` for each ``c`` (leave-one-out chooses).
BANDWIDTHS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
#: Largest training design (``n_series x n_columns`` float64) a kernel head keeps: the
#: model holds it to compute new series' kernel rows, so above this (thousands of
#: series with tens of thousands of columns: wide data) the linear ridge is kept. Every
#: development set's head is far below (at most a few tens of MiB).
MAX_TRAIN_BYTES = 256 * 2**20
#: Rows of the kernel between new and training series computed at once (memory).
KERNEL_BLOCK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class RbfRidge:
    """A fitted Gaussian-kernel ridge (:func:`fit_rbf_ridge`).

    Attributes
    ----------
    train : ndarray of shape (n, p)
        The training design (standardized features of the chosen set).
    gamma : float
        The kernel's inverse squared length scale.
    alpha : float
        The chosen penalty.
    dual : ndarray of shape (n, n_targets)
        ``(J K J + alpha I)^-1 (Y - mean Y)``.
    intercept : ndarray of shape (n_targets,)
        The targets' mean.
    column_mean : ndarray of shape (n,)
        Mean of each column of the training kernel ``K`` (centres new kernel rows).
    loo_decisions : ndarray of shape (n, n_targets)
        The exact leave-one-out decision values of the training series.
    score : float
        Minus their mean squared error (over the scored series).
    """

    train: np.ndarray
    gamma: float
    alpha: float
    dual: np.ndarray
    intercept: np.ndarray
    column_mean: np.ndarray
    loo_decisions: np.ndarray
    score: float

    def decision_function(self, Z):
        """Decision values ``(len(Z), n_targets)`` of new rows ``Z`` of the same design.

        A row with a non-finite or overflowing value is at infinite distance from every
        training series: its kernel row is zero, its decision the intercept's side of the
        centring (finite whatever the input).
        """
        Z = np.asarray(Z, dtype=np.float64)
        out = np.empty((len(Z), self.dual.shape[1]))
        block = max(KERNEL_BLOCK_BYTES // (8 * max(len(self.train), 1)), 1)
        for start in range(0, len(Z), block):
            rows = Z[start : start + block]
            far = ~np.isfinite(rows).all(axis=1) | (np.abs(rows).max(axis=1, initial=0) > 1e100)
            rows = np.where(far[:, None], 0.0, rows)
            K = np.exp(-self.gamma * squared_distances(rows, self.train))
            K[far] = 0.0
            # centred as at fit; the row's own mean (and the kernel's) drop out, as the
            # dual coefficients sum to zero
            K -= self.column_mean
            out[start : start + block] = K @ self.dual + self.intercept
        return out


def squared_distances(A, B):
    """``||a_i - b_j||^2`` ``(len(A), len(B))``, clipped at zero (round-off).

    Examples
    --------
    >>> import numpy as np
    >>> squared_distances(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[3.0, 4.0]])).tolist()
    [[25.0], [13.0]]
    """
    D = (A**2).sum(axis=1)[:, None] + (B**2).sum(axis=1)[None, :]
    D -= 2.0 * (A @ B.T)
    return np.maximum(D, 0.0, out=D)


def _centred(K, column_mean):
    """``J K J``: the kernel of features centred on their training mean (``K`` symmetric,
    ``column_mean`` the mean of each of its columns, and so of its rows)."""
    return K - column_mean[:, None] - column_mean[None, :] + column_mean.mean()


def fit_rbf_ridge(Z, targets, alphas, scored=None):
    """The Gaussian-kernel ridge of smallest leave-one-out squared error.

    Parameters
    ----------
    Z : ndarray of shape (n, p)
        Training design (rows: series).
    targets : ndarray of shape (n, n_targets)
    alphas : array-like of float
        Candidate penalties.
    scored : ndarray of bool of shape (n,), optional
        Series whose leave-one-out errors count (None: all).

    Returns
    -------
    RbfRidge

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> Z = rng.normal(size=(40, 3))
    >>> y = np.where((Z**2).sum(axis=1) > 3, 1.0, -1.0)[:, None]  # not linear in Z
    >>> fit = fit_rbf_ridge(Z, y, np.logspace(-3, 2, 6))
    >>> bool(np.mean(np.sign(fit.decision_function(Z)) == y) > 0.9)
    True
    """
    Z = np.asarray(Z, dtype=np.float64)
    D = squared_distances(Z, Z)
    off_diagonal = D[np.triu_indices(len(Z), 1)]
    median = float(np.median(off_diagonal)) if off_diagonal.size else 0.0
    median = median if median > 0 else 1.0  # identical series: any scale
    best = None
    for c in BANDWIDTHS:
        gamma = c / median
        K = np.exp(-gamma * D)
        column_mean = K.mean(axis=0)
        s, U = centred_eigh(_centred(K, column_mean))
        for fit in ridge_loo_path(U, s, targets, alphas, scored):
            if best is None or fit.score > best[0].score:
                best = (fit, gamma, column_mean)
    fit, gamma, column_mean = best
    return RbfRidge(
        train=Z,
        gamma=gamma,
        alpha=float(fit.alpha),
        dual=fit.dual,
        intercept=targets.mean(axis=0),
        column_mean=column_mean,
        loo_decisions=fit.loo_decisions,
        score=fit.score,
    )
