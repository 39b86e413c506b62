"""The ``--frontier-combined`` group of :mod:`benchmarks.classifier_ablation` (issue 21,
session 40): the two cheap options measured so far, combined, as a candidate default.

Each failed the adoption rule alone on the 37 development sets (against the default
0.8210): ``dilation="raw", differences="standardized"`` 0.8245, 19/5/13, 0.93x the
default's time (section ``classifier_ablation_raw_differences``);
``statistics=STATISTICS + ("rpv",)`` 0.8222, 12/18/7, 1.03x (section
``classifier_ablation_runs``). They act on different parts (the raw head's bank and
inputs; one more statistic per threshold), so their gains may add. The candidate is
their combination. Because it was chosen after seeing its parts' results on these 37
sets, the rule (:data:`RULE`, fixed before the counted runs) adds a check on sets that
are not development sets: sktime's bundled classification sets (:data:`BUNDLED_SETS`,
loaded by :func:`benchmarks._classification_data.load`, official splits).

Runs, one after the other (the section ``classifier_ablation_frontier_combined`` holds
both parts; each run rewrites its own part and keeps the other's)::

    python -m benchmarks.classifier_ablation --frontier-combined --all-sets
    python -m benchmarks.classifier_ablation --frontier-combined --bundled

Outcome (commit ``0d536f6``, section ``classifier_ablation_frontier_combined``, logs
``benchmarks/results/classifier_ablation_frontier_combined_0d536f6.log`` and
``..._bundled_0d536f6.log``, 1-min load about 0.5-1.5). (1) 37 development sets: default
0.8210 in 143.2 s; the candidate 0.8194, 15/6/16, 155.1 s (1.08x): time met, mean
accuracy (-0.0016) and wins/losses not met. (2) bundled sets: default 0.9477 in 18.1 s;
the candidate 0.9477, 2/2/3, 17.7 s (0.98x): met. The rule fails on (1): the default is
unchanged. The gains do not add: ``"rpv"`` on top of the mixed banks loses against them
(8/15/14 in the same run, mean -0.0052: Beef -0.067, GestureMidAirD3 -0.053,
GestureMidAirD1 -0.038, Computers -0.028). For the record, ``dilation="raw",
differences="standardized"`` again 0.8245, 19/5/13, 134.4 s (0.94x), and 0.9471, 2/2/3,
0.82x on the bundled sets.
"""

from __future__ import annotations

import re

import numpy as np

from benchmarks._classification_data import load
from benchmarks._report import BENCHMARKS_MD, markdown_table, run_stamp
from sksssm.spectral._segment_stats import STATISTICS

CANDIDATE = "raw dilated, no raw differences, + rpv"
#: Variant name -> its change from ``SpectralFilterClassifier(random_state=0)``. The
#: third is run for the record only (the rule does not read it).
FRONTIER_COMBINED = {
    "default": {},
    CANDIDATE: {
        "dilation": "raw",
        "differences": "standardized",
        "statistics": STATISTICS + ("rpv",),
    },
    "raw dilated, no raw differences": {"dilation": "raw", "differences": "standardized"},
}
#: sktime's bundled classification sets that are not development sets.
BUNDLED_SETS = (
    "GunPoint",
    "ItalyPowerDemand",
    "ArrowHead",
    "OSULeaf",
    "BasicMotions",
    "JapaneseVowels",
    "PLAID",
)
#: Condition 1 (the 37 development sets) and condition 2 (:data:`BUNDLED_SETS`).
MAX_TIME_RATIO = 1.15
MIN_GAIN = 0.004
MIN_NET_WINS = 3
BUNDLED_MAX_LOSS = 0.002
RULE = (
    "Rule fixed before the counted runs (issue 21, session 40, "
    "`benchmarks/_frontier_combined.py`): adopt the candidate "
    '(`dilation="raw", differences="standardized", statistics=STATISTICS + ("rpv",)`) '
    "as the new default only if BOTH hold. (1) On the 37 development sets, side by side "
    f"in one run: total fit+predict time at most {MAX_TIME_RATIO:.2f}x the default's, "
    f"mean accuracy at least default + {MIN_GAIN}, wins >= losses + {MIN_NET_WINS}. "
    f"(2) On sktime's bundled sets that are not development sets ({', '.join(BUNDLED_SETS)}; "
    "official splits, `random_state=0`, side by side in one run): mean accuracy at least "
    f"the default's - {BUNDLED_MAX_LOSS}, total time at most {MAX_TIME_RATIO:.2f}x the "
    'default\'s. `dilation="raw", differences="standardized"` is run for the record; the '
    "rule does not read it."
)
SECTION = "classifier_ablation_frontier_combined"
TITLE = "Classifier ablation: the measured frontier combined (a candidate default)"
COMMAND = (
    "python -m benchmarks.classifier_ablation --frontier-combined --all-sets; "
    "python -m benchmarks.classifier_ablation --frontier-combined --bundled"
)
PARTS = ("development", "bundled")


