"""scikit-learn's estimator checks, with no expected failures, for every public estimator.

The deep estimators run with a fixed epoch budget (see ``FAST_STU`` below); everything else
is at its default.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

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

#: The deep estimators' default budget (``max_epochs="auto"``: 200 to 600 optimizer steps)
#: makes the ~50 fits of the check suite take minutes each; a fixed budget of epochs keeps
#: them fast while every other hyper-parameter stays at its default.
FAST_STU = dict(n_filters=8, d_model=8, n_layers=1, max_epochs=20)
ESTIMATORS = [
    SpectralFilterRegressor(),
    SpectralFilterRegressor(alpha=1.0, fit_intercept=False, hankel="L"),
    SpectralFilterClassifier(),
    SpectralFilterClassifier(normalise="loo"),  # one model, not the two heads of "both"
    SpectralFilterClassifier(dilation="raw"),  # two heads, two filter banks
    SpectralFilterClassifier(pooled_filters="mixtures"),  # identity and mixtures only
    SpectralFilterClassifier(kernel="rbf"),  # the Gaussian-kernel ridge on both heads
    SpectralFilterClassifier(head_combination="mean"),  # one temperature for the heads
    # two banks, the first differences in the standardized head only
    SpectralFilterClassifier(dilation="raw", differences="standardized"),
    SpectralFilterSequenceRegressor(),
    SpectralFilterSequenceRegressor(normalise="both"),  # two heads in estimators_
    STURegressor(**FAST_STU),
    STUClassifier(**FAST_STU),
    PTDSSMClassifier(max_epochs=30),
    PTDSSMClassifier(mode="s5", n_blocks=2, max_epochs=30),
    PTDSSMRegressor(max_epochs=30),
    HOPERegressor(max_epochs=30),
    HOPEClassifier(max_epochs=30),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
