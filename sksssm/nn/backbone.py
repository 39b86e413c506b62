"""The one sequence backbone shared by every deep estimator.

``SequenceModel`` = linear encoder, ``n_layers`` residual blocks around a pluggable
sequence layer (STU, diagonal SSM, HOPE, ...), a final norm and a head. The sequence layer
is the only part that differs between the model families; it is built by
``layer_factory(d_model)`` and must map ``(B, L, d_model) -> (B, L, d_model)`` causally.

Unequal lengths: a batch may hold series padded with NaN at their end (every channel NaN
from the series' length on, the library's convention). The model feeds the padded steps
to every sequence layer as zeros, so a causal layer's outputs at valid steps are exactly
those of the unpadded series; pooling uses each series' own valid steps; the
bidirectional path reverses each series within its own length; BatchNorm's training
statistics ignore the padded steps.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

import torch
from sklearn.utils._param_validation import (
    validate_parameter_constraints,
    validate_params,
)
from torch import nn

from .._validation import IntegerInterval, check_positive_int
from .padding import padding_mask, reverse_within_lengths

__all__ = [
    "Bidirectional",
    "SeededDropout",
    "SequenceLayer",
    "SequenceModel",
    "draw_seed",
    "is_ssm_parameter",
    "ssm_parameter_names",
]

SSM_PREFIX = "ssm_"


class SequenceLayer(nn.Module):
    """Interface of the sequence layers plugged into :class:`SequenceModel`.

    A sequence layer maps ``x`` of shape ``(batch, time, d_model)`` to a tensor of the same
    shape, causally: output ``t`` depends on inputs ``<= t`` only. It must not change the
    dtype or device it is given. Parameters whose name starts with ``ssm_`` are "SSM
    parameters" (see :mod:`sksssm.nn`). Subclassing is optional: any ``nn.Module`` with
    this behaviour plugs in.

    Examples
    --------
    >>> import torch
    >>> class Delay(SequenceLayer):
    ...     def forward(self, x):
    ...         return torch.nn.functional.pad(x, (0, 0, 1, 0))[:, :-1]
    >>> Delay()(torch.ones(1, 3, 2))[0, :, 0]
    tensor([0., 1., 1.])
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - interface
        """Map ``(batch, time, d_model)`` to ``(batch, time, d_model)``."""
        raise NotImplementedError


@validate_params({"name": [str]}, prefer_skip_nested_validation=True)
def is_ssm_parameter(name: str) -> bool:
    """Whether a (dotted) parameter name denotes an SSM parameter (last part ``ssm_*``).

    Parameters
    ----------
    name : str
        A parameter name as ``Module.named_parameters`` gives it.

    Returns
    -------
    bool
        True when the part after the last dot starts with ``ssm_``.

    Examples
    --------
    >>> is_ssm_parameter("blocks.0.layer.ssm_log_dt"), is_ssm_parameter("encoder.weight")
    (True, False)
    """
    return name.rsplit(".", 1)[-1].startswith(SSM_PREFIX)


@validate_params({"module": [nn.Module]}, prefer_skip_nested_validation=True)
def ssm_parameter_names(module: nn.Module) -> list[str]:
    """Names of the SSM parameters of ``module`` (those named ``ssm_*``).

    These are the parameters the estimators train with their own learning rate and no
    weight decay (skorch ``param_groups`` pattern ``"*ssm_*"``).

    Parameters
    ----------
    module : torch.nn.Module
        Any module; its parameters are searched recursively.

    Returns
    -------
    list of str
        The dotted names (as ``module.named_parameters()`` gives them) whose last part
        starts with ``ssm_``, in that order. Buffers are not parameters: a fixed
        ``ssm_*`` buffer is not listed.

    Examples
    --------
    >>> from torch import nn
    >>> layer = nn.Linear(2, 2)
    >>> layer.ssm_rate = nn.Parameter(torch.zeros(2))
    >>> ssm_parameter_names(layer)
    ['ssm_rate']
    """
    return [name for name, _ in module.named_parameters() if is_ssm_parameter(name)]


def check_flag(value, name: str, caller: str) -> bool:
    """``value`` as a bool; ``InvalidParameterError`` (a ``ValueError``) unless it is a
    bool (Python or numpy), scikit-learn's ``"boolean"`` constraint that the estimators'
    flags use.

    Examples
    --------
    >>> check_flag(True, "use_negative", "STULayer")
    True
    """
    validate_parameter_constraints({name: ["boolean"]}, {name: value}, caller_name=caller)
    return bool(value)


