"""A pre-registered confirmation of a classifier candidate on fresh seeds.

A candidate change of ``SpectralFilterClassifier``'s defaults, chosen on one draw
(``random_state=0``), is run again at seeds that never ran for it, each seed's
candidate against the default at the same ``random_state``, side by side on each set:
the 37 development sets in one run, sktime's bundled non-development sets in another
(:func:`benchmarks._frontier_combined.run_bundled`). :class:`SeedConfirmation` holds one
such group of :mod:`benchmarks.classifier_ablation`: its variants, its rule's
thresholds, the verdicts and the two parts of its section. The rule:

(a) the mean over the seeds of the mean-accuracy difference is at least
``min_mean_gain``; (b) the difference is positive at no fewer than
``min_positive_seeds`` seeds; (c) the candidate's total fit+predict time over the seeds
is at most ``max_time_ratio`` times the default's; (d) on the bundled sets, the mean
over the seeds of the candidate's mean accuracy is at least the default's minus
``bundled_max_loss`` and its total time at most ``max_time_ratio`` times the default's.

The groups: :mod:`benchmarks._confirm_raw_std` (session 41),
:mod:`benchmarks._confirm_ops` (session 44), :mod:`benchmarks._confirm_kernel` and
:mod:`benchmarks._confirm_combination` (session 46).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks import _frontier_combined
from benchmarks._report import markdown_table, run_stamp


def over_seeds(rows):
    """``(mean gain, seeds with a positive gain, total time ratio)`` of
    :meth:`SeedConfirmation.per_seed`'s rows: the figures the rule reads.

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


def _per_set(results, fmt):
    labels = list(next(iter(results.values())))
    rows = [[s, *(fmt(*results[s][v]) for v in labels)] for s in results]
    return markdown_table(["set", *labels], rows)


