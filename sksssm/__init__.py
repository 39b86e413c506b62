"""sksssm: scikit-learn estimators for spectral and structured state space models.

Three families, each from a paper:

- :class:`SpectralFilterRegressor` / :class:`SpectralFilterClassifier`: the Spectral
  Transform Unit (spectral filtering); the regressor has an exact closed-form fit.
- :class:`PTDSSMClassifier` / :class:`PTDSSMRegressor`: S4-PTD / S5-PTD diagonal SSMs
  (perturb-then-diagonalize).
- :class:`HOPERegressor` / :class:`HOPEClassifier`: SSMs parameterized by their Markov parameters.
"""

from .estimators import (
    HOPEClassifier,
    HOPERegressor,
    PTDSSMClassifier,
    PTDSSMRegressor,
    SpectralFilterClassifier,
    SpectralFilterRegressor,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "HOPEClassifier",
    "HOPERegressor",
    "PTDSSMClassifier",
    "PTDSSMRegressor",
    "SpectralFilterClassifier",
    "SpectralFilterRegressor",
    "__version__",
]
