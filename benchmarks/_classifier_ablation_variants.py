"""The variant groups of :mod:`benchmarks.classifier_ablation`: each group is a dict
from a variant's name to its change from ``SpectralFilterClassifier(random_state=SEED)``,
either the parameters changed or a wrapper that patches one rule of the library around
``fit`` and ``predict`` (:class:`PatchedRule`, :class:`MeanOfProbabilities`,
:class:`AtThresholds`, and the filter-bank groups' :class:`~benchmarks._bank_variants.DilatedBank`
and :class:`~benchmarks._bank_variants.MixedBanks`); :func:`variant_factory` builds a fresh
estimator for a variant's name. The runner, its sets and its report are in
:mod:`benchmarks.classifier_ablation`; the frontier group's rules in
:mod:`benchmarks._frontier`.

The first group's variants (:data:`VARIANTS`, the script without a group option):

- ``default``: the defaults;
- ``float64``: responses and statistics in float64 (``dtype="float64"``; the default is
  float32);
- ``no ppv``, ``3 quantiles``: the ``ppv`` counts left out, or at 3 thresholds
  (10/50/90%) instead of 5 (2/10/50/90/98%);
- ``no segments``, ``no peak/last``: those statistics left out;
- ``no differences``: the first differences not pooled;
- ``16 mixtures``: half the random filter combinations;
- ``raw only``, ``normalised only``: one representation instead of the choice of both by
  leave-one-out (``normalise=False`` / ``True``; half the feature cost at fit);
- ``+ MultiRocket ops``: MultiRocket's pooling operators (mean of positive values, mean
  index of positive values, longest stretch of positive values) above each ``ppv``
  threshold added to the statistics;
- ``+ Hydra counts``: Hydra's competing counts (how often each response is the largest
  of its filter group) added.

The other groups (:data:`GROUPS`, one option and one section each) are described where
they are defined, with their decision rules and outcomes.
"""

from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np

from benchmarks._bank_variants import (
    DILATION,
    MIXED_BANKS,
    MIXED_BANKS_LIBRARY,
    SEED,
    DilatedBank,
    MixedBanks,
)
from benchmarks._confirm_combination import CONFIRM_COMBINATION
from benchmarks._confirm_kernel import CONFIRM_KERNEL
from benchmarks._confirm_ops import CONFIRM_OPS
from benchmarks._confirm_quantiles import CONFIRM_QUANTILES
from benchmarks._confirm_raw_std import CONFIRM_RAW_STD
from benchmarks._frontier_combined import FRONTIER_COMBINED
from benchmarks._raw_differences import RAW_DIFFERENCES
from benchmarks._runs import RUNS
from benchmarks._seeds import SEED_VARIANTS
from sksssm.spectral._ridge_loo import ridge_loo_path, select_ridge_by_loo
from sksssm.spectral._segment_stats import STATISTICS

