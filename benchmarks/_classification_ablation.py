"""The ablation tables of :mod:`benchmarks.classification`: ``SpectralFilterClassifier``
with one option changed at a time (:func:`ablation_rows`), and the feature sets that
leave-one-out chooses with and without the ``ppv_only`` candidates
(:func:`feature_set_rows`), on the benchmark's development sets.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks._classification_data import LONG_MEMORY, data_label, load
from benchmarks._classification_models import SEED
from sksssm.spectral._segment_stats import SEGMENT_STATISTICS, STATISTICS

ABLATION_SETS = ("GunPoint", "ItalyPowerDemand", "BasicMotions", "JapaneseVowels")
ABLATION_SETS += ("SynthMotif", "SynthAR", "SynthLeadLag")
ABLATIONS = {
    "default": {},
    "normalise=True (no leave-one-out choice)": {"normalise": True},
    "normalise=False (raw series only)": {"normalise": False},
    "block_selection='off' (every feature)": {"block_selection": "off"},
    "cross_channel=False (per-channel features only)": {"cross_channel": False},
    "both choices off (normalise=True, every feature)": {
        "normalise": True,
        "block_selection": "off",
    },
    "without segment statistics": {
        "statistics": tuple(s for s in STATISTICS if s not in SEGMENT_STATISTICS)
    },
    "no random mixtures (n_mixtures=0)": {"n_mixtures": 0},
    "without peak": {"statistics": tuple(s for s in STATISTICS if s != "peak")},
    "without max, min": {"statistics": tuple(s for s in STATISTICS if s not in ("max", "min"))},
    "ppv at 10/50/90% only (3 thresholds)": {"quantiles": (0.1, 0.5, 0.9)},
    "no first differences": {"differences": False},
    "no alternating-sign branch": {"use_negative": False},
    "full-length filters only": {"filter_lengths": "full"},
}


def ablation_rows(names):
    """Accuracy of SpectralFilterClassifier variants (one option changed at a time)."""
    from sksssm import SpectralFilterClassifier

    names = [n for n in ABLATION_SETS if n in names]
    data = {name: load(name) for name in names}
    rows = []
    for label, params in ABLATIONS.items():
        accuracies, seconds = [], 0.0
        for name in names:
            X_train, y_train, X_test, y_test = data[name]
            options = dict(params)
            if options.get("filter_lengths") == "full":
                options["filter_lengths"] = (X_train.shape[2],)
            start = time.perf_counter()
            model = SpectralFilterClassifier(**{"random_state": SEED, **options})
            model.fit(X_train, y_train)
            accuracies.append(float(np.mean(model.predict(X_test) == y_test)))
            seconds += time.perf_counter() - start
        rows.append(
            [label]
            + [f"{a:.3f}" for a in accuracies]
            + [f"{np.mean(accuracies):.3f}", f"{seconds:.1f}"]
        )
        print(rows[-1], flush=True)
    return rows, names


def chosen_model(model):
    """The leave-one-out choice of a fitted SpectralFilterClassifier (of each of its heads
    with ``normalise="both"``), in words."""
    return " / ".join(
        f"{'standardized' if head.normalise_ else 'raw'}, {head.feature_set_}, "
        f"alpha {head.alpha_:.3g}"
        for head in getattr(model, "estimators_", [model])
    )


def feature_set_rows(names):
    """Default vs the default without the ``ppv_only`` candidate sets, per dataset.

    The candidates come from the module constant ``FEATURE_SETS``; the variant patches it
    to the four sets it had before the ``ppv_only`` ones were added (one fit each).
    """
    from unittest import mock

    from sksssm import SpectralFilterClassifier
    from sksssm.estimators import _pooled_selection as spectral_classifier

    without_ppv_only = tuple(
        entry for entry in spectral_classifier.FEATURE_SETS if not entry[0].startswith("ppv_only")
    )
    rows = []
    for name in [n for n in names if n not in LONG_MEMORY]:
        X_train, y_train, X_test, y_test = load(name)
        row = [name, data_label(name)]
        for candidates in (spectral_classifier.FEATURE_SETS, without_ppv_only):
            with mock.patch.object(spectral_classifier, "FEATURE_SETS", candidates):
                model = SpectralFilterClassifier(random_state=SEED).fit(X_train, y_train)
                accuracy = float(np.mean(model.predict(X_test) == y_test))
            row += [f"{accuracy:.3f}", chosen_model(model)]
        rows.append(row)
        print(rows[-1], flush=True)
    return rows
