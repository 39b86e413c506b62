"""The pooled features' filter bank: STU filters at several lengths and their mixtures."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.fft
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._filters import HANKEL_KINDS, max_usable_filters, stu_filters
from ._sequences import _inputs, _series_scale, _standardise_scale

#: nearly the identity).
MIN_FILTER_LENGTH = 8
#: Random combinations per filter group by default.
DEFAULT_MIXTURES = 32
#: Default seed of the mixing weights (:func:`~sksssm.spectral.fit_pooling` is
#: deterministic by default).
MIXING_SEED = 0


@validate_params(
    {
        "n_timesteps": [Interval(numbers.Integral, 2, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def default_filter_lengths(n_timesteps: int) -> tuple:
    """Filter lengths ``8, 16, 32, ...`` below ``n_timesteps``, then ``n_timesteps`` itself.

    Parameters
    ----------
    n_timesteps : int
        The training length (at least 2).

    Returns
    -------
    tuple of int
        Increasing lengths, the last one ``n_timesteps``.

    Examples
    --------
    >>> from sksssm.spectral import default_filter_lengths
    >>> default_filter_lengths(150)
    (8, 16, 32, 64, 128, 150)
    >>> default_filter_lengths(6)
    (6,)
    """
    lengths = []
    length = MIN_FILTER_LENGTH
    while length < n_timesteps:
        lengths.append(length)
        length *= 2
    return tuple(lengths) + (int(n_timesteps),)


def _checked_filter_lengths(filter_lengths):
    """``filter_lengths`` as a tuple of distinct integers ``>= 2``, else refused."""
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
    return lengths


#: How :func:`filter_bank` builds its filters at the lengths of at least
#: ``2 * MIN_FILTER_LENGTH`` (``dilation``): ``"none"``, the STU filters of that length;
#: ``"all"``, the shortest length's filters dilated (:func:`dilation_factor`);
#: ``"half"``, the first half of the filters smooth and the other half dilated.
DILATIONS = ("none", "all", "half")


def dilation_factor(length):
    """Spacing ``d`` of the dilated ``MIN_FILTER_LENGTH``-tap filters standing for ``length``.

    ``length // 8`` on the ladder of powers of two (:func:`default_filter_lengths`),
    else ``(length - 1) // 7``, the widest spacing whose support ``7 d + 1`` fits.

    Examples
    --------
    >>> from sksssm.spectral._filter_bank import dilation_factor
    >>> dilation_factor(64), dilation_factor(150)
    (8, 21)
    """
    if length & (length - 1) == 0:  # a power of two
        return length // MIN_FILTER_LENGTH
    return (length - 1) // (MIN_FILTER_LENGTH - 1)


def _with_alternating(filters):
    """The filters and their alternating-sign branch (tap ``n`` times ``(-1) ** n``)."""
    signs = np.where(np.arange(len(filters)) % 2 == 0, 1.0, -1.0)
    return filters, filters * signs[:, None]


def _dilated(filters, spacing, length):
    """``filters`` (taps, k) with their taps ``spacing`` steps apart, zeros between,
    in ``length`` rows."""
    out = np.zeros((length, filters.shape[1]))
    out[: (len(filters) - 1) * spacing + 1 : spacing] = filters
    return out


def _length_filters(length, n_filters, hankel, dilation):
    """The two branches ``(positive, alternating)``, each ``(length, k)``, for one length.

    Dilated filters (ROCKET's dilated kernels): the shortest length's filters and their
    alternating branch, each tap ``dilation_factor(length)`` steps apart, so that they
    see local shape at coarse scales instead of the smooth long filters' averages. There
    are at most ``MIN_FILTER_LENGTH`` of them (they span every filter of that many taps);
    ``"half"`` keeps the count ``k`` of the smooth filters (``k - k // 2`` smooth, the
    first ``k // 2`` dilated).
    """
    k = min(int(n_filters), max_usable_filters(length))
    if dilation == "none" or length < 2 * MIN_FILTER_LENGTH:
        return _with_alternating(stu_filters(length, k, hankel))
    n_short = min(int(n_filters), max_usable_filters(MIN_FILTER_LENGTH))
    short = _with_alternating(stu_filters(MIN_FILTER_LENGTH, n_short, hankel))
    spacing = dilation_factor(length)
    dilated = [_dilated(branch, spacing, length) for branch in short]
    if dilation == "all":
        return tuple(dilated)
    n_dilated = min(k // 2, n_short)
    smooth = _with_alternating(stu_filters(length, k - n_dilated, hankel))
    return tuple(
        np.concatenate([s, d[:, :n_dilated]], axis=1) for s, d in zip(smooth, dilated, strict=True)
    )


@validate_params(
    {
        "filter_lengths": ["array-like"],
        "n_filters": [Interval(numbers.Integral, 1, None, closed="left")],
        "use_negative": ["boolean"],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
        "dilation": [StrOptions(set(DILATIONS))],
    },
    prefer_skip_nested_validation=True,
)
def filter_bank(filter_lengths, n_filters, use_negative=True, hankel="Z", *, dilation="none"):
    """The identity plus the STU filters of every length (both branches), zero-padded.

    ``hankel`` picks the Hankel matrix whose eigenvectors are the filters
    (:func:`~sksssm.spectral.stu_filters`). ``dilation``
    (:data:`~sksssm.spectral._filter_bank.DILATIONS`): at every length of at least
    ``2 * MIN_FILTER_LENGTH``, ``"none"`` takes the STU filters of that length; ``"all"`` the
    ``MIN_FILTER_LENGTH``-tap STU filters (and their alternating branch) with their taps
    :func:`~sksssm.spectral._filter_bank.dilation_factor` steps apart, at most
    ``MIN_FILTER_LENGTH`` per branch; ``"half"`` the first ``k - k // 2`` STU filters of
    that length followed by the first ``k // 2`` dilated ones (``k``: the count of
    ``"none"``).

    Parameters
    ----------
    filter_lengths : array-like of int
        Distinct filter lengths, each at least 2.
    n_filters : int
        STU filters per length and branch, capped at the usable count of each length
        (:func:`~sksssm.spectral.max_usable_filters`).
    use_negative : bool, default=True
        Include the alternating-sign branch.
    hankel : {"Z", "L"}, default="Z"
        Hankel matrix whose eigenvectors are the filters
        (:func:`~sksssm.spectral.stu_filters`).
    dilation : {"none", "all", "half"}, default="none"
        The filters at the lengths of at least 16, as above.

    Returns
    -------
    bank : ndarray of shape (max(filter_lengths), n_bank)
        The identity (column 0), then the filters of each length, zero-padded after
        their taps.
    groups : tuple of ndarray
        Column indices per group: identity, then per length the positive branch and
        (with ``use_negative``) the alternating-sign branch.

    Examples
    --------
    >>> from sksssm.spectral import filter_bank
    >>> bank, groups = filter_bank((8, 20), 4)
    >>> bank.shape, [len(g) for g in groups]
    ((20, 17), [1, 4, 4, 4, 4])
    """
    filter_lengths = _checked_filter_lengths(filter_lengths)  # fit_pooling's rule
    longest = max(filter_lengths)
    identity = np.zeros((longest, 1))
    identity[0, 0] = 1.0
    columns = [identity]
    for length in filter_lengths:
        branches = _length_filters(length, n_filters, hankel, dilation)
        for branch in branches if use_negative else branches[:1]:
            padded = np.zeros((longest, branch.shape[1]))
            padded[:length] = branch
            columns.append(padded)
    sizes = [c.shape[1] for c in columns]
    edges = np.cumsum([0] + sizes)
    groups = tuple(np.arange(edges[i], edges[i + 1]) for i in range(len(sizes)))
    return np.concatenate(columns, axis=1), groups


@validate_params(
    {
        "bank_groups": ["array-like"],
        "n_mixtures": [Interval(numbers.Integral, 0, None, closed="left")],
        "seed": [Interval(numbers.Integral, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def mixing_matrices(bank_groups, n_mixtures, seed=MIXING_SEED):
    """Random weights combining the filters of each group (identity excluded).

    Gaussian, each column scaled to unit norm, from ``numpy.random.default_rng(seed)`` in
    group order: the same for every call with the same ``seed``.

    Parameters
    ----------
    bank_groups : sequence of array-like of int
        Column indices per filter group, the identity first (as :func:`filter_bank`
        returns them).
    n_mixtures : int
        Combinations per group; 0 for none.
    seed : int, default=0
        Seed of the random weights.

    Returns
    -------
    tuple of ndarray
        One ``(len(group), n_mixtures)`` weight matrix per group after the identity;
        empty when ``n_mixtures`` is 0.

    Examples
    --------
    >>> from sksssm.spectral import filter_bank, mixing_matrices
    >>> _, groups = filter_bank((8, 20), 4)
    >>> [w.shape for w in mixing_matrices(groups, 3)]
    [(4, 3), (4, 3), (4, 3), (4, 3)]
    """
    if n_mixtures == 0:
        return ()
    rng = np.random.default_rng(seed)
    weights = []
    for group in bank_groups[1:]:
        w = rng.standard_normal((len(group), int(n_mixtures)))
        weights.append(w / np.linalg.norm(w, axis=0))
    return tuple(weights)


#: Filters with gaps between their taps (dilated) and at most this many nonzero taps are
#: convolved directly, as a weighted sum of that many shifted copies of the series (one
#: matrix product per run of such filters), instead of by FFT: the dilated filters' 8
#: taps cost 8 multiply-adds per output step, an FFT of twice the series' length and its
#: product about 5 log2(2 t) per step (40 at t = 131); twice 8 leaves room for longer
#: sparse filters at no more than an FFT's cost. Measured (the dilated bank's responses,
#: mixtures included, chunks of 8 series): 1.14 ms against 1.66 ms per EthanolLevel series
#: (1,751 steps), 0.031 against 0.061 ms per FaceAll series (131 steps); the two differ
#: by 4e-7 of the largest response (float32 round-off).
MAX_DIRECT_TAPS = 2 * MIN_FILTER_LENGTH


def _bank_runs(bank, t, dtype):
    """How the bank's columns are convolved, per run of columns with the same taps.

    Returns ``[(start, stop, n_fft, kernel)]`` over the columns of ``bank[:t]``. FFT runs
    (``n_fft > 0``, ``kernel`` the columns' spectra): a filter of ``L`` taps needs an
    FFT of ``t + L - 1`` points (no wrap), not the longest filter's, so each run of
    equal-length columns (both branches of one filter length) gets its own size.
    Direct runs (``n_fft == 0``, ``kernel`` a pair ``(lags, weights)``, the rows where
    some column of the run is nonzero and the columns' values there, ``(k, n_lags)``):
    the one-tap identity (a plain product), and filters with gaps between their taps and
    at most :data:`MAX_DIRECT_TAPS` of them (the dilated filters), a weighted sum of
    shifted copies of the series.
    """
    bank = bank[:t]  # taps beyond the series never reach an output
    n_bank = bank.shape[1]
    nonzero = bank != 0
    # counted from the bank's last row, which is not row t - 1 when the series is longer
    taps = np.where(nonzero.any(axis=0), len(bank) - np.argmax(nonzero[::-1], axis=0), 1)
    runs = []
    start = 0
    for stop in range(1, n_bank + 1):
        if stop < n_bank and taps[stop] == taps[start]:
            continue
        length = int(taps[start])
        columns = bank[:length, start:stop]
        lags = np.flatnonzero((columns != 0).any(axis=1))
        gapped = 1 < len(lags) < length and len(lags) <= MAX_DIRECT_TAPS
        if length == 1 or gapped:
            lags = np.array([0]) if length == 1 else lags
            runs.append((start, stop, 0, (lags, columns[lags].T.astype(dtype))))
        else:
            n_fft = scipy.fft.next_fast_len(t + length - 1, real=True)
            spectrum = scipy.fft.rfft(columns.T, n_fft, axis=-1)
            runs.append((start, stop, n_fft, spectrum.astype(np.result_type(dtype, 1j))))
        start = stop
    return runs


def _direct(U_t, lags, weights, out):
    """``out`` ``(m, c, k, t)``: the causal convolution of ``U_t`` ``(m, c, t)`` with the
    ``k`` filters that are ``weights`` ``(k, n_lags)`` at ``lags`` and zero elsewhere."""
    if len(lags) == 1 and lags[0] == 0:  # one tap: a scaled copy of the series
        return np.multiply(U_t[:, :, None, :], weights, out=out)
    m, c, t = U_t.shape
    shifted = np.zeros((m, c, len(lags), t), U_t.dtype)
    for j, lag in enumerate(lags):
        shifted[:, :, j, lag:] = U_t[:, :, : t - lag]
    return np.matmul(weights, shifted, out=out)


def _responses(U, state, cache=None, spectra=None):
    """Responses ``(m, c, n_responses, t)`` in ``state.dtype``: FFT, then the mixtures.

    Time is the last (contiguous) axis: the FFTs run along contiguous rows, and the
    pooling statistics reduce contiguous rows (pairwise summation, accurate in float32
    too). ``U`` is ``(m, t, c)`` float64 (standardized or shrunk already); the bank
    convolutions are computed by batched real FFTs in ``state.dtype`` (float32 halves
    the memory traffic and the FFT work; relative error ~1e-7 of the largest response),
    one per filter length, each of the size that length needs (:func:`_bank_runs`; the
    identity is a copy, the dilated filters a sum of shifted copies), and the mixtures
    are written next to them by one matrix product per group. ``cache``: a dict kept
    across the chunks of one call, holding the bank's spectra per series length
    (computing them costs as much as a chunk's own FFTs). ``spectra``: a dict of ``U``'s
    own spectra per FFT size, shared by the banks that filter the same ``U``.
    """
    dtype = np.dtype(state.dtype)
    m, t, c = U.shape
    cache = {} if cache is None else cache
    if t not in cache:
        cache[t] = (
            _bank_runs(state.bank, t, dtype),
            tuple(w.T.astype(dtype) for w in state.mixing),
        )
    runs, mixing = cache[t]
    U_t = np.swapaxes(U, 1, 2).astype(dtype)  # (m, c, t)
    Z = np.empty((m, c, state.n_responses, t), dtype=dtype)
    u_spectra = {} if spectra is None else spectra  # per FFT size
    for start, stop, n_fft, kernel in runs:
        if n_fft == 0:  # no FFT: the identity, dilated filters
            _direct(U_t, *kernel, out=Z[:, :, start:stop])
            continue
        spectrum = kernel
        if n_fft not in u_spectra:
            u_spectra[n_fft] = scipy.fft.rfft(U_t, n_fft, axis=-1)
        product = u_spectra[n_fft][:, :, None, :] * spectrum[None, None]  # (m, c, k, F)
        Z[:, :, start:stop] = scipy.fft.irfft(product, n_fft, axis=-1)[..., :t]
    start = state.bank.shape[1]
    mixed_groups = state.bank_groups[1:] if mixing else ()  # n_mixtures=0: no mixing
    for group, w in zip(mixed_groups, mixing, strict=True):
        stop = start + w.shape[0]
        np.matmul(w, Z[:, :, group[0] : group[-1] + 1], out=Z[:, :, start:stop])
        start = stop
    return Z


def _step_responses(state, t, cache):
    """Responses ``(n_responses, t)`` of the all-ones series, exact (cumulative sums).

    The response of a constant level ``mu`` is ``mu`` times these: what the raw series'
    responses add to those of the series centred on its mean. Cached per length.
    """
    key = ("step", t)
    if key not in cache:
        taps = np.zeros((t, state.bank.shape[1]))  # a series longer than the filters:
        taps[: len(state.bank)] = state.bank[:t]  # its step responses stay constant
        steps = np.cumsum(taps, axis=0).T  # (n_bank, t), float64
        mixed_groups = state.bank_groups[1:] if state.mixing else ()
        mixtures = [
            w.T @ steps[group] for group, w in zip(mixed_groups, state.mixing, strict=True)
        ]
        cache[key] = np.concatenate([steps, *mixtures]).astype(state.dtype)
    return cache[key]


def _centred_inputs(U, lengths, differences, dtype):
    """The series centred on their means, and their first differences with
    ``differences``, zero-filled beyond ``lengths``; with each series' mean and the
    divisor of its standardization per channel, ``(m, c)`` in ``dtype``."""
    mean, std = _series_scale(U, lengths)
    spread = _standardise_scale(std, mean)
    centred = U - mean[:, None]  # _inputs zeroes the padding again, and differences it
    inputs = _inputs(centred, lengths, differences)
    return inputs, mean.astype(dtype), spread.astype(dtype)


def _centred_responses(U, lengths, state, cache):
    """Responses of the series centred on their means and of their first differences.

    ``U`` is ``(m, t, c)`` zero-filled beyond ``lengths``. Returns ``(kinds, level,
    spread)``: the responses per input kind (series, then differences with
    ``state.differences``), and each series' mean and the divisor of its
    standardization per channel, ``(m, c)`` in ``state.dtype``, from which
    :func:`_represented` derives either representation. The centring is done in float64
    before the responses' precision (as the standardization is), so a level far above
    the spread loses no digits.
    """
    inputs, level, spread = _centred_inputs(U, lengths, state.differences, state.dtype)
    return [_responses(V, state, cache) for V in inputs], level, spread


def _represented(Z, kind, level, spread, step, normalise, out=None):
    """One representation of the centred responses ``Z`` of input ``kind`` (0: series).

    Standardized (``normalise``): ``Z / spread``; raw: the series' responses ``Z + level
    * step`` (the first differences' are ``Z`` itself). ``level`` and ``spread``
    broadcast against ``Z`` (one value per series and channel), ``step`` is the step
    responses (:func:`_step_responses`) at ``Z``'s time steps. ``out``: written in place
    (may be ``Z``; the raw series' ``level * step`` is then formed one channel at a time,
    so no temporary as large as ``Z``); else a new array, or ``Z`` itself where nothing
    changes. The one formula of the ``ppv`` thresholds and of the features'
    representations (:func:`_shared_responses`); the pooled features leave the
    standardized division to the statistics (``deferred``), equal to round-off.
    """
    if normalise:
        return np.divide(Z, spread, out=out)
    if out is None:
        if kind > 0:
            return Z
        out = level * step  # Z's shape: the sum formed in it, no second temporary
        out += Z
        return out
    if out is not Z:
        out[...] = Z
    if kind == 0:  # channels on the third axis from the end, in Z and level alike
        for channel in range(Z.shape[-3]):
            out[..., channel, :, :] += level[..., channel, :, :] * step
    return out


def _shared_responses(U, lengths, sources, caches, differences=None):
    """Responses of the raw and the standardized series from one set of FFTs per bank.

    The filters are linear and causal: the responses of a series are those of the series
    centred on its mean ``mu`` plus ``mu`` times the step responses
    (:func:`_step_responses`), and those of the standardized series are the centred
    ones divided by its standard deviation (first differences: the raw ones divided by
    it). So the responses of the centred series and of the first differences are
    computed once per filter bank of ``sources`` (poolings that filter the same inputs,
    :func:`~sksssm.spectral._shared_banks.response_sources`; the inputs centred once and
    their spectra shared by the banks) and each representation is derived by one
    scaling pass (:func:`_represented`). ``caches``: one dict per source
    (:func:`_responses`). Each bank's responses to an input are computed when first
    asked for, so a bank whose readers pool no first differences (the raw head of
    ``differences="standardized"``) never filters them.

    ``U`` is ``(m, t, c)`` zero-filled beyond ``lengths``; ``differences``: whether the
    first differences are an input (some reader pools them); None: whether some source
    pools them. Returns a function of the source's index and ``normalise`` (bool) giving
    the list of responses per input kind (series, then differences), as
    :func:`_responses` of :func:`~sksssm.spectral._sequences._inputs` would; with
    ``kinds``, those of the first ``kinds`` inputs only (1: the series' alone, for a
    reader without ``differences``); with ``columns`` (indices from
    :func:`~sksssm.spectral._shared_banks.response_columns`), those of a pooling with a
    subset of the source's responses. With ``deferred``, a list of ``(responses,
    divisor)``: the standardized representation is then the centred responses and the
    first differences' undivided, with their divisor ``(m, c, 1, 1)`` (the raw one's
    divisor is None), so that no pass divides them and the statistics of the first
    differences, the same responses in both representations, are computed once
    (``spread`` of :func:`~sksssm.spectral._segment_stats._pool`).
    """
    if differences is None:
        differences = any(source.differences for source in sources)
    inputs, level, spread = _centred_inputs(U, lengths, differences, sources[0].dtype)
    level = level[:, :, None, None]
    spread = spread[:, :, None, None]
    spectra = [{} for _ in inputs]  # each input's spectra per FFT size, for every bank
    computed = {}  # (source, kind) -> that bank's responses to that input

    def responses(source, kind):
        if (source, kind) not in computed:
            computed[source, kind] = _responses(
                inputs[kind], sources[source], caches[source], spectra[kind]
            )
        return computed[source, kind]

    steps = [
        _step_responses(source, U.shape[1], cache)
        for source, cache in zip(sources, caches, strict=True)
    ]

    def representation(source, normalise, columns=None, deferred=False, kinds=None):
        pairs = []
        for kind in range(len(inputs) if kinds is None else kinds):
            Z = responses(source, kind)
            if columns is not None:
                # a subset of the responses (:func:`response_columns`): gathered (a
                # copy), then scaled in place, the same numbers as the subset's own
                Z = Z[:, :, columns]
            if deferred and normalise:  # the division left to the statistics
                pairs.append((Z, spread))
                continue
            step = steps[source] if columns is None else steps[source][columns]
            out = None if columns is None else Z
            pairs.append((_represented(Z, kind, level, spread, step, normalise, out), None))
        return pairs if deferred else [Z for Z, _ in pairs]

    return representation
