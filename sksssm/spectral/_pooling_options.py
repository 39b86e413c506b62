"""The pooling options refused or normalized before any pooling is fitted.

The ranges and types of the integer options and the names of the string options are
the parameter constraints' (:func:`~sksssm.spectral.fit_pooling`'s and the
estimators'); what those cannot say is here: booleans given as integers, the filter
lengths (the filter bank's rule, :func:`~sksssm.spectral._filter_bank._checked_filter_lengths`),
statistics and quantiles, and that ``pooled_filters="mixtures"`` needs mixtures
(:func:`~sksssm.spectral._pooled_filter_choice.check_pooled_mixtures`).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._filter_bank import _checked_filter_lengths, default_filter_lengths
from ._pooled_filter_choice import check_pooled_mixtures
from ._segment_stats import ALL_STATISTICS, THRESHOLD_STATISTICS


def checked_options(
    lengths,
    *,
    n_filters,
    filter_lengths,
    statistics,
    quantiles,
    n_mixtures,
    pooled_filters,
    n_segments,
):
    """The pooling options refused or normalized: ``(filter_lengths, statistics,
    quantiles)`` as tuples (``filter_lengths`` None: :func:`default_filter_lengths` of the
    longest series of ``lengths``).

    The ranges and types of the integer options and the names of ``pooled_filters`` are
    checked by the callers' parameter constraints (:func:`fit_pooling`'s, the
    estimators'), which admit booleans as integers: those are refused here. The rule
    that ``pooled_filters="mixtures"`` needs mixtures is
    :func:`~sksssm.spectral._pooled_filter_choice.check_pooled_mixtures`.
    """
    if filter_lengths is None:
        filter_lengths = default_filter_lengths(int(lengths.max()))
    _refuse_boolean("n_filters", n_filters, "positive")
    filter_lengths = _checked_filter_lengths(filter_lengths)
    statistics = _checked_statistics(statistics)
    quantiles = _checked_quantiles(quantiles, statistics)
    _refuse_boolean("n_mixtures", n_mixtures, "non-negative")
    check_pooled_mixtures(pooled_filters, n_mixtures)
    _refuse_boolean("n_segments", n_segments, "positive")
    return filter_lengths, statistics, quantiles


def _refuse_boolean(name, value, sign):
    """A boolean given for the integer option ``name`` (``sign``: "positive" or
    "non-negative"): scikit-learn's integer intervals admit it, as ``1`` or ``0``."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a {sign} integer, got {value!r}.")


def _checked_statistics(statistics):
    """``statistics`` as a tuple of distinct names of :data:`ALL_STATISTICS`, else
    refused."""
    statistics = tuple(statistics)
    unknown = [s for s in statistics if s not in ALL_STATISTICS]
    if unknown or not statistics or len(set(statistics)) != len(statistics):
        raise ValueError(
            f"statistics must be distinct names among {ALL_STATISTICS}, got {statistics!r}."
        )
    return statistics


def _checked_quantiles(quantiles, statistics):
    """``quantiles`` as a tuple of floats; refused unless numbers, and, when one of
    ``statistics`` uses thresholds, unless distinct (a repeated quantile only repeats its
    columns) and in ``[0, 1]`` (and not empty)."""
    message = f"quantiles must be distinct numbers in [0, 1], got {quantiles!r}."
    values = tuple(quantiles)
    if not all(is_real_number(q) for q in values):
        raise ValueError(message)
    values = tuple(float(q) for q in values)
    thresholds = any(stat in THRESHOLD_STATISTICS for stat in statistics)
    distinct = len(set(values)) == len(values)
    if thresholds and not (values and distinct and all(0.0 <= q <= 1.0 for q in values)):
        raise ValueError(message)
    return values


def is_real_number(value):
    """Whether ``value`` is a real number: a ``numbers.Real`` other than a bool.

    The rule of the options that hold numbers (``quantiles``, the estimators' ``alphas``,
    :func:`real_array`): ``float()`` would read ``"0.5"`` as 0.5 and ``True`` as 1, and
    leak its own TypeError or ValueError on a nested list or ``"a"``.
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def real_array(values, message):
    """``values`` (array-like) as a float64 array; a ValueError with ``message`` unless
    each of its entries is a real number (:func:`is_real_number`).

    The shape is kept: the caller checks it.

    Examples
    --------
    >>> from sksssm.spectral._pooling_options import real_array
    >>> real_array([1, 0.5], "refused").tolist()
    [1.0, 0.5]
    >>> real_array(["1e-3"], "refused")
    Traceback (most recent call last):
    ...
    ValueError: refused
    """
    entries = np.asarray(values, dtype=object)
    if not all(is_real_number(value) for value in entries.ravel()):
        raise ValueError(message)
    return entries.astype(np.float64)
