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
:data:`SUBSAMPLE_SERIES` series (:func:`selection_rows`), and only the chosen one is
fitted on all the series (:func:`refit_chosen`): the other series' features (the
subsample's are reused), one Gram matrix and one eigendecomposition, from which the
penalty is chosen by exact leave-one-out on every series as before. The cost then
grows as ``n^2 p + 9 n^3`` once instead of ``c`` times (``6 n p m + 9 m^3`` with ``m =
min(n, p)`` in general). Above ``m =`` :data:`EXACT_REFIT_SIZE` (8,000; tens of
thousands of series with over 8,000 chosen columns) that is tens of minutes, so the refit
keeps the penalty chosen on the subsample and solves it by one Cholesky factorization
(``2 n p m + m^3 / 3``), its leave-one-out decisions still exact at that penalty
(:func:`refit_penalties`).

:class:`~sksssm.SpectralFilterClassifier` chooses its model by exact leave-one-out on the
in-memory ``n x p`` design, which is right when features outnumber series. When series
outnumber features (or ``X`` is a Dask array) the ridge runs on the streaming QR core
instead (:mod:`sksssm.spectral._streaming_head`): features are computed in chunks of
series and only the ``p x p`` factor is kept, the penalty (among the same ``alphas``) and
the representation (``normalise="loo"``: raw or per-series standardized) are chosen by
GCV, and every pooled per-channel feature is used (feature-set and cross-channel
selection need the in-memory design): multichannel data lose the cross-channel block,
with a :class:`~sksssm.exceptions.SpectralFilterWarning` where ``block_selection="off"``
and ``cross_channel=True`` ask for it (:func:`warn_cross_block`). The fitted attributes
have the same meaning as on the leave-one-out path, so ``predict`` is unchanged. The
same streaming fit serves :class:`~sksssm.SpectralFilterSequenceRegressor`
(:func:`fit_streamed_ridge`).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_class_labels, check_sequences, to_btc
from ..exceptions import SpectralFilterWarning, warn
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
from ._class_targets import class_scores, fit_temperature, one_vs_all_targets, scored_series
from ._pooled import (
    fit_estimator_pooling,
    pooling_layout,
    resolve_mixtures,
    standardize_features,
)

#: Smallest memory (bytes) of one chunk of pooled features on the streaming path.
STREAM_CHUNK_BYTES = 64 * 2**20
#: Training series above which the classifier compares its candidate models on a
#: stratified subsample of :data:`SUBSAMPLE_SERIES` series and fits only the chosen one on
#: all of them (the size rule of this module's docstring); ``normalise="both"`` then keeps
#: that one head. No set of the development corpus has as many (the largest has 560),
#: so it changes nothing there.
SELECTION_SERIES = 2000
#: Series of the size rule's subsample. 1,000 since session 44 (2,000 before): on the
#: four large development sets the choice on 1,000 series cost 0.78x the time, accuracy
#: -0.0022 on average (FordB -0.0086, the others unchanged), within the rule fixed
#: before the run (``benchmarks/ucr_large.py``, ``SELECTION_RULE``). The candidates'
#: comparison needs far fewer series than the fit: its ``c`` eigendecompositions cost
#: ``c * 9 m^3``, a third of FordA's fit at ``m = 2000``.
SUBSAMPLE_SERIES = 1000
#: The penalty of the refit on all the series (:func:`refit_penalties`): ``"loo"``, chosen
#: again among ``alphas`` by exact leave-one-out on every series (an eigendecomposition
#: of size ``m = min(n, p)``, ``p`` the chosen model's columns); ``"subsample"``, the one
#: chosen with the model on the subsample (a Cholesky solve, its exact leave-one-out
#: decisions computed at that penalty; :func:`~sksssm.spectral._ridge_loo.gram_loo_at`,
#: :func:`~sksssm.spectral._ridge_loo.design_loo_at`); ``"auto"``, ``"loo"`` up to
#: ``m =`` :data:`EXACT_REFIT_SIZE` and ``"subsample"`` above. Read at call time:
#: ``benchmarks/ucr_large.py`` plays each (``benchmarks/_ucr_large_rules.py``).
#:
#: ``"auto"`` since session 45 (``"loo"`` before; ``REFIT_AUTO_RULE``): synthetic data of
#: InsectWingbeat's shape (25,000 series, ``m`` about 12,600) now fit and predict in
#: 212 s one thread, where ``"loo"`` did not finish in 900 s; the development sets all
#: have ``m`` at most 5,457, so their fits are unchanged. ``"subsample"`` everywhere was
#: measured and not kept (``REFIT_PENALTY_RULE``): 0.48x the time on the four large
#: development sets, but Crop lost 0.0124 (the others unchanged): its subsample chose
#: the penalty 316, all its series 100.
REFIT_PENALTY = "auto"
#: The largest ``min(n, p)`` at which ``REFIT_PENALTY="auto"`` chooses the refit's
#: penalty again by exact leave-one-out. The basis costs about ``6 n p m + 9 m^3``
#: flops: 49 s one thread on Crop's shape (``7200 x 5457``, the largest ``m`` of the
#: development sets), about three times as much at 8,000, and a synthetic set of
#: InsectWingbeat's shape (``m`` about 12,600) did not finish in 900 s (session 44).
EXACT_REFIT_SIZE = 8000


