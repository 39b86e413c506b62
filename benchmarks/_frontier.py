"""The frontier group of :mod:`benchmarks.classifier_ablation`: its rules and its pilot.

Issue 21, session 38: fewer responses (``n_filters``, ``n_mixtures``) paying for
MultiRocket's operators. Both rules were fixed by the lead before any run:

* the timing pilot (:data:`PILOT_SETS`, time only, accuracies neither printed nor looked
  at) drops from the counted run every variant whose total fit+predict time exceeds
  :data:`PILOT_MAX_RATIO` times the default's (:func:`counted_variants`);
* the counted run (all 37 development sets) adopts as the new default the variant with
  the highest mean accuracy among those with total time at most the default's in the
  same run, mean accuracy at least the default's plus :data:`MIN_GAIN`, and wins at
  least losses plus :data:`MIN_NET_WINS` against the default (:func:`verdict`); none
  passing, the default stays.
"""

from __future__ import annotations

import numpy as np

from benchmarks._report import markdown_table

#: The pilot's sets (fixed by the lead).
PILOT_SETS = ("Beef", "FiftyWords", "FaceAll", "EthanolLevel")
#: A variant is counted if its pilot total is at most this times the default's.
PILOT_MAX_RATIO = 1.15
#: The adoption rule's thresholds (module docstring).
MAX_TIME_RATIO = 1.00
MIN_GAIN = 0.004
MIN_NET_WINS = 3
RULE = (
    "Rules fixed by the lead before any run (`benchmarks/_frontier.py`). Timing pilot "
    f"(time only, accuracies neither printed nor looked at) on {', '.join(PILOT_SETS)}: "
    f"every variant above {PILOT_MAX_RATIO:.2f}x the default's pilot total is dropped from "
    "the counted run. Counted run (37 development sets): adopt as the new default the "
    "variant with the highest mean accuracy among those with total time at most "
    f"{MAX_TIME_RATIO:.2f}x the default's in the same run, mean accuracy at least default "
    f"+ {MIN_GAIN}, and wins >= losses + {MIN_NET_WINS} against the default; none passing, "
    "the default stays."
)


def counted_variants(pilot_seconds):
    """The variants of the counted run: ``default`` and those whose pilot total (the sum
    of ``pilot_seconds[variant]``, one entry per pilot set) is at most
    :data:`PILOT_MAX_RATIO` times the default's, in ``pilot_seconds``' order."""
    if not pilot_seconds:
        raise ValueError("the timing pilot has not been recorded: run --frontier --pilot")
    limit = PILOT_MAX_RATIO * sum(pilot_seconds["default"])
    return [v for v, seconds in pilot_seconds.items() if sum(seconds) <= limit]


def pilot_table(pilot_seconds):
    """Markdown rows ``[variant, seconds per pilot set..., total, ratio, counted]``."""
    default_total = sum(pilot_seconds["default"])
    kept = counted_variants(pilot_seconds)
    return [
        [
            variant,
            *(f"{s:.2f}" for s in seconds),
            f"{sum(seconds):.2f}",
            f"{sum(seconds) / default_total:.2f}",
            "yes" if variant in kept else "no (dropped)",
        ]
        for variant, seconds in pilot_seconds.items()
    ]


def verdict(accuracy, seconds, variants):
    """The adoption rule on the counted run, in words.

    ``accuracy`` and ``seconds`` are ``(n_sets, n_variants)`` arrays in ``variants``'
    order (which includes ``"default"``).
    """
    accuracy, seconds = np.asarray(accuracy, float), np.asarray(seconds, float)
    base = variants.index("default")
    passing, lines = [], []
    for j, variant in enumerate(variants):
        if j == base:
            continue
        ratio = seconds[:, j].sum() / seconds[:, base].sum()
        gain = accuracy[:, j].mean() - accuracy[:, base].mean()
        wins = int(np.sum(accuracy[:, j] > accuracy[:, base]))
        losses = int(np.sum(accuracy[:, j] < accuracy[:, base]))
        checks = {
            f"time {ratio:.2f}x": ratio <= MAX_TIME_RATIO,
            f"accuracy {gain:+.4f}": gain >= MIN_GAIN - 1e-12,
            f"wins/losses {wins}/{losses}": wins >= losses + MIN_NET_WINS,
        }
        met = all(checks.values())
        if met:
            passing.append((accuracy[:, j].mean(), variant))
        marks = ", ".join(f"{k} ({'met' if ok else 'not met'})" for k, ok in checks.items())
        lines.append(f"`{variant}`: {marks}: {'passes' if met else 'fails'}.")
    # the highest mean accuracy; a tie goes to the earlier (cheaper-listed) variant
    best = max(passing, key=lambda pair: pair[0])[1] if passing else None
    outcome = f"adopted: `{best}`." if best else "no variant passes: the default stays."
    return " ".join(lines) + " Outcome: " + outcome


def print_pilot(pilot_seconds):
    """Print the pilot's seconds as the source of
    :data:`benchmarks._classifier_ablation_variants.FRONTIER_PILOT_SECONDS`, and its
    table."""
    print("FRONTIER_PILOT_SECONDS = {")
    for variant, values in pilot_seconds.items():
        print(f"    {variant!r}: ({', '.join(f'{s:.2f}' for s in values)}),")
    print("}")
    print(markdown_table(_PILOT_HEADER, pilot_table(pilot_seconds)))


_PILOT_HEADER = ["variant", *PILOT_SETS, "total", "/ default", "counted"]


def section_text(pilot_seconds, accuracy, seconds, variants, complete):
    """The section's rules, the pilot's times and, once every set ran (``complete``),
    the verdict (:func:`verdict` on ``accuracy``, ``seconds``, ``variants``)."""
    outcome = (
        verdict(accuracy, seconds, variants)
        if complete
        else f"Not all development sets ({len(accuracy)} sets): no verdict."
    )
    return (
        RULE + "\n\nTiming pilot (`python -m benchmarks.classifier_ablation --frontier --pilot`, "
        "fit+predict seconds, one thread, warm):\n\n"
        + markdown_table(_PILOT_HEADER, pilot_table(pilot_seconds))
        + "\n\n**Verdict:** "
        + outcome
    )
