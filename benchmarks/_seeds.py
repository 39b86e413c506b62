"""The ``--seeds`` group of :mod:`benchmarks.classifier_ablation` (issue 21, session 40):
how much of a development-corpus figure is the random draw of the filter mixtures.

Every candidate of the classifier ablation is judged against
``SpectralFilterClassifier(random_state=0)`` on the 37 development sets, by rules like
"mean accuracy at least the default's + 0.004 and wins >= losses + 3". The classifier
draws random filter mixtures (``random_state``), so part of any difference between two
configurations is the draw. This group measures that part: the DEFAULT classifier with
``random_state`` in :data:`SEEDS`, nothing else changed, side by side on each set.

Run with ``python -m benchmarks.classifier_ablation --seeds --all-sets`` into the
section ``classifier_ablation_seeds``. This is a measurement, not a decision: no option
is adopted or dropped from it, and no earlier rule or verdict is changed. Reported
(:func:`section_text`, above the ablation's usual tables):

- per seed: mean accuracy and W/D/L against seed 0 (the ablation's usual table, with
  times, which are not the point here);
- over seeds: the spread of the mean accuracy (max - min, and the standard deviation,
  ``ddof=1``); for each of the 10 pairs of seeds, the mean-accuracy difference and
  W/D/L; the largest |difference| and the most lopsided W/L among the pairs;
- per set: the standard deviation of the test accuracy over the seeds, how many sets
  have none, and the sets where it is largest;
- the implication: how many of the 20 ordered pairs of seeds (a pure re-draw against a
  re-draw) pass the ablation's usual accuracy conditions, mean accuracy at least
  +:data:`MIN_GAIN` and wins >= losses + :data:`MIN_NET_WINS` (each condition and both);
  the standard deviation of a re-draw's mean-accuracy difference (over the 10 pairs);
  and, as a look at averaging over seeds, the same difference between the averages of
  two seeds and of two other seeds (the 15 ways to pick two disjoint pairs).

Outcome (37 sets, started at commit ``6e29b25``; the section's stamp says ``eed207e``,
which only added ``tests/test_benchmark_seeds.py`` during the run; section
``classifier_ablation_seeds``, log
``benchmarks/results/classifier_ablation_seeds_6e29b25.log``, 1-min load 0.9 at start,
3.0 at end, 836 s): mean accuracy 0.8210, 0.8190, 0.8208, 0.8199, 0.8201 at seeds 0-4
(seed 0 reproduces the default's 0.8210 of the earlier runs); spread 0.0020, standard
deviation 0.0008; W/D/L against seed 0 11/9/17, 15/12/10, 15/9/13, 15/3/19. The
largest pair difference is seed 0 - seed 1, +0.0020; the re-draw's difference, as the
section prints it, is the root mean square over the 10 pairs (its standard deviation
about zero), 0.0011. The most lopsided W/D/L: seed 2 against seed 1, 19/8/10. No
ordered pair passes both accuracy conditions (0 of 20): the mean condition none, the
wins condition 8 of 20. Per set the largest standard deviations are on the sets with 20
test series (BeetleFly 0.045, BirdChicken 0.042; one series is 0.05), then
GestureMidAirD3 0.021 and ChlorineConcentration 0.017; 3 of 37 sets do not move.
Two-seed averages against two others: at most 0.0015 (root mean square 0.0008).
"""

from __future__ import annotations

from itertools import combinations, permutations

import numpy as np

from benchmarks._report import markdown_table

SEEDS = (0, 1, 2, 3, 4)
#: Variant name -> its change from ``SpectralFilterClassifier()``: the seed only.
SEED_VARIANTS = {f"seed {seed}": {"random_state": seed} for seed in SEEDS}
#: The accuracy conditions of the ablation's rules (e.g. :data:`benchmarks._runs.RUNS_RULE`).
MIN_GAIN = 0.004
MIN_NET_WINS = 3
#: How many sets the per-set table lists (largest standard deviation first).
N_NOISIEST = 8
SECTION = "classifier_ablation_seeds"
TITLE = "Classifier ablation: the seed noise of the development-corpus figures"


def _wdl(ours, theirs):
    diff = np.asarray(ours, float) - np.asarray(theirs, float)
    return int(np.sum(diff > 0)), int(np.sum(diff == 0)), int(np.sum(diff < 0))


