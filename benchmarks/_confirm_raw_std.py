"""The ``--confirm-raw-std`` group of :mod:`benchmarks.classifier_ablation` (issue 21,
session 41): a pre-registered confirmation, on fresh seeds, of
``dilation="raw", differences="standardized"`` against the default.

``SpectralFilterClassifier(dilation="raw", differences="standardized")`` (the raw head
sees the series through the dilated bank, the first differences are pooled by the
standardized head only) measured 0.8245 against the default's 0.8210 (+0.0035), 19/5/13,
at 0.93-0.98x the time, on the 37 development sets at ``random_state=0`` (sections
``classifier_ablation_raw_differences`` and ``classifier_ablation_frontier_combined``).
The seed noise of these figures (section ``classifier_ablation_seeds``,
:mod:`benchmarks._seeds`): a re-draw's mean-accuracy difference has root mean square
0.0011, the difference between averages of two seeds and of two others 0.0008. One
seed is one draw, and seed 0 is the draw the candidate was chosen on; this group draws
again, at :data:`SEEDS` (never run for this candidate), each seed's candidate against
the default at the same ``random_state``, side by side on each set.

Variants (:data:`CONFIRM_RAW_STD`): for each seed ``s``, ``"default s"`` is
``SpectralFilterClassifier(random_state=s)`` as the defaults were at the run
(:data:`PREVIOUS_DEFAULT`) and ``"raw+std s"`` is
``SpectralFilterClassifier(random_state=s, **CANDIDATE)``; both keep every other
default (``n_mixtures="auto"`` included). Runs, one after the other, into the two parts
of the section ``classifier_ablation_confirm_raw_std`` (each run rewrites its own part
and keeps the other's)::

    python -m benchmarks.classifier_ablation --confirm-raw-std --all-sets
    python -m benchmarks.classifier_ablation --confirm-raw-std --bundled

The second runs the same variants on sktime's bundled sets that are not development
sets (:data:`benchmarks._frontier_combined.BUNDLED_SETS`, official splits).

The rule, :data:`RULE`, was fixed and committed before the counted runs:

    Pre-registered confirmation rule (issue 21, session 41, fixed before the counted
    runs; seeds 1-4 were never run for this candidate): ``dilation="raw",
    differences="standardized"`` becomes the default of ``SpectralFilterClassifier`` if,
    with each seed's candidate compared with the default at the same ``random_state``
    on the 37 development sets, (a) the mean over seeds 1-4 of the mean-accuracy
    difference is at least +0.002 (about 2.5x the root mean square, 0.0008, of a
    difference between two-seed averages of pure re-draws measured in session 40), (b)
    the difference is positive at no fewer than 3 of the 4 seeds, (c) the candidate's
    total fit+predict time over the four seeds is at most 1.0x the default's, and (d) on
    sktime's 7 bundled non-development sets, the mean over seeds 1-4 of the candidate's
    mean accuracy is at least the default's - 0.003 and its total time at most 1.0x.
    Otherwise the default is unchanged.

Outcome (commit ``2d85a7c``, section ``classifier_ablation_confirm_raw_std``, logs
``benchmarks/results/classifier_ablation_confirm_raw_std_2d85a7c.log`` and
``..._bundled_2d85a7c.log``, one thread, 1-min load 1.3-2.0 and 1.2-1.9). Development
sets: the candidate minus the default +0.0036, +0.0036, +0.0013, +0.0063 at seeds 1-4
(W/D/L 17/8/12, 19/6/12, 17/8/12, 20/6/11), mean +0.0037 (a), positive at 4 of 4 (b),
366.0 s against 383.2 s, 0.96x (c). Bundled sets: mean accuracy over the seeds 0.9463
against 0.9465 (-0.0002), 32.8 s against 35.9 s, 0.91x (d). The rule passes: the
default of ``SpectralFilterClassifier`` became ``dilation="raw",
differences="standardized"``. The ``"default s"`` variants name the previous default
explicitly (:data:`PREVIOUS_DEFAULT`, which the run's ``{}`` meant at ``2d85a7c``), so
that the commands still reproduce this comparison.
"""

