"""The shared deep-estimator base, exercised through every deep estimator."""

import io
import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksssm import (
    HOPEClassifier,
    HOPERegressor,
    PTDSSMClassifier,
    PTDSSMRegressor,
    SpectralFilterClassifier,
    SpectralFilterRegressor,
)
from sksssm.exceptions import TrainingDivergedError

SMALL = dict(d_model=8, n_layers=1, max_epochs=3, batch_size=16, random_state=0)


def regressors(**extra):
    params = {**SMALL, **extra}
    return [
        SpectralFilterRegressor(8, solver="gradient", **params),
        PTDSSMRegressor(state_dim=8, ptd_method="random", **params),
        PTDSSMRegressor(state_dim=8, mode="s5", init="s4d-lin", **params),
        HOPERegressor(state_dim=8, **params),
    ]


def classifiers(**extra):
    params = {**SMALL, **extra}
    return [
        SpectralFilterClassifier(8, **params),
        PTDSSMClassifier(state_dim=8, ptd_method="random", **params),
        HOPEClassifier(state_dim=8, **params),
    ]


def ids(estimators):
    return [f"{type(e).__name__}-{getattr(e, 'mode', '')}" for e in estimators]


@pytest.fixture(scope="module")
def regression_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 24))
    y = 400.0 + 5.0 * X[:, -4:].sum(axis=1)  # a target with mean 400
    return X, y


@pytest.fixture(scope="module")
def classification_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2, 20))
    y = np.where(X[:, 0, -5:].mean(axis=1) > 0, "up", "down")
    return X, y


@pytest.mark.parametrize("estimator", regressors(), ids=ids(regressors()))
def test_same_seed_same_predictions_and_global_rng_untouched(estimator, regression_data):
    X, y = regression_data
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first = estimator.fit(X, y).predict(X)
    assert torch.equal(torch.rand(3), expected_next)  # fork_rng left the global RNG alone
    second = estimator.fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)
    assert first.dtype == np.float64


def test_regressors_standardize_targets_internally(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=8, d_model=16, max_epochs=20, lr=1e-2, random_state=0)
    reg.fit(X, y)
    # Unscaled targets of mean 400 would leave a network predicting ~0 after 20 epochs.
    assert abs(reg.predict(X).mean() - 400.0) < 2.0
    assert reg.score(X, y) > 0.2
    np.testing.assert_allclose(reg.y_mean_, [y.mean()])


@pytest.mark.parametrize("estimator", classifiers(), ids=ids(classifiers()))
def test_classifiers_string_labels_and_proba(estimator, classification_data):
    X, y = classification_data
    estimator.fit(X, y)
    assert list(estimator.classes_) == ["down", "up"]
    proba = estimator.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(estimator.predict(X)) <= {"down", "up"}


@pytest.mark.parametrize("estimator", classifiers(), ids=ids(classifiers()))
def test_3d_input_other_length_at_predict(estimator, classification_data):
    X, y = classification_data
    estimator.fit(X, y)
    assert estimator.n_features_in_ == 2
    assert estimator.predict(X[:5, :, :35]).shape == (5,)
    assert estimator.predict(X[:5, :, :7]).shape == (5,)


@pytest.mark.parametrize(
    "estimator",
    regressors(return_sequences=True)[1:]
    + [SpectralFilterRegressor(8, solver="gradient", return_sequences=True, **SMALL)],
    ids=lambda e: type(e).__name__,
)
def test_sequence_outputs_are_causal(estimator):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(16, 2, 30))
    Y = np.cumsum(X, axis=2)[:, :1, :]
    estimator.fit(X, Y)
    before = estimator.predict(X)
    assert before.shape == Y.shape
    t = 17
    X_changed = X.copy()
    X_changed[:, :, t + 1 :] += 10.0
    after = estimator.predict(X_changed)
    np.testing.assert_allclose(after[:, :, : t + 1], before[:, :, : t + 1], rtol=1e-5, atol=1e-5)
    assert not np.allclose(after[:, :, t + 1 :], before[:, :, t + 1 :])


