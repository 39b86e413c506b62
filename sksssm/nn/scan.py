"""Parallel (log-depth) scan for the diagonal linear recurrence of S5.

The recurrence ``x_k = lambda_bar * x_{k-1} + bu_k`` (with ``x_{-1} = 0``) is the whole
time dependence of a diagonal state space model. Written as a python loop it takes ``L``
sequential steps; here it is evaluated by Hillis-Steele doubling in ``ceil(log2 L)``
vectorised steps, which is what makes the S5 layer fast on a GPU. Both functions work on
real or complex tensors and are differentiable by ordinary autograd.

Shapes follow the library's ``(batch, time, channels)`` convention: time is the
second-to-last axis of ``bu``.
"""

import torch
from sklearn.utils._param_validation import validate_params

__all__ = ["associative_scan_linear", "sequential_scan_linear"]


def _is_time_varying(lambda_bar, bu):
    # Broadcasting aligns lambda's second-to-last axis with bu's time axis: longer than one
    # step, it is time varying (also with fewer leading axes than bu, e.g. (L, P) against
    # (B, L, P)); of size 1, or absent, it broadcasts: time invariant.
    return lambda_bar.dim() >= 2 and lambda_bar.shape[-2] > 1


def _shift_in_time(x, offset, fill):
    """Return ``x`` delayed by ``offset`` steps along axis -2, padded with ``fill``."""
    pad_shape = (*x.shape[:-2], offset, x.shape[-1])
    pad = torch.full(pad_shape, fill, dtype=x.dtype, device=x.device)
    return torch.cat([pad, x[..., :-offset, :]], dim=-2)


@validate_params(
    {"lambda_bar": [torch.Tensor], "bu": [torch.Tensor]}, prefer_skip_nested_validation=True
)
def associative_scan_linear(lambda_bar, bu):
    """Solve ``x_k = lambda_bar * x_{k-1} + bu_k`` with a log-depth parallel scan.

    Hillis-Steele doubling: after the step with offset ``d`` every ``x_k`` holds the
    sum over its last ``2 d`` inputs, so ``ceil(log2(L))`` element-wise steps give the
    exact result (``O(L log L)`` work, ``O(log L)`` depth; no python loop over time).

    Parameters
    ----------
    lambda_bar : Tensor
        Diagonal of the discrete state matrix, broadcastable to ``bu``. Time invariant
        when it has no time axis or one of size 1 (typically shape ``(P,)``), time
        varying when its second-to-last axis has length ``L`` (e.g. ``(L, P)`` or
        ``(B, L, P)``; ``lambda_bar[..., k, :]`` multiplies ``x_{k-1}``).
    bu : Tensor of shape (..., L, P)
        Input to the recurrence (``B_bar u_k``); time is the second-to-last axis.

    Returns
    -------
    Tensor of shape (..., L, P)
        The states ``x_0, ..., x_{L-1}`` starting from ``x_{-1} = 0``; the dtype is the
        promoted dtype of the two inputs.

    Notes
    -----
    ``sksssm.nn.scan.sequential_scan_linear`` computes the same recurrence as a plain
    loop (the reference).

    Examples
    --------
    >>> import torch
    >>> lam = torch.tensor([0.5, -1.0])
    >>> bu = torch.ones(1, 4, 2)
    >>> associative_scan_linear(lam, bu)[0]
    tensor([[1.0000, 1.0000],
            [1.5000, 0.0000],
            [1.7500, 1.0000],
            [1.8750, 0.0000]])
    """
    n_timesteps = bu.shape[-2]
    dtype = torch.promote_types(lambda_bar.dtype, bu.dtype)
    x = bu.to(dtype)
    decay = lambda_bar.to(dtype)
    time_varying = _is_time_varying(lambda_bar, bu)
    offset = 1
    while offset < n_timesteps:
        # ``decay`` holds the product of lambda over the current window of ``offset`` steps.
        x = x + decay * _shift_in_time(x, offset, 0.0)
        if time_varying:
            decay = decay * _shift_in_time(decay, offset, 1.0)
        else:  # time invariant: the window product is lambda**offset, built by squaring
            decay = decay * decay
        offset *= 2
    return x


@validate_params(
    {"lambda_bar": [torch.Tensor], "bu": [torch.Tensor]}, prefer_skip_nested_validation=True
)
def sequential_scan_linear(lambda_bar, bu):
    """Solve ``x_k = lambda_bar * x_{k-1} + bu_k`` with a plain loop over time.

    The reference for :func:`associative_scan_linear` (same arguments, same result);
    ``L`` sequential steps, so use it for tests and short sequences only.

    Parameters
    ----------
    lambda_bar : Tensor
        Time-invariant or time-varying diagonal, as in :func:`associative_scan_linear`.
    bu : Tensor of shape (..., L, P)
        Input to the recurrence; time is the second-to-last axis.

    Returns
    -------
    Tensor of shape (..., L, P)
        The states ``x_0, ..., x_{L-1}`` starting from ``x_{-1} = 0``.

    Examples
    --------
    >>> import torch
    >>> sequential_scan_linear(torch.tensor([0.5]), torch.ones(3, 1))
    tensor([[1.0000],
            [1.5000],
            [1.7500]])
    """
    dtype = torch.promote_types(lambda_bar.dtype, bu.dtype)
    if lambda_bar.dim() == bu.dim() and not _is_time_varying(lambda_bar, bu):
        lambda_bar = lambda_bar[..., 0, :]  # drop the broadcast time axis
    time_varying = _is_time_varying(lambda_bar, bu)
    state = torch.zeros_like(bu[..., 0, :], dtype=dtype)
    states = []
    for k in range(bu.shape[-2]):
        decay = lambda_bar[..., k, :] if time_varying else lambda_bar
        state = decay * state + bu[..., k, :]
        states.append(state)
    return torch.stack(states, dim=-2)
