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

Modules, one idea each: the filter bank (``_filter_bank``), series handling
(``_sequences``), the statistics over time (``_segment_stats``), the cross-channel
block (``_cross_channel``), the fitted state and the column layout, encoded once
(``_pooling_state``: :meth:`PoolingState.column_blocks`, from which the column labels,
the feature-set masks and :func:`n_pooled_features` derive), the ``ppv`` thresholds
(``_thresholds``), the chunked computation (``_pooled_features``), the filters each
channel pools (``_pooled_filter_choice``) and the option checks
(``_pooling_options``). This one fits the pooling (:func:`fit_pooling`). Every name
stays importable from here.

Memory: series are processed in chunks of samples; ``chunk_size=None`` picks the chunk so
that the response array and the FFT intermediates stay within about
:data:`CHUNK_BUDGET_BYTES`. Features do not depend on the chunking.
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

# re-exported: every name stays importable from here
from ._cross_channel import MAX_CROSS_PAIRS, cross_pairs
from ._filter_bank import (
    DEFAULT_MIXTURES,
    DILATIONS,
    MIN_FILTER_LENGTH,  # noqa: F401
    MIXING_SEED,
    default_filter_lengths,
    filter_bank,
    mixing_matrices,
)
from ._filters import HANKEL_KINDS
from ._pooled_features import (  # noqa: F401
    CHUNK_BUDGET_BYTES,
    _chunk_rows,
    _pool_chunk,
    _pooled_features_of,
    _scaled_back,
    _shrinking_scale,
    pooled_features,
    pooled_features_shared,
)
from ._pooled_filter_choice import POOLED_FILTERS, mixed_bank
from ._pooling_options import checked_options
from ._pooling_state import N_SCALE_FEATURES, PoolingState, n_pooled_features  # noqa: F401
from ._segment_stats import (  # noqa: F401
    ALL_STATISTICS,
    DEFAULT_SEGMENTS,
    STATISTICS,
    THRESHOLD_STATISTICS,
    segment_edges,
)
from ._sequences import _prepare, sequence_lengths
from ._thresholds import (  # noqa: F401
    DTYPES,
    MAX_BIAS_ROWS,
    MAX_BIAS_SAMPLES,
    ROUNDOFF_MARGIN,
    THRESHOLD_BUDGET_BYTES,
    _fit_biases,
    _quantiles_and_largest,
    _select_ranks,
    threshold_series,
)

