"""Pooling statistics over time: one block per statistic, segments included."""

from __future__ import annotations

import numpy as np

STATISTICS = (
    "mean",
    "std",
    "max",
    "min",
    "ppv",
    "last",
    "peak",
    "segment_mean",
    "segment_std",
)
#: Statistics available beyond the default :data:`STATISTICS`, measured by
#: ``benchmarks/classifier_ablation.py``: MultiRocket's pooling operators on the
#: responses above each ``ppv`` threshold ``b`` (``"mpv"``: mean of ``z - b`` over those
#: steps, 0 if none; ``"mipv"``: their mean position relative to the series' length,
#: -1 if none; ``"lspv"``: the longest run of consecutive such steps relative to the
#: length), the number of those runs relative to the length (``"rpv"``, runs of positive
#: values: the rate of exceedance episodes; ``ppv / rpv`` is their mean length) and
#: Hydra's competing counts (``"hydra"``: per group of responses, the fraction of steps
#: at which each response is the group's largest, ties within :data:`ROUNDOFF_MARGIN`
#: each counted).
EXTRA_STATISTICS = ("mpv", "mipv", "lspv", "rpv", "hydra")
#: Every statistic name :func:`~sksssm.spectral.fit_pooling` accepts.
ALL_STATISTICS = STATISTICS + EXTRA_STATISTICS
#: Statistics that give one feature per segment (``n_segments`` of them).
SEGMENT_STATISTICS = ("segment_mean", "segment_std")
#: Statistics computed together from the segments' means and variances (:func:`_moments`).
MOMENT_STATISTICS = ("mean", "std") + SEGMENT_STATISTICS
#: Statistics compared with the ``ppv`` thresholds (quantiles of the training responses).
THRESHOLD_STATISTICS = ("ppv", "mpv", "mipv", "lspv", "rpv")
#: Which thresholds the operators are computed at (``ppv`` always uses every one):
#: ``"every"``: each threshold, one block per threshold; ``"median"``: the median
#: threshold only; ``"cycle"``: the ``k``-th response of each response group (per
#: channel) at the ``k % n``-th smallest of the ``n`` thresholds (one block). Private:
#: measured by ``benchmarks/classifier_ablation.py --ops-one``, which patches it; one
#: threshold kept too little of the operators' gain (classification user guide), so
#: the library computes them at every threshold.
_OPERATOR_THRESHOLDS = "every"
#: Statistics that do not scale with the series (``f(r x) != r f(x)``): counts,
#: positions, run lengths and run counts.
SCALE_FREE_STATISTICS = ("ppv", "mipv", "lspv", "rpv", "hydra")
#: Default number of equal segments of each series for the ``segment_*`` statistics.
DEFAULT_SEGMENTS = 4
#: Round-off margin, relative to the largest response, per precision of the responses
#: (float32 FFT round-off is ~1e-7 of the largest one): the ``ppv`` thresholds sit this
#: far above the quantiles (:func:`~sksssm.spectral._thresholds._quantile_thresholds`),
#: and a ``"hydra"`` response this close to its group's maximum counts as a win
#: (:func:`_competing_counts`), so that round-off never decides a comparison that is a
#: tie in exact arithmetic (see ``fit_pooling``).
ROUNDOFF_MARGIN = {"float64": 1e-9, "float32": 1e-5}


def n_threshold_blocks(stat, n_quantiles):
    """Blocks of ``stat`` (one of :data:`THRESHOLD_STATISTICS`) for ``n_quantiles``
    thresholds: one per threshold for ``ppv`` (and for the operators at every
    threshold), else one (the operators at one threshold per response)."""
    if stat == "ppv" or _OPERATOR_THRESHOLDS == "every":
        return n_quantiles
    return 1