def pair_comparisons(accuracy, labels):
    """Every ordered pair of columns as a re-draw against a re-draw.

    Parameters
    ----------
    accuracy : array-like of shape (n_sets, n_seeds)
        Test accuracy per set (rows) and seed (columns).
    labels : list of str
        The columns' names.

    Returns
    -------
    list of dict
        One per ordered pair ``(a, b)``: ``"a"``, ``"b"``, ``"gain"`` (mean accuracy of
        ``a`` minus ``b``'s), ``"wins"``, ``"draws"``, ``"losses"`` (of ``a`` against
        ``b``), ``"gain_met"``, ``"wins_met"`` and ``"passes"`` (the accuracy conditions
        of the ablation's rules, :data:`MIN_GAIN` and :data:`MIN_NET_WINS`).

    Examples
    --------
    >>> pairs = pair_comparisons([[0.9, 0.8], [0.7, 0.7]], ["s0", "s1"])
    >>> [(p["a"], p["b"], round(p["gain"], 3), p["wins"], p["passes"]) for p in pairs]
    [('s0', 's1', 0.05, 1, False), ('s1', 's0', -0.05, 0, False)]
    """
    accuracy = np.asarray(accuracy, float)
    pairs = []
    for i, j in permutations(range(len(labels)), 2):
        gain = float(accuracy[:, i].mean() - accuracy[:, j].mean())
        wins, draws, losses = _wdl(accuracy[:, i], accuracy[:, j])
        gain_met = gain >= MIN_GAIN - 1e-12
        wins_met = wins >= losses + MIN_NET_WINS
        pairs.append(
            {
                "a": labels[i],
                "b": labels[j],
                "gain": gain,
                "wins": wins,
                "draws": draws,
                "losses": losses,
                "gain_met": gain_met,
                "wins_met": wins_met,
                "passes": gain_met and wins_met,
            }
        )
    return pairs


def mean_spread(accuracy):
    """``(means, max - min, standard deviation)`` of the seeds' mean accuracies.

    The standard deviation is the sample one (``ddof=1``) over the columns' means.

    Examples
    --------
    >>> means, spread, sd = mean_spread([[0.80, 0.82, 0.84]])
    >>> round(spread, 3), round(sd, 3)
    (0.04, 0.02)
    """
    means = np.asarray(accuracy, float).mean(axis=0)
    return means, float(means.max() - means.min()), float(means.std(ddof=1))


def per_set_spread(accuracy, names):
    """Per set: ``(name, standard deviation over seeds, max - min)``, largest first.

    Examples
    --------
    >>> per_set_spread([[0.5, 0.5], [0.4, 0.6]], ["flat", "noisy"])[0][0]
    'noisy'
    """
    accuracy = np.asarray(accuracy, float)
    sd = accuracy.std(axis=1, ddof=1)
    spread = accuracy.max(axis=1) - accuracy.min(axis=1)
    order = np.argsort(-sd, kind="stable")
    return [(names[k], float(sd[k]), float(spread[k])) for k in order]


def averaged_pair_gains(accuracy):
    """Mean-accuracy differences between the averages of two seeds and of two others.

    For every choice of two disjoint pairs of columns ``{a, b}`` and ``{c, d}``, the
    mean over sets of ``(acc_a + acc_b) / 2 - (acc_c + acc_d) / 2`` (one sign per
    choice: 15 values for 5 seeds). This is the re-draw noise of a comparison that
    averages two seeds per side.

    Examples
    --------
    >>> gains = averaged_pair_gains([[0.8, 0.8, 0.9, 0.9]])
    >>> sorted(round(abs(g), 3) for g in gains)
    [0.0, 0.0, 0.1]
    """
    accuracy = np.asarray(accuracy, float)
    means = accuracy.mean(axis=0)
    gains = []
    for four in combinations(range(accuracy.shape[1]), 4):
        first = four[0]
        for partner in four[1:]:  # the pair holding the first of the four
            other = [k for k in four[1:] if k != partner]
            gains.append(float((means[first] + means[partner] - means[other].sum()) / 2))
    return gains


def _most_lopsided(pairs):
    return max(pairs, key=lambda p: (p["wins"] - p["losses"], p["gain"]))


