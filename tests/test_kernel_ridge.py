"""The Gaussian-kernel ridge head (``SpectralFilterClassifier(kernel=...)``).

The leave-one-out maths against refits without each series, the decisions against a
direct solve, far rows, the keep rule, and the classifier's option end to end.
"""

import re
import warnings

import numpy as np
import pytest

from sksssm import SpectralFilterClassifier
from sksssm.estimators import _large_sets
from sksssm.estimators._class_targets import loo_accuracy
from sksssm.estimators._large_sets import uses_streaming_head
from sksssm.estimators._pooled_selection import kernel_beats_linear
from sksssm.exceptions import SpectralFilterWarning
from sksssm.spectral import _kernel_ridge
from sksssm.spectral._kernel_ridge import (
    BANDWIDTHS,
    RbfRidge,
    fit_rbf_ridge,
    squared_distances,
)

ALPHAS = np.logspace(-4, 2, 7)


def _data(n=30, p=4, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, p))
    y = np.where((Z[:, :2] ** 2).sum(axis=1) > 1.4, 1.0, -1.0)
    targets = np.stack([y, -y + 0.3 * rng.normal(size=n)], axis=1)
    return Z, targets


def _centred_krr(K, Y, alpha):
    """Kernel ridge with an unpenalized intercept, solved directly: ``(dual, mean)``."""
    n = len(K)
    J = np.eye(n) - 1.0 / n
    mean = Y.mean(axis=0)
    return np.linalg.solve(J @ K @ J + alpha * np.eye(n), Y - mean), mean


def test_squared_distances_match_direct_differences():
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    direct = ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_allclose(squared_distances(A, B), direct, rtol=1e-12, atol=1e-12)


def test_leave_one_out_decisions_equal_refits_without_each_series():
    Z, targets = _data()
    fit = fit_rbf_ridge(Z, targets, ALPHAS)
    K = np.exp(-fit.gamma * squared_distances(Z, Z))
    for i in range(len(Z)):
        keep = np.arange(len(Z)) != i
        dual, mean = _centred_krr(K[np.ix_(keep, keep)], targets[keep], fit.alpha)
        row = K[i, keep] - K[np.ix_(keep, keep)].mean(axis=0)  # centred on the n - 1 kept
        np.testing.assert_allclose(fit.loo_decisions[i], row @ dual + mean, rtol=1e-7, atol=1e-9)


def test_score_is_the_best_of_the_grid_and_decisions_solve_the_system():
    Z, targets = _data(seed=2)
    fit = fit_rbf_ridge(Z, targets, ALPHAS)
    assert fit.score == pytest.approx(-np.mean((targets - fit.loo_decisions) ** 2))
    K = np.exp(-fit.gamma * squared_distances(Z, Z))
    dual, mean = _centred_krr(K, targets, fit.alpha)
    np.testing.assert_allclose(fit.dual, dual, rtol=1e-6, atol=1e-9)
    rng = np.random.default_rng(3)
    new = rng.normal(size=(6, Z.shape[1]))
    Kn = np.exp(-fit.gamma * squared_distances(new, Z))
    expected = (Kn - K.mean(axis=0)) @ dual + mean
    np.testing.assert_allclose(fit.decision_function(new), expected, rtol=1e-6, atol=1e-9)
    # every other bandwidth and penalty scores no better
    median = np.median(squared_distances(Z, Z)[np.triu_indices(len(Z), 1)])
    assert any(np.isclose(fit.gamma, c / median) for c in BANDWIDTHS)
    assert fit.alpha in ALPHAS


def test_far_and_non_finite_rows_get_finite_decisions():
    Z, targets = _data()
    fit = fit_rbf_ridge(Z, targets, ALPHAS)
    rows = np.vstack([Z[:1], np.full((1, Z.shape[1]), np.inf), np.full((1, Z.shape[1]), 1e200)])
    rows[1, 0] = np.nan
    out = fit.decision_function(rows)
    assert np.isfinite(out).all()
    # at infinite distance the kernel row is zero
    np.testing.assert_allclose(out[1], -fit.column_mean @ fit.dual + fit.intercept)
    np.testing.assert_allclose(out[2], out[1])


def test_keep_rule_needs_strictly_higher_leave_one_out_accuracy():
    encoded = np.array([0, 0, 1, 1])
    scored = np.ones(4, dtype=bool)
    linear = np.array([[-1.0], [-1.0], [1.0], [-1.0]])  # 3 of 4
    kernel = RbfRidge(None, 1.0, 1.0, None, None, None, np.array([[-1.0], [1.0], [1.0], [1.0]]), 0)
    assert loo_accuracy(linear, encoded, scored) == 0.75
    assert not kernel_beats_linear(kernel, linear, encoded, scored)  # tie: linear
    all_right = np.array([[-1.0], [-1.0], [1.0], [1.0]])
    better = RbfRidge(None, 1.0, 1.0, None, None, None, all_right, 0)
    assert kernel_beats_linear(better, linear, encoded, scored)
    assert not kernel_beats_linear(better, linear, encoded, np.zeros(4, dtype=bool))


