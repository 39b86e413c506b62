"""Wide multichannel data: ``SpectralFilterClassifier()`` with its feature budget.

``pooled_filters="auto"`` (the default) pools each channel over the identity and the
mixtures only when ``"all"`` would pool more than
:data:`~sksssm.spectral._pooled_filter_choice.MAX_POOLED_FEATURES` (131,072) per-channel features
for the standardized series. No development set comes near it (the largest,
BasicMotions, has 38,160: ``python -m benchmarks.clf_wide --counts`` lists them), so
on every development set the default is ``"all"``, bit for bit; the switch exists for
wide data (tens to hundreds of channels: EEG, sensor networks, the UEA archive's
FaceDetection, Heartbeat, PEMS-SF), where ``"all"`` outgrows memory and time.

This script shows what it changes there, on synthetic data of three wide shapes (the
shapes of UEA sets, the series fewer so that ``"all"`` still fits in memory): random
walks in every channel, and a class-dependent bump (class ``y`` of 4: a bump of height
2 and width ``t / 8`` at step ``(y + 1) t / 5`` in channel ``(7 y) % c``). Each model
runs in its own one-thread subprocess, which reports fit+predict time, accuracy, the
pooled features of its heads and its peak resident memory (``ru_maxrss``):
``SpectralFilterClassifier()`` (``"auto"``), ``SpectralFilterClassifier(
pooled_filters="all")`` (the model before the budget) and MiniRocket + scaler + ridge.
What it must show for the default to be right: less time and less peak memory than
``"all"`` on every shape. Accuracy is reported; the only real-data evidence on
``"mixtures"`` is the ``clf_budget`` section (2 to 12 channels).

**Archive shapes** (``--archive``, section ``clf_archive_shapes``): the default and
MiniRocket alone on the same synthetic data at the full sizes of the UEA sets with the
most extreme shapes (:data:`ARCHIVE_SHAPES`: the most channels, the longest series, the
most and the shortest series, many series of many channels), none of which is in the
repository: whether the default fits in memory and time there, and its time against
MiniRocket's. The data are easy (a bump), so the accuracies say little.

Run ``python -m benchmarks.clf_wide`` (writes the section ``clf_wide``), ``--archive``
(writes ``clf_archive_shapes``), ``--quick`` (tiny shapes, writes nothing) or
``--counts`` (the per-channel feature count of ``"all"`` on every development set, and
of the shapes here).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

import numpy as np

from benchmarks._report import ROOT, markdown_table, write_section

#: ``(name, channels, steps, n_train, n_test)``: the shapes of UEA sets, fewer series.
SHAPES = (
    ("Heartbeat-like", 61, 405, 204, 205),
    ("FaceDetection-like", 144, 62, 600, 300),
    ("PEMS-SF-like", 963, 144, 60, 40),
)
#: ``(name, channels, steps, n_train, n_test)``: the full sizes of UEA sets of extreme
#: shapes (the longest length of a set of unequal lengths).
ARCHIVE_SHAPES = (
    ("DuckDuckGeese-like", 1345, 270, 50, 50),
    ("MotorImagery-like", 64, 3000, 278, 100),
    ("EigenWorms-like", 6, 17984, 128, 131),
    ("StandWalkJump-like", 4, 2500, 12, 15),
    ("PhonemeSpectra-like", 11, 217, 3315, 3353),
    ("LSST-like", 6, 36, 2459, 2466),
    ("PenDigits-like", 2, 8, 7494, 3498),
    # many series and many channels together (session 44)
    ("FaceDetection-like", 144, 62, 5890, 3524),
    ("SpokenArabicDigits-like", 13, 93, 6599, 2199),
)
QUICK_SHAPES = (("tiny", 12, 40, 30, 20),)
MODELS = {
    "SpectralFilterClassifier()": "SpectralFilterClassifier(random_state=0)",
    'SpectralFilterClassifier(pooled_filters="all")': (
        'SpectralFilterClassifier(pooled_filters="all", random_state=0)'
    ),
    "MiniRocket": "RocketRidge('minirocket', random_state=0)",
}
#: The models of ``--archive``.
ARCHIVE_MODELS = ("SpectralFilterClassifier()", "MiniRocket")
#: Seconds a model may run before it is reported as not finished.
TIMEOUT = 900

CHILD = """
import json, resource, time
import numpy as np
from benchmarks.clf_wide import wide_data
from benchmarks.protocol import RocketRidge
from sksssm import SpectralFilterClassifier
X_train, y_train, X_test, y_test = wide_data({shape})
model = {build}
start = time.perf_counter()
model.fit(X_train, y_train)
accuracy = float(np.mean(model.predict(X_test) == y_test))
seconds = time.perf_counter() - start
heads = getattr(model, "estimators_", [model])
features = sum(h.pooling_.n_features for h in heads) if hasattr(heads[0], "pooling_") else None
filters = None
if features:
    filters = sorted({{"mixtures" if h.pooling_.mixing == () else "all" for h in heads}})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(dict(accuracy=accuracy, seconds=seconds, features=features,
                                  filters=filters, peak_mib=peak)))
