"""The ``--runs`` group of :mod:`benchmarks.classifier_ablation` (issue 21, session 40):
the number of runs of the ``ppv`` exceedance masks, a cheap statistic of their temporal
structure.

``statistics=STATISTICS + ("lspv",)`` (MultiRocket's longest stretch of steps above each
``ppv`` threshold) gained on the 37 development sets (0.8211 -> 0.8272, 17/16/4) but
cost 1.67x the default's time (about 4x a ``ppv`` count per threshold, plus the extra
columns), so it was not adopted: the temporal structure of the mask ``z_t > b`` carries
information beyond its fraction. The candidate ``"rpv"`` (runs of positive values) is
the number of maximal stretches of consecutive valid steps above ``b``, divided by the
series' valid length (the rate of exceedance episodes; ``ppv / rpv`` is their mean
length). It reuses the comparison the pooling already makes for ``ppv`` and counts its
rising edges (:func:`sksssm.spectral._segment_stats._run_count`, one byte comparison of
the mask with itself shifted by a step, then a count): 0.4-0.75x of one ``ppv`` count
per threshold on synthetic chunks (scratch profile, float32), 1.10x on the 2-series
chunk ``python -m benchmarks.threshold_ops CricketX`` captures (overhead-bound).

Run with ``python -m benchmarks.classifier_ablation --runs --all-sets`` into the section
``classifier_ablation_runs``; the rule, fixed before the counted run, is
:data:`RUNS_RULE`. ``"+ lspv"`` is in the same run for the record only (the two
statistics of the mask's runs, compared side by side); the rule does not read it.

Outcome (37 sets, commit ``132cb80``, section ``classifier_ablation_runs``, log
``benchmarks/results/classifier_ablation_runs_132cb80.log``, 1-min load 2.1 at start,
1.0 at end): default 0.8210 in 198.5 s; ``+ rpv`` 0.8222, 12/18/7, 204.0 s (1.03x):
time passes, wins >= losses + 3 passes (12 against 10), mean accuracy fails (+0.0012
against the rule's +0.004). The rule fails: the default is unchanged and ``"rpv"``
stays an optional statistic. For the record, ``+ lspv`` 0.8273, 19/14/4, 291.4 s
(1.47x). ``"rpv"`` gained most on CinCECGTorso (+0.061) and AllGestureWiimoteY
(+0.040) and lost most on GestureMidAirD3 (-0.062), CricketX (-0.023) and CricketY
(-0.016), where ``"lspv"`` did not lose.
"""

from __future__ import annotations

from sksssm.spectral._segment_stats import STATISTICS

#: Variant name -> its change from ``SpectralFilterClassifier(random_state=0)``.
RUNS = {
    "default": {},
    "+ rpv": {"statistics": STATISTICS + ("rpv",)},
    "+ lspv": {"statistics": STATISTICS + ("lspv",)},
}
RUNS_RULE = (
    "Pre-registered rule (fixed before the counted run, issue 21, session 40): adopt "
    '`statistics=STATISTICS + ("rpv",)` as the classifier\'s default if, on the 37 '
    "development sets (`random_state=0`, side by side in one run), its total "
    "fit+predict time is at most 1.15x the default's, its mean accuracy at least the "
    "default's + 0.004, and its wins >= losses + 3 against the default. `+ lspv` is "
    "reported for the record only; the rule does not read it."
)
