"""Pooled spectral features: one fixed-length vector per (possibly unequal-length) series.

Sequence-to-one models (classification, and sequence-to-one regression) need one feature
vector per series. This module computes the causal spectral responses of every channel at
several filter lengths and summarizes each response over time by a few statistics:

1. **Filter bank.** For each filter length ``L`` (powers of two from 8 up to the training
   length, plus the training length itself), the STU filters
   :func:`~sksssm.spectral.stu_filters` ``(L, K)`` (``K`` capped at the number of usable
   filters of that length), on the positive branch and, with ``use_negative``, on the
   alternating-sign branch ``phi[s] * (-1)^s``; plus the identity (the raw values). Short
   filters see the local shape, the longest ones the whole series. Each group of filters
   (one length, one branch) also gets ``n_mixtures`` fixed random linear combinations of
   its filters (Gaussian weights, unit norm, a fixed seed: deterministic): filters in the
   same spectral subspace whose responses, thresholded and pooled, act as detectors of
   patterns that no single eigenvector matches, as ROCKET's random kernels do. They are
   computed from the filters' responses by a matrix product, not by more FFTs.
2. **Responses.** :func:`~sksssm.spectral.causal_convolve` of each channel of the series
   and, with ``differences``, of its first differences (``u[t] - u[t-1]``, zero at
   ``t = 0``): ``z[t]`` depends only on ``u[0..t]``. With ``normalise`` (the default)
   each channel of each series is first standardized over its own valid steps, and its
   raw mean and log standard deviation are appended as two features per channel: shape
   features that do not depend on the series' level or scale, with level and scale kept
   as explicit features.
3. **Pooling** over the valid time steps ``t < length`` of each series:
   ``"mean"``, ``"std"``, ``"max"``, ``"min"``, ``"ppv"`` (proportion of time steps where
   the response exceeds a bias; one feature per bias, the biases being the quantiles
   ``quantiles`` of that response over the training series, fitted once), ``"last"``
   (the response at the last valid step, which summarizes the whole series through the
   long filters) and ``"peak"`` (all responses of a filter group at the time step where
   the group's energy ``sum_k z_k[t]^2`` is largest: the local shape of the most salient
   event); ``"segment_mean"`` and ``"segment_std"`` (the mean and standard deviation of
   each response in each of ``n_segments`` equal parts of the series,
   :func:`segment_edges`: *where* in the series the level or the power of a band is,
   which every other statistic discards).
4. **Cross-channel block** (``cross=True``, two channels or more; the classifier's
   default): for ordered channel pairs ``(i, j)`` (:func:`cross_pairs`: all of them up
   to 16 channels, cyclic neighbours beyond) and every bank column ``phi``, the mean
   over the valid steps of ``(phi * u_i)[t] u_j[t]``, ``u`` being each channel
   standardized over the series' own valid steps (and, with ``differences``, the same
   for the standardized first differences). This equals ``sum_s phi[s] R_ij(s) /
   length`` with the cross-correlation ``R_ij(s) = sum_t u_i[t] u_j[t + s]``: the
   length-8 filters span the lags 0..7 (lead/lag), the long ones the smooth profile of
   the correlation over long lags (coupling). Per-channel features cannot see these
   relations. Computed by FFT from the inputs (no extra convolutions); the mixtures
   are left out (their values would be the same linear combinations of these).

Why these statistics (the ablation table of ``benchmarks/classification.py`` in
``docs/benchmarks.md``, on four sktime sets and three synthetic tasks, one option changed
at a time, measures the rows named there): ``mean``/``std`` carry the level and the power
in each filter's frequency band (no ablation row drops ``std``); ``max``/``min``/``peak``
detect short events wherever they occur (dropping either costs most on the motif-shape
task ``SynthMotif``); ``ppv`` at fitted thresholds is ROCKET's/MiniRocket's statistic,
robust to outliers; the thresholds at the 2% and 98% quantiles, beside 10/50/90%, count
how often a response reaches the tails of its training distribution, such as a short
motif or a spike, of which ``max``/``min`` only see the single most extreme value
(without them the resonance task ``SynthAR`` loses accuracy; the other sets barely
change); ``last`` adds the causal summary of the whole series that the long filters give
(the closed-form regressor's last-step features). The ``segment_*`` statistics and
``normalise`` are meant for classes that depend on position or on shape independent of
scale, and add columns for the ridge where they do not; the classifier therefore chooses
by exact leave-one-out error whether to use them, and whether to use the ``ppv`` counts
alone (MiniRocket's representation: bounded, robust, and sometimes better from few
training series than every statistic under one penalty; see
:class:`~sksssm.SpectralFilterClassifier`). :meth:`PoolingState.column_statistics` names
the statistic of every column, so a pooling can be reduced to the statistics used.

Unequal lengths: a series is NaN-padded at the end (every channel NaN from its length
on); each statistic is computed over that series' own valid steps only. Because the
convolutions are causal, padding never changes the responses at valid steps, so a padded
series gives exactly the features of the truncated one.

Modules: the filter bank (``_filter_bank``), series handling
(``_sequences``), the statistics over time (``_segment_stats``), the
cross-channel block (``_cross_channel``); this one holds the fitted state, the
threshold fit and the chunked computation. Every name stays importable from here.

Memory: series are processed in chunks of samples; ``chunk_size=None`` picks the chunk so
that the response array and the FFT intermediates stay within about
:data:`CHUNK_BUDGET_BYTES`. Features do not depend on the chunking.
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._cross_channel import MAX_CROSS_PAIRS, _cross_features, cross_pairs
from ._filter_bank import (
    DEFAULT_MIXTURES,
    MIN_FILTER_LENGTH,  # noqa: F401 (re-exported: importable from here as before)
    MIXING_SEED,
    _responses,
    _shared_responses,
    default_filter_lengths,
    filter_bank,
    mixing_matrices,
)
from ._filters import HANKEL_KINDS
from ._pooling_state import N_SCALE_FEATURES, PoolingState
from ._segment_stats import (
    ALL_STATISTICS,
    DEFAULT_SEGMENTS,
    STATISTICS,
    THRESHOLD_STATISTICS,
    _pool,
    segment_edges,
)
from ._sequences import (
    _inputs,
    _prepare,
    _scale_features,
    sequence_lengths,
)

#: Default quantiles of the training responses used as ``ppv`` biases.
DEFAULT_QUANTILES = (0.02, 0.1, 0.5, 0.9, 0.98)
#: Memory budget of one chunk's responses and FFT intermediates (bytes). Small on
#: purpose: the statistics make a dozen passes over the responses, which stay in the
#: CPU cache when a chunk is a few MiB (measured 4x faster than 128 MiB chunks, whose
#: every temporary is fresh memory).
CHUNK_BUDGET_BYTES = 8 * 2**20
#: Memory budget of the responses gathered for the ``ppv`` thresholds
#: (:func:`threshold_series`).
THRESHOLD_BUDGET_BYTES = 128 * 2**20
#: ``ppv`` thresholds sit this far (relative to the largest training response) above
#: the quantiles, so that round-off never decides a comparison (see ``fit_pooling``),
#: per precision of the responses (float32 FFT round-off is ~1e-7 of the largest one).
ROUNDOFF_MARGIN = {"float64": 1e-9, "float32": 1e-5}
#: Precisions of the responses (:func:`fit_pooling`'s ``dtype``).
DTYPES = tuple(ROUNDOFF_MARGIN)
#: Series used to fit the ``ppv`` biases (evenly spaced over the training set).
MAX_BIAS_SAMPLES = 128
#: Time steps (evenly spaced among those series' valid steps) per quantile.
MAX_BIAS_ROWS = 2**14


def _check_config(n_filters, filter_lengths, statistics, quantiles):
    if isinstance(n_filters, bool | np.bool_) or not isinstance(n_filters, numbers.Integral):
        raise ValueError(f"n_filters must be a positive integer, got {n_filters!r}.")
    if n_filters < 1:
        raise ValueError(f"n_filters must be a positive integer, got {n_filters}.")
    values = np.ravel(np.asarray(filter_lengths, dtype=object))
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        # int() would silently truncate 2.5 to 2
        raise ValueError(
            f"filter_lengths must be integers >= 2, got {filter_lengths!r}; round them "
            f"yourself if you meant whole lengths."
        )
    lengths = tuple(int(v) for v in values)
    if not lengths or any(v < 2 for v in lengths) or len(set(lengths)) != len(lengths):
        raise ValueError(f"filter_lengths must be distinct integers >= 2, got {filter_lengths!r}.")
    statistics = tuple(statistics)
    unknown = [s for s in statistics if s not in ALL_STATISTICS]
    if unknown or not statistics or len(set(statistics)) != len(statistics):
        raise ValueError(
            f"statistics must be distinct names among {ALL_STATISTICS}, got {statistics!r}."
        )
    quantiles = tuple(float(q) for q in quantiles)
    thresholds = any(stat in THRESHOLD_STATISTICS for stat in statistics)
    if thresholds and (not quantiles or not all(0.0 <= q <= 1.0 for q in quantiles)):
        raise ValueError(f"quantiles must be numbers in [0, 1], got {quantiles!r}.")
    return lengths, statistics, quantiles


def _chunk_rows(n_timesteps, n_channels, n_bank, chunk_size, dtype="float64"):
    if chunk_size is not None:
        return max(int(chunk_size), 1)
    # responses + rfft of the input and the product (complex, ~1x each) + masks
    per_row = 4 * np.dtype(dtype).itemsize * n_timesteps * n_channels * n_bank
    return max(CHUNK_BUDGET_BYTES // max(per_row, 1), 1)


def threshold_series(shape, n_responses) -> np.ndarray:
    """Indices of the series whose responses give the ``ppv`` thresholds.

    Evenly spaced series, as many as fit :data:`THRESHOLD_BUDGET_BYTES` (at most
    :data:`MAX_BIAS_SAMPLES`), for data of ``shape`` ``(n_samples, n_timesteps,
    n_channels)``. :func:`fit_pooling` on exactly these series chooses all of them, so a
    caller holding the data out of memory (Dask) can fetch only these and get the same
    thresholds.

    Examples
    --------
    >>> from sksssm.spectral._pooling import threshold_series
    >>> threshold_series((1000, 50, 1), 10)[:3].tolist()
    [0, 8, 16]
    """
    n, n_timesteps, n_channels = shape
    per_series = 8 * n_timesteps * n_channels * n_responses
    n_bias = min(n, MAX_BIAS_SAMPLES, max(THRESHOLD_BUDGET_BYTES // per_series, 1))
    return np.unique(np.linspace(0, n - 1, n_bias).round().astype(int))


@validate_params(
    {
        "X_btc": ["array-like"],
        "lengths": [None, "array-like"],
        "n_filters": [Interval(numbers.Integral, 1, None, closed="left")],
        "filter_lengths": [None, "array-like"],
        "use_negative": ["boolean"],
        "n_mixtures": [Interval(numbers.Integral, 0, None, closed="left")],
        "differences": ["boolean"],
        "statistics": ["array-like"],
        "quantiles": ["array-like"],
        "n_segments": [Interval(numbers.Integral, 1, None, closed="left")],
        "normalise": ["boolean"],
        "cross": ["boolean"],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
        "mixing_seed": [Interval(numbers.Integral, 0, None, closed="left")],
        "chunk_size": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "dtype": [StrOptions(set(DTYPES))],
    },
    prefer_skip_nested_validation=True,
)
def fit_pooling(
    X_btc,
    lengths=None,
    *,
    n_filters=16,
    filter_lengths=None,
    use_negative=True,
    n_mixtures=DEFAULT_MIXTURES,
    differences=True,
    statistics=STATISTICS,
    quantiles=DEFAULT_QUANTILES,
    n_segments=DEFAULT_SEGMENTS,
    normalise=True,
    cross=False,
    hankel="Z",
    mixing_seed=MIXING_SEED,
    chunk_size=None,
    dtype="float64",
) -> PoolingState:
    """Build the filter bank for the training length and fit the ``ppv`` biases.

    Parameters
    ----------
    X_btc : array-like of shape (n_samples, n_timesteps, n_channels)
        Training series, NaN-padded at the end when lengths differ.
    lengths : array-like of int of shape (n_samples,) or None, default=None
        Valid length of each series; None: from the NaN padding (:func:`sequence_lengths`).
    n_filters : int, default=16
        Filters ``K`` per length and branch (capped at the usable count of each length).
    filter_lengths : sequence of int or None, default=None
        None: :func:`default_filter_lengths` of the longest training series.
    use_negative : bool, default=True
        Include the alternating-sign branch.
    n_mixtures : int, default=32
        Fixed random combinations per filter group (:func:`mixing_matrices`); 0 for none.
    differences : bool, default=True
        Also pool the responses of the first differences.
    statistics : sequence of str, default=STATISTICS
        Distinct names among the 9 of :data:`STATISTICS`: ``"mean", "std", "max",
        "min", "ppv", "last", "peak", "segment_mean", "segment_std"`` (all by default),
        and the 4 of ``EXTRA_STATISTICS`` (``"mpv", "mipv", "lspv"``: MultiRocket's
        operators above each ``ppv`` threshold; ``"hydra"``: competing counts per filter
        group; see :mod:`sksssm.spectral._segment_stats`).
    quantiles : sequence of float, default=(0.02, 0.1, 0.5, 0.9, 0.98)
        Quantiles of each training response used as ``ppv`` biases, computed on up to
        128 evenly spaced training series (deterministic), each raised by
        ``1e-9 * max|response|`` so that responses equal to a quantile in exact
        arithmetic are never above it by round-off.
    chunk_size : int or None, default=None
        Series per chunk; None: from :data:`CHUNK_BUDGET_BYTES`.
    n_segments : int, default=4
        Equal segments of each series (relative to its own length,
        :func:`segment_edges`) for the ``"segment_mean"`` and ``"segment_std"``
        statistics: the level and the power of each response in each part of the
        series, i.e. *where* in the series something happens.
    normalise : bool, default=True
        Standardize each channel of each series over its own valid steps before the
        filters (shape features that do not depend on the series' level or scale), and
        append the raw series' mean and log standard deviation per channel as
        ``2 * n_channels`` extra features (last columns), so that the level and scale
        stay available as two explicit features.
    cross : bool, default=False
        Append the cross-channel block (for two channels or more): for the channel pairs
        of :func:`cross_pairs` and every bank column ``phi`` (not the mixtures, whose
        values would be the same combinations of these), the mean over the series' valid
        steps of ``(phi * u_i)[t] * u_j[t]``, ``u`` being each channel standardized over
        the series' own valid steps (and, with ``differences``, the same for the
        standardized first differences): filtered cross-correlations, which see lead/lag
        and coupling between channels that per-channel features cannot. The identity
        column (the zero-lag correlation) is kept once per unordered pair. The block
        does not depend on ``normalise`` and comes last.
    hankel : {"Z", "L"}, default="Z"
        Hankel matrix whose eigenvectors are the filters (:func:`filter_bank`).
    mixing_seed : int, default=0
        Seed of the mixtures' random weights (:func:`mixing_matrices`): the same seed,
        the same features.
    dtype : {"float64", "float32"}, default="float64"
        Precision of the filter responses and of their statistics. "float32" roughly
        halves the time of :func:`pooled_features` (memory traffic and FFT work); the
        features then agree with float64 to about ``1e-6`` of each response's
        magnitude, and the ``ppv`` thresholds are raised by ``1e-5`` (not ``1e-9``)
        times the largest training response, above the float32 round-off.

    Returns
    -------
    PoolingState

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import fit_pooling, pooled_features
    >>> X = np.random.default_rng(0).normal(size=(10, 40, 2))
    >>> state = fit_pooling(X)
    >>> pooled_features(X, state).shape == (10, state.n_features)
    True
    """
    X_btc, lengths = _prepare(X_btc, lengths)
    if X_btc.shape[0] == 0:
        raise ValueError("X has 0 series; pass at least one.")
    if filter_lengths is None:
        filter_lengths = default_filter_lengths(int(lengths.max()))
    filter_lengths, statistics, quantiles = _check_config(
        n_filters, filter_lengths, statistics, quantiles
    )
    if isinstance(n_mixtures, bool | np.bool_) or not isinstance(n_mixtures, numbers.Integral):
        raise ValueError(f"n_mixtures must be a non-negative integer, got {n_mixtures!r}.")
    if n_mixtures < 0:
        raise ValueError(f"n_mixtures must be a non-negative integer, got {n_mixtures}.")
    if (
        isinstance(n_segments, bool | np.bool_)
        or not isinstance(n_segments, numbers.Integral)
        or n_segments < 1
    ):
        raise ValueError(f"n_segments must be a positive integer, got {n_segments!r}.")
    bank, bank_groups = filter_bank(filter_lengths, n_filters, use_negative, hankel)
    mixing = mixing_matrices(bank_groups, n_mixtures, mixing_seed)
    groups = list(bank_groups)
    start = bank.shape[1]
    for w in mixing:
        groups.append(np.arange(start, start + w.shape[1]))
        start += w.shape[1]
    state = PoolingState(
        n_channels=X_btc.shape[2],
        filter_lengths=filter_lengths,
        bank=bank,
        bank_groups=bank_groups,
        mixing=mixing,
        groups=tuple(groups),
        differences=bool(differences),
        statistics=statistics,
        quantiles=quantiles,
        biases=None,
        n_segments=int(n_segments),
        normalise=bool(normalise),
        use_negative=bool(use_negative),
        cross_pairs=cross_pairs(X_btc.shape[2]) if cross and X_btc.shape[2] > 1 else None,
        dtype=dtype,
    )
    biases = None
    if any(stat in THRESHOLD_STATISTICS for stat in statistics):
        biases = _fit_biases(X_btc, lengths, state, chunk_size)
    return dataclasses.replace(state, biases=biases)


def _fit_biases(X_btc, lengths, state, chunk_size):
    """The ``ppv`` thresholds ``(n_kinds, n_quantiles, c, n_responses)``.

    Quantiles of each response over evenly spaced valid steps (at most
    :data:`MAX_BIAS_ROWS`, numbered over the :func:`threshold_series` in order) of those
    series: quantiles stay cheap, and only those steps are gathered.
    """
    chosen = threshold_series(X_btc.shape, state.n_responses)
    rows = _chunk_rows(X_btc.shape[1], X_btc.shape[2], state.n_responses, chunk_size, state.dtype)
    total = int(lengths[chosen].sum())
    kept = np.arange(total)
    if total > MAX_BIAS_ROWS:
        kept = np.linspace(0, total - 1, MAX_BIAS_ROWS).astype(int)
    # the kept steps of each chosen series, numbered within it
    offsets = np.concatenate([[0], np.cumsum(lengths[chosen])])
    bounds = np.searchsorted(kept, offsets)
    steps = {int(i): kept[bounds[j] : bounds[j + 1]] - offsets[j] for j, i in enumerate(chosen)}
    # the kept steps of every kind written in place (no list of pieces to concatenate)
    n_kinds = 2 if state.differences else 1
    per_kind = np.empty((n_kinds, X_btc.shape[2], state.n_responses, len(kept)), state.dtype)
    cache = {}
    for start in range(0, len(chosen), rows):
        idx = chosen[start : start + rows]
        longest = lengths[idx].max()
        inputs = _inputs(X_btc[idx, :longest], lengths[idx], state.differences, state.normalise)
        for kind, U in enumerate(inputs):
            Z = _responses(U, state, cache)  # (m, c, responses, t)
            for j, i in enumerate(idx):
                where = slice(bounds[start + j], bounds[start + j + 1])
                # the steps are valid indices: "clip" only avoids "raise"'s buffered out
                np.take(Z[j], steps[i], axis=-1, out=per_kind[kind, ..., where], mode="clip")
    biases = []
    for values in per_kind:
        # Raised by a round-off margin: responses that equal a quantile exactly in exact
        # arithmetic (zeros of constant stretches, the zero first difference at t = 0)
        # then fall below it whatever the FFT round-off (chunking, length).
        quantiles, largest = _quantiles_and_largest(values, state.quantiles)
        biases.append(quantiles + ROUNDOFF_MARGIN[state.dtype] * largest)
    return np.stack(biases)


def _quantiles_and_largest(values, quantiles):
    """Quantiles along the last axis (first axis of the result) and ``max |values|``.

    numpy's default ("linear") definition: position ``q (n - 1)``, linear interpolation
    between its two neighbours. Only the order statistics needed are found
    (:func:`_select_ranks`, ``values`` reordered in place): the rank below each
    position exactly, the one above as the smallest value beyond it: the same numbers
    as numpy's full sort, about 1.5x faster (the cost model of the classification
    guide). The interpolation is in float64.
    """
    n = values.shape[-1]
    position = np.asarray(quantiles, dtype=np.float64) * (n - 1)
    below = np.floor(position).astype(np.intp)
    largest = np.maximum(-values.min(axis=-1), values.max(axis=-1)).astype(np.float64)
    ranks = sorted({int(k) for k in below})
    _select_ranks(values, ranks, 0, n)
    # the value above rank k: the smallest beyond it, which lies up to the next rank
    # selected (that one is no smaller than anything before it)
    stops = dict(zip(ranks, [*(r + 1 for r in ranks[1:]), n], strict=True))
    low = np.stack([values[..., k] for k in below]).astype(np.float64)
    high = np.stack(
        [
            values[..., k + 1 : stops[k]].min(axis=-1) if k + 1 < n else values[..., k]
            for k in below
        ]
    ).astype(np.float64)
    fraction = (position - below).reshape(-1, *([1] * (values.ndim - 1)))
    return low + (high - low) * fraction, largest


def _select_ranks(values, ranks, lo, hi):
    """Reorder ``values[..., lo:hi]`` in place so that each of ``ranks`` (sorted, within
    ``[lo, hi)``) holds its order statistic along the last axis.

    One single-rank partition per rank, each on the part between its neighbours (the
    middle rank first): a few linear passes, where numpy's partition with several
    ranks at once is slower than a full sort.
    """
    if not ranks:
        return
    i = len(ranks) // 2
    middle = ranks[i]
    values[..., lo:hi].partition(middle - lo, axis=-1)
    _select_ranks(values, ranks[:i], lo, middle)
    _select_ranks(values, ranks[i + 1 :], middle + 1, hi)


def _shrinking_scale(chunk):
    """Per series, a power of two ``r >= max |x| / 2`` when ``max |x| > 1``, else 1.

    Dividing by a power of two is exact, so features of ``x / r`` are those of ``x``
    divided by ``r`` (homogeneous columns) bit for bit, without the overflow of squares
    and sums of huge values.
    """
    largest = np.fmax(np.fmax.reduce(chunk, axis=(1, 2)), -np.fmin.reduce(chunk, axis=(1, 2)))
    exponent = np.minimum(np.frexp(largest)[1], 1023)  # largest <= 2**exponent, or 2 r
    return np.where(largest > 1.0, np.ldexp(1.0, exponent), 1.0)


@validate_params(
    {
        "X_btc": ["array-like"],
        "state": [PoolingState],
        "lengths": [None, "array-like"],
        "chunk_size": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "return_scale": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def pooled_features(
    X_btc, state, lengths=None, *, chunk_size=None, return_scale=False
) -> np.ndarray:
    """Pooled spectral features of each series, computed in chunks of series.

    Parameters
    ----------
    X_btc : array-like of shape (n_samples, n_timesteps, n_channels)
        Series, NaN-padded at the end when lengths differ; any ``n_timesteps`` (filters
        longer than a series only use their first taps).
    state : PoolingState
        From :func:`fit_pooling`.
    lengths : array-like of int of shape (n_samples,) or None, default=None
        Valid length of each series; None: from the NaN padding.
    chunk_size : int or None, default=None
        Series per chunk; None: from :data:`CHUNK_BUDGET_BYTES`. The result does not
        depend on it.
    return_scale : bool, default=False
        Each series with values beyond 1 in magnitude is divided by a power of two ``r``
        first (exact), so that nothing overflows in between. False: the homogeneous
        columns (:meth:`PoolingState.homogeneous_columns`) are multiplied back by ``r``
        (``inf`` only where the true value exceeds float64). True: they are left divided
        by ``r``, and ``r`` is returned too, for callers that keep the scale apart.

    Returns
    -------
    ndarray of shape (n_samples, state.n_features)
        With ``return_scale``, also ``r`` of shape (n_samples,).
        Blocks in the order: kind (series, then first differences), statistic (in
        ``state.statistics`` order; ``ppv`` one block per quantile), then channel-major
        ``(channel, bank column)``; then the ``normalise`` scale features; then the
        ``cross`` block (kind, then pair-major ``(pair, bank column)``).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import fit_pooling, pooled_features
    >>> X = np.random.default_rng(0).normal(size=(4, 30, 1))
    >>> state = fit_pooling(X, statistics=("mean", "last"), differences=False, normalise=False)
    >>> F = pooled_features(X, state)
    >>> bool(np.allclose(F[:, 0], X[:, :, 0].mean(axis=1)))  # identity column, "mean"
    True
    """
    (out,), scale = _pooled_features_of((state,), X_btc, lengths, chunk_size)
    if return_scale:
        return out, scale
    return _scaled_back(out, state, scale)


def _scaled_back(out, state, scale):
    """The homogeneous columns of series pooled divided by ``scale`` multiplied back."""
    if (scale != 1.0).any():
        with np.errstate(over="ignore"):  # inf only where the true value exceeds float64
            out[:, state.homogeneous_columns()] *= scale[:, None]
    return out


def pooled_features_shared(X_btc, states, lengths=None, *, chunk_size=None):
    """:func:`pooled_features` of several poolings of one filter bank, sharing the FFTs.

    The poolings (from :func:`fit_pooling` on the same series with the same filter
    parameters; ``normalise``, ``statistics``, thresholds and ``cross`` may differ)
    share their filter responses: those of the series centred on their means and of
    their first differences are computed once, and the raw and the standardized
    representations are derived from them by one scaling pass each
    (:func:`~sksssm.spectral._filter_bank._shared_responses`). The same features as
    :func:`pooled_features` of each, to the round-off of ``dtype``.

    Returns
    -------
    list of ndarray
        One ``(n_samples, state.n_features)`` array per pooling.
    """
    first = states[0]
    for state in states[1:]:
        if not (
            state.dtype == first.dtype
            and state.differences == first.differences
            and state.n_channels == first.n_channels
            and len(state.mixing) == len(first.mixing)
            and np.array_equal(state.bank, first.bank)
            and all(np.array_equal(v, w) for v, w in zip(state.mixing, first.mixing, strict=True))
        ):
            raise ValueError("The poolings do not share one filter bank, its mixtures and dtype.")
    outs, scale = _pooled_features_of(tuple(states), X_btc, lengths, chunk_size)
    return [_scaled_back(out, state, scale) for out, state in zip(outs, states, strict=True)]


def _pooled_features_of(states, X_btc, lengths, chunk_size):
    """The features of each pooling of ``states`` (one filter bank), divided by ``r``.

    Every pooling's responses are derived from those of the centred series and of the
    first differences (:func:`~sksssm.spectral._filter_bank._shared_responses`), one
    pooling or several: the same arithmetic whichever poolings are computed together,
    so training and prediction features agree to the FFT's batch round-off. Returns
    ``(outs, r)``.
    """
    first = states[0]
    X_btc, lengths = _prepare(X_btc, lengths, first.n_channels)
    n_samples, n_timesteps, n_channels = X_btc.shape
    outs = [np.empty((n_samples, state.n_features)) for state in states]
    rows = _chunk_rows(n_timesteps, n_channels, first.n_responses, chunk_size, first.dtype)
    # Series in order of length (stable), each chunk cut at its longest series: unequal
    # lengths cost what the series hold, not what the padding holds. Causality makes the
    # cut exact.
    order = np.argsort(lengths, kind="stable")
    scale = np.ones(n_samples)
    cache = {}
    for start in range(0, n_samples, rows):
        idx = order[start : start + rows]
        chunk_lengths = lengths[idx]
        chunk = X_btc[idx, : chunk_lengths.max()]
        r = _shrinking_scale(chunk)
        scale[idx] = r
        if (r != 1.0).any():
            chunk = chunk / r[:, None, None]
        filled = np.where(np.isnan(chunk), 0.0, chunk)
        representation = _shared_responses(filled, chunk_lengths, first, cache)
        cross = {}  # the cross block of one chunk, shared by poolings with the same pairs
        for state, out in zip(states, outs, strict=True):
            responses = representation(state.normalise)
            _pool_chunk(out, idx, chunk, chunk_lengths, r, state, responses, cross)
    return outs, scale


def _pool_chunk(out, idx, chunk, chunk_lengths, r, state, responses, cross):
    """Write the pooled features of one chunk of series into the rows ``idx`` of ``out``."""
    n_channels = state.n_channels
    n_scale = N_SCALE_FEATURES * n_channels if state.normalise else 0
    n_cross = state.n_cross_features
    n_per_kind = (state.n_features - n_scale - n_cross) // (2 if state.differences else 1)
    for kind, Z in enumerate(responses):
        biases = None if state.biases is None else state.biases[kind]
        # Z(x / r) > b / r  <=>  Z(x) > b; standardized series do not depend on r
        if biases is not None and not state.normalise and (r != 1.0).any():
            biases = biases[:, None] / r[None, :, None, None]
        out[idx, kind * n_per_kind : (kind + 1) * n_per_kind] = _pool(
            Z, chunk_lengths, state.statistics, biases, state.groups, state.n_segments
        )
    if n_scale:
        end = out.shape[1] - n_cross
        scale_features = _scale_features(np.where(np.isnan(chunk), 0.0, chunk), chunk_lengths)
        scale_features[:, n_channels:] += np.log(r)[:, None]  # log std(x/r) + log r
        out[idx, end - n_scale : end] = scale_features
    if n_cross:
        key = state.cross_pairs.tobytes()
        if key not in cross:
            cross[key] = _cross_features(chunk, chunk_lengths, state)
        out[idx, out.shape[1] - n_cross :] = cross[key]


@validate_params(
    {
        "n_channels": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_bank": [Interval(numbers.Integral, 1, None, closed="left")],
        "differences": ["boolean"],
        "statistics": ["array-like"],
        "n_quantiles": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_segments": [Interval(numbers.Integral, 1, None, closed="left")],
        "normalise": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def n_pooled_features(
    n_channels,
    n_bank,
    *,
    differences=True,
    statistics=STATISTICS,
    n_quantiles=5,
    n_segments=DEFAULT_SEGMENTS,
    normalise=True,
) -> int:
    """Number of pooled features for ``n_bank`` responses per channel (bank columns plus
    mixtures, :attr:`PoolingState.n_responses`).

    ``n_quantiles`` is the number of ``ppv`` thresholds (5 by default), ``n_segments`` the
    number of segments of the ``segment_*`` statistics; ``normalise`` adds the two scale
    features per channel. Counted from :meth:`PoolingState.column_blocks` (the one
    encoding of the column layout) of a state with that many responses.

    Examples
    --------
    >>> from sksssm.spectral import n_pooled_features
    >>> n_pooled_features(1, 17, statistics=("mean", "ppv"), normalise=False)  # 2 x 17 x 6
    204
    >>> n_pooled_features(1, 17, statistics=("mean", "ppv"))  # + mean and log std
    206
    """
    # a layout-only state (no filters, no thresholds): the count is its column layout,
    # PoolingState.column_blocks, the one place the layout is encoded
    responses = np.arange(n_bank)
    layout = PoolingState(
        n_channels=n_channels,
        filter_lengths=(),
        bank=np.zeros((1, n_bank)),
        bank_groups=(responses,),
        mixing=(),
        groups=(responses,),
        differences=bool(differences),
        statistics=tuple(statistics),
        quantiles=(0.5,) * n_quantiles,
        biases=None,
        n_segments=n_segments,
        normalise=bool(normalise),
        use_negative=False,
    )
    return layout.n_features


__all__ = [
    "CHUNK_BUDGET_BYTES",
    "DEFAULT_QUANTILES",
    "MAX_CROSS_PAIRS",
    "STATISTICS",
    "PoolingState",
    "cross_pairs",
    "default_filter_lengths",
    "filter_bank",
    "fit_pooling",
    "mixing_matrices",
    "n_pooled_features",
    "pooled_features",
    "pooled_features_shared",
    "segment_edges",
    "sequence_lengths",
]
