"""The pooled classifier's model choice: representation, feature set and penalty by LOO.

The candidates are every representation (``normalise="loo"``: the raw and the
standardized series) times every feature set (:data:`FEATURE_SETS`, column masks over
one pooled feature matrix per representation), each with its penalty; all are compared
by exact leave-one-out error (:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`).
Above the size rule's limit the comparison runs on a class-stratified subsample and only
the chosen model is refit on every series (:mod:`sksssm.estimators._large_sets`).
"""

from __future__ import annotations

from ..spectral._feature_sets import FEATURE_SETS, candidate_feature_sets
from ..spectral._ridge_loo import select_ridge_by_loo
from ._class_targets import one_vs_all_targets
from ._large_sets import refit_chosen, selection_rows
from ._pooled import fit_estimator_poolings, standardize_features, training_features


def choose_pooled_model(estimator, X_btc, lengths, encoded, alphas, mixing_seed):
    """The LOO-best ``(fit, pooling, mean, scale)`` of a pooled classifier.

    Parameters
    ----------
    estimator : SpectralFilterClassifier
        Its feature parameters, ``normalise``, ``cross_channel``, ``block_selection``,
        ``dtype`` and ``chunk_size``.
    X_btc : ndarray of shape (n_samples, n_timesteps, n_channels)
        Training series (centred and scaled per channel), NaN-padded at the end.
    lengths : ndarray of shape (n_samples,)
        Valid length of each series.
    encoded : ndarray of shape (n_samples,)
        Class indices ``0 .. n_classes - 1``.
    alphas : ndarray
        Candidate ridge penalties.
    mixing_seed : int
        Seed of the mixtures, shared by both representations.

    Returns
    -------
    fit : RidgeSelection
        The chosen feature set's ridge (:func:`select_ridge_by_loo`), on every series.
    pooling : PoolingState
        The chosen representation's full pooling.
    mean, scale : ndarray of shape (pooling.n_features,)
        The standardization of its features.
    """
    targets = one_vs_all_targets(encoded, int(encoded.max()) + 1)
    # normalise="loo": both representations, chosen with the feature set by LOO
    option = estimator.normalise
    representations = (False, True) if option == "loo" else (bool(option),)
    poolings = fit_estimator_poolings(
        estimator,
        X_btc,
        lengths,
        representations=representations,
        cross=estimator.cross_channel,
        mixing_seed=mixing_seed,
        dtype=estimator.dtype,
    )
    # many series: the candidates compared on a stratified subsample (the size rule)
    rows = selection_rows(encoded, mixing_seed)
    chosen = slice(None) if rows is None else rows
    best = None
    pooled = training_features(X_btc[chosen], poolings, lengths[chosen], estimator.chunk_size)
    for pooling, F in zip(poolings, pooled, strict=True):
        F, mean, scale = standardize_features(F, estimator.dtype)
        masks = pooling.feature_masks()
        # FEATURE_SETS read here, at call time (a benchmark variant patches it)
        candidates = candidate_feature_sets(pooling, estimator.block_selection, FEATURE_SETS)
        fit = select_ridge_by_loo(
            F,
            targets[chosen],
            alphas,
            candidates,
            cross=masks["cross"],
            require_cross=estimator.block_selection == "off",
        )
        if best is None or fit.score > best[0].score:  # ties: the first (raw) one
            # on a subsample, its features are kept for the refit on every series
            best = (fit, pooling, mean, scale, None if rows is None else F)
        del F
    fit, pooling, mean, scale, F_rows = best
    if rows is not None:  # the chosen model on every series
        subsample = [rows, F_rows, mean, scale]  # emptied by refit_chosen (memory)
        del best, F_rows
        fit, pooling, mean, scale = refit_chosen(
            estimator, X_btc, lengths, targets, alphas, fit, pooling, subsample
        )
    return fit, pooling, mean, scale