#: Default quantiles of the training responses used as ``ppv`` biases.
DEFAULT_QUANTILES = (0.02, 0.1, 0.5, 0.9, 0.98)


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
        "dilation": [StrOptions(set(DILATIONS))],
        "pooled_filters": [StrOptions(set(POOLED_FILTERS))],
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
    dilation="none",
    pooled_filters="all",
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
        Distinct names among the 9 of ``sksssm.spectral.STATISTICS``: ``"mean", "std",
        "max", "min", "ppv", "last", "peak", "segment_mean", "segment_std"`` (all by
        default), and the 5 of ``EXTRA_STATISTICS`` (``"mpv", "mipv", "lspv"``:
        MultiRocket's operators above each ``ppv`` threshold; ``"rpv"``: the number of
        runs of steps above each threshold over the length; ``"hydra"``: competing
        counts per filter group, responses within round-off of the group's maximum
        all counted as winning; see :mod:`sksssm.spectral._segment_stats`).
    quantiles : sequence of float, default=(0.02, 0.1, 0.5, 0.9, 0.98)
        Distinct quantiles in ``[0, 1]`` of each training response used as ``ppv``
        biases, computed on up to 128 evenly spaced training series (deterministic),
        each raised by ``1e-9 * max|response|`` so that responses equal to a quantile in
        exact arithmetic are never above it by round-off.
    n_segments : int, default=4
        Equal segments of each series (relative to its own length,
        :func:`~sksssm.spectral._segment_stats.segment_edges`) for the
        ``"segment_mean"`` and ``"segment_std"`` statistics: the level and the power of
        each response in each part of the series, i.e. *where* in the series something
        happens.
    normalise : bool, default=True
        Standardize each channel of each series over its own valid steps before the
        filters (shape features that do not depend on the series' level or scale), and
        append the raw series' mean and log standard deviation per channel as
        ``2 * n_channels`` extra features (last columns), so that the level and scale
        stay available as two explicit features.
    cross : bool, default=False
        Append the cross-channel block (for two channels or more): for the channel pairs
        of :func:`~sksssm.spectral._cross_channel.cross_pairs` and every bank column
        ``phi`` (not the mixtures, whose values would be the same combinations of
        these), the mean over the series' valid steps of ``(phi * u_i)[t] * u_j[t]``,
        ``u`` being each channel standardized over the series' own valid steps (and,
        with ``differences``, the same for the standardized first differences): filtered
        cross-correlations, which see lead/lag and coupling between channels that
        per-channel features cannot. The identity column (the zero-lag correlation) is
        kept once per unordered pair. The block does not depend on ``normalise`` and
        comes last.
    hankel : {"Z", "L"}, default="Z"
        Hankel matrix whose eigenvectors are the filters (:func:`filter_bank`).
    mixing_seed : int, default=0
        Seed of the mixtures' random weights (:func:`mixing_matrices`): the same seed,
        the same features.
    chunk_size : int or None, default=None
        Series per chunk; None: from
        :data:`~sksssm.spectral._pooled_features.CHUNK_BUDGET_BYTES`.
    dtype : {"float64", "float32"}, default="float64"
        Precision of the filter responses and of their statistics. "float32" roughly
        halves the time of :func:`pooled_features` (memory traffic and FFT work); the
        features then agree with float64 to about ``1e-6`` of each response's
        magnitude, and the ``ppv`` thresholds are raised by ``1e-5`` (not ``1e-9``)
        times the largest training response, above the float32 round-off.
    dilation : {"none", "all", "half"}, default="none"
        The filters at the lengths of at least 16 (:func:`filter_bank`): the STU
        filters of that length, the length-8 ones dilated, or half of each.
    pooled_filters : {"all", "mixtures"}, default="all"
        The filters whose responses are pooled per channel
        (:data:`~sksssm.spectral._pooled_filter_choice.POOLED_FILTERS`): "all", the
        identity, the bank's filters and their mixtures; "mixtures", the identity and
        the mixtures only, each mixture a filter of its own (its group's filters times
        its weights, :func:`~sksssm.spectral._pooled_filter_choice.mixed_bank`), so that
        the bank's filters are never convolved one by one; the state's ``bank`` is then
        those filters (``mixing`` empty), and the cross-channel block uses them too.
        Needs ``n_mixtures >= 1``.

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
    (state,) = _fit_poolings(
        X_btc,
        lengths,
        n_filters=n_filters,
        filter_lengths=filter_lengths,
        use_negative=use_negative,
        n_mixtures=n_mixtures,
        differences=differences,
        statistics=statistics,
        quantiles=quantiles,
        n_segments=n_segments,
        representations=(normalise,),
        cross=cross,
        hankel=hankel,
        mixing_seed=mixing_seed,
        chunk_size=chunk_size,
        dtype=dtype,
        dilations=(dilation,),
        pooled_filters=pooled_filters,
    )
    return state


def _fit_poolings(
    X_btc,
    lengths,
    *,
    n_filters,
    filter_lengths,
    use_negative,
    n_mixtures,
    differences,
    statistics,
    quantiles,
    n_segments,
    representations,
    cross,
    hankel,
    mixing_seed,
    chunk_size,
    dtype,
    dilations=None,
    pooled_filters="all",
    thresholds=True,
):
    """:func:`fit_pooling` once per ``normalise`` of ``representations`` (a tuple of
    bool), one filter bank per ``dilation`` of ``dilations`` (parallel to
    ``representations``; None: ``"none"`` for all), the ``ppv`` thresholds of all the
    representations of one bank from one set of responses
    (:func:`~sksssm.spectral._thresholds._fit_biases`); returns a tuple of
    :class:`PoolingState`, each equal to :func:`fit_pooling` with that ``normalise``,
    ``dilation`` and ``differences`` (to the round-off of ``dtype``: the same arithmetic
    as the features). ``differences``: a bool for every representation, or a tuple of
    bool parallel to ``representations`` (the classifier's ``"standardized"``: the first
    differences pooled by the standardized representation alone). ``pooled_filters``:
    as :func:`fit_pooling`'s, for every bank. ``thresholds=False``: the ``ppv``
    thresholds are not fitted (``biases`` None; no response is computed), for callers
    that only read the column layout (:attr:`PoolingState.n_features`), which does not
    depend on them.
    """
    X_btc, lengths = _prepare(X_btc, lengths)
    if X_btc.shape[0] == 0:
        raise ValueError("X has 0 series; pass at least one.")
    filter_lengths, statistics, quantiles = checked_options(
        lengths,
        n_filters=n_filters,
        filter_lengths=filter_lengths,
        statistics=statistics,
        quantiles=quantiles,
        n_mixtures=n_mixtures,
        pooled_filters=pooled_filters,
        n_segments=n_segments,
    )
    n_channels = X_btc.shape[2]
    return _poolings_per_bank(
        X_btc,
        lengths,
        _representations(representations, differences, dilations),
        bank_options=dict(
            filter_lengths=filter_lengths,
            n_filters=n_filters,
            use_negative=use_negative,
            hankel=hankel,
            n_mixtures=n_mixtures,
            mixing_seed=mixing_seed,
            pooled_filters=pooled_filters,
        ),
        template=dict(
            statistics=statistics,
            quantiles=quantiles,
            n_segments=int(n_segments),
            cross_pairs=cross_pairs(n_channels) if cross and n_channels > 1 else None,
            dtype=dtype,
        ),
        chunk_size=chunk_size,
        thresholds=thresholds,
    )


