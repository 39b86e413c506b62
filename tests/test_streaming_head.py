"""The streaming ridge head of the pooled classifier (large sets, Dask input)."""

import numpy as np
import pytest
from _synthetic import noisy_waves
from sklearn.linear_model import Ridge

from sksssm import SpectralFilterClassifier
from sksssm._validation import is_constant, scale_unless_constant
from sksssm.estimators._large_sets import uses_streaming_head
from sksssm.spectral._pooling import fit_pooling, pooled_features, sequence_lengths
from sksssm.spectral._streaming_head import accumulate_pooled, loo_decisions, solve_by_gcv

#: A small configuration: 6 statistics' worth of columns, so that a few hundred series
#: outnumber the features and the classifier takes the streaming path.
SMALL = dict(
    n_filters=2, n_mixtures=0, statistics=("mean", "max", "ppv"), normalise="loo", random_state=0
)


@pytest.fixture(scope="module")
def pooled():
    X, y = noisy_waves(80)
    X_btc = X[:, :, None]
    lengths = sequence_lengths(X_btc)
    pooling = fit_pooling(X_btc, lengths, n_filters=2, n_mixtures=0, statistics=("mean", "ppv"))
    targets = np.where(y[:, None] == np.arange(3), 1.0, -1.0)
    return X_btc, lengths, pooling, targets