def selection_rows(encoded, seed):
    """Rows on which the candidate models are compared: all (None) up to
    :data:`SELECTION_SERIES` series, else a class-stratified subsample of about
    :data:`SUBSAMPLE_SERIES`.

    Each class keeps ``ceil(SUBSAMPLE_SERIES * n_class / n)`` series (at least one, at
    most all of them), drawn with ``numpy.random.default_rng(seed)``; returned sorted.
    """
    n = len(encoded)
    if n <= SELECTION_SERIES:
        return None
    order = np.random.default_rng(seed).permutation(n)
    counts = np.bincount(encoded)
    quota = np.ceil(SUBSAMPLE_SERIES * counts / n).astype(int)
    rank = np.empty(n, dtype=int)  # rank of each series within its class, in `order`
    for label in range(len(counts)):
        members = order[encoded[order] == label]
        rank[members] = np.arange(len(members))
    return np.flatnonzero(rank < quota[encoded])


def refit_penalties(alphas, choice, n_series):
    """The penalties among which the refit of ``choice`` (the model chosen on the
    subsample) on ``n_series`` series chooses (:data:`REFIT_PENALTY`): ``alphas`` (those
    it would choose among otherwise: the fallback penalty alone when no series can be
    scored), or ``choice``'s own."""
    rule = REFIT_PENALTY
    if rule == "auto":
        exact = min(n_series, int(choice.mask.sum())) <= EXACT_REFIT_SIZE
        rule = "loo" if exact else "subsample"
    return [choice.alpha] if rule == "subsample" else alphas


def refit_chosen(
    estimator, X_btc, lengths, targets, alphas, choice, pooling, subsample, scored=None
):
    """The model ``choice`` (a :class:`~sksssm.spectral._ridge_loo.RidgeSelection` made
    on a subsample) fitted on all the series: its penalty chosen among ``alphas`` by
    exact leave-one-out (one penalty, from :func:`refit_penalties`, is solved by
    Cholesky), its cross-channel block (if chosen) reweighted on all of them.

    ``subsample`` is ``[rows, F_rows, mean, scale]`` (emptied here, so that the
    subsample's features are freed once copied): the subsample's standardized
    features of ``pooling`` and their standardization, reused (un-standardized, exact to
    round-off) so that only the other series' features are computed, and of those only
    the statistics the choice uses. ``scored``: the series the leave-one-out scores
    average (:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`). Returns ``(fit,
    pooling, feature_mean, feature_scale)`` on the reduced pooling's columns, as the
    classifier's leave-one-out loop does.
    """
    pooling, keep = used_responses(pooling, choice.mask)
    rows, F_rows, rows_mean, rows_scale = subsample
    subsample.clear()
    F = np.empty((len(X_btc), pooling.n_features))
    reused = F_rows[:, keep]
    del F_rows
    reused *= rows_scale[keep]
    reused += rows_mean[keep]
    F[rows] = reused
    del reused
    others = np.setdiff1d(np.arange(len(X_btc)), rows)
    _pool_rows_into(F, others, X_btc, lengths, pooling, estimator.chunk_size)
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
        scored=scored,
    )
    return fit, pooling, mean, scale


#: Memory (bytes) of the features of one block of series written into the refit's
#: design by :func:`_pool_rows_into`.
REFIT_BLOCK_BYTES = 256 * 2**20


