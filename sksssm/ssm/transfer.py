"""Transfer functions ``G(s) = C (sI - A)^{-1} B`` of continuous-time LTI systems."""

from __future__ import annotations

import numpy as np

from ._array import as_array


def transfer_function(eigenvalues, B, C, s):
    """Transfer function of a diagonal system: ``G(s) = sum_n C_n B_n / (s - lambda_n)``.

    (numpy|torch).

    Parameters
    ----------
    eigenvalues : array of shape (..., N), complex
    B, C : arrays of shape (..., N)
    s : array of shape (M,), complex
        Evaluation points (``s = i omega`` for the frequency response).

    Returns
    -------
    G : array of shape (..., M), complex

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import transfer_function
    >>> transfer_function(np.array([-1.0 + 0j]), np.array([1.0]), np.array([1.0]), np.array([1j]))
    array([0.5-0.5j])
    """
    weights = as_array(C, eigenvalues) * as_array(B, eigenvalues)
    s = as_array(s, eigenvalues)
    return (weights[..., None] / (s - eigenvalues[..., None])).sum(-2)


def transfer_function_dense(A, B, C, s) -> np.ndarray:
    """Transfer function of a dense system: ``G(s) = C (sI - A)^{-1} B`` (numpy).

    Each point is a linear solve (no inverse, no eigendecomposition), so it is accurate for
    non-normal ``A`` such as HiPPO-LegS.

    Parameters
    ----------
    A : ndarray of shape (N, N)
    B, C : ndarray of shape (N,)
    s : ndarray of shape (M,), complex

    Returns
    -------
    G : ndarray of shape (M,), complex

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import transfer_function_dense
    >>> A = np.array([[-1.0, 0.0], [1.0, -2.0]])
    >>> transfer_function_dense(A, np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([0.0]))
    array([0.5+0.j])
    """
    A, B, C = np.asarray(A), np.asarray(B), np.asarray(C)
    s = np.atleast_1d(np.asarray(s, dtype=complex))
    eye = np.eye(A.shape[0])
    # Batched solve: (M, N, N) systems (s_m I - A) x = B.
    states = np.linalg.solve(
        s[:, None, None] * eye - A, np.broadcast_to(B, (len(s), len(B)))[..., None]
    )
    return states[..., 0] @ C