def _unordered(pairs, labels):
    """The pairs with ``a`` before ``b`` in ``labels`` (one of each unordered pair)."""
    return [p for p in pairs if labels.index(p["a"]) < labels.index(p["b"])]


def implication_text(accuracy, labels):
    """The plain-words implication for the ablation's rules, in Markdown; arguments as
    in :func:`pair_comparisons`."""
    pairs = pair_comparisons(accuracy, labels)
    n = len(pairs)
    gains = np.array([p["gain"] for p in _unordered(pairs, labels)])
    text = (
        f"A pure re-draw (one seed against another, nothing else changed) passes the "
        f"ablation's accuracy conditions (mean >= +{MIN_GAIN}, wins >= losses + "
        f"{MIN_NET_WINS}) in **{sum(p['passes'] for p in pairs)} of {n}** ordered pairs; "
        f"the mean condition alone in {sum(p['gain_met'] for p in pairs)} of {n}, the "
        f"wins condition alone in {sum(p['wins_met'] for p in pairs)} of {n}. The root "
        f"mean square of a re-draw's mean-accuracy difference (over the {len(gains)} "
        f"pairs) is {np.sqrt(np.mean(gains**2)):.4f}, against the rules' {MIN_GAIN}."
    )
    if len(labels) >= 4:
        averaged = np.abs(averaged_pair_gains(accuracy))
        text += (
            f" Averaging two seeds per side, the difference between the averages of two "
            f"seeds and of two others ({len(averaged)} ways) is at most "
            f"{averaged.max():.4f} in absolute value (root mean square "
            f"{np.sqrt(np.mean(averaged**2)):.4f})."
        )
    return text


def _passed_by(pair, reverse):
    if pair["passes"]:
        return pair["a"]
    return reverse["a"] if reverse["passes"] else "neither"


def section_text(accuracy, names, labels, complete):
    """The seed group's summary (before the ablation's usual tables), in Markdown.

    ``accuracy`` is ``(n_sets, n_seeds)`` in ``labels``' order, ``names`` the sets;
    ``complete`` says whether every development set ran (else the text says so).
    """
    accuracy = np.asarray(accuracy, float)
    means, spread, sd = mean_spread(accuracy)
    pairs = pair_comparisons(accuracy, labels)
    by_order = {(p["a"], p["b"]): p for p in pairs}
    rows = [
        [
            f"{p['a']} - {p['b']}",
            f"{p['gain']:+.4f}",
            f"{p['wins']}/{p['draws']}/{p['losses']}",
            _passed_by(p, by_order[p["b"], p["a"]]),
        ]
        for p in _unordered(pairs, labels)
    ]
    largest = max(pairs, key=lambda p: abs(p["gain"]))
    lopsided = _most_lopsided(pairs)
    sets = per_set_spread(accuracy, names)
    steady = sum(s == 0 for _, s, _ in sets)
    noisy = [[name, f"{s:.4f}", f"{r:.3f}"] for name, s, r in sets[:N_NOISIEST]]
    status = "" if complete else f"**Partial: {len(names)} sets so far.**\n\n"
    return (
        status + "`SpectralFilterClassifier(random_state=seed)`, the defaults otherwise, side by "
        "side on each set; the variants in the tables below are the seeds (W/D/L against "
        "seed 0). A measurement, not a decision (no rule; `benchmarks/_seeds.py`).\n\n"
        f"**Over seeds:** mean accuracy {', '.join(f'{m:.4f}' for m in means)}; spread "
        f"(max - min) {spread:.4f}, standard deviation {sd:.4f}. Largest |difference| "
        f"between two seeds: {largest['a']} - {largest['b']} {largest['gain']:+.4f}; most "
        f"lopsided W/D/L: {lopsided['a']} against {lopsided['b']} "
        f"{lopsided['wins']}/{lopsided['draws']}/{lopsided['losses']}.\n\n"
        + markdown_table(
            ["pair a - b", "mean difference", "W/D/L of a", "accuracy rule passed by"], rows
        )
        + "\n\n"
        f"**Per set:** standard deviation (ddof=1) of the test accuracy over the seeds; "
        f"{steady} of {len(names)} sets have none. The {len(noisy)} largest:\n\n"
        + markdown_table(["set", "sd over seeds", "max - min"], noisy)
        + "\n\n**What it implies:** "
        + implication_text(accuracy, labels)
    )
