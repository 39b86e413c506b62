"""The shared base of the layers that are one long causal convolution per channel.

:class:`~sksssm.nn.DiagonalSSMConv` (S4-PTD / S4D) and :class:`~sksssm.nn.HOPELayer` differ
only in how they compute their kernel (a Vandermonde sum over the modes of a diagonal SSM;
a transfer function sampled on a circle); applying it is the same: per channel ``c``,

    y[:, t, c] = sum_{s <= t} K_c[s] u[:, t - s, c] + D_c u[:, t, c],

by zero-padded FFT (:func:`~sksssm.nn.causal_fft_conv`). This module holds that part once.
"""

from __future__ import annotations

import numpy as np
import torch

from .._validation import check_positive_int
from .backbone import SequenceLayer, ssm_parameter_names
from .fftconv import causal_fft_conv

__all__ = ["KernelConvLayer"]


class KernelConvLayer(SequenceLayer):
    """A bank of single-input single-output LTI systems, one per channel, applied by FFT.

    Subclasses set ``d_model``, a feed-through parameter ``D`` of shape ``(d_model,)`` and
    define ``kernel(n_timesteps) -> Tensor (d_model, n_timesteps)`` (real, causal,
    differentiable, without ``D``). Parameters named ``ssm_*`` are the SSM parameters
    (:meth:`ssm_parameter_names`): the estimators train them with their own learning rate
    and no weight decay.

    Examples
    --------
    >>> import torch
    >>> class Delay(KernelConvLayer):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.d_model = 1
    ...         self.D = torch.nn.Parameter(torch.zeros(1))
    ...     def kernel(self, n_timesteps):
    ...         return torch.nn.functional.one_hot(torch.tensor([1]), n_timesteps).float()
    >>> Delay()(torch.tensor([[[1.0], [2.0], [3.0]]]))[0, :, 0].detach().round(decimals=5)
    tensor([0., 1., 2.])
    >>> Delay().impulse_response(3)
    array([[0., 1., 0.]], dtype=float32)
    """

    def kernel(self, n_timesteps: int) -> torch.Tensor:  # pragma: no cover - interface
        """Real causal kernels of each channel, indexed by lag (without ``D``).

        Subclasses implement it, differentiably with respect to their parameters.

        Parameters
        ----------
        n_timesteps : int
            Number of lags.

        Returns
        -------
        Tensor of shape (d_model, n_timesteps)
            ``kernel[c, l]``: the weight of the input ``l`` steps back in channel ``c``.
        """
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(B, L, d_model)`` to ``(B, L, d_model)``."""
        if x.ndim != 3 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"expected input (batch, time, {self.d_model}), got shape {tuple(x.shape)}."
            )
        kernel = self.kernel(x.shape[1]).to(x.dtype)
        # D folded into lag 0: one FFT convolution instead of a convolution plus an
        # elementwise product, a sum and their backward passes (a sizeable share at L=1024)
        kernel = torch.cat([kernel[:, :1] + self.D.to(x.dtype)[:, None], kernel[:, 1:]], dim=1)
        return causal_fft_conv(x, kernel.T)

    @torch.no_grad()
    def impulse_response(self, n_timesteps: int) -> np.ndarray:
        """The layer's response to a unit impulse, per channel.

        Parameters
        ----------
        n_timesteps : int
            Number of lags.

        Returns
        -------
        ndarray of shape (d_model, n_timesteps)
            ``kernel[c, l]`` plus the feed-through ``D_c`` at lag 0: the output of channel
            ``c`` at time ``l`` for an input that is 1 at time 0 in that channel.
        """
        check_positive_int(n_timesteps, "n_timesteps")
        response = self.kernel(n_timesteps).clone()
        response[:, 0] += self.D
        return response.cpu().numpy()

    def ssm_parameter_names(self) -> list[str]:
        """Names of this layer's SSM parameters (see :func:`sksssm.nn.ssm_parameter_names`)."""
        return ssm_parameter_names(self)
