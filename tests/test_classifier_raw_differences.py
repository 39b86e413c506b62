"""``SpectralFilterClassifier(differences="standardized")``: the first differences pooled
by the standardized representation only.

With ``normalise="both"`` the raw head then pools the series' responses alone and the
standardized head what it pools with ``differences=True``: its model must be the one it
has without the option (bit for bit), and the raw head the one-representation classifier
without differences (to the round-off of how the series are chunked).
"""

import numpy as np
import pytest
from _streaming_spy import SMALL, streaming_poolings
from _synthetic import noisy_waves
from sklearn.utils._param_validation import InvalidParameterError

from sksssm import SpectralFilterClassifier
from sksssm.estimators._pooled import pooled_decisions
from sksssm.spectral import fit_pooling, pooled_features
from sksssm.spectral._pooling import pooled_features_shared

#: Decision values of a head fitted in the ensemble against the same model fitted alone,
#: relative to their largest magnitude: both compute every response by the same code in
#: float32 and differ only in how the series are chunked (the ensemble sizes its chunks
#: by the larger bank), which can change the FFT's round-off per row (about 1e-7 of a
#: response) and the decisions by about that relative amount. Measured: 0.0.
RELATIVE_TOLERANCE = 1e-5
#: Fitted attributes of a head that define its model.
MODEL = ("coef_", "intercept_", "alpha_", "feature_mean_", "feature_scale_", "temperature_")
#: A small configuration whose features a few hundred series outnumber (streaming path).


def _waves(n=60, length=40, seed=0):
    X, y = noisy_waves(n, length, seed=seed)
    return X * np.where(y == 1, 2.0, 1.0)[:, None] + y[:, None], y  # levels and shapes


def _fit(X, y, **options):
    return SpectralFilterClassifier(random_state=0, **options).fit(X, y)


def _assert_same_model(head, other):
    assert head.feature_set_ == other.feature_set_
    for name in MODEL:
        np.testing.assert_array_equal(getattr(head, name), getattr(other, name))
    np.testing.assert_array_equal(head.pooling_.bank, other.pooling_.bank)
    np.testing.assert_array_equal(head.pooling_.biases, other.pooling_.biases)


@pytest.mark.parametrize("dilation", ["raw", "none"])
def test_the_standardized_head_is_unchanged(dilation):
    """The standardized head pools what it pools with ``differences=True``: the same
    model, bit for bit, and the same decision values in the ensemble's predict."""
    X, y = _waves()
    X_test, _ = _waves(40, seed=1)
    today = _fit(X, y, dilation=dilation)
    candidate = _fit(X, y, dilation=dilation, differences="standardized")
    _assert_same_model(candidate.estimators_[1], today.estimators_[1])
    assert candidate.estimators_[1].pooling_.differences
    shared = pooled_decisions(candidate.estimators_, *candidate._prepared(X_test))
    expected = pooled_decisions(today.estimators_, *today._prepared(X_test))
    np.testing.assert_array_equal(shared[1][0], expected[1][0])


@pytest.mark.parametrize("dilation", ["raw", "none"])
def test_the_raw_head_is_the_raw_classifier_without_differences(dilation):
    """The raw head is ``SpectralFilterClassifier(normalise=False, differences=False)``
    of its bank fitted alone: the same thresholds and model choice, its decision values
    equal to float32 round-off; its parameters describe it."""
    X, y = _waves()
    X_test, _ = _waves(40, seed=1)
    candidate = _fit(X, y, dilation=dilation, differences="standardized")
    raw = candidate.estimators_[0]
    bank = "all" if dilation == "raw" else "none"
    alone = _fit(X, y, normalise=False, dilation=bank, differences=False)
    assert (raw.normalise, raw.dilation, raw.differences) == (False, bank, False)
    assert not raw.pooling_.differences
    assert [head.differences for head in candidate.estimators_] == [False, True]
    np.testing.assert_array_equal(raw.pooling_.biases, alone.pooling_.biases)
    assert raw.feature_set_ == alone.feature_set_ and raw.alpha_ == alone.alpha_
    (decision, r), _ = pooled_decisions(candidate.estimators_, *candidate._prepared(X_test))
    expected = alone.decision_function(X_test)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(
        decision * r[:, None], expected, rtol=0, atol=RELATIVE_TOLERANCE * scale
    )


