"""Ablation of ``SpectralFilterClassifier``: what each pooling option costs and buys.

Every variant is ``SpectralFilterClassifier(random_state=0, **change)`` (one change from
the defaults; the same random filter mixtures in every variant, so the comparison is
paired), run with the protocol of :mod:`benchmarks.ucr` (official split, one thread,
warm, fit+predict seconds) on a fixed subset of the UCR development corpus: the
:data:`N_SETS` sets with the smallest files (:func:`benchmarks.corpus.corpus_bytes`, the
order ``benchmarks.ucr`` runs them in), chosen by that rule before any result was seen.
MiniRocket runs side by side on each set as the time yardstick. The variants and their
groups (one option and one section each) are in
:mod:`benchmarks._classifier_ablation_variants` (the filter-bank groups in
:mod:`benchmarks._bank_variants`).

Columns: mean accuracy, mean rank among the variants (1 = best, ties share the rank),
wins/draws/losses against ``default``, total fit+predict seconds and that total over
MiniRocket's.

Usage::

    python -m benchmarks.classifier_ablation            # every variant, N_SETS sets
    python -m benchmarks.classifier_ablation --quick    # the 6 smallest sets
    python -m benchmarks.classifier_ablation --variants default "raw only"
    python -m benchmarks.classifier_ablation --combined # COMBINED, their own section
    python -m benchmarks.classifier_ablation --speed    # SPEED, their own section
    python -m benchmarks.classifier_ablation --alternating  # ALTERNATING, likewise
    python -m benchmarks.classifier_ablation --ops      # OPS, likewise
    python -m benchmarks.classifier_ablation --ops --all-sets  # all sets: "_all" section
    python -m benchmarks.classifier_ablation --ops-pairs  # OPS_PAIRS, their own section
    python -m benchmarks.classifier_ablation --ops-segments --all-sets  # OPS_SEGMENTS
    python -m benchmarks.classifier_ablation --ops-one --all-sets  # OPS_ONE
    python -m benchmarks.classifier_ablation --frontier --pilot    # FRONTIER's timing pilot
    python -m benchmarks.classifier_ablation --frontier --all-sets  # FRONTIER, counted
    python -m benchmarks.classifier_ablation --dilation --all-sets  # DILATION, counted
    python -m benchmarks.classifier_ablation --mixed-banks --all-sets  # MIXED_BANKS
    python -m benchmarks.classifier_ablation --mixed-banks-library --all-sets  # counted
    python -m benchmarks.classifier_ablation --raw-differences --all-sets  # counted
    python -m benchmarks.classifier_ablation --runs --all-sets  # RUNS, counted
    python -m benchmarks.classifier_ablation --frontier-combined --all-sets  # counted (1)
    python -m benchmarks.classifier_ablation --frontier-combined --bundled  # counted (2)
    python -m benchmarks.classifier_ablation --seeds --all-sets  # SEEDS, a measurement
    python -m benchmarks.classifier_ablation --confirm-raw-std --all-sets  # counted (1)
    python -m benchmarks.classifier_ablation --confirm-raw-std --bundled  # counted (2)
    python -m benchmarks.classifier_ablation --confirm-ops --all-sets  # counted (1)
    python -m benchmarks.classifier_ablation --confirm-ops --bundled  # counted (2)
    python -m benchmarks.classifier_ablation --confirm-kernel --all-sets  # counted (1)
    python -m benchmarks.classifier_ablation --confirm-kernel --bundled  # counted (2)
    python -m benchmarks.classifier_ablation --confirm-combination --all-sets  # counted (1)
    python -m benchmarks.classifier_ablation --confirm-combination --bundled  # counted (2)
    python -m benchmarks.classifier_ablation --confirm-quantiles --all-sets  # counted (1)
    python -m benchmarks.classifier_ablation --confirm-quantiles --bundled  # counted (2)

``--frontier`` (issue 21, session 38): its pilot and adoption rules, fixed by the lead
before any run, are in :mod:`benchmarks._frontier`. ``--frontier-combined`` (issue 21,
session 40): its rule, its check on sktime's bundled sets (``--bundled``) and its
section's two parts are in :mod:`benchmarks._frontier_combined`. ``--seeds`` (issue 21,
session 40): the default classifier at five seeds, the seed noise of these figures; what
it reports is in :mod:`benchmarks._seeds`. ``--confirm-raw-std`` (issue 21, session
41): ``dilation="raw", differences="standardized"`` against the default at seeds 1-4,
on the development sets and (``--bundled``) on sktime's bundled sets; its rule and
section in :mod:`benchmarks._confirm_raw_std`. ``--confirm-ops`` (issue 21, session 44):
MultiRocket's operators added to the default statistics, against the default at seeds
1-4, likewise; its rule and section in :mod:`benchmarks._confirm_ops`.
``--confirm-kernel`` (issue 21, session 46): the Gaussian-kernel head where
leave-one-out classifies better (``kernel="auto"``) against the default at seeds 1-4,
likewise; its rule and section in :mod:`benchmarks._confirm_kernel`.
``--confirm-combination`` (issue 21, session 46): the heads' mean under one temperature
(``head_combination="mean"``) against the default at seeds 5-8, likewise; its rule and
section in :mod:`benchmarks._confirm_combination`. ``--confirm-quantiles`` (issue 21,
session 47): five ``ppv`` thresholds against the default's three at seeds 9-12,
likewise; its rule and section in :mod:`benchmarks._confirm_quantiles`. The groups with
a ``--bundled`` check are :data:`BUNDLED_CHECKS`.
"""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np

