"""Classes with one training series: leave-one-out scores only the other series."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from sksssm import SpectralFilterClassifier
from sksssm.estimators import _large_sets, _pooled_selection
from sksssm.estimators._class_targets import one_vs_all_targets, scored_series
from sksssm.spectral import _ridge_loo
from sksssm.spectral._ridge_loo import centred_eigh, ridge_loo_path, select_ridge_by_loo


def _refit_loo_error(F, targets, alpha, scored):
    """Mean squared leave-one-out error over the rows ``scored``, by explicit refits."""
    errors = []
    for i in np.flatnonzero(scored):
        keep = np.arange(len(F)) != i
        refit = Ridge(alpha=alpha).fit(F[keep], targets[keep])
        errors.append((targets[i] - refit.predict(F[i : i + 1])[0]) ** 2)
    return float(np.mean(errors))


def _series(n_per_class, length=48, seed=0):
    """Noisy sines, class ``k`` at frequency ``0.03 (k + 1)``; ``n_per_class[k]``
    series of class ``k``."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    phase = rng.uniform(0, 6, (len(y), 1))
    t = np.arange(length)
    X = np.sin(2 * np.pi * 0.03 * (y[:, None] + 1) * t + phase)
    return X + rng.normal(0, 0.3, X.shape), y


def test_scored_series_are_those_of_classes_with_another_series():
    encoded = np.array([2, 0, 1, 2, 0, 3])
    assert scored_series(encoded).tolist() == [True, True, False, True, True, False]


@pytest.mark.parametrize("alpha", [1e-3, 0.5, 50.0])
def test_scored_leave_one_out_equals_refits_over_the_scored_series(alpha):
    rng = np.random.default_rng(3)
    F = rng.normal(size=(14, 40))
    F -= F.mean(axis=0)
    encoded = np.array([0] * 5 + [1] * 5 + [2] * 3 + [3])  # class 3: one series
    targets = one_vs_all_targets(encoded, 4)
    scored = scored_series(encoded)
    s, U = centred_eigh(F @ F.T)
    (fit,) = ridge_loo_path(U, s, targets, [alpha], scored)
    # closed form against 13 refits: round-off ~1e-13 measured
    np.testing.assert_allclose(-fit.score, _refit_loo_error(F, targets, alpha, scored), rtol=1e-8)
    (every,) = ridge_loo_path(U, s, targets, [alpha])
    np.testing.assert_array_equal(fit.loo_decisions, every.loo_decisions)  # only the score
    assert fit.score != every.score


def test_selection_minimizes_the_scored_error_of_refits():
    rng = np.random.default_rng(4)
    encoded = np.array([0] * 6 + [1] * 6 + [2])
    F = rng.normal(size=(13, 24))
    F[:, :4] += encoded[:, None]  # signal in the first columns
    F = (F - F.mean(axis=0)) / F.std(axis=0)
    targets = one_vs_all_targets(encoded, 3)
    scored = scored_series(encoded)
    candidates = [("all", np.ones(24, bool)), ("signal", np.arange(24) < 4)]
    alphas = np.logspace(-2, 4, 7)
    fit = select_ridge_by_loo(F, targets, alphas, candidates, scored=scored)
    errors = {
        (name, a): _refit_loo_error(F[:, mask], targets, a, scored)
        for name, mask in candidates
        for a in alphas
    }
    best = min(errors, key=errors.get)
    assert (fit.name, fit.alpha) == best
    np.testing.assert_allclose(-fit.score, errors[best], rtol=1e-8)


def test_the_classifier_scores_every_series_but_the_singleton(monkeypatch):
    X, y = _series([8, 8, 1])
    seen = []

    def spy(*args, **kwargs):
        seen.append(kwargs.get("scored"))
        return select_ridge_by_loo(*args, **kwargs)

    monkeypatch.setattr(_pooled_selection, "select_ridge_by_loo", spy)
    clf = SpectralFilterClassifier(random_state=0).fit(X, y)
    assert len(seen) == 2  # one selection per representation
    for scored in seen:
        assert scored.tolist() == [True] * 16 + [False]
    assert all(np.isfinite(head.loo_score_) for head in clf.estimators_)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_without_singletons_the_fit_is_as_if_every_series_were_scored(monkeypatch):
    X, y = _series([6, 5, 7])
    default = SpectralFilterClassifier(random_state=0).fit(X, y)
    for module in ("_class_targets", "_pooled_selection"):
        monkeypatch.setattr(
            f"sksssm.estimators.{module}.scored_series", lambda e: np.ones(len(e), bool)
        )
    every = SpectralFilterClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(default.predict_proba(X), every.predict_proba(X))


@pytest.mark.parametrize(
    ("alphas", "expected"), [(None, 10.0), ([0.1, 1.0, 100.0, 1000.0], 100.0)]
)
def test_one_series_per_class_uses_the_fallback(alphas, expected):
    X, y = _series([1, 1, 1, 1])
    X2 = np.stack([X, X[:, ::-1]], axis=1)  # two channels: the cross block is left out
    clf = SpectralFilterClassifier(random_state=0, alphas=alphas).fit(X2, y)
    for head in clf.estimators_:
        assert head.alpha_ == expected
        assert head.feature_set_ == _pooled_selection.FALLBACK_FEATURE_SET
        assert np.isnan(head.loo_score_) and head.temperature_ == 1.0
    assert (clf.predict(X2) == y).all()  # the training series themselves


def test_the_size_rule_refit_scores_the_same_series(monkeypatch):
    X, y = _series([14, 14, 1])
    monkeypatch.setattr(_large_sets, "SELECTION_SERIES", 20)
    monkeypatch.setattr(_large_sets, "SUBSAMPLE_SERIES", 20)
    seen = []

    def spy(*args, **kwargs):
        seen.append(kwargs.get("scored"))
        return _ridge_loo.select_ridge_by_loo(*args, **kwargs)

    monkeypatch.setattr(_large_sets, "select_ridge_by_loo", spy)
    SpectralFilterClassifier(random_state=0).fit(X, y)
    (scored,) = seen  # the refit of the chosen model on all 29 series
    assert scored.tolist() == [True] * 28 + [False]


def test_selects_by_loo_when_a_series_can_be_scored():
    assert _pooled_selection.selects_by_loo(np.array([0, 0, 1]))
    assert not _pooled_selection.selects_by_loo(np.arange(4))  # nothing to score