def test_the_ensemble_predicts_from_its_heads():
    """The ensemble's probabilities are the normalized geometric mean of its heads'."""
    X, y = _waves()
    X_test, _ = _waves(40, seed=2)
    clf = _fit(X, y, dilation="raw", differences="standardized")
    log_p = sum(head.predict_log_proba(X_test) for head in clf.estimators_) / 2
    expected = np.exp(log_p) / np.exp(log_p).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X_test), expected, rtol=1e-9, atol=1e-12)


def test_one_representation_and_loo():
    """normalise=True: "standardized" is True; normalise=False: False (the raw head of
    the default); "loo": the kept model pools them as its representation says."""
    X, y = _waves()
    X_test, _ = _waves(30, seed=3)
    standardized = _fit(X, y, normalise=True, differences="standardized")
    every = _fit(X, y, normalise=True, differences=True)
    np.testing.assert_array_equal(
        standardized.decision_function(X_test), every.decision_function(X_test)
    )
    raw = _fit(X, y, normalise=False, differences="standardized")
    none = _fit(X, y, normalise=False, differences=False)
    np.testing.assert_array_equal(raw.decision_function(X_test), none.decision_function(X_test))
    assert not raw.pooling_.differences
    with pytest.raises(InvalidParameterError, match="differences"):
        SpectralFilterClassifier(differences="raw").fit(X, y)
    loo = _fit(X, y, normalise="loo", dilation="raw", differences="standardized")
    assert loo.pooling_.differences == loo.normalise_
    kept = _fit(
        X,
        y,
        normalise=loo.normalise_,
        dilation="none" if loo.normalise_ else "all",
        differences=loo.normalise_,
    )
    _assert_same_model(loo, kept)


def test_poolings_of_other_input_kinds_share_one_pass():
    """A pooling without first differences pooled with one that has them (the same bank
    or another, cross-channel block and unequal lengths): each gets its own features,
    which are the series' columns of the same pooling with differences."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 50, 3)).cumsum(axis=1)
    X[::3, 41:] = np.nan
    options = dict(cross=True, mixing_seed=3, dtype="float64")
    for dilation in ("none", "all"):
        raw = fit_pooling(X, normalise=False, differences=False, dilation=dilation, **options)
        with_diffs = fit_pooling(X, normalise=False, dilation=dilation, **options)
        standardized = fit_pooling(X, normalise=True, **options)
        shared = pooled_features_shared(X, [raw, standardized])
        np.testing.assert_allclose(shared[0], pooled_features(X, raw), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            shared[1], pooled_features(X, standardized), rtol=1e-12, atol=1e-12
        )
        # the layout: [series' statistics, differences' statistics, cross per kind]
        full = pooled_features(X, with_diffs)
        n_series = (with_diffs.n_features - with_diffs.n_cross_features) // 2
        n_cross = raw.n_cross_features
        np.testing.assert_array_equal(raw.biases[0], with_diffs.biases[0])
        np.testing.assert_allclose(shared[0][:, :n_series], full[:, :n_series], rtol=1e-12)
        np.testing.assert_allclose(
            shared[0][:, n_series:],
            full[:, 2 * n_series : 2 * n_series + n_cross],
            rtol=1e-12,
            atol=1e-12,
        )


def test_streaming_path_pools_differences_as_each_candidate_says(monkeypatch):
    """More series than features: one head chosen by GCV between the raw series without
    differences and the standardized ones with them."""
    X, y = noisy_waves(400, 40, seed=4)
    options = {**SMALL, "dilation": "raw", "differences": "standardized"}
    clf, states = streaming_poolings(monkeypatch, X[:300], y[:300], **options)
    assert {normalise: state.differences for normalise, state in states.items()} == {
        False: False,
        True: True,
    }
    (head,) = clf.estimators_
    assert head.pooling_.differences == head.normalise_


def test_streaming_fit_with_dask_equals_numpy():
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(300, 40, seed=5)
    options = {**SMALL, "normalise": "loo", "dilation": "raw", "differences": "standardized"}
    in_memory = SpectralFilterClassifier(**options).fit(X[:200], y[:200])
    on_dask = SpectralFilterClassifier(**options).fit(da.from_array(X[:200], chunks=70), y[:200])
    assert on_dask.normalise_ == in_memory.normalise_ and on_dask.alpha_ == in_memory.alpha_
    assert on_dask.pooling_.differences == in_memory.pooling_.differences
    np.testing.assert_allclose(on_dask.pooling_.biases, in_memory.pooling_.biases, rtol=1e-12)
    np.testing.assert_allclose(
        on_dask.decision_function(X[200:]), in_memory.decision_function(X[200:]), atol=1e-9
    )
