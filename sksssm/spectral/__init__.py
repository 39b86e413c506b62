"""Spectral filtering maths (numpy/scipy): Hankel matrices, spectral filters, STU features."""

from ._features import causal_convolve, n_stu_features, stu_features, stu_features_last
from ._filters import max_usable_filters, spectral_filters, stu_filters
from ._hankel import hankel_matrix, hankel_operator

__all__ = [
    "causal_convolve",
    "hankel_matrix",
    "hankel_operator",
    "max_usable_filters",
    "n_stu_features",
    "spectral_filters",
    "stu_features",
    "stu_features_last",
    "stu_filters",
]