from benchmarks import (
    _confirm_combination,
    _confirm_kernel,
    _confirm_ops,
    _confirm_quantiles,
    _confirm_raw_std,
    _frontier,
    _frontier_combined,
    _seeds,
    protocol,
)
from benchmarks._bank_variants import DILATION_RULE, MIXED_BANKS_LIBRARY_RULE, MIXED_BANKS_RULE
from benchmarks._classifier_ablation_variants import (
    ALL_VARIANTS,
    FRONTIER,
    FRONTIER_PILOT_SECONDS,
    GROUPS,
    OPS_ONE_RULE,
    SEED,
    VARIANTS,
    variant_factory,
)
from benchmarks._raw_differences import RAW_DIFFERENCES_RULE
from benchmarks._report import markdown_table, write_section
from benchmarks._runs import RUNS_RULE
from benchmarks.classification import MiniRocketVariable
from benchmarks.corpus import UCR_DEVELOPMENT, corpus_bytes, load_ucr

#: Sets of the ablation: the smallest development sets (by file size).
N_SETS = 16
MINIROCKET = "MiniRocket"


def ablation_sets(n_sets=N_SETS):
    """The ``n_sets`` development sets with the smallest files, smallest first."""
    return sorted(UCR_DEVELOPMENT, key=corpus_bytes)[:n_sets]


def _fit_predict(factory, X_fit, y_fit, X_predict):
    return factory().fit(X_fit, y_fit).predict(X_predict)


def _timed_runs(factories, X_train, y_train, X_test):
    """Yield ``(label, predictions, seconds)`` for each factory in turn, each warmed up
    first on a tiny slice of the set."""
    warm_data = protocol.warm_up_slice(X_train, y_train, X_test)
    for label, factory in factories.items():
        protocol.warm_up(partial(_fit_predict, factory, *warm_data))
        predicted, seconds = protocol.timed(
            partial(_fit_predict, factory, X_train, y_train, X_test)
        )
        yield label, predicted, seconds


