"""Small dense LAPACK steps of the ridge core without per-call dispatch.

A forecaster's configuration search solves tens of small ridge problems per series
(:mod:`sksssm.spectral._ridge`), so the Python around each LAPACK call (argument
checks, routine lookup, workspace query, masks) costs as much as the call itself. These
helpers make the same LAPACK calls with the same workspace, so their results are
bit-identical to scipy's and numpy's; what they look up is kept per shape (bounded).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg
from scipy.linalg.lapack import _compute_lwork

#: Machine epsilon of float64 (the round-off cut-off of the singular values).
EPS = float(np.finfo(float).eps)
#: Shapes remembered by each cache below (then it starts over).
MAX_SHAPES = 1024
#: Largest mask (entries) :func:`upper_triangle` keeps.
MAX_MASK_SIZE = 2**16

_GESDD = {}  # (m, n) -> (gesdd, lwork)
_BELOW_DIAGONAL = {}  # (rows, columns) -> read-only boolean mask


def svd(A):
    """``scipy.linalg.svd(A, full_matrices=False, lapack_driver="gesdd")`` of a finite
    float64 matrix (which it may overwrite): the same LAPACK call and workspace.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.random.default_rng(0).normal(size=(6, 3))
    >>> U, s, Vt = svd(A.copy())
    >>> bool(np.allclose(U * s @ Vt, A))
    True
    """
    m, n = A.shape
    if not m or not n:  # scipy's empty-matrix shapes
        return linalg.svd(A, full_matrices=False, lapack_driver="gesdd", check_finite=False)
    routine = _GESDD.get((m, n))
    if routine is None:
        gesdd, gesdd_lwork = linalg.get_lapack_funcs(
            ("gesdd", "gesdd_lwork"), (A,), ilp64="preferred"
        )
        lwork = _compute_lwork(gesdd_lwork, m, n, compute_uv=True, full_matrices=False)
        if len(_GESDD) >= MAX_SHAPES:
            _GESDD.clear()
        routine = _GESDD[m, n] = (gesdd, lwork)
    gesdd, lwork = routine
    U, s, Vt, info = gesdd(A, compute_uv=True, lwork=lwork, full_matrices=False, overwrite_a=True)
    if info != 0:  # pragma: no cover - non-convergence: scipy raises its own error
        return linalg.svd(A, full_matrices=False, lapack_driver="gesdd", check_finite=False)
    return U, s, Vt


def upper_triangle(A):
    """``np.triu(A)`` of a 2D array, its mask kept per (small) shape.

    Examples
    --------
    >>> import numpy as np
    >>> upper_triangle(np.ones((2, 3))).tolist()
    [[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]
    """
    if A.size > MAX_MASK_SIZE:
        return np.triu(A)
    below = _BELOW_DIAGONAL.get(A.shape)
    if below is None:
        if len(_BELOW_DIAGONAL) >= MAX_SHAPES:
            _BELOW_DIAGONAL.clear()
        below = _BELOW_DIAGONAL[A.shape] = np.tri(*A.shape, -1, dtype=bool)
        below.flags.writeable = False
    return np.where(below, np.zeros(1, A.dtype), A)
