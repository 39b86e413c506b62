"""scikit-learn's estimator checks, with no expected failures, for every public estimator.

The deep estimators run with their default hyper-parameters: the defaults are chosen so
that the check suite's tiny data sets train in well under a second per fit.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sksssm import (
    HOPEClassifier,
    HOPERegressor,
    PTDSSMClassifier,
    PTDSSMRegressor,
    SpectralFilterClassifier,
    SpectralFilterRegressor,
)

ESTIMATORS = [
    SpectralFilterRegressor(),
    SpectralFilterRegressor(alpha=1.0, fit_intercept=False, hankel="L"),
    SpectralFilterRegressor(solver="gradient"),
    SpectralFilterClassifier(),
    PTDSSMClassifier(),
    PTDSSMClassifier(mode="s5", n_blocks=2),
    PTDSSMRegressor(),
    HOPERegressor(),
    HOPEClassifier(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
