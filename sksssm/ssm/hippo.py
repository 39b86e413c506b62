"""HiPPO-LegS matrices (Gu, Dao, Ermon, Rudra, Re, 2020) and their normal-plus-low-rank form."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int


def _check_state_dim(N) -> int:
    return check_positive_int(N, "N (the state dimension)")


def hippo_legs(N: int) -> tuple[np.ndarray, np.ndarray]:
    """The HiPPO-LegS state matrix ``A`` and input vector ``B``.

    ``A[n, k] = -sqrt(2n+1) sqrt(2k+1)`` for ``n > k``, ``-(n+1)`` for ``n = k`` and ``0``
    for ``n < k``; ``B[n] = sqrt(2n+1)``. ``A`` is lower triangular, so its eigenvalues
    are ``-1, -2, ..., -N``, but it is highly non-normal: its eigenvector matrix has a
    condition number that grows exponentially with ``N`` (see
    :func:`sksssm.ssm.perturb_then_diagonalize`).

    Parameters
    ----------
    N : int
        State dimension.

    Returns
    -------
    A : ndarray of shape (N, N)
    B : ndarray of shape (N,)

    Examples
    --------
    >>> from sksssm.ssm import hippo_legs
    >>> A, B = hippo_legs(3)
    >>> A.round(3)
    array([[-1.   ,  0.   ,  0.   ],
           [-1.732, -2.   ,  0.   ],
           [-2.236, -3.873, -3.   ]])
    >>> B.round(3)
    array([1.   , 1.732, 2.236])
    """
    N = _check_state_dim(N)
    B = np.sqrt(2.0 * np.arange(N) + 1.0)
    A = np.tril(-np.outer(B, B), k=-1) - np.diag(np.arange(1.0, N + 1.0))
    return A, B


def hippo_legs_nplr(N: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HiPPO-LegS as normal plus low rank: ``A = S - P P^T``.

    With ``P[n] = sqrt(n + 1/2)``, ``S = A + P P^T = -I/2 + K`` where ``K`` is
    skew-symmetric, so ``S`` is normal (unitarily diagonalizable, eigenvalues
    ``-1/2 + i w``). Dropping the rank-one term gives S4D-LegS (:func:`s4d_init`).

    Parameters
    ----------
    N : int
        State dimension.

    Returns
    -------
    S : ndarray of shape (N, N)
        The normal part.
    P : ndarray of shape (N,)
        The low-rank factor.
    B : ndarray of shape (N,)
        The HiPPO-LegS input vector (as in :func:`hippo_legs`).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import hippo_legs, hippo_legs_nplr
    >>> S, P, B = hippo_legs_nplr(4)
    >>> A, _ = hippo_legs(4)
    >>> bool(np.allclose(S - np.outer(P, P), A))
    True
    >>> bool(np.allclose(S + S.T, -np.eye(4)))
    True
    """
    A, B = hippo_legs(N)
    P = np.sqrt(np.arange(N) + 0.5)
    return A + np.outer(P, P), P, B
