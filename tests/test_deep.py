"""The shared deep-estimator base, exercised through every deep estimator."""

import io
import os
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from sksssm import (
    HOPEClassifier,
    HOPERegressor,
    PTDSSMClassifier,
    PTDSSMRegressor,
    SpectralFilterClassifier,
    SpectralFilterRegressor,
    SpectralFilterSequenceRegressor,
    STUClassifier,
    STURegressor,
)
from sksssm._validation import standardization
from sksssm.estimators._deep_training import auto_steps
from sksssm.exceptions import TrainingDivergedError

SMALL = dict(d_model=8, n_layers=1, max_epochs=3, batch_size=16, random_state=0)


def regressors(**extra):
    params = {**SMALL, **extra}
    return [
        STURegressor(8, **params),
        PTDSSMRegressor(state_dim=8, ptd_method="random", **params),
        PTDSSMRegressor(state_dim=8, mode="s5", init="s4d-lin", **params),
        HOPERegressor(state_dim=8, **params),
    ]


def classifiers(**extra):
    params = {**SMALL, **extra}
    return [
        STUClassifier(8, **params),
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
    assert torch.equal(torch.rand(3), expected_next)  # the global RNG is never drawn from
    second = estimator.fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)
    assert first.dtype == np.float64


def test_regressors_standardize_targets_internally(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=8, d_model=16, max_epochs=20, lr=1e-2, random_state=0)
    reg.fit(X, y)
    # Unscaled targets of mean 400 would leave a network predicting ~0 after 20 epochs
    # (the targets spread about +-15 around 400).
    assert abs(reg.predict(X).mean() - 400.0) < 5.0
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
    regressors(return_sequences=True),
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
    pipe = make_pipeline(StandardScaler(), STURegressor(6, **SMALL))
    grid = {"sturegressor__d_model": [4, 8], "sturegressor__lr": [1e-3, 1e-2]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert set(search.cv_results_["param_sturegressor__d_model"]) == {4, 8}
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
    # A device torch knows but that cannot hold trained weights: a clear ValueError, not
    # an internal torch error (hostile finding, issue 12).
    with pytest.raises(ValueError, match="device='meta' is not supported"):
        HOPERegressor(state_dim=4, device="meta", **SMALL).fit(X, y)


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


def _weights(estimator):
    return {k: v.detach().clone() for k, v in estimator.net_.module_.state_dict().items()}


def test_warm_start_continues_training_at_full_learning_rate(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=8, warm_start=True, **SMALL).fit(X, y)
    before = _weights(reg)
    reg.fit(X, y)
    assert reg.n_epochs_ == 2 * SMALL["max_epochs"]  # the history continues
    # Hostile finding (issue 12): the schedule counted absolute epochs, so the second
    # fit ran at learning rate 0 and no weight moved. Now each fit runs a fresh schedule;
    # with lr=1e-2 for 9 steps the encoder weights move by far more than round-off.
    moved = max(
        float((reg.net_.module_.state_dict()[k] - v).abs().max()) for k, v in before.items()
    )
    assert moved > 1e-3
    schedule = dict(reg.net_.callbacks_)["lr_schedule"]
    assert schedule.factor(0) > 0 and max(schedule.base_lrs_) == pytest.approx(reg.lr)


def test_failed_warm_start_fit_leaves_the_model_unchanged(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=8, warm_start=True, **SMALL).fit(X, y)
    before, weights, n_epochs = reg.predict(X), _weights(reg), reg.n_epochs_
    # Inputs 1e40 times the training scale overflow float32. The net used to be trained
    # in place, so history grew and predictions became NaN; now a clear error, and a
    # diverging warm-started fit (huge SGD step) changes nothing either.
    with pytest.raises(ValueError, match="float32"):
        reg.fit(X * 1e40, y)
    reg.set_params(lr=1e30, optimizer="sgd")
    with pytest.raises(TrainingDivergedError):
        reg.fit(X, y)
    assert reg.n_epochs_ == n_epochs and len(reg.history_) == n_epochs
    for name, value in _weights(reg).items():
        assert torch.equal(value, weights[name]), name
    np.testing.assert_array_equal(reg.predict(X), before)


@pytest.mark.parametrize(
    ("estimator", "change"),
    [
        (HOPERegressor(state_dim=8, **SMALL), {"d_model": 4}),
        (HOPERegressor(state_dim=8, **SMALL), {"n_layers": 2, "norm": "batch"}),
        (PTDSSMRegressor(state_dim=8, ptd_method="random", **SMALL), {"mode": "s5"}),
        (PTDSSMRegressor(state_dim=8, ptd_method="random", **SMALL), {"state_dim": 4}),
        (STURegressor(8, **SMALL), {"n_filters": 4}),
        (STURegressor(8, **SMALL), {"linear_skip": False}),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, dict) else type(value).__name__,
)
def test_warm_start_refuses_another_model_and_keeps_the_fitted_one(
    estimator, change, regression_data
):
    # Session 53 sweep: set_params(d_model=...) between warm-started fits leaked torch's
    # "Error(s) in loading state_dict ... size mismatch" (or "Unexpected key(s)").
    X, y = regression_data
    reg = clone(estimator).set_params(warm_start=True).fit(X, y)
    before, n_epochs = reg.predict(X), reg.n_epochs_
    reg.set_params(**change)
    names = ".*".join(sorted(change))
    with pytest.raises(ValueError, match=f"warm_start.*{names}.*warm_start=False"):
        reg.fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), before)
    # The training parameters may change: the warm start goes on.
    reg.set_params(**{**estimator.get_params(), "warm_start": True})
    reg.set_params(lr=1e-3, max_epochs=1, batch_size=8, dropout=0.1).fit(X, y)
    assert reg.n_epochs_ == n_epochs + 1


