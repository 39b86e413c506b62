"""``SpectralFilterClassifier`` predict: the two heads' FFTs shared against each its own.

Usage: ``python -m benchmarks.shared_predict [SET ...]`` (default: FreezerRegularTrain,
CinCECGTorso, ECG5000). Per set, one fit with the defaults (``random_state=0``, one
thread), then ``predict`` on the test split timed alternately with the shared route
(:func:`sksssm.estimators._pooled.pooled_decisions`, the library's) and with each head's
own :func:`~sksssm.estimators._pooled.pooled_decision` (the previous route), the best of
``--repeats`` each, side by side in one process; the predictions must be identical.
Prints the times (no section on the benchmarks page: the ensemble ablation,
``classifier_ablation --ensemble --all-sets``, reports the corpus total).

``--union``: heads whose filter banks differ instead (the raw head without the
alternating-sign branch, the standardized one with it: the route where the larger
head's responses serve both), built on the training split with random weights (the time
does not depend on them), predicting the first 1,000 test series.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from benchmarks import protocol
from benchmarks.corpus import load_ucr
from sksssm.spectral import sequence_lengths

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


def _random_head(state, X, seed):
    from types import SimpleNamespace

    from sksssm.spectral import pooled_features

    rng = np.random.default_rng(seed)
    F = pooled_features(X, state)
    return SimpleNamespace(
        pooling_=state,
        feature_mask_=np.ones(state.n_features, dtype=bool),
        feature_mean_=F.mean(axis=0),
        feature_scale_=np.maximum(F.std(axis=0), 1e-3),
        coef_=rng.normal(0, 0.01, (state.n_features, 2)),
        intercept_=np.zeros(2),
        chunk_size=None,
    )


def time_union(name, repeats, n_predict=1000):
    """``(shared seconds, separate seconds, responses per head)`` for heads whose banks
    differ (``--union``)."""
    from sksssm.estimators._pooled import pooled_decision, pooled_decisions
    from sksssm.estimators.spectral_classifier import CLASSIFIER_QUANTILES
    from sksssm.spectral import fit_pooling
    from sksssm.spectral._feature_sets import used_responses

    X_train, _, X_test, _ = load_ucr(name)
    X_train = np.swapaxes(X_train, 1, 2)
    X_test = np.swapaxes(X_test, 1, 2)[:n_predict]
    raw, standardized = (
        fit_pooling(X_train, quantiles=CLASSIFIER_QUANTILES, normalise=n, dtype="float32")
        for n in (False, True)
    )
    raw, _ = used_responses(raw, ~raw.feature_masks()["alternating"])
    heads = [_random_head(raw, X_train, 1), _random_head(standardized, X_train, 2)]
    lengths = sequence_lengths(X_test)
    best = {"shared": np.inf, "separate": np.inf}
    for _ in range(repeats):
        _, seconds = protocol.timed(lambda: pooled_decisions(heads, X_test, lengths))
        best["shared"] = min(best["shared"], seconds)
        _, seconds = protocol.timed(
            lambda: [pooled_decision(head, X_test, lengths) for head in heads]
        )
        best["separate"] = min(best["separate"], seconds)
    return best["shared"], best["separate"], [h.pooling_.n_responses for h in heads]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--union", action="store_true", help="heads with different banks")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    start = time.perf_counter()
    with protocol.one_thread():
        for name in args.sets:
            if args.union:
                shared, separate, responses = time_union(name, args.repeats)
                print(
                    f"{name} (heads of {responses} responses, 1,000 test series): "
                    f"predict shared {shared:.2f} s, separate {separate:.2f} s",
                    flush=True,
                )
                continue
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
