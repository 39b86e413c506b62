"""The closed-form SpectralFilterClassifier and the pooled spectral features."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import RidgeClassifier

from sksssm.estimators.spectral_classifier import SpectralFilterClassifier
from sksssm.spectral import (
    filter_bank,
    fit_pooling,
    n_pooled_features,
    pooled_features,
    sequence_lengths,
    stu_filters,
)


def _effective_bank(state):
    """Bank columns, then each group's filters combined by its mixing weights."""
    mixed = [
        state.bank[:, g] @ w for g, w in zip(state.bank_groups[1:], state.mixing, strict=True)
    ]
    return np.concatenate([state.bank, *mixed], axis=1)


def _direct_pooled(x, bank, groups, biases, statistics):
    """Pooled features of ONE series (t, c) by explicit loops over time (no FFT)."""
    t, c = x.shape
    responses = np.zeros((t, c, bank.shape[1]))
    for step in range(t):
        for s in range(min(step + 1, bank.shape[0])):
            responses[step] += x[step - s][:, None] * bank[s][None, :]
    blocks = []
    for stat in statistics:
        if stat == "mean":
            blocks.append(responses.mean(axis=0))
        elif stat == "std":
            blocks.append(responses.std(axis=0))
        elif stat == "max":
            blocks.append(responses.max(axis=0))
        elif stat == "min":
            blocks.append(responses.min(axis=0))
        elif stat == "ppv":
            blocks += [(responses > b).mean(axis=0) for b in biases]
        elif stat == "last":
            blocks.append(responses[-1])
        elif stat == "peak":
            peak = np.zeros((c, bank.shape[1]))
            for ch in range(c):
                for g in groups:
                    when = np.argmax((responses[:, ch][:, g] ** 2).sum(axis=1))
                    peak[ch, g] = responses[when, ch, g]
            blocks.append(peak)
    return np.concatenate([b.ravel() for b in blocks])


def test_pooled_features_match_a_direct_loop():
    rng = np.random.default_rng(0)
    # thresholds fitted on other series: a response never ties a threshold exactly
    state = fit_pooling(
        rng.normal(size=(5, 21, 2)), n_filters=3, filter_lengths=(4, 21), n_mixtures=2
    )
    bank = _effective_bank(state)  # mixtures = convolutions with combined filters
    assert bank.shape[1] == state.n_responses == 13 + 4 * 2
    X = rng.normal(size=(3, 21, 2))
    F = pooled_features(X, state)
    for i in range(3):
        diffs = np.zeros_like(X[i])
        diffs[1:] = X[i, 1:] - X[i, :-1]
        expected = np.concatenate(
            [
                _direct_pooled(X[i], bank, state.groups, state.biases[0], state.statistics),
                _direct_pooled(diffs, bank, state.groups, state.biases[1], state.statistics),
            ]
        )
        # FFT convolution vs direct sums of ~20 terms of size ~1: round-off ~1e-15;
        # ppv/peak are exact unless a response sits within round-off of a threshold.
        np.testing.assert_allclose(F[i], expected, rtol=1e-10, atol=1e-12)


def test_filter_bank_uses_the_stu_filters():
    bank, groups = filter_bank((8, 20), 4)
    np.testing.assert_array_equal(bank[:, 0], np.eye(20)[0])  # identity column
    np.testing.assert_allclose(bank[:8, groups[1]], stu_filters(8, 4))
    assert np.all(bank[8:, groups[1]] == 0)
    alternating = np.where(np.arange(20) % 2 == 0, 1.0, -1.0)
    np.testing.assert_allclose(bank[:, groups[4]], stu_filters(20, 4) * alternating[:, None])


def test_ppv_biases_are_training_quantiles():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 30, 1))
    state = fit_pooling(X, n_filters=2, filter_lengths=(30,), differences=False)
    # identity column: the responses are the values themselves
    # quantiles + the documented round-off margin 1e-9 * max|response|
    expected = np.quantile(X[:, :, 0].ravel(), [0.1, 0.5, 0.9]) + 1e-9 * np.abs(X).max()
    np.testing.assert_allclose(state.biases[0, :, 0, 0], expected, rtol=1e-14)


def test_unequal_lengths_equal_truncated_series():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 30, 2))
    state = fit_pooling(X, n_filters=4)
    padded = X.copy()
    padded[1, 17:] = np.nan
    padded[3, 9:] = np.nan
    assert sequence_lengths(padded).tolist() == [30, 17, 30, 9]
    F = pooled_features(padded, state)
    for i, length in [(1, 17), (3, 9)]:
        # only the arithmetic differs (other FFT length): round-off ~1e-15
        np.testing.assert_allclose(
            F[i], pooled_features(X[i : i + 1, :length], state)[0], rtol=1e-9, atol=1e-12
        )
    # explicit lengths give the same as NaN padding
    np.testing.assert_allclose(pooled_features(X, state, lengths=[30, 17, 30, 9]), F)


