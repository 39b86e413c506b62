"""Hostile inputs for the six deep estimators (issue 24, causes 1 and 5).

- Scale: ``X`` or ``y`` multiplied by ``1e155``, ``1e-200``, ``1e200`` or ``1e-200`` gives
  the predictions of the unscaled fit (times the ``y`` factor), because the standardization
  is exact at any finite scale.
- Threads: fits in parallel threads with a fixed ``random_state`` equal the serial fit, and
  torch's global RNG is never touched (each fit draws from its own ``torch.Generator``).
- Session 53 sweep: a constant target column is predicted as the constant; numpy integer
  hyper-parameters train as Python integers.
- Session 54 sweep: a predict-time X that overflows the input scaling is a ``ValueError``
  (the closed-form estimators' message); integer hyper-parameters refuse bools.
"""

import concurrent.futures
import warnings
from numbers import Integral

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import Interval, InvalidParameterError

from sksssm import (
    HOPEClassifier,
    HOPERegressor,
    PTDSSMClassifier,
    PTDSSMRegressor,
    STUClassifier,
    STURegressor,
)

TINY = dict(d_model=8, n_layers=1, max_epochs=2, batch_size=16, random_state=0)
DEEP_ESTIMATORS = {
    "STURegressor": lambda **kw: STURegressor(4, **TINY, **kw),
    "PTDSSMRegressor": lambda **kw: PTDSSMRegressor(
        state_dim=4, ptd_method="random", **TINY, **kw
    ),
    "HOPERegressor": lambda **kw: HOPERegressor(state_dim=4, **TINY, **kw),
    "STUClassifier": lambda **kw: STUClassifier(4, **TINY, **kw),
    "PTDSSMClassifier": lambda **kw: PTDSSMClassifier(
        state_dim=4, ptd_method="random", **TINY, **kw
    ),
    "HOPEClassifier": lambda **kw: HOPEClassifier(state_dim=4, **TINY, **kw),
}
REGRESSORS = [name for name in DEEP_ESTIMATORS if name.endswith("Regressor")]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 16))
    y = X[:, -3:].sum(axis=1) + 0.1 * rng.normal(size=32)
    return X, y


def _outputs(estimator, X):
    """What the estimator predicts, as floats: probabilities for classifiers."""
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def _targets(name, y):
    return y if name in REGRESSORS else np.where(y > 0, "up", "down")


# ---------------------------------------------------------------------- cause 1: scale
@pytest.mark.parametrize("x_factor", [1e155, 1e-200])
@pytest.mark.parametrize("name", list(DEEP_ESTIMATORS))
def test_scaled_inputs_give_the_unscaled_fit(name, x_factor, data):
    X, y = data
    y = _targets(name, y)
    expected = _outputs(DEEP_ESTIMATORS[name]().fit(X, y), X)
    scaled = DEEP_ESTIMATORS[name]().fit(X * x_factor, y)
    assert np.isfinite(scaled.x_scale_).all()
    # The scaled inputs differ from X * x_factor / x_factor by a rounding of X * x_factor
    # (relative 1e-16), far below the float32 training precision.
    np.testing.assert_allclose(_outputs(scaled, X * x_factor), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("y_factor", [1e200, 1e-200])
@pytest.mark.parametrize("name", REGRESSORS)
def test_scaled_targets_give_the_scaled_predictions(name, y_factor, data):
    X, y = data
    expected = DEEP_ESTIMATORS[name]().fit(X, y).predict(X) * y_factor
    predicted = DEEP_ESTIMATORS[name]().fit(X, y * y_factor).predict(X)
    assert np.isfinite(predicted).all()
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-5 * y_factor * np.std(y))


@pytest.mark.parametrize("name", REGRESSORS)
def test_a_constant_target_column_is_predicted_as_the_constant(name, data):
    # Session 53 sweep: a constant column keeps a unit scale in its own units, where the
    # PTD and HOPE heads (which do not start at zero) predicted 1e-8 as values of order
    # 1e-4 to 1. The constant is now predicted as such, alone, beside a varying column,
    # and at every step of a sequence output.
    X, y = data
    constant = np.full(len(X), 1e-8)
    np.testing.assert_array_equal(DEEP_ESTIMATORS[name]().fit(X, constant).predict(X), 1e-8)
    both = DEEP_ESTIMATORS[name]().fit(X, np.c_[y, constant]).predict(X)
    np.testing.assert_array_equal(both[:, 1], 1e-8)
    assert np.std(both[:, 0]) > 0  # the varying column is the network's
    sequences = DEEP_ESTIMATORS[name](return_sequences=True).fit(X, np.full(X.shape, 1e-8))
    np.testing.assert_array_equal(sequences.predict(X), 1e-8)