@validate_params(
    {"random_state": [IntegerInterval(0), None]},
    prefer_skip_nested_validation=True,
)
def make_generator(random_state: int | None) -> torch.Generator | None:
    """A CPU generator seeded with ``random_state``, or ``None`` (torch's global one).

    Examples
    --------
    >>> make_generator(None) is None
    True
    """
    if random_state is None:
        return None
    return torch.Generator().manual_seed(int(random_state))


@validate_params({"generator": [torch.Generator]}, prefer_skip_nested_validation=True)
def draw_seed(generator: torch.Generator) -> int:
    """A fresh integer seed drawn from ``generator`` (to seed a sub-module or a loader).

    Parameters
    ----------
    generator : torch.Generator
        Advanced by one draw.

    Returns
    -------
    int
        Uniform in ``[0, 2**31 - 1)``.

    Examples
    --------
    >>> import torch
    >>> a = draw_seed(torch.Generator().manual_seed(0))
    >>> a == draw_seed(torch.Generator().manual_seed(0))
    True
    """
    return int(torch.randint(0, 2**31 - 1, (), generator=generator))


def _linear(d_in: int, d_out: int, generator: torch.Generator | None) -> nn.Linear:
    """``nn.Linear(d_in, d_out)``; with a generator, its default initialisation (uniform in
    ``+-1/sqrt(d_in)``) drawn from ``generator`` and not from torch's global RNG."""
    if generator is None:
        return nn.Linear(d_in, d_out)
    # Built on the meta device (its default initialisation draws nothing), then filled.
    layer = nn.Linear(d_in, d_out, device="meta").to_empty(device="cpu")
    bound = d_in**-0.5
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


class SeededDropout(nn.Module):
    """Dropout whose masks come from its own generator, never from torch's global RNG.

    ``nn.Dropout`` draws from the global RNG, which threads share: two models trained in
    parallel threads would interleave their draws (results depending on timing) and
    change the caller's RNG. Here each module owns a generator per device, seeded with
    ``seed``; a copy or an unpickled module restarts the sequence from ``seed``.

    Parameters
    ----------
    p : float
        Probability of zeroing an element, in ``[0, 1]``; ``p = 1`` zeroes every element
        in training (as ``nn.Dropout(1.0)`` does).
    seed : int

    Examples
    --------
    >>> import torch
    >>> a, b = SeededDropout(0.5, seed=3), SeededDropout(0.5, seed=3)
    >>> bool(torch.equal(a(torch.ones(2, 8)), b(torch.ones(2, 8))))
    True
    """

    def __init__(self, p: float, seed: int):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability p must be a float in [0, 1]; got {p!r}.")
        self.p = float(p)
        self.seed = int(seed)
        self._generators: dict[str, torch.Generator] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Zero each element with probability ``p`` in training, scaling the others.

        Parameters
        ----------
        x : Tensor
            Any shape.

        Returns
        -------
        Tensor
            In training, ``x * mask / (1 - p)`` with a Bernoulli mask drawn from this
            module's own generator (zeros for ``p = 1``); in evaluation, ``x`` itself.
        """
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:  # every element dropped (nn.Dropout's x * 0; no 0 / 0)
            return x * 0.0
        keep = 1.0 - self.p
        mask = torch.empty_like(x).bernoulli_(keep, generator=self._generator(x.device))
        return x * mask / keep

    def _generator(self, device: torch.device) -> torch.Generator:
        key = str(device)
        if key not in self._generators:
            self._generators[key] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[key]

    def __getstate__(self):
        state = dict(vars(self))
        state["_generators"] = {}
        return state

    def extra_repr(self) -> str:
        return f"p={self.p}, seed={self.seed}"


class _ChannelNorm(nn.Module):
    """LayerNorm or BatchNorm1d over the channels of a ``(B, L, d)`` tensor."""

    def __init__(self, d_model: int, kind: str):
        super().__init__()
        self.kind = kind
        self.norm = nn.LayerNorm(d_model) if kind == "layer" else nn.BatchNorm1d(d_model)

    def forward(self, x: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
        if self.kind == "layer":
            return self.norm(x)
        if valid is not None:
            # Statistics over the valid steps only; padded steps are left at zero.
            return x.new_zeros(x.shape).index_put((valid,), self.norm(x[valid]))
        # BatchNorm1d normalises dim 1 of (B, C, L): statistics over batch and time.
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


class _ResidualBlock(nn.Module):
    """norm -> sequence layer -> GELU -> dropout -> GLU projection -> dropout -> + x."""

    def __init__(
        self,
        layer: nn.Module,
        d_model: int,
        dropout: float,
        norm: str,
        prenorm: bool,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.prenorm = prenorm
        self.norm = _ChannelNorm(d_model, norm)
        self.layer = layer
        self.activation = nn.GELU()
        if generator is None:
            self.dropout = nn.Dropout(dropout)
        else:
            self.dropout = SeededDropout(dropout, draw_seed(generator))
        self.projection = _linear(d_model, 2 * d_model, generator)
        self.glu = nn.GLU(dim=-1)

    def forward(self, x, valid=None, lengths=None):
        """``(B, L, d_model) -> (B, L, d_model)``; ``valid``/``lengths`` of padded series."""
        z = self.norm(x, valid) if self.prenorm else x
        if valid is not None:
            z = torch.where(valid[..., None], z, 0.0)  # padded steps enter as zeros
        z = self.layer(z, lengths) if isinstance(self.layer, Bidirectional) else self.layer(z)
        z = self.dropout(self.activation(z))
        z = self.dropout(self.glu(self.projection(z)))
        z = z + x
        return z if self.prenorm else self.norm(z, valid)


class Bidirectional(nn.Module):
    """Run two causal layers, one forward and one on the time-reversed sequence, and add.

    ``y = forward(x) + flip(backward(flip(x)))``: output ``t`` sees the whole sequence
    (S4 and S5 use such layers on sequence-to-one tasks such as LRA). The result is *not*
    causal; use it for classification and sequence-to-one regression only. With
    ``lengths``, each series is flipped within its own length
    (:func:`reverse_within_lengths`), so padding never runs into a series' backward pass.

    Parameters
    ----------
    layer_factory : callable
        ``layer_factory(d_model) -> nn.Module``, called twice (two independent layers).
    d_model : int

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> layer = Bidirectional(lambda d: nn.Linear(d, d), 4)
    >>> layer(torch.randn(2, 5, 4)).shape
    torch.Size([2, 5, 4])
    """

    def __init__(self, layer_factory: Callable[[int], nn.Module], d_model: int):
        super().__init__()
        self.forward_layer = SequenceModel._build_layer(layer_factory, d_model)
        self.backward_layer = SequenceModel._build_layer(layer_factory, d_model)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Map ``(B, L, d_model)`` to ``(B, L, d_model)`` (non-causal)."""
        backward = self.backward_layer(reverse_within_lengths(x, lengths))
        return self.forward_layer(x) + reverse_within_lengths(backward, lengths)


