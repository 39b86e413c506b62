"""``SpectralFilterClassifier()`` speed check: this version against a baseline, side by side.

The 37 UCR development sets (:data:`benchmarks.corpus.UCR_DEVELOPMENT`, official split)
and sktime's BasicMotions and JapaneseVowels (multivariate; JapaneseVowels of unequal
lengths) are fitted and predicted with the defaults (``random_state=0``) by this
version and by the ``sksssm`` package under ``--baseline DIR`` (e.g. ``git worktree add
/tmp/base COMMIT``), both imported into this one process (:func:`baseline_class`), set
by set in turn (the order alternating between sets), one thread, each version warmed up
on a tiny slice of the set first (:func:`benchmarks.protocol.warm_up_slice`) and, once
per run, by an untimed fit on :data:`WARM_UP_SET`. Timed:
``fit`` then ``predict`` of the test set. Compared: the test-set predictions.

Adoption rule (written before the counted run, issue 21's rules):

* a change whose test-set predictions equal the baseline's on every set is adopted when
  its total time is lower;
* otherwise it is adopted only if, on the 37 development sets, its mean accuracy is at
  least the baseline's minus 0.002, its losses (sets less accurate than the baseline)
  are at most its wins plus 2, and its total time is at least 10% lower;
* or (rule 3, added in session 37 before the run of the fewer-threshold-steps change,
  for changes aimed at issue 21's per-set target, at most 2x MiniRocket on every set,
  which the small sets miss most) with the same two accuracy conditions, if the median
  over the 39 sets of the per-set time ratio (this version / the baseline) is at most
  0.9.

The section (``clf_speed``) is rewritten after every set, so an interrupted run leaves
exactly the sets that ran.

Usage::

    python -m benchmarks.clf_speed --baseline /tmp/base                  # print only
    python -m benchmarks.clf_speed --baseline /tmp/base --write 7a41b82  # the section
    python -m benchmarks.clf_speed --baseline /tmp/base --sets Beef FaceAll

Without ``--baseline`` (as under ``python -m benchmarks``) it only says so: there is
nothing to compare with.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import UCR_DEVELOPMENT, load_ucr

#: sktime's multivariate sets added to the development corpus (loaded by
#: :func:`benchmarks._classification_data.load`).
SKTIME_SETS = ("BasicMotions", "JapaneseVowels")
SEED = 0
#: A small development set, fitted once untimed by each version before the timed runs.
WARM_UP_SET = "Coffee"
#: The rule's thresholds (module docstring).
MAX_ACCURACY_DROP = 0.002
MAX_EXTRA_LOSSES = 2
MIN_TIME_SAVING = 0.10
#: Rule 3: the largest median per-set time ratio (this version / the baseline).
MAX_MEDIAN_RATIO = 0.9


def baseline_class(directory):
    """``SpectralFilterClassifier`` of the ``sksssm`` package under ``directory``
    (:func:`benchmarks.protocol.baseline_estimator`)."""
    return protocol.baseline_estimator(directory, "sksssm", "SpectralFilterClassifier")


def load(name):
    """``(X_train, y_train, X_test, y_test)`` of one set of this benchmark."""
    if name in SKTIME_SETS:
        from benchmarks.classification import load as load_sktime

        return load_sktime(name)
    return load_ucr(name)


def fit_predict(cls, X_train, y_train, X_test):
    """Test-set predictions of ``cls(random_state=SEED)`` and the seconds of fit+predict."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = cls(random_state=SEED).fit(X_train, y_train).predict(X_test)
    return np.asarray(predicted), time.perf_counter() - start


def run_set(name, classes, index):
    """One set: both versions warmed up, then timed in turn (order alternating by set)."""
    X_train, y_train, X_test, y_test = load(name)
    warm = protocol.warm_up_slice(X_train, y_train, X_test)
    for cls in classes.values():
        fit_predict(cls, *warm)
    order = list(classes) if index % 2 == 0 else list(classes)[::-1]
    row = {"name": name, "shape": f"{len(X_train)}+{len(X_test)}, {_size(X_train)}"}
    for label in order:
        predicted, seconds = fit_predict(classes[label], X_train, y_train, X_test)
        row[label] = (predicted, seconds, float(np.mean(predicted == y_test)))
    row["identical"] = bool(np.array_equal(row["new"][0], row["baseline"][0]))
    return row


def _size(X):
    """``channels x time`` of a (n, t) or (n, c, t) array."""
    return f"{X.shape[1]} x {X.shape[2]}" if X.ndim == 3 else f"1 x {X.shape[1]}"


