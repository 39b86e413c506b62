"""The pooling of an estimator with the pooled-feature parameters (one mapping for all)."""

from __future__ import annotations

import numpy as np

from .._validation import scale_unless_constant
from ..spectral._pooling import fit_pooling

#: Relative resolution of a pooled feature per precision of the responses: a float32
#: feature holds about 1e-7 of its level, so a column that varies by less than this
#: fraction of its mean is round-off (such as the standard deviation of each
#: standardized series, 1 by construction) and is treated as constant.
FEATURE_RESOLUTION = {"float64": 0.0, "float32": 1e-6}


def fit_estimator_pooling(
    estimator, X_btc, lengths, *, normalise, cross, mixing_seed, dtype="float64"
):
    """:func:`~sksssm.spectral.fit_pooling` with ``estimator``'s feature parameters.

    ``estimator`` has the parameters of :class:`~sksssm.SpectralFilterClassifier`'s
    features (``n_filters``, ``filter_lengths``, ``use_negative``, ``n_mixtures``,
    ``differences``, ``statistics``, ``quantiles``, ``n_segments``, ``chunk_size``);
    ``normalise``, ``cross``, the mixtures' seed and the features' ``dtype`` are chosen
    by the caller.
    """
    return fit_pooling(
        X_btc,
        lengths,
        n_filters=estimator.n_filters,
        filter_lengths=estimator.filter_lengths,
        use_negative=estimator.use_negative,
        n_mixtures=estimator.n_mixtures,
        differences=estimator.differences,
        statistics=estimator.statistics,
        quantiles=estimator.quantiles,
        n_segments=estimator.n_segments,
        normalise=normalise,
        cross=cross,
        mixing_seed=mixing_seed,
        chunk_size=estimator.chunk_size,
        dtype=dtype,
    )


def standardize_features(F, dtype="float64"):
    """``(F - mean) / scale`` in place; returns ``(F, mean, scale)``.

    ``scale`` is each column's standard deviation, 1 where the column is constant: by
    :func:`~sksssm._validation.scale_unless_constant` against the largest one, or
    varying by at most :data:`FEATURE_RESOLUTION` of its mean for features computed in
    ``dtype`` (constant columns centre to about zero and get no weight).
    """
    mean = F.mean(axis=0)
    F -= mean  # in place: F is the largest array of a fit
    scale = np.sqrt(np.einsum("ij,ij->j", F, F) / len(F))
    scale = scale_unless_constant(scale, scale.max(initial=0.0))
    scale = np.where(scale <= FEATURE_RESOLUTION[dtype] * np.abs(mean), 1.0, scale)
    F /= scale
    return F, mean, scale
