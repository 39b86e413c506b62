"""``SpectralFilterClassifier(pooled_filters="auto")``: the multichannel cost (issue 21).

Issue 21 asks for fit+predict within 2x MiniRocket's time on every set. With many
channels the per-channel responses dominate: at 10 channels of 400 steps each channel has,
in the standardized head's bank, the identity, 190 STU filters (7 lengths, two branches)
and 56 mixtures (``n_mixtures="auto"``: 4 per group; the raw head's dilated bank has 112
filters), and the statistics (33% of fit+predict), the responses (24%) and the ``ppv``
thresholds (10%) grow with them (profile, session 42: the changelog's entry).
The candidate, ``pooled_filters="auto"``, pools each channel over the identity and the
mixtures only when there are two channels or more: the mixtures are random combinations
within each group's subspace, each a fixed filter convolved directly (no per-filter
inverse FFT), and the cross-channel block uses the same filters
(:func:`~sksssm.spectral._pooled_filter_choice.resolve_pooled_filters`). One channel is
unchanged (tested bit-identical).

Measured side by side in one run, one thread, fit then predict of the official split:

* ``default``: ``pooled_filters="all"`` (the default when the rule was fixed);
* ``candidate``: ``pooled_filters="auto"`` as it was then, "mixtures" from two channels
  on: it is run as ``pooled_filters="mixtures"``, the same model on these sets (all
  multichannel; tested bit-identical). Since the feature budget of session 42,
  ``"auto"`` means "mixtures" only above 131,072 per-channel features, which none of
  these sets reaches (``benchmarks/clf_wide.py``);
* MiniRocket (+ scaler + ridge, ``benchmarks.clf_channels.minirocket``), seed 0, for
  the time ratio and as an accuracy reference.

Sets (:data:`REAL_SETS`): EOG2 (``benchmarks.clf_channels.load_eog2``), three stacks of
the development corpus's axis files as 3 channels (:data:`STACKS`: Cricket3,
Wiimote3, MidAir3), each kept only if its files agree series by series (the same labels
in order, and the same length per series; :func:`load_stack`), sktime's BasicMotions and
JapaneseVowels; synthetic shapes (:data:`SYNTHETIC_SHAPES`, time only, seed 0).

Pre-registered rule (verbatim, :data:`RULE`; thresholds :data:`MAX_MEAN_DROP`,
:data:`MAX_SET_DROP`, :data:`MAX_TIME_RATIO`):

"Pre-registered rule (issue 21, session 42, fixed before the counted run): on the real
multichannel sets EOG2, Cricket3, Wiimote3, MidAir3, BasicMotions and JapaneseVowels,
those whose stacking check passes (a stack whose files disagree in labels or in
per-series lengths is dropped and reported), the default (pooled_filters="all") and the
candidate (pooled_filters="auto") are fitted at random_state 0, 1 and 2, the accuracy of
a set being the mean over the seeds. The candidate passes if (a) its mean accuracy over
the sets is at least the default's - 0.005, (b) on no set is its accuracy more than 0.02
below the default's, and (c) its total fit+predict time over the real sets (every seed)
and the two synthetic shapes (6 x 896, 268/293, and 10 x 400, 160/74; random_state 0,
time only) is at most 0.6x the default's. If it passes, pooled_filters="auto" becomes
the default; else the default stays "all" and "auto" stays an option. One-channel data
is unchanged by construction (tested bit-identical), so the univariate corpus is not
rerun."

Usage::

    python -m benchmarks.clf_budget --write     # the counted run: the section
    python -m benchmarks.clf_budget --quick     # smoke run: tiny slices, no accuracy
"""

from __future__ import annotations

import argparse
import os
import warnings

import numpy as np

from benchmarks import clf_channels, protocol
from benchmarks._report import write_section
from benchmarks.clf_channels import MAX_MEAN_DROP, MAX_SET_DROP, load_eog2, synthetic

