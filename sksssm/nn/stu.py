"""The Spectral Transform Unit (STU) layer.

Agarwal, Suo, Chen, Hazan, "Spectral State Space Models" (2023). The layer convolves its
input with ``K`` fixed spectral filters (the top eigenvectors of a Hankel matrix, scaled by
their eigenvalue to the power 1/4; see :func:`sksssm.spectral.stu_filters`) and learns only
the linear maps that mix the filtered inputs:

    y_t = sum_k M+_k U+_{t,k} + sum_k M-_k U-_{t,k} + sum_{i < input_lags} Mu_i u_{t-i}

with ``U+_{t,k} = sum_{s>=0} phi_k[s] u_{t-1-s}`` (spectral features of the *past*, as in
the paper and in :func:`sksssm.spectral.stu_features`) and ``U-`` the same with
``phi_k[s] (-1)^s`` (the negative branch, for systems with negative eigenvalues).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from .._validation import check_option, check_positive_int
from .backbone import SequenceLayer, check_flag, make_generator
from .fftconv import causal_fft_conv, causal_fft_filter_mix, fft_size, kernel_spectrum

__all__ = ["STULayer", "STUSkip"]

_MAX_CACHED_SPECTRA = 8
_INITS = ("zeros", "normal")


def _shifted_filters(filters: torch.Tensor, use_negative: bool) -> torch.Tensor:
    """Causal kernels ``(L_f + 1, n_branches * K)`` of the features of the past.

    Row 0 is zero (the current input is left to the lag terms), row ``s + 1`` holds
    ``phi_k[s]`` then, for the negative branch, ``phi_k[s] (-1)^s``.
    """
    branches = [filters]
    if use_negative:
        signs = 1.0 - 2.0 * (torch.arange(filters.shape[0], device=filters.device) % 2)
        branches.append(filters * signs.to(filters.dtype)[:, None])
    kernel = torch.cat(branches, dim=1)
    return functional.pad(kernel, (0, 0, 1, 0))


class STULayer(SequenceLayer):
    """Spectral Transform Unit: fixed spectral filters, learned mixing matrices.

    Maps ``(B, L, d_model)`` to ``(B, L, d_model)`` (``(B, L, d_output)``) causally.

    Parameters
    ----------
    d_model : int
        Number of input channels (and of output channels unless ``d_output`` is given).
    filter_length : int
        Length of the spectral filters (the Hankel matrix size), usually the training
        sequence length. The filters act as a fixed causal FIR of ``filter_length`` taps
        on the past: shorter inputs use the truncated filters (exactly what the full
        filters give on a shorter sequence), longer inputs work too, each output then
        seeing the last ``filter_length`` past inputs (plus the lags).
    n_filters : int, default=24
        Number ``K`` of spectral filters; capped (with a ``SpectralFilterWarning``) when
        ``filter_length`` supports fewer. The number used is ``filters.shape[1]``.
    hankel : {"Z", "L"}, default="Z"
        Hankel matrix of :func:`sksssm.spectral.spectral_filters`.
    input_lags : int, default=3
        Number of direct terms ``Mu_i u_{t-i}``, ``i = 0, ..., input_lags - 1``.
    use_negative : bool, default=True
        Include the negative branch ``U-``.
    use_tensordot : bool, default=False
        Cheaper approximation: project the channels first (``z = P u``) and convolve each
        channel ``o`` of ``z`` with one learned combination of the filters,
        ``kernel[:, o] = sum_k phi_k W+[k, o] (+ sum_k phi_k (-1)^s W-[k, o])``. This is
        exactly the full layer with the mixing matrices restricted to
        ``M_k = diag(W[k]) P`` (one shared input projection ``P``, a per-filter diagonal
        output scaling), and needs ``d_model`` convolutions instead of
        ``d_model * n_branches * K``. The lag terms stay full matrices.
    filter_scaling : {"sigma", "unit"}, default="sigma"
        "sigma": the paper's filters ``phi_k * sigma_k ** (1/4)``. "unit": the
        eigenvectors themselves (unit norm), so that on white inputs every spectral
        feature has the variance of the input; gradient training is better conditioned
        (the paper's scaling spreads the feature scales over about three decades at
        ``L = 1024``). Both span the same features.
    d_output : int, optional
        Number of output channels (default ``d_model``).
    init : {"zeros", "normal"}, default="zeros"
        Initial mixing matrices: all zero (the layer starts as the zero map), or normal
        with standard deviation ``1 / sqrt(d_model * n_terms)``. In tensordot mode the
        input projection ``P`` is always random (a zero product would get no gradient).
    random_state : int or None, default=None
        Seed of the random initial weights (``init="normal"``, the tensordot projection);
        ``None`` uses torch's global generator.
    device, dtype : optional
        Factory arguments of the parameters and of the ``filters`` buffer. Build with
        ``dtype=torch.float64`` for float64 work: converting a float32 layer later keeps
        float32-rounded filters. An input of another floating dtype is computed in the
        input's dtype (the weights and filters are cast to it, differentiably).

    Attributes
    ----------
    filters : Tensor of shape (filter_length, K)
        The fixed filters ``phi * sigma**0.25``, a persistent buffer: it is saved in the
        ``state_dict`` so a trained layer always reloads the exact filters its mixing
        matrices were learned against, and it moves with ``.to()``.
    m_pos, m_neg : Parameter of shape (K, d_model, d_model)
        Mixing matrices ``M+_k``, ``M-_k`` (output x input); full mode only.
    m_lags : Parameter of shape (input_lags, d_model, d_model)
        Direct terms ``Mu_i``.
    input_proj : Parameter of shape (d_model, d_model)
        ``P`` of tensordot mode.
    w_pos, w_neg : Parameter of shape (K, d_model)
        Filter combinations of tensordot mode.

    Notes
    -----
    The convolutions are FFTs zero padded to a fast length ``>= L + filter_length``; in
    full mode the mixing is contracted in frequency through the layer's transfer matrix
    (see :func:`sksssm.nn.causal_fft_filter_mix`), so the ``(B, L, d_model, K)`` filtered
    inputs are never stored. Filter spectra are cached per FFT size, device and dtype; the
    cache is dropped on pickling, deep copies, ``.to()`` and ``load_state_dict`` (a load
    always uses the loaded filters; the filters are fixed, so change them by loading a
    state dict, not in place). Spectra computed under ``torch.inference_mode()`` are used but
    not cached, so the layer can still be trained afterwards. The layer has no ``ssm_``
    parameters.

    Examples
    --------
    >>> import torch
    >>> layer = STULayer(d_model=4, filter_length=32, n_filters=8, init="normal")
    >>> layer(torch.randn(2, 32, 4)).shape
    torch.Size([2, 32, 4])
    """

    def __init__(
        self,
        d_model: int,
        filter_length: int,
        n_filters: int = 24,
        *,
        hankel: str = "Z",
        input_lags: int = 3,
        use_negative: bool = True,
        use_tensordot: bool = False,
        filter_scaling: str = "sigma",
        d_output: int | None = None,
        init: str = "zeros",
        random_state: int | None = None,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self._check_args(d_model, filter_length, n_filters, input_lags, init)
        if filter_scaling not in ("sigma", "unit"):
            raise ValueError(f"filter_scaling must be 'sigma' or 'unit', got {filter_scaling!r}.")
        d_output = d_model if d_output is None else d_output
        check_positive_int(d_output, "d_output")
        from sksssm.spectral import stu_filters

        self.d_model = d_model
        self.d_output = d_output
        self.filter_scaling = filter_scaling
        self.filter_length = filter_length
        self.hankel = hankel
        self.input_lags = input_lags
        self.use_negative = check_flag(use_negative, "use_negative", "STULayer")
        self.use_tensordot = check_flag(use_tensordot, "use_tensordot", "STULayer")
        factory = {"device": device, "dtype": dtype or torch.get_default_dtype()}
        phi = stu_filters(filter_length, n_filters, hankel)
        if filter_scaling == "unit":
            phi = phi / np.linalg.norm(phi, axis=0)
        self.register_buffer("filters", torch.as_tensor(phi.copy(), **factory), persistent=True)
        n_used = self.filters.shape[1]
        self._build_parameters(n_used, factory)
        self.reset_parameters(init, generator=make_generator(random_state))
        self._spectrum_cache: dict = {}

    @staticmethod
    def _check_args(d_model, filter_length, n_filters, input_lags, init) -> None:
        for name, value, minimum in [
            ("d_model", d_model, 1),
            ("filter_length", filter_length, 1),
            ("n_filters", n_filters, 1),
            ("input_lags", input_lags, 0),
        ]:
            check_positive_int(value, name, minimum=minimum)
        check_option(init, "init", _INITS)

    def _build_parameters(self, n_used: int, factory: dict) -> None:
        d, o = self.d_model, self.d_output
        if self.use_tensordot:
            self.input_proj = nn.Parameter(torch.empty(o, d, **factory))
            self.w_pos = nn.Parameter(torch.empty(n_used, o, **factory))
            self.w_neg = (
                nn.Parameter(torch.empty(n_used, o, **factory)) if self.use_negative else None
            )
        else:
            self.m_pos = nn.Parameter(torch.empty(n_used, o, d, **factory))
            self.m_neg = (
                nn.Parameter(torch.empty(n_used, o, d, **factory)) if self.use_negative else None
            )
        self.m_lags = nn.Parameter(torch.empty(self.input_lags, o, d, **factory))

    def _filter_weights(self) -> list[nn.Parameter]:
        names = ("w_pos", "w_neg") if self.use_tensordot else ("m_pos", "m_neg")
        return [getattr(self, name) for name in names if getattr(self, name) is not None]

    def reset_parameters(
        self, init: str = "zeros", generator: torch.Generator | None = None
    ) -> None:
        """(Re)initialise the learned matrices (``init`` as in the constructor), drawing
        from ``generator`` (torch's global generator if None)."""
        check_option(init, "init", _INITS)
        n_terms = self.filters.shape[1] * (2 if self.use_negative else 1) + self.input_lags
        std = (self.d_model * max(n_terms, 1)) ** -0.5
        with torch.no_grad():
            for weight in [*self._filter_weights(), self.m_lags]:
                if init == "zeros":
                    weight.zero_()
                else:
                    weight.normal_(0.0, std, generator=generator)
            if self.use_tensordot:
                nn.init.orthogonal_(self.input_proj, generator=generator)

    # --- cached filter spectra ------------------------------------------------------
    def _kernel_and_spectrum(self, n_steps: int, dtype, device):
        """Shifted filters truncated to ``n_steps`` lags, and their spectrum (cached)."""
        kernel_length = min(self.filter_length + 1, n_steps)
        n_fft = fft_size(n_steps, kernel_length)
        key = (n_fft, kernel_length, str(device), dtype)
        if key in self._spectrum_cache:
            return self._spectrum_cache[key]
        with torch.no_grad():
            kernel = _shifted_filters(self.filters, self.use_negative)[:kernel_length]
            kernel = kernel.to(device=device, dtype=dtype)
            entry = (kernel, kernel_spectrum(kernel, n_fft))
        # Tensors made under inference mode cannot enter autograd later: use, do not keep.
        if not torch.is_inference_mode_enabled():
            if len(self._spectrum_cache) >= _MAX_CACHED_SPECTRA:
                self._spectrum_cache.pop(next(iter(self._spectrum_cache)))
            self._spectrum_cache[key] = entry
        return entry

    def _apply(self, *args, **kwargs):
        # .to(), .cuda(), .double(), ...: spectra of the old device/dtype are stale.
        self._spectrum_cache = {}
        return super()._apply(*args, **kwargs)

    def _load_from_state_dict(self, *args, **kwargs):
        # load_state_dict copies into the buffers in place (no _apply): the spectra of the
        # old filters are stale.
        self._spectrum_cache = {}
        super()._load_from_state_dict(*args, **kwargs)

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else vars(self)
        state = dict(state)
        state["_spectrum_cache"] = {}
        return state

    # --- forward --------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(B, L, d_model)`` to ``(B, L, d_model)``."""
        if x.ndim != 3 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"expected input (batch, time, {self.d_model}), got shape {tuple(x.shape)}."
            )
        kernel, spectrum = self._kernel_and_spectrum(x.shape[1], x.dtype, x.device)
        weights = self._cast(torch.cat(self._filter_weights(), dim=0), x)
        if self.use_tensordot:
            # One combined kernel per channel: sum_k phi_k W[k, o] over both branches.
            y = causal_fft_conv(x @ self._cast(self.input_proj, x).T, kernel @ weights)
        else:
            y = causal_fft_filter_mix(x, kernel, weights, filters_fft=spectrum)
        return y + self._lag_terms(x)

    @staticmethod
    def _cast(weight: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``weight`` in the dtype of a floating ``x`` (differentiable; a no-op if equal)."""
        return weight.to(x.dtype) if x.is_floating_point() else weight

    def _lag_terms(self, x: torch.Tensor) -> torch.Tensor:
        """``sum_{i < input_lags} Mu_i x_{t-i}`` as a short causal conv1d."""
        if self.input_lags == 0:
            return x.new_zeros(*x.shape[:-1], self.d_output)
        # conv1d tap j multiplies x_{t + j - (input_lags - 1)}, i.e. lag i = input_lags - 1 - j.
        weight = self._cast(self.m_lags, x).permute(1, 2, 0).flip(-1)
        padded = functional.pad(x.transpose(1, 2), (self.input_lags - 1, 0))
        return functional.conv1d(padded, weight).transpose(1, 2)

    def extra_repr(self) -> str:
        return (
            f"d_model={self.d_model}, d_output={self.d_output}, "
            f"filter_length={self.filter_length}, filter_scaling={self.filter_scaling!r}, "
            f"n_filters={self.filters.shape[1]}, hankel={self.hankel!r}, "
            f"input_lags={self.input_lags}, use_negative={self.use_negative}, "
            f"use_tensordot={self.use_tensordot}"
        )


class STUSkip(nn.Module):
    """A linear STU from the inputs (plus a constant channel) straight to the outputs.

    ``STUSkip(x) = STULayer([x, 1])``: the convex one-layer STU of the paper, used as the
    linear skip path of the STU network (``SequenceModel(skip=...)``). The constant
    channel matters: the deep estimators centre their inputs, and for a marginally stable
    system the input mean drives a drift in the output (``sum_s A^s B mean``) that a
    convolution of centred inputs cannot produce; the filtered constant channel can.

    Parameters
    ----------
    d_input, d_output : int
    filter_length : int
    **kwargs
        Passed to :class:`STULayer` (``n_filters``, ``hankel``, ``input_lags``,
        ``use_negative``, ``filter_scaling``, ...). Weights start at zero.

    Examples
    --------
    >>> import torch
    >>> skip = STUSkip(3, 2, filter_length=16, n_filters=4)
    >>> skip(torch.randn(5, 16, 3)).shape
    torch.Size([5, 16, 2])
    """

    def __init__(self, d_input: int, d_output: int, filter_length: int, **kwargs):
        super().__init__()
        check_positive_int(d_input, "d_input")
        check_positive_int(d_output, "d_output")
        kwargs.setdefault("init", "zeros")
        self.stu = STULayer(d_input + 1, filter_length, d_output=d_output, **kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(B, L, d_input)`` to ``(B, L, d_output)`` causally."""
        ones = x.new_ones(*x.shape[:-1], 1)
        return self.stu(torch.cat([x, ones], dim=-1))
