"""Profile ``SpectralFilterClassifier()`` fit+predict on one development set (cProfile).

Usage::

    python -m benchmarks.prof_clf FaceAll             # sorted by cumulative time
    python -m benchmarks.prof_clf FaceAll tottime     # by time spent in each function
    python -m benchmarks.prof_clf FaceAll breakdown   # only the shares of the stages
    python -m benchmarks.prof_clf BasicMotions breakdown  # sktime's 6-channel set

One thread (:func:`benchmarks.protocol.one_thread`), the defaults with
``random_state=0``; prints the wall time (inflated by the profiler), the accuracy, the
shares of the stages of the cost model and the 35 costliest functions. Times on a
shared machine: compare only runs made side by side.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time

import numpy as np

from benchmarks import protocol
from benchmarks.corpus import load_ucr

#: Stages of the cost model (the classification guide): module file and function whose
#: cumulative time is that stage's.
STAGES = {
    # the bank's FFTs and mixtures (``_shared_responses`` only builds the lazy readers
    # that call it, so its own cumulative time is near zero)
    "responses (FFT, mixtures)": ("_filter_bank.py", "_responses"),
    "statistics": ("_segment_stats.py", "_pool"),
    "cross-channel block": ("_cross_channel.py", "_cross_features"),
    "ppv thresholds": ("_thresholds.py", "_fit_biases"),
    "leave-one-out ridge": ("_ridge_loo.py", "select_ridge_by_loo"),
}
#: sktime's multichannel sets, for the cross-channel block.
SKTIME_SETS = ("BasicMotions",)


def _load(name):
    if name in SKTIME_SETS:
        from sktime.datasets import load_basic_motions

        X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
        X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
        return X_train, y_train, X_test, y_test
    return load_ucr(name)


def _breakdown(profile, total):
    """``{stage: share of total}`` from the cumulative times of :data:`STAGES`."""
    stats = pstats.Stats(profile).stats
    return {
        stage: sum(
            row[3] for key, row in stats.items() if key[0].endswith(path) and key[2] == func
        )
        / total
        for stage, (path, func) in STAGES.items()
    }


def main(argv=None) -> int:
    from sksssm import SpectralFilterClassifier

    argv = sys.argv[1:] if argv is None else argv
    name, order = argv[0], (argv[1] if len(argv) > 1 else "cumulative")
    X_train, y_train, X_test, y_test = _load(name)
    print(name, X_train.shape, X_test.shape)
    profile = cProfile.Profile()
    with protocol.one_thread():
        start = time.perf_counter()
        profile.enable()
        clf = SpectralFilterClassifier(random_state=0).fit(X_train, y_train)
        accuracy = np.mean(clf.predict(X_test) == y_test)
        profile.disable()
    total = time.perf_counter() - start
    print(f"time {total:.2f} s, accuracy {accuracy:.3f}")
    for stage, share in _breakdown(profile, total).items():
        print(f"{stage}: {share:.0%}")
    if order != "breakdown":
        pstats.Stats(profile).sort_stats(order).print_stats(35)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