def run_set(name, variants):
    """``{label: (accuracy, seconds)}`` for the variants and MiniRocket on one set."""
    X_train, y_train, X_test, y_test = load_ucr(name)
    unequal = bool(np.isnan(X_train).any() or np.isnan(X_test).any())
    factories = {v: variant_factory(v) for v in variants}
    factories[MINIROCKET] = (
        MiniRocketVariable
        if unequal
        else partial(protocol.RocketRidge, "minirocket", random_state=SEED)
    )
    return {
        label: (float(np.mean(np.asarray(predicted) == y_test)), seconds)
        for label, predicted, seconds in _timed_runs(factories, X_train, y_train, X_test)
    }


def frontier_pilot():
    """The frontier's timing pilot: fit+predict seconds of every :data:`FRONTIER` variant
    on :data:`_frontier.PILOT_SETS`, printed; the test labels are never compared."""
    seconds = {variant: [] for variant in FRONTIER}
    with protocol.one_thread():
        for name in _frontier.PILOT_SETS:
            X_train, y_train, X_test, _ = load_ucr(name)
            factories = {v: variant_factory(v) for v in FRONTIER}
            for label, _, s in _timed_runs(factories, X_train, y_train, X_test):
                seconds[label].append(s)
                print(f"{name}: {label} {s:.2f}s", flush=True)
    _frontier.print_pilot(seconds)


#: Group -> the module of its rule's check on sktime's bundled sets (``--bundled``): it
#: names the section (``SECTION``, ``TITLE``, ``COMMAND``) and writes the bundled part
#: of its body (``bundled_body(results)``).
BUNDLED_CHECKS = {
    "frontier_combined": _frontier_combined,
    "confirm_raw_std": _confirm_raw_std,
    "confirm_ops": _confirm_ops,
    "confirm_kernel": _confirm_kernel,
    "confirm_combination": _confirm_combination,
    "confirm_quantiles": _confirm_quantiles,
}


#: Section -> the module of a seed confirmation group (its development part's body).
CONFIRMATIONS = {
    module.SECTION: module
    for module in (
        _confirm_raw_std,
        _confirm_ops,
        _confirm_kernel,
        _confirm_combination,
        _confirm_quantiles,
    )
}


def bundled_check(group):
    """The bundled-sets part of ``group``'s rule (a key of :data:`BUNDLED_CHECKS`): every
    variant of the group on :data:`benchmarks._frontier_combined.BUNDLED_SETS`, side by
    side; its part of the section rewritten."""
    module = BUNDLED_CHECKS[group]
    # the section is written inside the one-thread context, so that its stamp reports
    # the threads the runs had
    with protocol.one_thread():
        results = _frontier_combined.run_bundled(_timed_runs, variant_factory, list(GROUPS[group]))
        body = module.bundled_body(results)
        write_section(module.SECTION, body, command=module.COMMAND, title=module.TITLE)


#: The rule written at the top of a group's section (fixed before its counted run).
SECTION_RULES = {
    "classifier_ablation_ops_one": OPS_ONE_RULE,
    "classifier_ablation_dilation": DILATION_RULE,
    "classifier_ablation_mixed_banks": MIXED_BANKS_RULE,
    "classifier_ablation_mixed_banks_library": MIXED_BANKS_LIBRARY_RULE,
    "classifier_ablation_raw_differences": RAW_DIFFERENCES_RULE,
    "classifier_ablation_runs": RUNS_RULE,
}