def test_streamed_ridge_equals_in_memory_ridge(pooled):
    X_btc, lengths, pooling, targets = pooled
    alpha = 3.0
    accumulator = accumulate_pooled(X_btc, lengths, pooling, targets, chunk_rows=7)
    fit = solve_by_gcv(accumulator, [alpha])
    F = pooled_features(X_btc, pooling, lengths)
    spread = F.std(axis=0)
    assert is_constant(spread, spread.max()).any()  # e.g. the first difference's first step
    Z = (F - F.mean(axis=0)) / scale_unless_constant(spread, spread.max())
    reference = Ridge(alpha=alpha).fit(Z, targets)
    scale = np.abs(reference.coef_).max()
    np.testing.assert_allclose(fit.coef.T, reference.coef_, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(fit.intercept, reference.intercept_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fit.feature_mean, F.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(fit.feature_scale, scale_unless_constant(spread, spread.max()))


def test_gcv_picks_the_smallest_gcv_score(pooled):
    X_btc, lengths, pooling, targets = pooled
    accumulator = accumulate_pooled(X_btc, lengths, pooling, targets, chunk_rows=13)
    alphas = np.logspace(-3, 5, 9)
    fit = solve_by_gcv(accumulator, alphas)
    # GCV computed directly: (RSS / n) / (1 - dof / n)^2 on the standardized design
    F = pooled_features(X_btc, pooling, lengths)
    spread = F.std(axis=0)
    Z = (F - F.mean(axis=0)) / scale_unless_constant(spread, spread.max())
    n = len(Z)
    scores = []
    for alpha in alphas:
        hat = Z @ np.linalg.solve(Z.T @ Z + alpha * np.eye(Z.shape[1]), Z.T) + 1.0 / n
        residual = targets - hat @ targets
        scores.append(np.sum(residual**2) / n / (1 - np.trace(hat) / n) ** 2)
    assert fit.alpha == alphas[int(np.argmin(scores))]
    np.testing.assert_allclose(fit.gcv_score, min(scores), rtol=1e-8)


def test_loo_decisions_equal_refits_without_each_series(pooled):
    X_btc, lengths, pooling, targets = pooled
    accumulator = accumulate_pooled(X_btc, lengths, pooling, targets, chunk_rows=11)
    fit = solve_by_gcv(accumulator, [10.0])
    loo = loo_decisions(X_btc, lengths, pooling, fit, targets, chunk_rows=9)
    F = pooled_features(X_btc, pooling, lengths)
    Z = (F - fit.feature_mean) / fit.feature_scale  # the standardization is fixed
    for i in (0, 17, 79):
        keep = np.arange(len(Z)) != i
        refit = Ridge(alpha=10.0).fit(Z[keep], targets[keep])
        np.testing.assert_allclose(loo[i], refit.predict(Z[i : i + 1])[0], atol=1e-9)


def test_classifier_streams_when_series_outnumber_features():
    X, y = noisy_waves(400)
    clf = SpectralFilterClassifier(**SMALL)
    assert uses_streaming_head(clf, X, y)
    assert not uses_streaming_head(SpectralFilterClassifier(), X, y)
    clf.fit(X[:300], y[:300])
    assert clf.pooling_.n_features < 300
    assert clf.feature_set_ == "all" and clf.feature_mask_.all()
    # predict is the classifier's own: the fitted head on its standardized features
    X_btc = (X[300:, :, None] - clf.x_location_) / clf.x_scale_
    F = (pooled_features(X_btc, clf.pooling_) - clf.feature_mean_) / clf.feature_scale_
    np.testing.assert_allclose(clf.decision_function(X[300:]), F @ clf.coef_ + clf.intercept_)
    assert np.mean(clf.predict(X[300:]) == y[300:]) > 0.8
    assert 0 < clf.temperature_ and clf.loo_score_ < 0


def test_streaming_fit_with_dask_equals_numpy():
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(300, seed=1)
    in_memory = SpectralFilterClassifier(**SMALL).fit(X[:200], y[:200])
    on_dask = SpectralFilterClassifier(**SMALL).fit(da.from_array(X[:200], chunks=70), y[:200])
    np.testing.assert_allclose(
        on_dask.decision_function(X[200:]), in_memory.decision_function(X[200:]), atol=1e-9
    )
    assert on_dask.alpha_ == in_memory.alpha_
    assert on_dask.normalise_ == in_memory.normalise_
    np.testing.assert_allclose(on_dask.temperature_, in_memory.temperature_, rtol=1e-6)
    np.testing.assert_allclose(on_dask.x_scale_, in_memory.x_scale_)


def test_streaming_both_keeps_the_one_head_chosen_by_gcv():
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(400, seed=3)
    options = {**SMALL, "normalise": "both"}
    clf = SpectralFilterClassifier(**options).fit(X[:300], y[:300])
    assert uses_streaming_head(clf, X[:300], y[:300])
    # many series: one head, the streaming fit of normalise="loo" (the same seed)
    (head,) = clf.estimators_
    alone = SpectralFilterClassifier(**SMALL).fit(X[:300], y[:300])  # normalise="loo"
    assert head.normalise_ == alone.normalise_ and head.feature_set_ == "all"
    np.testing.assert_array_equal(head.coef_, alone.coef_)
    assert head.temperature_ == alone.temperature_
    np.testing.assert_allclose(
        clf.predict_proba(X[300:]), alone.predict_proba(X[300:]), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_array_equal(clf.predict(X[300:]), alone.predict(X[300:]))
    on_dask = SpectralFilterClassifier(**options).fit(da.from_array(X[:300], chunks=70), y[:300])
    np.testing.assert_allclose(
        on_dask.predict_proba(X[300:]), clf.predict_proba(X[300:]), rtol=1e-6, atol=1e-9
    )


def test_streaming_fit_with_3d_dask_equals_numpy():
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(400, seed=2)
    X3 = np.stack([X, np.roll(X, 3, axis=1) * 2.0 + 1.0], axis=1)  # two channels
    assert uses_streaming_head(SpectralFilterClassifier(**SMALL), X3, y)
    in_memory = SpectralFilterClassifier(**SMALL).fit(X3, y)
    on_dask = SpectralFilterClassifier(**SMALL).fit(da.from_array(X3, chunks=(90, 1, 8)), y)
    np.testing.assert_allclose(
        on_dask.decision_function(X3), in_memory.decision_function(X3), atol=1e-9
    )
