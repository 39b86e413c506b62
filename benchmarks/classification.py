"""Time-series classification (and sequence-to-one regression), side by side, defaults only.

One run fits every model with its defaults (a fixed seed where the model takes one; no
per-dataset tuning in the run) on the train split and scores it on the test split, timing
fit + predict. The defaults themselves were developed on most of these sets: every table
that mixes sets says, per row or per column, which role each set had (``LATE_CHECKS``):

- datasets shipped in sktime (no downloads): GunPoint (1 channel, 50/150, length 150),
  ItalyPowerDemand (1, 67/1029, 24), BasicMotions (6, 40/40, 100), JapaneseVowels (12,
  270/370, lengths 7-29) and PLAID (1, 537/537, lengths 100-1344); the last two have
  unequal lengths; these were in the benchmark while the classifier's defaults were
  chosen (development data). ArrowHead (1, 36/175, 251), OSULeaf (1, 200/242, 427) and
  ACSF1 (1, 100/100, 1460) were added later as a check on data the defaults were not
  developed on, but the ``ppv_only`` candidate feature sets were added afterwards, after
  looking at ArrowHead (so ArrowHead is development data, and OSULeaf and ACSF1 had been
  seen when that change was made); no CNN or deep models there, for time;
- four synthetic tasks (generated here, fixed seed; 100 train / 500 test), chosen to
  probe what the pooled spectral representation can and cannot see:
  ``SynthMotif`` (class = shape of a short motif at a random position in noise: local
  shape, position invariance), ``SynthAR`` (class = resonance frequency of an AR(2)
  process: spectral content of the whole series), ``SynthLeadLag`` (2 channels,
  unequal lengths 40-160; class = whether channel 2 leads or lags channel 1 by 5 steps:
  a cross-channel relation, which per-channel features cannot see, and which the
  classifier's cross-channel block is for); and the long-memory
  task ``SynthOrder`` (length 300; class = which of two motifs comes first, one in the
  first and one in the last quarter: a relation between distant events), which issue
  12's comparison of the deep SSMs with the CNN includes and issue 11's comparison with
  ROCKET (defined before it was added) leaves out;
- models: sksssm's closed-form ``SpectralFilterClassifier``; sktime's
  ``RocketClassifier`` (ROCKET, 10,000 kernels) and ``RocketClassifier(rocket_transform=
  "minirocket")`` on equal-length sets, and ``MiniRocketMultivariateVariable`` +
  ``RidgeClassifierCV`` (MiniRocket for unequal lengths) on unequal-length ones; a plain
  3-layer CNN anchor written here (below); the deep ``PTDSSMClassifier``,
  ``HOPEClassifier`` and ``STUClassifier`` (skipped with a note if a class is missing;
  equal lengths only); 1-NN Euclidean on the flattened series (equal lengths only).
- regression: ``SpectralFilterRegressor`` with pooled features vs sktime's
  ``RocketRegressor`` on Tecator and Covid3Month (RMSE), when the regressor has its
  ``pooling`` option.

Threads: torch, BLAS and numba are limited to one thread for fairness. The numba
functions of ROCKET/MiniRocket are compiled before any timing (on a tiny dataset), so
their times exclude JIT compilation.

Where the parts are: the sets and their roles (``LATE_CHECKS``), the synthetic tasks and
``load`` in :mod:`benchmarks._classification_data`; the anchors (``CNN``,
``MiniRocketVariable``, ``Flat1NN``) and the roster of one run in
:mod:`benchmarks._classification_models`; the ablation tables in
:mod:`benchmarks._classification_ablation`; the section's text in
:mod:`benchmarks._classification_report`. This module runs them (``main``), with the
regression comparison.

Run: ``python -m benchmarks.classification`` (writes the section "classification" of
``docs/benchmarks.md``); ``--quick`` (small sets, no file written), ``--datasets a,b``,
``--skip-deep`` (no CNN and no deep SSMs; those take most of the time).
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._classification_ablation import ablation_rows, feature_set_rows  # noqa: E402
from benchmarks._classification_data import (  # noqa: E402
    ALL_DATASETS,
    ISSUE_UCR,
    LATE_UCR,
    QUICK_DATASETS,
    data_label,
    describe,
    is_unequal,
    load,
    to_padded,
)
from benchmarks._classification_models import (  # noqa: E402
    CNN,
    CNN_STEPS,
    SEED,
    Flat1NN,
    MiniRocketVariable,
    deep_classes,
    deep_model_names,
    models,
    warm_up_numba,
)
from benchmarks._classification_report import report, summary_rows  # noqa: E402
from benchmarks._report import write_section  # noqa: E402

#: What other benchmarks and the tests import from here (the anchors among them are
#: re-exported): importing this module first sets the one-thread environment above.
__all__ = [
    "CNN",
    "CNN_STEPS",
    "SEED",
    "Flat1NN",
    "MiniRocketVariable",
    "describe",
    "load",
    "main",
]


def run_one(factory, X_train, y_train, X_test, y_test, uses_sktime):
    """``(test accuracy, fit+predict seconds)`` of a fresh ``factory()`` on one set
    (NaN padding replaced by zeros for sktime's equal-length models), warnings silenced."""
    model = factory()
    if uses_sktime:
        X_train = np.nan_to_num(X_train)
        X_test = np.nan_to_num(X_test)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train, y_train)
        predicted = model.predict(X_test)
    elapsed = time.perf_counter() - start
    return float(np.mean(np.asarray(predicted) == y_test)), elapsed


