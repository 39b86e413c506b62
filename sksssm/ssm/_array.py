"""Tiny numpy/torch switch so each formula in :mod:`sksssm.ssm` is written once.

The functions marked "(numpy|torch)" accept numpy arrays or torch tensors and return the
type they were given; with tensors every operation stays differentiable.
"""

from __future__ import annotations

import numpy as np

try:  # torch is a hard dependency, but keep the maths importable without it
    import torch
except ImportError:  # pragma: no cover
    torch = None


def is_torch(*arrays) -> bool:
    """Whether any of ``arrays`` is a torch tensor."""
    return torch is not None and any(isinstance(a, torch.Tensor) for a in arrays)


def namespace(*arrays):
    """The module (``torch`` or ``numpy``) that computes on ``arrays``."""
    return torch if is_torch(*arrays) else np


def as_array(x, like):
    """``x`` converted to the array type (and device) of ``like``."""
    if is_torch(like):
        if isinstance(x, torch.Tensor):
            return x.to(device=like.device)
        x = np.asarray(x)
        dtype = _torch_dtype_for(x, like)
        return torch.as_tensor(x, dtype=dtype, device=like.device)
    if is_torch(x):
        raise TypeError("cannot mix a torch tensor into a numpy computation")
    return np.asarray(x)


def _torch_dtype_for(x: np.ndarray, like):
    """Keep ``like``'s precision for a numpy constant (float64 stays float64)."""
    complex_like = like.is_complex()
    double = like.dtype in (torch.float64, torch.complex128)
    if np.iscomplexobj(x) or complex_like and np.iscomplexobj(x):
        return torch.complex128 if double else torch.complex64
    return torch.float64 if double else torch.float32


def real_dtype_of(x):
    """The real floating dtype matching ``x`` (float32 for complex64/float32 tensors)."""
    if is_torch(x):
        return torch.float64 if x.dtype in (torch.float64, torch.complex128) else torch.float32
    return np.float64


def arange(n: int, like):
    """``0, 1, ..., n-1`` as a real array of ``like``'s type, precision and device."""
    if is_torch(like):
        return torch.arange(n, dtype=real_dtype_of(like), device=like.device)
    return np.arange(n, dtype=np.float64)


def to_complex(x):
    """``x`` as a complex array of matching precision (complex128 for numpy)."""
    if is_torch(x):
        if x.is_complex():
            return x
        return x.to(torch.complex128 if x.dtype == torch.float64 else torch.complex64)
    return np.asarray(x) + 0j