def test_non_finite_loss_raises_clear_error_and_keeps_previous_fit(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=8, **SMALL).fit(X, y)
    before = reg.predict(X)
    reg.set_params(lr=1e30, optimizer="sgd", lr_schedule="constant")
    with pytest.raises(TrainingDivergedError, match="lower the learning rate|Lower the learning"):
        reg.fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)


def test_pickle_and_joblib_round_trip(classification_data):
    X, y = classification_data
    clf = PTDSSMClassifier(state_dim=8, ptd_method="random", **SMALL).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(joblib.load(buffer).predict_proba(X), clf.predict_proba(X))


def test_gridsearch_over_d_model_and_lr_in_pipeline(regression_data):
    X, y = regression_data
    pipe = make_pipeline(StandardScaler(), SpectralFilterRegressor(6, solver="gradient", **SMALL))
    grid = {
        "spectralfilterregressor__d_model": [4, 8],
        "spectralfilterregressor__lr": [1e-3, 1e-2],
    }
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert set(search.cv_results_["param_spectralfilterregressor__d_model"]) == {4, 8}
    assert np.isfinite(search.best_score_)


def test_device_resolution():
    X, y = np.random.default_rng(0).normal(size=(8, 6)), np.arange(8.0)
    reg = HOPERegressor(state_dim=4, **SMALL).fit(X, y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert reg.device_.type == expected
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            HOPERegressor(state_dim=4, device="cuda", **{**SMALL, "random_state": 0}).fit(X, y)
    with pytest.raises(ValueError, match="device must be"):
        HOPERegressor(device="tpu-9").fit(X, y)


def test_history_verbose_and_early_stopping(capsys, regression_data):
    X, y = regression_data
    params = {**SMALL, "max_epochs": 50, "verbose": 1}
    reg = HOPERegressor(state_dim=8, early_stopping=True, patience=2, lr=0.3, **params)
    reg.fit(X, y)
    printed = capsys.readouterr().out
    assert "train_loss" in printed and "valid_loss" in printed
    assert reg.n_epochs_ < 50  # lr=0.3 makes the validation loss stall: stopped early
    assert len(reg.history_[:, "train_loss"]) == reg.n_epochs_
    silent = HOPERegressor(state_dim=8, **SMALL).fit(X, y)
    assert capsys.readouterr().out == ""
    assert len(silent.history_) == SMALL["max_epochs"]


def test_warm_start_continues_training(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=8, warm_start=True, **SMALL).fit(X, y)
    net = reg.net_
    reg.fit(X, y)
    assert reg.net_ is net and reg.n_epochs_ == 2 * SMALL["max_epochs"]


def test_one_class_and_bad_hyperparameters(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="at least 2 classes"):
        SpectralFilterClassifier(**SMALL).fit(X, np.full(len(X), "a"))
    with pytest.raises(ValueError, match="state_dim must be even"):
        PTDSSMClassifier(state_dim=7).fit(X, y)
    with pytest.raises(ValueError, match="mode must be one of"):
        PTDSSMClassifier(mode="s6").fit(X, y)
    with pytest.raises(ValueError, match="lr must be"):
        HOPEClassifier(lr=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="dt_min=.* is larger than dt_max"):
        HOPEClassifier(dt_min=1.0, dt_max=0.1).fit(X, y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_training_and_cpu_loading(classification_data, tmp_path):
    X, y = classification_data
    clf = PTDSSMClassifier(state_dim=8, device="cuda", **SMALL).fit(X, y)
    assert clf.device_.type == "cuda"
    proba = clf.predict_proba(X)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(clf))
    restored = pickle.loads(path.read_bytes())
    np.testing.assert_allclose(restored.predict_proba(X), proba, rtol=1e-5)


def test_verbose_2_adds_a_progress_bar(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=4, verbose=2, **{**SMALL, "max_epochs": 1}).fit(X, y)
    names = [name for name, _ in reg.net_.callbacks_]
    assert "progress_bar" in names and "stop_on_non_finite_loss" in names
