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
import pandas as pd
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

MIN_TIMESTEPS = 2

# --- the option sets, defined once (parameter constraints and checks use these) ---------
#: Hankel matrices of the spectral filters (:func:`sksssm.spectral.hankel_matrix`).
HANKEL_KINDS = ("Z", "L")
#: Initialisations of the diagonal SSM layers (PTD and the S4D variants).
SSM_INITS = ("ptd", "s4d-legs", "s4d-lin", "s4d-inv")
#: Discretizations of continuous-time SSMs.
DISCRETIZATIONS = ("zoh", "bilinear")
#: The ``_parameter_constraints`` entry of a strictly positive real number.
POSITIVE_REAL = Interval(numbers.Real, 0.0, None, closed="neither")


class IntegerInterval(Interval):
    """The ``_parameter_constraints`` entry of an integer in a range, bools refused.

    ``Interval(numbers.Integral, left, right, closed=closed)``, which takes ``True`` and
    ``False`` for 1 and 0 (``bool`` is an ``Integral``), less the bools: the rule of
    :func:`check_positive_int`.

    Examples
    --------
    >>> constraint = IntegerInterval(1)
    >>> constraint.is_satisfied_by(3), constraint.is_satisfied_by(True)
    (True, False)
    >>> str(constraint)
    'an int in the range [1, inf) (not a bool)'
    """

    def __init__(self, left, right=None, *, closed="left"):
        super().__init__(numbers.Integral, left, right, closed=closed)

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)

    def __str__(self):
        return f"{super().__str__()} (not a bool)"


