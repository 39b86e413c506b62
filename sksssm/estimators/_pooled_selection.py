"""The pooled estimators' model choice: representation, feature set and penalty by LOO.

Within each representation (the raw and the standardized series), every feature set
(:data:`FEATURE_SETS`, column masks over one pooled feature matrix) is a candidate with
its penalty, compared by exact leave-one-out error
(:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`). ``normalise="both"`` keeps the
best model of each representation (the classifier and the series-to-value regressor
average them), ``"loo"`` the better of the two. Above the classifier's size rule the
comparison runs on a class-stratified subsample and only the better model is refit on
every series (with ``"both"`` too) (:mod:`sksssm.estimators._large_sets`).
"""

from __future__ import annotations

import numpy as np

from ..spectral import _kernel_ridge
from ..spectral._feature_sets import FEATURE_SETS, candidate_feature_sets
from ..spectral._kernel_ridge import fit_rbf_ridge
from ..spectral._ridge_loo import select_ridge_by_loo
from ._class_targets import loo_accuracy, one_vs_all_targets, scored_series
from ._large_sets import refit_chosen, refit_penalties, selection_rows, warn_linear_head
from ._pooled import (
    fit_estimator_poolings,
    mixing_seed,
    standardize_features,
    training_features,
)


def _representation_poolings(estimator, X_btc, lengths, seed, dtype):
    """The pooling of each representation ``estimator.normalise`` compares or keeps (raw
    first): one filter bank, every representation's ``ppv`` thresholds from one set of
    training responses (:func:`~sksssm.estimators._pooled.fit_estimator_poolings`)."""
    option = estimator.normalise
    return fit_estimator_poolings(
        estimator,
        X_btc,
        lengths,
        representations=(False, True) if option in ("loo", "both") else (bool(option),),
        cross=estimator.cross_channel,
        mixing_seed=seed,
        dtype=dtype,
    )


def choose_pooled_models(estimator, X_btc, lengths, encoded, alphas, mixing_seed):
    """The LOO-best ``(fit, pooling, mean, scale)`` of each representation kept.

    ``normalise="both"`` keeps the best model of each representation (raw first, then
    standardized) up to :data:`~sksssm.estimators._large_sets.SELECTION_SERIES` series
    and the better of the two above, ``"loo"`` the better of the two, ``True`` /
    ``False`` the one.

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
    list of tuple ``(fit, pooling, mean, scale)``
        ``fit`` the chosen feature set's ridge (a
        :class:`~sksssm.spectral._ridge_loo.RidgeSelection`, on every series),
        ``pooling`` the representation's full pooling, ``mean`` and ``scale`` of shape
        ``(pooling.n_features,)`` the standardization of its features.
    """
    targets = one_vs_all_targets(encoded, int(encoded.max()) + 1)
    option = estimator.normalise
    poolings = _representation_poolings(estimator, X_btc, lengths, mixing_seed, estimator.dtype)
    # many series: the candidates compared on a stratified subsample (the size rule)
    rows = selection_rows(encoded, mixing_seed)
    chosen = slice(None) if rows is None else rows
    # an explicit kernel that no head can have: one warning for the fit
    if rows is not None:
        warn_linear_head(estimator, f"{len(encoded)} training series exceed the size rule's limit")
    elif not selects_by_loo(encoded):
        warn_linear_head(estimator, "every class has one training series (nothing to score)")
    # "both" keeps each representation's model up to the size rule's limit; above it the
    # comparison on thousands of series is reliable and each refit on all of them is the
    # fit's largest cost, so the better one alone (as "loo")
    keep_every = option == "both" and rows is None
    kept = []
    pooled = training_features(X_btc[chosen], poolings, lengths[chosen], estimator.chunk_size)
    for pooling, F in zip(poolings, pooled, strict=True):
        F, mean, scale = standardize_features(F, estimator.dtype)
        masks = pooling.feature_masks()
        # FEATURE_SETS read here, at call time (a benchmark variant patches it)
        candidates = candidate_feature_sets(pooling, estimator.block_selection, FEATURE_SETS)
        penalties, candidates, cross, scored_rows = _choices(
            alphas, candidates, masks["cross"], encoded[chosen]
        )
        fit = select_ridge_by_loo(
            F,
            targets[chosen],
            penalties,
            candidates,
            cross=cross,
            require_cross=estimator.block_selection == "off",
            scored=scored_rows,
        )
        if rows is None:  # every series: the kernel head, if kept
            last = rbf_head(estimator, F, fit, targets, encoded, alphas, scored_rows)
        else:  # on a subsample, its features are kept for the refit on every series
            last = F
        model = (fit, pooling, mean, scale, last)
        del F, last  # no name left holding a feature matrix the model does not keep
        if keep_every or not kept:
            kept.append(model)
        elif selects_by_loo(encoded[chosen]) and fit.score > kept[0][0].score:  # ties: raw
            kept[0] = model
    if rows is None:
        return kept
    # above the limit one model is kept: it alone on every series
    ((fit, pooling, mean, scale, F_rows),) = kept
    subsample = [rows, F_rows, mean, scale]  # emptied by refit_chosen (memory)
    del kept, model, F_rows
    no_cross = np.zeros_like(fit.mask)
    penalties, _, _, scored_rows = _choices(alphas, [(fit.name, fit.mask)], no_cross, encoded)
    penalties = refit_penalties(penalties, fit, len(encoded))
    refit = refit_chosen(
        estimator, X_btc, lengths, targets, penalties, fit, pooling, subsample, scored_rows
    )
    return [(*refit, None)]  # no kernel head above the size rule's limit


