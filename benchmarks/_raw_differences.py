"""The ``--raw-differences`` group of :mod:`benchmarks.classifier_ablation` (issue 21,
session 39): the mixed banks at the default's cost, the first differences pooled by the
standardized head only.

``dilation="raw"`` (the raw head under the dilated bank, the standardized head under the
smooth one) passed the accuracy rule in section ``classifier_ablation_mixed_banks_library``
(0.8257, 19/9/9 against 0.8210) but took 1.24x the default's time (rule: at most
1.15x). The measured cause: with one bank the two heads share the first differences'
responses and their statistics (the standardized head's differences are the raw ones
divided by each series' spread, so one pass pools them for both); with two banks the raw
head filters and pools its own dilated differences, a fourth pooled kind instead of
three.

The candidate, argued before measuring: in the two-head ensemble the first differences
are pooled by the standardized head only (``differences="standardized"``). The two
heads' first-difference features are the same responses up to one positive factor per
series, which is why the default computes them once; the raw head's copy adds little
the standardized head's does not have, so with different banks the raw head should not
pay for a second set. With ``dilation="raw"`` the raw head then pools its dilated series
responses only (8-tap direct convolutions), the standardized head what it pools today.

Checks before the counted run (``tests/test_classifier_raw_differences.py``): the
candidate's standardized head is bit-identical to the standardized head of
``dilation="raw"``; its raw head decides as ``SpectralFilterClassifier(normalise=False,
dilation="all", differences=False)`` fitted alone; ``dilation="none"`` and
``dilation="raw"`` with ``differences=True`` give decision values and probabilities
bit-identical to main's (``c6ec008``) on a synthetic set and a 3-channel unequal-length
set (scratch check). Timing pilot (time only, no accuracy looked at): see
:data:`PILOT`.

Outcome (37 sets, commit ``b7a1686``, section ``classifier_ablation_raw_differences``,
log ``benchmarks/results/classifier_ablation_raw_differences_b7a1686.log``): default
0.8210 in 134.0 s; ``dilation="raw"`` 0.8257, 19/9/9, 159.9 s (1.19x); the candidate
0.8245, 19/5/13, 125.2 s (0.93x): time passes, wins >= losses + 3 passes (19 against
16), mean accuracy fails (+0.0035 against the rule's +0.004). The rule fails: the
default is unchanged and ``differences="standardized"`` stays an option (the dilated raw
head at less than the default's time). For the record, ``differences="standardized"``
with the default bank: 0.8203, 15/5/17, 119.7 s (0.89x).
"""

from __future__ import annotations

#: Timing pilot before the counted run (scratch script, time only: the test labels never
#: compared; one thread, warm, fit+predict seconds, ``random_state=0``, on the sets where
#: ``dilation="raw"`` cost most or that the previous pilot used; the lead's work shared
#: the 2 cores).
PILOT = (
    "Beef, ECGFiveDays, DiatomSizeReduction, FaceAll, FiftyWords: default 10.6 s, "
    'dilation="raw" 12.8 s (1.20x), candidate 9.6 s (0.91x), differences="standardized" '
    "with the default bank 8.9 s (0.84x). ECGFiveDays 0.52 / 1.19 / 0.56 / 0.40 s; FaceAll "
    "4.38 / 5.25 / 3.70 / 3.25 s."
)

#: Variant name -> its change from ``SpectralFilterClassifier(random_state=0)``.
#: ``"no raw differences, smooth"`` (``differences="standardized"`` with the default bank)
#: is reported for the record only: the rule does not read it.
RAW_DIFFERENCES = {
    "default": {},
    "raw dilated (library)": {"dilation": "raw"},
    "raw dilated, no raw differences": {"dilation": "raw", "differences": "standardized"},
    "no raw differences, smooth": {"differences": "standardized"},
}

#: The rule, fixed by the lead before the counted run.
RAW_DIFFERENCES_RULE = (
    "Rule fixed by the lead before the counted run: adopt the candidate "
    '(`dilation="raw", differences="standardized"`: the raw head dilated, the first '
    "differences pooled by the standardized head only) as the new default if, on the 37 "
    "development sets (`random_state=0`, side by side in this run), its total "
    "fit+predict time is at most 1.15x the default's, AND its mean accuracy is at least "
    "default + 0.004, AND its wins >= losses + 3 against the default. Otherwise it stays "
    "an option (or is removed if it does nothing useful) and the default is unchanged. "
    '`dilation="raw"` (today\'s option) is run for the record; `differences='
    '"standardized"` with the default bank likewise, not read by the rule.'
)
