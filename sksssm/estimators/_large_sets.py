"""Pooled-feature fits on large sets: many series, more series than features, or Dask input.

**Many series (the size rule).** The leave-one-out selection of
:class:`~sksssm.SpectralFilterClassifier` compares 2 representations x up to 6 feature
sets (+ the cross-channel block), each by one eigendecomposition of the ``n x n`` Gram
matrix of its columns. With ``p`` pooled features, ``c`` candidates and one thread the
fit costs about

- features: ``2 n`` series' worth of responses (linear in ``n``, ``L log L`` per series
  and channel);
- Gram matrices: ``2 n^2 p`` flops (the column blocks, each once);
- eigendecompositions: ``c`` of size ``n`` (about ``c * 9 n^3`` flops, ``c`` about 12);
- memory: the ``n x p`` features plus a few ``n x n`` matrices.

The eigendecompositions dominate above a thousand series (measured on Crop, one thread:
7 s at ``n = 1000``, 77 s at ``n = 2000``; ``n = 7200`` did not finish in 35 min). Above
:data:`SELECTION_SERIES` training series, the candidates (representation, feature set,
cross-channel block) are therefore compared on a class-stratified subsample of
:data:`SELECTION_SERIES` series (:func:`selection_rows`), and only the chosen one is
fitted on all the series (:func:`refit_chosen`): the other series' features (the
subsample's are reused), one Gram matrix and one eigendecomposition, from which the
penalty is chosen by exact leave-one-out on every series as before. The cost then
grows as ``n^2 p + 9 n^3`` once instead of ``c`` times.

:class:`~sksssm.SpectralFilterClassifier` chooses its model by exact leave-one-out on the
in-memory ``n x p`` design, which is right when features outnumber series. When series
outnumber features (or ``X`` is a Dask array) the ridge runs on the streaming QR core
instead (:mod:`sksssm.spectral._streaming_head`): features are computed in chunks of
series and only the ``p x p`` factor is kept, the penalty (among the same ``alphas``) and
the representation (``normalise="loo"``: raw or per-series standardized) are chosen by
GCV, and every pooled per-channel feature is used (feature-set and cross-channel
selection need the in-memory design). The fitted attributes have the same meaning as on
the leave-one-out path, so ``predict`` is unchanged. The same streaming fit serves
:class:`~sksssm.SpectralFilterSequenceRegressor` (:func:`fit_streamed_ridge`).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_class_labels, check_sequences, to_btc
from ..spectral._dask import check_dask_inputs, is_dask_collection
from ..spectral._feature_sets import used_pooling, used_responses
from ..spectral._pooling import pooled_features, sequence_lengths, threshold_series
from ..spectral._ridge_loo import select_ridge_by_loo
from ..spectral._streaming_head import (
    PooledBlockRows,
    accumulate_pooled,
    accumulate_pooled_dask,
    loo_decisions,
    loo_decisions_dask,
    solve_by_gcv,
)
from ._channel_scaling import _stand_in, channel_location, channel_scale
from ._class_targets import class_scores, fit_temperature, one_vs_all_targets
from ._pooled import fit_estimator_pooling, resolve_mixtures, standardize_features

#: Smallest memory (bytes) of one chunk of pooled features on the streaming path.
STREAM_CHUNK_BYTES = 64 * 2**20
#: Training series above which the classifier compares its candidate models on a
#: stratified subsample of this many series and fits only the chosen one on all of them
#: (the size rule of this module's docstring). No set of the development corpus has as
#: many (the largest has 560), so it changes nothing there.
SELECTION_SERIES = 2000


def selection_rows(encoded, seed):
    """Rows on which the candidate models are compared: all (None) up to
    :data:`SELECTION_SERIES` series, else a class-stratified subsample of about that many.

    Each class keeps ``ceil(SELECTION_SERIES * n_class / n)`` series (at least one),
    drawn with ``numpy.random.default_rng(seed)``; returned sorted.
    """
    n = len(encoded)
    if n <= SELECTION_SERIES:
        return None
    order = np.random.default_rng(seed).permutation(n)
    counts = np.bincount(encoded)
    quota = np.ceil(SELECTION_SERIES * counts / n).astype(int)
    rank = np.empty(n, dtype=int)  # rank of each series within its class, in `order`
    for label in range(len(counts)):
        members = order[encoded[order] == label]
        rank[members] = np.arange(len(members))
    return np.flatnonzero(rank < quota[encoded])


def refit_chosen(estimator, X_btc, lengths, targets, alphas, choice, pooling, subsample):
    """The model ``choice`` (a :class:`~sksssm.spectral._ridge_loo.RidgeSelection` made
    on a subsample) fitted on all the series: its penalty chosen again by exact
    leave-one-out, its cross-channel block (if chosen) reweighted on all of them.

    ``subsample`` is ``[rows, F_rows, mean, scale]`` (emptied here, so that the
    subsample's features are freed once copied): the subsample's standardized
    features of ``pooling`` and their standardization, reused (un-standardized, exact to
    round-off) so that only the other series' features are computed, and of those only
    the statistics the choice uses. Returns ``(fit, pooling, feature_mean,
    feature_scale)`` on the reduced pooling's columns, as the classifier's leave-one-out
    loop does.
    """
    pooling, keep = used_responses(pooling, choice.mask)
    rows, F_rows, rows_mean, rows_scale = subsample
    subsample.clear()
    others = np.ones(len(X_btc), dtype=bool)
    others[rows] = False
    F = np.empty((len(X_btc), pooling.n_features))
    F[others] = pooled_features(
        X_btc[others], pooling, lengths[others], chunk_size=estimator.chunk_size
    )
    F[rows] = F_rows[:, keep] * rows_scale[keep] + rows_mean[keep]
    del F_rows
    F, mean, scale = standardize_features(F, estimator.dtype)
    mask = choice.mask[keep]
    cross = pooling.feature_masks()["cross"] & mask
    name = choice.name.removesuffix("+cross")
    fit = select_ridge_by_loo(
        F,
        targets,
        alphas,
        [(name, mask & ~cross)],
        cross=cross if cross.any() else None,
        require_cross=bool(cross.any()),
    )
    return fit, pooling, mean, scale


def uses_streaming_head(estimator, X, y):
    """Whether the classifier's fit streams: Dask input, or more series than features.

    The number of features is that of the pooling of one zero series of ``X``'s shape
    (it depends on the configuration and the shape only), with ``normalise=True`` (two
    features more than without; under its own filter bank, the smooth one with
    ``dilation="raw"``).
    """
    if is_dask_collection(X) or is_dask_collection(y):
        return True
    # the leave-one-out path validates X again (same check, same messages)
    X_btc, _ = check_sequences(estimator, X, reset=True, allow_nan=True)
    probe = _pooling(estimator, np.zeros((1, *X_btc.shape[1:])), True, 0)
    return len(X_btc) > probe.n_features


def _pooling(estimator, X_btc, normalise, mixing_seed):
    """The per-channel pooling (no cross-channel block) of the streaming path."""
    return fit_estimator_pooling(
        estimator,
        X_btc,
        sequence_lengths(X_btc),
        normalise=normalise,
        cross=False,
        mixing_seed=mixing_seed,
    )


def fit_streaming_classifier(estimator, X, y, alphas, mixing_seed):
    """Fit ``estimator`` (a SpectralFilterClassifier shell with a boolean or ``"loo"``
    ``normalise``) on the streaming path, its mixtures drawn from ``mixing_seed``."""

    encoded = None

    def encode(labels, X_btc):
        nonlocal encoded
        labels = check_class_labels(estimator, labels, len(X_btc))
        estimator.classes_, encoded = np.unique(labels, return_inverse=True)
        return one_vs_all_targets(encoded, len(estimator.classes_))

    fit, targets, loo = fit_streamed_ridge(
        estimator, X, y, encode, lambda pooling: alphas, mixing_seed=mixing_seed
    )
    estimator.alpha_ = fit.alpha
    estimator.loo_score_ = -float(np.mean((targets - loo) ** 2))
    estimator.temperature_ = fit_temperature(class_scores(loo), encoded)


def fit_streamed_ridge(estimator, X, y, encode_targets, alphas_for, *, mixing_seed):
    """Validate ``X``, stream the ridge of the pooled features, set the shared attributes.

    ``encode_targets(y, X_btc)`` validates the in-memory ``y`` and returns the ``(n, q)``
    targets of the ridge; ``alphas_for(pooling)`` the penalties to try for a pooling;
    ``mixing_seed`` draws the mixtures (:func:`~sksssm.estimators._pooled.mixing_seed`).
    Sets ``X_ndim_``, ``n_features_in_``, ``x_location_``, ``x_scale_``, ``pooling_``,
    ``n_mixtures_`` (:func:`~sksssm.estimators._pooled.resolve_mixtures`),
    ``normalise_``, ``feature_mean_``, ``feature_scale_``, ``feature_mask_``,
    ``feature_set_``, ``coef_``, ``intercept_``; returns ``(fit, targets,
    loo_decisions)``.
    """
    on_dask = is_dask_collection(X) or is_dask_collection(y)
    if on_dask:
        X, y = check_dask_inputs(X, y)
        X_btc, estimator.X_ndim_ = check_sequences(estimator, _stand_in(X), reset=True)
        targets = encode_targets(np.asarray(y.compute()), X_btc)
        location, scale = _dask_location_scale(X)
        samples = {}  # per representation: its bank's threshold series, fetched once

        def sample_for(normalise):
            return _threshold_sample(
                estimator, X, X_btc.shape, location, scale, normalise, samples
            )

        targets_on_dask = check_dask_inputs(X, targets)[1]
    else:
        X_btc, estimator.X_ndim_ = check_sequences(estimator, X, reset=True, allow_nan=True)
        targets = encode_targets(y, X_btc)
        location = channel_location(X_btc)
        X_btc = X_btc - location
        scale = channel_scale(X_btc)
        X_btc /= scale
        lengths = sequence_lengths(X_btc)

        def sample_for(normalise):
            return X_btc

    normalise_options = (
        (False, True) if estimator.normalise == "loo" else (bool(estimator.normalise),)
    )

    def featurized_passes(pooling):
        """``(accumulate, loo)`` over the data: the factor, then the LOO decisions."""
        chunk_rows = _chunk_rows(estimator, pooling.n_features)
        if on_dask:
            block_rows = PooledBlockRows(pooling, location, scale, estimator.chunk_size)
            return (
                lambda: accumulate_pooled_dask(
                    X, targets, block_rows, targets.shape[1], samples_per_call=chunk_rows
                ),
                lambda fit: loo_decisions_dask(X, targets_on_dask, block_rows, fit),
            )
        options = dict(chunk_rows=chunk_rows, chunk_size=estimator.chunk_size)
        return (
            lambda: accumulate_pooled(X_btc, lengths, pooling, targets, **options),
            lambda fit: loo_decisions(X_btc, lengths, pooling, fit, targets, **options),
        )

    best = None
    for normalise in normalise_options:
        pooling = _pooling(estimator, sample_for(normalise), normalise, mixing_seed)
        accumulate, _ = featurized_passes(pooling)
        fit = solve_by_gcv(accumulate(), alphas_for(pooling))
        if best is None or fit.gcv_score < best[0].gcv_score:  # ties: the first (raw) one
            best = (fit, pooling)
    fit, pooling = best
    loo = featurized_passes(pooling)[1](fit)
    mask = np.ones(pooling.n_features, dtype=bool)
    estimator.pooling_, _ = used_pooling(pooling, mask)
    estimator.n_mixtures_ = resolve_mixtures(
        estimator.n_mixtures, pooling.n_channels, estimator._auto_mixtures
    )
    estimator.normalise_ = pooling.normalise
    estimator.x_location_, estimator.x_scale_ = location, scale
    estimator.feature_mean_ = fit.feature_mean
    estimator.feature_scale_ = fit.feature_scale
    estimator.feature_mask_ = mask
    estimator.feature_set_ = "all"
    estimator.coef_ = fit.coef
    estimator.intercept_ = fit.intercept
    return fit, targets, loo


def _chunk_rows(estimator, n_features):
    """Series per chunk: ``chunk_size``, else at least :data:`STREAM_CHUNK_BYTES` of
    features and at least ``n_features`` series.

    Each chunk re-factors the previous ``p x p`` factor with its own rows; with at least
    ``p`` rows per chunk that at most doubles the QR work, and a chunk's features take no
    more memory than the factor itself.
    """
    if estimator.chunk_size is not None:
        return int(estimator.chunk_size)
    return max(n_features, STREAM_CHUNK_BYTES // (8 * n_features), 1)


def _dask_location_scale(X):
    """The classifier's per-channel location and scale of a Dask ``X``, on the workers."""
    import dask

    axes = (0, 2) if X.ndim == 3 else (0, 1)
    largest, smallest = dask.compute(X.max(axis=axes), X.min(axis=axes))
    extremes = np.stack([np.atleast_1d(largest), np.atleast_1d(smallest)])[None].astype(float)
    location = channel_location(extremes)
    return location, channel_scale(extremes - location)


def _threshold_sample(estimator, X, shape, location, scale, normalise, fetched):
    """The series :func:`fit_pooling` picks for the ``ppv`` thresholds of representation
    ``normalise``, fetched from Dask (centred and scaled); fitted on exactly these, it
    gives the in-memory thresholds. The series depend on the representation's filter
    bank (``dilation="raw"``: two banks); ``fetched`` (a dict) keeps each set fetched."""
    # the number of responses depends on the configuration and the shape only
    probe = _pooling(estimator, np.zeros((1, *shape[1:])), normalise, 0)
    rows = threshold_series(shape, probe.n_responses)
    key = rows.tobytes()
    if key not in fetched:
        fetched[key] = (to_btc(np.asarray(X[rows].compute(), dtype=np.float64)) - location) / scale
    return fetched[key]
