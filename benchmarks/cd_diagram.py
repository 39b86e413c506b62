"""Critical-difference diagrams (Demšar 2006) for the corpus benchmarks (issue 20).

The methods' mean ranks over the data sets are marked on an axis; a thick bar joins
methods that the chosen test cannot tell apart. Two tests are provided:

- ``"wilcoxon-holm"`` (default, as in the recent bake-offs): a two-sided Wilcoxon
  signed-rank test for every pair of methods, Holm's step-down correction over the
  ``k (k - 1) / 2`` pairs (:func:`holm_reject`).
- ``"nemenyi"``: two methods differ when their mean ranks differ by at least the critical
  difference ``CD = q_alpha sqrt(k (k + 1) / (6 N))`` (:func:`nemenyi_cd`), ``q_alpha`` the
  studentized range quantile for ``k`` groups and infinite degrees of freedom over
  ``sqrt(2)``.

A bar joins a maximal run of methods, consecutive in mean rank, of which no two differ
(:func:`cliques`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from benchmarks import protocol

TESTS = ("wilcoxon-holm", "nemenyi")


def nemenyi_cd(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference in mean rank for ``k`` methods on ``n`` data sets."""
    from scipy.stats import studentized_range

    if k < 2 or n < 1:
        raise ValueError(f"The Nemenyi test needs k >= 2 methods and n >= 1 sets, not {k}, {n}.")
    q_alpha = studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    return float(q_alpha * np.sqrt(k * (k + 1) / (6 * n)))


def holm_reject(pvalues, alpha: float = 0.05) -> np.ndarray:
    """Holm's step-down procedure: which of the hypotheses (p-values) are rejected.

    The ``i``-th smallest p-value (``i = 0, 1, ...``) is compared with
    ``alpha / (m - i)``; all hypotheses are rejected up to the first that is not. NaN
    p-values (every difference zero) are never rejected.
    """
    pvalues = np.asarray(pvalues, dtype=float)
    m = len(pvalues)
    reject = np.zeros(m, dtype=bool)
    for i, index in enumerate(np.argsort(np.where(np.isnan(pvalues), np.inf, pvalues))):
        if not pvalues[index] <= alpha / (m - i):
            break
        reject[index] = True
    return reject


def cliques(mean_ranks, different) -> list[tuple[int, ...]]:
    """Maximal runs of methods, consecutive in mean rank, no two of which differ.

    Parameters
    ----------
    mean_ranks : array of shape (k,)
    different : bool array of shape (k, k)
        ``different[i, j]``: methods ``i`` and ``j`` differ significantly (symmetric).

    Returns
    -------
    list of tuples of method indices (in mean-rank order), each of two methods or more,
    none contained in another.
    """
    order = list(np.argsort(mean_ranks, kind="stable"))
    runs = []
    for start in range(len(order)):
        stop = start
        while stop + 1 < len(order) and not any(
            different[order[stop + 1], order[i]] for i in range(start, stop + 1)
        ):
            stop += 1
        run = tuple(int(i) for i in order[start : stop + 1])
        if len(run) > 1 and not any(set(run) <= set(previous) for previous in runs):
            runs.append(run)
    return runs


@dataclass
class CriticalDifference:
    """Mean ranks, pairwise decisions and cliques of ``methods`` over some data sets."""

    methods: list
    mean_ranks: np.ndarray
    different: np.ndarray
    nemenyi_cd: float
    test: str

    @classmethod
    def from_scores(cls, scores, methods, higher_is_better=True, test="wilcoxon-holm", alpha=0.05):
        """From ``scores`` of shape ``(n_sets, n_methods)``."""
        if test not in TESTS:
            raise ValueError(f"test must be one of {TESTS}, not {test!r}.")
        scores = np.asarray(scores, dtype=float)
        n, k = scores.shape
        if k != len(methods):
            raise ValueError(f"scores has {k} columns for {len(methods)} methods.")
        mean_ranks = protocol.ranks(scores, higher_is_better).mean(axis=0)
        cd = nemenyi_cd(k, n, alpha)
        if test == "nemenyi":
            different = np.abs(mean_ranks[:, None] - mean_ranks[None, :]) >= cd
        else:
            pairs = list(combinations(range(k), 2))
            p = [protocol.wilcoxon_p(scores[:, i], scores[:, j]) for i, j in pairs]
            different = np.zeros((k, k), dtype=bool)
            for (i, j), rejected in zip(pairs, holm_reject(p, alpha), strict=True):
                different[i, j] = different[j, i] = rejected
        return cls(list(methods), mean_ranks, different, cd, test)

    def plot(self, path):
        """Draw the diagram (own matplotlib code) and save it to ``path``."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        k = len(self.methods)
        order = np.argsort(self.mean_ranks, kind="stable")
        groups = cliques(self.mean_ranks, self.different)
        top = 0.4 + 0.25 * len(groups)  # the label lines start below the bars
        height = 0.9 + 0.28 * ((k + 1) // 2 + top)
        fig, ax = plt.subplots(figsize=(9, height))
        margin = 0.45 * k  # room for the labels either side of the axis
        ax.set_xlim(1 - margin, k + margin)
        ax.set_ylim(-((k + 1) // 2 + top), 1.3)
        ax.axis("off")
        # the rank axis, 1 (best) on the left
        ax.plot([1, k], [0, 0], color="black", lw=1)
        for r in range(1, k + 1):
            ax.plot([r, r], [0, 0.15], color="black", lw=1)
            ax.text(r, 0.3, str(r), ha="center", fontsize=8)
        # Nemenyi CD for reference, top left
        ax.plot([1, 1 + self.nemenyi_cd], [0.85, 0.85], color="grey", lw=1.5)
        ax.text(1 + self.nemenyi_cd / 2, 0.95, "Nemenyi CD", ha="center", fontsize=7)
        # labels: best half to the left, the rest to the right
        half = (k + 1) // 2
        for position, index in enumerate(order):
            rank = self.mean_ranks[index]
            level = -top - (position if position < half else k - 1 - position)
            x_text = 0.9 if position < half else k + 0.1
            ax.plot([rank, rank, x_text], [0, level, level], color="black", lw=0.7)
            label = f"{self.methods[index]} ({rank:.2f})"
            ha = "right" if position < half else "left"
            ax.text(x_text, level, f" {label} ", ha=ha, va="center", fontsize=7)
        # bars: cliques of methods the test does not tell apart
        for g, group in enumerate(groups):
            y = -0.35 - 0.25 * g
            low, high = self.mean_ranks[list(group)].min(), self.mean_ranks[list(group)].max()
            ax.plot([low - 0.03, high + 0.03], [y, y], color="black", lw=3)
        test = "Wilcoxon-Holm" if self.test == "wilcoxon-holm" else "Nemenyi"
        ax.set_title(f"mean rank (1 = best); bars: no difference ({test}, alpha 0.05)", fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
