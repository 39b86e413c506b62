"""The forecaster's fast paths agree with the plain computations they replace."""

import numpy as np
import pytest

from sksssm.forecasting._design import (
    ForecastDesign,
    _stability,
    solve_stable,
    spectral_radius,
    window,
)
from sksssm.forecasting._horizons import solve_direct, solve_one
from sksssm.forecasting._model import origin_windows
from sksssm.spectral import stu_filters
from sksssm.spectral._features import _autoregressive_features
from sksssm.spectral._ridge import QRAccumulator, RidgeSolution


def _accumulators(rng, n_horizons, n_rows, n_features, n_targets, shift=True):
    """Factors of one design whose rows end one step earlier per horizon (direct models)."""
    F = rng.normal(size=(n_rows, n_features)) * rng.choice([1e-3, 1.0, 1e3], n_features)
    Y = rng.normal(size=(n_rows + n_horizons, n_targets))
    out = []
    for h in range(n_horizons):
        rows = n_rows - h if shift else n_rows
        out.append(QRAccumulator(n_features, n_targets).update(F[:rows], Y[h : h + rows]))
    return out


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", ["auto", 0.0, 0.5])
@pytest.mark.parametrize("shape", [(60, 7, 1), (25, 12, 2), (9, 12, 1)])
def test_batched_direct_models_equal_one_by_one(fit_intercept, alpha, shape):
    rng = np.random.default_rng(sum(shape))
    accs = _accumulators(rng, 6, *shape)
    batched = solve_direct(accs, fit_intercept, alpha)
    for acc, got in zip(accs, batched, strict=True):
        solution = RidgeSolution(acc, fit_intercept)
        coef, intercept, chosen, gcv, rule = solve_stable(solution, alpha, None, False)
        # The same grid point (the grids agree to round-off: batched column norms).
        assert got["alpha"] == pytest.approx(chosen, rel=1e-12, abs=0)
        assert rule == got["rule"] == "none"
        assert got["gcv"] == pytest.approx(gcv, rel=1e-12)
        assert got["dof"] == pytest.approx(solution.dof(chosen), rel=1e-12)
        assert got["n"] == acc.n_rows_
        np.testing.assert_allclose(got["coef"], coef, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got["intercept"], intercept, rtol=1e-9, atol=1e-12)


def test_batched_direct_models_fall_back_on_repeated_rows_and_no_features():
    rng = np.random.default_rng(0)
    F = rng.normal(size=(3, 6))  # fewer rows than features: the copies add directions
    Y = rng.normal(size=(10, 1))
    twice = QRAccumulator(6, 1).update(np.vstack([F, F]), np.vstack([Y[:3], Y[:3]]))
    assert RidgeSolution(twice).repeated.any()
    for accs in ([twice, twice], [QRAccumulator(0, 1).update(np.zeros((5, 0)), Y[:5])] * 2):
        batched = solve_direct(accs, True, "auto")
        for acc, got in zip(accs, batched, strict=True):
            expected = solve_one(acc, True, "auto")
            assert got["solution"] is not None  # solved one by one
            assert got["alpha"] == expected["alpha"]
            assert got["gcv"] == expected["gcv"] or np.isnan(expected["gcv"])


def test_stability_bound_agrees_with_the_eigenvalues():
    rng = np.random.default_rng(1)
    filters = stu_filters(20, 2)
    for trial in range(200):
        p = int(rng.integers(0, 4))
        design = ForecastDesign(p, filters if trial % 2 else None, True, 1, 0, 0)
        coef = rng.normal(size=(1, design.n_own)) * rng.choice([0.05, 0.3, 1.0])
        radius = spectral_radius(design.recursion(coef)) if design.n_own else 0.0
        stable, reported = _stability(design, coef)
        assert stable == (radius <= 1.0 + 1e-9)
        assert reported is None or reported == radius


def test_last_row_lags_and_origin_windows_equal_the_plain_construction():
    rng = np.random.default_rng(2)
    w = rng.normal(size=(30, 2))
    design = ForecastDesign(5, None, True, 2, 0, 0)
    windows = np.stack([window(w[:o], 8) for o in range(0, 31, 3)])
    np.testing.assert_array_equal(origin_windows(w, list(range(0, 31, 3)), 8), windows)
    padded = np.concatenate([windows, np.zeros((len(windows), 1, 2))], axis=1)
    np.testing.assert_array_equal(
        design.own_last(windows), _autoregressive_features(padded, 5)[:, -1]
    )


@pytest.mark.parametrize("use_negative", [True, False])
def test_forecast_step_features_equal_stu_features_last(use_negative):
    from sksssm.spectral import stu_features_last

    rng = np.random.default_rng(3)
    filters = stu_filters(12, 3)
    design = ForecastDesign(2, filters, use_negative, 2, 0, 0)
    windows = rng.normal(size=(5, design.memory, 2))
    padded = np.concatenate([windows, np.zeros((5, 1, 2))], axis=1)
    expected = np.concatenate(
        [
            _autoregressive_features(padded, 2)[:, -1],
            stu_features_last(padded, filters, input_lags=0, use_negative=use_negative),
        ],
        axis=1,
    )
    np.testing.assert_allclose(design.own_last(windows), expected, rtol=1e-13, atol=1e-14)
