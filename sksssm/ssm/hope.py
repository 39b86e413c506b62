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

from ._array import arange, as_array, is_torch, namespace, to_complex


def hope_kernel(h, dt, n_timesteps: int, *, oversampling: int = 2):
    """Real causal convolution kernel of the HOPE system ``(h, dt)`` (the paper's Alg. 1).

    Samples the rescaled transfer function ``G_dt(z) = G(w'(z))`` (module docstring) at
    ``M = oversampling * n_timesteps`` points ``z_k = exp(2 pi i k / M)`` of the unit
    circle, takes the inverse FFT and keeps the first ``n_timesteps`` taps. The reference
    implementation instead multiplies ``FFT(u)`` by the samples at ``L`` points, which is a
    *circular* convolution; here the result is the (causal) impulse response, aliased only
    by what is left of it after ``M`` steps, so applying it by zero-padded FFT convolution is
    causal. ``G_dt`` has a single pole of order ``n`` at ``(1-dt)/(1+dt)``, so the impulse
    response decays like ``|(1-dt)/(1+dt)|^l``: small ``dt`` means long memory.

    The complex impulse response is ``k = M(dt) h`` with a real matrix ``M(dt)`` (the Moebius
    map has real coefficients), and the real kernel is its real part (as the reference takes
    ``.real``, no conjugate doubling): the kernel of Markov parameters ``Re(h)``;
    ``Im(h)`` does not contribute.

    Indexing follows the paper: ``kernel[l]`` is the response at lag ``l`` with
    ``G(z) = sum_{j>=1} h_j z^{-j}``. At ``dt = 1`` the map is the identity and the kernel is
    exactly ``h`` delayed by one step (``kernel[0] = 0``, ``kernel[j] = Re(h_j)``, FIR with
    memory ``n``); for ``dt != 1`` ``kernel[0] = Re G(w'(inf))`` is a direct feedthrough.

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
        Number of frequency samples per kernel tap (at least 2: ``M >= 2L``).

    Returns
    -------
    kernel : array of shape (..., n_timesteps), real

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import hope_kernel
    >>> hope_kernel(np.array([1.0, 0.5j, -2.0]), 1.0, 6).round(12) + 0.0
    array([ 0.,  1.,  0., -2.,  0.,  0.])
    """
    if n_timesteps < 1:
        raise ValueError(f"n_timesteps must be >= 1; got {n_timesteps}.")
    if oversampling < 2:
        raise ValueError(f"oversampling must be >= 2 (causal kernel); got {oversampling}.")
    xp = namespace(h, dt)
    h = to_complex(h)
    dt = as_array(dt, arange(1, h))
    n_samples = oversampling * n_timesteps
    angles = rescaled_angles(dt, n_samples, like=h)  # (..., M)
    orders = arange(h.shape[-1], h) + 1.0  # j = 1..n
    # G(w') = sum_j h_j w'^{-j} with w' = exp(i theta) on the unit circle.
    basis = xp.exp(-1j * angles[..., None] * orders)  # (..., M, n)
    samples = (basis * h[..., None, :]).sum(-1)
    return xp.real(xp.fft.ifft(samples))[..., :n_timesteps]


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
