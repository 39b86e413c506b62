"""Deep SSM classifiers with their defaults against the CNN and ResNet anchors (issue 23).

Corpus: a fixed subset of :data:`benchmarks.corpus.UCR_DEVELOPMENT`, chosen by a rule
(:func:`deep_subset`): the ``N_SETS`` equal-length development sets with the smallest
``n_train * n_timesteps``, so that a run of the five models fits in about 25 minutes on
the shared 2-core development machine. Protocol: :mod:`benchmarks.protocol` (official
train/test split, defaults, seed 0, one thread, fit+predict seconds). Every model is
warmed up once per run, untimed, on a tiny synthetic set (imports and first calls); the
torch models compile nothing, so one warm-up per model is enough.

Models: ``PTDSSMClassifier``, ``HOPEClassifier`` and ``STUClassifier`` with their
defaults (``random_state=0``), the 3-layer CNN anchor
(:class:`benchmarks._classification_models.CNN`) and the ResNet anchor
(:class:`benchmarks.anchors_deep.ResNet`), both 600 Adam steps.

The section is rewritten after every set, so an interrupted run leaves on the page
exactly the sets that ran.

Usage::

    python -m benchmarks.deep_corpus            # the subset, writes the section
    python -m benchmarks.deep_corpus --quick    # 2 sets, nothing written
"""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import UCR_DEVELOPMENT, load_ucr

SEED = 0
#: Size of the subset: the most sets whose five-model run fits in about 25 minutes here.
N_SETS = 6
CNN, RESNET = "CNN (600 steps)", "ResNet (600 steps)"
DEEP = ("PTDSSMClassifier", "HOPEClassifier", "STUClassifier")
#: Issue 23's cost target: fit+predict at most this multiple of the CNN's time.
COST_TARGET = 3.0


def deep_subset(n_sets=N_SETS, candidates=UCR_DEVELOPMENT):
    """The ``n_sets`` equal-length sets with the smallest ``n_train * n_timesteps``.

    Ties are broken by name. Sets with unequal lengths (NaN-padded) are left out: the deep
    classifiers take equal lengths only at the time of writing.
    """
    sizes = []
    for name in candidates:
        X_train, _, X_test, _ = load_ucr(name)
        if np.isnan(X_train).any() or np.isnan(X_test).any():
            continue
        sizes.append((X_train.shape[0] * X_train.shape[2], name))
    return [name for _, name in sorted(sizes)[:n_sets]]


def model_factories(deep_params=None):
    """Name -> factory of every model; ``deep_params`` maps a deep class name to overrides."""
    import sksssm
    from benchmarks.anchors_deep import ResNet
    from benchmarks.classification import CNN as CNNAnchor

    deep_params = deep_params or {}
    out = {
        name: partial(getattr(sksssm, name), random_state=SEED, **deep_params.get(name, {}))
        for name in DEEP
    }
    out[CNN] = CNNAnchor
    out[RESNET] = ResNet
    return out


def _fit_predict(factory, X_fit, y_fit, X_predict):
    return factory().fit(X_fit, y_fit).predict(X_predict)


