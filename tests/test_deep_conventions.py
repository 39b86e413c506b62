"""skorch conventions of the deep estimators: progress display, callbacks, save/load."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import is_classifier
from skorch.callbacks import Callback

from sksssm import (
    HOPEClassifier,
    HOPERegressor,
    PTDSSMClassifier,
    PTDSSMRegressor,
    STUClassifier,
    STURegressor,
)

TINY = dict(d_model=4, n_layers=1, max_epochs=3, batch_size=8, random_state=0)


def data(seed=0, n=24, n_timesteps=16):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_timesteps))
    return X, np.where(X[:, -4:].sum(axis=1) > 0, "up", "down")


class RecordEpochs(Callback):
    """Records the number of every finished epoch and its training loss."""

    def initialize(self):
        self.epochs_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_.append((len(net.history), net.history[-1, "train_loss"]))


def test_verbose_1_prints_the_epoch_table_and_verbose_0_prints_nothing(capsys):
    X, y = data()
    HOPEClassifier(state_dim=8, verbose=0, **TINY).fit(X, y)
    assert capsys.readouterr().out == ""
    HOPEClassifier(state_dim=8, verbose=1, **TINY).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert "epoch" in lines[0] and "train_loss" in lines[0]  # skorch's table header
    rows = [line.split() for line in lines[2:]]  # header, rule, one row per epoch
    assert [int(row[0]) for row in rows] == [1, 2, 3]


def test_callbacks_are_passed_to_skorch_and_see_every_epoch():
    X, y = data()
    recorder = RecordEpochs()
    clf = HOPEClassifier(state_dim=8, callbacks=[("record", recorder)], **TINY).fit(X, y)
    assert dict(clf.net_.callbacks_)["record"] is recorder
    assert [epoch for epoch, _ in recorder.epochs_] == [1, 2, 3]
    losses = [loss for _, loss in recorder.epochs_]
    assert losses == [row["train_loss"] for row in clf.history_]
    # The built-in callbacks are still there: the user's come after them.
    names = [name for name, _ in clf.net_.callbacks_]
    assert names.index("lr_schedule") < names.index("record")
    # Unnamed callbacks get skorch's default name, the class name.
    clf = HOPEClassifier(state_dim=8, callbacks=[RecordEpochs()], **TINY).fit(X, y)
    assert len(dict(clf.net_.callbacks_)["RecordEpochs"].epochs_) == 3


@pytest.mark.parametrize(
    ("callbacks", "error", "match"),
    [
        ([print], TypeError, "skorch Callback instances"),
        ([("record", RecordEpochs(), 3)], TypeError, "skorch Callback instances"),
        ([(1, RecordEpochs())], TypeError, "skorch Callback instances"),
        ([("lr_schedule", RecordEpochs())], ValueError, "taken by a built-in callback"),
        ("not a list", ValueError, "callbacks"),
    ],
)
def test_bad_callbacks_are_refused_before_training(callbacks, error, match):
    X, y = data()
    fitted = HOPEClassifier(state_dim=8, **TINY).fit(X, y)
    before = fitted.predict_proba(X)
    with pytest.raises(error, match=match):
        fitted.set_params(callbacks=callbacks).fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), before)  # unchanged


@pytest.mark.parametrize(
    "estimator",
    [
        PTDSSMClassifier(state_dim=8, **TINY),
        PTDSSMRegressor(state_dim=8, return_sequences=True, **TINY),
        HOPEClassifier(state_dim=8, **TINY),
        HOPERegressor(state_dim=8, **TINY),
        STUClassifier(n_filters=4, **TINY),
        STURegressor(n_filters=4, **TINY),
    ],
    ids=lambda e: type(e).__name__,
)
def test_save_params_load_params_round_trip(estimator, tmp_path):
    X, labels = data()
    if is_classifier(estimator):
        y = labels
    elif estimator.return_sequences:
        y = np.cumsum(X, axis=1)
    else:
        y = X[:, -3:].sum(axis=1)
    fitted = estimator.fit(X, y)
    path = tmp_path / "model.pt"
    fitted.save_params(path)
    fresh = type(estimator)(**estimator.get_params())
    assert fresh.load_params(path) is fresh
    np.testing.assert_array_equal(fresh.predict(X), fitted.predict(X))
    if hasattr(fitted, "predict_proba"):
        np.testing.assert_array_equal(fresh.predict_proba(X), fitted.predict_proba(X))
    assert len(fresh.history_) == len(fitted.history_)


def test_load_params_refuses_another_class_or_other_hyperparameters(tmp_path):
    X, y = data()
    path = tmp_path / "model.pt"
    saved = PTDSSMClassifier(state_dim=8, **TINY).fit(X, y).save_params(path)
    with pytest.raises(ValueError, match="does not hold a HOPEClassifier"):
        HOPEClassifier(state_dim=8, **TINY).load_params(path)
    other = PTDSSMClassifier(state_dim=16, **TINY).fit(X, y)
    before = other.predict_proba(X)
    with pytest.raises(ValueError, match="other hyper-parameters.*state_dim=8"):
        other.load_params(path)
    np.testing.assert_array_equal(other.predict_proba(X), before)  # unchanged
    # Same shapes, other predictions: refused too (pooling="last" instead of "mean").
    with pytest.raises(ValueError, match="pooling='mean'"):
        PTDSSMClassifier(state_dim=8, pooling="last", **TINY).load_params(path)
    # Runtime settings (seed, verbosity) may differ.
    loaded = PTDSSMClassifier(state_dim=8, **{**TINY, "random_state": 5}).load_params(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), saved.predict_proba(X))


def test_load_params_compares_values_not_their_text(tmp_path):
    # Session 53 sweep: the hyper-parameters were compared by repr, so a model saved with
    # d_model=np.int64(4) (a GridSearchCV value) or lr=1 refused to load into d_model=4,
    # lr=1.0.
    X, y = data()
    path = tmp_path / "model.pt"
    numpy_params = {**TINY, "d_model": np.int64(4), "lr": 1}
    saved = HOPEClassifier(state_dim=8, **numpy_params).fit(X, y).save_params(path)
    loaded = HOPEClassifier(state_dim=8, **{**TINY, "lr": 1.0}).load_params(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), saved.predict_proba(X))


def test_save_load_recipe_after_a_warm_start_that_changed_training_parameters(tmp_path):
    # Session 54 sweep: model_hyperparameters_ kept the first fit's lr and max_epochs, so
    # after set_params(lr=..., max_epochs=...).fit on a warm start the documented recipe
    # type(est)(**est.get_params()).load_params(path) refused: "other hyper-parameters".
    X, _ = data()
    y = X[:, -3:].sum(axis=1)
    reg = HOPERegressor(state_dim=8, warm_start=True, **TINY).fit(X, y)
    reg.set_params(lr=1e-3, max_epochs=1).fit(X, y)
    assert reg.model_hyperparameters_ == {
        k: v for k, v in reg.get_params().items() if k in reg.model_hyperparameters_
    }
    assert reg.model_hyperparameters_["lr"] == 1e-3
    assert reg.model_hyperparameters_["max_epochs"] == 1
    path = tmp_path / "model.pt"
    reg.save_params(path)
    loaded = type(reg)(**reg.get_params()).load_params(path)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


def test_load_params_removes_the_attributes_of_an_earlier_fit(tmp_path):
    # Session 54 sweep: loading a model saved from a numpy fit into an estimator fitted
    # on a DataFrame kept its feature_names_in_: predict(numpy) warned and a DataFrame
    # with other column names was refused, unlike the saved model.
    X, y = data()
    path = tmp_path / "model.pt"
    saved = HOPEClassifier(state_dim=8, **TINY).fit(X, y).save_params(path)
    named = pd.DataFrame(X, columns=[f"t{i}" for i in range(X.shape[1])])
    est = HOPEClassifier(state_dim=8, **TINY).fit(named, y)
    est.stale_ = "set by an earlier fit"  # any learned attribute of the earlier fit
    est.load_params(path)
    assert not hasattr(est, "feature_names_in_")
    assert not hasattr(est, "stale_")
    assert sorted(k for k in vars(est) if k.endswith("_")) == sorted(
        k for k in vars(saved) if k.endswith("_")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        np.testing.assert_array_equal(est.predict_proba(X), saved.predict_proba(X))
    other_names = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
    # Accepted as by the saved model (to round-off: a DataFrame's memory layout).
    np.testing.assert_allclose(est.predict_proba(other_names), saved.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize("estimator_class", [PTDSSMClassifier, HOPEClassifier])
def test_ssm_lr_sets_the_optimizer_group_of_the_ssm_parameters(estimator_class):
    # One name for one idea (issue 23): PTD's and HOPE's ssm_lr both set the learning
    # rate (and zero weight decay) of exactly the parameters named ssm_*.
    X, y = data()
    params = dict(ssm_lr=1e-4, lr=1e-2, lr_schedule="constant", warmup_epochs=0)
    clf = estimator_class(state_dim=8, **params, **TINY).fit(X, y)
    ssm = {id(p) for name, p in clf.net_.module_.named_parameters() if ".ssm_" in name}
    assert ssm
    (group,) = [g for g in clf.net_.optimizer_.param_groups if {id(p) for p in g["params"]} == ssm]
    other = next(g for g in clf.net_.optimizer_.param_groups if g is not group)
    assert (group["lr"], group["weight_decay"]) == (1e-4, 0.0)
    assert (other["lr"], other["weight_decay"]) == (1e-2, 0.01)
