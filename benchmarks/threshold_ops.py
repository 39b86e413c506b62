"""What MultiRocket's pooling operators cost, relative to one ``ppv`` count.

Issue 21, session 35. The classifier's optional ``"mpv"``, ``"mipv"``, ``"lspv"`` and ``"rpv"``
statistics (:func:`sksssm.spectral._segment_stats._threshold_statistic`) are computed
in an efficient form: the comparison ``Z > b`` and its count are made once per chunk and
threshold and shared by every threshold statistic (:func:`~sksssm.spectral._segment_stats._pool`);
``"mpv"`` and ``"mipv"`` are one product each with the comparison as a mask of the
responses' dtype, made once when both are pooled (session 44; before, ``"mpv"`` formed
``max(Z - b, 0)`` in three passes): the responses above ``b`` summed, minus ``b`` times
their count, and their step numbers summed (``mask @ arange(t)``); ``"lspv"`` the
longest run from the run boundaries, found by one search for the steps where the padded
mask changes (session 44; before, two searches and a row computed for each run);
``"rpv"`` (issue 21, session 40) the number of runs, from the rising edges of the
shared mask (one byte comparison with itself shifted by a step, then a count). Here
``"mpv"`` is timed with its mask made (as when pooled without ``"mipv"``).
(The first measurements, sections ``classifier_ablation_ops_all`` and
``classifier_ablation_ops_pairs``, patched these forms in as ``"(fast)"`` variants; the
library has had them since.)

The benchmark captures one chunk of responses from a real fit (the pooling of the
default classifier on one development set) and times each operator on it, given the
shared comparison, relative to ``"ppv"`` with its comparison (which the default computes
at every threshold already). Prints a table; writes nothing.

Usage::

    python -m benchmarks.threshold_ops [SET]      # default set: CricketX
"""

from __future__ import annotations

import sys
import time

import numpy as np


def capture_chunk(name):
    """The largest chunk's ``_pool`` arguments in a default fit on the development set ``name``."""
    from unittest import mock

    from benchmarks.corpus import load_ucr
    from sksssm import SpectralFilterClassifier
    from sksssm.spectral import _pooled_features, _segment_stats

    X_train, y_train, _, _ = load_ucr(name)
    seen = []
    original = _segment_stats._pool

    def spy(Z, lengths, statistics, biases, groups, *args, **kwargs):
        if biases is not None and (not seen or Z.size > seen[0][0].size):
            seen[:] = [(Z.copy(), lengths.copy(), biases.copy())]
        return original(Z, lengths, statistics, biases, groups, *args, **kwargs)

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
    from sksssm.spectral._segment_stats import _above, _threshold_statistic

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
        compared = [_above(Z, b, valid) for b in thresholds]

        def ppv():
            for b in thresholds:
                _threshold_statistic("ppv", Z, b, valid, count)

        def shared(stat):
            for b, comparison in zip(thresholds, compared, strict=True):
                _threshold_statistic(stat, Z, b, valid, count, comparison)

        ppv_time = _best_of(ppv)
        print(f"{'statistic':<10} {'seconds':>10} {'/ ppv':>8}")
        print(f"{'ppv':<10} {ppv_time:>10.4f} {1.0:>8.2f}")
        for stat in ("mpv", "mipv", "lspv", "rpv"):
            seconds = _best_of(lambda s=stat: shared(s))
            print(f"{stat:<10} {seconds:>10.4f} {seconds / ppv_time:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
