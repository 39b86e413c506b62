"""The HOPE layer: one LTI system per channel, parameterized by its Markov parameters.

Yu, Mahoney, Erichson, "HOPE for a Robust Parameterization of Long-memory State Space
Models" (ICLR 2025). Instead of ``(A, B, C)``, each channel learns ``n`` complex Markov
parameters ``h_1, ..., h_n`` (the entries of its Hankel operator) and a step size ``dt``.
The convolution kernel of length ``L`` comes from sampling the rescaled transfer function
non-uniformly on the unit circle (:func:`sksssm.ssm.hope_kernel`, which holds the maths
and its conventions) and is applied by a causal, zero-padded FFT convolution, plus a
feed-through ``D``:

    y[:, t, c] = sum_{s <= t} K_c[s] u[:, t - s, c] + D_c u[:, t, c].
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from sksssm.ssm import hankel_singular_values, hope_kernel

from .._validation import check_positive_int
from .backbone import check_flag, make_generator
from .diagonal import _factory, _log_uniform
from .kernelconv import KernelConvLayer

__all__ = ["HOPELayer"]


class HOPELayer(KernelConvLayer):
    """HOPE sequence layer: per-channel Markov parameters, kernel by transfer function sampling.

    Maps ``(B, L, d_model)`` to ``(B, L, d_model)`` causally, for any length ``L``.

    Parameters
    ----------
    d_model : int
        Number of channels ``H`` (one SISO system each).
    state_dim : int, default=64
        Number ``n`` of Markov parameters per channel (the Hankel operator size; at
        ``dt = 1`` the memory is exactly ``n`` steps).
    dt_min, dt_max : float, default=1e-3, 1e-1
        Range of the per-channel step sizes, drawn log-uniformly
        (``0 < dt_min <= dt_max < inf``). These are the S4D
        defaults, which the HOPE reference code inherits; smaller ``dt`` stretches the
        response over more steps (it decays like ``|(1-dt)/(1+dt)|^l``).
    train_dt : bool, default=False
        Learn the step sizes. By default they are fixed (the paper keeps them frozen):
        ``ssm_log_dt`` is then a buffer, not a parameter, so no optimizer touches it.
    oversampling : int, default=2
        Transfer-function samples per kernel tap (``hope_kernel``'s argument, >= 2). The
        samples are taken on a circle of radius ``R >= 1`` chosen so that the aliased
        tail of the impulse response is damped below the round-off level (see
        :func:`sksssm.ssm.hope_kernel`): 2 is enough, and the output at time ``t`` does
        not depend on the input length. A larger value lowers the worst-case relative
        error, about ``eps ** (p / (p + 1))`` for ``p = oversampling`` (cost grows
        linearly).
    random_state : int or None, default=None
        Seed of the initialisation; ``None`` uses torch's global generator.
    device, dtype : optional
        Factory arguments for the parameters; ``dtype`` is ``torch.float32``,
        ``torch.float64`` or None (torch's default dtype), any other is refused.

    Attributes
    ----------
    ssm_h : Parameter of shape (H, n, 2)
        Markov parameters ``h_j`` as (real, imaginary) pairs, initialised i.i.d.
        ``N(0, 1/n)`` per part, so ``sum_j Re(h_j)^2`` (the squared norm of the kernel at
        ``dt = 1``) is about 1. As in the reference implementation the real kernel is the
        real part of the complex response, so only ``Re(h)`` reaches the output (see
        :func:`sksssm.ssm.hope_kernel`); ``Im(h)`` receives zero gradient.
    ssm_log_dt : Parameter or buffer of shape (H,)
        Log step sizes (a trainable parameter only with ``train_dt=True``).
    D : Parameter of shape (H,)
        Feed-through, ``N(0, 1)``.

    Examples
    --------
    >>> import torch
    >>> layer = HOPELayer(d_model=4, state_dim=8, random_state=0)
    >>> layer(torch.randn(2, 16, 4)).shape
    torch.Size([2, 16, 4])
    >>> layer.hankel_singular_values().shape
    (4, 8)
    """

    def __init__(
        self,
        d_model: int,
        state_dim: int = 64,
        *,
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        train_dt: bool = False,
        oversampling: int = 2,
        random_state: int | None = None,
        device=None,
        dtype=None,
    ):
        super().__init__()
        check_positive_int(d_model, "d_model")
        check_positive_int(state_dim, "state_dim")
        check_positive_int(oversampling, "oversampling", minimum=2)
        self.d_model = d_model
        self.state_dim = state_dim
        self.train_dt = check_flag(train_dt, "train_dt", "HOPELayer")
        self.oversampling = oversampling
        factory = _factory(device, dtype)
        generator = make_generator(random_state)
        h = torch.randn(d_model, state_dim, 2, generator=generator) / math.sqrt(state_dim)
        self.ssm_h = nn.Parameter(h.to(**factory))
        log_dt = _log_uniform(d_model, dt_min, dt_max, generator).to(**factory)
        if self.train_dt:
            self.ssm_log_dt = nn.Parameter(log_dt)
        else:
            self.register_buffer("ssm_log_dt", log_dt)
        self.D = nn.Parameter(torch.randn(d_model, generator=generator).to(**factory))

    def markov_parameters(self) -> torch.Tensor:
        """Complex Markov parameters ``h`` of shape ``(H, n)`` (differentiable view)."""
        return torch.view_as_complex(self.ssm_h)

    def kernel(self, n_timesteps: int) -> torch.Tensor:
        """Real causal kernels of each channel (without ``D``), differentiable.

        The inverse FFT of each channel's transfer function sampled on a circle
        (:func:`sksssm.ssm.hope_kernel`, with ``oversampling``).

        Parameters
        ----------
        n_timesteps : int
            Number of lags.

        Returns
        -------
        Tensor of shape (H, n_timesteps)
            ``H`` is ``d_model``.
        """
        dt = torch.exp(self.ssm_log_dt)
        h = self.markov_parameters()
        return hope_kernel(h, dt, n_timesteps, oversampling=self.oversampling)

    # forward and impulse_response: KernelConvLayer (FFT convolution + D).

    @torch.no_grad()
    def hankel_singular_values(self) -> np.ndarray:
        """Singular values of each channel's ``n x n`` Hankel matrix of Markov parameters.

        Computed from the complex parameters ``h`` (the paper's object of analysis) with
        :func:`sksssm.ssm.hankel_singular_values`.

        Returns
        -------
        ndarray of shape (H, n)
            One descending row per channel.

        Examples
        --------
        >>> layer = HOPELayer(d_model=3, state_dim=5, random_state=0)
        >>> sigma = layer.hankel_singular_values()
        >>> sigma.shape, bool((sigma[:, :-1] >= sigma[:, 1:]).all())
        ((3, 5), True)
        """
        h = self.markov_parameters().cpu().numpy()
        return np.stack([hankel_singular_values(row) for row in h])

    def extra_repr(self) -> str:
        return (
            f"d_model={self.d_model}, state_dim={self.state_dim}, train_dt={self.train_dt}, "
            f"oversampling={self.oversampling}"
        )