def test_classifier_kernel_options():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 32))
    y = np.repeat([0, 1], 20)
    X[y == 1] += np.sin(np.arange(32) / 3.0)
    linear = SpectralFilterClassifier(random_state=0, kernel="linear").fit(X, y)
    assert all(head.kernel_ is None for head in linear.estimators_)
    rbf = SpectralFilterClassifier(random_state=0, kernel="rbf").fit(X, y)
    assert all(isinstance(head.kernel_, RbfRidge) for head in rbf.estimators_)
    # the linear ridge is still the chosen feature set's
    for a, b in zip(linear.estimators_, rbf.estimators_, strict=True):
        np.testing.assert_array_equal(a.coef_, b.coef_)
        assert b.temperature_ > 0 and b.loo_score_ == pytest.approx(b.kernel_.score)
    proba = rbf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert rbf.score(X, y) == 1.0
    auto = SpectralFilterClassifier(random_state=0, kernel="auto").fit(X, y)
    scored = np.ones(len(y), dtype=bool)
    for head, lin, ker in zip(auto.estimators_, linear.estimators_, rbf.estimators_, strict=True):
        # the kernel where its leave-one-out accuracy is strictly higher (ties: linear)
        wins = loo_accuracy(ker.loo_decisions_, y, scored) > loo_accuracy(
            lin.loo_decisions_, y, scored
        )
        assert (head.kernel_ is not None) == wins
        chosen = ker if wins else lin
        np.testing.assert_array_equal(head.loo_decisions_, chosen.loo_decisions_)


def test_kernel_decisions_equal_the_heads_features_through_the_kernel():
    """Predict's pooled path gives the kernel model's decisions on the head's features."""
    from sksssm.estimators._pooled import pooled_decision
    from sksssm.spectral._pooled_features import _pooled_features_of

    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 24))
    y = np.repeat([0, 1, 2], 10)
    X[y == 1] += np.cos(np.arange(24) / 2.0)
    clf = SpectralFilterClassifier(random_state=0, kernel="rbf", normalise=True).fit(X, y)
    X_btc, lengths = clf._prepared(X[:7] * 3.0)
    (F,), r = _pooled_features_of([clf.pooling_], X_btc, lengths, None)
    F = np.array(F, dtype=np.float64)
    F[:, clf.pooling_.homogeneous_columns()] *= r[:, None]
    Z = ((F - clf.feature_mean_) / clf.feature_scale_)[:, clf.feature_mask_]
    decision, r2 = pooled_decision(clf, X_btc, lengths)
    np.testing.assert_allclose(decision * r2[:, None], clf.kernel_.decision_function(Z), rtol=1e-9)


def _rbf_warns_and_auto_is_silent(X, y, reason, **params):
    """The classifier fitted with ``kernel="rbf"``, which must warn naming ``reason`` (it
    fell back silently); ``kernel="auto"``, whose choice the fallback is, must not warn."""
    match = re.escape(f'kernel="rbf" is not used: {reason}')
    with pytest.warns(SpectralFilterWarning, match=match):
        rbf = SpectralFilterClassifier(random_state=0, kernel="rbf", **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpectralFilterWarning)
        SpectralFilterClassifier(random_state=0, kernel="auto", **params).fit(X, y)
    return rbf


def test_no_kernel_above_the_size_rule(monkeypatch):
    monkeypatch.setattr(_large_sets, "SELECTION_SERIES", 30)
    monkeypatch.setattr(_large_sets, "SUBSAMPLE_SERIES", 20)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 16))
    y = np.repeat([0, 1], 20)
    X[y == 1] += 1.0
    clf = _rbf_warns_and_auto_is_silent(X, y, "40 training series exceed the size rule")
    assert [head.kernel_ for head in clf.estimators_] == [None]


def test_no_kernel_on_the_streaming_path():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20, 16))
    y = np.repeat([0, 1], 10)
    X[y == 1] += 1.0
    # 5 pooled features: 20 series outnumber them
    small = dict(n_filters=1, n_mixtures=0, statistics=("mean",), differences=False)
    assert uses_streaming_head(SpectralFilterClassifier(**small), X, y)
    clf = _rbf_warns_and_auto_is_silent(X, y, "with more training series", **small)
    assert [head.kernel_ for head in clf.estimators_] == [None]


def test_no_kernel_when_every_class_has_one_series():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(3, 16))
    clf = _rbf_warns_and_auto_is_silent(X, [0, 1, 2], "every class has one training series")
    assert all(head.kernel_ is None for head in clf.estimators_)
    assert clf.predict(X).tolist() == [0, 1, 2]


def test_the_default_is_auto_and_large_designs_stay_linear(monkeypatch):
    assert SpectralFilterClassifier().kernel == "auto"
    rng = np.random.default_rng(7)
    X = rng.normal(size=(30, 16))
    y = np.repeat([0, 1, 2], 10)
    X[y == 1] += 1.0
    monkeypatch.setattr(_kernel_ridge, "MAX_TRAIN_BYTES", 8 * 30)  # one column's worth
    clf = _rbf_warns_and_auto_is_silent(X, y, "a head's training design")
    assert all(head.kernel_ is None for head in clf.estimators_)
