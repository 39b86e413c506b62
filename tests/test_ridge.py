"""The streaming-QR ridge core against direct dense computations."""

import re

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from sksssm.spectral import solve
from sksssm.spectral._ridge import (
    QRAccumulator,
    RidgeSolution,
    gcv_score_table,
    triangular_factor,
)


def make_data(n=300, p=6, q=2, mean=0.0, seed=0, noise=0.1):
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, p)) + mean
    W = rng.normal(size=(p, q))
    Y = F @ W + noise * rng.normal(size=(n, q)) + 5.0
    return F, Y


def chunked(F, Y, size):
    acc = QRAccumulator(F.shape[1], Y.shape[1])
    for start in range(0, len(F), size):
        acc.update(F[start : start + size], Y[start : start + size])
    return acc


@pytest.mark.parametrize("mean", [0.0, 400.0, 1e6])
def test_factor_reproduces_centred_gram_and_means(mean):
    F, Y = make_data(mean=mean)
    Fc, Yc = F - F.mean(0), Y - Y.mean(0)
    for acc in (QRAccumulator(6, 2).update(F, Y), chunked(F, Y, 37)):
        L_F, L_Y = acc.centred_factor(fit_intercept=True)
        # Centred Gram entries are O(n); QR is backward stable in the centred data thanks
        # to the shift, so 1e-10 relative holds even with a 1e6 offset.
        np.testing.assert_allclose(L_F.T @ L_F, Fc.T @ Fc, rtol=1e-10, atol=1e-9)
        np.testing.assert_allclose(L_F.T @ L_Y, Fc.T @ Yc, rtol=1e-10, atol=1e-9)
        feature_mean, target_mean = acc.means()
        np.testing.assert_allclose(feature_mean, F.mean(0), rtol=1e-13)
        np.testing.assert_allclose(target_mean, Y.mean(0), rtol=1e-13)
        L_F, L_Y = acc.centred_factor(fit_intercept=False)
        np.testing.assert_allclose(L_F.T @ L_F, F.T @ F, rtol=1e-10)


def test_merge_of_differently_shifted_factors_equals_one_pass():
    F, Y = make_data(mean=50.0)
    F[200:] += 30.0  # the second block has another shift
    one = QRAccumulator(6, 2).update(F, Y)
    left = QRAccumulator(6, 2).update(F[:200], Y[:200])
    right = QRAccumulator(6, 2).update(F[200:], Y[200:])
    merged = QRAccumulator(6, 2).merge(left).merge(right)
    assert merged.n_rows_ == one.n_rows_ == 300
    for fit_intercept in (True, False):
        a = RidgeSolution(one, fit_intercept).coefficients(1e-3)
        b = RidgeSolution(merged, fit_intercept).coefficients(1e-3)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-10)


def test_wide_factor_by_tpqrt_equals_geqrf_up_to_row_signs(monkeypatch):
    from sksssm.spectral import _lapack, _ridge

    F, Y = make_data(n=400, p=100, mean=20.0)
    assert 1 + 100 + 2 >= _lapack.TPQRT_MIN_COLUMNS
    reference = QRAccumulator(100, 2)  # geqrf: the path below TPQRT_MIN_COLUMNS
    monkeypatch.setattr(_lapack, "TPQRT_MIN_COLUMNS", 10**6)
    for start in range(0, 400, 150):
        reference.update(F[start : start + 150], Y[start : start + 150])

    def no_geqrf(*args, **kwargs):
        raise AssertionError("geqrf called on the tpqrt path")

    monkeypatch.setattr(_lapack, "TPQRT_MIN_COLUMNS", 96)
    for module in (_ridge, _lapack):  # update() and stacked_factor() call it
        monkeypatch.setattr(module, "geqrf_factor", no_geqrf)
    acc = chunked(F, Y, 150)  # every chunk of 150 rows >= the 103 columns: tpqrt
    np.testing.assert_array_equal(np.tril(acc.R_, -1), 0.0)
    # R is unique up to the signs of its rows (full column rank): entries of order
    # sqrt(n) * 20, round-off ~1e-13 relative measured
    scale = np.abs(reference.R_).max()
    np.testing.assert_allclose(np.abs(acc.R_), np.abs(reference.R_), atol=1e-11 * scale)


