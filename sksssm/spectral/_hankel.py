"""The Hankel matrices whose eigenvectors are the spectral filters.

Both matrices of the STU paper (Agarwal, Suo, Chen, Hazan, 2023) depend on their indices
only through ``i + j``, so an ``L x L`` matrix is fixed by ``2L - 1`` generating values
and its matrix-vector product is one FFT convolution: ``O(L log L)`` time and ``O(L)``
memory instead of the ``O(L^2)`` of a dense matrix.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.fft
import scipy.linalg
from scipy.sparse.linalg import LinearOperator
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._validation import HANKEL_KINDS, check_positive_int


def check_n_timesteps(n_timesteps) -> int:
    """Return ``n_timesteps`` as an int, or raise ValueError if it is not a positive integer."""
    return check_positive_int(n_timesteps, "n_timesteps")


def check_hankel(hankel) -> str:
    """Return ``hankel`` if it names a known matrix, else raise ValueError listing them."""
    if not isinstance(hankel, str) or hankel not in HANKEL_KINDS:
        raise ValueError(f"hankel must be one of {HANKEL_KINDS}, got {hankel!r}.")
    return hankel


def hankel_sequence(n_timesteps: int, hankel: str = "Z") -> np.ndarray:
    """The ``2L - 1`` generating values ``h(m)``, ``m = i + j = 2, ..., 2L`` (1-based i, j).

    ``Z``:   ``h(m) = 2 / (m^3 - m)``
    ``L``:   ``h(m) = ((-1)^(m - 2) + 1) * 8 / ((m + 3)(m - 1)(m + 1))`` (zero for odd m).
    """
    n_timesteps = check_n_timesteps(n_timesteps)
    hankel = check_hankel(hankel)
    m = np.arange(2, 2 * n_timesteps + 1, dtype=np.float64)
    if hankel == "Z":
        return 2.0 / (m**3 - m)
    even = (m % 2 == 0).astype(np.float64)  # (-1)^(m-2) + 1 is 2 for even m, 0 for odd m
    return 2.0 * even * 8.0 / ((m + 3.0) * (m - 1.0) * (m + 1.0))


@validate_params(
    {
        "n_timesteps": [Interval(numbers.Integral, 1, None, closed="left")],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
    },
    prefer_skip_nested_validation=True,
)
def hankel_matrix(n_timesteps: int, hankel: str = "Z") -> np.ndarray:
    """Dense Hankel matrix ``Z`` (or ``Z_L``) of the spectral state space model.

    ``Z[i, j] = 2 / ((i + j)^3 - (i + j))`` and
    ``Z_L[i, j] = ((-1)^(i + j - 2) + 1) * 8 / ((i + j + 3)(i + j - 1)(i + j + 1))``,
    ``i, j = 1, ..., L``. Both are symmetric positive semi-definite. Use it for small ``L``
    and tests; :func:`hankel_operator` applies the same matrix in ``O(L log L)``.

    Parameters
    ----------
    n_timesteps : int
        Matrix size ``L`` (the sequence length).
    hankel : {"Z", "L"}, default="Z"
        Which matrix: ``"Z"`` (Hazan, Singh, Zhang 2017) or ``"L"`` (the ``Z_L`` variant of
        the STU paper, which also captures negative eigenvalues of the dynamics).

    Returns
    -------
    ndarray of shape (n_timesteps, n_timesteps)

    Examples
    --------
    >>> from sksssm.spectral import hankel_matrix
    >>> hankel_matrix(3)
    array([[0.33333333, 0.08333333, 0.03333333],
           [0.08333333, 0.03333333, 0.01666667],
           [0.03333333, 0.01666667, 0.00952381]])
    """
    h = hankel_sequence(n_timesteps, hankel)
    return scipy.linalg.hankel(h[:n_timesteps], h[n_timesteps - 1 :])


@validate_params(
    {
        "n_timesteps": [Interval(numbers.Integral, 1, None, closed="left")],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
        "workers": [None, numbers.Integral],
    },
    prefer_skip_nested_validation=True,
)
def hankel_operator(n_timesteps: int, hankel: str = "Z", *, workers: int | None = None):
    """The Hankel matrix as a :class:`scipy.sparse.linalg.LinearOperator` (FFT products).

    ``(Z v)_i = sum_j h(i + j) v_j`` is the linear convolution of ``h`` with ``v`` reversed,
    read at indices ``L - 1, ..., 2L - 2``. An FFT of size ``>= 2L - 1`` (the length of
    ``h``) computes it without wrap-around reaching those indices; the spectrum of ``h`` is
    computed once.

    Parameters
    ----------
    n_timesteps : int
        Matrix size ``L``.
    hankel : {"Z", "L"}, default="Z"
        Which matrix, as in :func:`hankel_matrix`.
    workers : int, optional
        Threads for :func:`scipy.fft.rfft` (``None``: scipy's default).

    Returns
    -------
    scipy.sparse.linalg.LinearOperator
        Symmetric operator of shape ``(L, L)``, float64; ``matvec`` and ``matmat`` both
        cost ``O(L log L)`` per vector (twice that for a complex one, applied to its real
        and imaginary parts).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import hankel_matrix, hankel_operator
    >>> v = np.arange(5.0)
    >>> bool(np.allclose(hankel_operator(5) @ v, hankel_matrix(5) @ v))
    True
    """
    n_timesteps = check_n_timesteps(n_timesteps)
    h = hankel_sequence(n_timesteps, hankel)
    n_fft = scipy.fft.next_fast_len(2 * n_timesteps - 1, real=True)
    h_spectrum = scipy.fft.rfft(h, n_fft, workers=workers)
    window = slice(n_timesteps - 1, 2 * n_timesteps - 1)

    def matmat(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v)
        if np.iscomplexobj(v):  # a real matrix: each part alone (a cast drops the imaginary)
            return matmat(v.real) + 1j * matmat(v.imag)
        v = v.astype(np.float64, copy=False).reshape(n_timesteps, -1)
        v_spectrum = scipy.fft.rfft(v[::-1], n_fft, axis=0, workers=workers)
        return scipy.fft.irfft(h_spectrum[:, None] * v_spectrum, n_fft, axis=0, workers=workers)[
            window
        ]

    def matvec(v: np.ndarray) -> np.ndarray:
        return matmat(v)[:, 0]

    shape = (n_timesteps, n_timesteps)
    return LinearOperator(
        shape, matvec=matvec, rmatvec=matvec, matmat=matmat, rmatmat=matmat, dtype=np.float64
    )
