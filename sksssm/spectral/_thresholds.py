"""The ``ppv`` thresholds: quantiles of the training responses, fitted once.

:func:`threshold_series` picks the training series whose responses give the thresholds
(also used by callers holding data out of memory), :func:`_fit_biases` gathers evenly
spaced valid steps of their responses and takes the quantiles block by block of
responses (:func:`_quantile_thresholds`, :func:`_quantiles_and_largest`), raised by a
round-off margin.
"""

from __future__ import annotations

import numpy as np

from ._filter_bank import _centred_responses, _represented, _step_responses
from ._pooled_features import _chunk_rows
from ._segment_stats import ROUNDOFF_MARGIN

#: Memory budget of the responses gathered for the ``ppv`` thresholds
#: (:func:`threshold_series`).
THRESHOLD_BUDGET_BYTES = 128 * 2**20
#: Precisions of the responses (:func:`fit_pooling`'s ``dtype``).
DTYPES = tuple(ROUNDOFF_MARGIN)
#: Series used to fit the ``ppv`` biases (evenly spaced over the training set).
MAX_BIAS_SAMPLES = 128
#: Time steps (evenly spaced among those series' valid steps) per quantile.
MAX_BIAS_ROWS = 2**14
#: Memory budget of one block of responses whose quantiles are taken together
#: (:func:`_quantile_thresholds`): a few MiB, so that it is scaled and partitioned in the
#: CPU cache.
QUANTILE_BLOCK_BYTES = 4 * 2**20