def _columns(accuracy, seconds, variants):
    accuracy, seconds = np.asarray(accuracy, float), np.asarray(seconds, float)
    base, j = variants.index("default"), variants.index(CANDIDATE)
    ratio = seconds[:, j].sum() / seconds[:, base].sum()
    gain = accuracy[:, j].mean() - accuracy[:, base].mean()
    wins = int(np.sum(accuracy[:, j] > accuracy[:, base]))
    losses = int(np.sum(accuracy[:, j] < accuracy[:, base]))
    return ratio, gain, wins, losses


def _words(checks):
    met = all(checks.values())
    marks = ", ".join(f"{k} ({'met' if ok else 'not met'})" for k, ok in checks.items())
    return met, f"{marks}: {'met' if met else 'not met'}."


def development_verdict(accuracy, seconds, variants):
    """Condition 1 of :data:`RULE`: ``(met, words)``.

    ``accuracy`` and ``seconds`` are ``(n_sets, n_variants)`` arrays in ``variants``'
    order, which holds ``"default"`` and :data:`CANDIDATE`.

    Examples
    --------
    >>> accuracy = [[0.80, 0.81]] * 4 + [[0.80, 0.80]]
    >>> met, words = development_verdict(accuracy, [[1.0, 1.1]] * 5, ["default", CANDIDATE])
    >>> met
    True
    """
    ratio, gain, wins, losses = _columns(accuracy, seconds, variants)
    return _words(
        {
            f"time {ratio:.2f}x": ratio <= MAX_TIME_RATIO + 1e-12,
            f"accuracy {gain:+.4f}": gain >= MIN_GAIN - 1e-12,
            f"wins/losses {wins}/{losses}": wins >= losses + MIN_NET_WINS,
        }
    )


def bundled_verdict(accuracy, seconds, variants):
    """Condition 2 of :data:`RULE`: ``(met, words)``; arguments as in
    :func:`development_verdict`.

    Examples
    --------
    >>> accuracy = [[0.90, 0.899]] * 7
    >>> met, words = bundled_verdict(accuracy, [[1.0, 1.2]] * 7, ["default", CANDIDATE])
    >>> met, words
    (False, 'accuracy -0.0010 (met), time 1.20x (not met): not met.')
    """
    ratio, gain, _, _ = _columns(accuracy, seconds, variants)
    return _words(
        {
            f"accuracy {gain:+.4f}": gain >= -BUNDLED_MAX_LOSS - 1e-12,
            f"time {ratio:.2f}x": ratio <= MAX_TIME_RATIO + 1e-12,
        }
    )


def run_bundled(timed_runs, variant_factory, variants):
    """``{set: {variant: (accuracy, seconds)}}`` on :data:`BUNDLED_SETS`, the variants
    side by side on each set (``timed_runs`` as
    :func:`benchmarks.classifier_ablation._timed_runs`); prints each set's line."""
    results = {}
    for name in BUNDLED_SETS:
        X_train, y_train, X_test, y_test = load(name)
        factories = {v: variant_factory(v) for v in variants}
        results[name] = {
            label: (float(np.mean(np.asarray(predicted) == y_test)), seconds)
            for label, predicted, seconds in timed_runs(factories, X_train, y_train, X_test)
        }
        line = ", ".join(f"{k} {a:.3f}/{s:.1f}s" for k, (a, s) in results[name].items())
        print(f"{name}: {line}", flush=True)
    return results