#: A spread at most this fraction of its reference magnitude is round-off (:func:`is_constant`).
CONSTANT_RTOL = 1e-12


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
        Accept NaN (for example as end padding of shorter series); infinite values are
        refused either way.
    fitted_ndim : {2, 3} or None, default=None
        With ``reset=False``, the number of dimensions of the ``X`` seen in ``fit``: ``X``
        must have the same (a 2D ``(n, t)`` array whose ``t`` equals the number of
        channels of a 3D fit would otherwise pass the ``n_features_in_`` check) and, if
        3D, the same number of channels; if 2D, the same number of time steps (only 3D
        sequences may change length). Checked first, so the error names the layout of
        the fit and the time steps rather than "features".

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
    check_not_ragged(estimator, X, allow_nan)
    if not reset and fitted_ndim is not None:
        # Before validate_data, whose n_features_in_ message ("X has 1 features, but ... is
        # expecting 16") would call time steps or channels features. X.shape, not
        # np.shape: some array-likes refuse numpy's functions (__array_function__).
        shape = X.shape if hasattr(X, "shape") else np.asarray(X).shape
        if fitted_ndim == 2:
            layout, same = "(n_samples, n_timesteps)", len(shape) == 2
        else:  # n_features_in_ of a 3D fit is its number of channels
            n_channels = estimator.n_features_in_
            layout = f"(n_samples, {n_channels}, n_timesteps)"
            same = len(shape) == 3 and shape[1] == n_channels
        if len(shape) in (2, 3) and not same:  # other dimensions: the messages below
            raise ValueError(
                f"X is {len(shape)}D (shape {shape}), but {type(estimator).__name__} was "
                f"fitted on {fitted_ndim}D X of layout {layout}; pass X in the layout used "
                f"in fit."
            )
        if fitted_ndim == 2 and same:
            _check_2d_length(estimator, shape[1], allow_nan)
    X = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=np.float64,
        allow_nd=True,
        ensure_all_finite=not allow_nan,
    )
    if allow_nan and np.isinf(X).any():
        raise ValueError("X contains infinite values; pass finite values (NaN only as padding).")
    if X.ndim not in (2, 3):
        raise ValueError(
            f"X must be 2D (n_samples, n_timesteps) or 3D (n_samples, n_channels, "
            f"n_timesteps); got an array with shape {X.shape}. Reshape your data."
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


def _check_2d_length(estimator, n_timesteps, allow_nan):
    """Refuse 2D ``X`` whose length is not that of the 2D fit, in time steps.

    Before ``validate_data``, whose message ("X has 10 features, but ... is expecting 16
    features as input") speaks of features only; it is kept at the end, as scikit-learn's
    estimator checks expect it.
    """
    fitted = estimator.n_features_in_  # the number of time steps of a 2D fit
    if n_timesteps == fitted:
        return
    pad = (
        f"pad shorter series with NaN after their last step to {fitted} steps, or "
        if allow_nan and n_timesteps < fitted
        else ""
    )
    name = type(estimator).__name__
    raise ValueError(
        f"X has {n_timesteps} time steps, but {name} was fitted on 2D X of "
        f"n_timesteps={fitted}, and 2D X keeps the length of the fit: {pad}fit and "
        f"predict on 3D X of shape (n_samples, 1, n_timesteps), whose length may differ "
        f"between fit and predict. (In scikit-learn's terms: X has {n_timesteps} "
        f"features, but {name} is expecting {fitted} features as input.)"
    )


def check_not_ragged(estimator, X, allow_nan):
    """Refuse a list of series of different shapes with the fix (numpy's own error names
    an "inhomogeneous shape").

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> check_not_ragged(BaseEstimator(), [np.ones((1, 5)), np.ones((1, 3))], True)
    Traceback (most recent call last):
    ...
    ValueError: X is a list of series of different shapes ((1, 5), (1, 3)); pass one array ...
    """
    if not isinstance(X, (list, tuple)):
        return
    shapes = list(dict.fromkeys(np.shape(x) for x in X))
    if len(shapes) < 2:
        return
    fix = (
        "pad each shorter series with NaN after its last step (every channel) to one length"
        if allow_nan
        else f"{type(estimator).__name__} needs series of one length"
    )
    listed = ", ".join(map(str, shapes[:3])) + (", ..." if len(shapes) > 3 else "")
    raise ValueError(
        f"X is a list of series of different shapes ({listed}); pass one array of shape "
        f"(n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps): {fix}."
    )


def check_sequence_targets(estimator, y, X_btc, *, return_sequences, padding=None):
    """Validate a regression target against validated sequences ``X_btc``.

    ``padding`` (an ``(n, t)`` bool mask of the NaN-padded steps of ``X``): with
    ``return_sequences`` the targets must be padded exactly like ``X``, NaN at the padded
    steps and finite elsewhere.

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
    padded = padding is not None and return_sequences and bool(np.any(padding))
    y = check_array(
        y,
        ensure_2d=False,
        allow_nd=True,
        dtype=np.float64,
        input_name="y",
        ensure_min_samples=1,
        ensure_all_finite="allow-nan" if padded else True,
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
    Y = to_btc(y)
    if padded and not np.array_equal(np.isnan(Y), np.broadcast_to(padding[..., None], Y.shape)):
        first = int(np.argmax((np.isnan(Y) != padding[..., None]).any(axis=(1, 2))))
        raise ValueError(
            f"y must be padded exactly like X: NaN at the NaN-padded steps of X and finite "
            f"values elsewhere; series {first} is not. Pad y with NaN where X is padded."
        )
    return Y, y.ndim


def check_class_labels(estimator, y, n_samples, *, min_classes=2):
    """Validate classification labels: one label per sequence, ``n_samples`` of them.

    The one label check of every classifier: ``y`` is required, 1D (a column vector warns
    and is raveled, as in scikit-learn), without missing labels (NaN, None, ``pd.NA`` or
    NaT: :func:`pandas.isna`), of a classification type (not continuous), and holds at
    least ``min_classes`` distinct labels.

    Examples
    --------
    >>> check_class_labels(None, ["a", "b", "a"], 3).tolist()
    ['a', 'b', 'a']
    """
    name = type(estimator).__name__
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    y = np.asarray(y)
    if y.ndim != 1 and not (y.ndim == 2 and y.shape[1] == 1):
        raise ValueError(
            f"y must be 1D (one label per sequence); got shape {y.shape}. Multi-output "
            f"classification is not supported."
        )
    y = column_or_1d(y, warn=True)
    missing = pd.isna(y)
    if missing.any():
        # a missing label is not a class (nor sortable among strings: np.unique fails)
        raise ValueError(
            f"y contains {int(missing.sum())} missing label(s) (NaN, None or pd.NA), the "
            f"first at position {int(np.argmax(missing))}; drop those sequences or give "
            f"them a label."
        )
    check_classification_targets(y)
    if len(y) != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: {n_samples} and {len(y)}."
        )
    classes = np.unique(y)
    if len(classes) < min_classes:
        raise ValueError(
            f"{name} needs at least {min_classes} classes to train; y holds only "
            f"{len(classes)} class ({classes[0]!r})."
        )
    return y


def check_positive_int(value, name, *, minimum=1):
    """Raise ``ValueError`` unless ``value`` is an integer ``>= minimum``.

    The library's one integer rule: bools are refused (``True`` is not 1). In
    ``_parameter_constraints`` the same rule is :class:`IntegerInterval`; scikit-learn's
    ``Interval(Integral, ...)`` accepts bools.

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


def standardization(values, axis=0, *, return_constant=False):
    """Mean and scale that standardize ``values`` along ``axis``, exact at any finite scale.

    Each column is first divided by a power of two near its largest magnitude (exact in
    floating point), so the variance neither overflows (``1e155``) nor underflows
    (``1e-200``), and shifted by its minimum, so that a constant column has a standard
    deviation of exactly 0 however many values it has; the statistics are then mapped
    back. ``standardization(values * 2**k)``
    is therefore ``standardization(values)`` times ``2**k`` for any ``k`` that keeps the
    values finite and normal.

    A column is constant by the library's one rule (:func:`is_constant`): its standard
    deviation is at round-off level *relative to its mean* (``std <= 1e-12 |mean|``, or
    exactly 0); it then keeps a unit scale and standardizes to 0. A column of mean 0 and
    standard deviation 1e-13 is not constant: it is divided by its standard deviation
    like any other.

    Parameters
    ----------
    values : ndarray of float
    axis : int or tuple of int, default=0
        The axes the statistics are taken over.

    return_constant : bool, default=False
        Also return which columns are constant.

    Returns
    -------
    mean, scale : ndarray
        ``(values - mean) / scale`` is standardized; ``scale`` is 1 for constant columns.
    constant : ndarray of bool
        Only with ``return_constant``: the constant columns.

    Examples
    --------
    >>> import numpy as np
    >>> mean, scale = standardization(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> mean.tolist(), scale.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    >>> float(standardization(np.array([1e-13, -1e-13]))[1])
    1e-13
    >>> float(standardization(np.array([1e300, -1e300]))[1])
    1e+300
    """
    values = np.asarray(values, dtype=np.float64)
    # dividing by a power of two is exact and brings every value into [-2, 2]
    power = power_of_two_below(np.max(np.abs(values), axis=axis, keepdims=True))
    unit = values / power
    # Shifted data: deviations from the column minimum (one of its values), so that a
    # constant column has exactly zero deviations and the mean's rounding error scales
    # with the spread, not with the magnitude (an unshifted mean over 10**5 values of 0.1
    # is off by ~1e-13 relative, which the standard deviation would take for variation).
    shift = unit.min(axis=axis, keepdims=True)
    unit -= shift
    mean = np.squeeze(shift, axis=axis) + unit.mean(axis=axis)
    std = unit.std(axis=axis)
    power = np.squeeze(power, axis=axis)
    constant = is_constant(std, np.abs(mean))  # both in units of ``power``
    mean, scale = mean * power, np.where(constant, 1.0, std * power)
    return (mean, scale, constant) if return_constant else (mean, scale)


def power_of_two_below(magnitude):
    """The power of two ``2**(e - 1) <= magnitude < 2**e``, elementwise; 1 where
    ``magnitude`` is 0 or not finite.

    Taken from the float's exponent (``frexp``), not from ``floor(log2(magnitude))``:
    log2 of the float64 maximum rounds up to 1024, and ``2**1024`` overflows.

    Examples
    --------
    >>> power_of_two_below(np.array([3.0, 0.0, 1.7e308])).tolist()
    [2.0, 1.0, 8.98846567431158e+307]
    """
    magnitude = np.asarray(magnitude, dtype=np.float64)
    usable = (magnitude > 0) & np.isfinite(magnitude)
    return np.ldexp(1.0, np.frexp(np.where(usable, magnitude, 1.0))[1] - 1)


def is_constant(spread, reference):
    """The one constant-column rule: a zero spread, or one that is round-off.

    A column is constant when its spread (standard deviation, root mean square) is at most
    ``CONSTANT_RTOL`` times ``reference``: the column's own absolute mean (the rounding of
    a level, as in :func:`standardization`) or the largest spread of a matrix's columns
    (the rounding of the matrix, as in the ridge core). Constant columns are given a unit
    scale (:func:`scale_unless_constant`): they centre to zero and get no weight.

    Examples
    --------
    >>> import numpy as np
    >>> is_constant(np.array([0.0, 1e-14, 1e-3]), 1.0).tolist()
    [True, True, False]
    """
    spread = np.asarray(spread, dtype=np.float64)
    return (spread <= CONSTANT_RTOL * np.asarray(reference, dtype=np.float64)) | (spread <= 0)


def scale_unless_constant(spread, reference):
    """``spread`` where the column varies, 1.0 where :func:`is_constant` says it is constant.

    Examples
    --------
    >>> import numpy as np
    >>> scale_unless_constant(np.array([0.0, 2.0]), 2.0).tolist()
    [1.0, 2.0]
    """
    return np.where(is_constant(spread, reference), 1.0, spread)
