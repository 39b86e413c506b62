"""Streaming ridge statistics and GCV against direct dense computations."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from sksssm.spectral._ridge import GramAccumulator, RidgeSolution


def make_data(n=300, p=6, q=2, mean=0.0, seed=0):
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, p)) + mean
    W = rng.normal(size=(p, q))
    Y = F @ W + 0.1 * rng.normal(size=(n, q)) + 5.0
    return F, Y


@pytest.mark.parametrize("mean", [0.0, 400.0])
def test_chunked_statistics_equal_one_pass(mean):
    F, Y = make_data(mean=mean)
    one = GramAccumulator(6, 2).update(F, Y)
    chunked = GramAccumulator(6, 2)
    for start in range(0, len(F), 37):
        chunked.update(F[start : start + 37], Y[start : start + 37])
    Fc, Yc = F - F.mean(0), Y - Y.mean(0)
    for acc in (one, chunked):
        np.testing.assert_allclose(acc.ff_, Fc.T @ Fc, rtol=1e-10)
        np.testing.assert_allclose(acc.fy_, Fc.T @ Yc, rtol=1e-10)
        np.testing.assert_allclose(acc.yy_, Yc.T @ Yc, rtol=1e-10)
        np.testing.assert_allclose(acc.feature_mean_, F.mean(0), rtol=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [1e-6, 0.3, 50.0])
def test_coefficients_equal_sklearn_ridge(fit_intercept, alpha):
    F, Y = make_data(mean=3.0)
    acc = GramAccumulator(6, 2).update(F[:100], Y[:100]).update(F[100:], Y[100:])
    coef, intercept = RidgeSolution(acc, fit_intercept).coefficients(alpha)
    # The penalty acts on standardized features: column RMS after centring (if any).
    centred = F - F.mean(0) if fit_intercept else F
    scale = np.sqrt(np.mean(centred**2, axis=0))
    ref = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(F / scale, Y)
    np.testing.assert_allclose(coef, ref.coef_ / scale, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(intercept, ref.intercept_ if fit_intercept else 0, atol=1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gcv_equals_hat_matrix_formula(fit_intercept):
    F, Y = make_data(n=80, p=5, q=1, mean=2.0, seed=1)
    solution = RidgeSolution(GramAccumulator(5, 1).update(F, Y), fit_intercept)
    alphas = np.logspace(-3, 3, 7)
    n = len(F)
    Fc = F - F.mean(0) if fit_intercept else F
    Fc = Fc / np.sqrt(np.mean(Fc**2, axis=0))
    Yc = Y - Y.mean(0) if fit_intercept else Y
    expected = []
    for alpha in alphas:
        hat = Fc @ np.linalg.solve(Fc.T @ Fc + alpha * np.eye(5), Fc.T)
        rss = np.sum((Yc - hat @ Yc) ** 2)
        dof = np.trace(hat) + fit_intercept
        expected.append((rss / n) / (1 - dof / n) ** 2)
    np.testing.assert_allclose(solution.gcv_scores(alphas), expected, rtol=1e-8)


def test_gcv_prefers_small_penalty_without_noise_and_larger_with_noise():
    rng = np.random.default_rng(2)
    F = rng.normal(size=(60, 40))
    w = rng.normal(size=40) * 0.05
    clean = F @ w
    noisy = clean + 2.0 * rng.normal(size=60)
    alpha_clean, _ = RidgeSolution(GramAccumulator(40, 1).update(F, clean[:, None])).best_alpha()
    alpha_noisy, _ = RidgeSolution(GramAccumulator(40, 1).update(F, noisy[:, None])).best_alpha()
    assert alpha_clean < 1e-6 * alpha_noisy


def test_more_parameters_than_rows_shrinks_instead_of_failing():
    F, Y = make_data(n=3, p=6, q=1)
    solution = RidgeSolution(GramAccumulator(6, 1).update(F, Y))
    alpha, scores = solution.best_alpha()
    assert np.isfinite(alpha) and alpha > 0
    coef, _ = solution.coefficients(alpha)
    assert np.all(np.isfinite(coef))
