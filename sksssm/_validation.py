"""Input validation and the one conversion between public and internal array layouts.

Public layouts (see ``docs/design.md``):

- ``X`` 2D ``(n_samples, n_timesteps)``: univariate sequences (tabular data and sktime's
  ``make_reduction`` windows); 3D ``(n_samples, n_channels, n_timesteps)``: sktime's
  ``numpy3D`` layout.
- Sequence targets ``y`` for ``return_sequences=True``: ``(n_samples, n_timesteps)`` or
  ``(n_samples, n_outputs, n_timesteps)``.

Internally every array is ``(batch, time, channels)`` ("BTC"); :func:`to_btc` and
:func:`from_btc` are the only places that transpose.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length, validate_data

MIN_TIMESTEPS = 2


def to_btc(X):
    """Convert public 2D ``(n, t)`` or 3D ``(n, c, t)`` arrays to ``(n, t, c)`` (a view).

    Examples
    --------
    >>> import numpy as np
    >>> to_btc(np.zeros((5, 7))).shape
    (5, 7, 1)
    >>> to_btc(np.zeros((5, 3, 7))).shape
    (5, 7, 3)
    """
    if X.ndim == 2:
        return X[:, :, np.newaxis]
    # A view, not a copy: the closed-form fit streams over chunks of samples, and a copy
    # of the whole data set would break its memory bound.
    return np.swapaxes(X, 1, 2)


def from_btc(Z, ndim):
    """Inverse of :func:`to_btc`: ``(n, t, c)`` to the public layout of ``ndim`` dims.

    ``ndim=2`` requires a single channel.

    Examples
    --------
    >>> import numpy as np
    >>> from_btc(np.zeros((5, 7, 1)), ndim=2).shape
    (5, 7)
    >>> from_btc(np.zeros((5, 7, 3)), ndim=3).shape
    (5, 3, 7)
    """
    if ndim == 2:
        if Z.shape[2] != 1:
            raise ValueError(f"cannot return {Z.shape[2]} channels in a 2D array")
        return Z[:, :, 0]
    return np.ascontiguousarray(np.swapaxes(Z, 1, 2))


def check_sequences(
    estimator, X, *, reset, min_timesteps=MIN_TIMESTEPS, allow_nan=False, fitted_ndim=None
):
    """Validate ``X`` and return it in the internal ``(n, t, c)`` float64 layout.

    Wraps :func:`sklearn.utils.validation.validate_data`, so ``n_features_in_`` and
    ``feature_names_in_`` are set (``reset=True``) or checked (``reset=False``) exactly as in
    scikit-learn: ``n_features_in_`` is ``X.shape[1]``, the number of time steps for 2D input
    and of channels for 3D input (so 3D sequences may change length between ``fit`` and
    ``predict``).

    Parameters
    ----------
    estimator : estimator instance
    X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
    reset : bool
        True in ``fit``, False in ``predict``.
    min_timesteps : int, default=2
    allow_nan : bool, default=False
        Leave non-finite values to the caller (NaN is the end padding of unequal-length
        series; :func:`sksssm.spectral.sequence_lengths` checks the padding and refuses
        infinity with its own message).
    fitted_ndim : {2, 3} or None, default=None
        With ``reset=False``, the number of dimensions of the ``X`` seen in ``fit``: ``X``
        must have the same (a 2D ``(n, t)`` array whose ``t`` equals the number of
        channels of a 3D fit would otherwise pass the ``n_features_in_`` check).

    Returns
    -------
    X_btc : ndarray of shape (n_samples, n_timesteps, n_channels)
    ndim : int
        The number of dimensions of the input (2 or 3).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> X_btc, ndim = check_sequences(BaseEstimator(), np.ones((4, 10)), reset=True)
    >>> X_btc.shape, ndim
    ((4, 10, 1), 2)
    """
    X = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=np.float64,
        allow_nd=True,
        ensure_all_finite=not allow_nan,
    )
    if X.ndim not in (2, 3):
        raise ValueError(
            f"X must be 2D (n_samples, n_timesteps) or 3D (n_samples, n_channels, "
            f"n_timesteps); got an array with shape {X.shape}. Reshape your data."
        )
    if not reset and fitted_ndim is not None and X.ndim != fitted_ndim:
        raise ValueError(
            f"X is {X.ndim}D (shape {X.shape}), but {type(estimator).__name__} was fitted "
            f"on {fitted_ndim}D X; pass the same layout (2D: (n_samples, n_timesteps); 3D: "
            f"(n_samples, n_channels, n_timesteps))."
        )
    n_timesteps = X.shape[-1]
    if n_timesteps < min_timesteps:
        raise ValueError(
            f"X has {n_timesteps} feature(s) (time steps) per sequence, but "
            f"{type(estimator).__name__} needs sequences of at least {min_timesteps} time "
            f"steps. Pass longer sequences (the last axis of X is time)."
        )
    if X.ndim == 3 and X.shape[1] == 0:
        raise ValueError(f"X has 0 channels (shape {X.shape}); pass at least one channel.")
    return to_btc(X), X.ndim


def check_sequence_targets(estimator, y, X_btc, *, return_sequences):
    """Validate a regression target against validated sequences ``X_btc``.

    Returns
    -------
    y_2d : ndarray
        ``(n_samples, n_targets)`` for sequence-to-one targets, or ``(n, t, n_outputs)``
        for ``return_sequences=True``.
    y_ndim : int
        The number of dimensions of the user's ``y``, used to give predictions the same
        layout.

    Examples
    --------
    >>> import numpy as np
    >>> X_btc = np.zeros((4, 10, 1))
    >>> y, ndim = check_sequence_targets(None, np.ones(4), X_btc, return_sequences=False)
    >>> y.shape, ndim
    ((4, 1), 1)
    >>> y, ndim = check_sequence_targets(None, np.ones((4, 10)), X_btc, return_sequences=True)
    >>> y.shape, ndim
    ((4, 10, 1), 2)
    """
    name = type(estimator).__name__
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    y = check_array(
        y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y", ensure_min_samples=1
    )
    check_consistent_length(X_btc, y)
    n_timesteps = X_btc.shape[1]
    if not return_sequences:
        if y.ndim > 2:
            raise ValueError(
                f"y has shape {y.shape}: one target sequence per sample. Pass "
                f"return_sequences=True for sequence-to-sequence regression, or give one "
                f"value per sequence, y of shape (n_samples,) or (n_samples, n_targets)."
            )
        return (y[:, np.newaxis] if y.ndim == 1 else y), y.ndim
    if y.ndim == 1:
        raise ValueError(
            f"return_sequences=True needs one target per time step: y of shape "
            f"(n_samples, n_timesteps) or (n_samples, n_outputs, n_timesteps); got {y.shape}. "
            f"For one value per sequence use return_sequences=False."
        )
    if y.shape[-1] != n_timesteps:
        raise ValueError(
            f"y has {y.shape[-1]} time steps but X has {n_timesteps}; with "
            f"return_sequences=True the last axis of y must be time, aligned with X."
        )
    return to_btc(y), y.ndim


def check_positive_int(value, name, *, minimum=1):
    """Raise ``ValueError`` unless ``value`` is an integer ``>= minimum``.

    Examples
    --------
    >>> check_positive_int(3, "n_filters")
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def check_option(value, name, options):
    """Raise ``ValueError`` unless ``value`` is one of ``options``.

    Examples
    --------
    >>> check_option("Z", "hankel", ("Z", "L"))
    'Z'
    """
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {list(options)}; got {value!r}.")
    return value


def standardization(values, axis=0):
    """Mean and scale that standardize ``values`` along ``axis`` (relative threshold).

    A column is constant only when its standard deviation is at round-off level
    *relative to its mean* (``std <= 16 eps |mean|``, or exactly 0); it then keeps a unit
    scale and standardizes to 0. A column of mean 0 and standard deviation 1e-13 is not
    constant: it is divided by its standard deviation like any other.

    Examples
    --------
    >>> import numpy as np
    >>> mean, scale = standardization(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> mean.tolist(), scale.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    >>> float(standardization(np.array([1e-13, -1e-13]))[1])
    1e-13
    """
    mean = values.mean(axis=axis)
    std = values.std(axis=axis)
    eps, tiny = np.finfo(np.float64).eps, np.finfo(np.float64).tiny
    varies = (std > 16 * eps * np.abs(mean)) & (std > tiny)
    return mean, np.where(varies, std, 1.0)
