"""scikit-learn estimators (thin classes over the maths and torch cores)."""

from .spectral import SpectralFilterClassifier, SpectralFilterRegressor

__all__ = ["SpectralFilterClassifier", "SpectralFilterRegressor"]
