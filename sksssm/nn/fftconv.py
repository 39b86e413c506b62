"""Causal convolutions by zero-padded FFT.

Every long convolution in :mod:`sksssm.nn` goes through this module. Inputs are
``(batch, time, channels)``; kernels are indexed by lag ``s`` (``kernel[0]`` multiplies the
current input). Both operands are zero padded to a fast FFT size ``n >= L + L_k - 1``
(:func:`fft_size`), so the circular convolution computed by the FFT equals the linear one
on the first ``L`` outputs: nothing wraps around and the result is causal.
"""

from __future__ import annotations

import scipy.fft
import torch
from sklearn.utils._param_validation import validate_params

from .._validation import IntegerInterval

__all__ = ["causal_fft_conv", "causal_fft_filter_mix", "fft_size", "kernel_spectrum"]


@validate_params(
    {
        "n_timesteps": [IntegerInterval(1)],
        "kernel_length": [IntegerInterval(1)],
    },
    prefer_skip_nested_validation=True,
)
def fft_size(n_timesteps: int, kernel_length: int) -> int:
    """Smallest fast FFT length at which a causal FFT convolution does not wrap.

    A fast length is an even number whose only prime factors are 2, 3 and 5: torch's FFTs
    are about as fast per point at such a length as at a power of two, and the next one
    above ``L + L_k - 1`` is at most about 1.25 times larger (the next power of two can be
    twice as large, so one step past a power of two doubled the cost of a step).

    Parameters
    ----------
    n_timesteps : int
        Length ``L`` of the input sequence.
    kernel_length : int
        Length ``L_k`` of the kernel.

    Returns
    -------
    int
        The smallest even ``n = 2^a 3^b 5^c >= max(2, L + L_k - 1)``.

    Examples
    --------
    >>> fft_size(1000, 1000)
    2000
    >>> fft_size(257, 257)
    540
    >>> fft_size(1024, 1)
    1024
    """
    # Even, so that n is recoverable from an rfft length (n // 2 + 1): twice a 5-smooth
    # length of at least half the linear convolution's length.
    half = -(-(n_timesteps + kernel_length - 1) // 2)
    return 2 * scipy.fft.next_fast_len(half, real=True)


@validate_params(
    {"kernel": [torch.Tensor], "n_fft": [IntegerInterval(1)]},
    prefer_skip_nested_validation=True,
)
def kernel_spectrum(kernel: torch.Tensor, n_fft: int) -> torch.Tensor:
    """Real FFT of a causal kernel along its first (lag) axis, zero padded to ``n_fft``.

    Precompute this for fixed kernels and pass it to :func:`causal_fft_conv` (or
    :func:`causal_fft_filter_mix`) to skip one FFT per call.

    Parameters
    ----------
    kernel : Tensor of shape (L_k, ...)
        Kernel indexed by lag on axis 0.
    n_fft : int
        FFT size, even and at least ``L + L_k - 1`` for inputs of length ``L`` (see
        :func:`fft_size`). Even, because the convolutions recover ``n_fft`` from the
        spectrum's length ``n_fft // 2 + 1``, which an odd size does not determine.

    Returns
    -------
    Tensor of shape (n_fft // 2 + 1, ...)
        Complex spectrum; complex64 for a half-precision kernel (float16, bfloat16),
        which is transformed in float32 like :func:`causal_fft_conv`'s operands.

    Examples
    --------
    >>> import torch
    >>> kernel_spectrum(torch.ones(3, 2), 8).shape
    torch.Size([5, 2])
    """
    if kernel.shape[0] > n_fft:
        raise ValueError(f"n_fft={n_fft} is shorter than the kernel ({kernel.shape[0]} lags).")
    if n_fft % 2:
        raise ValueError(f"n_fft must be even; got {n_fft}. Use fft_size(L, L_k).")
    fft_dtype = _fft_dtype(kernel)
    return torch.fft.rfft(kernel if fft_dtype is None else kernel.to(fft_dtype), n=n_fft, dim=0)


def _check_input(u: torch.Tensor) -> None:
    if u.ndim != 3:
        raise ValueError(f"u must be (batch, time, channels), got shape {tuple(u.shape)}.")
    if u.shape[1] < 1:
        raise ValueError("u must have at least one time step.")


_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _fft_dtype(*tensors: torch.Tensor):
    """float32 for half-precision operands (torch has no bfloat16 FFT, and half FFTs lose
    too much over long sequences); the operands' own dtype otherwise."""
    if any(t is not None and t.dtype in _LOW_PRECISION for t in tensors):
        return torch.float32
    return None


@validate_params(
    {"u": [torch.Tensor], "kernel": [torch.Tensor], "kernel_fft": [torch.Tensor, None]},
    prefer_skip_nested_validation=True,
)
def causal_fft_conv(
    u: torch.Tensor,
    kernel: torch.Tensor,
    kernel_fft: torch.Tensor | None = None,
) -> torch.Tensor:
    """Causal per-channel convolution by zero-padded FFT.

    ``out[:, t, c] = sum_{s=0}^{min(t, L_k-1)} kernel[s, c] * u[:, t-s, c]``. With a 3D
    kernel ``(L_k, C, K)`` (``C`` may be 1 to share the filters across channels) every
    channel is convolved with ``K`` filters:
    ``out[:, t, c, k] = sum_s kernel[s, c, k] * u[:, t-s, c]``.

    Parameters
    ----------
    u : Tensor of shape (B, L, C)
        Real input, float32 or float64, any device.
    kernel : Tensor of shape (L_k, C) or (L_k, C, K)
        Real causal kernel indexed by lag. Kernels longer than ``L`` are truncated to ``L``
        lags (later lags never reach an output).
    kernel_fft : Tensor of shape (n // 2 + 1, C) or (n // 2 + 1, C, K), optional
        ``kernel_spectrum(kernel, n)`` for an even FFT size ``n >= L + L_k - 1`` (as
        :func:`fft_size` gives), to reuse the spectrum of a fixed kernel: ``n`` is
        recovered as ``2 * (kernel_fft.shape[0] - 1)``, so a spectrum of an odd size
        would give wrong values. ``kernel`` (the kernel that spectrum belongs to, not
        truncated) is then only used for its shape.

    Returns
    -------
    Tensor of shape (B, L, C) or (B, L, C, K)
        Same dtype and device as ``u``; differentiable in ``u`` and ``kernel``. Half
        precision operands (float16, bfloat16, e.g. under ``torch.autocast``) are
        convolved in float32 and the result cast back. An empty batch (``B = 0``) gives
        an empty output.

    Examples
    --------
    >>> import torch
    >>> u = torch.tensor([[[1.0], [2.0], [3.0]]])
    >>> causal_fft_conv(u, torch.tensor([[1.0], [10.0]]))[0, :, 0]
    tensor([ 1., 12., 23.])
    """
    _check_input(u)
    if kernel.ndim not in (2, 3) or kernel.shape[1] not in (1, u.shape[2]):
        raise ValueError(
            f"kernel must be (L_k, C) or (L_k, C, K) with C={u.shape[2]} (or 1), "
            f"got shape {tuple(kernel.shape)}."
        )
    n_steps = u.shape[1]
    out_dtype, fft_dtype = u.dtype, _fft_dtype(u, kernel)
    if fft_dtype is not None:  # mixed precision: the convolution itself runs in float32
        u, kernel = u.to(fft_dtype), kernel.to(fft_dtype)
    with torch.autocast(device_type=u.device.type, enabled=False):
        if kernel_fft is None:
            kernel = kernel[:n_steps]
            n_fft = fft_size(n_steps, kernel.shape[0])
            # Lag axis last, like the input's time axis below (see the comment there).
            kernel_fft = torch.fft.rfft(kernel.movedim(0, -1), n=n_fft, dim=-1)
        else:
            if kernel_fft.shape[1:] != kernel.shape[1:]:
                raise ValueError(
                    f"kernel_fft must be the spectrum of the kernel, of shape (n_fft // 2 + 1, "
                    f"{', '.join(map(str, kernel.shape[1:]))}); got {tuple(kernel_fft.shape)}."
                )
            n_fft = 2 * (kernel_fft.shape[0] - 1)
            if n_fft < n_steps + kernel.shape[0] - 1:
                raise ValueError(
                    f"kernel_fft was computed for n_fft={n_fft}, too short for L={n_steps}."
                )
            kernel_fft = kernel_fft.movedim(0, -1)  # (C, F) or (C, K, F), a view
        if u.shape[0] == 0:  # torch's FFT refuses an empty batch
            lag0 = kernel[:1].sum(0)  # the empty output, as a function of u and the kernel
            return (u * lag0 if kernel.ndim == 2 else u.unsqueeze(-1) * lag0).to(out_dtype)
        # The FFTs run along the last axis of the (B, C, L) view of u: along a middle axis
        # torch copies the operands to and from a contiguous layout in the forward and the
        # backward, which took a third of the convolution's time (deep_profile).
        u_fft = torch.fft.rfft(u.transpose(1, 2), n=n_fft, dim=-1)  # (B, C, F)
        if kernel_fft.ndim == 3:
            u_fft = u_fft.unsqueeze(2)  # (B, C, 1, F) against (C, K, F)
        out = torch.fft.irfft(u_fft * kernel_fft, n=n_fft, dim=-1)[..., :n_steps]
    return out.movedim(-1, 1).to(out_dtype)  # (B, L, C) or (B, L, C, K), a view


@validate_params(
    {
        "u": [torch.Tensor],
        "filters": [torch.Tensor],
        "weights": [torch.Tensor],
        "filters_fft": [torch.Tensor, None],
    },
    prefer_skip_nested_validation=True,
)
def causal_fft_filter_mix(
    u: torch.Tensor,
    filters: torch.Tensor,
    weights: torch.Tensor,
    filters_fft: torch.Tensor | None = None,
) -> torch.Tensor:
    """Convolve every channel with ``K`` shared filters and mix the results linearly.

    ``out[:, t, o] = sum_k sum_c weights[k, o, c] * sum_s filters[s, k] * u[:, t-s, c]``,
    the contraction at the heart of the STU layer, without materialising the
    ``(B, L, C, K)`` filtered inputs. The contraction is done in frequency: the layer's
    transfer matrix ``H(f) = sum_k F_k(f) weights[k]`` (``n_freq x C x O``) is built once
    per call (cost ``n_freq * K * C * O``, independent of the batch) and applied to the
    input spectrum (cost ``B * n_freq * C * O``), versus ``B * L * C * K * O`` (and
    ``B * L * C * K`` memory) for contracting filtered inputs in time.

    Parameters
    ----------
    u : Tensor of shape (B, L, C)
        Real input.
    filters : Tensor of shape (L_k, K)
        Real causal filters indexed by lag (truncated to ``L`` lags when longer).
    weights : Tensor of shape (K, O, C)
        Mixing matrices, one ``O x C`` matrix per filter.
    filters_fft : Tensor of shape (n_fft // 2 + 1, K), optional
        Precomputed ``kernel_spectrum(filters, n_fft)`` for an even ``n_fft >= L + L_k - 1``
        (as :func:`fft_size` gives): ``n_fft`` is recovered as
        ``2 * (filters_fft.shape[0] - 1)``, so a spectrum of an odd size would give wrong
        values.

    Returns
    -------
    Tensor of shape (B, L, O)
        Empty for an empty batch (``B = 0``).

    Examples
    --------
    >>> import torch
    >>> u = torch.tensor([[[1.0], [2.0], [3.0]]])
    >>> filters = torch.tensor([[1.0, 0.0], [0.0, 1.0]])  # identity and one-step delay
    >>> weights = torch.tensor([[[1.0]], [[10.0]]])
    >>> causal_fft_filter_mix(u, filters, weights)[0, :, 0]
    tensor([ 1., 12., 23.])
    """
    _check_input(u)
    n_filters = filters.shape[-1]
    if filters.ndim != 2 or weights.shape != (n_filters, weights.shape[1], u.shape[2]):
        raise ValueError(
            f"filters must be (L_k, K) and weights (K, O, C={u.shape[2]}); got "
            f"{tuple(filters.shape)} and {tuple(weights.shape)}."
        )
    n_steps = u.shape[1]
    out_dtype, fft_dtype = u.dtype, _fft_dtype(u, filters, weights)
    if fft_dtype is not None:  # mixed precision: the convolution itself runs in float32
        u, filters, weights = u.to(fft_dtype), filters.to(fft_dtype), weights.to(fft_dtype)
    if filters_fft is None:
        filters = filters[:n_steps]
        filters_fft = kernel_spectrum(filters, fft_size(n_steps, filters.shape[0]))
    if filters_fft.shape[1:] != (n_filters,):
        raise ValueError(
            f"filters_fft must be the spectrum of the filters, of shape (n_fft // 2 + 1, "
            f"{n_filters}); got {tuple(filters_fft.shape)}."
        )
    n_fft = 2 * (filters_fft.shape[0] - 1)
    if n_fft < n_steps + filters.shape[0] - 1:
        raise ValueError(f"filters_fft was computed for n_fft={n_fft}, too short for L={n_steps}.")
    if u.shape[0] == 0:  # torch's FFT refuses an empty batch
        # The empty output, as a function of u, the filters and the weights.
        return (u @ weights.sum(0).T * filters[:1].sum()).to(out_dtype)
    with torch.autocast(device_type=u.device.type, enabled=False):
        out = _filter_mix_in_frequency(u, weights, filters_fft, n_fft, n_filters)
    return out[:, :n_steps].to(out_dtype)


def _filter_mix_in_frequency(u, weights, filters_fft, n_fft, n_filters):
    """The frequency-domain contraction of :func:`causal_fft_filter_mix` (autocast off,
    so the products stay in the FFT's precision)."""
    n_freq, n_out, n_in = filters_fft.shape[0], weights.shape[1], weights.shape[2]
    # Transfer matrix H[f] = sum_k F_k(f) W_k^T, laid out (n_freq, C, O) for batched matmuls.
    # Real and imaginary parts are kept apart: real GEMMs are several times faster than
    # complex ones on CPU (the weights are real, so a complex GEMM would waste half its work).
    # The input's real and imaginary parts are stacked as the rows of one operand, so the
    # four real products take two batched GEMMs (F, 2B, C) @ (F, C, O); every split below
    # is a view or an unbind (no full-size zero-filled gradient buffers in the backward).
    w_flat = weights.transpose(1, 2).reshape(n_filters, n_in * n_out)
    spectra = torch.view_as_real(filters_fft).permute(2, 0, 1).reshape(2 * n_freq, n_filters)
    h_re, h_im = (spectra @ w_flat).view(2, n_freq, n_in, n_out).unbind(0)
    u_fft = torch.fft.rfft(u, n=n_fft, dim=1).transpose(0, 1)  # (F, B, C)
    n_batch = u_fft.shape[1]
    parts = torch.view_as_real(u_fft).permute(0, 3, 1, 2).reshape(n_freq, 2 * n_batch, n_in)
    re_re, im_re = torch.bmm(parts, h_re).view(n_freq, 2, n_batch, n_out).unbind(1)
    re_im, im_im = torch.bmm(parts, h_im).view(n_freq, 2, n_batch, n_out).unbind(1)
    y_fft = torch.complex(re_re - im_im, re_im + im_re).transpose(0, 1)  # (B, F, O)
    return torch.fft.irfft(y_fft, n=n_fft, dim=1)