def _pool_rows_into(F, rows, X_btc, lengths, pooling, chunk_size):
    """Write the pooled features of the series ``rows`` into those rows of ``F``.

    In blocks of :data:`REFIT_BLOCK_BYTES`: computed for all of them at once, the
    features would be a second matrix nearly as large as ``F`` until copied in (on a
    FaceDetection-sized set, gigabytes). Each block is pooled by its own call, so the
    bank's spectra are computed once per block (a chunk's worth of FFTs each).
    """
    block = max(1, REFIT_BLOCK_BYTES // max(F.itemsize * F.shape[1], 1))  # series per block
    for start in range(0, len(rows), block):
        part = rows[start : start + block]
        F[part] = pooled_features(X_btc[part], pooling, lengths[part], chunk_size=chunk_size)


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
    probe = pooling_layout(estimator, X_btc.shape[1:], X_btc.shape[1], normalise=True)
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


def warn_linear_head(estimator, reason):
    """Warn that ``estimator``'s explicit ``kernel="rbf"`` gives the linear ridge, for
    ``reason``; ``"auto"`` (whose choice it is) and ``"linear"`` stay silent."""
    if estimator.kernel == "rbf":
        warn(
            f'kernel="rbf" is not used: {reason}; the linear ridge is fitted instead. Pass '
            f'kernel="linear" or "auto" to fit it without this warning.',
            SpectralFilterWarning,
        )


def warn_cross_block(estimator, n_channels):
    """Warn that the streaming fit leaves out the cross-channel block that
    ``estimator``'s explicit ``block_selection="off"`` (every pooled feature) with
    ``cross_channel=True`` asks for on ``n_channels >= 2`` channels; ``"loo"`` (which
    only offers the block to its selection) and ``cross_channel=False`` stay silent."""
    if estimator.block_selection == "off" and estimator.cross_channel and n_channels > 1:
        warn(
            'block_selection="off" with cross_channel=True: the cross-channel block is not '
            "used: with more training series than pooled features, or Dask input, the fit "
            "streams and uses the per-channel features only. Pass cross_channel=False to "
            "fit it without this warning.",
            SpectralFilterWarning,
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
    estimator.kernel_ = None  # the streaming path fits the linear ridge only
    warn_linear_head(
        estimator,
        "with more training series than pooled features, or Dask input, the fit streams "
        "(the kernel needs the in-memory leave-one-out)",
    )
    estimator.loo_decisions_ = loo
    # as the in-memory fit: over the series whose class has another, NaN when none has
    scored = scored_series(encoded)
    estimator.loo_score_ = (
        -float(np.mean((targets[scored] - loo[scored]) ** 2)) if scored.any() else np.nan
    )
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
    loo_decisions)``. Warns (:func:`warn_cross_block`) where the estimator asked for the
    cross-channel block, which this fit leaves out.
    """
    if is_dask_collection(X) or is_dask_collection(y):
        series = _DaskSeries(estimator, X, y, encode_targets)
    else:
        series = _InMemorySeries(estimator, X, y, encode_targets)
    fit, pooling = _choose_by_gcv(estimator, series, alphas_for, mixing_seed)
    warn_cross_block(estimator, pooling.n_channels)
    loo = series.loo_decisions(pooling, fit)
    _set_streamed_attributes(estimator, fit, pooling, series)
    return fit, series.targets, loo


def _representations(estimator):
    """The ``normalise`` values the streaming path compares: raw, then standardized,
    with ``"loo"``; else the estimator's one."""
    if estimator.normalise == "loo":
        return (False, True)
    return (bool(estimator.normalise),)


def _choose_by_gcv(estimator, series, alphas_for, mixing_seed):
    """``(fit, pooling)`` of the representation (:func:`_representations`) whose ridge
    has the smallest GCV score (ties: the first, raw one), each fitted on ``series``'
    first pass (the ``p x p`` factor)."""
    best = None
    for normalise in _representations(estimator):
        sample = series.threshold_sample(normalise)
        pooling = _pooling(estimator, sample, normalise, mixing_seed)
        fit = solve_by_gcv(series.factor(pooling), alphas_for(pooling))
        if best is None or fit.gcv_score < best[0].gcv_score:
            best = (fit, pooling)
    return best


def _set_streamed_attributes(estimator, fit, pooling, series):
    """The fitted attributes of the streaming path (every pooled per-channel feature
    used), with the meaning they have on the leave-one-out path."""
    mask = np.ones(pooling.n_features, dtype=bool)
    estimator.pooling_, _ = used_pooling(pooling, mask)
    estimator.n_mixtures_ = resolve_mixtures(
        estimator.n_mixtures, pooling.n_channels, estimator._auto_mixtures
    )
    estimator.normalise_ = pooling.normalise
    estimator.x_location_, estimator.x_scale_ = series.location, series.scale
    estimator.feature_mean_ = fit.feature_mean
    estimator.feature_scale_ = fit.feature_scale
    estimator.feature_mask_ = mask
    estimator.feature_set_ = "all"
    estimator.coef_ = fit.coef
    estimator.intercept_ = fit.intercept


class _InMemorySeries:
    """In-memory training series for the streaming ridge: validated (setting the
    estimator's input attributes), centred and scaled per channel, with their targets.

    Both passes over the data (:meth:`factor`, :meth:`loo_decisions`) compute the
    pooled features chunk by chunk (:func:`_chunk_rows` series at a time).
    """

    def __init__(self, estimator, X, y, encode_targets):
        X_btc, estimator.X_ndim_ = check_sequences(estimator, X, reset=True, allow_nan=True)
        self.targets = encode_targets(y, X_btc)
        self.location = channel_location(X_btc)
        X_btc = X_btc - self.location
        self.scale = channel_scale(X_btc)
        X_btc /= self.scale
        self.X_btc, self.lengths = X_btc, sequence_lengths(X_btc)
        self._estimator = estimator

    def threshold_sample(self, normalise):
        """The series a pooling's ``ppv`` thresholds are fitted on: all of them."""
        return self.X_btc

    def factor(self, pooling):
        """The first pass: the ridge's accumulated ``p x p`` factor of ``pooling``."""
        return accumulate_pooled(
            self.X_btc, self.lengths, pooling, self.targets, **self._chunks(pooling)
        )

    def loo_decisions(self, pooling, fit):
        """The second pass: the leave-one-out decisions of ``fit``."""
        return loo_decisions(
            self.X_btc, self.lengths, pooling, fit, self.targets, **self._chunks(pooling)
        )

    def _chunks(self, pooling):
        """Series per chunk of the passes (:func:`_chunk_rows`) and per chunk of the
        responses (the estimator's ``chunk_size``)."""
        return dict(
            chunk_rows=_chunk_rows(self._estimator, pooling.n_features, self.targets.shape[1]),
            chunk_size=self._estimator.chunk_size,
        )


class _DaskSeries:
    """Dask training series for the streaming ridge: validated on a stand-in (setting
    the estimator's input attributes), their per-channel location and scale computed on
    the workers, the targets computed here (and kept as a Dask array for the second
    pass). The series stay on the workers, but the few each representation's ``ppv``
    thresholds are fitted on (:meth:`threshold_sample`)."""

    def __init__(self, estimator, X, y, encode_targets):
        # y's values are checked by encode_targets (class labels of any dtype, or the
        # regressor's numeric targets)
        X, y = check_dask_inputs(X, y, labels=True)
        X_btc, estimator.X_ndim_ = check_sequences(estimator, _stand_in(X), reset=True)
        self.targets = encode_targets(np.asarray(y.compute()), X_btc)
        self.location, self.scale = _dask_location_scale(X)
        self.X, self._shape, self._estimator = X, X_btc.shape, estimator
        self._fetched = {}  # per representation: its bank's threshold series, fetched once
        self._targets_on_dask = check_dask_inputs(X, self.targets)[1]

    def threshold_sample(self, normalise):
        """The series :func:`_threshold_sample` fetches for representation ``normalise``."""
        return _threshold_sample(
            self._estimator,
            self.X,
            self._shape,
            self.location,
            self.scale,
            normalise,
            self._fetched,
        )

    def factor(self, pooling):
        """The first pass: the ridge's accumulated ``p x p`` factor of ``pooling``."""
        return accumulate_pooled_dask(
            self.X,
            self.targets,
            self._block_rows(pooling),
            self.targets.shape[1],
            samples_per_call=_chunk_rows(
                self._estimator, pooling.n_features, self.targets.shape[1]
            ),
        )

    def loo_decisions(self, pooling, fit):
        """The second pass: the leave-one-out decisions of ``fit``."""
        return loo_decisions_dask(self.X, self._targets_on_dask, self._block_rows(pooling), fit)

    def _block_rows(self, pooling):
        """The featurizer of each Dask block of series: centres, scales and pools it."""
        return PooledBlockRows(pooling, self.location, self.scale, self._estimator.chunk_size)


def _chunk_rows(estimator, n_features, n_targets):
    """Series per chunk: ``chunk_size``, else at least :data:`STREAM_CHUNK_BYTES` of
    features and at least as many series as the factor of ``[1 | F | Y]`` has columns.

    With at least that many rows, even the first chunk fills the square factor, so that
    every update of a wide factor is LAPACK's ``tpqrt``
    (:func:`~sksssm.spectral._lapack.stacked_factor`: ``geqrf`` on 3,336 rows of 3,341
    columns took 5.1 s, ``tpqrt`` about 1.5 s), and a chunk's features take about the
    memory of the factor itself.
    """
    if estimator.chunk_size is not None:
        return int(estimator.chunk_size)
    width = 1 + n_features + n_targets
    return max(width, STREAM_CHUNK_BYTES // (8 * n_features), 1)


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
    probe = pooling_layout(estimator, shape[1:], shape[1], normalise=normalise)
    rows = threshold_series(shape, probe.n_responses)
    key = rows.tobytes()
    if key not in fetched:
        fetched[key] = (to_btc(np.asarray(X[rows].compute(), dtype=np.float64)) - location) / scale
    return fetched[key]
