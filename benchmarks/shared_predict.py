"""``SpectralFilterClassifier`` predict: the two heads' FFTs shared against each its own.

Usage: ``python -m benchmarks.shared_predict [SET ...]`` (default: FreezerRegularTrain,
CinCECGTorso, ECG5000). Per set, one fit with the defaults (``random_state=0``, one
thread), then ``predict`` on the test split timed alternately with the shared route
(:func:`sksssm.estimators._pooled.pooled_decisions`, the library's) and with each head's
own :func:`~sksssm.estimators._pooled.pooled_decision` (the previous route), the best of
``--repeats`` each, side by side in one process; the predictions must be identical.
Prints the times (no section on the benchmarks page: the ensemble ablation,
``classifier_ablation --ensemble --all-sets``, reports the corpus total).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from benchmarks import protocol
from benchmarks.corpus import load_ucr

SETS = ("FreezerRegularTrain", "CinCECGTorso", "ECG5000")


def _separate(heads, X_btc, lengths):
    from sksssm.estimators._pooled import pooled_decision

    return [pooled_decision(head, X_btc, lengths) for head in heads]


def time_set(name, repeats):
    """``(fit seconds, shared predict seconds, separate predict seconds, n_test)``."""
    from sksssm import SpectralFilterClassifier
    from sksssm.estimators import spectral_classifier

    X_train, y_train, X_test, _ = load_ucr(name)
    clf, fit_seconds = protocol.timed(
        lambda: SpectralFilterClassifier(random_state=0).fit(X_train, y_train)
    )
    shared_route = spectral_classifier.pooled_decisions
    best = {"shared": np.inf, "separate": np.inf}
    predictions = {}
    try:
        for _ in range(repeats):
            for route, function in (("shared", shared_route), ("separate", _separate)):
                spectral_classifier.pooled_decisions = function
                predicted, seconds = protocol.timed(lambda: clf.predict(X_test))
                best[route] = min(best[route], seconds)
                predictions[route] = predicted
    finally:
        spectral_classifier.pooled_decisions = shared_route
    if not np.array_equal(predictions["shared"], predictions["separate"]):
        raise AssertionError(f"{name}: the shared route changed the predictions")
    return fit_seconds, best["shared"], best["separate"], len(X_test)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    start = time.perf_counter()
    with protocol.one_thread():
        for name in args.sets:
            fit, shared, separate, n_test = time_set(name, args.repeats)
            print(
                f"{name} ({n_test} test series): fit {fit:.2f} s; predict shared "
                f"{shared:.2f} s, separate {separate:.2f} s ({separate / shared:.2f}x); "
                f"fit+predict {fit + shared:.2f} s against {fit + separate:.2f} s",
                flush=True,
            )
    print(
        f"load average at end: {os.getloadavg()[0]:.2f}; wall {time.perf_counter() - start:.0f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