def verdict(rows):
    """The adoption rule (module docstring) applied to the finished rows, in words."""
    old = sum(r["baseline"][1] for r in rows)
    new = sum(r["new"][1] for r in rows)
    saving = 1.0 - new / old
    if all(r["identical"] for r in rows):
        adopted = new < old
        return (
            f"Predictions identical on all {len(rows)} sets; total time {new:.1f} s against "
            f"{old:.1f} s ({-saving:+.1%}): {'adopted' if adopted else 'not adopted'} (rule 1)."
        )
    ucr = [r for r in rows if r["name"] in UCR_DEVELOPMENT]
    delta = np.mean([r["new"][2] - r["baseline"][2] for r in ucr])
    wins = sum(r["new"][2] > r["baseline"][2] for r in ucr)
    losses = sum(r["new"][2] < r["baseline"][2] for r in ucr)
    accurate = delta >= -MAX_ACCURACY_DROP and losses <= wins + MAX_EXTRA_LOSSES
    median_ratio = float(np.median([r["new"][1] / r["baseline"][1] for r in rows]))
    by_total = accurate and saving >= MIN_TIME_SAVING
    by_median = accurate and median_ratio <= MAX_MEDIAN_RATIO
    return (
        f"Predictions differ on {sum(not r['identical'] for r in rows)} of {len(rows)} sets: "
        f"mean accuracy change {delta:+.4f} on the {len(ucr)} development sets, "
        f"wins/losses {wins}/{losses}, total time {new:.1f} s against {old:.1f} s "
        f"({-saving:+.1%}), median per-set time ratio {median_ratio:.2f}: rule 2 "
        f"{'met' if by_total else 'not met'}, rule 3 {'met' if by_median else 'not met'}: "
        f"{'adopted' if by_total or by_median else 'not adopted'}."
    )


def report(rows, label, command, load_start, finished):
    """Write the ``clf_speed`` section from the rows so far."""
    table = [
        [
            r["name"], r["shape"], f"{r['baseline'][1]:.2f}", f"{r['new'][1]:.2f}",
            f"{r['baseline'][1] / r['new'][1]:.2f}x",
            "yes" if r["identical"] else f"no ({r['baseline'][2]:.3f} -> {r['new'][2]:.3f})",
        ]
        for r in rows
    ]  # fmt: skip
    old = sum(r["baseline"][1] for r in rows)
    new = sum(r["new"][1] for r in rows)
    table.append(["total", "", f"{old:.1f}", f"{new:.1f}", f"{old / new:.2f}x", ""])
    header = ["data set", "n train + n test, c x t", f"baseline s ({label})", "this s",
              "speed-up", "predictions identical (else accuracy)"]  # fmt: skip
    status = verdict(rows) if finished else f"Interrupted: {len(rows)} sets ran."
    body = f"""`SpectralFilterClassifier(random_state=0)` defaults on the 37 UCR development
sets and sktime's BasicMotions and JapaneseVowels: fit then predict of the official
split, one thread, this version and the baseline ({label}) imported into one process
and run set by set in turn (each warmed up on a tiny slice of the set first, and once
on {WARM_UP_SET} at the start of the run), so both
see the same load (1-min load average {load_start:.1f} at start, {os.getloadavg()[0]:.1f}
at end). Adoption rule, fixed before this run (in `benchmarks/clf_speed.py`): identical
test-set predictions on every set and a lower total time; otherwise mean accuracy at
least the baseline's minus {MAX_ACCURACY_DROP}, losses at most wins + {MAX_EXTRA_LOSSES}
and at least {MIN_TIME_SAVING:.0%} less total time (rule 2) or a median per-set time
ratio of at most {MAX_MEDIAN_RATIO} (rule 3).

{status}

{markdown_table(header, table)}
"""
    write_section(
        "clf_speed", body, command=command,
        title="SpectralFilterClassifier(): time per set against a baseline, side by side",
    )  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="directory holding sksssm/ (required)")
    parser.add_argument("--write", metavar="LABEL", help="write the section, naming the baseline")
    parser.add_argument("--sets", nargs="+", help="only these sets (not for the section)")
    args = parser.parse_args(argv)
    names = args.sets or [*UCR_DEVELOPMENT, *SKTIME_SETS]
    if args.write and args.sets:
        parser.error("--write runs every set")
    if not args.baseline:  # e.g. under ``python -m benchmarks``: nothing to compare with
        print("clf_speed compares with a baseline: pass --baseline DIR (nothing written).")
        return 0
    from sksssm import SpectralFilterClassifier

    classes = {"new": SpectralFilterClassifier, "baseline": baseline_class(args.baseline)}
    command = f"python -m benchmarks.clf_speed --baseline DIR --write {args.write}"
    load_start = os.getloadavg()[0]
    rows = []
    with protocol.one_thread():
        # the process's first full-size fit is slower than the next ones (measured: ~10%
        # on Coffee; fresh memory): one untimed fit of each version on a small set first
        X_train, y_train, X_test, _ = load(WARM_UP_SET)
        for cls in classes.values():
            fit_predict(cls, X_train, y_train, X_test)
        for index, name in enumerate(names):
            row = run_set(name, classes, index)
            rows.append(row)
            print(
                f"{name:30s} baseline {row['baseline'][1]:7.2f} s  new {row['new'][1]:7.2f} s"
                f"  identical {row['identical']}  acc {row['baseline'][2]:.3f} "
                f"{row['new'][2]:.3f}",
                flush=True,
            )
            if args.write:
                report(rows, args.write, command, load_start, index == len(names) - 1)
    print(verdict(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