class SequenceModel(nn.Module):
    """Encoder, stacked residual sequence layers, final norm and a linear head.

    Each of the ``n_layers`` blocks computes (pre-norm)
    ``x + Dropout(GLU(Linear(Dropout(GELU(layer(Norm(x)))))))``; with ``prenorm=False``
    the norm is applied after the residual sum instead (and no final norm is added, the
    last block's output being normalised already).

    Parameters
    ----------
    d_input : int
        Number of input channels.
    d_output : int
        Number of outputs (targets, or classes for logits).
    layer_factory : callable
        ``layer_factory(d_model) -> nn.Module`` builds one sequence layer mapping
        ``(B, L, d_model) -> (B, L, d_model)`` causally (see :class:`SequenceLayer`).
    d_model : int, default=64
        Width of the residual stream.
    n_layers : int, default=2
        Number of residual blocks.
    dropout : float, default=0.0
        Dropout probability in ``[0, 1)``.
    norm : {"layer", "batch"}, default="layer"
        LayerNorm over channels, or BatchNorm1d over channels (statistics over batch and
        time; batch statistics are used in training only, running averages in eval).
    pooling : {"mean", "last"} or None, default="mean"
        How the per-step outputs are reduced over time to one vector per series:
        ``"mean"`` averages over the series' valid steps (sequence-to-one only: the mean
        sees every time step), ``"last"`` takes its last valid step; both give
        ``(B, d_output)``. ``None`` applies the head at every time step, ``(B, L,
        d_output)``, zero at padded steps; with a causal layer and ``norm="layer"`` (or
        BatchNorm in eval mode) output ``t`` then depends on inputs ``<= t`` only.
    prenorm : bool, default=True
        Normalise before the sequence layer (True) or after the residual sum (False).
    bidirectional : bool, default=False
        Wrap each sequence layer in :class:`Bidirectional` (two layers, one running
        backwards in time): every output then sees the whole sequence, so the model is no
        longer causal.
    skip : nn.Module, optional
        A linear path from the *inputs* to the outputs, ``(B, L, d_input) -> (B, L,
        d_output)``, added to the head's output before pooling (the STU network uses a
        single linear STU layer here, so it contains the convex one-layer STU). With a
        skip path the head starts at zero, so the untrained model is the skip path.
    generator : torch.Generator or None, default=None
        Draws the initial weights of the encoder, projections and head, and seeds the
        dropout masks (:class:`SeededDropout`), so that neither touches torch's global
        RNG (thread-safe, reproducible). ``None``: torch's defaults (global RNG). The
        sequence layers and ``skip`` are built by the caller, who seeds them.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> model = SequenceModel(3, 2, lambda d: nn.Linear(d, d), d_model=8, pooling=None)
    >>> model(torch.randn(4, 10, 3)).shape
    torch.Size([4, 10, 2])
    """

    def __init__(
        self,
        d_input: int,
        d_output: int,
        layer_factory: Callable[[int], nn.Module],
        *,
        d_model: int = 64,
        n_layers: int = 2,
        dropout: float = 0.0,
        norm: str = "layer",
        pooling: str | None = "mean",
        prenorm: bool = True,
        bidirectional: bool = False,
        skip: nn.Module | None = None,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        for name, value in [
            ("d_input", d_input),
            ("d_output", d_output),
            ("d_model", d_model),
            ("n_layers", n_layers),
        ]:
            check_positive_int(value, name)
        if isinstance(dropout, bool) or not isinstance(dropout, int | float):
            raise ValueError(f"dropout must be a float in [0, 1), got {dropout!r}.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
        if norm not in ("layer", "batch"):
            raise ValueError(f"norm must be 'layer' or 'batch', got {norm!r}.")
        if pooling not in ("mean", "last", None):
            raise ValueError(f"pooling must be 'mean', 'last' or None, got {pooling!r}.")
        if not callable(layer_factory):
            raise ValueError("layer_factory must be a callable d_model -> nn.Module.")
        if skip is not None and not isinstance(skip, nn.Module):
            raise ValueError(f"skip must be an nn.Module or None, got {type(skip).__name__}.")
        if generator is not None and not isinstance(generator, torch.Generator):
            raise ValueError(
                f"generator must be a torch.Generator or None, got {type(generator).__name__}."
            )
        prenorm = check_flag(prenorm, "prenorm", "SequenceModel")
        self.pooling = pooling
        self.bidirectional = check_flag(bidirectional, "bidirectional", "SequenceModel")
        self.encoder = _linear(d_input, d_model, generator)
        self.blocks = nn.ModuleList(
            _ResidualBlock(
                self._sequence_layer(layer_factory, d_model),
                d_model,
                dropout,
                norm,
                prenorm,
                generator,
            )
            for _ in range(n_layers)
        )
        self.prenorm = prenorm
        self.final_norm = _ChannelNorm(d_model, norm) if prenorm else nn.Identity()
        self.head = _linear(d_model, d_output, generator)
        self.skip = skip
        if skip is not None:
            with torch.no_grad():
                self.head.weight.zero_()
                self.head.bias.zero_()

    def _sequence_layer(self, layer_factory, d_model: int) -> nn.Module:
        if self.bidirectional:
            return Bidirectional(layer_factory, d_model)
        return self._build_layer(layer_factory, d_model)

    @staticmethod
    def _build_layer(layer_factory, d_model: int) -> nn.Module:
        layer = layer_factory(d_model)
        if not isinstance(layer, nn.Module):
            raise ValueError(
                f"layer_factory(d_model) must return an nn.Module, got {type(layer).__name__}."
            )
        return layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(B, L, d_input)`` to ``(B, d_output)`` (``(B, L, d_output)`` if no pooling).

        ``x`` may hold series NaN-padded at the end (see the module docstring).
        """
        if x.ndim != 3 or x.shape[-1] != self.encoder.in_features:
            raise ValueError(
                f"expected input (batch, time, {self.encoder.in_features}), "
                f"got shape {tuple(x.shape)}."
            )
        valid, lengths = padding_mask(x)
        if valid is not None:
            x = torch.where(valid[..., None], x, 0.0)
        z = self.encoder(x)
        for block in self.blocks:
            z = block(z, valid, lengths)
        z = self.final_norm(z, valid) if self.prenorm else z
        z = self.head(z)
        if self.skip is not None:
            z = z + self.skip(x)
        return self._pool(z, valid, lengths)

    def _pool(self, z, valid, lengths):
        """Reduce ``(B, L, d_output)`` over each series' valid steps (see ``pooling``)."""
        if valid is None:
            if self.pooling == "mean":
                return z.mean(dim=1)
            return z[:, -1] if self.pooling == "last" else z
        if self.pooling == "mean":
            return torch.where(valid[..., None], z, 0.0).sum(dim=1) / lengths[:, None]
        if self.pooling == "last":
            return z[torch.arange(len(z), device=z.device), lengths - 1]
        return torch.where(valid[..., None], z, 0.0)
