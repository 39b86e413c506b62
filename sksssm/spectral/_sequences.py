"""Series handling of the pooled features: NaN-padded lengths, per-series scale, inputs."""

from __future__ import annotations

import numpy as np
from sklearn.utils._param_validation import validate_params

from .._validation import scale_unless_constant


@validate_params(
    {
        "X_btc": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def sequence_lengths(X_btc) -> np.ndarray:
    """Valid length of each NaN-padded series of ``X_btc`` (n, t, c).

    A series' length is the number of leading time steps at which no channel is NaN; all
    later steps must be NaN in every channel (padding only at the end).

    Parameters
    ----------
    X_btc : array-like of shape (n_samples, n_timesteps, n_channels)
        Series, NaN-padded at the end when lengths differ.

    Returns
    -------
    ndarray of int of shape (n_samples,)
        The valid length of each series.

    Raises
    ------
    ValueError
        If a NaN is followed by a value (NaN inside a series, or channels padded to
        different lengths), or a series has fewer than 2 valid steps.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import sequence_lengths
    >>> X = np.ones((2, 5, 1))
    >>> X[1, 3:] = np.nan
    >>> sequence_lengths(X).tolist()
    [5, 3]
    """
    X_btc = _as_btc(X_btc)
    missing = np.isnan(X_btc)
    any_missing = missing.any(axis=2)  # (n, t)
    lengths = np.where(any_missing.any(axis=1), any_missing.argmax(axis=1), X_btc.shape[1])
    valid = np.arange(X_btc.shape[1])[None, :] < lengths[:, None]
    if not np.array_equal(missing.all(axis=2), ~valid) or (any_missing & valid).any():
        raise ValueError(
            "X contains NaN inside a series (or channels padded to different lengths). "
            "Only NaN-padding at the end of a series is allowed, in every channel at once: "
            "pad each unequal-length series with NaN after its last time step."
        )
    if X_btc.shape[0] and lengths.min() < 2:
        raise ValueError(
            f"every series needs at least 2 time steps, but series "
            f"{int(lengths.argmin())} has {int(lengths.min())} before its NaN padding."
        )
    # the valid steps hold no NaN and the padding only NaN (checked above), so a
    # non-finite valid value is an infinity anywhere: one pass, no masked copy of X
    if np.isinf(X_btc).any():
        raise ValueError("X contains infinite values; pass finite values (NaN only as padding).")
    return lengths.astype(np.intp)


def _as_btc(X_btc):
    """``X_btc`` as a float64 array, refused unless 3D (n_samples, n_timesteps, n_channels)."""
    X_btc = np.asarray(X_btc, dtype=np.float64)
    if X_btc.ndim != 3:
        raise ValueError(
            f"X_btc must be 3D (n_samples, n_timesteps, n_channels), got shape {X_btc.shape}."
        )
    return X_btc


def _series_scale(U, lengths):
    """Mean and standard deviation of each channel of each series over its valid steps.

    ``U`` is zero-filled beyond ``lengths``. Returns ``(mean, std)``, each ``(m, c)``.
    """
    valid = np.arange(U.shape[1])[None, :, None] < lengths[:, None, None]
    count = lengths[:, None].astype(np.float64)
    mean = np.where(valid, U, 0.0).sum(axis=1) / count
    centred = np.where(valid, U - mean[:, None], 0.0)
    std = np.sqrt(np.einsum("mtc,mtc->mc", centred, centred) / count)
    return mean, std


def _scale_features(U, lengths):
    """``normalise``'s extra features per channel: the series' mean and log std.

    The log std is floored at ``1e-8`` times the mean absolute value (and at the smallest
    positive double), so that a constant channel gives a finite value.
    """
    valid = np.arange(U.shape[1])[None, :, None] < lengths[:, None, None]
    mean, std = _series_scale(U, lengths)
    size = np.abs(np.where(valid, U, 0.0)).sum(axis=1) / lengths[:, None]
    floor = np.maximum(1e-8 * size, np.finfo(np.float64).tiny)
    return np.concatenate([mean, np.log(np.maximum(std, floor))], axis=1)


def _standardise(U, lengths):
    """Each channel of each (zero-filled) series centred and scaled over its valid steps.

    A constant channel becomes zeros; the padding stays zero.
    """
    valid = np.arange(U.shape[1])[None, :, None] < lengths[:, None, None]
    mean, std = _series_scale(U, lengths)
    std = _standardise_scale(std, mean)
    return np.where(valid, (U - mean[:, None]) / std[:, None], 0.0)


def _standardise_scale(std, mean):
    """The divisor of :func:`_standardise`: ``std``, 1 for a constant channel."""
    return scale_unless_constant(std, np.abs(mean))  # constant channel: centred to zeros


def _inputs(U, lengths, differences, normalise=False):
    """Zero-filled series (and first differences) with the padding zeroed.

    With ``normalise`` each channel of each series is first standardized over its own
    valid steps (a constant channel becomes zeros).
    """
    valid = np.arange(U.shape[1])[None, :, None] < lengths[:, None, None]
    U = np.where(valid, U, 0.0)
    if normalise:
        U = _standardise(U, lengths)
    kinds = [U]
    if differences:
        D = np.zeros_like(U)
        D[:, 1:] = U[:, 1:] - U[:, :-1]
        kinds.append(np.where(valid, D, 0.0))
    return kinds


def _prepare(X_btc, lengths, n_channels=None):
    X_btc = _as_btc(X_btc)
    if n_channels is not None and X_btc.shape[2] != n_channels:
        raise ValueError(
            f"X has {X_btc.shape[2]} channels, but the pooling was fitted with {n_channels}."
        )
    if lengths is None:
        lengths = sequence_lengths(X_btc)
    else:
        lengths = np.asarray(lengths)
        if (
            lengths.shape != (X_btc.shape[0],)
            or not np.issubdtype(lengths.dtype, np.integer)
            or (lengths.size and (lengths.min() < 2 or lengths.max() > X_btc.shape[1]))
        ):
            raise ValueError(
                f"lengths must be integers in [2, {X_btc.shape[1]}], one per series "
                f"(shape ({X_btc.shape[0]},)); got {lengths!r}."
            )
        if _non_finite_within(X_btc, lengths):
            raise ValueError("X contains NaN or infinite values within the given lengths.")
        lengths = lengths.astype(np.intp)
    return X_btc, lengths


def _non_finite_within(X_btc, lengths):
    """Whether some value of ``X_btc`` (n, t, c) within ``lengths`` is NaN or infinite.

    Per step, not by a masked copy of the valid values (on a 278 x 3000 x 64 training
    set that copy was most of the check's time, and every fit checks its series several
    times).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral._sequences import _non_finite_within
    >>> X = np.ones((2, 4, 1))
    >>> X[1, 3] = np.nan  # the padding of a series of 3 steps
    >>> _non_finite_within(X, np.array([4, 3])), _non_finite_within(X, np.array([4, 4]))
    (False, True)
    """
    if (lengths == X_btc.shape[1]).all():
        return not np.isfinite(X_btc).all()
    valid = np.arange(X_btc.shape[1])[None, :] < lengths[:, None]
    return bool((~np.isfinite(X_btc)).any(axis=2)[valid].any())
