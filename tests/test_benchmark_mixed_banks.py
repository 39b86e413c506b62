"""The mixed-banks ablation's wrapper (``benchmarks._bank_variants``) and
the library's combination of fitted heads that it calls."""

import numpy as np
import pytest

from benchmarks._bank_variants import MixedBanks
from sksssm import SpectralFilterClassifier
from sksssm.estimators._head_combination import combine_heads


def _series(n=30, length=48, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(["slow", "fast"], n // 2)
    freq = np.where(y == "slow", 0.05, 0.12)[:, None]
    t = np.arange(length)
    X = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, (n, 1)))
    return X + rng.normal(0, 0.8, (n, length)), y


def test_smooth_heads_fitted_apart_predict_as_the_default():
    X, y = _series()
    X_test, _ = _series(seed=1)
    default = SpectralFilterClassifier(random_state=0).fit(X, y)
    apart = MixedBanks().fit(X, y)
    np.testing.assert_array_equal(apart.predict(X_test), default.predict(X_test))
    np.testing.assert_array_equal(
        apart.model_.decision_function(X_test), default.decision_function(X_test)
    )


def test_combined_scores_are_the_mean_of_the_heads_tempered_scores():
    X, y = _series()
    X_test, _ = _series(seed=2)
    mixed = MixedBanks(("standardized",)).fit(X, y)
    raw, standardized = mixed.model_.estimators_
    # the dilated head's bank differs from the smooth one's (8 filters per group)
    assert raw.pooling_.bank.shape[1] != standardized.pooling_.bank.shape[1]

    def tempered(head):  # two classes: scores [-d, d] times the temperature
        d = head.decision_function(X_test)
        return head.temperature_ * np.column_stack([-d, d])

    mean = (tempered(raw) + tempered(standardized)) / 2
    expected = mixed.model_.classes_[mean.argmax(axis=1)]
    np.testing.assert_array_equal(mixed.predict(X_test), expected)
    np.testing.assert_allclose(
        mixed.model_.decision_function(X_test), mean[:, 1] - mean[:, 0], rtol=1e-6, atol=1e-9
    )


def test_heads_of_other_series_are_refused():
    X, y = _series()
    a = SpectralFilterClassifier(normalise=False, random_state=0).fit(X, y)
    b = SpectralFilterClassifier(normalise=True, random_state=0).fit(X * 3 + 1, y)
    with pytest.raises(ValueError, match="same series"):
        combine_heads([a, b])
