"""Exact leave-one-out ridge at one penalty by Cholesky factorization
(``sksssm.spectral._ridge_loo.gram_loo_at`` and ``design_loo_at``): against explicit
refits without each series, against the eigendecomposition's path, and inside
``select_ridge_by_loo`` (one penalty: the Cholesky solve; several: the path)."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from sksssm.spectral._ridge_loo import (
    centred_eigh,
    design_loo_at,
    gram_loo_at,
    ridge_loo_path,
    select_ridge_by_loo,
    tall_basis,
)


def _problem(n, p, seed):
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, p))
    F[:, :3] *= 50.0  # a few dominant columns: a spread-out spectrum
    F -= F.mean(axis=0)
    targets = np.where(np.arange(n)[:, None] % 3 == np.arange(3), 1.0, -1.0)
    return F, targets


def _refits_without_each_series(X, targets, alpha):
    """Decision of each series by sklearn's Ridge refitted without it."""
    expected = np.empty_like(targets)
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        expected[i] = Ridge(alpha=alpha).fit(X[keep], targets[keep]).predict(X[i : i + 1])
    return expected


@pytest.mark.parametrize("alpha", [0.05, 30.0])
def test_gram_loo_at_equals_refits_without_each_series(alpha):
    F, targets = _problem(20, 45, seed=0)
    fit = gram_loo_at(F @ F.T, targets, alpha)
    expected = _refits_without_each_series(F, targets, alpha)
    np.testing.assert_allclose(fit.loo_decisions, expected, atol=1e-9)
    assert fit.score == pytest.approx(-np.mean((targets - expected) ** 2), rel=1e-9)
    reference = Ridge(alpha=alpha).fit(F, targets).coef_.T
    np.testing.assert_allclose(
        fit.coefficients(F), reference, atol=1e-10 * np.abs(reference).max()
    )


@pytest.mark.parametrize("alpha", [0.05, 30.0])
def test_design_loo_at_equals_refits_without_each_series(alpha):
    F, targets = _problem(50, 30, seed=1)
    columns = np.array([0, 2, 5, 7, 11, 20, 21, 29, 13, 4])  # any order
    weights = np.r_[np.ones(7), np.full(3, 0.4)]  # the last three: a weighted block
    X = F[:, columns] * weights
    fit = design_loo_at(F, columns, weights, targets, alpha)
    expected = _refits_without_each_series(X, targets, alpha)
    np.testing.assert_allclose(fit.loo_decisions, expected, atol=1e-10)
    assert fit.score == pytest.approx(-np.mean((targets - expected) ** 2), rel=1e-10)
    # F^T dual on the design's columns: the design's coefficients over their weights
    reference = Ridge(alpha=alpha).fit(X, targets).coef_.T
    coefficients = fit.coefficients(F)
    np.testing.assert_allclose(coefficients[columns] * weights[:, None], reference, rtol=1e-9)
    assert not coefficients[np.setdiff1d(np.arange(30), columns)].any()
    np.testing.assert_allclose(X.T @ fit.dual, reference, rtol=1e-7)


@pytest.mark.parametrize("alpha", [1e-10, 1e-3, 1.0, 1e4])
def test_one_penalty_equals_the_eigendecomposition_path(alpha):
    """Both shapes, penalties far below and above the spectrum (s from about 10 to 1e5)."""
    wide, targets = _problem(40, 120, seed=2)
    s, U = centred_eigh(wide @ wide.T)
    (path,) = ridge_loo_path(U, s, targets, [alpha])
    fit = gram_loo_at(wide @ wide.T, targets, alpha)
    np.testing.assert_allclose(fit.loo_decisions, path.loo_decisions, rtol=1e-9, atol=1e-10)
    assert fit.score == pytest.approx(path.score, rel=1e-9)
    scale = np.abs(path.coefficients(wide)).max()
    np.testing.assert_allclose(fit.coefficients(wide), path.coefficients(wide), atol=1e-9 * scale)

    tall, targets = _problem(150, 40, seed=3)
    (path,) = ridge_loo_path(*tall_basis(tall), targets, [alpha])
    fit = design_loo_at(tall, np.arange(40), np.ones(40), targets, alpha)
    np.testing.assert_allclose(fit.loo_decisions, path.loo_decisions, rtol=1e-9, atol=1e-10)
    assert fit.score == pytest.approx(path.score, rel=1e-9)
    scale = np.abs(path.coefficients(tall)).max()
    # the coefficients solved as they are, not as F^T dual (which cancels at small alpha)
    np.testing.assert_allclose(fit.coefficients(tall), path.coefficients(tall), atol=1e-9 * scale)


