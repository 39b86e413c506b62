"""UCR development corpus: ``SpectralFilterClassifier()`` defaults against the anchors.

Protocol: :mod:`benchmarks.protocol` (official train/test split, defaults, one thread,
every model warmed up on a tiny slice of the same data first, fit+predict seconds).
Corpus: :data:`benchmarks.corpus.UCR_DEVELOPMENT`. The section is rewritten after every
set, so an interrupted run still leaves on the page exactly the sets that ran.

Anchors run live: MiniRocket (:class:`benchmarks.protocol.RocketRidge`; sets with unequal
lengths, NaN-padded, use the variable-length transform) and 1-NN Euclidean. Anchors
read from their stored results (:mod:`benchmarks.anchor_cache`, files under
``benchmarks/results/``), because they are slow and do not depend on sksssm: ROCKET,
MultiRocket-Hydra (aeon, in its own interpreter: :mod:`benchmarks.aeon_runner`) and the
3-layer CNN of ``benchmarks/classification.py``. ``--refresh-anchors`` reruns them (all,
or those named) and rewrites their files. ROCKET, MultiRocket-Hydra and 1-NN are "n/a"
on unequal-length sets; the summary covers the sets where every method ran.

Usage::

    python -m benchmarks.ucr --quick            # 5 small sets
    python -m benchmarks.ucr                    # the 37 development sets
    python -m benchmarks.ucr --skip-anchor ROCKET
    python -m benchmarks.ucr --refresh-anchors ROCKET --anchors-only   # refill one file
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks import anchor_cache, protocol
from benchmarks._report import ROOT, markdown_table, write_section
from benchmarks.aeon_runner import SPEC as HYDRA_SPEC
from benchmarks.aeon_runner import AeonWorker
from benchmarks.classification import CNN, CNN_STEPS, Flat1NN, MiniRocketVariable
from benchmarks.corpus import UCR_DEVELOPMENT, corpus_bytes, load_ucr

QUICK_SETS = ("Coffee", "Beef", "BirdChicken", "ECGFiveDays", "DistalPhalanxTW")
OURS = "SpectralFilterClassifier()"
SEED = 0
CORPUS = "UCR"
IMAGE = ROOT / "docs" / "images" / "ucr_corpus_scatter.png"
CD_IMAGE = ROOT / "docs" / "images" / "ucr_corpus_cd.png"
LIVE = (OURS, "MiniRocket", "1-NN Euclidean")
#: Anchors read from ``benchmarks/results/`` (name -> spec, see :mod:`anchor_cache`).
STORED = {
    "ROCKET": "sktime Rocket(random_state=0, n_jobs=1) + StandardScaler(with_mean=False) "
    "+ RidgeClassifierCV(logspace(-3, 3, 10)); equal lengths only",
    "MultiRocket-Hydra": HYDRA_SPEC + "; equal lengths only",
    "CNN": f"3-layer CNN of benchmarks/classification.py, {CNN_STEPS} Adam steps, seed 0",
}
#: Stored anchors whose file is not complete yet, left out unless refreshed: the CNN's
#: stored run did not finish by the end of issue 20's session (a loaded machine). Fill
#: it with ``python -m benchmarks.ucr --refresh-anchors CNN --anchors-only``, commit
#: ``benchmarks/results/UCR__CNN.json`` and empty this tuple.
NOT_STORED_YET = ()
#: The CNN warms up with 5 steps: the same torch kernels and shapes as its 600 steps
#: (torch compiles nothing per call, so more warm-up steps would only cost time).
WARM_UP_FACTORIES = {"CNN": partial(CNN, steps=5, seed=SEED)}


#: The last fitted model's chosen representation and feature set (``normalise_``,
#: ``feature_set_``), printed with each set's line: how often each candidate wins.
CHOSEN = {}


def _fit_predict(factory, X_fit, y_fit, X_predict):
    model = factory().fit(X_fit, y_fit)
    heads = getattr(model, "estimators_", [model])  # normalise="both": two heads
    if hasattr(heads[0], "feature_set_"):
        CHOSEN["model"] = " / ".join(f"normalise={h.normalise_}, {h.feature_set_}" for h in heads)
    return model.predict(X_predict)


def factories(unequal: bool) -> dict:
    """Name -> factory of every in-process model (None where it does not apply)."""
    from sksssm import SpectralFilterClassifier

    return {
        OURS: partial(SpectralFilterClassifier, random_state=SEED),
        "MiniRocket": MiniRocketVariable
        if unequal
        else partial(protocol.RocketRidge, "minirocket", random_state=SEED),
        "1-NN Euclidean": None if unequal else Flat1NN,
        "ROCKET": None if unequal else partial(protocol.RocketRidge, "rocket", random_state=SEED),
        "CNN": partial(CNN, seed=SEED),
    }


def run_set(name, labels, hydra=None):
    """Accuracy and fit+predict seconds of the models ``labels`` on one set (None: n/a).

    ``hydra`` is a started :class:`AeonWorker` when MultiRocket-Hydra is among ``labels``.
    """
    X_train, y_train, X_test, y_test = load_ucr(name)
    unequal = bool(np.isnan(X_train).any() or np.isnan(X_test).any())
    available = factories(unequal)
    out = {}
    for label in labels:
        if label == "MultiRocket-Hydra":
            out[label] = None if unequal else _run_hydra(hydra, X_train, y_train, X_test, y_test)
            continue
        factory = available[label]
        if factory is None:
            out[label] = None
            continue
        warm_factory = WARM_UP_FACTORIES.get(label, factory)
        warm_data = protocol.warm_up_slice(X_train, y_train, X_test)
        protocol.warm_up(partial(_fit_predict, warm_factory, *warm_data))
        predicted, seconds = protocol.timed(
            partial(_fit_predict, factory, X_train, y_train, X_test)
        )
        out[label] = (float(np.mean(np.asarray(predicted) == y_test)), seconds)
    return out


def _run_hydra(worker, X_train, y_train, X_test, y_test):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "set.npz"
        np.savez(path, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
        return worker.run(path)


def report(results, methods, planned, command, sources):
    """Write the section from the sets that finished (called after every set).

    ``sources`` maps each stored anchor to where its numbers come from (this run, or a
    stored file of a given date).
    """
    from benchmarks import cd_diagram

    per_set = []
    for name, res in results.items():
        cells = [f"{res[m][0]:.3f} ({res[m][1]:.1f} s)" if res.get(m) else "n/a" for m in methods]
        per_set.append([name, *cells])
    complete = [n for n, r in results.items() if all(r.get(m) for m in methods)]
    body = [
        f"{len(results)} of the {len(planned)} planned sets ran "
        f"({', '.join(planned) if len(planned) < 10 else 'the 37 development sets'}). "
        "Defaults only, official train/test split, one thread, every model warmed up on a "
        "tiny slice of the same set first (imports and numba compilation excluded); cells: "
        "test accuracy (fit+predict seconds). Protocol: `benchmarks/protocol.py`.",
        "",
        anchor_cache.sources_sentence(methods, sources)
        + " ROCKET and MiniRocket are sktime's transformers with scikit-learn's scaler and "
        "ridge on arrays (sktime's `RocketClassifier` adds a per-column table conversion "
        "that took 96% of its time; see `benchmarks/protocol.py`).",
        "",
        "What these sets informed: the classifier's defaults since issue 21 (among them "
        "the `ppv` thresholds, the two heads and their banks, the kernel head), each "
        "adopted by a rule fixed before its counted run on these sets, most at fresh seeds "
        "(`benchmarks/classifier_ablation.py`). The wheel's other UCR sets stay held out "
        "(`docs/user_guide/evaluation.md`).",
        "",
        markdown_table(["data set", *methods], per_set),
    ]
    if len(complete) >= 2:
        scores = np.array([[results[n][m][0] for m in methods] for n in complete])
        seconds = np.array([[results[n][m][1] for m in methods] for n in complete])
        rows = protocol.summary(scores, methods, OURS)
        ours_time = seconds[:, 0].sum()
        for row, method, total in zip(rows, methods, seconds.sum(axis=0), strict=True):
            mark = " (other run)" if method in STORED and "this run" not in sources[method] else ""
            row += [f"{total:.1f}", f"{total / ours_time:.2f}{mark}"]
        body += [
            "",
            f"### Summary over the {len(complete)} sets where every method ran",
            "",
            "W/D/L: wins/draws/losses of SpectralFilterClassifier() against the anchor; "
            "p: two-sided Wilcoxon signed-rank test; time ratio: the method's total "
            'time / SpectralFilterClassifier()\'s. A ratio marked "(other run)" compares '
            "times measured in different runs (the anchor's stored run and this one), "
            "possibly under a different machine load.",
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
        if len(complete) >= 5:
            diagram = cd_diagram.CriticalDifference.from_scores(scores, methods)
            diagram.plot(CD_IMAGE)
            body += [
                "",
                f"Critical-difference diagram over the {len(complete)} sets: mean rank of "
                "each method (1 = best); a bar joins methods that the Wilcoxon signed-rank "
                "tests with Holm's correction (alpha 0.05) do not tell apart. The Nemenyi "
                f"critical difference for {len(methods)} methods on {len(complete)} sets "
                f"would be {diagram.nemenyi_cd:.2f} ranks.",
                "",
                f"![critical-difference diagram](images/{CD_IMAGE.name})",
            ]
    write_section(
        "ucr_corpus",
        "\n".join(body),
        command=command,
        title="UCR development corpus: SpectralFilterClassifier() vs anchors",
    )


def _stored_anchors(args, planned):
    """Name -> AnchorCache of every stored anchor of this run (empty for a refresh)."""
    caches, sources = {}, {}
    for name in STORED:
        if name in args.skip_anchor:
            continue
        if name in args.refresh_anchors:
            caches[name] = anchor_cache.AnchorCache(CORPUS, name, STORED[name])
            sources[name] = "run live in this run (and stored)"
        elif not args.anchors_only:
            caches[name] = anchor_cache.read(CORPUS, name, planned, spec=STORED[name])
            sources[name] = caches[name].provenance()
    return caches, sources


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 small sets")
    parser.add_argument(
        "--skip-anchor", action="append", default=[], choices=list(STORED), help="leave out"
    )
    parser.add_argument(
        "--refresh-anchors",
        nargs="*",
        choices=list(STORED),
        help="rerun these stored anchors (all when none is named) and rewrite their files",
    )
    parser.add_argument(
        "--anchors-only",
        action="store_true",
        help="with --refresh-anchors: run only those anchors (no page section)",
    )
    args = parser.parse_args(argv)
    if args.refresh_anchors == []:
        args.refresh_anchors = [n for n in STORED if n not in args.skip_anchor]
    args.refresh_anchors = args.refresh_anchors or []
    args.skip_anchor += [
        name
        for name in NOT_STORED_YET
        if name not in args.refresh_anchors and name not in args.skip_anchor
    ]
    if args.quick and args.refresh_anchors:
        parser.error("--refresh-anchors stores the whole corpus: leave out --quick.")
    if args.anchors_only and not args.refresh_anchors:
        parser.error("--anchors-only needs --refresh-anchors.")
    # smallest first, so an interrupted run has covered as many sets as possible
    planned = sorted(QUICK_SETS if args.quick else UCR_DEVELOPMENT, key=corpus_bytes)
    caches, sources = _stored_anchors(args, planned)
    live = [] if args.anchors_only else list(LIVE)
    live += list(args.refresh_anchors)
    methods = [*LIVE, *caches]
    command = " ".join(
        ["python -m benchmarks.ucr"]
        + (["--quick"] if args.quick else [])
        + [f"--skip-anchor {name}" for name in args.skip_anchor]
        + (["--refresh-anchors", *args.refresh_anchors] if args.refresh_anchors else [])
    )
    results = {}
    with protocol.one_thread(), ExitStack() as stack:
        hydra = None
        if "MultiRocket-Hydra" in live:
            hydra = stack.enter_context(AeonWorker())
            caches["MultiRocket-Hydra"].versions = hydra.versions
        for name in planned:
            start = time.perf_counter()
            res = run_set(name, live, hydra)
            for label, cache in caches.items():
                if label in args.refresh_anchors:
                    accuracy, seconds = res[label] or (None, None)
                    cache.put(name, None if accuracy is None else {"accuracy": accuracy}, seconds)
                    cache.save()
                else:
                    entry = cache.results[name]
                    res[label] = entry["scores"] and (
                        entry["scores"]["accuracy"],
                        entry["seconds"],
                    )
            print(
                f"{name}: "
                + ", ".join(
                    f"{m} {v[0]:.3f}/{v[1]:.1f}s" if v else f"{m} n/a" for m, v in res.items()
                )
                + f"  [{time.perf_counter() - start:.0f} s]"
                + (f"  chosen: {CHOSEN.pop('model')}" if "model" in CHOSEN else ""),
                flush=True,
            )
            results[name] = res
            if not args.anchors_only:
                report(results, methods, planned, command, sources)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