def report(results, variants, command, section="classifier_ablation"):
    """Write the ablation ``section`` from the sets that finished."""
    names = list(results)
    accuracy = np.array([[results[s][v][0] for v in variants] for s in names])
    seconds = np.array([[results[s][v][1] for v in variants] for s in names])
    minirocket = sum(results[s][MINIROCKET][1] for s in names)
    ranks = protocol.ranks(accuracy, True).mean(axis=0)
    base = variants.index("default") if "default" in variants else 0
    rows = []
    for j, variant in enumerate(variants):
        if j == base:
            wdl = "-"
        else:
            wins, draws, losses = protocol.wins_draws_losses(
                accuracy[:, j], accuracy[:, base], True
            )
            wdl = f"{wins}/{draws}/{losses}"
        total = seconds[:, j].sum()
        rows.append(
            [
                variant,
                f"{accuracy[:, j].mean():.4f}",
                f"{ranks[j]:.2f}",
                wdl,
                f"{total:.1f}",
                f"{total / minirocket:.2f}",
            ]
        )
    per_set = [
        [s, *(f"{results[s][v][0]:.3f}" for v in variants), f"{results[s][MINIROCKET][0]:.3f}"]
        for s in names
    ]
    which = (
        f"all {len(names)} development sets"
        if len(names) == len(UCR_DEVELOPMENT)
        else f"the {len(names)} smallest development sets by file size (the rule of "
        "`benchmarks/classifier_ablation.py`, fixed before any result)"
    )
    body = (
        f"Sets: {which}: "
        f"{', '.join(names)}. `SpectralFilterClassifier(random_state=0, **change)`, one "
        f"thread, warm, fit+predict seconds; MiniRocket total on the same sets in the "
        f"same run: {minirocket:.1f} s. W/D/L: the variant against `default`.\n\n"
        + markdown_table(
            [
                "variant",
                "mean accuracy",
                "mean rank",
                "W/D/L vs default",
                "seconds",
                "time / MiniRocket",
            ],
            rows,
        )
        + "\n\n### Accuracy per set\n\n"
        + markdown_table(["set", *variants, MINIROCKET], per_set)
    )
    title = {
        "classifier_ablation": "Classifier ablation: pooling statistics, representations, "
        "precision",
        "classifier_ablation_combined": "Classifier ablation: combined changes",
        "classifier_ablation_speed": "Classifier ablation: cheaper configurations",
        "classifier_ablation_alternating": "Classifier ablation: without the "
        "alternating-sign branch",
        "classifier_ablation_ensemble": "Classifier ablation: an ensemble of the two "
        "representations' heads",
        "classifier_ablation_selection": "Classifier ablation: other selection and "
        "combination rules",
        "classifier_ablation_ops": "Classifier ablation: MultiRocket's pooling operators "
        "one at a time",
        "classifier_ablation_ops_all": "Classifier ablation: MultiRocket's pooling "
        "operators on all development sets",
        "classifier_ablation_ops_pairs": "Classifier ablation: MultiRocket's operators "
        "in pairs with lspv",
        "classifier_ablation_ops_segments": "Classifier ablation: MultiRocket's operators "
        "instead of the segment statistics",
        "classifier_ablation_ops_one": "Classifier ablation: MultiRocket's operators at one "
        "threshold per response",
        "classifier_ablation_frontier": "Classifier ablation: fewer responses paying for "
        "MultiRocket's operators",
        "classifier_ablation_dilation": "Classifier ablation: dilated spectral filters in "
        "the bank",
        "classifier_ablation_mixed_banks": "Classifier ablation: two heads, two banks "
        "(mixed smooth and dilated)",
        "classifier_ablation_mixed_banks_library": "Classifier ablation: two heads, two "
        'banks, in the library (dilation="raw")',
        "classifier_ablation_raw_differences": "Classifier ablation: mixed banks, the "
        "first differences in the standardized head only",
        "classifier_ablation_runs": "Classifier ablation: the number of runs of the ppv "
        "masks (rpv)",
        _frontier_combined.SECTION: _frontier_combined.TITLE,
        _seeds.SECTION: _seeds.TITLE,
        _confirm_raw_std.SECTION: _confirm_raw_std.TITLE,
        _confirm_ops.SECTION: _confirm_ops.TITLE,
        _confirm_kernel.SECTION: _confirm_kernel.TITLE,
        _confirm_combination.SECTION: _confirm_combination.TITLE,
        _confirm_quantiles.SECTION: _confirm_quantiles.TITLE,
    }[section]
    if section in SECTION_RULES:  # the rule fixed before the group's counted run
        body = SECTION_RULES[section] + "\n\n" + body
    if section == "classifier_ablation_frontier":
        complete = len(names) == len(UCR_DEVELOPMENT)
        rules = _frontier.section_text(
            FRONTIER_PILOT_SECONDS, accuracy, seconds, variants, complete
        )
        body = rules + "\n\n" + body
    if section == _seeds.SECTION:
        complete = len(names) == len(UCR_DEVELOPMENT)
        body = _seeds.section_text(accuracy, names, variants, complete) + "\n\n" + body
    if section == _frontier_combined.SECTION:
        complete = len(names) == len(UCR_DEVELOPMENT)
        part = _frontier_combined.development_part(body, accuracy, seconds, variants, complete)
        body = _frontier_combined.section_body("development", *part)
        command = _frontier_combined.COMMAND
    confirmation = CONFIRMATIONS.get(section)
    if confirmation is not None:  # its own tables: each seed against its default
        complete = len(names) == len(UCR_DEVELOPMENT)
        body = confirmation.development_body(results, complete)
        command = confirmation.COMMAND
    write_section(section, body, command=command, title=title)