def _operator_thresholds(biases, groups):
    """Per threshold statistic's block, the key of the comparison it uses and its bias.

    ``biases`` ``(n_quantiles, ..., f)`` (the response axis last), ``groups`` the
    response groups. Returns a function ``stat -> [(key, bias), ...]`` (one pair per
    block, see :func:`n_threshold_blocks`): ``ppv`` (and the operators at every
    threshold) use threshold ``i`` with key ``i``; ``"median"``: the operators use the
    median threshold, whose key is that ``ppv`` block's (one comparison shared);
    ``"cycle"``: the ``k``-th response of each group at the ``k % n``-th smallest
    threshold, one bias per response (key ``"cycle"``, one comparison for all). By the
    position within the group, not among all responses: a pooling reduced to some
    groups (:func:`~sksssm.spectral._feature_sets.used_responses`) keeps each
    response's threshold. Thresholds are ordered by their sum over the responses:
    quantiles are monotone in ``q`` for every response, so this is the quantiles'
    order (ties are equal biases).
    """
    n = len(biases)
    every = [(i, bias) for i, bias in enumerate(biases)]
    if _OPERATOR_THRESHOLDS == "every":
        return lambda stat: every
    order = np.argsort(biases.reshape(n, -1).sum(axis=1), kind="stable")
    if _OPERATOR_THRESHOLDS == "median":
        median = int(order[n // 2])
        one = [(median, biases[median])]
    else:  # "cycle"
        rank = np.empty(biases.shape[-1], dtype=np.intp)  # each response's threshold rank
        for group in groups:
            rank[group] = np.arange(len(group)) % n
        pick = np.broadcast_to(order[rank], (1, *biases.shape[1:]))
        one = [("cycle", np.take_along_axis(biases, pick, axis=0)[0])]
    return lambda stat: every if stat == "ppv" else one


def segment_edges(lengths, n_segments):
    """Segment boundaries ``floor(k * length / n_segments)``, ``k = 0..n_segments``.

    Returns an ``(n_series, n_segments + 1)`` integer array; segment ``k`` of series ``i``
    is the steps ``edges[i, k] <= t < edges[i, k + 1]`` (empty when the series is
    shorter than ``n_segments``).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral._pooling import segment_edges
    >>> segment_edges(np.array([8, 10]), 4).tolist()
    [[0, 2, 4, 6, 8], [0, 2, 5, 7, 10]]
    """
    lengths = np.asarray(lengths, dtype=np.intp)
    return (np.arange(n_segments + 1)[None, :] * lengths[:, None]) // n_segments


def _segment_moments(Z, lengths, n_segments, want_var):
    """Mean, variance and step count of each response in each segment (0 if empty).

    ``Z`` is ``(m, c, f, t)``; returns ``(m, c, f, n_segments)`` means and variances
    (None unless ``want_var``) and ``(m, 1, 1, n_segments)`` counts. Two passes (sums,
    then centred squares): exact, also in float32. The sums of all segments are one
    matrix product with the ``(m, 1, t, n_segments)`` segment indicators (which also
    mask the padding): one pass over ``Z`` instead of one per segment. The centred
    squares: per segment on its slice when every series has one length, else by the
    same product with the segment means spread back over the steps.
    """
    edges = segment_edges(lengths, n_segments)
    shared = bool((edges == edges[:1]).all())  # one length in this chunk: plain slices
    steps = np.arange(Z.shape[-1])[None, :, None]
    inside = (steps >= edges[:, None, :-1]) & (steps < edges[:, None, 1:])  # (m, t, k)
    indicators = inside.astype(Z.dtype)[:, None]  # (m, 1, t, k)
    counts = (edges[:, 1:] - edges[:, :-1])[:, None, None, :].astype(Z.dtype)
    count = np.maximum(counts, 1)
    means = np.matmul(Z, indicators)
    means /= count
    if not want_var:
        return means, None, counts
    if shared:
        variances = np.empty_like(means)
        for k in range(n_segments):
            centred = Z[..., edges[0, k] : edges[0, k + 1]] - means[..., k : k + 1]
            variances[..., k] = np.einsum("mcft,mcft->mcf", centred, centred)
    else:
        centred = Z - np.matmul(means, np.swapaxes(indicators, -1, -2))
        np.square(centred, out=centred)
        variances = np.matmul(centred, indicators)
    variances /= count
    return means, variances, counts


def _moments(Z, lengths, statistics, n_segments):
    """``{statistic: block}`` for the requested ones of mean, std and the segment stats.

    One pass over the segments gives all of them: the whole series' mean and variance
    are the segments' combined exactly (``n mean = sum n_k mean_k``, ``n var = sum n_k
    (var_k + (mean_k - mean)^2)``; the segments partition the valid steps). Always
    over ``n_segments`` segments (the same passes over ``Z`` as one segment), so that
    the mean and std are the same numbers whichever statistics are requested (the
    classifier's ``predict`` computes fewer than its fit).
    """
    want_var = "std" in statistics or "segment_std" in statistics
    seg_mean, seg_var, counts = _segment_moments(Z, lengths, n_segments, want_var)
    total = lengths[:, None, None].astype(Z.dtype)
    mean = (counts * seg_mean).sum(axis=-1) / total
    out = {"mean": mean, "segment_mean": seg_mean}
    if want_var:
        spread = seg_var + (seg_mean - mean[..., None]) ** 2
        out["std"] = np.sqrt((counts * spread).sum(axis=-1) / total)
        out["segment_std"] = np.sqrt(seg_var)
    return out


def _peak(Z, groups, valid):
    """Per group, the responses at the step where the group's energy is largest.

    The step of each group is found per group (groups are contiguous columns); the
    responses at those steps are then gathered by one fancy index for all groups.
    """
    m, c, f, _ = Z.shape
    when = np.empty((m, c, f), dtype=np.intp)
    for group in groups:
        Zg = Z[:, :, group[0] : group[-1] + 1]  # groups are contiguous columns
        energy = np.einsum("mcgt,mcgt->mct", Zg, Zg)
        if valid is not None:
            energy = np.where(valid[:, :, 0], energy, -np.inf)
        when[:, :, group[0] : group[-1] + 1] = energy.argmax(axis=-1)[:, :, None]  # first max
    index = np.ogrid[:m, :c, :f]
    return Z[index[0], index[1], index[2], when]


def _above(Z, bias, valid, out=None):
    """``Z > bias`` at the valid steps (written to the boolean ``out`` if given), and its
    count along time (``intp``)."""
    above = np.greater(Z, bias, out=out)
    if valid is not None:
        above &= valid
    return above, _count_true(above)


def _count_true(mask):
    """Number of ``True`` along the last axis of the boolean ``mask`` (``intp``).

    Counted as bytes into the narrowest integer that holds the axis: numpy's bool sum
    converts to ``intp``, several times slower (measured).
    """
    counter = np.uint16 if mask.shape[-1] <= np.iinfo(np.uint16).max else np.int32
    return np.add.reduce(mask.view(np.uint8), axis=-1, dtype=counter).astype(np.intp)


def _longest_run(above):
    """Longest run of ``True`` along the last axis of ``above`` (any shape).

    From the run boundaries: each row padded with ``False`` on both sides, the steps
    where the padded mask changes are found by one byte comparison of it with itself
    shifted by one step; within a row they alternate start, end, start, ... (a run never
    crosses a row: each ends in a pad), so the runs' lengths are the differences of
    consecutive pairs, and each row's longest is one ``maximum.reduceat`` over its runs
    (rows without runs: 0). Work in the number of runs, not in passes over every step
    (measured 1.3-6.6x faster than with two searches for rising and falling edges and a
    row computed for each run, ``benchmarks/threshold_ops.py``).
    """
    t = above.shape[-1]
    rows = above.reshape(-1, t)
    n_rows = rows.shape[0]
    padded = np.zeros((n_rows, t + 2), dtype=np.uint8)
    padded[:, 1:-1] = rows.view(np.uint8)
    flat = padded.ravel()
    changes = np.flatnonzero(flat[1:] != flat[:-1])
    starts = changes[0::2]
    runs = changes[1::2] - starts
    longest = np.zeros(n_rows, dtype=np.intp)
    if starts.size:
        first = np.searchsorted(starts, np.arange(n_rows) * (t + 2))  # each row's first run
        has_runs = np.diff(first, append=starts.size) > 0
        longest[has_runs] = np.maximum.reduceat(runs, first[has_runs])
    return longest.reshape(above.shape[:-1])


def _run_count(above):
    """Number of runs of ``True`` along the last axis of ``above`` (any shape, ``intp``).

    A run starts at step 0 if ``above[0]``, and at every rising edge ``above[t] &
    ~above[t - 1]``: one byte comparison of the mask with itself shifted by one step,
    counted like the ``ppv`` count (:func:`_count_true`), no run-length
    bookkeeping. Padding must already be False in ``above`` (it is, from
    :func:`_above`): a run then never starts there.
    """
    steps = above.view(np.uint8)
    rising = np.greater(steps[..., 1:], steps[..., :-1])  # 1 > 0: a run starts at t
    return _count_true(rising) + steps[..., 0]


#: Threshold statistics that reduce the comparison as a mask of ``Z``'s dtype
#: (:func:`_float_mask`), made once per threshold when both are pooled.
MASK_STATISTICS = ("mpv", "mipv")


def _float_mask(above, dtype):
    """``above`` ``(..., t)`` as ``(rows, t)`` zeros and ones of ``dtype``: what ``mpv``
    and ``mipv`` multiply the responses and the step numbers by."""
    return above.reshape(-1, above.shape[-1]).astype(dtype)


def _threshold_statistic(stat, Z, bias, valid, count, comparison=None, mask=None):
    """One of :data:`THRESHOLD_STATISTICS` of ``Z`` ``(m, c, f, t)`` for one threshold.

    ``comparison``: :func:`_above` of ``(Z, bias, valid)`` when the caller shares it
    between the statistics of one threshold (None: made here); ``mask``: likewise
    :func:`_float_mask` of it, for :data:`MASK_STATISTICS`. ``mpv`` and ``mipv`` are one
    product each with the mask (the sum of the responses above ``b`` minus ``b`` times
    their count; the sum of their step numbers), not passes that form ``Z - b``.
    """
    above, n_above = _above(Z, bias, valid) if comparison is None else comparison
    if stat == "ppv":
        return n_above / count
    t = Z.shape[-1]
    if stat in MASK_STATISTICS and mask is None:
        mask = _float_mask(above, Z.dtype)
    if stat == "mpv":  # sum over the steps above of z - b, i.e. sum(z above) - b n_above
        total = np.einsum("rt,rt->r", mask, Z.reshape(-1, t)).reshape(n_above.shape)
        return (total - bias[..., 0] * n_above) / np.maximum(n_above, 1)
    if stat == "mipv":  # the positions above: one matrix-vector product
        position = (mask @ np.arange(t, dtype=Z.dtype)).reshape(n_above.shape)
        return np.where(n_above > 0, position / np.maximum(n_above, 1) / count, -1.0)
    if stat == "rpv":
        return _run_count(above) / count
    return _longest_run(above) / count  # "lspv"


def _competing_counts(Z, groups, valid, count):
    """Per group, the fraction of valid steps at which each response is the largest.

    A response within :data:`ROUNDOFF_MARGIN` of the group's maximum, relative to the
    group's largest ``|response|`` over the series' valid steps, wins too: responses
    equal in exact arithmetic (every causal response of the first differences is 0 at
    t = 0) all win, whatever the FFT's round-off (which depends on the FFT size, so on
    the batch and the padding).
    """
    margin = ROUNDOFF_MARGIN[Z.dtype.name]
    counts = np.empty(Z.shape[:-1], dtype=Z.dtype)
    for group in groups:
        Zg = Z[:, :, group[0] : group[-1] + 1]
        size = np.abs(Zg).max(axis=2, keepdims=True)  # (m, c, 1, t)
        if valid is not None:
            size = np.where(valid, size, 0)
        largest = size.max(axis=-1, keepdims=True)  # per series, channel and group
        wins = Zg >= Zg.max(axis=2, keepdims=True) - margin * largest
        if valid is not None:
            wins &= valid
        counts[:, :, group[0] : group[-1] + 1] = wins.sum(axis=-1) / count
    return counts


#: Statistics ``f`` with ``f(Z / s) = f(Z) / s`` for ``s > 0`` (the responses' scale).
SCALING_STATISTICS = ("mean", "std", "max", "min", "last", "peak") + SEGMENT_STATISTICS


#: Largest block of responses (bytes) that :func:`_pool` pools at once. The statistics
#: make a dozen passes over the responses: a block of a few MiB stays in the CPU cache
#: between them, while the responses of one long series (330 MiB for 18,000 steps and
#: 6 channels) are read from memory by every pass (the ``ppv`` comparison and count:
#: 0.10 ns per element in a 2 MiB array, 1.27 ns in a 330 MiB one). Smaller blocks
#: cost more calls: measured on fit+predict of 30 + 30 EigenWorms-like series (the
#: archive shape of ``benchmarks/clf_wide.py``; session 49), 43.2 s unblocked, 34.3 s
#: with 8 MiB blocks, 35.6 s with 16 MiB; on the full shape 208 s unblocked, 172 s with
#: 16 MiB blocks, 219 s with 1 MiB ones.
POOL_BLOCK_BYTES = 8 * 2**20


def _pool(
    Z, lengths, statistics, biases, groups, n_segments=DEFAULT_SEGMENTS, spread=None, memo=None
):
    """Pool responses ``Z`` ``(m, c, f, t)`` over each series' valid steps.

    Returns ``(m, n_columns)``: one block per statistic in ``statistics`` order, each
    channel-major ``(c, f)`` (threshold statistics: the blocks of
    :func:`n_threshold_blocks`, threshold outermost; segments innermost).
    ``biases``: ``(n_quantiles, c, f)``, or ``(n_quantiles, m, c, f)`` per series.

    ``spread``: None, or divisors ``(m, c, 1, 1)`` (positive): the responses pooled are
    then ``Z / spread`` (the standardized representation), never formed: the
    :data:`SCALING_STATISTICS` and ``mpv`` are those of ``Z`` divided by ``spread``, and
    ``Z / spread > b`` is taken as ``Z > b * spread`` (equal to round-off). ``memo``: a
    dict shared by the calls that pool the same ``Z`` (the raw and the standardized first
    differences of one chunk): the statistics of ``Z`` that do not depend on a threshold
    are computed once and kept there.

    Every statistic is one per channel and response (``peak`` and ``hydra``: per group
    of responses), so ``Z`` is pooled in blocks of channels and whole groups of at most
    :data:`POOL_BLOCK_BYTES` (:func:`_pool_blocks`), whose statistics are joined along
    the channel and response axes.
    """
    memo = {} if memo is None else memo
    blocks = _pool_blocks(Z.shape, Z.itemsize, groups)
    parts = {}  # per block of channels: per block of responses, the statistics' blocks
    for channels, responses, block_groups in blocks:
        block_biases = None if biases is None else biases[..., channels, responses]
        block_spread = None if spread is None else spread[:, channels]
        key = (channels.start, responses.start)
        block_memo = memo if len(blocks) == 1 else memo.setdefault(key, {})
        parts.setdefault(channels.start, []).append(_pool_block(
            Z[:, channels, responses], lengths, statistics, block_biases, block_groups,
            n_segments, block_spread, block_memo,
        ))  # fmt: skip
    by_channels = [
        [_joined(pieces, axis=2) for pieces in zip(*part, strict=True)] for part in parts.values()
    ]
    m = Z.shape[0]
    return np.concatenate(
        [_joined(stat, axis=1).reshape(m, -1) for stat in zip(*by_channels, strict=True)], axis=1
    )


def _joined(arrays, axis):
    """``arrays`` concatenated along ``axis``; one array as it is (no copy)."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=axis)


def _pool_blocks(shape, itemsize, groups):
    """``(channels, responses, groups)`` per block of :func:`_pool`: slices of the
    channel and response axes, and the groups within the block (shifted to its columns).

    The whole of ``Z`` when it holds at most :data:`POOL_BLOCK_BYTES`; else blocks of
    whole channels of at most that size, or, where one channel is larger, each channel
    cut into runs of responses between groups (a group is never cut: one larger than
    the budget is a block of its own).
    """
    m, c, f, t = shape
    per_response = m * t * itemsize
    if c * f * per_response <= POOL_BLOCK_BYTES:
        return [(slice(0, c), slice(0, f), groups)]
    if f * per_response <= POOL_BLOCK_BYTES:
        step = POOL_BLOCK_BYTES // (f * per_response)
        return [(slice(i, min(i + step, c)), slice(0, f), groups) for i in range(0, c, step)]
    inside = np.zeros(f + 1, dtype=bool)  # inside[p]: one group holds columns p - 1 and p
    for group in groups:
        inside[group[0] + 1 : group[-1] + 1] = True
    per_block = POOL_BLOCK_BYTES // per_response  # responses
    cuts = [0]
    previous = 0  # the last place a cut may go
    for p in [p for p in range(1, f + 1) if p == f or not inside[p]]:
        if p - cuts[-1] > per_block and previous > cuts[-1]:
            cuts.append(previous)  # the responses up to p would not fit: cut before
        previous = p
    ranges = [slice(start, stop) for start, stop in zip(cuts, cuts[1:] + [f], strict=True)]
    shifted = [tuple(g - r.start for g in groups if r.start <= g[0] < r.stop) for r in ranges]
    return [
        (slice(i, i + 1), r, block_groups)
        for i in range(c)
        for r, block_groups in zip(ranges, shifted, strict=True)
    ]


def _pool_block(Z, lengths, statistics, biases, groups, n_segments, spread, memo):
    """The statistics' blocks ``(m, c, f, ...)`` of :func:`_pool` for one block of ``Z``
    (``memo``: the block's dict of threshold-free statistics, kept by :func:`_pool`)."""
    m, t = Z.shape[0], Z.shape[-1]
    equal = bool((lengths == t).all())  # no padding in this chunk: no masking needed
    valid = None if equal else (np.arange(t)[None, :] < lengths[:, None])[:, None, None, :]
    count = lengths[:, None, None].astype(Z.dtype)
    if spread is not None and biases is not None:
        per_series = biases if biases.ndim == 4 else biases[:, None]  # (n_q, m, c, f)
        biases = per_series * spread[..., 0]  # Z / s > b  <=>  Z > b s

    def scaled(block):
        if spread is None:
            return block
        return block / spread.reshape(m, -1, *([1] * (block.ndim - 2)))

    blocks = []
    shared = None
    if any(stat in THRESHOLD_STATISTICS for stat in statistics):
        # (c, f), or (m, c, f) for scaled series, per block of each statistic
        thresholds = _operator_thresholds(biases.astype(Z.dtype), groups)
        # a comparison used by several blocks (MultiRocket's operators) is made once
        keys = [k for s in statistics if s in THRESHOLD_STATISTICS for k, _ in thresholds(s)]
        shared = {k for k in keys if keys.count(k) > 1}
    comparisons, masks = {}, {}
    # the comparison used by one block only is written to one buffer for all of them:
    # a fresh mask per threshold can be fresh memory, whose first writes cost more than
    # the comparison (fit+predict of 60 + 60 MotorImagery-like series, five alternating
    # runs each: 12.7 s with a mask per threshold, 12.0 s so; session 50)
    scratch = np.empty(Z.shape, dtype=bool) if shared is not None else None
    masked = sum(stat in MASK_STATISTICS for stat in statistics) > 1  # one mask for both
    for stat in statistics:
        if stat in THRESHOLD_STATISTICS:
            for key, bias in thresholds(stat):
                bias = bias[..., None]
                if key not in shared:
                    comparison = _above(Z, bias, valid, out=scratch)
                elif key in comparisons:
                    comparison = comparisons[key]
                else:
                    comparison = comparisons[key] = _above(Z, bias, valid)
                mask = None
                if masked and stat in MASK_STATISTICS:
                    if key not in masks:
                        masks[key] = _float_mask(comparison[0], Z.dtype)
                    mask = masks[key]
                block = _threshold_statistic(stat, Z, bias, valid, count, comparison, mask)
                blocks.append(scaled(block) if stat == "mpv" else block)
            continue
        if stat not in memo:
            memo.update(_unscaled_statistic(stat, Z, lengths, statistics, groups, n_segments,
                                            equal, valid, count))  # fmt: skip
        blocks.append(scaled(memo[stat]) if stat in SCALING_STATISTICS else memo[stat])
    return blocks


def _unscaled_statistic(stat, Z, lengths, statistics, groups, n_segments, equal, valid, count):
    """``{name: block}`` holding ``stat`` (not a threshold statistic) of ``Z``; the
    moment statistics come together (:func:`_moments`, those of ``statistics``)."""
    if stat in MOMENT_STATISTICS:
        return _moments(Z, lengths, statistics, n_segments)
    if stat == "max":
        return {stat: (Z if equal else np.where(valid, Z, -np.inf)).max(axis=-1)}
    if stat == "min":
        return {stat: (Z if equal else np.where(valid, Z, np.inf)).min(axis=-1)}
    if stat == "last":
        last = (lengths - 1)[:, None, None, None]
        return {stat: np.take_along_axis(Z, last, axis=-1)[..., 0]}
    if stat == "peak":
        return {stat: _peak(Z, groups, valid)}
    return {stat: _competing_counts(Z, groups, valid, count)}  # "hydra"
