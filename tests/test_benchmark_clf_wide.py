"""benchmarks/clf_wide.py: its synthetic wide data and its table."""

import numpy as np

from benchmarks import clf_wide


def test_wide_data_puts_each_class_bump_in_its_channel():
    shape = ("t", 10, 40, 24, 16)
    X_train, y_train, X_test, y_test = clf_wide.wide_data(shape)
    assert X_train.shape == (24, 10, 40) and X_test.shape == (16, 10, 40)
    assert set(y_train) | set(y_test) <= {0, 1, 2, 3}
    noise = clf_wide.wide_data(shape)  # the same draw: deterministic
    np.testing.assert_array_equal(noise[0], X_train)
    for X, y in ((X_train, y_train), (X_test, y_test)):
        for i, label in enumerate(y):
            start = (label + 1) * 40 // 5
            # the bump of height 2 on a random walk of 0.1 steps: the jump into it
            jump = X[i, (7 * label) % 10, start] - X[i, (7 * label) % 10, start - 1]
            assert jump > 1.5


def test_table_reports_errors_and_results():
    shape = ("s", 3, 20, 10, 5)
    results = [(shape, {
        "SpectralFilterClassifier()": dict(
            accuracy=0.9, seconds=1.25, peak_mib=300.0, features=12345, filters=["mixtures"]
        ),
        "MiniRocket": dict(error="over 900 s"),
    })]  # fmt: skip
    text = clf_wide.table(results)
    assert "| s | 10/5, 3 x 20 | SpectralFilterClassifier() | 0.900 | 1.2 | 300 | 12,345 |" in text
    assert "mixtures" in text
    assert "| MiniRocket | over 900 s | - | - | - | - |" in text  # the error once
