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
#: length) and Hydra's competing counts (``"hydra"``: per group of responses, the
#: fraction of steps at which each response is the group's largest).
EXTRA_STATISTICS = ("mpv", "mipv", "lspv", "hydra")
#: Every statistic name :func:`~sksssm.spectral.fit_pooling` accepts.
ALL_STATISTICS = STATISTICS + EXTRA_STATISTICS
#: Statistics that give one feature per segment (``n_segments`` of them).
SEGMENT_STATISTICS = ("segment_mean", "segment_std")
#: Statistics that give one feature per ``ppv`` threshold (quantile).
THRESHOLD_STATISTICS = ("ppv", "mpv", "mipv", "lspv")
#: Statistics that do not scale with the series (``f(r x) != r f(x)``): counts,
#: positions and run lengths.
SCALE_FREE_STATISTICS = ("ppv", "mipv", "lspv", "hydra")
#: Default number of equal segments of each series for the ``segment_*`` statistics.
DEFAULT_SEGMENTS = 4


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


def _segment_pool(Z, lengths, n_segments, want_mean, want_std):
    """Per-segment mean and standard deviation of each response (0 for an empty one).

    ``Z`` is ``(m, c, f, t)``; returns two ``(m, c, f, n_segments)`` arrays (or None).
    """
    edges = segment_edges(lengths, n_segments)
    shared = bool((edges == edges[:1]).all())  # one length in this chunk: plain slices
    steps = np.arange(Z.shape[-1])
    means, stds = [], []
    for k in range(n_segments):
        if shared:
            segment = Z[..., edges[0, k] : edges[0, k + 1]]
        else:
            inside = (steps >= edges[:, k, None]) & (steps < edges[:, k + 1, None])
            segment = np.where(inside[:, None, None, :], Z, 0)
        count = np.maximum(edges[:, k + 1] - edges[:, k], 1)[:, None, None].astype(Z.dtype)
        mean = segment.sum(axis=-1) / count
        means.append(mean)
        if want_std:
            centred = segment - mean[..., None]
            if not shared:
                centred = np.where(inside[:, None, None, :], centred, 0)
            stds.append(np.sqrt(np.einsum("mcft,mcft->mcf", centred, centred) / count))
    return (
        np.stack(means, axis=-1) if want_mean else None,
        np.stack(stds, axis=-1) if want_std else None,
    )


def _peak(Z, groups, valid):
    """Per group, the responses at the step where the group's energy is largest."""
    peak = np.empty(Z.shape[:-1], dtype=Z.dtype)
    for group in groups:
        Zg = Z[:, :, group[0] : group[-1] + 1]  # groups are contiguous columns
        energy = np.einsum("mcgt,mcgt->mct", Zg, Zg)
        if valid is not None:
            energy = np.where(valid[:, :, 0], energy, -np.inf)
        when = energy.argmax(axis=-1)  # (m, c); first maximum on ties
        peak[:, :, group[0] : group[-1] + 1] = np.take_along_axis(
            Zg, when[:, :, None, None], axis=-1
        )[..., 0]
    return peak


def _threshold_statistic(stat, Z, bias, valid, count):
    """One of :data:`THRESHOLD_STATISTICS` of ``Z`` ``(m, c, f, t)`` for one threshold."""
    above = Z > bias
    if valid is not None:
        above &= valid
    n_above = above.sum(axis=-1, dtype=np.intp)
    if stat == "ppv":
        return n_above / count
    if stat == "mpv":
        excess = np.where(above, Z - bias, 0).sum(axis=-1)
        return excess / np.maximum(n_above, 1)
    if stat == "mipv":
        t = Z.shape[-1]
        position = np.where(above, np.arange(t, dtype=Z.dtype), 0).sum(axis=-1)
        return np.where(n_above > 0, position / np.maximum(n_above, 1) / count, -1.0)
    # "lspv": run length at each step (steps since the last step not above), its maximum
    steps = np.arange(1, Z.shape[-1] + 1, dtype=np.int32)
    last_below = np.maximum.accumulate(np.where(above, 0, steps), axis=-1)
    return (steps - last_below).max(axis=-1) / count


def _competing_counts(Z, groups, valid, count):
    """Per group, the fraction of valid steps at which each response is the largest."""
    counts = np.empty(Z.shape[:-1], dtype=Z.dtype)
    for group in groups:
        Zg = Z[:, :, group[0] : group[-1] + 1]
        wins = Zg == Zg.max(axis=2, keepdims=True)
        if valid is not None:
            wins &= valid
        counts[:, :, group[0] : group[-1] + 1] = wins.sum(axis=-1) / count
    return counts


def _pool(Z, lengths, statistics, biases, groups, n_segments=DEFAULT_SEGMENTS):
    """Pool responses ``Z`` ``(m, c, f, t)`` over each series' valid steps.

    Returns ``(m, n_columns)``: one block per statistic in ``statistics`` order, each
    channel-major ``(c, f)`` (``ppv``: one block per bias; segments innermost).
    ``biases``: ``(n_quantiles, c, f)``, or ``(n_quantiles, m, c, f)`` per series.
    """
    m, t = Z.shape[0], Z.shape[-1]
    equal = bool((lengths == t).all())  # no padding in this chunk: no masking needed
    valid = None if equal else (np.arange(t)[None, :] < lengths[:, None])[:, None, None, :]
    count = lengths[:, None, None].astype(Z.dtype)
    blocks = []
    mean = segments = None
    for stat in statistics:
        if stat in SEGMENT_STATISTICS and segments is None:
            want = ("segment_mean" in statistics, "segment_std" in statistics)
            segments = _segment_pool(Z, lengths, n_segments, *want)
        if stat in ("mean", "std") and mean is None:
            mean = (Z if equal else np.where(valid, Z, 0)).sum(axis=-1) / count
        if stat == "mean":
            blocks.append(mean)
        elif stat == "std":
            centred = Z - mean[..., None]
            if not equal:
                centred = np.where(valid, centred, 0)
            blocks.append(np.sqrt(np.einsum("mcft,mcft->mcf", centred, centred) / count))
        elif stat == "max":
            blocks.append((Z if equal else np.where(valid, Z, -np.inf)).max(axis=-1))
        elif stat == "min":
            blocks.append((Z if equal else np.where(valid, Z, np.inf)).min(axis=-1))
        elif stat in THRESHOLD_STATISTICS:
            for bias in biases.astype(Z.dtype):  # (c, f), or (m, c, f) for scaled series
                blocks.append(_threshold_statistic(stat, Z, bias[..., None], valid, count))
        elif stat == "last":
            last = (lengths - 1)[:, None, None, None]
            blocks.append(np.take_along_axis(Z, last, axis=-1)[..., 0])
        elif stat == "peak":
            blocks.append(_peak(Z, groups, valid))
        elif stat == "hydra":
            blocks.append(_competing_counts(Z, groups, valid, count))
        elif stat == "segment_mean":
            blocks.append(segments[0])
        elif stat == "segment_std":
            blocks.append(segments[1])
    return np.concatenate([b.reshape(m, -1) for b in blocks], axis=1)