#: The rule of the module docstring, quoted.
RULE = " ".join(__doc__[__doc__.index('"Pre-registered') : __doc__.index('rerun."') + 7].split())
#: The rule's time bound (c); its accuracy bounds (a) and (b) are
#: :mod:`benchmarks.clf_channels`' (``MAX_MEAN_DROP`` 0.005, ``MAX_SET_DROP`` 0.02).
MAX_TIME_RATIO = 0.6
#: The classifier's parameters per variant (every other parameter at its default).
VARIANTS = {"default": {"pooled_filters": "all"}, "candidate": {"pooled_filters": "mixtures"}}
SEEDS = (0, 1, 2)
#: The development corpus's axis files stacked as channels, in channel order.
STACKS = {
    "Cricket3": ("CricketX", "CricketY", "CricketZ"),
    "Wiimote3": ("AllGestureWiimoteX", "AllGestureWiimoteY", "AllGestureWiimoteZ"),
    "MidAir3": ("GestureMidAirD1", "GestureMidAirD2", "GestureMidAirD3"),
}
REAL_SETS = ("EOG2", "Cricket3", "Wiimote3", "MidAir3", "BasicMotions", "JapaneseVowels")
#: ``(channels, steps, n_train, n_test)`` of the synthetic sets (time only, seed 0).
SYNTHETIC_SHAPES = ((6, 896, 268, 293), (10, 400, 160, 74))


def stack_problem(splits):
    """Why the UCR splits ``splits`` (one ``(X_train, y_train, X_test, y_test)`` per
    file) cannot be stacked as channels, or None: the labels must agree in order and
    each series must have the same valid (non-NaN) length in every file."""
    first = splits[0]
    for other in splits[1:]:
        for index, part in ((1, "train"), (3, "test")):
            if not np.array_equal(first[index], other[index]):
                n = int(np.sum(first[index] != other[index]))
                return f"{part} labels differ at {n} of {len(first[index])} positions"
        for index, part in ((0, "train"), (2, "test")):
            if first[index].shape != other[index].shape:
                return f"{part} shapes differ"
            lengths = [(~np.isnan(s[index][:, 0])).sum(axis=1) for s in (first, other)]
            if not np.array_equal(*lengths):
                n = int(np.sum(lengths[0] != lengths[1]))
                return f"{part} series lengths differ for {n} of {len(lengths[0])} series"
    return None


def load_stack(name):
    """``(data, problem)``: the files of ``STACKS[name]`` stacked as channels, or
    ``(None, why)`` when they fail :func:`stack_problem` (the stack is then dropped)."""
    from benchmarks.corpus import load_ucr

    splits = [load_ucr(file) for file in STACKS[name]]
    problem = stack_problem(splits)
    if problem is not None:
        return None, problem
    X_train = np.concatenate([s[0] for s in splits], axis=1)
    X_test = np.concatenate([s[2] for s in splits], axis=1)
    return (X_train, splits[0][1], X_test, splits[0][3]), None


def load_real(name):
    """``(data, problem)`` of one real set (:func:`load_stack` for the stacks)."""
    if name in STACKS:
        return load_stack(name)
    if name == "EOG2":
        return load_eog2(), None
    from benchmarks._classification_data import load

    return load(name), None


def _build(variant, seed, n_channels):
    from sksssm import SpectralFilterClassifier

    return SpectralFilterClassifier(random_state=seed, **VARIANTS[variant])


def run_set(name, data, seeds):
    """Both variants at each seed (order alternating), then MiniRocket at seed 0
    (:func:`benchmarks.clf_channels.run_set`)."""
    return clf_channels.run_set(name, data, seeds, variants=VARIANTS, build=_build)


def checks(real_rows, all_rows):
    """The rule's conditions (a), (b), (c) for the candidate: a dict of numbers and bools
    (:func:`benchmarks.clf_channels.candidate_checks` with this rule's time bound; its
    accuracy bounds are the same)."""
    return clf_channels.candidate_checks(real_rows, all_rows, "candidate", MAX_TIME_RATIO)