def test_wide_chunks_across_both_paths_and_merges_equal_one_pass():
    F, Y = make_data(n=500, p=100, seed=3, mean=5.0)
    one = QRAccumulator(100, 2).update(F, Y)
    # chunks of 20 and 30 rows: fewer stacked rows than columns (geqrf), then tpqrt
    sizes = np.cumsum([0, 20, 30, 200, 250])
    acc = QRAccumulator(100, 2)
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        acc.update(F[a:b], Y[a:b])
    merged = QRAccumulator(100, 2).merge(chunked(F[:260], Y[:260], 60))
    merged.merge(chunked(F[260:], Y[260:], 100))
    for other in (acc, merged):
        a = RidgeSolution(one).coefficients(1e-2)
        b = RidgeSolution(other).coefficients(1e-2)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-10)


def test_triangular_factor_of_wide_matrix_is_trapezoidal():
    A = np.random.default_rng(0).normal(size=(3, 7))
    R = triangular_factor(A)
    assert R.shape == (3, 7)
    np.testing.assert_allclose(R.T @ R, A.T @ A, atol=1e-12)
    np.testing.assert_array_equal(np.tril(R, -1), 0.0)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [1e-6, 0.3, 50.0])
def test_coefficients_equal_sklearn_ridge(fit_intercept, alpha):
    F, Y = make_data(mean=3.0)
    acc = chunked(F, Y, 100)
    coef, intercept = RidgeSolution(acc, fit_intercept).coefficients(alpha)
    # The penalty acts on standardized features: column RMS after centring (if any).
    centred = F - F.mean(0) if fit_intercept else F
    scale = np.sqrt(np.mean(centred**2, axis=0))
    ref = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(F / scale, Y)
    np.testing.assert_allclose(coef, ref.coef_ / scale, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(intercept, ref.intercept_ if fit_intercept else 0, atol=1e-9)


def test_alpha_zero_is_least_squares_on_an_ill_conditioned_design():
    # cond(F) ~ 1e7: the normal equations would lose ~14 digits, QR loses ~7.
    rng = np.random.default_rng(3)
    n, p = 400, 8
    U, _ = np.linalg.qr(rng.normal(size=(n, p)))
    V, _ = np.linalg.qr(rng.normal(size=(p, p)))
    F = U @ np.diag(np.logspace(0, -7, p)) @ V.T * np.sqrt(n)
    w = rng.normal(size=p)
    y = F @ w
    solution = RidgeSolution(chunked(F, y[:, None], 64), fit_intercept=False)
    coef, _ = solution.coefficients(0)
    reference = np.linalg.lstsq(F, y, rcond=None)[0]
    # Forward error bound of least squares: ~cond(F) * eps = 1e7 * 2e-16 = 2e-9 relative.
    np.testing.assert_allclose(coef[0], reference, rtol=1e-6)
    np.testing.assert_allclose(F @ coef[0], y, atol=1e-8 * np.abs(y).max())


def test_more_features_than_rows():
    F, Y = make_data(n=12, p=40, q=3, seed=4)
    acc = chunked(F, Y, 5)
    assert acc.R_.shape == (12, 44)
    solution = RidgeSolution(acc, fit_intercept=True)
    Fc = F - F.mean(0)
    scale = np.sqrt(np.mean(Fc**2, axis=0))
    ref = Ridge(alpha=2.0, solver="svd").fit(F / scale, Y)
    coef, intercept = solution.coefficients(2.0)
    np.testing.assert_allclose(coef, ref.coef_ / scale, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(intercept, ref.intercept_, rtol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gcv_equals_hat_matrix_formula(fit_intercept):
    F, Y = make_data(n=80, p=5, q=1, mean=2.0, seed=1)
    solution = RidgeSolution(chunked(F, Y, 30), fit_intercept)
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
    np.testing.assert_allclose(solution.gcv_scores(alphas), expected, rtol=1e-9)


def hat_matrix_gcv(F, Y, alpha, fit_intercept):
    """GCV of a ridge on standardized features from the explicit hat matrix."""
    n, p = F.shape
    Fc = F - F.mean(0) if fit_intercept else F
    Fc = Fc / np.sqrt(np.mean(Fc**2, axis=0))
    Yc = Y - Y.mean(0) if fit_intercept else Y
    hat = Fc @ np.linalg.solve(Fc.T @ Fc + alpha * np.eye(p), Fc.T)
    dof = np.trace(hat) + fit_intercept
    return (np.sum((Yc - hat @ Yc) ** 2) / n) / (1 - dof / n) ** 2


def test_gcv_score_table_of_many_solutions():
    """One pass over solutions of different widths (a configuration search): each row
    is the hat-matrix GCV, and bit-identical to the solution's own scores; a NaN
    penalty (a shorter grid, padded) scores NaN."""
    F, Y = make_data(n=60, p=7, q=1, mean=1.0, seed=3)
    shapes = [(7, True), (3, False), (1, True), (5, True)]
    solutions = [RidgeSolution(chunked(F[:, :p], Y, 25), fi) for p, fi in shapes]
    alphas = np.array([[0.1, 1.0, 10.0], [0.5, 5.0, np.nan], [2.0, 0.3, 1.0], [1.0, 1.0, 1.0]])
    table = gcv_score_table(solutions, alphas)
    assert table.shape == (4, 3) and np.isnan(table[1, 2])
    for row, (solution, (p, fit_intercept)) in enumerate(zip(solutions, shapes, strict=True)):
        finite = ~np.isnan(alphas[row])
        assert np.array_equal(table[row, finite], solution.gcv_scores(alphas[row, finite]))
        expected = [hat_matrix_gcv(F[:, :p], Y, a, fit_intercept) for a in alphas[row, finite]]
        np.testing.assert_allclose(table[row, finite], expected, rtol=1e-9)


def test_gcv_counts_repeated_rows_once_in_the_residual_dof():
    # More features than rows, and 4 rows repeated exactly (features and targets), as in
    # training sets that contain the same series twice.
    rng = np.random.default_rng(4)
    F = rng.normal(size=(30, 60))
    Y = F @ rng.normal(size=(60, 1)) * 0.1 + rng.normal(size=(30, 1))
    F, Y = np.concatenate([F, F[:4]]), np.concatenate([Y, Y[:4]])
    solution = RidgeSolution(chunked(F, Y, 10), fit_intercept=True)
    assert solution.repeated.sum() == 4
    # Dense reference on all 34 rows: RSS and trace(I - H) from the hat matrix, then the 4
    # copies removed from the residual dof and the row count.
    n, k = len(F), 4
    Fc = F - F.mean(0)
    Fc = Fc / np.sqrt(np.mean(Fc**2, axis=0))
    Yc = Y - Y.mean(0)
    alphas = np.logspace(-2, 3, 6)
    expected = []
    for alpha in alphas:
        hat = Fc @ np.linalg.solve(Fc.T @ Fc + alpha * np.eye(60), Fc.T)
        rss = np.sum((Yc - hat @ Yc) ** 2)
        residual_dof = n - 1 - np.trace(hat) - k
        expected.append((rss / (n - k)) / (residual_dof / (n - k)) ** 2)
    # rtol: the dense solve at alpha = 1e-2 with condition ~1e6 loses about 6 digits.
    np.testing.assert_allclose(solution.gcv_scores(alphas), expected, rtol=1e-7)
    # The interpolating least-squares fit has no residual dof left: it cannot win.
    assert np.isinf(solution.gcv_scores([0.0])[0])
    assert solution.best_alpha()[0] > 0


def test_no_repeated_directions_without_repeated_rows():
    F, Y = make_data(n=80, p=5, q=1, seed=3)
    assert not RidgeSolution(chunked(F, Y, 30)).repeated.any()
    rng = np.random.default_rng(5)
    wide = rng.normal(size=(20, 50))
    assert not RidgeSolution(
        QRAccumulator(50, 1).update(wide, rng.normal(size=(20, 1)))
    ).repeated.any()


def test_gcv_prefers_small_penalty_without_noise_and_larger_with_noise():
    rng = np.random.default_rng(2)
    F = rng.normal(size=(60, 40))
    w = rng.normal(size=40) * 0.05
    clean = F @ w
    noisy = clean + 2.0 * rng.normal(size=60)
    alpha_clean, _ = RidgeSolution(QRAccumulator(40, 1).update(F, clean[:, None])).best_alpha()
    alpha_noisy, _ = RidgeSolution(QRAccumulator(40, 1).update(F, noisy[:, None])).best_alpha()
    assert alpha_clean < 1e-6 * alpha_noisy


def test_more_parameters_than_rows_shrinks_instead_of_failing():
    F, Y = make_data(n=3, p=6, q=1)
    solution = RidgeSolution(QRAccumulator(6, 1).update(F, Y))
    alpha, scores = solution.best_alpha()
    assert np.isfinite(alpha) and alpha > 0
    coef, _ = solution.coefficients(alpha)
    assert np.all(np.isfinite(coef))


def test_bad_rows_are_refused():
    acc = QRAccumulator(2, 1)
    with pytest.raises(ValueError, match="shape"):
        acc.update(np.zeros((3, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="NaN or infinite"):
        acc.update(np.array([[1.0, np.inf]]), np.zeros(1))
    with pytest.raises(ValueError, match="merge"):
        acc.merge(QRAccumulator(3, 1))


@pytest.mark.parametrize(
    "sizes, match",
    [
        ((-1, 1), "n_features must be an integer >= 0; got -1."),
        ((2.5, 1), "n_features must be an integer >= 0; got 2.5."),
        ((3, 0), "n_targets must be an integer >= 1; got 0."),
    ],
)
def test_accumulator_sizes_are_refused_unless_counts(sizes, match):
    # were accepted (2.5 truncated to 2 columns)
    with pytest.raises(ValueError, match=re.escape(match)):
        QRAccumulator(*sizes)


def test_solve_refuses_an_accumulator_without_rows():
    # It returned zero coefficients and an infinite GCV score.
    with pytest.raises(ValueError, match="no rows accumulated: update the accumulator first"):
        solve(QRAccumulator(3, 1))


# ---------------------------------------------------------------------- forecaster's needs
@pytest.mark.parametrize("alpha", [0.0, 0.3, 30.0])
def test_dof_is_the_trace_of_the_hat_matrix(alpha):
    """``dof(alpha)`` equals the trace of the ridge hat matrix on the centred,
    standardized design, plus one for the intercept (formed explicitly here)."""
    rng = np.random.default_rng(5)
    F = rng.normal(size=(60, 4)) * [1.0, 10.0, 0.1, 3.0] + 2.0
    acc = QRAccumulator(4, 1).update(F, rng.normal(size=(60, 1)))
    centred = F - F.mean(axis=0)
    X = centred / np.sqrt(np.mean(centred**2, axis=0))
    hat = X @ np.linalg.solve(X.T @ X + alpha * np.eye(4), X.T)
    assert RidgeSolution(acc).dof(alpha) == pytest.approx(np.trace(hat) + 1.0, rel=1e-10)


def test_intercept_only_model_is_the_mean():
    """Without features: the intercept is the target mean, the only penalty 0, and GCV
    ``(RSS / n) / (1 - 1 / n)^2`` with RSS the squared deviations from the mean."""
    Y = np.random.default_rng(6).normal(size=(25, 2)) + [1.0, -4.0]
    solution = RidgeSolution(QRAccumulator(0, 2).update(np.zeros((25, 0)), Y))
    coef, intercept = solution.coefficients(0.0)
    assert coef.shape == (2, 0)
    np.testing.assert_allclose(intercept, Y.mean(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(solution.alpha_grid(), [0.0])
    rss = np.sum((Y - Y.mean(axis=0)) ** 2)
    assert solution.gcv_scores([0.0])[0] == pytest.approx((rss / 25) / (1 - 1 / 25) ** 2)
    assert solution.dof(0.0) == 1.0


def test_parameter_directions_sum_to_the_least_squares_covariance():
    """At alpha = 0 the directions' outer products add up to ``s^2 (A'A)^-1`` with
    ``A = [1 | F]`` and ``s^2 = RSS / (n - p - 1)`` (ordinary least squares, by lstsq)."""
    rng = np.random.default_rng(7)
    F = rng.normal(size=(80, 3)) + [0.0, 5.0, -2.0]
    y = F @ [0.5, -1.0, 2.0] + 1.0 + 0.3 * rng.normal(size=80)
    solution = RidgeSolution(QRAccumulator(3, 1).update(F, y[:, None]))
    d_coef, d_intercept = solution.parameter_directions(0.0)
    directions = np.column_stack([d_intercept[:, 0], d_coef[:, 0, :]])  # (k, 1 + p)
    A = np.column_stack([np.ones(80), F])
    theta, rss = np.linalg.lstsq(A, y, rcond=None)[:2]
    expected = rss[0] / (80 - 4) * np.linalg.inv(A.T @ A)
    np.testing.assert_allclose(directions.T @ directions, expected, rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("chunk", [7, 40])
def test_identical_rows_give_the_mean_not_fitted_round_off(chunk):
    """Every row the same (features from identical training series): each column is one
    value repeated, centred only to round-off (about 1e-16 of its level). The core must
    treat the columns as constant, as the one rule does against the column's own mean,
    and predict the target mean, as scikit-learn's RidgeCV does; it used to standardize
    the round-off to unit variance and fit it (coefficients of order 1e16)."""
    rng = np.random.default_rng(0)
    F = np.tile(rng.normal(size=6) + 1.15, (40, 1))
    y = rng.normal(size=(40, 1))
    solution = RidgeSolution(chunked(F, y, chunk))
    for alpha in (0.0, solution.best_alpha()[0]):
        coef, intercept = solution.coefficients(alpha)
        np.testing.assert_array_equal(coef, 0.0)
        np.testing.assert_allclose(intercept, y.mean(axis=0), rtol=1e-12)
    assert solution.dof(0.0) == 1.0
