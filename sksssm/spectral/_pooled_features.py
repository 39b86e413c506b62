"""Pooled features of series in chunks: responses once, then every pooling's statistics.

:func:`pooled_features` (one pooling) and :func:`pooled_features_shared` (several
poolings of one filter bank, sharing the FFTs) walk the series in chunks ordered by
length; each chunk's responses (:func:`~sksssm.spectral._filter_bank._shared_responses`)
are pooled over time (:func:`~sksssm.spectral._segment_stats._pool`), followed by the
``normalise`` scale features and the cross-channel block. The column order is
:meth:`~sksssm.spectral.PoolingState.column_blocks`.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from ._cross_channel import _cross_features
from ._filter_bank import _shared_responses
from ._pooling_state import N_SCALE_FEATURES, PoolingState
from ._segment_stats import _pool
from ._sequences import _prepare, _scale_features
from ._shared_banks import response_sources

#: Memory budget of one chunk's responses and FFT intermediates (bytes). Small on
#: purpose: the statistics make a dozen passes over the responses, which stay in the
#: CPU cache when a chunk is a few MiB (measured 4x faster than 128 MiB chunks, whose
#: every temporary is fresh memory).
CHUNK_BUDGET_BYTES = 8 * 2**20


def _chunk_rows(n_timesteps, n_channels, n_bank, chunk_size, dtype="float64"):
    if chunk_size is not None:
        return max(int(chunk_size), 1)
    # responses + rfft of the input and the product (complex, ~1x each) + masks
    per_row = 4 * np.dtype(dtype).itemsize * n_timesteps * n_channels * n_bank
    return max(CHUNK_BUDGET_BYTES // max(per_row, 1), 1)


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
        Series per chunk; None: from
        :data:`~sksssm.spectral._pooled_features.CHUNK_BUDGET_BYTES`. The result does
        not depend on it.
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
    """:func:`pooled_features` of several poolings of the same series, sharing the FFTs.

    The poolings (from :func:`fit_pooling` on the same series with the same filter
    parameters; ``normalise``, ``statistics``, thresholds, ``cross``, ``differences`` and
    the filter bank's ``dilation`` may differ) share their filter responses: those of the
    series centred on their means and of their first differences are computed once per
    distinct filter bank (:func:`~sksssm.spectral._shared_banks.response_sources`), the
    first differences' only where a pooling of that bank reads them, and each pooling's
    representation, raw or standardized, is derived from its own columns by one scaling
    pass
    (:func:`~sksssm.spectral._filter_bank._shared_responses`). The same features as
    :func:`pooled_features` of each, to the round-off of ``dtype``.

    Returns
    -------
    list of ndarray
        One ``(n_samples, state.n_features)`` array per pooling.
    """
    states = tuple(states)  # a ValueError unless they filter the same inputs alike
    outs, scale = _pooled_features_of(states, X_btc, lengths, chunk_size)
    return [_scaled_back(out, state, scale) for out, state in zip(outs, states, strict=True)]


def _pooled_features_of(states, X_btc, lengths, chunk_size):
    """The features of each pooling of ``states`` (filtering the same inputs), divided
    by ``r``.

    Every pooling's responses are derived from those of the centred series and of the
    first differences (:func:`~sksssm.spectral._filter_bank._shared_responses`), one
    pooling or several: the same arithmetic whichever poolings are computed together,
    so training and prediction features agree to the FFT's batch round-off. The
    responses are computed once per source
    (:func:`~sksssm.spectral._shared_banks.response_sources`: one per distinct filter
    bank); a pooling with a subset of its source's responses (such as a head reduced
    to the positive-branch filters) is pooled from those columns. Returns ``(outs, r)``.
    """
    sources, reads = response_sources(states)
    source = sources[0]
    X_btc, lengths = _prepare(X_btc, lengths, source.n_channels)
    n_samples, n_timesteps, n_channels = X_btc.shape
    outs = [np.empty((n_samples, state.n_features)) for state in states]
    # sized by the largest bank's responses: the statistics pass over one bank's at a
    # time, which stay in the CPU cache (two banks hold twice the budget at once; sized
    # by their sum, short series take twice the chunks, whose fixed cost per chunk costs
    # more than the cache saves: dilation="raw" predict on FaceAll 2.52 s against 2.35 s)
    n_responses = max(other.n_responses for other in sources)
    rows = _chunk_rows(n_timesteps, n_channels, n_responses, chunk_size, source.dtype)
    # Series in order of length (stable), each chunk cut at its longest series: unequal
    # lengths cost what the series hold, not what the padding holds. Causality makes the
    # cut exact.
    order = np.argsort(lengths, kind="stable")
    scale = np.ones(n_samples)
    caches = [{} for _ in sources]
    lag_weights = {}  # per bank, the cross block's weights per FFT size: kept across chunks
    zeros = [state.zero_columns() for state in states]  # the layout's, once per call
    # the first differences are an input if some pooling reads them; each reads only
    # the kinds it pools (a bank none of whose readers pools them never filters them)
    differences = any(state.differences for state in states)
    for start in range(0, n_samples, rows):
        idx = order[start : start + rows]
        written = _contiguous(idx)  # the rows of the outputs the chunk writes
        chunk_lengths = lengths[idx]
        chunk = X_btc[idx, : chunk_lengths.max()]
        r = _shrinking_scale(chunk)
        scale[idx] = r
        if (r != 1.0).any():
            chunk = chunk / r[:, None, None]
        filled = np.where(np.isnan(chunk), 0.0, chunk)
        representation = _shared_responses(filled, chunk_lengths, sources, caches, differences)
        # the cross block of one chunk, shared by poolings with the same pairs and bank;
        # the statistics of the first differences' responses, shared by both
        # representations (the standardized ones are the raw ones divided by the spread)
        cross, memos = {}, {}
        for state, out, (k, taken), zero in zip(states, outs, reads, zeros, strict=True):
            n_kinds = state.n_kinds
            responses = representation(k, state.normalise, taken, deferred=True, kinds=n_kinds)
            bank = None if taken is None else taken[: state.bank.shape[1]].tobytes()
            # the cross block has a kind per input kind too: shared by the same kinds
            shared = cross.setdefault((k, bank, n_kinds), {})
            # shared only where the responses and the segments are the same
            key = (k, None if taken is None else taken.tobytes(), state.n_segments)
            memo = memos.setdefault(key, {})
            weights = lag_weights.setdefault((k, bank), {})
            _pool_chunk(
                out, written, chunk, chunk_lengths, r, state, responses, shared, memo, weights
            )
            out[written if isinstance(written, slice) else idx[:, None], zero] = 0.0
    return outs, scale


def _contiguous(idx):
    """``idx`` as a slice when it is a run of consecutive rows (every chunk of series of
    one length: the order by length is then the identity), else unchanged.

    A slice writes the chunk's float32 features into the float64 matrix in one cast
    copy; a fancy index must go row by row (:func:`_pool_chunk`). On a 10-channel set of
    400 steps the row-by-row writes took about a tenth of fit+predict (profile).
    """
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx) and (np.diff(idx) == 1).all():
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def _pool_chunk(out, idx, chunk, chunk_lengths, r, state, responses, cross, memo, lag_weights):
    """Write the pooled features of one chunk of series into the rows ``idx`` of ``out``
    (an index array, or a slice where the rows are consecutive: :func:`_contiguous`).

    ``responses``: ``(responses, divisor)`` per kind
    (:func:`~sksssm.spectral._filter_bank._shared_responses`, ``deferred``); ``memo``: the
    statistics of the first differences' responses, shared with the other poolings of
    the chunk that use the same columns (:func:`~sksssm.spectral._segment_stats._pool`);
    ``lag_weights``: the cross block's weights of the state's bank, kept across chunks
    (:func:`~sksssm.spectral._cross_channel._cross_features`).
    """
    n_channels = state.n_channels
    n_scale = N_SCALE_FEATURES * n_channels if state.normalise else 0
    n_cross = state.n_cross_features
    # out has the pooling's columns: its width, not state.n_features, which derives the
    # whole column layout again (measurable once per chunk of one long series)
    n_per_kind = (out.shape[1] - n_scale - n_cross) // state.n_kinds
    for kind, (Z, divisor) in enumerate(responses):
        biases = None if state.biases is None else state.biases[kind]
        # Z(x / r) > b / r  <=>  Z(x) > b; standardized series do not depend on r
        if biases is not None and not state.normalise and (r != 1.0).any():
            biases = biases[:, None] / r[None, :, None, None]
        pooled = _pool(
            Z, chunk_lengths, state.statistics, biases, state.groups, state.n_segments,
            spread=divisor, memo=memo if kind > 0 else None,
        )  # fmt: skip
        columns = slice(kind * n_per_kind, (kind + 1) * n_per_kind)
        if isinstance(idx, slice):
            out[idx, columns] = pooled
            continue
        # row by row: a fancy-indexed assignment that also casts (float32 features into
        # the float64 matrix) goes element by element, several times slower (measured)
        for row, i in enumerate(idx):
            out[i, columns] = pooled[row]
    if n_scale:
        end = out.shape[1] - n_cross
        scale_features = _scale_features(np.where(np.isnan(chunk), 0.0, chunk), chunk_lengths)
        scale_features[:, n_channels:] += np.log(r)[:, None]  # log std(x/r) + log r
        out[idx, end - n_scale : end] = scale_features
    if n_cross:
        key = state.cross_pairs.tobytes()
        if key not in cross:
            cross[key] = _cross_features(chunk, chunk_lengths, state, lag_weights)
        out[idx, out.shape[1] - n_cross :] = cross[key]
