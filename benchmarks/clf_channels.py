"""``SpectralFilterClassifier(n_mixtures="auto")`` on multichannel data (issue 21).

The default classifier computes, for every channel, its bank's responses plus
``n_mixtures`` (32) random mixtures per filter group, so its cost and its features grow
linearly with the channels, while MiniRocket's features are fixed. Measured side by side
in one run, one thread, fit then predict of the official split:

* ``default``: ``n_mixtures=32`` per group and channel (the default until this
  benchmark's counted run at ``fbdb823``, which made ``"auto"`` the default);
* ``auto``: ``n_mixtures="auto"``, ``ceil(32 / c)`` for ``c`` channels;
* ``sqrt``: ``n_mixtures=ceil(32 / sqrt(c))`` (the int it would resolve to, passed per
  set; no such option exists in the library);
* MiniRocket (sktime's ``MiniRocketMultivariate``, or ``MiniRocketMultivariateVariable``
  for unequal lengths, + ``StandardScaler(with_mean=False)`` + ``RidgeClassifierCV``),
  for the time ratio only, ``random_state=0``.

Real sets (accuracy and time; each sksssm variant at ``random_state`` 0-4, accuracy the
mean over the seeds, time the total): ``EOG2`` (the UCR development sets
``EOGHorizontalSignal`` and ``EOGVerticalSignal`` stacked as two channels: the same
recordings, their labels asserted equal), sktime's ``BasicMotions`` (6 channels) and
``JapaneseVowels`` (12 channels, unequal lengths). Synthetic shapes (time only,
``random_state=0``; accuracy there is trivially 1.0): the lead's random walk plus a
class-dependent bump, of the shapes of SelfRegulationSCP1 and HandMovementDirection
(:data:`SYNTHETIC_SHAPES`).

Pre-registered rule (verbatim, :data:`RULE`; thresholds :data:`MAX_MEAN_DROP`,
:data:`MAX_SET_DROP`, :data:`MAX_TIME_RATIO`):

"Pre-registered rule (issue 21, session 41, fixed before the counted run): on the three
real multichannel sets (EOG2, BasicMotions, JapaneseVowels; accuracy of each the mean
over random_state 0-4), a candidate passes if (a) the mean over the three sets of its
accuracy is at least the default's - 0.005, (b) on no set is its accuracy below the
default's by more than 0.02, and (c) its total fit+predict time over the three real sets
and the two synthetic shapes is at most 0.75x the default's. If `auto` passes it becomes
the default (`n_mixtures="auto"`); else if `sqrt` passes, the default becomes `"auto"`
with the square-root resolution instead (the lead will decide the implementation); else
the default stays 32 and `"auto"` stays an option. Univariate data is unchanged by
construction (tested bit-identical), so the 37 univariate development sets are not rerun."

Usage::

    python -m benchmarks.clf_channels --write     # the counted run: the section
    python -m benchmarks.clf_channels --quick     # smoke run: tiny slices, no accuracy
"""

from __future__ import annotations

import argparse
import math
import os
import warnings

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section

#: The rule of the module docstring, quoted.
RULE = " ".join(__doc__[__doc__.index('"Pre-registered') : __doc__.index('rerun."') + 7].split())
#: The rule's thresholds: (a) mean accuracy drop, (b) drop on any one set, (c) time ratio.
MAX_MEAN_DROP = 0.005
MAX_SET_DROP = 0.02
MAX_TIME_RATIO = 0.75
#: Round-off allowed in the rule's comparisons: accuracies are means of fractions, and a
#: difference exactly on a threshold (such as 0.88 - 0.9 = -0.02) is computed as a hair
#: beyond it in float64.
ROUND_OFF = 1e-9
#: The candidates in the rule's order of preference.
CANDIDATES = ("auto", "sqrt")
VARIANTS = ("default", *CANDIDATES)
#: Mixtures per group and channel of one channel (the default).
BASE_MIXTURES = 32
SEEDS = (0, 1, 2, 3, 4)
REAL_SETS = ("EOG2", "BasicMotions", "JapaneseVowels")
#: ``(channels, steps, n_train, n_test)`` of the synthetic sets (time only, seed 0).
SYNTHETIC_SHAPES = ((6, 896, 268, 293), (10, 400, 160, 74))


def n_mixtures(variant, n_channels):
    """The ``n_mixtures`` parameter of ``variant`` for ``n_channels`` channels."""
    if variant == "default":
        return BASE_MIXTURES
    if variant == "auto":
        return "auto"
    return math.ceil(BASE_MIXTURES / math.sqrt(n_channels))


