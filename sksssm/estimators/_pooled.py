"""What the pooled-feature estimators share: their input check, the pooling with their
parameters (one mapping for all) and the standardization of the pooled features."""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils.validation import check_random_state

from .._validation import check_sequences, scale_unless_constant
from ..spectral._pooled_features import _pooled_features_of
from ..spectral._pooled_filter_choice import resolve_pooled_filters
from ..spectral._pooling import (
    DEFAULT_MIXTURES,
    _fit_poolings,
    pooled_features,
    pooled_features_shared,
    sequence_lengths,
)
from ..spectral._shared_banks import same_inputs
from ._channel_scaling import centre_and_scale

#: Relative resolution of a pooled feature per precision of the responses: a float32
#: feature holds about 1e-7 of its level, so a column that varies by less than this
#: fraction of its mean is round-off (such as the standard deviation of each
#: standardized series, 1 by construction) and is treated as constant.
FEATURE_RESOLUTION = {"float64": 0.0, "float32": 1e-6}


def mixing_seed(random_state):
    """One seed for the random filter mixtures of a fit, drawn from ``random_state``
    (:func:`sklearn.utils.check_random_state`); shared by every representation."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def resolve_mixtures(n_mixtures, n_channels, base=DEFAULT_MIXTURES):
    """Random mixtures per filter group and channel for ``n_channels`` channels.

    An int ``n_mixtures`` is returned as it is. ``"auto"`` shares ``base`` mixtures out
    among the channels, ``ceil(base / n_channels)`` (``base`` itself for one channel), so
    that the number of mixture responses stays about that of one channel whatever the
    channels, as MiniRocket keeps its feature count fixed.

    Parameters
    ----------
    n_mixtures : int or "auto"
        The estimator's ``n_mixtures``.
    n_channels : int
        Channels of the training series (at least 1).
    base : int, default=32
        The mixtures of one channel under ``"auto"``: the estimator's ``_auto_mixtures``,
        the classifier's :data:`~sksssm.spectral._pooling.DEFAULT_MIXTURES` (32) or the
        series-to-value regressor's
        :data:`~sksssm.estimators.spectral_sequence_regressor.DEFAULT_REGRESSION_MIXTURES`
        (64).

    Returns
    -------
    int

    Examples
    --------
    >>> from sksssm.estimators._pooled import resolve_mixtures
    >>> [resolve_mixtures("auto", c) for c in (1, 2, 3, 6, 12, 40)]
    [32, 16, 11, 6, 3, 1]
    >>> [resolve_mixtures("auto", c, base=64) for c in (1, 3, 8, 9, 24)]
    [64, 22, 8, 8, 3]
    >>> resolve_mixtures(8, 12)
    8
    """
    if isinstance(n_mixtures, str):
        if n_mixtures != "auto":
            raise ValueError(
                f'n_mixtures must be a non-negative int or "auto", got {n_mixtures!r}.'
            )
        return math.ceil(base / n_channels)
    return n_mixtures


def bank_dilation(estimator, normalise):
    """The filter bank's ``dilation`` (:func:`~sksssm.spectral.filter_bank`) of
    ``estimator``'s representation ``normalise`` (bool).

    :class:`~sksssm.SpectralFilterClassifier`'s ``dilation``: ``"all"`` dilates every
    representation's bank, ``"raw"`` the raw series' only, ``"none"`` none; estimators
    without the parameter (the series-to-value regressor) keep the smooth bank.
    """
    option = getattr(estimator, "dilation", "none")
    dilated = option == "all" or (option == "raw" and not normalise)
    return "all" if dilated else "none"


def pools_differences(estimator, normalise):
    """Whether ``estimator``'s representation ``normalise`` (bool) pools the first
    differences.

    :class:`~sksssm.SpectralFilterClassifier`'s ``differences``: True or False for every
    representation, ``"standardized"`` for the standardized series' only (the raw head
    of ``normalise="both"`` then pools the series' responses alone).
    """
    option = estimator.differences
    return bool(normalise) if isinstance(option, str) else bool(option)


def fit_estimator_pooling(
    estimator, X_btc, lengths, *, normalise, cross, mixing_seed, dtype="float64"
):
    """:func:`~sksssm.spectral.fit_pooling` with ``estimator``'s feature parameters.

    ``estimator`` has the parameters of :class:`~sksssm.SpectralFilterClassifier`'s
    features (``n_filters``, ``filter_lengths``, ``use_negative``, ``n_mixtures`` and
    its ``"auto"`` base ``_auto_mixtures`` (:func:`resolve_mixtures`),
    ``differences``, :func:`pools_differences`, ``statistics``, ``quantiles``,
    ``n_segments``, ``chunk_size``, and the classifier's ``dilation``,
    :func:`bank_dilation`); ``normalise``, ``cross``, the
    mixtures' seed and the features' ``dtype`` are chosen by the caller.
    """
    (pooling,) = fit_estimator_poolings(
        estimator,
        X_btc,
        lengths,
        representations=(normalise,),
        cross=cross,
        mixing_seed=mixing_seed,
        dtype=dtype,
    )
    return pooling


def pooling_layout(estimator, shape, longest, *, normalise, pooled_filters=None):
    """The pooling of :func:`fit_estimator_pooling` for series of ``shape`` ``(t, c)``
    (the longest ``longest`` steps), without the ``ppv`` thresholds: its column layout
    (``n_features``) depends on the configuration and the shape only, so nothing is
    filtered (no cross-channel block, mixtures of seed 0). ``pooled_filters``: the
    classifier's per-channel filters, or None to resolve them as its fit does.

    Examples
    --------
    >>> from sksssm import SpectralFilterClassifier
    >>> from sksssm.estimators._pooled import pooling_layout
    >>> layout = pooling_layout(SpectralFilterClassifier(), (50, 2), 50, normalise=True)
    >>> layout.n_responses, layout.biases is None  # the identity, filters and mixtures
    (221, True)
    """
    (layout,) = fit_estimator_poolings(
        estimator,
        np.zeros((1, *shape)),
        np.array([longest]),
        representations=(normalise,),
        cross=False,
        mixing_seed=0,
        thresholds=False,
        pooled_filters=pooled_filters,
    )
    return layout


def _pooling_options(estimator, n_channels, *, mixing_seed, dtype):
    """The :func:`~sksssm.spectral._pooling._fit_poolings` options read from
    ``estimator`` (the mixtures resolved for ``n_channels`` channels)."""
    return dict(
        n_filters=estimator.n_filters,
        filter_lengths=estimator.filter_lengths,
        use_negative=estimator.use_negative,
        n_mixtures=resolve_mixtures(estimator.n_mixtures, n_channels, estimator._auto_mixtures),
        statistics=estimator.statistics,
        quantiles=estimator.quantiles,
        n_segments=estimator.n_segments,
        hankel="Z",
        mixing_seed=mixing_seed,
        chunk_size=estimator.chunk_size,
        dtype=dtype,
    )


def fit_estimator_poolings(
    estimator,
    X_btc,
    lengths,
    *,
    representations,
    cross,
    mixing_seed,
    dtype="float64",
    thresholds=True,
    pooled_filters=None,
):
    """:func:`fit_estimator_pooling` for each ``normalise`` of ``representations`` (a
    tuple of bool): one filter bank per dilation (:func:`bank_dilation`), each
    representation's input kinds (:func:`pools_differences`), and the ``ppv``
    thresholds of the representations of one bank from one set of training responses
    (:func:`~sksssm.spectral._pooling._fit_poolings`), the mixtures per group and channel
    resolved for ``X_btc``'s channels (:func:`resolve_mixtures`), and so are the
    per-channel filters of the classifier's ``pooled_filters``
    (:func:`~sksssm.spectral._pooled_filter_choice.resolve_pooled_filters`; ``"all"`` for
    estimators without the parameter; ``pooled_filters`` given: those). ``thresholds=False``:
    the ``ppv`` thresholds are not fitted (:func:`pooling_layout`). Returns a tuple of
    poolings.
    """
    options = _pooling_options(estimator, X_btc.shape[2], mixing_seed=mixing_seed, dtype=dtype)
    if pooled_filters is None:
        pooled_filters = _pooled_filters(estimator, X_btc, lengths, options["n_mixtures"])
    return _fit_poolings(
        X_btc,
        lengths,
        **options,
        differences=tuple(pools_differences(estimator, n) for n in representations),
        representations=tuple(representations),
        cross=cross,
        dilations=tuple(bank_dilation(estimator, n) for n in representations),
        pooled_filters=pooled_filters,
        thresholds=thresholds,
    )


def _pooled_filters(estimator, X_btc, lengths, n_mixtures):
    """The classifier's ``pooled_filters`` resolved for ``X_btc``
    (:func:`~sksssm.spectral._pooled_filter_choice.resolve_pooled_filters`; ``"all"`` for
    estimators without the parameter). ``"auto"`` on multichannel data counts the
    per-channel features ``"all"`` would pool for the standardized representation, from
    a pooling of one zero series of ``X_btc``'s shape (the count depends on the
    configuration and the shape only), so that every fit path and representation
    resolves the same way; the probe's ``ppv`` thresholds are not fitted (the count does
    not depend on them: :func:`pooling_layout`).
    """
    pooled_filters = getattr(estimator, "pooled_filters", "all")
    n_channels = X_btc.shape[2]
    if pooled_filters != "auto" or n_channels < 2 or n_mixtures < 1:
        return resolve_pooled_filters(pooled_filters, n_channels, n_mixtures)
    longest = X_btc.shape[1] if lengths is None else int(np.max(lengths))
    shape = X_btc.shape[1:]
    probe = pooling_layout(estimator, shape, longest, normalise=True, pooled_filters="all")
    return resolve_pooled_filters("auto", n_channels, n_mixtures, probe.n_features)


#: What the input check and the per-channel scaling fit: an ensemble and its heads share
#: them (:func:`copy_fitted_attributes`).
INPUT_ATTRIBUTES = ("n_features_in_", "X_ndim_", "feature_names_in_", "x_location_", "x_scale_")


def copy_fitted_attributes(source, target, names=INPUT_ATTRIBUTES):
    """Copy the fitted attributes ``names`` that ``source`` has to ``target`` (an
    ensemble's shared attributes to or from its heads); returns ``target``."""
    for name in names:
        if hasattr(source, name):
            setattr(target, name, getattr(source, name))
    return target


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


#: Memory budget (bytes) of the two training feature matrices of ``normalise="loo"``
#: held at once (float64) when they share their filter responses; above it they are
#: computed one after the other.
SHARED_BUDGET_BYTES = 2 * 2**30


def check_padded_sequences(estimator, X, *, reset):
    """Validate ``X`` (NaN allowed as end padding); return ``(X_btc, lengths)``."""
    fitted_ndim = None if reset else estimator.X_ndim_
    X_btc, ndim = check_sequences(
        estimator, X, reset=reset, allow_nan=True, fitted_ndim=fitted_ndim
    )
    if reset:
        estimator.X_ndim_ = ndim
    return X_btc, sequence_lengths(X_btc)


def centred_and_scaled(estimator, X):
    """``(X_btc, lengths)``: ``X`` validated (:func:`check_padded_sequences`), centred and
    scaled by the fitted ``x_location_`` and ``x_scale_``, as the training series were.

    Finite values far from the training data can overflow float64 doing so: they are
    refused with the fix (:func:`~._channel_scaling.centre_and_scale`), not reported
    later as the infinities they become.
    """
    X_btc, lengths = check_padded_sequences(estimator, X, reset=False)
    return centre_and_scale(X_btc, estimator.x_location_, estimator.x_scale_), lengths


def training_features(X_btc, poolings, lengths, chunk_size):
    """The training features of each pooling, one after the other (a generator).

    Two representations (``normalise="loo"``) whose features fit
    :data:`SHARED_BUDGET_BYTES` together share their filter responses
    (:func:`~sksssm.spectral._pooling.pooled_features_shared`: the FFTs done once for
    both, about a third less feature time); otherwise each is computed on its own, so
    that only one feature matrix is held at a time. The features are the same either way.
    """
    together = 8 * len(X_btc) * sum(p.n_features for p in poolings)
    if len(poolings) > 1 and together <= SHARED_BUDGET_BYTES:
        yield from pooled_features_shared(X_btc, poolings, lengths, chunk_size=chunk_size)
        return
    for pooling in poolings:
        yield pooled_features(X_btc, pooling, lengths, chunk_size=chunk_size)


#: Memory budget (bytes) of the pooled features ``predict`` holds at once (float64).
PREDICT_BUDGET_BYTES = 64 * 2**20


def pooled_decision(estimator, X_btc, lengths):
    """Decision values of a fitted pooled linear model as ``(D / r, r)``, in blocks.

    ``estimator`` holds ``pooling_``, ``feature_mask_``, ``feature_mean_``,
    ``feature_scale_``, ``coef_``, ``intercept_`` and ``chunk_size``; ``X_btc`` is
    centred and scaled as at fit. The standardization is folded into the weights, ``w =
    coef / scale`` and ``D = F w - mean w + intercept``, so the standardized features are
    never formed, and at most :data:`PREDICT_BUDGET_BYTES` of features are held at once.
    Each series is pooled divided by its power of two ``r``
    (:func:`~sksssm.spectral.pooled_features` with ``return_scale``): its homogeneous
    features are ``r`` times those computed, the others are exact, so ``D / r`` is
    finite and exact to round-off whatever the input magnitude.
    """
    (decision,) = pooled_decisions([estimator], X_btc, lengths)
    return decision


def pooled_decisions(heads, X_btc, lengths):
    """:func:`pooled_decision` of each fitted head, sharing the filter responses.

    Heads whose poolings' responses are among those of one of them (the same filter bank
    and mixtures, or fewer of them: :func:`~sksssm.spectral._feature_sets.used_responses`
    drops the alternating-sign branch of a head that uses none of its columns) are
    pooled from one set of responses, the largest one's: the FFTs of every test series
    are computed once for all of them, each head's representation (raw or standardized)
    derived by one scaling pass of the columns it uses
    (:func:`~sksssm.spectral._pooled_features._pooled_features_of`). Heads of different
    filter banks (``dilation="raw"``) are pooled in the same pass, the responses once per
    bank from the inputs' spectra computed once
    (:func:`~sksssm.spectral._shared_banks.response_sources`); heads of other precision
    or inputs are computed apart. The series are taken in blocks whose features, of all
    the heads of a group together, hold at most :data:`PREDICT_BUDGET_BYTES`.

    Returns
    -------
    list of tuple
        ``(D / r, r)`` per head, as :func:`pooled_decision` returns it (``r`` depends
        only on the series, the same for every head), and the same numbers to the FFT's
        batch round-off (the chunks of series are sized by the largest head's responses).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import SpectralFilterClassifier
    >>> from sksssm.estimators._pooled import pooled_decision, pooled_decisions
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 32)), np.repeat([0, 1], 10)
    >>> clf = SpectralFilterClassifier(random_state=0).fit(X, y)
    >>> X_btc, lengths = clf._prepared(X)
    >>> shared = pooled_decisions(clf.estimators_, X_btc, lengths)
    >>> own = [pooled_decision(head, X_btc, lengths) for head in clf.estimators_]
    >>> all(np.allclose(d, e, rtol=1e-6) for (d, _), (e, _) in zip(shared, own))
    True
    """
    results = [None] * len(heads)
    for members in _sharing_groups(heads):
        states = [heads[i].pooling_ for i in members]
        folded = [_folded_weights(heads[i]) for i in members]
        n_weights = sum(len(weights) for weights, _, _ in folded)
        decisions = [np.empty((len(X_btc), w.shape[1])) for w, _, _ in folded]
        r = np.empty(len(X_btc))
        block = max(PREDICT_BUDGET_BYTES // (8 * n_weights), 1)
        for start in range(0, len(X_btc), block):
            rows = slice(start, start + block)
            outs, r[rows] = _pooled_features_of(
                states,
                X_btc[rows],
                lengths[rows],
                heads[members[0]].chunk_size,
            )
            for i, F, (homogeneous, other, offset), decision in zip(
                members, outs, folded, decisions, strict=True
            ):
                # the series-to-value regressor's heads have no kernel_ (linear only)
                if getattr(heads[i], "kernel_", None) is not None:
                    # bounded decisions: D / r directly
                    decision[rows] = _kernel_decision(heads[i], F, r[rows]) / r[rows, None]
                    continue
                # D / r = F_h / r @ w_h + (F_other @ w_other - mean @ w + intercept) / r
                decision[rows] = F @ homogeneous
                decision[rows] += (F @ other + offset) / r[rows, None]
        for i, decision in zip(members, decisions, strict=True):
            results[i] = (decision, r)
    return results


def _kernel_decision(head, F, r):
    """The kernel ridge's decisions on pooled features ``F`` (homogeneous columns divided
    by ``r``, as :func:`_pooled_features_of` gives them): the standardized, weighted
    columns the model uses, the homogeneous ones first multiplied back by ``r``."""
    Z = np.array(F, dtype=np.float64)
    homogeneous = head.pooling_.homogeneous_columns()
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: a far row (kernel 0)
        Z[:, homogeneous] *= r[:, None]
        Z -= head.feature_mean_
        Z /= head.feature_scale_
    return head.kernel_.decision_function(Z[:, head.feature_mask_])


def _folded_weights(head):
    """``(w_h, w_other, offset)``: the head's weights on its pooled features with the
    standardization folded in (``w = coef / scale``, ``offset = intercept - mean w``),
    split into those of the homogeneous columns and those of the others (each zero on
    the other columns: products with every column of ``F``, no copy of its columns)."""
    weights = np.zeros((len(head.feature_mask_), head.coef_.shape[1]))
    weights[head.feature_mask_] = head.coef_
    weights /= head.feature_scale_[:, None]
    offset = head.intercept_ - head.feature_mean_ @ weights
    homogeneous = head.pooling_.homogeneous_columns()[:, None]
    return np.where(homogeneous, weights, 0.0), np.where(homogeneous, 0.0, weights), offset


def _sharing_groups(heads):
    """``[members]``: heads grouped by the series' inputs they filter alike.

    Each group is pooled in one pass over the series
    (:func:`~sksssm.spectral._pooled_features._pooled_features_of`): the inputs and
    their spectra once, the responses once per distinct filter bank
    (:func:`~sksssm.spectral._shared_banks.response_sources`), each head reading its own.
    Heads that differ in precision, input kinds or channels are computed apart.
    """
    groups = []
    for i, head in enumerate(heads):
        for members in groups:
            if same_inputs(heads[members[0]].pooling_, head.pooling_):
                members.append(i)
                break
        else:
            groups.append([i])
    return groups
