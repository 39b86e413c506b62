"""Candidate defaults of the deep SSM classifiers, measured on the deep subset (issue 23).

Each configuration changes one or two hyper-parameters of one deep classifier (the
width ``d_model``, which the per-step table of ``benchmarks/deep_profile.py`` shows to
be the main lever of the cost per step, and STU's number of filters); every
configuration, and the CNN anchor it is timed against, runs on the same sets in the
same run with the protocol of :mod:`benchmarks.deep_corpus` (seed 0, one thread,
official split). The table gives each
configuration's mean accuracy over the sets, its mean rank against the CNN alone (1 =
better on every set, 2 = worse on every set), and its total fit+predict time relative to
the CNN's. Defaults are chosen from the table as a whole, never from one set.

Sets: the first ``N_TUNING_SETS`` of :func:`benchmarks.deep_corpus.deep_subset` (the
smallest ``n_train * n_timesteps``), for time on the shared machine.

Usage: ``python -m benchmarks.deep_defaults`` (writes the section "deep_defaults").
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import load_ucr
from benchmarks.deep_corpus import (
    CNN,
    COST_TARGET,
    deep_subset,
    model_factories,
    run_model,
    warm_up_all,
)

N_TUNING_SETS = 3
#: (deep class, label, overrides of its defaults); the empty override is the default.
CONFIGURATIONS = (
    ("PTDSSMClassifier", "defaults", {}),
    ("PTDSSMClassifier", "d_model=16", {"d_model": 16}),
    ("HOPEClassifier", "defaults", {}),
    ("HOPEClassifier", "d_model=16", {"d_model": 16}),
    ("STUClassifier", "defaults", {}),
    ("STUClassifier", "d_model=16", {"d_model": 16}),
)


def configuration_rows(results, cnn):
    """Per configuration: mean accuracy, mean rank against the CNN, W/D/L, time ratio."""
    rows = []
    cnn_scores = np.array([score for score, _ in cnn.values()])
    cnn_seconds = sum(seconds for _, seconds in cnn.values())
    for (model, label), per_set in results.items():
        scores = np.array([per_set[name][0] for name in cnn])
        seconds = sum(per_set[name][1] for name in cnn)
        rank = protocol.ranks(np.column_stack([scores, cnn_scores])).mean(axis=0)[0]
        wins, draws, losses = protocol.wins_draws_losses(scores, cnn_scores)
        rows.append(
            [
                model,
                label,
                f"{scores.mean():.3f}",
                f"{rank:.2f}",
                f"{wins}/{draws}/{losses}",
                f"{seconds:.0f}",
                f"{seconds / cnn_seconds:.2f}",
            ]
        )
    rows.append(
        [
            "CNN anchor",
            "600 steps",
            f"{cnn_scores.mean():.3f}",
            "-",
            "-",
            f"{cnn_seconds:.0f}",
            "1.00",
        ]
    )
    return rows


def report_body(sets, planned, results, cnn):
    """The section's Markdown from the sets that finished."""
    return "\n\n".join(
        [
            f"{len(sets)} of the {len(planned)} planned sets ran: {', '.join(sets)} (the "
            f"{len(planned)} smallest of the deep subset, see 'Deep SSM classifiers on the "
            "development corpus'). Each configuration changes the named hyper-parameters "
            "of one classifier (everything else default, seed 0, one thread); the CNN "
            "anchor runs on the same sets in the same run. Mean rank vs CNN: 1 = better "
            "than the CNN on every set, 2 = worse on every set; W/D/L against the CNN; "
            f"time / CNN: total fit+predict time (target <= {COST_TARGET:g}). The machine "
            "is shared: the load changes during the run (stamp), so time ratios are rough.",
            markdown_table(
                [
                    "classifier",
                    "configuration",
                    "mean accuracy",
                    "mean rank vs CNN",
                    "W/D/L vs CNN",
                    "total fit+predict [s]",
                    "time / CNN",
                ],
                configuration_rows(results, cnn),
            ),
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=None, help="comma-separated development sets")
    args = parser.parse_args(argv)
    planned = args.sets.split(",") if args.sets else deep_subset(N_TUNING_SETS)
    print("sets:", planned, flush=True)
    command = "python -m benchmarks.deep_defaults" + (f" --sets {args.sets}" if args.sets else "")
    anchors = model_factories()
    cnn, results = {}, {}
    with protocol.one_thread():
        warm_up_all({CNN: anchors[CNN], **{m: anchors[m] for m, _, _ in CONFIGURATIONS}})
        for name in planned:
            data = load_ucr(name)
            cnn[name] = run_model(anchors[CNN], data)
            print(name, CNN, cnn[name], flush=True)
            for model, label, overrides in CONFIGURATIONS:
                factory = model_factories({model: overrides})[model]
                results.setdefault((model, label), {})[name] = run_model(factory, data)
                print(name, model, label, results[(model, label)][name], flush=True)
            # rewritten after every set: an interrupted run leaves the sets that ran
            body = report_body(list(cnn), planned, results, cnn)
            write_section(
                "deep_defaults",
                body,
                command=command,
                title="Deep SSM classifiers: candidate defaults, accuracy against cost",
            )
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
