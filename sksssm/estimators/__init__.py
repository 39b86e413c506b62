"""scikit-learn estimators (thin classes over the maths and torch cores)."""

from .hope import HOPEClassifier, HOPERegressor
from .ptd import PTDSSMClassifier, PTDSSMRegressor
from .spectral import SpectralFilterClassifier, SpectralFilterRegressor

__all__ = [
    "HOPEClassifier",
    "HOPERegressor",
    "PTDSSMClassifier",
    "PTDSSMRegressor",
    "SpectralFilterClassifier",
    "SpectralFilterRegressor",
]
