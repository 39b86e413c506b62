"""sksssm: scikit-learn estimators for spectral and structured state space models.

Three papers, four kinds of estimator:

- closed form (spectral filtering, convex): :class:`SpectralFilterRegressor`,
  :class:`SpectralFilterClassifier` and the sktime forecaster
  :class:`sksssm.forecasting.SpectralForecaster`: fixed spectral filters, one exact
  least-squares solve (streaming QR, penalty by generalized cross-validation);
- STU network: :class:`STURegressor` / :class:`STUClassifier`, stacked Spectral Transform
  Units trained by gradient;
- PTD: :class:`PTDSSMClassifier` / :class:`PTDSSMRegressor`, S4-PTD / S5-PTD diagonal SSMs
  (perturb-then-diagonalize);
- HOPE: :class:`HOPERegressor` / :class:`HOPEClassifier`, SSMs parameterized by their
  Markov parameters.
"""

from .estimators import (
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

__version__ = "0.1.0.dev0"

__all__ = [
    "HOPEClassifier",
    "HOPERegressor",
    "PTDSSMClassifier",
    "PTDSSMRegressor",
    "STUClassifier",
    "STURegressor",
    "SpectralFilterClassifier",
    "SpectralFilterRegressor",
    "SpectralFilterSequenceRegressor",
    "__version__",
]
