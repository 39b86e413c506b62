"""The basis of designs with more rows than columns in the leave-one-out ridge
(``sksssm.spectral._loo_solvers.tall_basis``): QR then ``eigh(R R^T)`` against numpy's
SVD, on full-rank and rank-deficient centred designs."""

import numpy as np
import pytest

from sksssm.spectral import _loo_solvers
from sksssm.spectral._loo_solvers import ridge_loo_path, tall_basis


def _design(rank_deficient, n=80, p=30, seed=0):
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, p))
    if rank_deficient:  # exact linear combinations, as the mixtures' mean columns are
        F[:, :10] = F[:, 10:20] @ rng.normal(size=(10, 10))
    F[:, 0] *= 1e3  # badly scaled columns too
    return F - F.mean(axis=0)


def _svd_basis(F, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(_loo_solvers, "TALL_BASIS", "svd")
        return tall_basis(F)


@pytest.mark.parametrize("rank_deficient", [False, True])
def test_the_basis_is_orthonormal_and_spans_the_design(rank_deficient):
    F = _design(rank_deficient)
    U, s = tall_basis(F)
    np.testing.assert_allclose(U.T @ U, np.eye(F.shape[1]), atol=1e-12)
    # the design is U diag(sqrt(s)) V^T: its projection on U is itself
    np.testing.assert_allclose(U @ (U.T @ F), F, atol=1e-9 * np.abs(F).max())
    # the squared singular values, to the eigendecomposition's round-off of s_max
    expected = np.sort(np.linalg.svd(F, compute_uv=False) ** 2)
    np.testing.assert_allclose(np.sort(s), expected, atol=1e-12 * expected.max())
    if not rank_deficient:  # full rank: the column space of a centred design is _|_ 1
        np.testing.assert_allclose(U.sum(axis=0), 0.0, atol=1e-10)


@pytest.mark.parametrize("rank_deficient", [False, True])
def test_the_leave_one_out_path_equals_the_svd_one(rank_deficient, monkeypatch):
    F = _design(rank_deficient, seed=1)
    F /= F.std(axis=0)  # standardized, as the classifier's features
    targets = np.where(np.arange(len(F))[:, None] % 3 == np.arange(3), 1.0, -1.0)
    alphas = np.logspace(-3, 5, 17)
    qr = list(ridge_loo_path(*tall_basis(F), targets, alphas))
    svd = list(ridge_loo_path(*_svd_basis(F, monkeypatch), targets, alphas))
    for a, b in zip(qr, svd, strict=True):
        assert a.score == pytest.approx(b.score, rel=1e-8)
        np.testing.assert_allclose(a.loo_decisions, b.loo_decisions, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(F.T @ a.dual, F.T @ b.dual, rtol=1e-7, atol=1e-9)