def rbf_head(estimator, F, fit, targets, encoded, alphas, scored_rows):
    """The Gaussian-kernel ridge on ``fit``'s design if ``estimator.kernel`` keeps it,
    else None.

    ``"rbf"`` keeps it whenever a series can be scored, ``"auto"`` when its leave-one-out
    accuracy is higher than the linear ridge's
    (:func:`kernel_beats_linear`), ``"linear"`` never;
    none keeps it when its training design would exceed
    :data:`~sksssm.spectral._kernel_ridge.MAX_TRAIN_BYTES` (an explicit ``"rbf"`` warns,
    :func:`~sksssm.estimators._large_sets.warn_linear_head`). The design is the chosen
    columns of the standardized features ``F``, weighted as the linear ridge weighs them
    (the cross-channel block).
    """
    scored = scored_series(encoded) if scored_rows is None else scored_rows
    if estimator.kernel == "linear" or not selects_by_loo(encoded):
        return None  # an explicit "rbf" with nothing to score: choose_pooled_models warned
    design_bytes = 8 * len(F) * int(fit.mask.sum())
    limit = _kernel_ridge.MAX_TRAIN_BYTES  # read at call time (tests patch it)
    if design_bytes > limit:
        warn_linear_head(
            estimator,
            f"a head's training design ({design_bytes:,} bytes) exceeds MAX_TRAIN_BYTES "
            f"({limit:,})",
        )
        return None
    Z = F[:, fit.mask] * fit.weights[fit.mask]
    kernel = fit_rbf_ridge(Z, targets, alphas, scored_rows)
    if estimator.kernel == "rbf" or kernel_beats_linear(
        kernel, fit.loo_decisions, encoded, scored
    ):
        return kernel
    return None


def kernel_beats_linear(kernel, linear_loo_decisions, encoded, scored):
    """Whether the kernel ridge replaces the linear one: a strictly higher leave-one-out
    accuracy over the ``scored`` series (ties keep the linear model).

    Accuracy, not the squared error both are fitted by: on the development sets the
    kernel's leave-one-out squared error of the ``{-1, +1}`` targets was lower than the
    linear model's on most sets, including those where it classified the test series
    worse (session 46, ``benchmarks/_confirm_kernel.py``).
    """
    if not scored.any():
        return False
    return loo_accuracy(kernel.loo_decisions, encoded, scored) > loo_accuracy(
        linear_loo_decisions, encoded, scored
    )