def bundled_part(results, variants):
    """The bundled sets' table (per variant and per set) and condition 2's verdict, in
    Markdown; ``(met or None while sets are missing, text)``."""
    names = list(results)
    accuracy = np.array([[results[s][v][0] for v in variants] for s in names])
    seconds = np.array([[results[s][v][1] for v in variants] for s in names])
    base = variants.index("default")
    rows = []
    for j, variant in enumerate(variants):
        wdl = "-"
        if j != base:
            wdl = "/".join(
                str(int(np.sum(op(accuracy[:, j], accuracy[:, base]))))
                for op in (np.greater, np.equal, np.less)
            )
        total = seconds[:, j].sum()
        ratio = total / seconds[:, base].sum()
        rows.append([variant, f"{accuracy[:, j].mean():.4f}", wdl, f"{total:.1f}", f"{ratio:.2f}"])
    per_set = [[s, *(f"{a:.3f} / {t:.2f}" for a, t in results[s].values())] for s in names]
    met, words = None, f"{len(names)} of {len(BUNDLED_SETS)} sets: no verdict."
    if len(names) == len(BUNDLED_SETS):
        met, words = bundled_verdict(accuracy, seconds, variants)
    text = (
        "### (2) sktime's bundled sets (not development sets)\n\n"
        "Reproduce: `python -m benchmarks.classifier_ablation --frontier-combined "
        f"--bundled`  \nRun: {run_stamp()}\n\n"
        f"Sets: {', '.join(names)} (official splits, loaded as "
        "`benchmarks/_classification_data.py` does). `SpectralFilterClassifier(random_state=0, "
        "**change)`, one thread, warm, fit+predict seconds. W/D/L: the variant against "
        "`default`.\n\n"
        + markdown_table(
            ["variant", "mean accuracy", "W/D/L vs default", "seconds", "/ default"], rows
        )
        + "\n\nAccuracy / seconds per set:\n\n"
        + markdown_table(["set", *variants], per_set)
        + f"\n\n**Condition 2:** {words}"
    )
    return met, text


def bundled_body(results, page=None):
    """The section's body with the bundled part rewritten from ``results`` (as
    :func:`run_bundled` returns them, every :data:`FRONTIER_COMBINED` variant)."""
    return section_body("bundled", *bundled_part(results, list(FRONTIER_COMBINED)), page)


def development_part(body, accuracy, seconds, variants, complete):
    """The 37 sets' part: the ablation report's ``body`` (tables) and condition 1's
    verdict once every set ran (``complete``); ``(met or None, text)``."""
    met, words = None, f"{len(accuracy)} sets so far: no verdict."
    if complete:
        met, words = development_verdict(accuracy, seconds, variants)
    text = (
        "### (1) The 37 development sets\n\n"
        "Reproduce: `python -m benchmarks.classifier_ablation --frontier-combined "
        f"--all-sets`  \nRun: {run_stamp()}\n\n"
        + body.replace("\n### ", "\n#### ")
        + f"\n\n**Condition 1:** {words}"
    )
    return met, text


_PART = re.compile(r"<!-- part (\w+) (\w+) -->\n(.*?)\n<!-- end part \1 -->", re.DOTALL)


def _existing_parts(text, section):
    """``{part: (status, text)}`` of ``section`` in the page's ``text``."""
    begin, end = f"<!-- BEGIN {section} -->", f"<!-- END {section} -->"
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < 0:
        return {}
    return {m[1]: (m[2], m[3]) for m in _PART.finditer(text[start:stop])}


def section_body(part, met, text, page=None, *, section=SECTION, rule=RULE):
    """The body of ``section`` (a rule checked on the development sets and on the
    bundled sets, one run each) with ``part`` (one of :data:`PARTS`) replaced by
    ``text`` (its conditions ``met``: True, False or None), the other part kept from
    ``page`` (the text of ``docs/benchmarks.md``, read if None), under ``rule`` and the
    outcome once both ran. :mod:`benchmarks._confirm_raw_std` uses it for its section."""
    if page is None:
        page = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    status = {True: "met", False: "failed", None: "pending"}
    parts = _existing_parts(page, section)
    parts[part] = (status[met], text)
    blocks = [
        f"<!-- part {name} {parts[name][0]} -->\n{parts[name][1]}\n<!-- end part {name} -->"
        for name in PARTS
        if name in parts
    ]
    states = [parts.get(name, ("pending",))[0] for name in PARTS]
    if "failed" in states:
        outcome = "the candidate fails the rule: the default stays."
    elif states == ["met", "met"]:
        outcome = "both parts met: the candidate is adopted as the default."
    else:
        outcome = "pending (both runs needed)."
    return rule + f"\n\n**Outcome:** {outcome}\n\n" + "\n\n".join(blocks)
