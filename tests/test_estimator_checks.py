"""scikit-learn's estimator checks, with no expected failures, for every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sksssm import SpectralFilterClassifier, SpectralFilterRegressor

ESTIMATORS = [
    SpectralFilterRegressor(),
    SpectralFilterRegressor(alpha=1.0, fit_intercept=False, hankel="L"),
    SpectralFilterRegressor(solver="gradient"),
    SpectralFilterClassifier(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