_DEFAULT_STATISTICS = STATISTICS  # the classifier's default statistics
#: Variant name -> the parameters changed from the defaults.
VARIANTS = {
    "default": {},
    "float64": {"dtype": "float64"},
    "no ppv": {"statistics": tuple(s for s in _DEFAULT_STATISTICS if s != "ppv")},
    "3 quantiles": {"quantiles": (0.1, 0.5, 0.9)},
    "no segments": {"statistics": _DEFAULT_STATISTICS[:7]},
    "no peak/last": {
        "statistics": tuple(s for s in _DEFAULT_STATISTICS if s not in ("peak", "last"))
    },
    "no differences": {"differences": False},
    "16 mixtures": {"n_mixtures": 16},
    "raw only": {"normalise": False},
    "normalised only": {"normalise": True},
    "+ MultiRocket ops": {"statistics": _DEFAULT_STATISTICS + ("mpv", "mipv", "lspv")},
    "+ Hydra counts": {"statistics": _DEFAULT_STATISTICS + ("hydra",)},
}
#: Combinations of the single changes that the first table supports (run with
#: ``--combined``, into their own section): 3 quantiles (better and faster alone), with
#: the two cheaper MultiRocket operators, without the segment statistics, with 16
#: mixtures.
_Q3 = {"quantiles": (0.1, 0.5, 0.9)}
COMBINED = {
    "default": {},
    "3 quantiles": _Q3,
    "3q + mpv, mipv": {**_Q3, "statistics": _DEFAULT_STATISTICS + ("mpv", "mipv")},
    "3q + mpv, mipv, no segments": {
        **_Q3,
        "statistics": _DEFAULT_STATISTICS[:7] + ("mpv", "mipv"),
    },
    "3q + 16 mixtures": {**_Q3, "n_mixtures": 16},
}
#: Cheaper configurations (issue 21: the default at MiniRocket's time), run with
#: ``--speed`` into their own section: fewer responses per group (``n_filters``,
#: ``n_mixtures``), fewer or cheaper segment statistics, one representation.
SPEED = {
    "default": {},
    "8 filters": {"n_filters": 8},
    "16 mixtures": {"n_mixtures": 16},
    "2 segments": {"n_segments": 2},
    "no segment_std": {"statistics": tuple(s for s in _DEFAULT_STATISTICS if s != "segment_std")},
    "normalised only": {"normalise": True},
    "raw only": {"normalise": False},
}
#: The alternating-sign branch left out at fit (issue 21, session 32: the fit computes
#: every statistic of both branches for the candidates' comparison, and ``predict``
#: already drops the branch when the chosen set leaves it out), run with
#: ``--alternating`` into its own section.
ALTERNATING = {
    "default": {},
    "no alternating": {"use_negative": False},
}
#: An ensemble of closed-form heads (issue 21, sessions 33-34): the LOO-best model of
#: each representation kept and their log-probabilities averaged, ``normalise="both"``
#: (the default since session 34), against choosing one by leave-one-out
#: (``normalise="loo"``, the previous default); run with ``--ensemble`` into its own
#: section.
ENSEMBLE = {"one representation (loo)": {"normalise": "loo"}, "default": {}}


def _loo_accuracy_path(U, s, targets, alphas):
    """:func:`~sksssm.spectral._ridge_loo.ridge_loo_path` scored by leave-one-out
    accuracy (ties: the squared error) instead of the squared error alone."""

    def labels(values):
        return values.argmax(axis=1) if values.shape[1] > 1 else values[:, 0] > 0

    truth = labels(targets)
    for fit in ridge_loo_path(U, s, targets, alphas):
        accuracy = float(np.mean(labels(fit.loo_decisions) == truth))
        yield dataclasses.replace(fit, score=accuracy + 1e-3 * fit.score)


def _top_heads(k):
    """``select_ridge_by_loo`` averaging its ``k`` best (feature set, penalty) heads."""
    return partial(select_ridge_by_loo, n_heads=k)


class PatchedRule:
    """The default classifier (``random_state=SEED``) fitted with one selection rule
    patched in: ``patches`` is a tuple of ``(module name, attribute, factory)``."""

    def __init__(self, patches):
        self.patches = patches

    def fit(self, X, y):
        import importlib
        from contextlib import ExitStack
        from unittest import mock

        from sksssm import SpectralFilterClassifier

        with ExitStack() as stack:
            for module, name, factory in self.patches:
                target = importlib.import_module(module)
                stack.enter_context(mock.patch.object(target, name, factory()))
            self.model_ = SpectralFilterClassifier(random_state=SEED).fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


class MeanOfProbabilities:
    """The default classifier (``random_state=SEED``), predicting the class of the larger
    arithmetic mean of its two heads' probabilities (the default: the geometric mean)."""

    def fit(self, X, y):
        from sksssm import SpectralFilterClassifier

        self.model_ = SpectralFilterClassifier(random_state=SEED).fit(X, y)
        return self

    def predict(self, X):
        proba = sum(head.predict_proba(X) for head in self.model_.estimators_)
        return self.model_.classes_[proba.argmax(axis=1)]


