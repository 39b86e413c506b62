"""S4D initialisations (Gu, Gupta, Goel, Re, "On the Parameterization and Initialization
of Diagonal State Space Models", 2022): the diagonal baselines PTD improves on."""

from __future__ import annotations

import numpy as np

from .hippo import _check_state_dim, hippo_legs_nplr

S4D_KINDS = ("legs", "lin", "inv")


def s4d_init(N: int, kind: str = "legs", *, half: bool = False):
    """Diagonal S4D initialisation: eigenvalues and input vector.

    - ``"legs"``: eigenvalues of the normal part ``S`` of HiPPO-LegS
      (:func:`hippo_legs_nplr`), ``-1/2 + i w``, with ``B`` transformed into the unitary
      eigenbasis (``B_tilde = V^H B``). The rank-one term of HiPPO is dropped, which is
      why S4D-LegS converges to HiPPO only weakly (see
      :func:`~sksssm.ssm.perturb_then_diagonalize`).
    - ``"lin"``: ``-1/2 + i pi n``; ``B = 1``.
    - ``"inv"``: ``-1/2 + i (N/pi) (N/(2n+1) - 1)``; ``B = 1``.

    for ``n = 0, ..., N/2 - 1``.

    Conjugate pairs: by default all ``N`` modes of the real ``N``-dimensional system are
    returned as a conjugate-closed set: for ``"legs"`` sorted by imaginary part, for
    ``"lin"``/``"inv"`` the ``N/2`` modes above (in the order of ``n``: ascending
    imaginary parts for ``"lin"``, descending for ``"inv"``) followed by their conjugates,
    so the real mode ``-1/2`` of ``"lin"`` appears twice. With ``half=True`` only the
    ``N/2`` modes with ``Im >= 0`` are returned (S4D's convention); the real kernel is then
    ``2 Re(...)`` (``vandermonde_kernel(..., conjugate_pairs=True)``) and equals the
    full-set kernel exactly.

    Parameters
    ----------
    N : int
        Real state dimension (even, except for ``kind="legs"`` with ``half=False``).
    kind : {"legs", "lin", "inv"}, default="legs"
    half : bool, default=False
        Return only one mode of each conjugate pair.

    Returns
    -------
    eigenvalues : ndarray of shape (N,) or (N // 2,), complex
    B : ndarray of shape (N,) or (N // 2,), complex

    Examples
    --------
    >>> from sksssm.ssm import s4d_init
    >>> lam, B = s4d_init(4, "lin", half=True)
    >>> lam.round(4)
    array([-0.5+0.j    , -0.5+3.1416j])
    """
    N = _check_state_dim(N)
    if kind not in S4D_KINDS:
        raise ValueError(f"kind must be one of {S4D_KINDS}; got {kind!r}.")
    if N % 2 and (half or kind != "legs"):
        raise ValueError(f"N must be even for kind={kind!r}, half={half}; got N={N}.")
    if kind == "legs":
        return _s4d_legs(N, half)
    n = np.arange(N // 2)
    if kind == "lin":
        eigenvalues = -0.5 + 1j * np.pi * n
    else:
        eigenvalues = -0.5 + 1j * (N / np.pi) * (N / (2 * n + 1) - 1)
    B = np.ones(N // 2, dtype=complex)
    if half:
        return eigenvalues, B
    return np.concatenate([eigenvalues, eigenvalues.conj()]), np.concatenate([B, B])


def _s4d_legs(N: int, half: bool):
    S, _, B = hippo_legs_nplr(N)
    # S = -I/2 + K with K skew-symmetric; iK is Hermitian, so eigh gives a unitary basis.
    mu, V = np.linalg.eigh(1j * (S + 0.5 * np.eye(N)))
    eigenvalues = -0.5 - 1j * mu  # K = V diag(-i mu) V^H
    B_tilde = V.conj().T @ B
    order = np.argsort(eigenvalues.imag)
    upper = order[N - N // 2 :]  # the N//2 modes with Im > 0, ascending
    lam_pos, b_pos = eigenvalues[upper], B_tilde[upper]
    if half:
        return lam_pos, b_pos
    # S is real, so conj(v) is an eigenvector for conj(lambda): choosing those makes the
    # returned set (eigenvalues and B_tilde) exactly conjugate-closed.
    middle = order[N // 2 : N - N // 2]  # the real mode -1/2 when N is odd
    return (
        np.concatenate([lam_pos[::-1].conj(), eigenvalues[middle].real + 0j, lam_pos]),
        np.concatenate([b_pos[::-1].conj(), np.abs(B_tilde[middle]) + 0j, b_pos]),
    )
