"""Perturb-then-diagonalize (PTD).

Yu, Nigmetov, Morozov, Mahoney, Erichson, "Robustifying State-space Models for Long
Sequences via Approximate Diagonalization" (ICLR 2024). HiPPO-LegS is diagonalizable in
exact arithmetic, but its eigenvector matrix ``V`` is so ill-conditioned
(``kappa(V) > 1e10`` already at ``N = 16``) that the diagonal form is useless in floating
point. PTD diagonalizes a nearby matrix ``A + E`` instead, choosing a small ``E`` for which
``V`` is well conditioned: the diagonal system then approximates HiPPO *strongly* (its
transfer function is uniformly close), unlike S4D-LegS, which drops a rank-one term and
agrees with HiPPO only weakly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.linalg

from .hippo import hippo_legs

PTD_METHODS = ("optimize", "random", "none")
# Target for the real parts of the eigenvalues (HiPPO-LegS has Re <= -1): the stability
# penalty pushes every Re(lambda) below -STABILITY_MARGIN.
STABILITY_MARGIN = 0.5
_CACHE: dict = {}


class PTDResult(NamedTuple):
    """The decomposition ``A + E = V diag(eigenvalues) V_inv`` found by PTD.

    Attributes
    ----------
    eigenvalues : ndarray of shape (N,), complex
        All ``N`` modes (a conjugate-closed set for real ``A``), sorted by imaginary part.
    V : ndarray of shape (N, N), complex
        Eigenvectors, unit columns.
    V_inv : ndarray of shape (N, N), complex
        ``V^{-1}`` (by a linear solve).
    E : ndarray of shape (N, N), real
        The perturbation that this decomposition diagonalizes exactly (up to rounding).
    condition_number : float
        ``kappa_2(V)``.
    B_tilde : ndarray of shape (N,) or None
        ``V^{-1} B`` when ``B`` was given.
    C_tilde : ndarray of shape (N,) or None
        ``C V`` when ``C`` was given.
    """

    eigenvalues: np.ndarray
    V: np.ndarray
    V_inv: np.ndarray
    E: np.ndarray
    condition_number: float
    B_tilde: np.ndarray | None = None
    C_tilde: np.ndarray | None = None


def perturb_then_diagonalize(
    A,
    B=None,
    C=None,
    *,
    method: str = "optimize",
    max_norm: float = 3e-3,
    gamma: float = 1.0,
    max_iter: int = 150,
    random_state: int = 0,
) -> PTDResult:
    """Diagonalize a slightly perturbed ``A + E`` with a well-conditioned eigenbasis.

    Methods:

    - ``"optimize"`` (the paper's): minimise ``log kappa_F(V) + gamma ||E||_F / ||A||_2``
      plus a penalty on eigenvalues with ``Re > -1/2``, by Adam through
      ``torch.linalg.eig`` in complex128, with ``||E||_F <= max_norm ||A||_2`` enforced by
      projection after every step (so ``||E||_2 / ||A||_2 <= max_norm`` before the
      stability fix below). ``kappa_F(V) = ||V||_F ||V^{-1}||_F / N`` (unit columns) is a
      smooth surrogate of ``kappa_2``, a lower bound of it (``kappa_F <= ||V^{-1}||_2 <=
      kappa_2``); ``condition_number`` reports ``kappa_2`` itself. Deterministic (seeded
      start, fixed iterations); the best stable iterate is kept. Results are cached in memory per
      ``(A, settings)``, so repeated calls (e.g. one per layer) are free.
    - ``"random"`` (fast): a seeded Gaussian ``E`` with ``||E||_2 = max_norm ||A||_2``.
    - ``"none"``: ``E = 0`` up to rounding (the plain eigendecomposition; for HiPPO-LegS
      this shows why PTD is needed).

    Small random perturbations of HiPPO-LegS are typically *unstable* (eigenvalues with
    positive real part). Any eigenvalue with ``Re >= 0`` left at the end is reflected to
    ``-|Re|`` and ``E`` is then redefined as ``V diag(eigenvalues) V_inv - A``, so the
    identity ``A + E = V diag(eigenvalues) V_inv`` always holds to rounding and every
    returned eigenvalue has ``Re < 0``. The same definition of ``E`` is used for every
    method (for ``"none"`` it is the backward error of the eigendecomposition).

    Parameters
    ----------
    A : array_like of shape (N, N), real
    B : array_like of shape (N,), optional
        Returned as ``B_tilde = V^{-1} B`` (by a solve).
    C : array_like of shape (N,), optional
        Returned as ``C_tilde = C V``.
    method : {"optimize", "random", "none"}, default="optimize"
    max_norm : float, default=3e-3
        Size of ``E`` relative to ``||A||_2`` (a bound for ``"optimize"``, the size for
        ``"random"``).
    gamma : float, default=1.0
        Weight of ``||E||_F / ||A||_2`` in the objective (``"optimize"``).
    max_iter : int, default=150
        Optimisation steps (``"optimize"``).
    random_state : int, default=0
        Seed of the initial/random perturbation.

    Returns
    -------
    PTDResult

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import hippo_legs, perturb_then_diagonalize
    >>> A, B = hippo_legs(8)
    >>> res = perturb_then_diagonalize(A, B, method="random")
    >>> lhs = A + res.E
    >>> rhs = res.V @ np.diag(res.eigenvalues) @ res.V_inv
    >>> bool(np.allclose(lhs, rhs)), bool(res.eigenvalues.real.max() < 0)
    (True, True)
    """
    A = _check_square(A)
    if method not in PTD_METHODS:
        raise ValueError(f"method must be one of {PTD_METHODS}; got {method!r}.")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive; got {max_norm}.")
    key = (
        A.shape,
        A.tobytes(),
        method,
        float(max_norm),
        float(gamma),
        int(max_iter),
        int(random_state),
    )
    if key not in _CACHE:
        E0 = _initial_perturbation(A, method, max_norm, random_state)
        if method == "optimize":
            E0 = _optimize_perturbation(A, E0, max_norm, gamma, max_iter)
        _CACHE[key] = _stable_decomposition(A, A + E0)
    eigenvalues, V, V_inv, E, kappa = (
        x.copy() if isinstance(x, np.ndarray) else x for x in _CACHE[key]
    )
    B_tilde = None if B is None else np.linalg.solve(V, np.asarray(B, dtype=complex))
    C_tilde = None if C is None else np.asarray(C, dtype=complex) @ V
    return PTDResult(eigenvalues, V, V_inv, E, kappa, B_tilde, C_tilde)


def block_diagonal_ptd(state_dim: int, n_blocks: int, **ptd_kwargs) -> PTDResult:
    """PTD of the block-diagonal HiPPO-LegS matrix used to initialise S5.

    S5 initialises its ``state_dim x state_dim`` state matrix with ``n_blocks`` copies of
    HiPPO-LegS of size ``state_dim / n_blocks`` on the diagonal. PTD of each block (computed
    once, cached) gives the decomposition of the whole matrix: eigenvalues repeated per
    block, block-diagonal ``V``, ``V_inv`` and ``E``. ``B_tilde`` transforms the stacked
    HiPPO ``B`` vectors.

    Parameters
    ----------
    state_dim : int
        Total state dimension, a multiple of ``n_blocks``.
    n_blocks : int
    **ptd_kwargs
        Passed to :func:`perturb_then_diagonalize`.

    Returns
    -------
    PTDResult

    Examples
    --------
    >>> from sksssm.ssm import block_diagonal_ptd
    >>> res = block_diagonal_ptd(8, 2, method="random")
    >>> res.V.shape, res.eigenvalues.shape
    ((8, 8), (8,))
    """
    if n_blocks < 1 or state_dim % n_blocks:
        raise ValueError(
            f"state_dim ({state_dim}) must be a positive multiple of n_blocks ({n_blocks})."
        )
    A, B = hippo_legs(state_dim // n_blocks)
    block = perturb_then_diagonalize(A, B, **ptd_kwargs)
    V = scipy.linalg.block_diag(*[block.V] * n_blocks)
    return PTDResult(
        eigenvalues=np.tile(block.eigenvalues, n_blocks),
        V=V,
        V_inv=scipy.linalg.block_diag(*[block.V_inv] * n_blocks),
        E=scipy.linalg.block_diag(*[block.E] * n_blocks),
        condition_number=float(np.linalg.cond(V)),
        B_tilde=np.tile(block.B_tilde, n_blocks),
    )


def eigenvector_condition_number(V) -> float:
    """``kappa_2(V)`` after scaling the columns of ``V`` to unit norm.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm.ptd import eigenvector_condition_number
    >>> eigenvector_condition_number(np.array([[2.0, 0.0], [0.0, 3.0]]))
    1.0
    """
    V = np.asarray(V)
    return float(np.linalg.cond(V / np.linalg.norm(V, axis=0)))


def _check_square(A) -> np.ndarray:
    if np.iscomplexobj(A):  # float() would keep the real part, with a ComplexWarning only
        raise ValueError("A must be a real matrix (a real LTI system); got a complex one.")
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.size == 0:
        raise ValueError(f"A must be a non-empty square matrix; got shape {A.shape}.")
    if not np.all(np.isfinite(A)):
        raise ValueError("A contains NaN or inf.")
    return A


def _initial_perturbation(A, method, max_norm, random_state) -> np.ndarray:
    if method == "none":
        return np.zeros_like(A)
    noise = np.random.default_rng(random_state).standard_normal(A.shape)
    if method == "random":
        return noise * (max_norm * np.linalg.norm(A, 2) / np.linalg.norm(noise, 2))
    # Start inside the feasible set, away from the (non-differentiable) defective A.
    return noise * (max_norm * np.linalg.norm(A, 2) / np.linalg.norm(noise))


def _optimize_perturbation(A, E0, max_norm, gamma, max_iter) -> np.ndarray:
    """Projected Adam on ``log kappa_F(V) + gamma ||E|| + stability penalty``."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small dense eigs: threads only add overhead
    try:
        return _projected_adam(torch, A, E0, max_norm, gamma, max_iter)
    finally:
        torch.set_num_threads(threads)


def _projected_adam(torch, A, E0, max_norm, gamma, max_iter) -> np.ndarray:
    N = A.shape[0]
    scale = np.linalg.norm(A, 2)  # work with A / ||A||_2 so settings are size-free
    A_scaled = torch.tensor(A / scale, dtype=torch.float64)
    X = torch.tensor(E0 / scale, dtype=torch.float64, requires_grad=True)
    # Entries of a feasible X are ~max_norm / N; Adam's step is per entry.
    optimizer = torch.optim.Adam([X], lr=1.6 * max_norm / N)
    margin = STABILITY_MARGIN / scale
    best, best_loss = E0, np.inf
    for _ in range(max_iter):
        eigenvalues, V = torch.linalg.eig(A_scaled + X)
        V = V / torch.linalg.vector_norm(V, dim=0)
        kappa_F = torch.linalg.matrix_norm(V) * torch.linalg.matrix_norm(torch.linalg.inv(V))
        instability = torch.relu(eigenvalues.real + margin).pow(2).sum()
        objective = torch.log(kappa_F / N) + gamma * torch.linalg.matrix_norm(X)
        if instability.item() == 0.0 and objective.item() < best_loss:
            best, best_loss = X.detach().numpy() * scale, objective.item()
        optimizer.zero_grad()
        (objective + 100.0 * N * instability).backward()
        optimizer.step()
        with torch.no_grad():  # project onto ||X||_F <= max_norm
            X.mul_(min(1.0, max_norm / torch.linalg.matrix_norm(X).item()))
    return best if np.isfinite(best_loss) else X.detach().numpy() * scale


def _stable_decomposition(A, A_perturbed):
    """Eigendecomposition with reflected unstable modes, and the ``E`` it diagonalizes."""
    eigenvalues, V = np.linalg.eig(A_perturbed)
    order = np.lexsort((eigenvalues.real, eigenvalues.imag))
    eigenvalues, V = eigenvalues[order] + 0j, V[:, order] + 0j
    V = V / np.linalg.norm(V, axis=0)
    unstable = eigenvalues.real >= 0
    tiny = np.finfo(float).eps * max(1.0, np.abs(eigenvalues).max())
    eigenvalues[unstable] = -np.maximum(eigenvalues[unstable].real, tiny) + 1j * (
        eigenvalues[unstable].imag
    )
    V_inv = np.linalg.solve(V, np.eye(len(V)))
    # Conjugate pairs make the product real up to rounding.
    E = (V * eigenvalues) @ V_inv - A
    return eigenvalues, V, V_inv, E.real, eigenvector_condition_number(V)