def _representations(normalise, differences, dilations):
    """``(normalise, differences, dilation)`` of each representation, from
    :func:`_fit_poolings`' parallel arguments (``differences``: a bool for all or one per
    representation; ``dilations`` None: ``"none"`` for all)."""
    n = len(normalise)
    dilations = ("none",) * n if dilations is None else tuple(dilations)
    if isinstance(differences, bool | np.bool_):
        differences = (differences,) * n
    differences = tuple(bool(d) for d in differences)
    return list(zip(normalise, differences, dilations, strict=True))


def _poolings_per_bank(
    X_btc, lengths, representations, *, bank_options, template, chunk_size, thresholds=True
):
    """The poolings of ``representations`` (:func:`_representations`), in their order:
    one filter bank per dilation (:func:`_bank_poolings`, ``bank_options``), the ``ppv``
    thresholds of its representations from one set of responses (with ``thresholds``);
    each bank's mixtures drawn from the same seed (as a pooling of that bank alone draws
    them)."""
    states = [None] * len(representations)
    for dilation in dict.fromkeys(d for _, _, d in representations):
        members = [i for i, (_, _, d) in enumerate(representations) if d == dilation]
        bank_states = _bank_poolings(
            X_btc,
            lengths,
            **bank_options,
            dilation=dilation,
            template=template,
            representations=[representations[i][:2] for i in members],
            chunk_size=chunk_size,
            thresholds=thresholds,
        )
        for i, state in zip(members, bank_states, strict=True):
            states[i] = state
    return tuple(states)


def _bank_poolings(
    X_btc,
    lengths,
    *,
    filter_lengths,
    n_filters,
    use_negative,
    hankel,
    dilation,
    n_mixtures,
    mixing_seed,
    template,
    representations,
    chunk_size,
    pooled_filters="all",
    thresholds=True,
):
    """The poolings of one filter bank, one per ``(normalise, differences)`` of
    ``representations``, their ``ppv`` thresholds from one set of training responses
    (``thresholds=False``: none, ``biases`` None); ``template``: the other
    :class:`PoolingState` fields. ``pooled_filters="mixtures"``: the bank replaced by the
    identity and the mixtures (:func:`mixed_bank`)."""
    # filter_bank read here, at call time (a benchmark variant patches it)
    bank, bank_groups = filter_bank(
        filter_lengths, n_filters, use_negative, hankel, dilation=dilation
    )
    mixing = mixing_matrices(bank_groups, n_mixtures, mixing_seed)
    if pooled_filters == "mixtures":  # the same weights, now filters of their own
        bank, bank_groups = mixed_bank(bank, bank_groups, mixing)
        mixing = ()
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
        biases=None,
        normalise=False,
        differences=False,
        use_negative=bool(use_negative),
        **template,
    )
    states = [
        dataclasses.replace(state, normalise=bool(n), differences=d) for n, d in representations
    ]
    if thresholds and any(stat in THRESHOLD_STATISTICS for stat in state.statistics):
        biases = _fit_biases(X_btc, lengths, states, chunk_size)
        states = [dataclasses.replace(s, biases=b) for s, b in zip(states, biases, strict=True)]
    return states


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