from __future__ import annotations

import numpy as np

from benchmarks import _frontier_combined
from benchmarks._report import markdown_table, run_stamp

#: Fresh seeds: never run for the candidate before this group.
SEEDS = (1, 2, 3, 4)
#: The candidate's change from the defaults of the run.
CANDIDATE = {"dilation": "raw", "differences": "standardized"}
#: The defaults of the run (commit ``2d85a7c``) that the candidate changes; named here
#: since the candidate became the default.
PREVIOUS_DEFAULT = {"dilation": "none", "differences": True}


def default_label(seed):
    """The default's variant name at ``seed``."""
    return f"default {seed}"


def candidate_label(seed):
    """The candidate's variant name at ``seed``."""
    return f"raw+std {seed}"


#: Variant name -> its change from ``SpectralFilterClassifier()`` (its own seed).
CONFIRM_RAW_STD = {
    label: {"random_state": seed, **change}
    for seed in SEEDS
    for label, change in (
        (default_label(seed), PREVIOUS_DEFAULT),
        (candidate_label(seed), CANDIDATE),
    )
}
#: The rule's thresholds: (a), (b), (c) on the development sets; (d) on the bundled ones.
MIN_MEAN_GAIN = 0.002
MIN_POSITIVE_SEEDS = 3
MAX_TIME_RATIO = 1.0
BUNDLED_MAX_LOSS = 0.003
RULE = (
    "Pre-registered confirmation rule (issue 21, session 41, fixed before the counted "
    'runs; seeds 1-4 were never run for this candidate): `dilation="raw", '
    'differences="standardized"` becomes the default of `SpectralFilterClassifier` if, '
    "with each seed's candidate compared with the default at the same `random_state` on "
    "the 37 development sets, (a) the mean over seeds 1-4 of the mean-accuracy "
    f"difference is at least +{MIN_MEAN_GAIN} (about 2.5x the root mean square, 0.0008, "
    "of a difference between two-seed averages of pure re-draws measured in session "
    f"40), (b) the difference is positive at no fewer than {MIN_POSITIVE_SEEDS} of the 4 "
    "seeds, (c) the candidate's total fit+predict time over the four seeds is at most "
    f"{MAX_TIME_RATIO:.1f}x the default's, and (d) on sktime's 7 bundled "
    "non-development sets, the mean over seeds 1-4 of the candidate's mean accuracy is "
    f"at least the default's - {BUNDLED_MAX_LOSS} and its total time at most "
    f"{MAX_TIME_RATIO:.1f}x. Otherwise the default is unchanged."
)
SECTION = "classifier_ablation_confirm_raw_std"
TITLE = (
    'Classifier ablation: `dilation="raw", differences="standardized"` confirmed on '
    "fresh seeds (1-4)?"
)
DEVELOPMENT_COMMAND = "python -m benchmarks.classifier_ablation --confirm-raw-std --all-sets"
BUNDLED_COMMAND = "python -m benchmarks.classifier_ablation --confirm-raw-std --bundled"
COMMAND = f"{DEVELOPMENT_COMMAND}; {BUNDLED_COMMAND}"