def verdict(real_rows, all_rows):
    """The rule applied, in words."""
    k = checks(real_rows, all_rows)
    met = {True: "met", False: "not met"}
    outcome = (
        'the candidate passes: the default becomes pooled_filters="auto".'
        if k["passes"]
        else 'the candidate fails: the default stays "all" and "auto" stays an option.'
    )
    return (
        f"- `candidate`: mean accuracy change {k['mean_delta']:+.4f} (a: >= "
        f"-{MAX_MEAN_DROP}, {met[k['a']]}), worst set {k['worst_delta']:+.4f} (b: >= "
        f"-{MAX_SET_DROP}, {met[k['b']]}), total time {k['time_ratio']:.2f}x the default's "
        f"(c: <= {MAX_TIME_RATIO}, {met[k['c']]}).\n\nOutcome: {outcome}"
    )


def table(rows):
    """:func:`benchmarks.clf_channels.table` of this benchmark's variants."""
    return clf_channels.table(rows, VARIANTS, extra=None)


def per_seed(rows):
    """:func:`benchmarks.clf_channels.per_seed` of this benchmark's variants and seeds."""
    return clf_channels.per_seed(rows, VARIANTS, SEEDS)


def report(rows, dropped, command, load_start):
    """Write the ``clf_budget`` section."""
    real = [r for r in rows if r["real"]]
    drops = "; ".join(f"{name} ({why})" for name, why in dropped) or "none"
    body = f"""`SpectralFilterClassifier` with `pooled_filters="all"` (the default) and
`"auto"` (each channel pooled over the identity and the mixtures only, for two channels
or more), with MiniRocket (+ scaler + ridge, seed 0) side by side: fit then predict of
the official split, one thread, one run (1-min load average {load_start:.1f} at start,
{os.getloadavg()[0]:.1f} at end). Real sets: each variant at `random_state`
{", ".join(map(str, SEEDS))} (accuracy: the mean over the seeds; time: the total;
"/ MiniRocket": one fit+predict over MiniRocket's). Stacks dropped by the stacking check
(the files do not agree series by series): {drops}. Synthetic shapes (time only,
`random_state=0`): a random walk plus a class-dependent bump, 4 classes.

{
        clf_channels.rule_and_results(
            "clf_budget", RULE, verdict(real, rows), table(rows), per_seed(rows)
        )
    }"""
    write_section(
        "clf_budget", body, command=command,
        title='SpectralFilterClassifier(pooled_filters="auto"): the multichannel cost',
    )  # fmt: skip


def datasets(quick):
    """``([(name, data, real)], [(dropped stack, why)])``; ``quick``: tiny slices of the
    real sets (no accuracy shown) and small synthetic shapes."""
    out, dropped = [], []
    for name in REAL_SETS:
        data, problem = load_real(name)
        if problem is not None:
            dropped.append((name, problem))
            continue
        out.append((name, clf_channels.quick_slice(data) if quick else data, True))
    for c, t, n_train, n_test in SYNTHETIC_SHAPES:
        shape = (c, 160, 20, 10) if quick else (c, t, n_train, n_test)
        out.append((f"synthetic {c} x {t}", synthetic(*shape), False))
    return out, dropped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the section")
    parser.add_argument("--quick", action="store_true", help="smoke run (nothing written)")
    args = parser.parse_args(argv)
    if args.quick and args.write:
        parser.error("--quick writes nothing")
    load_start = os.getloadavg()[0]
    sets, dropped = datasets(args.quick)
    for name, why in dropped:
        print(f"{name}: dropped ({why})", flush=True)
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = clf_channels.run_sets(sets, args.quick, run_set, VARIANTS, SEEDS)
        if args.quick:
            print("quick run: accuracy not shown, nothing written.")
            return 0
        print(table(rows))
        print(verdict([r for r in rows if r["real"]], rows))
        if args.write:
            report(rows, dropped, "python -m benchmarks.clf_budget --write", load_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