"""


def wide_data(shape):
    """``(X_train, y_train, X_test, y_test)`` of ``shape`` (see the module docstring)."""
    _, c, t, n_train, n_test = shape
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 4, n)
        X = rng.standard_normal((n, c, t)).cumsum(-1) * 0.1
        width = max(t // 8, 2)
        for i in range(n):
            start = (y[i] + 1) * t // 5
            X[i, (7 * y[i]) % c, start : start + width] += 2.0
        return X, y

    return (*make(n_train), *make(n_test))


def run_model(shape, label):
    """One model on one shape in a one-thread subprocess: its result dict."""
    code = CHILD.format(shape=tuple(shape), build=MODELS[label])
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return dict(error=f"over {TIMEOUT} s")
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    return dict(error=(done.stderr.strip().splitlines() or ["no output"])[-1][:120])


def run_shapes(shapes, labels):
    """``[(shape, {label: result})]``: each model on each shape (:func:`run_model`),
    printed as it finishes."""
    results = []
    for shape in shapes:
        by_model = {label: run_model(shape, label) for label in labels}
        for label, r in by_model.items():
            print(shape[0], label, r, flush=True)
        results.append((shape, by_model))
    return results


def feature_count(n_channels, n_timesteps):
    """Per-channel pooled features of the default's standardized series under
    ``"all"``: what ``pooled_filters="auto"`` compares with its budget."""
    from sksssm import SpectralFilterClassifier
    from sksssm.estimators._large_sets import _pooling

    clf = SpectralFilterClassifier(random_state=0, pooled_filters="all")
    return _pooling(clf, np.zeros((1, n_timesteps, n_channels)), True, 0).n_features


def counts():
    """``[(name, channels, steps, features)]`` of the development sets and the shapes."""
    from benchmarks.clf_channels import REAL_SETS, load_real
    from benchmarks.corpus import UCR_DEVELOPMENT, load_ucr

    rows = []
    for name in UCR_DEVELOPMENT:
        X = load_ucr(name)[0]
        rows.append((name, X.shape[1], X.shape[2], feature_count(X.shape[1], X.shape[2])))
    for name in REAL_SETS:
        X = load_real(name)[0]
        rows.append((name, X.shape[1], X.shape[2], feature_count(X.shape[1], X.shape[2])))
    for name, c, t, _, _ in SHAPES:
        rows.append((name, c, t, feature_count(c, t)))
    return rows


def _cell(result, key, form):
    """The formatted ``result[key]``; a model that failed shows its error once, in the
    accuracy cell, and "-" in the others."""
    if "error" in result:
        return result["error"] if key == "accuracy" else "-"
    return form.format(result[key])


def table(results):
    rows = []
    for (name, c, t, n_train, n_test), by_model in results:
        for label, r in by_model.items():
            filters = "-" if "error" in r or not r["filters"] else "/".join(r["filters"])
            rows.append([
                name, f"{n_train}/{n_test}, {c} x {t}", label, _cell(r, "accuracy", "{:.3f}"),
                _cell(r, "seconds", "{:.1f}"), _cell(r, "peak_mib", "{:.0f}"),
                "-" if "error" in r or r["features"] is None else f"{r['features']:,}", filters,
            ])  # fmt: skip
    header = ["shape", "n train/test, c x t", "model", "accuracy", "fit+predict [s]",
              "peak memory [MiB]", "pooled features (heads)", "per-channel filters"]  # fmt: skip
    return markdown_table(header, rows)


def archive():
    """The default and MiniRocket at :data:`ARCHIVE_SHAPES`: the section
    ``clf_archive_shapes``."""
    load_start = os.getloadavg()[0]
    results = run_shapes(ARCHIVE_SHAPES, ARCHIVE_MODELS)
    ratios = [
        f"{shape[0]} {ours['seconds'] / theirs['seconds']:.1f}x"
        for shape, (ours, theirs) in ((s, tuple(by.values())) for s, by in results)
        if "error" not in ours and "error" not in theirs
    ]
    body = "\n\n".join([
        "Synthetic data (module docstring of `benchmarks/clf_wide.py`: random walks and "
        "a class-dependent bump in one channel) at the full sizes of the UEA sets of "
        "extreme shapes, none of them in the repository; each model in its own "
        "one-thread subprocess (fit+predict, peak resident memory). 1-min load average "
        f"{load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end. The data are easy, "
        "so the accuracies say little; the question is whether the default runs, and "
        "at what cost.",
        table(results),
        "Time against MiniRocket: " + ", ".join(ratios) + ".",
    ])  # fmt: skip
    print(body)
    write_section(
        "clf_archive_shapes",
        body,
        command="python -m benchmarks.clf_wide --archive",
        title="SpectralFilterClassifier() at the UEA archive's extreme shapes",
    )
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes; writes nothing")
    parser.add_argument("--counts", action="store_true", help="feature counts only")
    parser.add_argument("--archive", action="store_true", help="full-size archive shapes")
    args = parser.parse_args(argv)
    if args.archive:
        return archive()
    if args.counts:
        rows = [[n, c, t, f"{f:,}"] for n, c, t, f in counts()]
        print(markdown_table(["set", "channels", "steps", "per-channel features"], rows))
        return 0
    load_start = os.getloadavg()[0]
    results = run_shapes(QUICK_SHAPES if args.quick else SHAPES, MODELS)
    largest = max(counts()[: -len(SHAPES)], key=lambda row: row[3])
    body = "\n\n".join([
        "Synthetic wide data (module docstring of `benchmarks/clf_wide.py`: random walks "
        "and a class-dependent bump in one channel), the shapes of UEA sets with fewer "
        "series; each model in its own one-thread subprocess (fit+predict, peak resident "
        f"memory). 1-min load average {load_start:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end. The default's `pooled_filters=\"auto\"` pools "
        "the identity and the mixtures only above 131,072 per-channel features (of the "
        "standardized series under `\"all\"`); the largest development set has "
        f"{largest[3]:,} ({largest[0]}), so the default is `\"all\"` on all of them.",
        table(results),
    ])  # fmt: skip
    print(body)
    if not args.quick:
        write_section(
            "clf_wide",
            body,
            command="python -m benchmarks.clf_wide",
            title="Wide multichannel data: the classifier's feature budget",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