def test_features_do_not_depend_on_chunking():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(11, 25, 1))
    state = fit_pooling(X)
    one = pooled_features(X, state, chunk_size=100)
    # identical arithmetic per series: equal up to FFT batch round-off
    np.testing.assert_allclose(
        pooled_features(X, state, chunk_size=3), one, rtol=1e-12, atol=1e-13
    )
    assert one.shape == (11, n_pooled_features(1, state.n_responses))


def test_classifier_ridge_matches_sklearn_at_the_chosen_alpha():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 2, 32))
    y = np.where(X[:, 0, :10].sum(axis=1) > 0, "a", "b")
    y[:8] = "c"
    clf = SpectralFilterClassifier(n_filters=4).fit(X, y)
    F = pooled_features(np.swapaxes(X, 1, 2), clf.pooling_)
    F = (F - F.mean(axis=0)) / np.where(F.std(axis=0) > 0, F.std(axis=0), 1.0)
    reference = RidgeClassifier(alpha=clf.alpha_).fit(F, y)
    # two ridge solvers (eigen/SVD vs sklearn's default) on standardized features
    np.testing.assert_allclose(
        clf.decision_function(X), reference.decision_function(F), rtol=1e-6, atol=1e-8
    )
    assert clf.alpha_ in clf.ridge_.alphas


def test_classifier_learns_frequency_with_string_labels_and_probabilities():
    rng = np.random.default_rng(5)
    t = np.arange(80)
    y = np.repeat(["low", "high"], 30)
    freq = np.where(y == "low", 0.04, 0.12)[:, None]
    X = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, (60, 1))) + rng.normal(0, 0.5, (60, 80))
    Xte = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, (60, 1))) + rng.normal(0, 0.5, (60, 80))
    clf = SpectralFilterClassifier().fit(X, y)
    assert clf.score(Xte, y) >= 0.95  # a clean 2-frequency task; 1.0 measured
    proba = clf.predict_proba(Xte)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(Xte))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(Xte)), proba, rtol=1e-10)
    assert clf.temperature_ > 0


def test_unequal_length_classifier_equals_per_series_features():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 2, 40))
    y = np.arange(30) % 3
    lengths = rng.integers(10, 41, size=30)
    for i, length in enumerate(lengths):
        X[i, :, length:] = np.nan
    clf = SpectralFilterClassifier(n_filters=4).fit(X, y)
    decision = clf.decision_function(X)
    for i in (0, 7):
        single = clf.decision_function(X[i : i + 1, :, : lengths[i]])
        np.testing.assert_allclose(single[0], decision[i], rtol=1e-8, atol=1e-10)


def test_predict_uses_fit_configuration_and_failed_fit_keeps_state():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(20, 1, 24))
    y = np.arange(20) % 2
    clf = SpectralFilterClassifier(n_filters=3).fit(X, y)
    before = clf.decision_function(X)
    clf.set_params(n_filters=7, statistics=("mean",))
    np.testing.assert_array_equal(clf.decision_function(X), before)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, np.zeros(20))
    np.testing.assert_array_equal(clf.decision_function(X), before)
    assert (
        clf.pooling_.bank.shape == clone(clf).set_params(n_filters=3).fit(X, y).pooling_.bank.shape
    )


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({}, np.ones((4, 1, 1)), "at least 2 time steps"),
        ({"statistics": ("mean", "median")}, None, "statistics must be"),
        ({"quantiles": (0.5, 2.0)}, None, "quantiles must be"),
        ({"filter_lengths": (1,)}, None, "filter_lengths must be"),
        ({"alphas": [-1.0]}, None, "alphas must be"),
        ({"n_mixtures": -1}, None, "n_mixtures"),
    ],
)
def test_bad_input_raises_clear_errors(params, X, match):
    rng = np.random.default_rng(8)
    if X is None:
        X = rng.normal(size=(10, 1, 16))
    y = np.arange(len(X)) % 2
    with pytest.raises(ValueError, match=match):
        SpectralFilterClassifier(**params).fit(X, y)


def test_nan_inside_a_series_is_rejected():
    X = np.random.default_rng(9).normal(size=(6, 2, 16))
    y = np.arange(6) % 2
    X[0, 0, 5] = np.nan
    with pytest.raises(ValueError, match="NaN inside a series"):
        SpectralFilterClassifier().fit(X, y)
    X[0, 0, 5] = 1.0
    X[1, 0, 10:] = np.nan  # only one channel padded
    with pytest.raises(ValueError, match="NaN-padding at the end"):
        SpectralFilterClassifier().fit(X, y)
    X[1, 0, 10:] = 0.0
    X[2, 1, 3] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        SpectralFilterClassifier().fit(X, y)


def test_channel_mismatch_at_predict():
    X = np.random.default_rng(10).normal(size=(8, 2, 16))
    clf = SpectralFilterClassifier(n_filters=2).fit(X, np.arange(8) % 2)
    with pytest.raises(ValueError, match="2 features|channels"):
        clf.predict(X[:, :1])