@pytest.mark.parametrize("shape", [(30, 90), (120, 60)])
def test_selection_with_one_penalty_equals_the_path(shape):
    """select_ridge_by_loo with one penalty (Cholesky) against the same penalty given
    twice (so that the eigendecomposition's path runs; ties go to the first): the same
    model, including a weighted cross-channel block."""
    F, targets = _problem(*shape, seed=4)
    p = F.shape[1]
    cross = np.zeros(p, dtype=bool)
    cross[-10:] = True
    F[:, -10:] *= 0.1  # a block of smaller norm: its weight is not 1
    half = (np.arange(p) < p // 2) | cross
    kwargs = dict(cross=cross, require_cross=True)
    one = select_ridge_by_loo(F, targets, [2.0], [("half", half)], **kwargs)
    path = select_ridge_by_loo(F, targets, [2.0, 2.0], [("half", half)], **kwargs)
    assert (one.name, one.alpha) == (path.name, path.alpha) == ("half+cross", 2.0)
    np.testing.assert_array_equal(one.mask, path.mask)
    np.testing.assert_array_equal(one.weights, path.weights)
    assert np.ptp(one.weights) > 0  # the cross columns weighted
    np.testing.assert_allclose(one.coef, path.coef, atol=1e-9 * np.abs(path.coef).max())
    np.testing.assert_allclose(one.loo_decisions, path.loo_decisions, atol=1e-9)
    assert one.score == pytest.approx(path.score, rel=1e-9)


def test_the_leverages_in_blocks_equal_one_block(monkeypatch):
    """Blocks of a few series (a small memory budget) give the same decisions."""
    from sksssm.spectral import _loo_solvers

    wide, targets = _problem(23, 60, seed=6)
    tall, tall_targets = _problem(70, 20, seed=7)
    expected = [
        gram_loo_at(wide @ wide.T, targets, 0.3).loo_decisions,
        design_loo_at(tall, np.arange(20), np.ones(20), tall_targets, 0.3).loo_decisions,
    ]
    monkeypatch.setattr(_loo_solvers, "LEVERAGE_BYTES", 8 * 70 * 3)  # 3 series a block
    assert len(_loo_solvers._blocks(23, 70)) == 8
    blocked = [
        gram_loo_at(wide @ wide.T, targets, 0.3).loo_decisions,
        design_loo_at(tall, np.arange(20), np.ones(20), tall_targets, 0.3).loo_decisions,
    ]
    for one, other in zip(expected, blocked, strict=True):
        np.testing.assert_allclose(other, one, rtol=1e-12, atol=1e-13)


def test_the_reflection_rows_are_those_of_the_dense_reflection():
    from sksssm.spectral._loo_solvers import _Reflection

    n = 9
    reflection = _Reflection(n)
    v = reflection.v
    P = np.eye(n) - reflection.c * np.outer(v, v)
    np.testing.assert_allclose(P @ np.full(n, 1.0), np.sqrt(n) * np.eye(n)[0], atol=1e-12)
    for start, stop in [(0, 9), (0, 1), (2, 5), (8, 9)]:
        np.testing.assert_allclose(reflection.rows(start, stop), P[1:, start:stop], atol=1e-15)