def load_eog2():
    """EOGHorizontalSignal and EOGVerticalSignal stacked as two channels."""
    from benchmarks.corpus import load_ucr

    horizontal = load_ucr("EOGHorizontalSignal")
    vertical = load_ucr("EOGVerticalSignal")
    # the same recordings in both files: stacking them needs the same labels in order
    for a, b in zip(horizontal, vertical, strict=True):
        assert a.shape == b.shape
    for labels in (1, 3):
        assert np.array_equal(horizontal[labels], vertical[labels]), "labels differ"
    X_train = np.concatenate([horizontal[0], vertical[0]], axis=1)
    X_test = np.concatenate([horizontal[2], vertical[2]], axis=1)
    return X_train, horizontal[1], X_test, horizontal[3]


def load_real(name):
    """``(X_train, y_train, X_test, y_test)``, ``X`` NaN-padded ``(n, channels, time)``."""
    if name == "EOG2":
        return load_eog2()
    from benchmarks._classification_data import load

    return load(name)


def synthetic(n_channels, n_timesteps, n_train, n_test):
    """The lead's random walk plus a bump in channel ``y % c`` at ``50 + 20 y`` (4 classes)."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 4, n)
        X = rng.standard_normal((n, n_channels, n_timesteps)).cumsum(-1) * 0.1
        for i in range(n):
            X[i, y[i] % n_channels, 50 + 20 * y[i] : 90 + 20 * y[i]] += 2.0
        return X, y

    return (*make(n_train), *make(n_test))


def minirocket(unequal):
    """MiniRocket + scaler + ridge (the paper's classifier), for equal or unequal lengths."""
    from benchmarks._classification_models import MiniRocketVariable

    return MiniRocketVariable() if unequal else protocol.RocketRidge("minirocket", 0)


def timed_accuracy(model, X_train, y_train, X_test, y_test):
    """``(accuracy, seconds)`` of ``model``'s fit then predict."""
    predicted, seconds = protocol.timed(lambda: model.fit(X_train, y_train).predict(X_test))
    return float(np.mean(np.asarray(predicted) == y_test)), seconds


def run_set(name, data, seeds, variants=VARIANTS, build=None):
    """One set: every variant at each seed (order rotating), then MiniRocket once.

    ``build(variant, seed, n_channels)``: the unfitted classifier of a variant (None:
    this module's, :func:`n_mixtures`). Returns ``{"name", "shape", "channels",
    variant: (accuracies, seconds), "minirocket": (accuracy, seconds)}``; every model
    warmed up on a tiny slice of the set first.
    """
    from sksssm import SpectralFilterClassifier

    X_train, y_train, X_test, y_test = data
    c = X_train.shape[1]
    unequal = bool(np.isnan(X_train).any() or np.isnan(X_test).any())
    variants = tuple(variants)

    def model(variant, seed):
        if build is not None:
            return build(variant, seed, c)
        return SpectralFilterClassifier(n_mixtures=n_mixtures(variant, c), random_state=seed)

    warm = protocol.warm_up_slice(X_train, y_train, X_test)
    for variant in variants:
        protocol.warm_up(lambda v=variant: model(v, 0).fit(*warm[:2]).predict(warm[2]))
    protocol.warm_up(lambda: minirocket(unequal).fit(*warm[:2]).predict(warm[2]))
    results = {variant: ([], 0.0) for variant in variants}
    for index, seed in enumerate(seeds):
        shift = index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            accuracy, seconds = timed_accuracy(model(variant, seed), *data)
            accuracies, total = results[variant]
            results[variant] = ([*accuracies, accuracy], total + seconds)
    row = {"name": name, "shape": _shape(X_train, X_test), "channels": c, **results}
    row["minirocket"] = timed_accuracy(minirocket(unequal), *data)
    return row


def _shape(X_train, X_test):
    """``"n_train/n_test, c x t"`` (``t`` the padded length)."""
    return f"{len(X_train)}/{len(X_test)}, {X_train.shape[1]} x {X_train.shape[2]}"


def mean_accuracy(row, variant):
    """The mean over the seeds of ``variant``'s accuracy on ``row``'s set."""
    return float(np.mean(row[variant][0]))


def candidate_checks(real_rows, all_rows, candidate, max_time_ratio=MAX_TIME_RATIO):
    """The rule's conditions (a), (b), (c) for ``candidate``: a dict of numbers and bools.

    ``real_rows``: the rows of the real sets (accuracy); ``all_rows``: every row (time);
    ``max_time_ratio``: condition (c)'s bound (this module's rule's by default).
    """
    deltas = [mean_accuracy(r, candidate) - mean_accuracy(r, "default") for r in real_rows]
    time_ratio = sum(r[candidate][1] for r in all_rows) / sum(r["default"][1] for r in all_rows)
    checks = {
        "mean_delta": float(np.mean(deltas)),
        "worst_delta": float(min(deltas)),
        "time_ratio": time_ratio,
    }
    checks["a"] = checks["mean_delta"] >= -MAX_MEAN_DROP - ROUND_OFF
    checks["b"] = checks["worst_delta"] >= -MAX_SET_DROP - ROUND_OFF
    checks["c"] = time_ratio <= max_time_ratio + ROUND_OFF
    checks["passes"] = checks["a"] and checks["b"] and checks["c"]
    return checks


def decision(checks):
    """The rule's outcome from each candidate's :func:`candidate_checks`: ``"auto"``
    (becomes the default), ``"sqrt"`` (the lead decides), or ``"none"`` (default 32)."""
    return next((c for c in CANDIDATES if checks[c]["passes"]), "none")


OUTCOMES = {
    "auto": 'auto passes: the default becomes n_mixtures="auto".',
    "sqrt": 'auto fails, sqrt passes: the default is to become "auto" with the square-root '
    "resolution (the lead decides the implementation).",
    "none": 'neither passes: the default stays 32 and "auto" stays an option.',
}


def verdict(real_rows, all_rows):
    """The rule applied, in words (one line per candidate, then the outcome)."""
    checks = {c: candidate_checks(real_rows, all_rows, c) for c in CANDIDATES}
    lines = [
        f"- `{c}`: mean accuracy change {k['mean_delta']:+.4f} (a: >= -{MAX_MEAN_DROP}, "
        f"{_met(k['a'])}), worst set {k['worst_delta']:+.4f} (b: >= -{MAX_SET_DROP}, "
        f"{_met(k['b'])}), total time {k['time_ratio']:.2f}x the default's (c: <= "
        f"{MAX_TIME_RATIO}, {_met(k['c'])}): {'passes' if k['passes'] else 'fails'}."
        for c, k in checks.items()
    ]
    return "\n".join([*lines, "", f"Outcome: {OUTCOMES[decision(checks)]}"])


def _met(flag):
    return "met" if flag else "not met"


def _mixtures_column(variant, row):
    """The mixtures per group and channel of ``variant`` on ``row``'s set."""
    mixtures = n_mixtures(variant, row["channels"])
    return (
        f"auto = {math.ceil(BASE_MIXTURES / row['channels'])}" if mixtures == "auto" else mixtures
    )


def table(rows, variants=VARIANTS, extra=("mixtures", _mixtures_column)):
    """Markdown table, one line per set and model: ``extra`` (a column's header and its
    value of ``(variant, row)``, or None: none; here the mixtures per group and channel),
    accuracy (real sets: the mean over the seeds), total seconds, and the seconds of one
    fit+predict over MiniRocket's."""
    extra_header = [] if extra is None else [extra[0]]
    header = ["data set", "n train/test, c x t", "model", *extra_header, "accuracy",
              "seconds (total)", "one fit / MiniRocket"]  # fmt: skip
    body = []
    for r in rows:
        mr_accuracy, mr_seconds = r["minirocket"]
        for variant in variants:
            accuracies, seconds = r[variant]
            extra_cell = [] if extra is None else [extra[1](variant, r)]
            accuracy = f"{np.mean(accuracies):.4f}" if r["real"] else "-"
            ratio = seconds / len(accuracies) / mr_seconds
            body.append([r["name"], r["shape"], variant, *extra_cell, accuracy,
                         f"{seconds:.1f}", f"{ratio:.1f}x"])  # fmt: skip
        accuracy = f"{mr_accuracy:.4f}" if r["real"] else "-"
        body.append([r["name"], r["shape"], "MiniRocket", *([""] * len(extra_header)),
                     accuracy, f"{mr_seconds:.2f}", "1.0x"])  # fmt: skip
    totals = "; ".join(f"{v} {sum(r[v][1] for r in rows):.1f} s" for v in variants)
    mr_total = sum(r["minirocket"][1] for r in rows)
    return f"{markdown_table(header, body)}\n\nTotal time: {totals}; MiniRocket {mr_total:.1f} s."


def per_seed(rows, variants=VARIANTS, seeds=SEEDS):
    """Each real set's accuracy per seed and variant (the seed noise behind the means)."""
    seed_names = ", ".join(map(str, seeds))
    header = ["data set", *(f"{v} (seeds {seed_names})" for v in variants)]
    body = [
        [r["name"], *(" ".join(f"{a:.3f}" for a in r[v][0]) for v in variants)]
        for r in rows
        if r["real"]
    ]
    return markdown_table(header, body)


def rule_and_results(script, rule, verdict_text, table_text, per_seed_text):
    """The end of a section of this script or of ``clf_budget``: the rule as fixed
    before the run, the verdict, the table and the accuracy per seed."""
    return f"""Rule, fixed before this run (in `benchmarks/{script}.py`): {rule}

{verdict_text}

{table_text}

Accuracy per seed:

{per_seed_text}
"""


def report(rows, command, load_start):
    """Write the ``clf_channels`` section."""
    real = [r for r in rows if r["real"]]
    body = f"""`SpectralFilterClassifier` with `n_mixtures=32` (the default), `"auto"`
(`ceil(32 / c)` per group and channel) and `ceil(32 / sqrt(c))` (`sqrt`, passed as an
int) on multichannel data, with sktime's MiniRocket (+ scaler + ridge) for the time
ratio: fit then predict of the official split, one thread, side by side in one run (1-min
load average {load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end). Real sets:
each sksssm variant at `random_state` {SEEDS[0]}-{SEEDS[-1]} (accuracy: the mean over
the seeds; time: the total over them; "/ MiniRocket": the time of one fit+predict over
MiniRocket's); EOG2 is EOGHorizontalSignal and EOGVerticalSignal stacked as two
channels. Synthetic shapes (time only, `random_state=0`): a random walk plus a
class-dependent bump, 4 classes.

{rule_and_results("clf_channels", RULE, verdict(real, rows), table(rows), per_seed(rows))}"""
    write_section(
        "clf_channels", body, command=command,
        title='SpectralFilterClassifier(n_mixtures="auto") on multichannel data',
    )  # fmt: skip


def quick_slice(data):
    """A tiny class-stratified slice of a set's ``(X_train, y_train, X_test, y_test)``
    for smoke runs."""
    X_train, y_train, X_test = protocol.warm_up_slice(*data[:3], per_class=3)
    return X_train, y_train, X_test, data[3][: len(X_test)]


def datasets(quick):
    """``[(name, data, real)]``: the real sets and the synthetic shapes; ``quick``: tiny
    slices of the real sets (no accuracy shown) and small synthetic shapes."""
    out = [(name, quick_slice(load_real(name)) if quick else load_real(name), True)
           for name in REAL_SETS]  # fmt: skip
    for c, t, n_train, n_test in SYNTHETIC_SHAPES:
        shape = (c, 160, 20, 10) if quick else (c, t, n_train, n_test)
        out.append((f"synthetic c={c}", synthetic(*shape), False))
    return out


def run_sets(sets, quick, run_one, variants, seeds=SEEDS):
    """Every row of ``sets`` (``[(name, data, real)]``) by ``run_one(name, data,
    seeds)``: the real sets at every seed of ``seeds``, the synthetic shapes (and every
    set of a ``quick`` run) at the first; each printed as it ends. Call it inside
    :func:`benchmarks.protocol.one_thread`, and write the section there too, so that the
    stamp reports the runs' threads."""
    from benchmarks._classification_models import warm_up_numba

    warm_up_numba()
    rows = []
    for name, data, real in sets:
        row = {**run_one(name, data, seeds[:1] if quick or not real else seeds), "real": real}
        rows.append(row)
        times = "  ".join(f"{v} {row[v][1]:6.1f} s" for v in variants)
        print(f"{name:20s} {row['shape']:24s} {times}  MiniRocket "
              f"{row['minirocket'][1]:5.2f} s  load {os.getloadavg()[0]:.2f}",
              flush=True)  # fmt: skip
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the section")
    parser.add_argument("--quick", action="store_true", help="smoke run (nothing written)")
    args = parser.parse_args(argv)
    if args.quick and args.write:
        parser.error("--quick writes nothing")
    load_start = os.getloadavg()[0]
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = run_sets(datasets(args.quick), args.quick, run_set, VARIANTS)
        if args.quick:
            print("quick run: accuracy not shown, nothing written.")
            return 0
        print(table(rows))
        print(verdict([r for r in rows if r["real"]], rows))
        if args.write:
            report(rows, "python -m benchmarks.clf_channels --write", load_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
