"""``SpectralFilterClassifier(head_combination=...)``: how the two heads combine."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from sksssm import SpectralFilterClassifier
from sksssm.estimators._class_targets import class_scores
from sksssm.estimators._head_combination import combine_heads


def _data(n_classes, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_classes), 12)
    t = np.arange(40)
    X = np.sin(0.1 * (y[:, None] + 1) * t + rng.uniform(0, 6, (len(y), 1)))
    return X + rng.normal(0, 0.8, X.shape), y


@pytest.mark.parametrize("n_classes", [2, 3])
def test_mean_averages_the_heads_class_scores_under_one_temperature(n_classes):
    X, y = _data(n_classes)
    clf = SpectralFilterClassifier(random_state=0, head_combination="mean").fit(X, y)
    heads = clf.estimators_
    assert len(heads) == 2
    mean = sum(class_scores(head.decision_function(X)) for head in heads) / 2
    np.testing.assert_allclose(
        clf.predict_proba(X), softmax(clf.temperature_ * mean, axis=1), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[mean.argmax(axis=1)])
    # the temperature minimizes the log-loss of the mean leave-one-out class scores
    loo = sum(class_scores(head.loo_decisions_) for head in heads) / 2

    def log_loss(log_tau):
        return -log_softmax(np.exp(log_tau) * loo, axis=1)[np.arange(len(y)), y].mean()

    direct = minimize_scalar(log_loss, bounds=(np.log(1e-2), np.log(1e3)), method="bounded")
    assert clf.temperature_ == pytest.approx(np.exp(direct.x), rel=1e-3)
    # the heads are those of the default combination: only the combination differs
    tempered = SpectralFilterClassifier(random_state=0).fit(X, y)
    for a, b in zip(tempered.estimators_, heads, strict=True):
        np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))
    assert not hasattr(tempered, "temperature_")


def test_combine_heads_with_mean_needs_the_labels():
    X, y = _data(3, seed=1)
    heads = [
        SpectralFilterClassifier(random_state=0, normalise=normalise, head_combination="mean").fit(
            X, y
        )
        for normalise in (False, True)
    ]
    with pytest.raises(ValueError, match="training labels"):
        combine_heads(heads)
    ensemble = combine_heads(heads, y)
    mean = sum(class_scores(head.decision_function(X)) for head in heads) / 2
    np.testing.assert_allclose(
        ensemble.predict_proba(X), softmax(ensemble.temperature_ * mean, axis=1), rtol=1e-6
    )


def test_set_params_after_fit_changes_no_prediction():
    X, y = _data(3, seed=2)
    for fitted, other in (("tempered", "mean"), ("mean", "tempered")):
        clf = SpectralFilterClassifier(random_state=0, head_combination=fitted).fit(X, y)
        proba = clf.predict_proba(X)
        clf.set_params(head_combination=other)
        np.testing.assert_array_equal(clf.predict_proba(X), proba)