def threshold_series(shape, n_responses) -> np.ndarray:
    """Indices of the series whose responses give the ``ppv`` thresholds.

    Evenly spaced series, as many as fit :data:`THRESHOLD_BUDGET_BYTES` (at most
    :data:`MAX_BIAS_SAMPLES`), for data of ``shape`` ``(n_samples, n_timesteps,
    n_channels)``. :func:`fit_pooling` on exactly these series chooses all of them, so a
    caller holding the data out of memory (Dask) can fetch only these and get the same
    thresholds.

    Examples
    --------
    >>> from sksssm.spectral._thresholds import threshold_series
    >>> threshold_series((1000, 50, 1), 10)[:3].tolist()
    [0, 8, 16]
    """
    n, n_timesteps, n_channels = shape
    per_series = 8 * n_timesteps * n_channels * n_responses
    n_bias = min(n, MAX_BIAS_SAMPLES, max(THRESHOLD_BUDGET_BYTES // per_series, 1))
    return np.unique(np.linspace(0, n - 1, n_bias).round().astype(int))


def _fit_biases(X_btc, lengths, states, chunk_size):
    """The ``ppv`` thresholds ``(n_kinds, n_quantiles, c, n_responses)`` of each pooling.

    ``states`` share one filter bank, its mixtures and ``dtype`` and may differ in
    ``normalise``, ``quantiles`` and ``differences`` (the raw and the standardized
    representations of ``normalise="loo"``, the first differences pooled by the
    standardized one alone with ``differences="standardized"``); returns one array per
    state, ``n_kinds`` its own (the first differences' responses are computed when some
    state pools them; a state's thresholds do not depend on the others'). Quantiles of
    each response over evenly spaced valid steps (at most :data:`MAX_BIAS_ROWS`,
    numbered over the :func:`threshold_series` in order) of those series: quantiles stay
    cheap, and only those steps are gathered. The responses are computed once for every
    state: those of the centred series are gathered, with each step's series level and
    spread, and each representation is derived from them by the features' own formula
    (:func:`~sksssm.spectral._filter_bank._represented`), so the thresholds are the
    quantiles of the responses that :func:`pooled_features` compares with them (exactly
    for the raw representation; for the standardized one it compares the undivided
    responses with ``bias * spread``, equal to round-off, which the thresholds' margin
    :data:`ROUNDOFF_MARGIN` covers).
    """
    first = states[0]
    chosen = threshold_series(X_btc.shape, first.n_responses)
    rows = _chunk_rows(X_btc.shape[1], X_btc.shape[2], first.n_responses, chunk_size, first.dtype)
    total = int(lengths[chosen].sum())
    kept = np.arange(total)
    if total > MAX_BIAS_ROWS:
        kept = np.linspace(0, total - 1, MAX_BIAS_ROWS).astype(int)
    # the kept steps of each chosen series, numbered within it
    offsets = np.concatenate([[0], np.cumsum(lengths[chosen])])
    bounds = np.searchsorted(kept, offsets)
    steps = {int(i): kept[bounds[j] : bounds[j + 1]] - offsets[j] for j, i in enumerate(chosen)}
    # the kept steps of every kind written in place (no list of pieces to concatenate),
    # with each step's series level and spread per channel and its time step
    widest = max(states, key=lambda state: state.n_kinds)  # every kind pooled
    n_kinds = widest.n_kinds
    n_channels = X_btc.shape[2]
    centred = np.empty((n_kinds, n_channels, first.n_responses, len(kept)), first.dtype)
    level = np.empty((n_channels, 1, len(kept)), first.dtype)
    spread = np.empty_like(level)
    times = np.empty(len(kept), dtype=np.intp)
    cache = {}
    for start in range(0, len(chosen), rows):
        idx = chosen[start : start + rows]
        chunk = X_btc[idx, : lengths[idx].max()]
        filled = np.where(np.isnan(chunk), 0.0, chunk)
        kinds, means, spreads = _centred_responses(filled, lengths[idx], widest, cache)
        for j, i in enumerate(idx):
            where = slice(bounds[start + j], bounds[start + j + 1])
            kept_steps = steps[i]
            if len(kept_steps) == 0:
                continue
            level[:, 0, where] = means[j][:, None]
            spread[:, 0, where] = spreads[j][:, None]
            times[where] = kept_steps
            first_step, last_step = int(kept_steps[0]), int(kept_steps[-1])
            for kind, Z in enumerate(kinds):
                if last_step - first_step + 1 == len(kept_steps):  # every step: a slice copy
                    centred[kind, ..., where] = Z[j][..., first_step : last_step + 1]
                    continue
                # fancy indexing: np.take along the last axis copies one element at a time
                centred[kind, ..., where] = Z[j][..., kept_steps]
    step = _step_responses(first, int(lengths[chosen].max()), cache)[:, times]
    return [_quantile_thresholds(centred, level, spread, step, state) for state in states]


def _quantile_thresholds(centred, level, spread, step, state):
    """``state``'s thresholds ``(n_kinds, n_quantiles, c, n_responses)`` from the gathered
    centred responses ``centred`` ``(n_gathered_kinds, c, n_responses, n_kept)`` (its
    first ``state.n_kinds``).

    By blocks of responses of one channel (at most :data:`QUANTILE_BLOCK_BYTES`): each
    block's representation is written into one reused buffer and its quantiles taken
    there (reordering it), so the representation is never formed whole (no second array
    as large as ``centred``, which is left as it is for the next state) and each block is
    scaled and partitioned while it is in the CPU cache.
    """
    _, n_channels, n_responses, n_kept = centred.shape
    n_kinds = state.n_kinds
    rows = max(QUANTILE_BLOCK_BYTES // (n_kept * centred.itemsize), 1)
    buffer = np.empty((1, min(rows, n_responses), n_kept), centred.dtype)
    biases = np.empty((n_kinds, len(state.quantiles), n_channels, n_responses))
    for kind in range(n_kinds):
        for channel in range(n_channels):
            at = slice(channel, channel + 1)  # the channel axis kept: _represented's shapes
            for start in range(0, n_responses, rows):
                block = slice(start, start + rows)
                Z = centred[kind, at, block]
                values = _represented(
                    Z,
                    kind,
                    level[at],
                    spread[at],
                    step[block],
                    state.normalise,
                    buffer[:, : Z.shape[1]],
                )[0]
                quantiles, largest = _quantiles_and_largest(values, state.quantiles)
                # Raised by a round-off margin: responses that equal a quantile exactly in
                # exact arithmetic (zeros of constant stretches, the zero first difference
                # at t = 0) then fall below it whatever the FFT round-off (chunking, length).
                biases[kind, :, channel, block] = (
                    quantiles + ROUNDOFF_MARGIN[state.dtype] * largest
                )
    return biases


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