def warm_up_all(factories):
    """One untimed fit+predict of each model on a tiny synthetic set (8 series of 16)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 1, 16)), np.arange(8) % 2
    for factory in factories.values():
        protocol.warm_up(partial(_fit_predict, factory, X, y, X))


def run_model(factory, data):
    """``(test accuracy, fit+predict seconds)`` of one model on one loaded set."""
    X_train, y_train, X_test, y_test = data
    predicted, seconds = protocol.timed(partial(_fit_predict, factory, X_train, y_train, X_test))
    return float(np.mean(np.asarray(predicted) == y_test)), seconds


def summary_rows(results, methods):
    """Per method: mean accuracy, mean rank, W/D/L and time ratio against both anchors."""
    sets = list(results)
    scores = np.array([[results[s][m][0] for m in methods] for s in sets])
    seconds = np.array([[results[s][m][1] for m in methods] for s in sets]).sum(axis=0)
    mean_rank = protocol.ranks(scores).mean(axis=0)
    cnn, resnet = methods.index(CNN), methods.index(RESNET)
    rows = []
    for j, method in enumerate(methods):
        row = [method, f"{scores[:, j].mean():.3f}", f"{mean_rank[j]:.2f}"]
        for anchor in (cnn, resnet):
            if j == anchor:
                row.append("-")
            else:
                row.append(
                    "{}/{}/{}".format(*protocol.wins_draws_losses(scores[:, j], scores[:, anchor]))
                )
        row += [
            f"{seconds[j]:.0f}",
            f"{seconds[j] / seconds[cnn]:.2f}",
            f"{seconds[j] / seconds[resnet]:.2f}",
        ]
        if method in DEEP:
            row += [
                "yes" if mean_rank[j] < mean_rank[cnn] else "no",
                "yes" if seconds[j] <= COST_TARGET * seconds[cnn] else "no",
            ]
        else:
            row += ["-", "-"]
        rows.append(row)
    return rows


SUMMARY_HEADER = [
    "method",
    "mean accuracy",
    "mean rank (of 5)",
    "W/D/L vs CNN",
    "W/D/L vs ResNet",
    "total fit+predict [s]",
    "time / CNN",
    "time / ResNet",
    "rank ahead of CNN",
    f"time <= {COST_TARGET:g}x CNN",
]


def report_body(results, methods, planned, defaults_note=""):
    """The section's Markdown from the sets that finished."""
    per_set = [
        [name, *(f"{res[m][0]:.3f} ({res[m][1]:.1f} s)" for m in methods)]
        for name, res in results.items()
    ]
    body = [
        f"{len(results)} of the {len(planned)} planned sets ran: {', '.join(planned)}. "
        f"Subset rule: the {len(planned)} equal-length development sets with the smallest "
        "`n_train * n_timesteps` (`deep_subset` in the script), the most that fit a run "
        "of about 25 minutes on this shared machine. Defaults only (seed 0), official "
        "train/test split, one thread, every model warmed up once per run on a tiny "
        "synthetic set; cells: test accuracy (fit+predict seconds). The CNN and ResNet "
        "anchors are trained for 600 Adam steps with batches of 16 "
        "(`benchmarks/classification.py`, `benchmarks/anchors_deep.py`). "
        f"Issue 23's targets: mean rank ahead of the CNN, fit+predict at most "
        f"{COST_TARGET:g}x the CNN's time. {defaults_note}",
        markdown_table(["data set", *methods], per_set),
    ]
    if len(results) >= 2:
        body += [
            f"### Summary over the {len(results)} sets",
            "Mean rank among the five models (1 = best, ties share the mean rank); W/D/L: "
            "wins/draws/losses of the row's model against the anchor; time ratios: total "
            "fit+predict time over the sets relative to the anchor's.",
            markdown_table(SUMMARY_HEADER, summary_rows(results, methods)),
        ]
    return "\n\n".join(body)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 sets, nothing written")
    parser.add_argument("--sets", default=None, help="comma-separated development sets")
    args = parser.parse_args(argv)
    planned = args.sets.split(",") if args.sets else deep_subset(2 if args.quick else N_SETS)
    print("sets:", planned, flush=True)
    factories = model_factories()
    methods = list(factories)
    command = "python -m benchmarks.deep_corpus" + (f" --sets {args.sets}" if args.sets else "")
    results = {}
    with protocol.one_thread():
        warm_up_all(factories)
        for name in planned:
            data = load_ucr(name)
            results[name] = {}
            for method, factory in factories.items():
                results[name][method] = run_model(factory, data)
                print(name, method, results[name][method], flush=True)
            body = report_body(results, methods, planned)
            if not args.quick:
                write_section(
                    "deep_corpus",
                    body,
                    command=command,
                    title="Deep SSM classifiers on the development corpus: CNN and ResNet anchors",
                )
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