#: Other model-selection and combination rules (issue 21, session 34), run with
#: ``--selection`` into their own section: the top-5 (feature set, penalty) heads averaged
#: within each representation (the series-to-value regressor's ``n_heads``), the feature
#: set and penalty chosen by leave-one-out accuracy rather than squared error, and the
#: two representations' heads combined by the arithmetic mean of their probabilities.
SELECTION = {
    "default": {},
    "top-5 heads": PatchedRule(
        (("sksssm.estimators._pooled_selection", "select_ridge_by_loo", partial(_top_heads, 5)),)
    ),
    "LOO accuracy": PatchedRule(
        (("sksssm.spectral._ridge_loo", "ridge_loo_path", lambda: _loo_accuracy_path),)
    ),
    "mean of probabilities": MeanOfProbabilities,
}


#: MultiRocket's pooling operators one at a time, and in pairs, on top of the two-head
#: default (issue 21, session 35): mean of positive values (``mpv``), mean index of
#: positive values (``mipv``), longest stretch of positive values (``lspv``), each above
#: every ``ppv`` threshold; run with ``--ops`` into their own section. The recorded runs
#: timed them in efficient forms patched in (then ``"+ lspv (fast)"`` ...), which the
#: library has had since (one comparison per threshold shared by the operators,
#: :func:`sksssm.spectral._segment_stats._pool`). Decision rule,
#: fixed before the all-sets run: an operator is proposed as a default if on all
#: development sets it raises mean accuracy by at least 0.004 with more wins than
#: losses against ``default``, at an estimated efficient cost of at most +20% of the
#: default's time.
_WITHOUT_SEGMENTS = tuple(s for s in _DEFAULT_STATISTICS if not s.startswith("segment_"))
OPS = {
    "default": {},
    "+ mpv": {"statistics": _DEFAULT_STATISTICS + ("mpv",)},
    "+ mipv": {"statistics": _DEFAULT_STATISTICS + ("mipv",)},
    "+ lspv": {"statistics": _DEFAULT_STATISTICS + ("lspv",)},
    "+ mpv, mipv": {"statistics": _DEFAULT_STATISTICS + ("mpv", "mipv")},
    "+ mpv, lspv": {"statistics": _DEFAULT_STATISTICS + ("mpv", "lspv")},
    "+ mipv, lspv": {"statistics": _DEFAULT_STATISTICS + ("mipv", "lspv")},
    "+ mpv, mipv, lspv": {"statistics": _DEFAULT_STATISTICS + ("mpv", "mipv", "lspv")},
    # paying for the operators with the segment statistics (about a third of the
    # default's statistics time, and little accuracy in the earlier ablation)
    "+ lspv, - segments": {"statistics": _WITHOUT_SEGMENTS + ("lspv",)},
    "+ mpv, mipv, lspv, - segments": {"statistics": _WITHOUT_SEGMENTS + ("mpv", "mipv", "lspv")},
}
#: The pairs with ``lspv`` (the one operator that gained alone on the smallest sets),
#: against the default: which of ``mpv`` and ``mipv`` carries the rest
#: of the gain of all three on all sets; run with ``--ops-pairs`` into its own section.
OPS_PAIRS = {name: OPS[name] for name in ("default", "+ mpv, lspv", "+ mipv, lspv")}
#: The operators paid for by the segment statistics, against the default; run with
#: ``--ops-segments`` into its own section.
OPS_SEGMENTS = {
    name: OPS[name] for name in ("default", "+ lspv, - segments", "+ mpv, mipv, lspv, - segments")
}


