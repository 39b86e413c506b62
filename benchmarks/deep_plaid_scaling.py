"""Why the deep classifiers fail on PLAID: the input scaling (issue 23, diagnosis).

The deep estimators standardize their input with one mean and scale per channel over all
valid steps of the training set. PLAID's series (electrical current) differ in amplitude
by six orders of magnitude (per-series standard deviation 3e-5 to 96), so the global
scale is set by a few high-current classes and most series reach the network as nearly
constant lines. This script measures, for ``HOPEClassifier`` (defaults, seed 0):

* the per-series standard deviation *after* the global scaling (share of training
  series below 0.01 and 0.1, median per class);
* test accuracy with the default ``input_scaling="channel"`` (global scaling only)
  against ``input_scaling="series"`` (each series and channel standardized over its own
  valid steps), on PLAID and on JapaneseVowels, whose channel amplitudes carry class
  information.

Protocol: :mod:`benchmarks.protocol` (official split, one thread, fit+predict seconds).

Usage::

    python -m benchmarks.deep_plaid_scaling
"""

from __future__ import annotations

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.classification import load
from benchmarks.deep_corpus import SEED, run_model

SETS = ("PLAID", "JapaneseVowels")


def scaled_spread(X, y):
    """Per-series std after the estimators' global scaling: shares and median per class."""
    from sksssm._validation import standardization

    values = np.moveaxis(X, 1, 2)
    mean, scale = standardization(values[~np.isnan(values).any(axis=2)], axis=0)
    spread = np.nanstd((values - mean) / scale, axis=1).max(axis=1)  # largest channel
    per_class = {c: float(np.median(spread[y == c])) for c in np.unique(y)}
    return float(np.mean(spread < 0.01)), float(np.mean(spread < 0.1)), per_class


def main(argv=None):
    import sksssm

    factory = lambda: sksssm.HOPEClassifier(random_state=SEED)  # noqa: E731
    series = lambda: sksssm.HOPEClassifier(input_scaling="series", random_state=SEED)  # noqa: E731
    rows, spread_rows = [], []
    with protocol.one_thread():
        for name in SETS:
            X_train, y_train, X_test, y_test = load(name)
            below_001, below_01, per_class = scaled_spread(X_train, y_train)
            spread_rows.append(
                [
                    name,
                    f"{below_001:.2f}",
                    f"{below_01:.2f}",
                    ", ".join(f"{c}: {v:.1g}" for c, v in per_class.items()),
                ]
            )
            data = (X_train, y_train, X_test, y_test)
            given = run_model(factory, data)
            per_series = run_model(series, data)
            rows.append([name, *(f"{acc:.3f} ({sec:.1f} s)" for acc, sec in (given, per_series))])
            print(name, given, per_series, flush=True)
    body = "\n\n".join(
        [
            "`HOPEClassifier` (defaults, seed 0). Per-series standard deviation (largest "
            "channel) after the estimators' global scaling, on the training series:",
            markdown_table(
                ["data set", "share < 0.01", "share < 0.1", "median per class"], spread_rows
            ),
            "Test accuracy (fit+predict seconds), the default scaling (one mean and scale "
            'per channel) vs `input_scaling="series"` (each series and channel to mean 0, '
            "standard deviation 1 over its valid steps, at fit and predict):",
            markdown_table(
                ["data set", '`input_scaling="channel"` (default)', '`input_scaling="series"`'],
                rows,
            ),
        ]
    )
    write_section(
        "deep_plaid_scaling",
        body,
        command="python -m benchmarks.deep_plaid_scaling",
        title="Deep classifiers on PLAID: the input scaling",
    )
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