#: The feature set of a classifier whose series leave-one-out cannot score (every class
#: has one training series; :func:`_choices`); the first candidate where it is not one.
#: Chosen with the penalty on 26 development sets cut to one training series per class
#: (``benchmarks/clf_singletons.py``): mean accuracy 0.448 at the middle penalty, every
#: feature 0.412, leave-one-out over every series (before) 0.374.
FALLBACK_FEATURE_SET = "ppv_only"


def fallback_penalty(alphas):
    """The penalty when no series can be scored: the middle of ``alphas`` (the median,
    the upper one of the two middle ones for an even count).

    Examples
    --------
    >>> import numpy as np
    >>> float(fallback_penalty(np.logspace(-3, 5, 17)))
    10.0
    """
    ordered = np.sort(np.asarray(alphas, dtype=float))
    return ordered[len(ordered) // 2]


def selects_by_loo(encoded):
    """Whether leave-one-out chooses the model: whether some series can be scored
    (:func:`~sksssm.estimators._class_targets.scored_series`). Taking the fixed model
    up to two or three series per class too was measured and not kept
    (``benchmarks/clf_few_series.py``)."""
    return bool(scored_series(encoded).any())


def _choices(alphas, candidates, cross, encoded):
    """``(alphas, candidates, cross)`` leave-one-out chooses from and the rows it scores
    (None: all, or none when there is no choice to score). Without a choice
    (:func:`selects_by_loo`): :data:`FALLBACK_FEATURE_SET` without the cross-channel
    block, at the :func:`fallback_penalty`."""
    scored = scored_series(encoded)
    rows = None if scored.all() or not scored.any() else scored
    if selects_by_loo(encoded):
        return alphas, candidates, cross, rows
    name, mask = next((c for c in candidates if c[0] == FALLBACK_FEATURE_SET), candidates[0])
    return [fallback_penalty(alphas)], [(name, mask & ~cross)], None, rows


def choose_regression_models(estimator, X_btc, lengths, standardized, relative_alphas):
    """The series-to-value regressor's LOO-best model of each representation kept.

    :func:`choose_pooled_models` for
    :class:`~sksssm.SpectralFilterSequenceRegressor`: the targets are the standardized
    ``y``, the penalties ``relative_alphas`` times the number of pooled columns (the
    mean Gram eigenvalue of unit-variance columns), and each representation's model
    averages its ``n_heads`` best (feature set, penalty) heads
    (:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`). ``normalise="both"``
    keeps both models (raw first), ``"loo"`` the one with the smaller leave-one-out
    error (ties: the raw one), ``True`` / ``False`` the one.

    Returns
    -------
    list of tuple ``(fit, pooling, mean, scale, reference)``
        As :func:`choose_pooled_models`, with ``reference`` the number of pooled columns
        (the penalties of ``fit`` divided by it are the relative ones).
    """
    option = estimator.normalise
    seed = mixing_seed(estimator.random_state)
    poolings = _representation_poolings(estimator, X_btc, lengths, seed, "float64")
    kept = []
    pooled = training_features(X_btc, poolings, lengths, estimator.chunk_size)
    for pooling, F in zip(poolings, pooled, strict=True):
        F, mean, scale = standardize_features(F)
        reference = float(F.shape[1])
        fit = select_ridge_by_loo(
            F,
            standardized,
            relative_alphas * reference,
            # FEATURE_SETS read here, at call time (a test patches it)
            candidate_feature_sets(pooling, estimator.block_selection, FEATURE_SETS),
            cross=pooling.feature_masks()["cross"],
            require_cross=estimator.block_selection == "off",
            n_heads=estimator.n_heads,
        )
        del F
        model = (fit, pooling, mean, scale, reference)
        if option == "both" or not kept:
            kept.append(model)
        elif fit.score > kept[0][0].score:  # ties: the first (raw) one
            kept[0] = model
    return kept
