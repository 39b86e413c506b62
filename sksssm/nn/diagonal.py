"""Diagonal state space layers: S4-PTD (SISO, convolution) and S5-PTD (MIMO, parallel scan).

Yu, Nigmetov, Morozov, Mahoney, Erichson, "Robustifying State-space Models for Long
Sequences via Approximate Diagonalization" (ICLR 2024). HiPPO-LegS cannot be diagonalized
stably; perturbing it slightly and *then* diagonalizing (PTD,
:func:`sksssm.ssm.perturb_then_diagonalize`) gives well-conditioned diagonal systems that
converge strongly to it. The maths (HiPPO, PTD, S4D initialisations, discretization,
Vandermonde kernels) lives in :mod:`sksssm.ssm`; this module only holds the layers.

Conventions (shared by both layers)
-----------------------------------
- ``state_dim`` is the dimension ``N`` of the *real* continuous system. Its eigenvalues
  come in conjugate pairs, so one mode per pair is stored and the output is doubled,
  ``y = 2 Re(C x) + D u`` (S4D's and S5's convention;
  ``vandermonde_kernel(..., conjugate_pairs=True)``). That is ``M = N / 2`` modes for
  the S4D initialisations. PTD can leave a few eigenvalues real; all of them are kept,
  with half the input weight, so ``M = N / 2 + n_real / 2`` (``n_modes``) and the stored
  modes reproduce the perturbed real system exactly.
- Eigenvalues are stored as ``ssm_log_lambda_real`` and ``ssm_lambda_imag`` with
  ``Re(lambda) = -exp(ssm_log_lambda_real)``, so the system stays stable through training.
- Complex parameters are stored as real pairs (last axis of size 2: real, imaginary).
- Parameters named ``ssm_*`` (eigenvalues, ``B``, ``log_dt``) are the SSM parameters
  (own learning rate, no weight decay); ``C`` and ``D`` are ordinary parameters.
- Discretization with step ``dt = exp(ssm_log_dt)`` (``"zoh"`` or ``"bilinear"``):
  ``x_k = lambda_bar x_{k-1} + B_bar u_k`` from ``x_{-1} = 0`` (no extra delay).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch import nn

from sksssm.ssm import (
    block_diagonal_ptd,
    discretize,
    hippo_legs,
    perturb_then_diagonalize,
    s4d_init,
)

from .._validation import DISCRETIZATIONS, SSM_INITS, check_option, check_positive_int
from .backbone import SequenceLayer, make_generator
from .kernelconv import KernelConvLayer
from .scan import associative_scan_linear

__all__ = ["DiagonalSSMConv", "DiagonalSSMScan"]

# Real parts closer to zero than this are clipped at initialisation (log needs Re < 0).
_MIN_DECAY = 1e-4


# --- shared helpers (also used by hope.py) ---------------------------------------------
def _check_layer_input(x: torch.Tensor, d_model: int) -> None:
    if x.ndim != 3 or x.shape[-1] != d_model:
        raise ValueError(f"expected input (batch, time, {d_model}), got shape {tuple(x.shape)}.")


def _factory(device, dtype) -> dict:
    """Factory arguments of the layers' real parameters: float32 or float64 only (the
    complex parameterizations have no half-precision kernels); ``None`` is torch's
    default dtype."""
    dtype = torch.get_default_dtype() if dtype is None else dtype
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(
            f"dtype must be torch.float32 or torch.float64 (or None for the default "
            f"dtype); got {dtype!r}. For half precision run the layer under torch.autocast."
        )
    return {"device": device, "dtype": dtype}


def _log_uniform(size: int, low: float, high: float, generator) -> torch.Tensor:
    """``size`` values of ``log(dt)`` with ``dt`` log-uniform in ``[low, high]`` (float64)."""
    if not (0 < low <= high and math.isfinite(high)):
        raise ValueError(f"need 0 < dt_min <= dt_max < inf, got dt_min={low!r}, dt_max={high!r}.")
    fraction = torch.rand(size, generator=generator, dtype=torch.float64)
    return math.log(low) + fraction * (math.log(high) - math.log(low))


def _complex_normal(shape, std: float, generator) -> torch.Tensor:
    """Complex normal samples as real pairs ``(*shape, 2)``, ``E|z|^2 = std**2``."""
    return torch.randn(*shape, 2, generator=generator, dtype=torch.float64) * (std / math.sqrt(2))


def _check_options(state_dim: int, init: str, discretization: str, ptd_kwargs) -> None:
    check_positive_int(state_dim, "state_dim", minimum=2)
    if state_dim % 2:
        raise ValueError(
            f"state_dim must be even (eigenvalues come in conjugate pairs), got {state_dim}."
        )
    check_option(init, "init", SSM_INITS)
    check_option(discretization, "discretization", DISCRETIZATIONS)
    if ptd_kwargs is not None and init != "ptd":
        raise ValueError(
            f"ptd_kwargs only applies to init='ptd'; got ptd_kwargs={ptd_kwargs!r} with "
            f"init={init!r}. Pass ptd_kwargs=None."
        )


def _conjugate_half(eigenvalues: np.ndarray):
    """One mode per conjugate pair of a conjugate-closed set, and input weights.

    Returns the indices of the modes with ``Im > 0`` and of every real mode, and a
    weight per kept mode (1, or 1/2 for real modes): with the output ``2 Re(C x)``,
    halving the input of a real mode makes the kept modes reproduce the full real system
    exactly (PTD can leave a few eigenvalues real).
    """
    tol = 1e-10 * max(1.0, float(np.abs(eigenvalues).max()))
    upper, real = eigenvalues.imag > tol, np.abs(eigenvalues.imag) <= tol
    if upper.sum() != (eigenvalues.imag < -tol).sum():
        raise ValueError("eigenvalues must be a conjugate-closed set (of a real matrix).")
    keep = np.flatnonzero(upper | real)
    return keep, np.where(real[keep], 0.5, 1.0)


def _ptd_modes(N: int, ptd_kwargs: dict | None):
    """PTD of HiPPO-LegS: kept modes, weighted ``B_tilde = V^{-1} B`` (fresh copies)."""
    options = tuple(sorted((ptd_kwargs or {}).items()))
    try:
        hash(options)
        compute = _cached_ptd_modes
    except TypeError:  # an unhashable option (e.g. an array): compute without the cache
        compute = _cached_ptd_modes.__wrapped__
    eigenvalues, B_tilde = compute(N, options)
    return eigenvalues.copy(), B_tilde.copy()


@functools.lru_cache(maxsize=16)
def _cached_ptd_modes(N: int, options: tuple):
    # The PTD is deterministic (seeded start, fixed iterations) and its "optimize" method
    # takes about a second at N = 64, once per layer: every layer and every fit of the
    # same configuration shares one computation.
    A, B = hippo_legs(N)
    result = perturb_then_diagonalize(A, B, **dict(options))
    keep, weight = _conjugate_half(result.eigenvalues)
    return result.eigenvalues[keep], weight * result.B_tilde[keep]


def siso_init(N: int, init: str = "ptd", ptd_kwargs: dict | None = None):
    """Eigenvalues and input vector of one SISO diagonal SSM (one mode per conjugate pair).

    ``"ptd"``: PTD of HiPPO-LegS, ``B_tilde = V^{-1} B``; ``"s4d-*"``: :func:`sksssm.ssm.s4d_init`.

    Parameters
    ----------
    N : int
        Real state dimension (even).
    init : {"ptd", "s4d-legs", "s4d-lin", "s4d-inv"}, default="ptd"
    ptd_kwargs : dict, optional
        Extra keyword arguments for :func:`sksssm.ssm.perturb_then_diagonalize`.

    Returns
    -------
    eigenvalues : ndarray of shape (M,), complex
        ``M = N / 2``, plus half the number of real eigenvalues for PTD.
    B : ndarray of shape (M,), complex

    Examples
    --------
    >>> lam, B = siso_init(8, "s4d-lin")
    >>> lam.shape, B.shape
    ((4,), (4,))
    """
    if init == "ptd":
        return _ptd_modes(N, ptd_kwargs)
    return s4d_init(N, init.removeprefix("s4d-"), half=True)


def blocked_vandermonde_kernel(weights, log_lambda, n_timesteps: int) -> torch.Tensor:
    """``Re(sum_m weights[..., m] * exp(l * log_lambda[..., m]))`` for ``l < n_timesteps``.

    Writing ``l = j + P k`` with ``P = ceil(sqrt(L))``, the sum over the modes is a matrix
    product of ``A[j, m] = w_m exp(j z_m)`` ``(P, M)`` and ``B[m, k] = exp(P k z_m)``
    ``(M, L / P)``: ``O(M sqrt(L))`` complex exponentials per channel instead of
    ``O(M L)``, and the ``O(M L)`` remainder runs as two real batched GEMMs. Every power
    is one ``exp`` of an exact exponent (no repeated multiplication), so the accuracy is
    that of the direct Vandermonde product; strongly damped modes underflow to 0.

    Parameters
    ----------
    weights, log_lambda : complex Tensor of shape (H, M)
    n_timesteps : int

    Returns
    -------
    Tensor of shape (H, n_timesteps), real

    Examples
    --------
    >>> import torch
    >>> w = torch.tensor([[2.0 + 0j]])
    >>> z = torch.log(torch.tensor([[0.5 + 0j]]))
    >>> blocked_vandermonde_kernel(w, z, 4)
    tensor([[2.0000, 1.0000, 0.5000, 0.2500]])
    """
    check_positive_int(n_timesteps, "n_timesteps")
    block = math.isqrt(n_timesteps - 1) + 1  # P = ceil(sqrt(L))
    n_blocks = -(-n_timesteps // block)
    real_dtype = weights.real.dtype
    inner = torch.arange(block, device=weights.device, dtype=real_dtype)
    outer = torch.arange(n_blocks, device=weights.device, dtype=real_dtype) * block
    # Real and imaginary parts throughout: exp(x + iy) = e^x (cos y + i sin y) in real
    # arithmetic is several times faster than torch's complex exp on a CPU.
    A_re, A_im = _exp_of_multiples(log_lambda, inner)  # (H, M, P)
    w_re, w_im = weights.real[..., None], weights.imag[..., None]
    A_re, A_im = w_re * A_re - w_im * A_im, w_re * A_im + w_im * A_re
    B_re, B_im = _exp_of_multiples(log_lambda, outer)  # (H, M, Q)
    # Re(A^T B) = Re(A)^T Re(B) - Im(A)^T Im(B): two real batched GEMMs.
    K = torch.bmm(A_re.transpose(1, 2), B_re) - torch.bmm(A_im.transpose(1, 2), B_im)
    # K[h, j, k] = kernel at l = j + P k
    return K.transpose(1, 2).reshape(K.shape[0], -1)[:, :n_timesteps]


def _exp_of_multiples(log_lambda, steps):
    """Real and imaginary parts of ``exp(log_lambda[..., None] * steps)``."""
    magnitude = torch.exp(log_lambda.real[..., None] * steps)
    phase = log_lambda.imag[..., None] * steps
    return magnitude * torch.cos(phase), magnitude * torch.sin(phase)


def _stable_eigenvalue_parameters(eigenvalues: np.ndarray):
    """``(log(-Re), Im)`` of the eigenvalues, real parts clipped to ``<= -_MIN_DECAY``."""
    decay = np.maximum(-eigenvalues.real, _MIN_DECAY)
    return torch.as_tensor(np.log(decay)), torch.as_tensor(eigenvalues.imag.copy())


class _DiagonalSSMBase(SequenceLayer):  # noqa: B024 - a mixin of storage helpers
    """Storage and discretization of ``lambda``, ``B`` and ``dt`` (shared by both layers)."""

    def _store_eigenvalues(self, eigenvalues: np.ndarray, factory: dict) -> None:
        log_decay, imag = _stable_eigenvalue_parameters(eigenvalues)
        self.ssm_log_lambda_real = nn.Parameter(log_decay.to(**factory))
        self.ssm_lambda_imag = nn.Parameter(imag.to(**factory))

    def eigenvalues(self) -> torch.Tensor:
        """Continuous-time eigenvalues (complex tensor, ``Re < 0``), differentiable."""
        return torch.complex(-torch.exp(self.ssm_log_lambda_real), self.ssm_lambda_imag)


class DiagonalSSMConv(_DiagonalSSMBase, KernelConvLayer):
    """S4-PTD layer: one SISO diagonal SSM per channel, applied as a long convolution.

    Per channel ``c``: ``x_k = lambda_bar x_{k-1} + B_bar u_k`` (``M`` complex modes),
    ``y_k = 2 Re(C x_k) + D u_k``, computed as the causal convolution of ``u`` with the
    Vandermonde kernel ``K[l] = 2 Re(sum_n C_n B_bar_n lambda_bar_n ** l)`` of the input
    length ``L`` (any length, recomputed each forward), by zero-padded FFT.

    Maps ``(B, L, d_model)`` to ``(B, L, d_model)`` causally.

    Parameters
    ----------
    d_model : int
        Number of channels ``H``.
    state_dim : int, default=64
        Real state dimension ``N`` per channel (even; ``M >= N / 2`` complex modes
        are stored, see the module docstring).
    init : {"ptd", "s4d-legs", "s4d-lin", "s4d-inv"}, default="ptd"
        Eigenvalues (and ``B``) of the initial system, the same for every channel (as in
        S4D): ``"ptd"`` perturbs HiPPO-LegS then diagonalizes it (``B = V^{-1} B_legs``);
        the ``"s4d-*"`` options are the S4D initialisations (:func:`sksssm.ssm.s4d_init`).
    discretization : {"zoh", "bilinear"}, default="zoh"
    dt_min, dt_max : float, default=1e-3, 1e-1
        Range of the per-channel step sizes, drawn log-uniformly (learned, as ``log dt``);
        ``0 < dt_min <= dt_max < inf``.
    ptd_kwargs : dict, optional
        Extra keyword arguments for :func:`sksssm.ssm.perturb_then_diagonalize`
        (``init="ptd"`` only).
    random_state : int or None, default=None
        Seed of the random draws (``C``, ``D``, ``dt``; the PTD perturbation is governed
        by ``ptd_kwargs``); ``None`` uses torch's global generator.
    device, dtype : optional
        Factory arguments for the parameters; ``dtype`` is ``torch.float32``,
        ``torch.float64`` or None (torch's default dtype), any other is refused.

    Attributes
    ----------
    ssm_log_lambda_real, ssm_lambda_imag : Parameter of shape (H, M)
        Eigenvalues, ``lambda = -exp(ssm_log_lambda_real) + i ssm_lambda_imag``.
    ssm_B : Parameter of shape (H, M, 2)
        Input vector (real, imaginary).
    ssm_log_dt : Parameter of shape (H,)
        Log step size per channel.
    C : Parameter of shape (H, M, 2)
        Output vector, complex normal with ``E|C_n|^2 = 1`` (as in S4D).
    D : Parameter of shape (H,)
        Feed-through, ``N(0, 1)``.

    Examples
    --------
    >>> import torch
    >>> layer = DiagonalSSMConv(d_model=4, state_dim=8, init="s4d-lin", random_state=0)
    >>> layer(torch.randn(2, 16, 4)).shape
    torch.Size([2, 16, 4])
    """

    def __init__(
        self,
        d_model: int,
        state_dim: int = 64,
        *,
        init: str = "ptd",
        discretization: str = "zoh",
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        ptd_kwargs: dict | None = None,
        random_state: int | None = None,
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_positive_int(d_model, "d_model")
        _check_options(state_dim, init, discretization, ptd_kwargs)
        self.d_model = d_model
        self.state_dim = state_dim
        self.init = init
        self.discretization = discretization
        factory = _factory(device, dtype)
        generator = make_generator(random_state)
        eigenvalues, B = siso_init(state_dim, init, ptd_kwargs)
        self.n_modes = n_modes = len(eigenvalues)
        # One shared initial system, repeated over the channels (S4D).
        self._store_eigenvalues(np.tile(eigenvalues, (d_model, 1)), factory)
        B_pairs = torch.view_as_real(torch.as_tensor(np.tile(B, (d_model, 1))))
        self.ssm_B = nn.Parameter(B_pairs.to(**factory))
        self.ssm_log_dt = nn.Parameter(
            _log_uniform(d_model, dt_min, dt_max, generator).to(**factory)
        )
        self.C = nn.Parameter(_complex_normal((d_model, n_modes), 1.0, generator).to(**factory))
        self.D = nn.Parameter(torch.randn(d_model, generator=generator).to(**factory))

    def discrete_system(self):
        """``(lambda_bar, B_bar)``, complex tensors of shape ``(H, M)``."""
        dt = torch.exp(self.ssm_log_dt)[:, None]
        B = torch.view_as_complex(self.ssm_B)
        return discretize(self.eigenvalues(), B, dt, self.discretization)

    def kernel(self, n_timesteps: int) -> torch.Tensor:
        """Real causal kernels of shape ``(H, n_timesteps)`` (without ``D``), differentiable.

        ``K[h, l] = 2 Re(sum_m C B_bar lambda_bar ** l)``, the kernel of
        :func:`sksssm.ssm.vandermonde_kernel`, computed blockwise
        (``sksssm.nn.diagonal.blocked_vandermonde_kernel``): real matrix products
        instead of one complex exponential per (channel, mode, lag).

        Parameters
        ----------
        n_timesteps : int
            Number of lags.

        Returns
        -------
        Tensor of shape (H, n_timesteps)
            ``H`` is ``d_model``.
        """
        lambda_bar, B_bar = self.discrete_system()
        C = torch.view_as_complex(self.C)
        if self.discretization == "zoh":  # exactly dt * eigenvalue: see vandermonde_kernel
            log_lambda_bar = self.eigenvalues() * torch.exp(self.ssm_log_dt)[:, None]
        else:
            log_lambda_bar = torch.log(lambda_bar)
        return 2 * blocked_vandermonde_kernel(C * B_bar, log_lambda_bar, n_timesteps)

    # forward and impulse_response: KernelConvLayer (FFT convolution + D).

    def extra_repr(self) -> str:
        return (
            f"d_model={self.d_model}, state_dim={self.state_dim}, init={self.init!r}, "
            f"discretization={self.discretization!r}"
        )


def _mimo_init(P: int, n_blocks: int, init: str, ptd_kwargs: dict | None):
    """Eigenvalues ``(M,)`` and the kept eigenbasis ``(V (P, M), weighted V_inv (M, P))``.

    The block-diagonal structure of S5: ``n_blocks`` blocks of size ``P / n_blocks``, each
    initialised alike. The S4D kinds have normal (unitarily diagonalizable) or already
    diagonal state matrices, so no basis is returned: B and C are drawn in the eigenbasis.
    """
    if init != "ptd":
        eigenvalues, _ = s4d_init(P // n_blocks, init.removeprefix("s4d-"), half=True)
        return np.tile(eigenvalues, n_blocks), None
    result = block_diagonal_ptd(P, n_blocks, **(ptd_kwargs or {}))
    keep, weight = _conjugate_half(result.eigenvalues)
    return result.eigenvalues[keep], (result.V[:, keep], weight[:, None] * result.V_inv[keep])


class DiagonalSSMScan(_DiagonalSSMBase):
    """S5-PTD layer: one MIMO diagonal SSM over all channels, applied by a parallel scan.

    ``x_k = lambda_bar * x_{k-1} + B_bar u_k`` with ``M`` complex modes shared by the
    ``H`` channels (``B_bar`` is ``(M, H)``), ``y_k = 2 Re(C x_k) + D * u_k``. The
    recurrence is solved with the log-depth :func:`associative_scan_linear` (no loop over
    time, so any length ``L`` works).

    Initialisation (S5 with PTD): the state matrix is block diagonal with ``n_blocks``
    HiPPO-LegS blocks of size ``P / n_blocks``, each perturbed then diagonalized
    (:func:`sksssm.ssm.block_diagonal_ptd`); real Lecun-normal ``B`` ``(P, H)`` and ``C``
    ``(H, P)`` are transformed into the eigenbasis, ``B_tilde = V^{-1} B`` and
    ``C_tilde = C V``, which keeps exactly the real system ``(A + E, B, C)``. For the
    ``"s4d-*"`` kinds every block gets the S4D eigenvalues and ``B_tilde``, ``C_tilde`` are
    drawn complex normal with the same scales (their eigenbases are unitary or trivial).

    Maps ``(B, L, d_model)`` to ``(B, L, d_model)`` causally.

    Parameters
    ----------
    d_model : int
        Number of channels ``H``.
    state_dim : int, default=64
        Real state dimension ``P`` (``M >= P / 2`` complex modes are
        stored, see the module docstring).
    n_blocks : int, default=1
        Number ``J`` of diagonal blocks; ``P / J`` must be even.
    init : {"ptd", "s4d-legs", "s4d-lin", "s4d-inv"}, default="ptd"
    discretization : {"zoh", "bilinear"}, default="zoh"
    dt_min, dt_max : float, default=1e-3, 1e-1
        Range of the per-mode step sizes, drawn log-uniformly (learned, as ``log dt``);
        ``0 < dt_min <= dt_max < inf``.
    ptd_kwargs : dict, optional
        Extra keyword arguments for :func:`sksssm.ssm.block_diagonal_ptd`
        (``init="ptd"`` only).
    random_state : int or None, default=None
        Seed of ``B``, ``C``, ``D`` and ``dt``; ``None`` uses torch's global generator.
    device, dtype : optional
        Factory arguments for the parameters; ``dtype`` is ``torch.float32``,
        ``torch.float64`` or None (torch's default dtype), any other is refused.

    Attributes
    ----------
    ssm_log_lambda_real, ssm_lambda_imag : Parameter of shape (M,)
        Eigenvalues, ``lambda = -exp(ssm_log_lambda_real) + i ssm_lambda_imag``.
    ssm_B : Parameter of shape (M, H, 2)
        Input matrix ``B_tilde`` (real, imaginary).
    ssm_log_dt : Parameter of shape (M,)
        Log step size per mode (S5).
    C : Parameter of shape (H, M, 2)
        Output matrix ``C_tilde`` (real, imaginary).
    D : Parameter of shape (H,)
        Diagonal feed-through, ``N(0, 1)``.

    Examples
    --------
    >>> import torch
    >>> layer = DiagonalSSMScan(d_model=4, state_dim=8, n_blocks=2, random_state=0)
    >>> layer(torch.randn(2, 16, 4)).shape
    torch.Size([2, 16, 4])
    """

    def __init__(
        self,
        d_model: int,
        state_dim: int = 64,
        *,
        n_blocks: int = 1,
        init: str = "ptd",
        discretization: str = "zoh",
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        ptd_kwargs: dict | None = None,
        random_state: int | None = None,
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_positive_int(d_model, "d_model")
        check_positive_int(n_blocks, "n_blocks")
        _check_options(state_dim, init, discretization, ptd_kwargs)
        if state_dim % (2 * n_blocks):
            raise ValueError(
                f"state_dim / n_blocks must be an even integer, got state_dim={state_dim}, "
                f"n_blocks={n_blocks}."
            )
        self.d_model = d_model
        self.state_dim = state_dim
        self.n_blocks = n_blocks
        self.init = init
        self.discretization = discretization
        factory = _factory(device, dtype)
        generator = make_generator(random_state)
        eigenvalues, basis = _mimo_init(state_dim, n_blocks, init, ptd_kwargs)
        self.n_modes = len(eigenvalues)
        self._store_eigenvalues(eigenvalues, factory)
        B, C = self._input_output_matrices(basis, len(eigenvalues), generator)
        self.ssm_B = nn.Parameter(B.to(**factory))
        log_dt = _log_uniform(len(eigenvalues), dt_min, dt_max, generator)
        self.ssm_log_dt = nn.Parameter(log_dt.to(**factory))
        self.C = nn.Parameter(C.to(**factory))
        self.D = nn.Parameter(torch.randn(d_model, generator=generator).to(**factory))

    def _input_output_matrices(self, basis, n_modes: int, generator):
        """``B_tilde (M, H, 2)`` and ``C_tilde (H, M, 2)`` as real pairs (float64)."""
        H, P = self.d_model, self.state_dim
        # Lecun normal: unit output variance for unit-variance inputs.
        if basis is None:
            B = _complex_normal((n_modes, H), 1 / math.sqrt(H), generator)
            C = _complex_normal((H, n_modes), 1 / math.sqrt(P), generator)
            return B, C
        V, V_inv = basis
        B_real = torch.randn(P, H, generator=generator, dtype=torch.float64) / math.sqrt(H)
        C_real = torch.randn(H, P, generator=generator, dtype=torch.float64) / math.sqrt(P)
        B = torch.as_tensor(V_inv) @ B_real.to(torch.complex128)
        C = C_real.to(torch.complex128) @ torch.as_tensor(V)
        return torch.view_as_real(B), torch.view_as_real(C)

    def discrete_system(self):
        """``(lambda_bar (M,), B_bar (M, H))``, complex tensors."""
        dt = torch.exp(self.ssm_log_dt)[:, None]
        B = torch.view_as_complex(self.ssm_B)
        lambda_bar, B_bar = discretize(self.eigenvalues()[:, None], B, dt, self.discretization)
        return lambda_bar[:, 0], B_bar

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(B, L, d_model)`` to ``(B, L, d_model)``."""
        _check_layer_input(x, self.d_model)
        lambda_bar, B_bar = self.discrete_system()
        complex_dtype = torch.complex128 if x.dtype == torch.float64 else torch.complex64
        lambda_bar, B_bar = lambda_bar.to(complex_dtype), B_bar.to(complex_dtype)
        states = associative_scan_linear(lambda_bar, x.to(complex_dtype) @ B_bar.T)
        C = torch.view_as_complex(self.C).to(complex_dtype)
        y = 2 * (states @ C.T).real
        return y + x * self.D.to(x.dtype)

    def extra_repr(self) -> str:
        return (
            f"d_model={self.d_model}, state_dim={self.state_dim}, n_blocks={self.n_blocks}, "
            f"init={self.init!r}, discretization={self.discretization!r}"
        )
