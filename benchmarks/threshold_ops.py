"""MultiRocket's pooling operators in an efficient NumPy form, and what they cost.

Issue 21, session 35. The classifier's ``"mpv"``, ``"mipv"`` and ``"lspv"`` statistics
(:func:`sksssm.spectral._segment_stats._threshold_statistic`) each redo the comparison
``Z > b`` that ``"ppv"`` already made, and go through ``np.where`` temporaries of the full
response size. :func:`fast_threshold_statistic` is a drop-in replacement (same arguments,
same numbers up to float32 rounding) proposed for porting:

- the comparison and its count are made once per (chunk, threshold), by ``"ppv"``, and
  reused by the other operators (:class:`_LastComparison`);
- ``"mpv"``: ``max(Z - b, 0)`` summed over time, divided by the count (no mask needed:
  ``max(z - b, 0) > 0`` exactly where ``z > b``; padded steps masked only when present);
- ``"mipv"``: the mask as float32 times ``arange(t)``, one BLAS matrix-vector product;
- ``"lspv"``: the longest run from the run boundaries (``np.diff`` of the mask padded with
  a ``False`` step, ``flatnonzero`` of starts and ends, ``np.maximum.reduceat`` per row):
  work in the number of runs, not in 32-bit passes over every step.

The benchmark captures one chunk of responses from a real fit (the pooling of the
default classifier on one development set), checks that each fast form matches the
library's, and times both on that chunk, relative to ``"ppv"`` (which the default
computes at every threshold already). Prints a table; writes nothing.

Usage::

    python -m benchmarks.threshold_ops [SET]      # default set: CricketX
"""

from __future__ import annotations

import sys
import time

import numpy as np

#: The masks ``Z > b`` (and their counts) of the last chunk compared, per threshold ``b``.
#: Holding ``Z`` itself keeps its ``id`` from being reused while the entries live.
_LAST = {"Z": None, "valid": None, "masks": {}}


def _comparison(Z, bias, valid):
    """``(Z > b) & valid`` and its count along time, made once per chunk and threshold."""
    if _LAST["Z"] is not Z or _LAST["valid"] is not valid:
        _LAST.update(Z=Z, valid=valid, masks={})
    key = bias.tobytes()
    if key not in _LAST["masks"]:
        above = Z > bias
        if valid is not None:
            above &= valid
        counter = np.uint16 if Z.shape[-1] <= np.iinfo(np.uint16).max else np.int32
        n_above = np.add.reduce(above.view(np.uint8), axis=-1, dtype=counter).astype(np.intp)
        _LAST["masks"][key] = above, n_above
    return _LAST["masks"][key]


def _forget():
    _LAST.update(Z=None, valid=None, masks={})


def _longest_run(above):
    """Longest run of ``True`` along the last axis of ``above`` (any shape)."""
    t = above.shape[-1]
    rows = above.reshape(-1, t)
    padded = np.zeros((rows.shape[0], t + 2), dtype=np.int8)
    padded[:, 1:-1] = rows.view(np.int8)
    edges = np.diff(padded.ravel())
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # a run never crosses a row: each ends in a pad
    longest = np.zeros(rows.shape[0], dtype=np.intp)
    if starts.size:
        row = starts // (t + 2)
        first = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
        longest[row[first]] = np.maximum.reduceat(ends - starts, first)
    return longest.reshape(above.shape[:-1])


def fast_threshold_statistic(stat, Z, bias, valid, count):
    """:func:`~sksssm.spectral._segment_stats._threshold_statistic`, efficiently."""
    above, n_above = _comparison(Z, bias, valid)
    if stat == "ppv":
        return n_above / count
    if stat == "mpv":
        excess = Z - bias
        np.maximum(excess, 0, out=excess)
        if valid is not None:
            excess *= valid
        return excess.sum(axis=-1) / np.maximum(n_above, 1)
    if stat == "mipv":
        t = Z.shape[-1]
        mask = above.reshape(-1, t).astype(Z.dtype)
        position = (mask @ np.arange(t, dtype=Z.dtype)).reshape(Z.shape[:-1])
        return np.where(n_above > 0, position / np.maximum(n_above, 1) / count, -1.0)
    return _longest_run(above) / count


def capture_chunk(name):
    """The largest chunk's ``_pool`` arguments in a default fit on the development set ``name``."""
    from unittest import mock

    from benchmarks.corpus import load_ucr
    from sksssm import SpectralFilterClassifier
    from sksssm.spectral import _pooled_features, _segment_stats

    X_train, y_train, _, _ = load_ucr(name)
    seen = []
    original = _segment_stats._pool

    def spy(Z, lengths, statistics, biases, groups, n_segments=4):
        if biases is not None and (not seen or Z.size > seen[0][0].size):
            seen[:] = [(Z.copy(), lengths.copy(), biases.copy())]
        return original(Z, lengths, statistics, biases, groups, n_segments)

    with mock.patch.object(_pooled_features, "_pool", spy):
        SpectralFilterClassifier(random_state=0).fit(X_train, y_train)
    return seen[0]


def _best_of(fn, repeat=7):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    from benchmarks import protocol
    from sksssm.spectral import _segment_stats

    argv = sys.argv[1:] if argv is None else argv
    name = argv[0] if argv else "CricketX"
    with protocol.one_thread():
        Z, lengths, biases = capture_chunk(name)
        t = Z.shape[-1]
        valid = (
            None if (lengths == t).all() else (np.arange(t) < lengths[:, None])[:, None, None, :]
        )
        count = lengths[:, None, None].astype(Z.dtype)
        thresholds = [b[..., None] for b in biases.astype(Z.dtype)]
        print(
            f"{name}: chunk Z {Z.shape} {Z.dtype} ({Z.nbytes / 2**20:.1f} MiB), "
            f"{len(thresholds)} thresholds"
        )
        library = _segment_stats._threshold_statistic

        def run(fn, stat):
            return [fn(stat, Z, b, valid, count) for b in thresholds]

        ppv_time = _best_of(lambda: run(library, "ppv"))
        print(f"{'statistic':<6} {'library s':>10} {'fast s':>10} {'lib/ppv':>8} {'fast/ppv':>9}")
        for stat in ("ppv", "mpv", "mipv", "lspv"):
            expected = run(library, stat)
            _forget()
            run(fast_threshold_statistic, "ppv")  # the default computes ppv first
            got = run(fast_threshold_statistic, stat)
            for e, g in zip(expected, got, strict=True):
                np.testing.assert_allclose(g, e, rtol=2e-5, atol=2e-5 * np.abs(e).max())
            lib = _best_of(lambda s=stat: run(library, s))
            if stat == "ppv":
                fast = _best_of(lambda: (_forget(), run(fast_threshold_statistic, "ppv")))
            else:  # the comparison reused from ppv
                fast = _best_of(lambda s=stat: run(fast_threshold_statistic, s))
            print(
                f"{stat:<6} {lib:>10.4f} {fast:>10.4f} {lib / ppv_time:>8.2f} "
                f"{fast / ppv_time:>9.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
