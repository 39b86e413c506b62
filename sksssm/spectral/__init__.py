"""Spectral filtering maths (numpy/scipy): Hankel matrices, spectral filters, STU features,
and the closed-form core (streaming-QR ridge, the closed-form STU design)."""

from ._dask import accumulate_dask
from ._design import SpectralDesign, accumulate_chunks, solve
from ._features import (
    autoregressive_features,
    causal_convolve,
    feed_back_outputs,
    n_stu_features,
    stu_features,
    stu_features_last,
)
from ._filters import max_usable_filters, spectral_filters, stu_filters
from ._hankel import hankel_matrix, hankel_operator
from ._pooling import (
    default_filter_lengths,
    filter_bank,
    fit_pooling,
    mixing_matrices,
    n_pooled_features,
    pooled_features,
    sequence_lengths,
)
from ._pooling_state import PoolingState
from ._ridge import QRAccumulator, RidgeSolution, triangular_factor
from ._segment_stats import EXTRA_STATISTICS, STATISTICS

__all__ = [
    "EXTRA_STATISTICS",
    "STATISTICS",
    "PoolingState",
    "default_filter_lengths",
    "filter_bank",
    "fit_pooling",
    "mixing_matrices",
    "n_pooled_features",
    "pooled_features",
    "sequence_lengths",
    "QRAccumulator",
    "RidgeSolution",
    "SpectralDesign",
    "accumulate_chunks",
    "accumulate_dask",
    "autoregressive_features",
    "causal_convolve",
    "feed_back_outputs",
    "hankel_matrix",
    "hankel_operator",
    "max_usable_filters",
    "n_stu_features",
    "solve",
    "spectral_filters",
    "stu_features",
    "stu_features_last",
    "stu_filters",
    "triangular_factor",
]
