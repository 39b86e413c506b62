"""Dense LAPACK steps of the ridge core: the QR updates, the SVD, the upper triangle.

The streaming factor (:class:`~sksssm.spectral._ridge.QRAccumulator`) is updated by
:func:`stacked_factor`: LAPACK's ``tpqrt`` on wide designs, which keeps the previous
factor triangular and reflects only the new rows into it, ``geqrf`` on the stacked rows
below :data:`TPQRT_MIN_COLUMNS` columns, where it is the faster.

A forecaster's configuration search solves tens of small ridge problems per series
(:mod:`sksssm.spectral._ridge`), so the Python around each LAPACK call (argument
checks, routine lookup, workspace query, masks) costs as much as the call itself.
:func:`svd` and :func:`upper_triangle` make the same LAPACK calls with the same
workspace, so their results are bit-identical to scipy's and numpy's; what they look up
is kept per shape (bounded).
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


def geqrf_factor(A, *, overwrite=False):
    """:func:`~._ridge.triangular_factor` of a float64 array, unchecked (LAPACK ``geqrf``)."""
    m, k = A.shape
    if m == 0:
        return np.zeros((0, k))
    (geqrf,) = linalg.get_lapack_funcs(("geqrf",), (A,))
    qr, _, _, info = geqrf(A, overwrite_a=overwrite)
    if info != 0:  # pragma: no cover - LAPACK reports invalid arguments only
        raise RuntimeError(f"LAPACK geqrf failed with info={info}.")
    return upper_triangle(qr[: min(m, k)])


#: Columns from which :func:`stacked_factor` calls LAPACK's ``tpqrt`` rather than
#: ``geqrf`` on the stacked rows (one thread, OpenBLAS, ``k x k`` factor, ``k`` to ``4 k``
#: rows added: ``tpqrt`` took 1.3-1.6x ``geqrf``'s time at 32 columns, 0.85-1.24x at 64,
#: 0.65-0.8x at 96, 0.5-0.7x at 128, 0.3-0.55x at 256, 0.27x at 1,024 and 0.1-0.18x at
#: 3,341; section ``qr_update`` of the benchmark page).
TPQRT_MIN_COLUMNS = 96
#: Block size of ``tpqrt`` (32 and 64 measured alike; 128 slower).
TPQRT_BLOCK = 32


def stacked_factor(R, rows):
    """The triangular factor of ``[R; rows]``: ``R`` (r, k) upper trapezoidal, ``rows``
    (m, k) a Fortran-ordered float64 array, which may be overwritten.

    With at least :data:`TPQRT_MIN_COLUMNS` columns and ``r + m >= k``, ``R`` padded with
    zero rows to ``k x k`` (which changes no product ``R' R``) is updated by ``tpqrt``;
    otherwise the stacked rows are factored by ``geqrf``. Either way ``R' R`` of the result
    is ``R' R + rows' rows`` up to round-off (the rows' signs may differ between the two).
    """
    if not uses_tpqrt(R.shape[0], *rows.shape):
        work = stacked_rows(R, len(rows))
        work[len(R) :] = rows
        return geqrf_factor(work, overwrite=True)
    k = R.shape[1]
    square = np.zeros((k, k), order="F")
    square[: len(R)] = R
    (tpqrt,) = linalg.get_lapack_funcs(("tpqrt",), (square,))
    factor, _, _, info = tpqrt(
        0, min(TPQRT_BLOCK, k), square, np.asfortranarray(rows), overwrite_a=True, overwrite_b=True
    )
    if info != 0:  # pragma: no cover - LAPACK reports invalid arguments only
        raise RuntimeError(f"LAPACK tpqrt failed with info={info}.")
    return upper_triangle(factor)


def uses_tpqrt(r, m, k):
    """Whether :func:`stacked_factor` of ``r`` factor rows and ``m`` new rows of ``k``
    columns calls ``tpqrt`` (else ``geqrf`` on the stacked rows)."""
    return k >= TPQRT_MIN_COLUMNS and r + m >= k


def stacked_rows(R, m):
    """A Fortran-ordered ``(r + m, k)`` array holding ``R`` above ``m`` rows to fill."""
    work = np.empty((R.shape[0] + m, R.shape[1]), order="F")
    work[: R.shape[0]] = R
    return work