class AtThresholds:
    """The classifier (``random_state=SEED``) with MultiRocket's three operators added to
    :data:`~sksssm.spectral.STATISTICS`, computed at the thresholds ``where`` (the
    private :data:`sksssm.spectral._segment_stats._OPERATOR_THRESHOLDS`, patched in
    around ``fit`` and ``predict``): ``"every"``, ``"median"`` or ``"cycle"``."""

    def __init__(self, where):
        self.where = where

    def _patched(self):
        from unittest import mock

        from sksssm.spectral import _segment_stats

        return mock.patch.object(_segment_stats, "_OPERATOR_THRESHOLDS", self.where)

    def fit(self, X, y):
        from sksssm import SpectralFilterClassifier

        statistics = _DEFAULT_STATISTICS + ("mpv", "mipv", "lspv")
        with self._patched():
            self.model_ = SpectralFilterClassifier(statistics=statistics, random_state=SEED)
            self.model_.fit(X, y)
        return self

    def predict(self, X):
        with self._patched():
            return self.model_.predict(X)


#: MultiRocket's operators at one threshold per response (issue 21, session 36), as
#: MultiRocket computes its four operators at one bias per (kernel, dilation): at the
#: median threshold, or response ``j`` of each channel at the ``j % 3``-th of the 3
#: thresholds (every quantile used, each response once), against every threshold (the
#: statistics' recipe until then) and the default; ``ppv`` keeps every threshold. Run
#: with ``--ops-one --all-sets`` into its own section. Decision rule, fixed before any
#: result (:data:`OPS_ONE_RULE`). Outcome (37 sets): median 0.8246 (15/14/8, 1.49x),
#: cycled 0.8266 (17/13/7, 1.67x) against 0.8211: neither reaches +0.008, default kept.
OPS_ONE = {
    "default": {},
    "+ ops, every threshold": AtThresholds("every"),
    "+ ops, median threshold": AtThresholds("median"),
    "+ ops, cycled thresholds": AtThresholds("cycle"),
}
OPS_ONE_RULE = (
    "Pre-registered rule (fixed by the lead before any result): adopt as the "
    "classifier's default the cheaper of the two one-threshold variants that "
    "satisfies, on the 37 sets: mean accuracy >= default + 0.008, wins >= 2 x losses "
    "against the default, and total time <= 2.0x the default's in the same run. If both "
    'qualify, take the cheaper; if neither, do not change the default (the "every '
    'threshold" variant is not eligible).'
)
#: Fewer responses per length and branch (``n_filters`` bank filters plus ``n_mixtures``
#: mixtures; 16 + 32 by default) paying for MultiRocket's operators at every ``ppv``
#: threshold (issue 21, session 38): does one beat the default's accuracy at no more
#: time? Run with ``--frontier`` into its own section, by the rules of
#: :mod:`benchmarks._frontier` (pilot first, with ``--frontier --pilot``). Outcome (37
#: sets, after the pilot dropped the three variants with ``mpv``): 16 mixtures + lspv
#: 0.8214 (18/5/14, 1.34x), 8 filters, 16 mixtures + lspv 0.8202 (17/3/17, 0.97x)
#: against 0.8210: neither passes, default kept.
_LSPV = _DEFAULT_STATISTICS + ("lspv",)
_MPV_LSPV = _DEFAULT_STATISTICS + ("mpv", "lspv")
_ALL_OPS = _DEFAULT_STATISTICS + ("mpv", "mipv", "lspv")
_HALF = {"n_filters": 8, "n_mixtures": 16}
FRONTIER = {
    "default": {},
    "16 mixtures + lspv": {"n_mixtures": 16, "statistics": _LSPV},
    "16 mixtures + mpv, lspv": {"n_mixtures": 16, "statistics": _MPV_LSPV},
    "8 filters, 16 mixtures + lspv": {**_HALF, "statistics": _LSPV},
    "8 filters, 16 mixtures + mpv, lspv": {**_HALF, "statistics": _MPV_LSPV},
    "8 filters, 16 mixtures + mpv, mipv, lspv": {**_HALF, "statistics": _ALL_OPS},
}
#: The timing pilot's fit+predict seconds per variant on :data:`_frontier.PILOT_SETS`
#: (in that order), as ``--frontier --pilot`` printed them (commit ``fc6db0e``,
#: 2026-12-06 16:28-16:32 UTC, 1-min load average 0.5 at start, 2.0 at end; log
#: ``benchmarks/results/classifier_ablation_frontier_pilot_fc6db0e.log``).
FRONTIER_PILOT_SECONDS = {
    "default": (1.04, 3.73, 3.92, 17.33),
    "16 mixtures + lspv": (0.73, 3.59, 4.45, 20.38),
    "16 mixtures + mpv, lspv": (1.00, 4.56, 5.25, 28.43),
    "8 filters, 16 mixtures + lspv": (0.63, 3.02, 3.36, 16.21),
    "8 filters, 16 mixtures + mpv, lspv": (0.75, 3.77, 4.23, 23.10),
    "8 filters, 16 mixtures + mpv, mipv, lspv": (0.76, 3.98, 4.52, 27.89),
}


