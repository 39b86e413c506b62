"""The report of :mod:`benchmarks.classification`: the summaries over sets
(:func:`summary_rows`), issue 12's deep classifiers against the CNN
(:func:`deep_against_cnn`) and the section's text (:func:`report`).
"""

from __future__ import annotations

import numpy as np

from benchmarks._classification_data import LONG_MEMORY, data_role
from benchmarks._report import markdown_table


def summary_rows(results, names, sets=None):
    """Mean accuracy and total time of each model over ``sets`` (default: the sets of
    issue 11 where ROCKET ran); models that did not run on all of them are left out."""
    rocket_sets = sets
    if rocket_sets is None:
        rocket_sets = [
            d for d in names if (d, "ROCKET (sktime)") in results and d not in LONG_MEMORY
        ]
    models_seen = sorted(
        {m for (_, m) in results}, key=lambda m: (not m.startswith("Spectral"), m)
    )
    rows = []
    for model in models_seen:
        done = [results[(d, model)] for d in rocket_sets if (d, model) in results]
        if len(done) != len(rocket_sets) or not done:
            continue
        by_role = [
            np.mean([results[(d, model)][0] for d in rocket_sets if data_role(d) == role])
            for role in mixed_roles(rocket_sets)
        ]
        rows.append(
            [
                model,
                f"{np.mean([a for a, _ in done]):.3f}",
                f"{sum(s for _, s in done):.1f}",
                *(f"{mean:.3f}" for mean in by_role),
            ]
        )
    return rows, rocket_sets


def mixed_roles(sets):
    """The roles (:func:`data_role`) among ``sets`` when there is more than one, else none."""
    roles = list(dict.fromkeys(data_role(d) for d in sets))
    return roles if len(roles) > 1 else []


def summary_header(sets):
    """Column names of :func:`summary_rows`: a mean per role when the sets mix roles."""
    return [
        "model",
        "mean accuracy",
        "total fit+predict [s]",
        *(f"mean, {role} sets" for role in mixed_roles(sets)),
    ]


def role_note(sets, feature_sets):
    """What the sets were to the classifier's defaults, and its mean without ``ppv_only``."""
    if not mixed_roles(sets):
        return ""
    note = (
        "These sets mix development data with late checks (`LATE_CHECKS` in the script): "
        "ArrowHead, OSULeaf and ACSF1 were added after the classifier's defaults were "
        "fixed, then the `ppv_only` candidate feature sets were added after looking at "
        "ArrowHead; the last columns give the mean per role."
    )
    without = {row[0]: float(row[4]) for row in feature_sets or []}
    if all(d in without for d in sets):
        note += (
            " Without the `ppv_only` sets the classifier's mean over these sets is "
            f"{np.mean([without[d] for d in sets]):.3f} (table 'Which feature set "
            "leave-one-out chooses' below)."
        )
    return note


def deep_against_cnn(deep_summary):
    """Issue 12's table: mean accuracy and time of each model relative to the CNN's."""
    table, sets = deep_summary
    cnn = next(row for row in table if row[0].startswith("3-layer CNN"))
    cnn_accuracy, cnn_seconds = float(cnn[1]), float(cnn[2])
    rows = [
        [*row, f"{float(row[2]) / cnn_seconds:.1f}x",
         "yes" if float(row[1]) >= cnn_accuracy else "no"]
        for row in table
    ]  # fmt: skip
    return [
        "### Deep classifiers against the CNN (issue 12)",
        f"Sets: {', '.join(sets)} (every set the deep models take; SynthOrder is the "
        "long-memory task). Target: mean accuracy at or above the CNN's, with fit + predict "
        "time at most 5x the CNN's.",
        markdown_table([*summary_header(sets), "time / CNN", ">= CNN accuracy"], rows),
    ]


def report(
    rows,
    summary,
    regression,
    note,
    args,
    ablation=None,
    deep_summary=None,
    issue_summary=None,
    feature_sets=None,
):
    (summary_table, rocket_sets) = summary
    parts = [
        "Defaults only, side by side in one run: every model is fitted once on the train split "
        "with its default hyper-parameters (seed 0 where it takes one) and scored on the test "
        "split; time is fit + predict in seconds with one thread (torch, BLAS, numba; ROCKET's "
        "numba functions compiled beforehand). `L` gives the length, or the range of lengths "
        "for unequal-length sets; the synthetic tasks are described in "
        "`benchmarks/classification.py`. ROCKET and the deep models take equal lengths only; "
        "MiniRocket's unequal-length variant (`MiniRocketMultivariateVariable` + ridge) runs "
        "on the others.",
        "### Accuracy and time per dataset",
        markdown_table(
            ["dataset", "data", "shape", "model", "test accuracy", "fit+predict [s]"], rows
        ),
        "### Mean over the sets ROCKET runs on (issue 11)",
        f"Sets: {', '.join(rocket_sets)}. {role_note(rocket_sets, feature_sets)}",
        markdown_table(summary_header(rocket_sets), summary_table),
    ]
    if issue_summary is not None:
        issue_table, issue_sets = issue_summary
        parts += [
            "### Mean over the issue's six UCR/UEA sets",
            f"Sets: {', '.join(issue_sets)}. {role_note(issue_sets, feature_sets)} The CNN "
            "and the deep models are not run on ArrowHead, OSULeaf and ACSF1, for time.",
            markdown_table(summary_header(issue_sets), issue_table),
        ]
    if deep_summary is not None and any(r[0].startswith("3-layer CNN") for r in deep_summary[0]):
        parts += deep_against_cnn(deep_summary)
    parts += ["### Sequence-to-one regression (RMSE on the test split)"]
    if regression is None:
        parts.append(note)
    else:
        parts.append(
            markdown_table(
                ["dataset", "shape", "model", "test RMSE", "fit+predict [s]"], regression
            )
        )
    if ablation is not None:
        ablation_table, ablation_sets = ablation
        parts += [
            "### SpectralFilterClassifier ablation (one option changed at a time)",
            "Test accuracy; what the choice of the default pooling statistics, thresholds, "
            "branches, filter lengths and the two leave-one-out choices (per-series "
            "normalisation; feature sets with or without the alternating-sign responses and "
            "the segment statistics) rests on (synthetic tasks included, so that the "
            "defaults do not rest on the bundled sets alone; every set here is development "
            "data).",
            markdown_table(
                ["variant", *ablation_sets, "mean", "total fit+predict [s]"], ablation_table
            ),
        ]
    if feature_sets is not None:
        parts += [
            "### Which feature set leave-one-out chooses",
            "The default, and the default without the two `ppv_only` candidate sets (only "
            "the `ppv` statistics of every response, MiniRocket's representation, with and "
            "without the alternating-sign responses), which were added after looking at "
            "ArrowHead: test accuracy and the chosen representation, feature set and "
            "penalty (`normalise_`, `feature_set_`, `alpha_`).",
            markdown_table(
                ["dataset", "data", "default", "chosen", "without ppv_only sets", "chosen"],
                feature_sets,
            ),
        ]
    return "\n\n".join(parts)