# ---------------------------------------------------------------------- cause 5: threads
@pytest.mark.parametrize("name", ["STURegressor", "HOPERegressor", "PTDSSMClassifier"])
def test_threaded_fits_equal_the_serial_fit_and_leave_the_global_rng(name, data):
    X, y = data
    y = _targets(name, y)
    # Dropout and a shuffled, validated fit exercise every random draw of training.
    params = dict(dropout=0.2, early_stopping=True, validation_fraction=0.25)
    torch.manual_seed(7)
    global_state = torch.get_rng_state()
    serial = _outputs(DEEP_ESTIMATORS[name](**params).fit(X, y), X)
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        fits = pool.map(lambda _: DEEP_ESTIMATORS[name](**params).fit(X, y), range(3))
        threaded = [_outputs(fitted, X) for fitted in fits]
    for outputs in threaded:
        np.testing.assert_array_equal(outputs, serial)
    assert torch.equal(torch.get_rng_state(), global_state)


def test_fit_does_not_depend_on_the_global_rng(data):
    X, y = data
    torch.manual_seed(1)
    first = DEEP_ESTIMATORS["HOPERegressor"](dropout=0.2).fit(X, y).predict(X)
    torch.manual_seed(2)
    second = DEEP_ESTIMATORS["HOPERegressor"](dropout=0.2).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)


def test_grid_search_with_the_threading_backend_scores_as_the_serial_search(data):
    X, y = data
    grid = {"lr": [1e-2, 3e-2]}
    serial = GridSearchCV(DEEP_ESTIMATORS["STURegressor"](), grid, cv=2).fit(X, y)
    with joblib.parallel_backend("threading", n_jobs=2):
        threaded = GridSearchCV(DEEP_ESTIMATORS["STURegressor"](), grid, cv=2, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(
        threaded.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


# ------------------------------------------------------- session 53: numpy hyper-parameters
@pytest.mark.parametrize("name", list(DEEP_ESTIMATORS))
def test_numpy_integer_hyperparameters_train_as_python_integers(name, data):
    # GridSearchCV over np.array([16, 32]) passes np.int64 values: torch's BatchSampler
    # refused batch_size=np.int64(16) ("should be a positive integer value").
    X, y = data
    y = _targets(name, y)
    expected = _outputs(DEEP_ESTIMATORS[name]().fit(X, y), X)
    keys = ("batch_size", "d_model", "n_layers", "max_epochs")
    numpy_ints = {key: np.int64(TINY[key]) for key in keys}
    fitted = DEEP_ESTIMATORS[name]().set_params(**numpy_ints).fit(X, y)
    np.testing.assert_array_equal(_outputs(fitted, X), expected)


@pytest.mark.parametrize("name", list(DEEP_ESTIMATORS))
def test_predict_input_overflowing_the_scaling_is_a_value_error(name, data):
    # Session 54 sweep: fit on X * 1e-3, one value 1e306 at predict: a RuntimeWarning
    # "overflow encountered in divide", then a TrainingDivergedError advising a lower
    # learning rate. Now the ValueError of the shared scaling check, and no warning.
    X, y = data
    est = DEEP_ESTIMATORS[name]().fit(X * 1e-3, _targets(name, y))
    X_far = X.copy()
    X_far[0, 3] = 1e306
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="X has values too large to centre and scale"):
            _outputs(est, X_far)
    assert np.isfinite(_outputs(est, X)).all()  # the refusal left the fit usable


#: Every integer hyper-parameter of the deep estimators (the shared ones and each
#: family's), with a valid integer value.
INTEGER_PARAMETERS = {
    "d_model": 4,
    "n_layers": 1,
    "max_epochs": 1,
    "batch_size": 8,
    "warmup_epochs": 1,
    "patience": 1,
    "state_dim": 4,
    "n_blocks": 1,
    "n_filters": 4,
    "input_lags": 1,
}


@pytest.mark.parametrize("name", list(DEEP_ESTIMATORS))
def test_integer_hyperparameters_refuse_bools(name, data):
    # Session 54 sweep: batch_size=True, max_epochs=True and patience=True trained as 1
    # (Interval(Integral, ...) takes bools), though the library's integer rule
    # (check_positive_int) refuses them, as the layers did for d_model=True.
    X, y = data
    est = DEEP_ESTIMATORS[name]()
    integer_constraints = {
        parameter: constraint
        for parameter, constraints in est._parameter_constraints.items()
        for constraint in constraints
        if isinstance(constraint, Interval) and constraint.type is Integral
    }
    assert set(integer_constraints) == set(INTEGER_PARAMETERS) & set(est.get_params())
    for parameter, constraint in integer_constraints.items():
        assert constraint.is_satisfied_by(INTEGER_PARAMETERS[parameter])
        assert not constraint.is_satisfied_by(True), parameter
        with pytest.raises(InvalidParameterError, match=f"'{parameter}' parameter.*Got True"):
            DEEP_ESTIMATORS[name]().set_params(**{parameter: True}).fit(X, _targets(name, y))
