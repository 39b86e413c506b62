"""Profile ``SpectralFilterClassifier()`` fit+predict on one development set (cProfile).

Usage::

    python -m benchmarks.prof_clf FaceAll             # sorted by cumulative time
    python -m benchmarks.prof_clf FaceAll tottime     # by time spent in each function

One thread (:func:`benchmarks.protocol.one_thread`), the defaults with
``random_state=0``; prints the wall time (inflated by the profiler), the accuracy and
the 35 costliest functions. Times on a shared machine: compare only runs made side by
side.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time

import numpy as np

from benchmarks import protocol
from benchmarks.corpus import load_ucr


def main(argv=None) -> int:
    from sksssm import SpectralFilterClassifier

    argv = sys.argv[1:] if argv is None else argv
    name, order = argv[0], (argv[1] if len(argv) > 1 else "cumulative")
    X_train, y_train, X_test, y_test = load_ucr(name)
    print(name, X_train.shape, X_test.shape)
    profile = cProfile.Profile()
    with protocol.one_thread():
        start = time.perf_counter()
        profile.enable()
        clf = SpectralFilterClassifier(random_state=0).fit(X_train, y_train)
        accuracy = np.mean(clf.predict(X_test) == y_test)
        profile.disable()
    print(f"time {time.perf_counter() - start:.2f} s, accuracy {accuracy:.3f}")
    pstats.Stats(profile).sort_stats(order).print_stats(35)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
