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
#: Statistics that give one feature per segment (``n_segments`` of them).
SEGMENT_STATISTICS = ("segment_mean", "segment_std")
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
    """Per-segment mean and standard deviation of each response (0 for an empty one)."""
    edges = segment_edges(lengths, n_segments)
    if (edges == edges[:1]).all():  # one length in this chunk: plain slices, no masks
        return _shared_segment_pool(Z, edges[0], want_mean, want_std)
    steps = np.arange(Z.shape[1])[None, :]
    means, stds = [], []
    for k in range(n_segments):
        inside = ((steps >= edges[:, k, None]) & (steps < edges[:, k + 1, None]))[..., None, None]
        count = np.maximum(edges[:, k + 1] - edges[:, k], 1)[:, None, None].astype(np.float64)
        mean = np.where(inside, Z, 0.0).sum(axis=1) / count
        means.append(mean)
        if want_std:
            centred = np.where(inside, Z - mean[:, None], 0.0)
            stds.append(np.sqrt(np.einsum("mtcf,mtcf->mcf", centred, centred) / count))
    # (m, c, f, n_segments): one block per statistic, channel-major, segments innermost
    return (
        np.stack(means, axis=-1) if want_mean else None,
        np.stack(stds, axis=-1) if want_std else None,
    )


def _shared_segment_pool(Z, edges, want_mean, want_std):
    """:func:`_segment_pool` when every series has the same segment ``edges``."""
    means, stds = [], []
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        segment = Z[:, start:stop]
        empty = np.zeros((Z.shape[0], *Z.shape[2:]))
        mean = segment.mean(axis=1) if stop > start else empty
        means.append(mean)
        if want_std:
            stds.append(
                np.sqrt(np.mean((segment - mean[:, None]) ** 2, axis=1)) if stop > start else empty
            )
    return (
        np.stack(means, axis=-1) if want_mean else None,
        np.stack(stds, axis=-1) if want_std else None,
    )


def _pool(Z, lengths, statistics, biases, groups, n_segments=DEFAULT_SEGMENTS):
    m, t = Z.shape[:2]
    equal = bool((lengths == t).all())  # no padding in this chunk: no masking needed
    valid = (np.arange(t)[None, :] < lengths[:, None])[:, :, None, None]
    count = lengths[:, None, None].astype(np.float64)
    rows = np.arange(m)
    blocks = []
    mean = None
    segments = None
    for stat in statistics:
        if stat in SEGMENT_STATISTICS and segments is None:
            segments = _segment_pool(
                Z,
                lengths,
                n_segments,
                "segment_mean" in statistics,
                "segment_std" in statistics,
            )
        if stat in ("mean", "std") and mean is None:
            mean = (Z if equal else np.where(valid, Z, 0.0)).sum(axis=1) / count
        if stat == "mean":
            blocks.append(mean)
        elif stat == "std":
            centred = Z - mean[:, None]
            if not equal:
                centred = np.where(valid, centred, 0.0)
            blocks.append(np.sqrt(np.einsum("mtcf,mtcf->mcf", centred, centred) / count))
        elif stat == "max":
            blocks.append((Z if equal else np.where(valid, Z, -np.inf)).max(axis=1))
        elif stat == "min":
            blocks.append((Z if equal else np.where(valid, Z, np.inf)).min(axis=1))
        elif stat == "ppv":
            for bias in biases:  # (c, f), or (m, 1, c, f) for scaled series
                above = Z > bias
                if not equal:
                    above &= valid
                blocks.append(np.count_nonzero(above, axis=1) / count)
        elif stat == "last":
            blocks.append(Z[rows, lengths - 1])
        elif stat == "peak":
            peak = np.empty(Z.shape[:1] + Z.shape[2:])
            for group in groups:
                Zg = Z[..., group]
                energy = np.einsum("mtcg,mtcg->mtc", Zg, Zg)
                if not equal:
                    energy = np.where(valid[..., 0], energy, -np.inf)  # (m, t, c)
                when = energy.argmax(axis=1)  # (m, c); first maximum on ties
                peak[..., group] = np.take_along_axis(Zg, when[:, None, :, None], axis=1)[:, 0]
            blocks.append(peak)
        elif stat == "segment_mean":
            blocks.append(segments[0])
        elif stat == "segment_std":
            blocks.append(segments[1])
    return np.concatenate([b.reshape(m, -1) for b in blocks], axis=1)