def _flag(group):
    return "--" + group.replace("_", "-")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the 6 smallest sets")
    for group in GROUPS:
        help_text = f"the {group.upper()} variants, their own section"
        parser.add_argument(_flag(group), action="store_true", help=help_text)
    parser.add_argument(
        "--all-sets", action="store_true", help="all development sets, not the smallest"
    )
    parser.add_argument(
        "--pilot", action="store_true", help="with --frontier: its timing pilot only"
    )
    parser.add_argument(
        "--bundled",
        action="store_true",
        help="with a group of BUNDLED_CHECKS (--frontier-combined, --confirm-raw-std, "
        "--confirm-ops, --confirm-kernel, --confirm-combination, --confirm-quantiles): "
        "its check on sktime's bundled sets",
    )
    parser.add_argument("--variants", nargs="+", choices=list(ALL_VARIANTS))
    args = parser.parse_args(argv)
    chosen = next((group for group in GROUPS if getattr(args, group)), None)
    if args.pilot:
        if chosen != "frontier":
            parser.error("--pilot goes with --frontier")
        frontier_pilot()
        return 0
    if args.bundled:
        if chosen not in BUNDLED_CHECKS or args.variants or args.quick or args.all_sets:
            groups = " or ".join(_flag(group) for group in BUNDLED_CHECKS)
            parser.error(f"--bundled goes with {groups} alone")
        bundled_check(chosen)
        return 0
    table = VARIANTS if chosen is None else GROUPS[chosen]
    everything = list(table)
    if chosen == "frontier":  # the variants the pilot kept
        everything = _frontier.counted_variants(FRONTIER_PILOT_SECONDS)
    args.variants = args.variants or everything
    section = "classifier_ablation" + ("" if chosen is None else "_" + chosen)
    if args.ops and args.all_sets:  # the pruning run on the smallest sets keeps its own
        section += "_all"
    n_sets = len(UCR_DEVELOPMENT) if args.all_sets else N_SETS
    sets = ablation_sets(6 if args.quick else n_sets)
    command = " ".join(
        ["python -m benchmarks.classifier_ablation"]
        + (["--quick"] if args.quick else [])
        + ([_flag(chosen)] if chosen else [])
        + (["--all-sets"] if args.all_sets else [])
        + (
            ["--variants", *(f'"{v}"' for v in args.variants)]
            if args.variants != everything
            else []
        )
    )
    results = {}
    with protocol.one_thread():
        for name in sets:
            results[name] = run_set(name, args.variants)
            print(
                f"{name}: "
                + ", ".join(f"{k} {a:.3f}/{s:.1f}s" for k, (a, s) in results[name].items()),
                flush=True,
            )
            report(results, args.variants, command, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
