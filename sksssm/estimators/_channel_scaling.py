"""Per-channel scaling of the closed-form estimators' inputs and targets.

The linear heads divide inputs and targets by a per-channel max-abs scale (and subtract a
mid-range location where a model has an intercept), so that no sum of squares overflows
or underflows whatever the units; predictions do not change (the models are linear).
"""

from __future__ import annotations

import numpy as np


def channel_scale(values):
    """Per-channel max-abs scale of ``(n, t, c)`` values (1 for all-zero channels).

    The fit divides inputs and targets by it, so that no sum of squares overflows or
    underflows whatever the units (the model is linear: predictions do not change).
    NaN (the end padding of unequal-length series) is ignored.

    Examples
    --------
    >>> import numpy as np
    >>> channel_scale(np.array([[[1e200, 0.0], [-3e200, np.nan]]])).tolist()
    [3e+200, 1.0]
    """
    # Two NaN-skipping reductions instead of np.abs(values): no temporary copy of the data.
    axes = tuple(range(values.ndim - 1))
    scale = np.fmax(np.fmax.reduce(values, axis=axes), -np.fmin.reduce(values, axis=axes))
    return np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def channel_location(values):
    """Per-channel mid-range ``(max + min) / 2`` of ``(n, t, c)`` values (NaN ignored).

    Examples
    --------
    >>> import numpy as np
    >>> channel_location(np.array([[[1e12 + 1, 0.0], [1e12 - 3, np.nan]]])).tolist()
    [999999999999.0, 0.0]
    """
    axes = tuple(range(values.ndim - 1))
    largest, smallest = np.fmax.reduce(values, axis=axes), np.fmin.reduce(values, axis=axes)
    location = largest / 2 + smallest / 2  # halves first: no overflow near 1.8e308
    return np.where(np.isfinite(location), location, 0.0)


def centre_and_scale(X_btc, location, scale):
    """``(X_btc - location) / scale`` (a new array), or ``ValueError`` where finite values
    overflow float64 doing so.

    The one check of every estimator that centres and scales its inputs with statistics
    of the training data: values far from those data are refused with the fix here, not
    reported later as the infinities they become. NaN (end padding) stays NaN.

    Examples
    --------
    >>> import numpy as np
    >>> centre_and_scale(np.array([[[3.0], [np.nan]]]), 1.0, 2.0)[..., 0].tolist()
    [[1.0, nan]]
    >>> centre_and_scale(np.array([[[1e306]]]), 0.0, 1e-3)
    Traceback (most recent call last):
    ...
    ValueError: X has values too large to centre and scale with the training location ...
    """
    with np.errstate(over="ignore"):  # refused just below, with the fix
        scaled = X_btc - location
        scaled /= scale
    if np.isinf(scaled).any():
        raise ValueError(
            "X has values too large to centre and scale with the training location "
            "and scale (they overflow float64); pass values within about 1e300 of "
            "the training data."
        )
    return scaled


def _check_normal_scale(scale, name):
    """Refuse data whose largest magnitude in a channel is subnormal (below ~2.2e-308).

    Such values carry fewer significant digits than float64 promises, and the
    coefficients in their units (about ``1 / scale``) overflow.
    """
    tiny = np.finfo(np.float64).tiny
    if (scale < tiny).any():
        channel = int(np.argmax(scale < tiny))
        raise ValueError(
            f"{name} is subnormal: its largest magnitude in channel {channel} is "
            f"{scale[channel]:.3g}, below the smallest normal float64 ({tiny:.3g}), where "
            f"values lose precision. Rescale {name} (e.g. multiply it by 2.0**1000) and fit "
            f"again."
        )


def _stand_in(array):
    """A zero-memory numpy array with the shape of a Dask array (for shape checks)."""
    return np.broadcast_to(np.zeros((), dtype=np.float64), array.shape)


def _dask_scales(X, y, return_sequences):
    """``channel_scale`` of Dask ``X`` and ``y`` (public layouts), reduced on the workers."""
    import dask

    def per_channel_axes(array, sequences):
        # Public layouts: X (n, t) / (n, c, t); y (n,) / (n, q), or (n, t) / (n, q, t).
        if array.ndim == 3:
            return (0, 2)
        return (0, 1) if sequences and array.ndim == 2 else (0,)

    x_max, y_max = dask.compute(
        abs(X).max(axis=per_channel_axes(X, True)),
        abs(y).max(axis=per_channel_axes(y, return_sequences)),
    )
    return tuple(np.atleast_1d(np.where(m > 0, m, 1.0)).astype(float) for m in (x_max, y_max))