@dataclass(frozen=True)
class SeedConfirmation:
    """One confirmation group: the candidate, its seeds, its rule and its section.

    Parameters
    ----------
    candidate : dict
        The candidate's change from ``SpectralFilterClassifier()``.
    previous_default : dict
        The defaults the candidate changes, named explicitly so that the ``"default s"``
        variants stay the defaults of the run if the candidate replaces them.
    name : str
        The candidate's short name in variant labels and tables (``"<name> <seed>"``).
    seeds : tuple of int
        Fresh seeds: never run for the candidate before the group.
    min_mean_gain, min_positive_seeds, max_time_ratio, bundled_max_loss
        The rule's thresholds (module docstring).
    rule, section, title, development_command, bundled_command : str
        The rule's pre-registered text and the section's name, title and commands.
    default_name : str, default="default"
        The default's short name in variant labels (``"<default_name> <seed>"``); the
        labels of every group share one namespace
        (:data:`benchmarks._classifier_ablation_variants.ALL_VARIANTS`), so a group whose
        ``previous_default`` differs from another's needs its own.
    """

    candidate: dict
    previous_default: dict
    name: str
    seeds: tuple
    min_mean_gain: float
    min_positive_seeds: int
    max_time_ratio: float
    bundled_max_loss: float
    rule: str
    section: str
    title: str
    development_command: str
    bundled_command: str
    default_name: str = "default"

    @property
    def command(self):
        """Both runs' commands."""
        return f"{self.development_command}; {self.bundled_command}"

    def default_label(self, seed):
        """The default's variant name at ``seed``."""
        return f"{self.default_name} {seed}"

    def candidate_label(self, seed):
        """The candidate's variant name at ``seed``."""
        return f"{self.name} {seed}"

    @property
    def variants(self):
        """Variant name -> its change from ``SpectralFilterClassifier()`` (its own seed),
        each seed's default then its candidate."""
        return {
            label: {"random_state": seed, **change}
            for seed in self.seeds
            for label, change in (
                (self.default_label(seed), self.previous_default),
                (self.candidate_label(seed), self.candidate),
            )
        }

    def per_seed(self, results):
        """Each seed's candidate against the default at that seed.

        ``results``: ``{set: {variant: (accuracy, seconds)}}`` holding the group's
        variants (other entries, such as MiniRocket's, are not read). Returns one dict
        per seed: ``"seed"``, ``"default"`` and ``"candidate"`` (mean accuracy over the
        sets), ``"default_seconds"`` and ``"candidate_seconds"`` (totals), ``"gain"``
        (candidate minus default), ``"wins"``, ``"draws"``, ``"losses"`` (of the
        candidate, per set).
        """
        names = list(results)
        rows = []
        for seed in self.seeds:
            base, cand = (
                np.array([results[s][label(seed)] for s in names], float)
                for label in (self.default_label, self.candidate_label)
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

    def development_verdict(self, results):
        """Conditions (a), (b) and (c) on the development sets: ``(met, words)``."""
        gain, positive, ratio = over_seeds(self.per_seed(results))
        return _words(
            {
                f"(a) mean difference {gain:+.4f}": gain >= self.min_mean_gain - 1e-12,
                f"(b) positive at {positive} of {len(self.seeds)} seeds": (
                    positive >= self.min_positive_seeds
                ),
                f"(c) time {ratio:.2f}x": ratio <= self.max_time_ratio + 1e-12,
            }
        )

    def bundled_verdict(self, results):
        """Condition (d) on the bundled sets: ``(met, words)``."""
        gain, _, ratio = over_seeds(self.per_seed(results))
        return _words(
            {
                f"(d) accuracy {gain:+.4f}": gain >= -self.bundled_max_loss - 1e-12,
                f"time {ratio:.2f}x": ratio <= self.max_time_ratio + 1e-12,
            }
        )

    def seed_table(self, results):
        """The per-seed table and its line over seeds, in Markdown."""
        rows = self.per_seed(results)
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
            f"{self.name} mean accuracy",
            f"{self.name} seconds",
            "difference",
            f"W/D/L of {self.name}",
            "time ratio",
        ]
        return markdown_table(header, table)

    def development_part(self, results, complete):
        """The development sets' part: ``(met or None until every set ran, Markdown)``
        (a MiniRocket column, if any, is shown)."""
        met, words = None, f"{len(results)} sets so far: no verdict."
        if complete:
            met, words = self.development_verdict(results)
        text = (
            "### (1) The 37 development sets\n\n"
            f"Reproduce: `{self.development_command}`  \nRun: {run_stamp()}\n\n"
            f"Sets: {', '.join(results)}. Every variant side by side on each set, one "
            "thread, warm, fit+predict seconds; W/D/L and difference: "
            f"`{self.name} s` against `{self.default_name} s` (the same `random_state`).\n\n"
            + self.seed_table(results)
            + "\n\n#### Accuracy per set\n\n"
            + _per_set(results, lambda a, _: f"{a:.3f}")
            + f"\n\n**Conditions (a)-(c):** {words}"
        )
        return met, text

    def bundled_part(self, results):
        """The bundled sets' part: ``(met or None until every set ran, Markdown)``."""
        sets = _frontier_combined.BUNDLED_SETS
        met, words = None, f"{len(results)} of {len(sets)} sets: no verdict."
        if len(results) == len(sets):
            met, words = self.bundled_verdict(results)
        text = (
            "### (2) sktime's bundled sets (not development sets)\n\n"
            f"Reproduce: `{self.bundled_command}`  \nRun: {run_stamp()}\n\n"
            f"Sets: {', '.join(results)} (official splits, loaded as "
            "`benchmarks/_classification_data.py` does). Every variant side by side on "
            "each set, one thread, warm, fit+predict seconds.\n\n"
            + self.seed_table(results)
            + "\n\n#### Accuracy / seconds per set\n\n"
            + _per_set(results, lambda a, t: f"{a:.3f} / {t:.2f}")
            + f"\n\n**Condition (d):** {words}"
        )
        return met, text

    def development_body(self, results, complete, page=None):
        """The section's body with the development part rewritten (``page`` as in
        :func:`benchmarks._frontier_combined.section_body`)."""
        met, text = self.development_part(results, complete)
        return _frontier_combined.section_body(
            "development", met, text, page, section=self.section, rule=self.rule
        )

    def bundled_body(self, results, page=None):
        """The section's body with the bundled part rewritten (``page`` as in
        :func:`benchmarks._frontier_combined.section_body`)."""
        met, text = self.bundled_part(results)
        return _frontier_combined.section_body(
            "bundled", met, text, page, section=self.section, rule=self.rule
        )