def per_seed(results):
    """Each seed's candidate against the default at that seed.

    Parameters
    ----------
    results : dict
        ``{set: {variant: (accuracy, seconds)}}`` holding the :data:`CONFIRM_RAW_STD`
        variants (other entries, such as MiniRocket's, are not read).

    Returns
    -------
    list of dict
        One per seed of :data:`SEEDS`: ``"seed"``, ``"default"`` and ``"candidate"``
        (mean accuracy over the sets), ``"default_seconds"`` and ``"candidate_seconds"``
        (totals), ``"gain"`` (candidate minus default), ``"wins"``, ``"draws"``,
        ``"losses"`` (of the candidate, per set).

    Examples
    --------
    >>> row = {}
    >>> for seed in SEEDS:
    ...     row[default_label(seed)] = (0.80, 2.0)
    ...     row[candidate_label(seed)] = (0.81, 1.0)
    >>> first = per_seed({"a": row, "b": row})[0]
    >>> first["seed"], round(first["gain"], 4), first["wins"], first["candidate_seconds"]
    (1, 0.01, 2, 2.0)
    """
    names = list(results)
    rows = []
    for seed in SEEDS:
        base, cand = (
            np.array([results[s][label(seed)] for s in names], float)
            for label in (default_label, candidate_label)
        )
        rows.append(
            {
                "seed": seed,
                "default": float(base[:, 0].mean()),
                "candidate": float(cand[:, 0].mean()),
                "default_seconds": float(base[:, 1].sum()),
                "candidate_seconds": float(cand[:, 1].sum()),
                "gain": float(cand[:, 0].mean() - base[:, 0].mean()),
                "wins": int(np.sum(cand[:, 0] > base[:, 0])),
                "draws": int(np.sum(cand[:, 0] == base[:, 0])),
                "losses": int(np.sum(cand[:, 0] < base[:, 0])),
            }
        )
    return rows


def over_seeds(rows):
    """``(mean gain, seeds with a positive gain, total time ratio)`` of :func:`per_seed`'s
    rows: the figures the rule reads.

    Examples
    --------
    >>> rows = [{"gain": g, "default_seconds": 2.0, "candidate_seconds": 1.0}
    ...         for g in (0.004, -0.001, 0.002, 0.003)]
    >>> gain, positive, ratio = over_seeds(rows)
    >>> round(gain, 4), positive, ratio
    (0.002, 3, 0.5)
    """
    gain = float(np.mean([r["gain"] for r in rows]))
    positive = sum(r["gain"] > 0 for r in rows)
    ratio = sum(r["candidate_seconds"] for r in rows) / sum(r["default_seconds"] for r in rows)
    return gain, positive, ratio


def _words(checks):
    met = all(checks.values())
    marks = ", ".join(f"{k} ({'met' if ok else 'not met'})" for k, ok in checks.items())
    return met, f"{marks}: {'met' if met else 'not met'}."


def development_verdict(results):
    """Conditions (a), (b) and (c) of :data:`RULE`: ``(met, words)``; ``results`` as in
    :func:`per_seed`, on the development sets.

    Examples
    --------
    >>> row = {}
    >>> for seed in SEEDS:
    ...     row[default_label(seed)] = (0.80, 1.0)
    ...     row[candidate_label(seed)] = (0.803, 0.9)
    >>> met, words = development_verdict({"a": row})
    >>> met
    True
    >>> words.split(", ")[0]
    '(a) mean difference +0.0030 (met)'
    """
    gain, positive, ratio = over_seeds(per_seed(results))
    return _words(
        {
            f"(a) mean difference {gain:+.4f}": gain >= MIN_MEAN_GAIN - 1e-12,
            f"(b) positive at {positive} of {len(SEEDS)} seeds": positive >= MIN_POSITIVE_SEEDS,
            f"(c) time {ratio:.2f}x": ratio <= MAX_TIME_RATIO + 1e-12,
        }
    )


def bundled_verdict(results):
    """Condition (d) of :data:`RULE`: ``(met, words)``; ``results`` as in
    :func:`per_seed`, on the bundled sets.

    Examples
    --------
    >>> row = {}
    >>> for seed in SEEDS:
    ...     row[default_label(seed)] = (0.90, 1.0)
    ...     row[candidate_label(seed)] = (0.898, 1.1)
    >>> bundled_verdict({"a": row})
    (False, '(d) accuracy -0.0020 (met), time 1.10x (not met): not met.')
    """
    gain, _, ratio = over_seeds(per_seed(results))
    return _words(
        {
            f"(d) accuracy {gain:+.4f}": gain >= -BUNDLED_MAX_LOSS - 1e-12,
            f"time {ratio:.2f}x": ratio <= MAX_TIME_RATIO + 1e-12,
        }
    )


