"""HOPE: LTI systems parameterized by their Markov parameters (Hankel operator).

Yu, Mahoney, Erichson, "HOPE for a Robust Parameterization of Long-memory State Space
Models" (ICLR 2025). A system is given by complex Markov parameters ``h_1, ..., h_n``
(Hankel operator ``H[i, j] = h_{i+j-1}``), i.e. the discrete transfer function

    G(z) = sum_{j=1}^{n} h_j z^{-j},

plus a step size ``dt``. Changing ``dt`` is the same time rescaling as for a continuous
system: map ``G`` to continuous time with the bilinear transform ``s = (z-1)/(z+1)``,
rescale ``s -> s/dt``, and map back. The composite map of the unit circle is the Moebius
transform ``z -> w' = ((1+dt) z + dt - 1) / ((dt-1) z + dt + 1)``, so the rescaled system
is ``G_dt(z) = G(w'(z))``: the transfer function sampled non-uniformly on the circle.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from ._array import arange, as_array, is_torch, namespace, to_complex, torch


def hope_kernel(h, dt, n_timesteps: int, *, oversampling: int = 2):
    """Real causal convolution kernel of the HOPE system ``(h, dt)`` (the paper's Alg. 1).

    The rescaled transfer function is ``G_dt(z) = sum_j h_j B(z)^j`` with the all-pass
    factor ``B(z) = 1 / w'(z) = (dt (z+1) - (z-1)) / (dt (z+1) + (z-1))`` (module
    docstring): a single pole of order ``n`` at ``a = (1-dt)/(1+dt)``, so the impulse
    response decays like ``|a|^l``, slowly for small ``dt`` (long memory).

    The reference implementation samples ``G_dt`` on the unit circle and multiplies
    ``FFT(u)`` by the samples, a *circular* convolution. Sampling at ``M`` points of the
    unit circle and inverting the FFT instead gives the impulse response *aliased* at ``M``
    steps, ``sum_m k[l + m M]``, which for small ``dt`` is far from ``k[l]`` unless
    ``M >> 1/dt`` (the kernel, hence output ``t``, would depend on the input length).
    Here ``G_dt`` is sampled on the circle ``z_k = R exp(2 pi i k / M)`` of radius
    ``R >= 1``, with ``M = oversampling * n_timesteps``: the inverse FFT then returns
    ``sum_m k[l + m M] R^{-(l + m M)}`` and multiplying tap ``l`` by ``R^l`` leaves
    ``k[l]`` with aliases damped by ``R^{-M}``, at the price of round-off amplified by up
    to ``R^L``. With ``T`` a bound on the tail ``|k[l]|, l >= M``, relative to
    ``||h||_1`` (:func:`_relative_tail_bound`) and ``eps`` the working precision, the
    error ``T R^{-M} + eps R^L`` is smallest at ``R^{M+L} = (M/L) T / eps``
    (``sksssm.ssm.hope.sampling_radius``): relative error about ``eps^{p/(p+1)}`` for
    ``p = oversampling`` in the worst case (``2e-11`` in float64, ``2e-5`` in float32 at
    the default ``p = 2``), and ``R = 1`` (no amplification) once the response has decayed
    within ``M`` steps, e.g. always at ``dt = 1``. The radius is a numerical choice, not a
    model parameter, so it carries no gradient; the kernel stays differentiable in ``h``
    and ``dt``.

    The complex impulse response is ``k = M(dt) h`` with a real matrix ``M(dt)`` (the Moebius
    map has real coefficients), and the real kernel is its real part (as the reference takes
    ``.real``, no conjugate doubling): the kernel of Markov parameters ``Re(h)``;
    ``Im(h)`` does not contribute.

    Indexing follows the paper: ``kernel[l]`` is the response at lag ``l`` with
    ``G(z) = sum_{j>=1} h_j z^{-j}``. At ``dt = 1`` the map is the identity and the kernel is
    ``h`` delayed by one step (``kernel[0] = 0``, ``kernel[j] = Re(h_j)``, FIR with memory
    ``n``), exact up to round-off; for ``dt != 1`` ``kernel[0] = Re G(w'(inf))`` is a
    direct feedthrough.

    (numpy|torch): differentiable in ``h`` and ``dt`` with tensors.

    Parameters
    ----------
    h : array of shape (..., n), complex (or real)
        Markov parameters ``h_1, ..., h_n`` on the last axis.
    dt : float or array broadcastable to ``h.shape[:-1]``
        Positive step size(s), e.g. one per channel.
    n_timesteps : int
        Kernel length ``L``.
    oversampling : int, default=2
        Number of frequency samples per kernel tap (at least 2: ``M >= 2L``); larger
        values lower the worst-case error ``eps^{p/(p+1)}`` at linear cost.

    Returns
    -------
    kernel : array of shape (..., n_timesteps), real

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import hope_kernel
    >>> hope_kernel(np.array([1.0, 0.5j, -2.0]), 1.0, 6).round(12) + 0.0
    array([ 0.,  1.,  0., -2.,  0.,  0.])

    A short kernel is the start of a long one, even with a slowly decaying response:

    >>> h = np.array([0.5, -1.0, 0.25])
    >>> long, short = hope_kernel(h, 1e-3, 4096), hope_kernel(h, 1e-3, 16)
    >>> bool(np.abs(short - long[:16]).max() < 1e-9 * np.abs(long).max())
    True
    """
    if n_timesteps < 1:
        raise ValueError(f"n_timesteps must be >= 1; got {n_timesteps}.")
    if oversampling < 2:
        raise ValueError(f"oversampling must be >= 2 (causal kernel); got {oversampling}.")
    xp = namespace(h, dt)
    h = to_complex(h)
    if h.ndim == 0 or h.shape[-1] == 0:
        raise ValueError(f"h must hold at least one Markov parameter; got shape {tuple(h.shape)}.")
    dt = as_array(dt, arange(1, h))
    n_samples = oversampling * n_timesteps
    radius = sampling_radius(dt, h.shape[-1], n_timesteps, n_samples, dtype=h.dtype)
    log_radius = as_array(np.log(radius), arange(1, h))[..., None]  # (..., 1)
    # Only Re(h) reaches the kernel, and the transfer function of real Markov parameters
    # is conjugate-symmetric on the circle: half the samples and an inverse real FFT.
    factor = _allpass_factor(dt, log_radius, n_samples, like=h)  # B(z_k), k <= M/2
    samples = _polynomial_in(factor, to_complex(xp.real(h)))  # sum_j Re(h_j) B(z_k)^j
    taps = xp.fft.irfft(samples, n=n_samples)[..., :n_timesteps]
    return taps * xp.exp(log_radius * arange(n_timesteps, h))  # undo the R^{-l} damping


def _polynomial_in(factor, h):
    """``sum_{j=1}^n h_j B^j`` for ``B = factor``, blockwise. (numpy|torch)

    With ``j = P b + a`` (``1 <= a <= P = ceil(sqrt(n))``) the sum is
    ``sum_b (B^P)^b (sum_a h_{P b + a} B^a)``: the inner sums of every block are one
    matrix product of the ``(Q, P)`` blocks of ``h`` with the powers ``B^1 .. B^P``,
    and the outer sum is Horner's scheme in ``B^P`` over the ``Q = ceil(n / P)`` blocks.
    That is about ``3 sqrt(n)`` elementwise passes over the ``M`` samples instead of
    Horner's ``2 n`` (each one an autograd node under torch), and no exponentials.
    Stable like Horner's scheme: ``|B| <= 1`` on and outside the unit circle, so no
    power grows.
    """
    xp = namespace(h, factor)
    n = h.shape[-1]
    block = math.isqrt(n - 1) + 1
    n_blocks = -(-n // block)
    powers = [factor]
    for _ in range(block - 1):
        powers.append(powers[-1] * factor)
    padding = xp.zeros_like(h[..., : n_blocks * block - n])
    blocks = xp.concatenate([h, padding], -1).reshape(*h.shape[:-1], n_blocks, block)
    inner = blocks @ xp.stack(powers, -2)  # (..., Q, M): sum_a h_{Pb+a} B^a per block b
    # split once (indexing each block would cost a full-size gradient buffer per block)
    inner = [inner[..., b, :] for b in range(n_blocks)] if xp is np else inner.unbind(-2)
    stride = powers[-1]  # B^P
    accumulated = inner[-1]
    for b in range(n_blocks - 2, -1, -1):
        accumulated = inner[b] + stride * accumulated
    return accumulated


def sampling_radius(dt, n_markov: int, n_timesteps: int, n_samples: int, *, dtype=np.float64):
    """Radius ``R >= 1`` of the sampling circle in :func:`hope_kernel` (numpy).

    Balances the aliasing error ``T R^{-M}`` against the round-off ``eps R^L``: their sum
    is smallest at ``R^{M+L} = (M/L) T / eps``, with ``T`` the relative tail bound of
    :func:`_relative_tail_bound` and ``eps`` the machine epsilon of ``dtype``; ``R = 1`` when
    the tail is already below round-off.

    Parameters
    ----------
    dt : float or array
        Step size(s) (tensors are detached: the radius carries no gradient).
    n_markov : int
        Number ``n`` of Markov parameters (the order of the pole).
    n_timesteps, n_samples : int
        Kernel length ``L`` and number ``M`` of samples on the circle.
    dtype : numpy or torch dtype, default=float64
        Working precision (complex dtypes give their real part's epsilon).

    Returns
    -------
    radius : ndarray of the shape of ``dt``

    Examples
    --------
    >>> from sksssm.ssm.hope import sampling_radius
    >>> float(sampling_radius(1.0, 8, 64, 128))  # FIR within M steps: no damping needed
    1.0
    >>> bool(sampling_radius(1e-3, 8, 64, 128) > 1.0)
    True
    """
    dt = np.asarray(dt.detach().cpu() if is_torch(dt) else dt, dtype=np.float64)
    eps = _machine_epsilon(dtype)
    log_tail = _relative_tail_bound(dt, n_markov, n_samples)
    log_ratio = np.log(n_samples / n_timesteps) + log_tail - np.log(eps)
    return np.exp(np.maximum(log_ratio, 0.0) / (n_samples + n_timesteps))


def _relative_tail_bound(dt, n_markov: int, n_samples: int) -> np.ndarray:
    """Log of a bound on ``max_{l >= M} |k[l]| / ||h||_1`` for the kernel of ``(h, dt)``.

    ``G_dt = sum_j h_j B^j`` is analytic outside ``|z| = |a|``, ``a = (1-dt)/(1+dt)``, so
    Cauchy's estimate on ``|z| = rho`` gives ``|k[l]| <= rho^l ||h||_1 max |B|^n`` with
    ``max_{|z|=rho} |B(z)| = (1 - |a| rho) / (rho - |a|)`` for ``|a| < rho <= 1``. The log
    bound ``f(rho) = M log rho + n log(1 - |a| rho) - n log(rho - |a|)`` is smallest where
    ``M |a| rho^2 - (M (1+a^2) - n (1-a^2)) rho + M |a| = 0`` (roots ``rho, 1/rho``); when
    that root is not below 1 the best is ``rho = 1``, the trivial bound ``T = 1``.
    """
    a = np.abs((1 - dt) / (1 + dt))
    M, n = float(n_samples), float(n_markov)
    b = M * (1 + a * a) - n * (1 - a * a)
    discriminant = np.maximum(b * b - 4 * (M * a) ** 2, 0.0)
    has_root = (b > 2 * M * a) & (discriminant > 0)
    # The smaller root, in the cancellation-free form 2c / (b + sqrt(b^2 - 4ac)).
    rho = np.where(has_root, 2 * M * a / np.where(has_root, b + np.sqrt(discriminant), 1.0), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_bound = M * np.log(rho) + n * np.log1p(-a * rho) - n * np.log(rho - a)
    # rho = a = 0 (dt = 1, M > n): the response is FIR of memory n < M, no tail at all.
    log_bound = np.where(rho > a, log_bound, -np.inf)
    return np.where(has_root, np.minimum(log_bound, 0.0), 0.0)


def _machine_epsilon(dtype) -> float:
    """Machine epsilon of the real part of a numpy or torch (complex) dtype."""
    if torch is not None and isinstance(dtype, torch.dtype):
        return float(torch.finfo(dtype).eps)
    return float(np.finfo(dtype).eps)


def _allpass_factor(dt, log_radius, n_samples: int, *, like):
    """``B(z_k) = (dt (z+1) - (z-1)) / (dt (z+1) + (z-1))`` at ``z_k = R exp(2 pi i k / M)``.

    For ``k = 0 .. M/2`` (``M`` even): the upper half of the circle, the other half being
    the complex conjugates (``B`` has real coefficients).

    ``z - 1`` is formed without cancellation near ``z = 1`` (where small ``dt`` makes
    numerator and denominator nearly cancel in the textbook form ``(1+dt) z - (1-dt)``):
    ``z - 1 = (R - 1) - 2 R sin^2(theta/2) + i R sin(theta)``. (numpy|torch)

    Returns an array of shape ``dt.shape + (n_samples // 2 + 1,)``.
    """
    xp = namespace(like)
    half_angles = math.pi * arange(n_samples // 2 + 1, like) / n_samples  # theta/2 <= pi/2
    radius = xp.exp(log_radius)
    z_minus_1 = (xp.expm1(log_radius) - 2 * radius * xp.sin(half_angles) ** 2) + 1j * (
        radius * xp.sin(2 * half_angles)
    )
    dt_z_plus_1 = dt[..., None] * (2 + z_minus_1)
    return (dt_z_plus_1 - z_minus_1) / (dt_z_plus_1 + z_minus_1)


def rescaled_angles(dt, n_samples: int, *, like=None):
    """Angles of ``w'(z_k)`` for ``z_k = exp(2 pi i k / M)`` (the non-uniform samples).

    ``w' = ((1+dt) z + dt - 1) / ((dt-1) z + dt + 1)`` maps the unit circle onto itself;
    in angles, ``tan(theta'/2) = tan(theta/2) / dt`` (the bilinear map sends
    ``z = exp(i theta)`` to ``s = i tan(theta/2)``).

    (numpy|torch). Returns an array of shape ``dt.shape + (n_samples,)``, in ``[0, 2 pi)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm.hope import rescaled_angles
    >>> bool(np.allclose(rescaled_angles(1.0, 8), 2 * np.pi * np.arange(8) / 8))
    True
    """
    like = dt if like is None else like
    xp = namespace(dt, like)
    dt = as_array(dt, arange(1, like))
    half_angles = math.pi * arange(n_samples, like) / n_samples  # theta/2 in [0, pi)
    # theta'/2 = atan2(sin(theta/2), dt cos(theta/2)) stays continuous through theta = pi.
    return 2 * xp.arctan2(xp.sin(half_angles), dt[..., None] * xp.cos(half_angles))


def hankel_singular_values(h) -> np.ndarray:
    """Singular values of the ``n x n`` Hankel matrix ``H[i, j] = h_{i+j-1}`` (numpy).

    Entries with ``i + j - 1 > n`` are zero (the system is FIR of memory ``n``). These are
    the Hankel singular values of ``G(z) = sum_j h_j z^{-j}``; HOPE's robustness argument is
    about how they decay.

    Parameters
    ----------
    h : array_like of shape (n,)

    Returns
    -------
    sigma : ndarray of shape (n,), descending

    Examples
    --------
    >>> from sksssm.ssm import hankel_singular_values
    >>> hankel_singular_values([0.0, 0.0, 1.0])  # H is the exchange matrix
    array([1., 1., 1.])
    """
    h = np.asarray(h.detach().cpu() if is_torch(h) else h)
    if h.ndim != 1 or h.size == 0:
        raise ValueError(f"h must be a non-empty 1D array of Markov parameters; got {h.shape}.")
    return scipy.linalg.svdvals(scipy.linalg.hankel(h))