ALL_VARIANTS = {
    **VARIANTS,
    **COMBINED,
    **SPEED,
    **ALTERNATING,
    **ENSEMBLE,
    **SELECTION,
    **OPS,
    **OPS_ONE,
    **FRONTIER,
    **DILATION,
    **MIXED_BANKS,
    **MIXED_BANKS_LIBRARY,
    **RAW_DIFFERENCES,
    **RUNS,
    **FRONTIER_COMBINED,
    **SEED_VARIANTS,
    **CONFIRM_RAW_STD,
    **CONFIRM_OPS,
    **CONFIRM_KERNEL,
    **CONFIRM_COMBINATION,
    **CONFIRM_QUANTILES,
}
#: Option -> the variants it runs, into the section ``classifier_ablation_<option>``
#: (``--<option>`` with dashes; without one: :data:`VARIANTS`, ``classifier_ablation``).
GROUPS = {
    "speed": SPEED,
    "combined": COMBINED,
    "alternating": ALTERNATING,
    "ensemble": ENSEMBLE,
    "selection": SELECTION,
    "ops": OPS,
    "ops_pairs": OPS_PAIRS,
    "ops_segments": OPS_SEGMENTS,
    "ops_one": OPS_ONE,
    "frontier": FRONTIER,
    "dilation": DILATION,
    "mixed_banks": MIXED_BANKS,
    "mixed_banks_library": MIXED_BANKS_LIBRARY,
    "raw_differences": RAW_DIFFERENCES,  # its rule in benchmarks._raw_differences
    "runs": RUNS,  # its rule in benchmarks._runs
    "frontier_combined": FRONTIER_COMBINED,  # its rule in benchmarks._frontier_combined
    "seeds": SEED_VARIANTS,  # a measurement, benchmarks._seeds
    "confirm_raw_std": CONFIRM_RAW_STD,  # its rule in benchmarks._confirm_raw_std
    "confirm_ops": CONFIRM_OPS,  # its rule in benchmarks._confirm_ops
    "confirm_kernel": CONFIRM_KERNEL,  # its rule in benchmarks._confirm_kernel
    "confirm_combination": CONFIRM_COMBINATION,  # benchmarks._confirm_combination
    "confirm_quantiles": CONFIRM_QUANTILES,  # benchmarks._confirm_quantiles
}


def variant_factory(variant):
    """A callable returning a fresh estimator for the variant named ``variant``."""
    from sksssm import SpectralFilterClassifier

    change = ALL_VARIANTS[variant]
    if isinstance(change, PatchedRule):
        return partial(PatchedRule, change.patches)
    if change is MeanOfProbabilities:
        return MeanOfProbabilities
    if isinstance(change, AtThresholds):
        return partial(AtThresholds, change.where)
    if isinstance(change, DilatedBank):
        return partial(DilatedBank, change.dilation)
    if isinstance(change, MixedBanks):
        return partial(MixedBanks, change.dilated)
    # a change may name its own random_state (the seeds group)
    return partial(SpectralFilterClassifier, **{"random_state": SEED, **change})