def test_huge_learning_rate_never_returns_non_finite_predictions(regression_data):
    # Hostile finding: lr=1e8, max_epochs=2 returned all-NaN predictions without an
    # error (only batch losses, computed before each update, were checked).
    X, y = regression_data
    reg = HOPERegressor(state_dim=8, **{**SMALL, "max_epochs": 2, "lr": 1e8})
    try:
        reg.fit(X, y)
    except TrainingDivergedError:
        assert not hasattr(reg, "net_")
    else:
        assert np.isfinite(reg.predict(X)).all()


class _BlowUpAfterLastLoss(Callback):
    """Make the last update non-finite *after* the last loss was recorded (what lr=1e8
    does on some data: losses are computed before each update)."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == net.max_epochs:
            with torch.no_grad():
                net.module_.head.weight.fill_(float("nan"))


class _BlowingUpRegressor(HOPERegressor):
    def _callbacks(self, *args):
        return [*super()._callbacks(*args), ("blow_up", _BlowUpAfterLastLoss())]


def test_non_finite_weights_after_the_last_step_raise(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=4, **SMALL).fit(X, y)
    before = reg.predict(X)
    blowing = _BlowingUpRegressor(state_dim=4, **SMALL)
    with pytest.raises(TrainingDivergedError, match="not finite after training"):
        blowing.fit(X, y)
    assert not hasattr(blowing, "net_")
    # A fitted model whose outputs are not finite never returns them either.
    with torch.no_grad():
        reg.net_.module_.head.bias.fill_(float("inf"))
    with pytest.raises(TrainingDivergedError, match="non-finite outputs"):
        reg.predict(X)
    assert np.isfinite(before).all()


def test_predict_rejects_another_layout(classification_data):
    # Hostile finding: fit on (20, 2, 16), predict on (5, 2) returned predictions (the
    # 2D array passed the n_features_in_ check and the channel mean broadcast).
    X, y = classification_data
    clf = HOPEClassifier(state_dim=4, **SMALL).fit(X[:20, :, :16], y[:20])
    with pytest.raises(ValueError, match="fitted on 3D X"):
        clf.predict(np.zeros((5, 2)))
    reg = HOPERegressor(state_dim=4, **SMALL).fit(X[:20, 0, :16], np.arange(20.0))
    with pytest.raises(ValueError, match="fitted on 2D X"):
        reg.predict(np.zeros((5, 16, 4)))


@pytest.mark.parametrize(
    ("fit_shape", "predict_shape", "layout"),
    [
        ((20, 16), (3, 1, 16), r"fitted on 2D X of layout \(n_samples, n_timesteps\)"),
        ((20, 2, 16), (3, 3, 16), r"fitted on 3D X of layout \(n_samples, 2, n_timesteps\)"),
        ((20, 2, 16), (3, 16), r"fitted on 3D X of layout \(n_samples, 2, n_timesteps\)"),
    ],
)
def test_another_layout_is_named_before_the_feature_count(fit_shape, predict_shape, layout):
    # Session 53 sweep: scikit-learn's n_features_in_ check ran first, so a 3D X for a
    # model fitted on 2D X gave "X has 1 features, but HOPEClassifier is expecting 16",
    # not the layout of the fit that the guarantees page promises. Also for warm starts.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=fit_shape), np.arange(fit_shape[0]) % 2
    clf = HOPEClassifier(state_dim=4, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match=layout):
        clf.predict(rng.normal(size=predict_shape))
    with pytest.raises(ValueError, match=layout):
        clf.set_params(warm_start=True).fit(rng.normal(size=(4, *predict_shape[1:])), y[:4])


@pytest.mark.parametrize(
    ("estimator", "pads"),
    [
        (HOPEClassifier(state_dim=4, **SMALL), True),
        (STURegressor(4, **SMALL), True),
        (SpectralFilterRegressor(4), False),  # no NaN padding: 3D only
        (SpectralFilterClassifier(), True),
        (SpectralFilterSequenceRegressor(), True),
    ],
    ids=lambda e: type(e).__name__ if not isinstance(e, bool) else str(e),
)
def test_2d_x_of_another_length_is_named_in_time_steps(estimator, pads):
    # Session 54 sweep: a 2D X of 10 steps for a model fitted on 2D X of 16 gave
    # scikit-learn's "X has 10 features, but HOPERegressor is expecting 16 features as
    # input", while the same data as 3D was accepted. The message now names the time
    # steps and the fixes (scikit-learn's wording is kept at its end for its checks).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 16))
    y = np.arange(40) % 2 if is_classifier(estimator) else X[:, -3:].sum(axis=1)
    fitted = clone(estimator).fit(X, y)
    for length in (10, 20):
        padding = length < 16 and pads
        pad = r"pad shorter series with NaN .* to 16 steps, or fit" if padding else r": fit"
        with pytest.raises(
            ValueError,
            match=rf"X has {length} time steps, but {type(estimator).__name__} was fitted on "
            rf"2D X of n_timesteps=16.*{pad} and predict on 3D X.*X has {length} features, "
            rf"but \w+ is expecting 16 features as input",
        ):
            fitted.predict(np.hstack([X, X])[:, :length])
    # The advice holds: 3D X of another length is accepted, and NaN padding where allowed.
    assert len(clone(estimator).fit(X[:, None], y).predict(X[:, None, :10])) == 40
    if pads:
        padded = X.copy()
        padded[:, 10:] = np.nan
        assert len(fitted.predict(padded)) == 40


def test_near_constant_targets_and_inputs_are_scaled_relatively(regression_data):
    # Hostile finding: an absolute 1e-12 threshold treated targets of standard deviation
    # 2e-13 (and inputs of 1e-13) as constant. The scale is now relative to the mean, so
    # rescaling X and y by 1e-13 gives the same standardized problem: the same network
    # (same seed) and predictions scaled by 1e-13. float32 training of identical
    # standardized data: equal to round-off of the float64 scaling (measured ~1e-7).
    X, y = regression_data
    y = y - y.mean()
    reference = HOPERegressor(state_dim=4, **SMALL).fit(X, y).predict(X)
    scaled = HOPERegressor(state_dim=4, **SMALL).fit(X * 1e-13, y * 2e-13).predict(X * 1e-13)
    np.testing.assert_allclose(
        scaled / 2e-13, reference, rtol=1e-4, atol=1e-4 * np.abs(reference).max()
    )
    _, scale = standardization(np.array([1.0, 1.0 + 1e-15, 1.0 - 1e-15]))
    assert scale == 1.0  # round-off around a mean of 1 is still constant


def test_auto_budget_counts_optimizer_steps():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 16)), rng.normal(size=40)
    reg = HOPERegressor(state_dim=4, d_model=4, n_layers=1, batch_size=16, random_state=0)
    reg.set_params(max_epochs="auto").fit(X, y)
    # 40 samples in batches of 16: 3 batches per epoch; the rule asks for 600 steps.
    assert auto_steps(16, 16) == 600
    assert reg.max_epochs_ == 200 and reg.n_epochs_ == 200 and not reg.early_stopping_
    assert auto_steps(32, 1024) == 256 and auto_steps(64, 10**6) == 200


def test_one_class_and_bad_hyperparameters(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="at least 2 classes"):
        STUClassifier(**SMALL).fit(X, np.full(len(X), "a"))
    with pytest.raises(ValueError, match="state_dim must be even"):
        PTDSSMClassifier(state_dim=7).fit(X, y)
    with pytest.raises(ValueError, match="'mode' parameter of PTDSSMClassifier"):
        PTDSSMClassifier(mode="s6").fit(X, y)
    with pytest.raises(ValueError, match="'lr' parameter of HOPEClassifier"):
        HOPEClassifier(lr=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="'max_epochs' parameter"):
        STUClassifier(max_epochs="forever").fit(X, y)
    with pytest.raises(ValueError, match="dt_min=.* is larger than dt_max"):
        HOPEClassifier(dt_min=1.0, dt_max=0.1).fit(X, y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_training_and_cpu_loading(classification_data, tmp_path):
    X, y = classification_data
    clf = PTDSSMClassifier(state_dim=8, device="cuda", **SMALL).fit(X, y)
    assert clf.device_.type == "cuda"
    proba = clf.predict_proba(X)
    model, data = tmp_path / "model.pkl", tmp_path / "X.npy"
    model.write_bytes(pickle.dumps(clf))
    np.save(data, X)
    # Load and predict in a process that sees no GPU (CUDA_VISIBLE_DEVICES=""): the
    # machine a user without CUDA has.
    script = (
        "import pickle, sys, numpy as np, torch\n"
        "assert not torch.cuda.is_available()\n"
        "clf = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "np.save(sys.argv[3], clf.predict_proba(np.load(sys.argv[2])))\n"
    )
    out = tmp_path / "proba.npy"
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", script, model, data, out], check=True, env=env)
    # float64 inference on either device; FFT/matmul kernels differ in round-off only.
    np.testing.assert_allclose(np.load(out), proba, rtol=1e-6, atol=1e-9)


def test_verbose_2_adds_a_progress_bar(regression_data):
    X, y = regression_data
    reg = HOPERegressor(state_dim=4, verbose=2, **{**SMALL, "max_epochs": 1}).fit(X, y)
    names = [name for name, _ in reg.net_.callbacks_]
    assert "progress_bar" in names and "stop_on_non_finite_loss" in names


def test_early_stopping_auto_needs_enough_validation_samples():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(320, 12))
    y = np.where(X[:, -3:].sum(axis=1) > 0, "a", "b")
    clf = HOPEClassifier(state_dim=4, **SMALL).fit(X, y)
    # 10% of 320 = 32 held-out sequences: the documented threshold, so it is on.
    assert clf.early_stopping_ and "valid_loss" in clf.history_[-1]
    small = HOPEClassifier(state_dim=4, **SMALL).fit(X[:300], y[:300])
    assert not small.early_stopping_ and "valid_loss" not in small.history_[-1]


@pytest.mark.parametrize(
    ("labels", "fraction", "match"),
    [
        (np.arange(20) % 3, 0.1, r"validation_fraction=0\.1 .*3 classes.*2 validation"),
        (np.arange(20) % 3, 0.96, r"validation_fraction=0\.96 .*no sample to train"),
        (np.r_[np.zeros(19), 1], 0.3, r"validation_fraction=0\.3 .*class counts 1 to 19"),
        (np.repeat(np.arange(10), 2), 0.8, r"10 classes.*4 training, 16 validation"),
    ],
    ids=["3-classes-2-held-out", "none-left-to-train", "one-member-class", "10-classes-4-left"],
)
def test_early_stopping_refuses_or_switches_off_a_split_skorch_cannot_make(
    labels, fraction, match
):
    # Session 53 sweep: the split was checked with round(fraction * n) and without the
    # stratification rules, so these gave scikit-learn's StratifiedShuffleSplit errors
    # about a test_size / train_size the user never set, and "auto" turned on and crashed.
    X = np.random.default_rng(0).normal(size=(len(labels), 12))
    params = dict(state_dim=4, validation_fraction=fraction, **SMALL)
    with pytest.raises(ValueError, match=match):
        HOPEClassifier(early_stopping=True, **params).fit(X, labels)
    assert not HOPEClassifier(**params).fit(X, labels).early_stopping_


def test_early_stopping_auto_is_off_when_the_stratified_split_is_impossible():
    # 50 samples, 25 classes of 2, validation_fraction=0.8: 40 held out (enough for
    # "auto", every class 2 * 0.8 >= 1 samples), but 10 training samples for 25 classes.
    X = np.random.default_rng(0).normal(size=(50, 8))
    clf = HOPEClassifier(state_dim=4, validation_fraction=0.8, **SMALL)
    assert not clf.fit(X, np.repeat(np.arange(25), 2)).early_stopping_


def test_early_stopping_holds_out_as_many_samples_as_scikit_learn_splits(regression_data):
    # ValidSplit holds out ceil(fraction * n) samples (ShuffleSplit); round(0.02 * 20) = 0
    # refused a split that leaves 1 validation sample.
    X, y = regression_data
    reg = HOPERegressor(state_dim=4, early_stopping=True, validation_fraction=0.02, **SMALL)
    reg.fit(X[:20], y[:20])
    assert "valid_loss" in reg.history_[-1]