def regression_rows(quick):
    """RMSE and fit+predict time on Tecator and Covid3Month, or a note why not run."""
    from sktime import datasets
    from sktime.regression.kernel_based import RocketRegressor

    from sksssm import SpectralFilterRegressor

    constraints = getattr(SpectralFilterRegressor, "_parameter_constraints", {})
    if "pooling" not in SpectralFilterRegressor().get_params():
        return None, "`SpectralFilterRegressor` has no `pooling` option in this checkout; skipped."
    options = [
        option
        for constraint in constraints.get("pooling", [])
        for option in sorted(getattr(constraint, "options", []))
        if option != "last"
    ]
    if not options:
        return None, "could not find a pooled option of `SpectralFilterRegressor(pooling=...)`."
    pooled = options[0]
    rows = []
    for name, loader in (
        ("Tecator", datasets.load_tecator),
        ("Covid3Month", datasets.load_covid_3month),
    ):
        X_train, y_train = loader(split="train")
        X_test, y_test = loader(split="test")
        X_train, X_test = to_padded(X_train), to_padded(X_test)
        y_train, y_test = np.asarray(y_train, float), np.asarray(y_test, float)
        for label, factory in (
            (
                f"SpectralFilterRegressor(pooling={pooled!r})",
                lambda: SpectralFilterRegressor(pooling=pooled),
            ),
            ("ROCKET regressor (sktime)", lambda: RocketRegressor(random_state=SEED)),
        ):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                predicted = factory().fit(X_train, y_train).predict(X_test)
            elapsed = time.perf_counter() - start
            rmse = float(np.sqrt(np.mean((np.asarray(predicted, float) - y_test) ** 2)))
            rows.append([name, describe(X_train, X_test), label, f"{rmse:.4g}", f"{elapsed:.1f}"])
            print(rows[-1], flush=True)
    return rows, ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sets only; writes nothing")
    parser.add_argument(
        "--datasets", default=None, help="comma-separated subset of " + ",".join(ALL_DATASETS)
    )
    parser.add_argument("--skip-deep", action="store_true", help="no CNN and no deep SSMs")
    parser.add_argument("--skip-regression", action="store_true")
    parser.add_argument(
        "--skip-ablation", action="store_true", help="no SpectralFilterClassifier ablation"
    )
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    names = ALL_DATASETS if args.datasets is None else tuple(args.datasets.split(","))
    if args.quick and args.datasets is None:
        names = QUICK_DATASETS
    unknown = sorted(set(names) - set(ALL_DATASETS))
    if unknown:
        parser.error(f"unknown datasets {unknown}; choose among {ALL_DATASETS}")
    deep = {} if args.skip_deep else deep_classes()
    warm_up_numba()

    rows, results = [], {}
    for dataset in names:
        X_train, y_train, X_test, y_test = load(dataset)
        unequal = is_unequal(X_train) or is_unequal(X_test)
        skip_deep = args.skip_deep or dataset in LATE_UCR
        for model, factory in models(unequal, skip_deep=skip_deep, deep=deep).items():
            if isinstance(factory, str):
                shape = describe(X_train, X_test)
                rows.append([dataset, data_label(dataset), shape, model, factory, ""])
                continue
            uses_sktime = model.startswith(("ROCKET", "MiniRocket")) and not unequal
            accuracy, seconds = run_one(factory, X_train, y_train, X_test, y_test, uses_sktime)
            results[(dataset, model)] = (accuracy, seconds)
            rows.append(
                [
                    dataset,
                    data_label(dataset),
                    describe(X_train, X_test),
                    model,
                    f"{accuracy:.3f}",
                    f"{seconds:.1f}",
                ]
            )
            print(rows[-1], flush=True)

    summary = summary_rows(results, names)
    issue_sets = [d for d in ISSUE_UCR if d in names]
    issue_summary = summary_rows(results, names, sets=issue_sets) if issue_sets else None
    # Issue 12: the deep classifiers against the CNN, on every set where they ran.
    deep_sets = [d for d in names if any((d, m) in results for m in deep_model_names(deep))]
    deep_summary = summary_rows(results, names, sets=deep_sets) if deep_sets else None
    regression, note = (
        (None, "skipped (--skip-regression)")
        if args.skip_regression
        else regression_rows(args.quick)
    )
    ablation = None if args.skip_ablation or args.quick else ablation_rows(names)
    feature_sets = None if args.skip_ablation or args.quick else feature_set_rows(names)
    body = report(
        rows, summary, regression, note, args, ablation, deep_summary, issue_summary, feature_sets
    )
    print(body)
    if args.quick:
        print("--quick: nothing written to docs/benchmarks.md")
        return 0
    command = "python -m benchmarks.classification" + (" --skip-deep" if args.skip_deep else "")
    if args.datasets:
        command += f" --datasets {args.datasets}"
    write_section(
        "classification",
        body,
        command=command,
        title=(
            "Classification: closed-form SpectralFilterClassifier vs ROCKET, MiniRocket, "
            "CNN, deep SSMs, 1-NN"
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