def seed_table(results):
    """The per-seed table and its line over seeds, in Markdown; ``results`` as in
    :func:`per_seed`."""
    rows = per_seed(results)
    table = [
        [
            r["seed"],
            f"{r['default']:.4f}",
            f"{r['default_seconds']:.1f}",
            f"{r['candidate']:.4f}",
            f"{r['candidate_seconds']:.1f}",
            f"{r['gain']:+.4f}",
            f"{r['wins']}/{r['draws']}/{r['losses']}",
            f"{r['candidate_seconds'] / r['default_seconds']:.2f}",
        ]
        for r in rows
    ]
    gain, positive, ratio = over_seeds(rows)
    table.append(
        [
            "mean / total",
            f"{np.mean([r['default'] for r in rows]):.4f}",
            f"{sum(r['default_seconds'] for r in rows):.1f}",
            f"{np.mean([r['candidate'] for r in rows]):.4f}",
            f"{sum(r['candidate_seconds'] for r in rows):.1f}",
            f"{gain:+.4f}",
            f"positive at {positive} of {len(rows)}",
            f"{ratio:.2f}",
        ]
    )
    header = [
        "seed",
        "default mean accuracy",
        "default seconds",
        "raw+std mean accuracy",
        "raw+std seconds",
        "difference",
        "W/D/L of raw+std",
        "time ratio",
    ]
    return markdown_table(header, table)


def _per_set(results, fmt):
    labels = list(next(iter(results.values())))
    rows = [[s, *(fmt(*results[s][v]) for v in labels)] for s in results]
    return markdown_table(["set", *labels], rows)


def development_part(results, complete):
    """The development sets' part: ``(met or None until every set ran, Markdown)``;
    ``results`` as in :func:`per_seed` (a MiniRocket column, if any, is shown)."""
    met, words = None, f"{len(results)} sets so far: no verdict."
    if complete:
        met, words = development_verdict(results)
    text = (
        "### (1) The 37 development sets\n\n"
        f"Reproduce: `{DEVELOPMENT_COMMAND}`  \nRun: {run_stamp()}\n\n"
        f"Sets: {', '.join(results)}. Every variant side by side on each set, one thread, "
        "warm, fit+predict seconds; W/D/L and difference: `raw+std s` against `default s` "
        "(the same `random_state`).\n\n"
        + seed_table(results)
        + "\n\n#### Accuracy per set\n\n"
        + _per_set(results, lambda a, _: f"{a:.3f}")
        + f"\n\n**Conditions (a)-(c):** {words}"
    )
    return met, text


def bundled_part(results):
    """The bundled sets' part: ``(met or None until every set ran, Markdown)``;
    ``results`` as in :func:`per_seed`."""
    sets = _frontier_combined.BUNDLED_SETS
    met, words = None, f"{len(results)} of {len(sets)} sets: no verdict."
    if len(results) == len(sets):
        met, words = bundled_verdict(results)
    text = (
        "### (2) sktime's bundled sets (not development sets)\n\n"
        f"Reproduce: `{BUNDLED_COMMAND}`  \nRun: {run_stamp()}\n\n"
        f"Sets: {', '.join(results)} (official splits, loaded as "
        "`benchmarks/_classification_data.py` does). Every variant side by side on each "
        "set, one thread, warm, fit+predict seconds.\n\n"
        + seed_table(results)
        + "\n\n#### Accuracy / seconds per set\n\n"
        + _per_set(results, lambda a, t: f"{a:.3f} / {t:.2f}")
        + f"\n\n**Condition (d):** {words}"
    )
    return met, text


def development_body(results, complete, page=None):
    """The section's body with the development part rewritten (``page`` as in
    :func:`benchmarks._frontier_combined.section_body`)."""
    met, text = development_part(results, complete)
    return _frontier_combined.section_body(
        "development", met, text, page, section=SECTION, rule=RULE
    )


def bundled_body(results, page=None):
    """The section's body with the bundled part rewritten (``page`` as in
    :func:`benchmarks._frontier_combined.section_body`)."""
    met, text = bundled_part(results)
    return _frontier_combined.section_body("bundled", met, text, page, section=SECTION, rule=RULE)
