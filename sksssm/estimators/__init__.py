"""scikit-learn estimators (thin classes over the maths and torch cores)."""

from .hope import HOPEClassifier, HOPERegressor
from .ptd import PTDSSMClassifier, PTDSSMRegressor
from .spectral import SpectralFilterRegressor
from .spectral_classifier import SpectralFilterClassifier
from .spectral_sequence_regressor import SpectralFilterSequenceRegressor
from .stu import STUClassifier, STURegressor

__all__ = [
    "HOPEClassifier",
    "HOPERegressor",
    "PTDSSMClassifier",
    "PTDSSMRegressor",
    "SpectralFilterClassifier",
    "SpectralFilterRegressor",
    "SpectralFilterSequenceRegressor",
    "STUClassifier",
    "STURegressor",
]
