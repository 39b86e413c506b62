"""The pooling of an estimator with the pooled-feature parameters (one mapping for all)."""

from __future__ import annotations

from ..spectral._pooling import fit_pooling


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
