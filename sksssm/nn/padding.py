"""NaN end padding of a batch of series of unequal lengths, the library's convention.

Every channel of a series is NaN from the series' length on (:func:`padding_mask` finds
the valid steps and checks the convention); :func:`reverse_within_lengths` reverses each
series within its own length, for the backward direction of a bidirectional layer.
"""

from __future__ import annotations

import torch
from sklearn.utils._param_validation import validate_params

__all__ = ["padding_mask", "reverse_within_lengths"]


@validate_params({"x": [torch.Tensor]}, prefer_skip_nested_validation=True)
def padding_mask(x: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """``(valid, lengths)`` of a NaN-padded ``(B, L, d)`` batch, or ``(None, None)``.

    ``valid[b, t]`` is True at the first ``lengths[b]`` steps of series ``b``; the later
    steps must be NaN in every channel (padding at the end only).

    Parameters
    ----------
    x : Tensor of shape (B, L, d)
        A batch of series, NaN-padded at the end when their lengths differ.

    Returns
    -------
    valid : Tensor of bool of shape (B, L) or None
        The valid (unpadded) steps; None when ``x`` has no NaN.
    lengths : Tensor of int of shape (B,) or None
        The valid length of each series, at least 1; None when ``x`` has no NaN.

    Raises
    ------
    ValueError
        If a NaN is followed by a value, the channels are padded to different lengths,
        or a series is padding only.

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(2, 4, 1)
    >>> x[1, 2:] = float("nan")
    >>> padding_mask(x)[1].tolist()
    [4, 2]
    """
    missing = torch.isnan(x)
    if not missing.any():
        return None, None
    observed = ~missing.any(dim=-1)
    lengths = observed.sum(dim=1)
    valid = torch.arange(x.shape[1], device=x.device) < lengths[:, None]
    broken = ((observed != valid) | (missing.all(dim=-1) != ~valid)).any(dim=1)
    if broken.any():
        raise ValueError(
            "x contains NaN inside a series (or channels padded to different lengths); "
            "only NaN-padding at the end of a series, in every channel at once, is allowed. "
            f"The first offending series is x[{int(broken.nonzero()[0, 0])}]."
        )
    if lengths.min() < 1:
        raise ValueError(
            "every series needs at least one time step before its NaN padding; "
            f"x[{int(lengths.argmin())}] has none."
        )
    return valid, lengths


@validate_params(
    {"x": [torch.Tensor], "lengths": [torch.Tensor, None]}, prefer_skip_nested_validation=True
)
def reverse_within_lengths(x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Reverse each series of ``x`` (B, L, d) in time within its own length.

    Series ``b`` becomes ``x[b, lengths[b] - 1], ..., x[b, 0]`` followed by its padded
    steps, unchanged; without ``lengths`` the whole time axis is reversed. Applying it
    twice gives ``x`` back.

    Parameters
    ----------
    x : Tensor of shape (B, L, d)
        A batch of series.
    lengths : Tensor of int of shape (B,) or None
        The valid length of each series, in ``[1, L]`` (as :func:`padding_mask` returns
        it); None: every series has length ``L``.

    Returns
    -------
    Tensor of shape (B, L, d)
        ``x`` with each series' valid steps in reverse order.

    Examples
    --------
    >>> import torch
    >>> x = torch.arange(4.0).reshape(1, 4, 1)
    >>> reverse_within_lengths(x, torch.tensor([3]))[0, :, 0].tolist()
    [2.0, 1.0, 0.0, 3.0]
    """
    if lengths is None:
        return x.flip(1)
    n_steps = x.shape[1]
    if (
        lengths.shape != x.shape[:1]
        or lengths.is_floating_point()
        or lengths.is_complex()
        or (len(lengths) and not 1 <= lengths.min() <= lengths.max() <= n_steps)
    ):
        values = ""
        if lengths.numel() and not lengths.is_complex():
            values = f", values in [{lengths.min().item()}, {lengths.max().item()}]"
        raise ValueError(
            f"lengths must be an integer tensor of shape ({x.shape[0]},) with values in "
            f"[1, L={n_steps}]; got {lengths.dtype} of shape {tuple(lengths.shape)}{values}."
        )
    steps = torch.arange(x.shape[1], device=x.device)
    index = torch.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)
    return x.gather(1, index[..., None].expand_as(x))
