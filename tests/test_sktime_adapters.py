"""sktime's own estimator checks on every sksssm sktime estimator (sktime is optional)."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sktime")

from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from sksssm.forecasting import DeepReductionForecaster, SpectralForecaster  # noqa: E402
from sksssm.sktime import SSMTimeSeriesClassifier, SSMTimeSeriesRegressor  # noqa: E402


def run_checks(estimator_class):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator_class, raise_exceptions=False)
    failures = {name: result for name, result in results.items() if result != "PASSED"}
    assert results and not failures, failures


# The four full runs take about a minute together on 2 idle cores (one torch thread).
@pytest.mark.parametrize(
    "estimator_class",
    [SpectralForecaster, DeepReductionForecaster, SSMTimeSeriesClassifier, SSMTimeSeriesRegressor],
)
def test_sktime_check_estimator(estimator_class):
    run_checks(estimator_class)


def test_regressor_adapter_matches_inner_estimator():
    from sksssm import SpectralFilterRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2, 24))
    y = X[:, 0, -1] - 0.3 * X[:, 1, -3]
    adapter = SSMTimeSeriesRegressor(SpectralFilterRegressor(6)).fit(X, y)
    direct = SpectralFilterRegressor(6).fit(X, y)
    np.testing.assert_allclose(adapter.predict(X), direct.predict(X))


def test_classifier_adapter_keeps_labels_and_probabilities():
    from sksssm import SpectralFilterClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1, 16))
    y = np.where(X[:, 0].sum(axis=1) > 0, "pos", "neg")
    inner = SpectralFilterClassifier(4, d_model=4, n_layers=1, max_epochs=2, random_state=0)
    clf = SSMTimeSeriesClassifier(inner).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(clf.predict(X)) <= {"neg", "pos"}
    np.testing.assert_allclose(proba, clf.estimator_.predict_proba(X), rtol=1e-6)
