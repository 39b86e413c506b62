"""The closed-form spectral classifier: pooled spectral features + ridge with exact LOO."""

from __future__ import annotations

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import IntegerInterval, check_class_labels
from ..spectral._feature_sets import used_responses
from ..spectral._kernel_ridge import KERNELS
from ..spectral._pooling import (
    DEFAULT_MIXTURES,
    DEFAULT_SEGMENTS,
    DTYPES,
    STATISTICS,
)
from ..spectral._pooling_options import real_array
from ._base import fit_atomically, fitted_attributes
from ._channel_scaling import channel_location, channel_scale
from ._class_targets import class_scores, fit_temperature, scored_series
from ._head_combination import (
    HEAD_COMBINATIONS,
    SHARED_ATTRIBUTES,
    ensemble_temperature,
    tempered_scores,
)
from ._large_sets import fit_streaming_classifier, uses_streaming_head
from ._pooled import (
    bank_dilation,
    centred_and_scaled,
    check_padded_sequences,
    copy_fitted_attributes,
    mixing_seed,
    pooled_decision,
    pooled_decisions,
    pools_differences,
    resolve_mixtures,
)
from ._pooled_selection import choose_pooled_models

#: Default ridge penalties (on standardized pooled features). The pooled representation
#: has hundreds to tens of thousands of features, so useful penalties reach far above
#: ROCKET's ``logspace(-3, 3)``.
DEFAULT_ALPHAS = np.logspace(-3, 5, 17)
#: The classifier's ``ppv`` thresholds: 5 quantiles over the central 80% of the training
#: responses (the pooling functions' default has the 2% and 98% tails instead). Confirmed
#: against the previous 10/50/90% at four fresh seeds on the 37 development sets (issue
#: 21, session 47, section ``classifier_ablation_confirm_quantiles``).
CLASSIFIER_QUANTILES = (0.1, 0.3, 0.5, 0.7, 0.9)


class SpectralFilterClassifier(ClassifierMixin, BaseEstimator):
    """Closed-form time-series classifier: pooled spectral features + ridge.

    ROCKET's shape (fixed convolutions pooled over time, then a ridge classifier) with
    the spectral (STU) filters in place of random kernels:

    1. each channel of the series (and, in the standardized representation, of its
       first differences) is convolved causally with the identity, the filters of
       lengths ``8, 16, 32, ...`` up to the training length on both branches (smooth STU
       filters, or the length-8 ones dilated: ``dilation``) and ``n_mixtures`` random
       combinations of each length's filters;
    2. each response is pooled over the series' own valid steps by ``statistics``; with
       two channels or more a block of filtered cross-correlations between channels is
       offered too (``cross_channel``);
    3. the features are standardized and a one-vs-all ridge on ``{-1, +1}`` targets is
       fitted.

    **Model selection by exact leave-one-out.** Per representation, the feature set
    (one of the six of ``block_selection``, then the best of them with the cross-channel
    block), the
    penalty (``alphas``) and, with ``kernel="auto"``, a Gaussian-kernel ridge in place of
    the linear one are chosen by exact leave-one-out over the series whose class has
    another training series (when no class has two, a fixed model: the ``ppv`` features
    at the middle penalty). ``normalise="both"`` (the default) keeps the best model of
    the raw and of the standardized series (``estimators_``) and averages their tempered
    class scores; the probabilities are their ``softmax``, each head's temperature fitted
    on its leave-one-out decisions (``head_combination``).

    **Large sets.** Above 2,000 training series the candidates are compared on a
    class-stratified subsample of 1,000 (drawn from ``random_state``) and one head is
    fitted on all of them; with more series than pooled features, or Dask input, the
    ridge runs on the streaming QR core with GCV (:mod:`sksssm.estimators._large_sets`),
    on every per-channel pooled feature: no feature-set selection and no cross-channel
    block (``block_selection``, ``cross_channel``).

    Unequal lengths: pass a NaN-padded array (each series padded with NaN at its end, in
    every channel at once); every statistic is pooled over the series' own length.
    ``predict`` accepts 3D series of any length (2D input must keep the training length,
    as ``n_features_in_`` is the number of time steps there). The user guide
    (classification) explains each choice and gives its measurements.

    Parameters
    ----------
    n_filters : int, default=16
        Spectral filters per filter length and branch (capped at the number of usable
        filters of each length: 8 at length 8, 11 at 16, 13 at 32, ...).
    filter_lengths : array-like of int or None, default=None
        None: ``8, 16, 32, ...`` below the longest training series, then its length.
    use_negative : bool, default=True
        Include the alternating-sign filters.
    n_mixtures : int or "auto", default="auto"
        Random linear combinations of the filters of each group (one length, one
        branch) per channel, drawn from ``random_state``. 0 for the plain filters only.
        "auto": 32 shared out among the channels, ``ceil(32 / n_channels)`` per group
        and channel (32 for one channel, the same model as ``n_mixtures=32``), so that
        the mixtures' responses, and their cost, do not grow with the channels
        (:func:`~sksssm.estimators._pooled.resolve_mixtures`); the number used is
        ``n_mixtures_``.
    differences : bool or "standardized", default="standardized"
        Also pool the responses of the first differences of each channel: True or
        False for every representation; "standardized" (the default) for the
        standardized representation only, so that they are filtered and pooled once
        even when the heads' banks differ (``dilation="raw"``). The two heads'
        first-difference features are the same responses up to one positive factor per
        series, so the raw head's copy adds little. With one representation
        "standardized" is True for ``normalise=True`` and False for ``normalise=False``
        (the raw head of the default); with "loo" each candidate as its representation
        says. Each head in ``estimators_`` has its own representation's ``differences``.
    statistics : array-like of str, default=sksssm.spectral._pooling.STATISTICS
        Pooling statistics (see :func:`sksssm.spectral.fit_pooling`); the default is all
        of ``("mean", "std", "max", "min", "ppv", "last", "peak", "segment_mean",
        "segment_std")``.
    quantiles : array-like of float, default=(0.1, 0.3, 0.5, 0.7, 0.9)
        Distinct quantiles in ``[0, 1]`` of the training responses used as the ``ppv``
        thresholds.
    n_segments : int, default=4
        Equal parts of each series (relative to its own length) for the ``segment_*``
        statistics.
    normalise : bool, "loo" or "both", default="both"
        True: standardize each channel of each series over its own valid steps before the
        filters and append its raw mean and log standard deviation (two features per
        channel). False: the raw series. "loo": fit both and keep the one with the
        smaller leave-one-out error. "both": keep both and average them ("Two
        representations" and "Large sets" above).
    block_selection : {"loo", "off"}, default="loo"
        "loo": choose among six feature sets, and whether to add the cross-channel
        block, by leave-one-out error (ties: the first): ``"all"`` (every pooled
        feature), ``"no_alternating"`` (without the alternating-sign responses),
        ``"no_segments"`` (without the ``segment_*`` statistics),
        ``"no_alternating_no_segments"`` (without either), ``"ppv_only"`` (only the
        ``ppv`` statistics, MiniRocket's representation, and the ``normalise`` scale
        features) and ``"ppv_only_no_alternating"`` (the same without the
        alternating-sign responses). "off": use every pooled feature (the cross-channel
        block included, with its weight). Applies to the in-memory leave-one-out fit:
        the streaming fit (Dask input, or more training series than pooled features;
        "Large sets" above) uses every per-channel feature and never the cross-channel
        block, with a :class:`~sksssm.exceptions.SpectralFilterWarning` for multichannel
        data when "off" and ``cross_channel=True`` ask for it.
    cross_channel : bool, default=True
        Offer the cross-channel block (two channels or more) to the leave-one-out
        selection: filtered cross-correlations ``mean_t (phi * u_i)[t] u_j[t]`` of the
        standardized channels for every bank filter ``phi`` and ordered channel pair,
        every pair up to 16 channels, each channel with its nearest cyclic neighbours
        beyond (:func:`sksssm.spectral._pooling.cross_pairs`). False: per-channel
        features only. The streaming fit has no cross-channel block either way (see
        ``block_selection``).
    alphas : array-like of float or None, default=None
        Candidate ridge penalties: positive finite real numbers (strings and booleans
        are refused); None: ``numpy.logspace(-3, 5, 17)``.
    chunk_size : int or None, default=None
        Series per chunk for the features; None: a few MiB of responses per chunk
        (:data:`sksssm.spectral._pooling.CHUNK_BUDGET_BYTES`, kept in the CPU cache).
    random_state : int, RandomState instance or None, default=None
        Draws the weights of the ``n_mixtures`` random filter combinations (the only
        randomness; one seed is drawn per ``fit`` and shared by both representations of
        ``normalise="loo"``). Pass an int for the same model at every fit; None: a new
        draw per fit (:func:`sklearn.utils.check_random_state`).
    dtype : {"float32", "float64"}, default="float32"
        Precision of the filter responses and their pooled statistics
        (:func:`sksssm.spectral.fit_pooling`); the ridge is float64 either way.
        "float32" about halves the feature time; its features agree with float64 to
        about ``1e-6`` of each response's magnitude (``ppv`` counts can differ where a
        response sits that close to a threshold). "float64" for decisions exact to
        float64 round-off (e.g. inputs spanning hundreds of orders of magnitude).
        Applies to the in-memory leave-one-out fit; the streaming fit (Dask input, or
        more training series than pooled features) always pools in float64, because
        its ridge core tells constant columns at float64 resolution (features constant
        up to float32 round-off would be fitted as noise).
    dilation : {"none", "all", "raw"}, default="raw"
        The filters at the lengths ``L >= 16`` of each representation's bank
        (:func:`sksssm.spectral.filter_bank`). "none": the smooth STU filters of that
        length. "all": the length-8 STU filters (and their alternating branch) with
        their taps ``L / 8`` apart, ROCKET's dilated kernels, which see local shape at
        coarse scales where the smooth long filters average it away. "raw" (the
        default): the raw series' bank dilated and the standardized series' smooth, so
        that the two heads of ``normalise="both"`` see the series through different
        filters; with one representation it is "all" for ``normalise=False`` and "none"
        for ``normalise=True`` (the default's heads); with "loo" each candidate has its
        own bank. Each head in ``estimators_`` has the ``dilation`` of its own bank.
    pooled_filters : {"auto", "all", "mixtures"}, default="auto"
        The filters whose responses each channel is pooled over. "all": the identity,
        the bank's filters and the ``n_mixtures`` mixtures of each group. "mixtures": the
        identity and the mixtures only, each mixture convolved as a filter of its own
        (its group's filters times its weights; the bank's filters are never convolved
        one by one), and the cross-channel block over the same filters; needs
        ``n_mixtures >= 1``. "auto": "mixtures" on wide data, where "all" would pool more
        than :data:`~sksssm.spectral._pooled_filter_choice.MAX_POOLED_FEATURES` (131,072)
        per-channel features for the standardized series (tens of channels or more:
        memory and time then outgrow a workstation), else "all"; one channel and every
        development set get "all"
        (:func:`~sksssm.spectral._pooled_filter_choice.resolve_pooled_filters`). The heads'
        ``pooling_.bank`` holds the filters used.

    kernel : {"auto", "linear", "rbf"}, default="auto"
        The model on each head's chosen feature set. "linear": the ridge on the features.
        "rbf": the ridge with the Gaussian kernel ``exp(-gamma ||z - z'||^2)`` on the same
        standardized features, its bandwidth (``gamma`` a multiple of the inverse median
        squared distance between training series) and penalty chosen by exact
        leave-one-out (:mod:`sksssm.spectral._kernel_ridge`). "auto" (the default): the
        kernel ridge where its leave-one-out accuracy is higher than the linear ridge's,
        else the linear one. The kernel model keeps its training
        features (``n_samples x n_used_features``, at most
        :data:`~sksssm.spectral._kernel_ridge.MAX_TRAIN_BYTES`, 256 MiB, else the
        linear ridge) and costs an ``n_samples x n_samples`` eigendecomposition per
        bandwidth; it is only offered up to the size rule's limit (2,000 training
        series), off the streaming path (more series than pooled features, or Dask
        input; "Large sets" above) and when a series can be scored (a class has two
        training series). Where it is not offered the heads are the linear ridge:
        silently with "auto", with a :class:`~sksssm.exceptions.SpectralFilterWarning`
        naming the reason with "rbf".

    head_combination : {"tempered", "mean"}, default="tempered"
        How ``normalise="both"`` combines its heads. "tempered": the mean of the heads'
        tempered class scores, each head's decision values times its own temperature
        (the normalized geometric mean of their probabilities). "mean": the mean of the
        heads' class scores, times one temperature for the ensemble, fitted on the mean
        of the heads' leave-one-out decision values (the ensemble's own leave-one-out
        decisions). Ignored with one representation.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (any type).
    estimators_ : list of SpectralFilterClassifier
        Only with ``normalise="both"``: the heads, each fitted with the attributes
        below, which the ensemble itself does not have (it has ``classes_``,
        ``estimators_``, ``n_mixtures_``, ``x_location_``, ``x_scale_``,
        ``n_features_in_``, ``X_ndim_`` and ``feature_names_in_``). Two heads
        (``normalise=False``, then ``True``) up to 2,000 training series; one (the better
        by leave-one-out on the subsample, or by GCV on the streaming path) above, see
        "Large sets".
    pooling_ : sksssm.spectral.PoolingState
        Filter bank and ``ppv`` thresholds fitted on the training series, reduced to the
        statistics (and cross-channel block) the chosen feature set uses.
    n_mixtures_ : int
        The random mixtures per filter group and channel used: ``n_mixtures``, or what
        ``"auto"`` resolved to for the training series' channels.
    normalise_ : bool
        Whether the chosen representation standardizes each series (``pooling_.normalise``).
    x_location_ : ndarray of shape (n_channels,)
        Mid-range of each channel in the training series; every series is centred on it
        before filtering (an offset keeps no round-off of its own size).
    x_scale_ : ndarray of shape (n_channels,)
        Largest magnitude of each centred channel in the training series; every series is
        divided by it before filtering (no overflow for huge inputs).
    feature_mean_, feature_scale_ : ndarray of shape (n_pooled_features,)
        Standardization of the pooled features (``n_pooled_features`` is
        ``pooling_.n_features``; ``feature_scale_`` includes the weight of the
        cross-channel columns: their scale divided by the weight).
    feature_mask_ : ndarray of bool of shape (n_pooled_features,)
        The pooled features the ridge uses.
    feature_set_ : str
        Name of the chosen feature set (one of the six of ``block_selection``), with
        ``"+cross"`` appended when the cross-channel block is used.
    coef_ : ndarray of shape (n_used_features, n_targets)
        Ridge weights on the standardized, selected features; one target column for two
        classes (positive: ``classes_[1]``), else one per class.
    intercept_ : ndarray of shape (n_targets,)
    alpha_ : float
        The chosen penalty.
    kernel_ : sksssm.spectral._kernel_ridge.RbfRidge or None
        The Gaussian-kernel ridge that makes the decisions (``kernel``), or None: the
        linear ridge (``coef_``, ``intercept_``) does. ``coef_`` and ``alpha_`` are the
        linear ridge's either way.
    loo_score_ : float
        Minus the mean squared leave-one-out error of the chosen model, over the series
        whose class has another training series; NaN when none has.
    temperature_ : float
        The probability temperature ``tau``; on the ensemble itself too with
        ``head_combination="mean"`` (its one temperature).
    loo_decisions_ : ndarray of shape (n_samples, n_targets)
        The leave-one-out decision values of the training series under the model that
        decides (the linear or the kernel ridge), which its temperature is fitted on.
    n_features_in_ : int
        Time steps (2D ``X``) or channels (3D ``X``), as everywhere in sksssm.
    X_ndim_ : int
        Dimensions of the training ``X`` (2 or 3); ``predict`` requires the same.
    feature_names_in_ : ndarray of str
        Only when ``X`` is a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import SpectralFilterClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(64)
    >>> y = np.repeat(["slow", "fast"], 20)
    >>> freq = np.where(y == "slow", 0.05, 0.15)[:, None]
    >>> phase = rng.uniform(0, 6, (40, 1))
    >>> X = np.sin(2 * np.pi * freq * t + phase) + rng.normal(0, 0.3, (40, 64))
    >>> clf = SpectralFilterClassifier(random_state=0).fit(X, y)
    >>> clf.classes_.tolist()
    ['fast', 'slow']
    >>> float(clf.score(X, y))
    1.0
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> [head.normalise_ for head in clf.estimators_]
    [False, True]
    >>> feature_sets = ("all", "no_alternating", "no_segments", "no_alternating_no_segments",
    ...                 "ppv_only", "ppv_only_no_alternating")  # block_selection's six
    >>> clf.estimators_[0].feature_set_ in feature_sets
    True
    """

    #: Takes NaN-padded unequal-length series (read by the sktime adapter).
    _sksssm_unequal_length = True
    #: The mixtures of one channel that ``n_mixtures="auto"`` shares out among the
    #: channels (:func:`~sksssm.estimators._pooled.resolve_mixtures`).
    _auto_mixtures = DEFAULT_MIXTURES

    _parameter_constraints: dict = {
        "n_filters": [IntegerInterval(1)],
        "filter_lengths": [None, "array-like"],
        "use_negative": ["boolean"],
        "n_mixtures": [IntegerInterval(0), StrOptions({"auto"})],
        "differences": ["boolean", StrOptions({"standardized"})],
        "statistics": ["array-like"],
        "quantiles": ["array-like"],
        "alphas": [None, "array-like"],
        "n_segments": [IntegerInterval(1)],
        "block_selection": [StrOptions({"loo", "off"})],
        "normalise": ["boolean", StrOptions({"loo", "both"})],
        "cross_channel": ["boolean"],
        "chunk_size": [None, IntegerInterval(1)],
        "random_state": ["random_state"],
        "dtype": [StrOptions(set(DTYPES))],
        "dilation": [StrOptions({"none", "all", "raw"})],
        "pooled_filters": [StrOptions({"auto", "all", "mixtures"})],
        "kernel": [StrOptions(set(KERNELS))],
        "head_combination": [StrOptions(set(HEAD_COMBINATIONS))],
    }

    def __init__(
        self,
        n_filters=16,
        *,
        filter_lengths=None,
        use_negative=True,
        n_mixtures="auto",
        differences="standardized",
        statistics=STATISTICS,
        quantiles=CLASSIFIER_QUANTILES,
        n_segments=DEFAULT_SEGMENTS,
        normalise="both",
        block_selection="loo",
        cross_channel=True,
        alphas=None,
        chunk_size=None,
        random_state=None,
        dtype="float32",
        dilation="raw",
        pooled_filters="auto",
        kernel="auto",
        head_combination="tempered",
    ):
        self.n_filters = n_filters
        self.filter_lengths = filter_lengths
        self.use_negative = use_negative
        self.n_mixtures = n_mixtures
        self.differences = differences
        self.statistics = statistics
        self.quantiles = quantiles
        self.n_segments = n_segments
        self.normalise = normalise
        self.block_selection = block_selection
        self.cross_channel = cross_channel
        self.alphas = alphas
        self.chunk_size = chunk_size
        self.random_state = random_state
        self.dtype = dtype
        self.dilation = dilation
        self.pooled_filters = pooled_filters
        self.kernel = kernel
        self.head_combination = head_combination

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the pooled features and the ridge classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
            Series; unequal lengths NaN-padded at the end.
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).

        Returns
        -------
        self : SpectralFilterClassifier
        """
        return fit_atomically(self, SpectralFilterClassifier._fit, X, y)

    def _fit(self, X, y):
        for name in fitted_attributes(self):  # one or two heads: none of a previous fit
            delattr(self, name)
        alphas = _checked_alphas(self.alphas)
        seed = mixing_seed(self.random_state)  # one draw, shared by every representation
        # Large sets (more series than features) and Dask input: the streaming QR head
        if uses_streaming_head(self, X, y):
            if self.normalise != "both":
                return fit_streaming_classifier(self, X, y, alphas, seed)
            # many series: one head, its representation chosen by GCV (the size rule)
            head = self._head("loo")
            fit_streaming_classifier(head, X, y, alphas, seed)
            self.estimators_ = [head]
            if self.head_combination == "mean":  # one head: its own temperature
                self.temperature_ = head.temperature_
            return copy_fitted_attributes(head, self, SHARED_ATTRIBUTES)
        X_btc, lengths = check_padded_sequences(self, X, reset=True)
        y = check_class_labels(self, y, len(X_btc))
        # the number of mixtures used (the two heads get it through SHARED_ATTRIBUTES)
        self.n_mixtures_ = resolve_mixtures(self.n_mixtures, X_btc.shape[2], self._auto_mixtures)
        # Fixed per-channel location and scale: the series enter the filters centred on
        # their training mid-range (an offset of 1e12 would otherwise leave the FFT
        # round-off of the offset, 1e-4, on signal of order 1) and of magnitude <= 1
        # (inputs of any magnitude cannot overflow in the pooled squares).
        self.x_location_ = channel_location(X_btc)
        X_btc = X_btc - self.x_location_
        self.x_scale_ = channel_scale(X_btc)
        X_btc /= self.x_scale_
        self.classes_, encoded = np.unique(y, return_inverse=True)
        models = choose_pooled_models(self, X_btc, lengths, encoded, alphas, seed)
        if self.normalise != "both":
            return self._set_model(*models[0], encoded)
        self.estimators_ = []
        for model in models:
            head = copy_fitted_attributes(self, self._head(model[1].normalise), SHARED_ATTRIBUTES)
            self.estimators_.append(head._set_model(*model, encoded))
        if self.head_combination == "mean":
            self.temperature_ = ensemble_temperature(self.estimators_, encoded)

    def _head(self, normalise):
        """An unfitted copy of this classifier with another ``normalise`` (a head).

        A one-representation head (``normalise`` a bool) gets the ``dilation`` of its
        own bank (``"all"`` or ``"none"``, :func:`~sksssm.estimators._pooled.bank_dilation`)
        and the ``differences`` of its own representation (a bool,
        :func:`~sksssm.estimators._pooled.pools_differences`), so that its parameters
        describe its model alone.
        """
        if isinstance(normalise, str):
            return clone(self).set_params(normalise=normalise)
        return clone(self).set_params(
            normalise=normalise,
            dilation=bank_dilation(self, normalise),
            differences=pools_differences(self, normalise),
        )

    def _set_model(self, fit, pooling, mean, scale, kernel, encoded):
        """Set the fitted attributes of one representation's model; returns ``self``."""
        # the chosen block weights folded into the standardization: predict multiplies
        # the cross-channel columns by the same weight
        scale = scale / fit.weights
        # predict computes only what is used: statistics, cross block, filter branch
        pooling, keep = used_responses(pooling, fit.mask)
        self.kernel_ = kernel
        chosen = fit if kernel is None else kernel
        self.loo_decisions_ = chosen.loo_decisions
        self.temperature_ = fit_temperature(class_scores(chosen.loo_decisions), encoded)
        self.pooling_ = pooling
        self.normalise_ = pooling.normalise
        self.feature_mean_ = mean[keep]
        self.feature_scale_ = scale[keep]
        self.feature_mask_ = fit.mask[keep]
        self.feature_set_ = fit.name
        self.coef_ = fit.coef
        self.intercept_ = fit.intercept
        self.alpha_ = float(fit.alpha)
        # nothing scored (one series per class): no leave-one-out score
        self.loo_score_ = float(chosen.score) if scored_series(encoded).any() else np.nan
        return self

    def _prepared(self, X):
        """``(X_btc, lengths)``: ``X`` validated, centred and scaled as at fit."""
        check_is_fitted(self, "classes_")
        return centred_and_scaled(self, X)

    def _scaled_tempered_scores(self, X):
        """``(T, r)``: ``T * r`` the tempered class scores, one column per class.

        ``temperature_`` times the class scores (``[-d, d]`` for two classes), averaged
        over the heads with ``"both"`` (``head_combination="mean"``: the class scores
        averaged, then times the ensemble's ``temperature_``); ``r >= 1`` a power of two
        per series, 1 within the training range, so that a value of 1e300 gives finite
        ``T``, exact to round-off
        (:func:`~sksssm.estimators._pooled.pooled_decisions`).
        """
        X_btc, lengths = self._prepared(X)
        heads = getattr(self, "estimators_", [self])
        decisions = pooled_decisions(heads, X_btc, lengths)  # one set of FFTs for all
        scores = tempered_scores(self, heads, [decision for decision, _ in decisions])
        # r depends only on the series (pooled_decisions): the same for every head
        return scores, decisions[0][1]

    def _tempered_scores(self, X):
        """The tempered scores shifted by their row maximum (stable at any scale)."""
        scores, r = self._scaled_tempered_scores(X)
        shifted = scores - scores.max(axis=1, keepdims=True)
        with np.errstate(over="ignore"):  # -inf where a class is hopelessly behind
            return shifted * r[:, None]

    def decision_function(self, X):
        """Decision values.

        One representation: the ridge decision values. ``normalise="both"``: the mean of
        the heads' tempered class scores (their mean log-probability up to a constant
        per series; ``head_combination="mean"``: the ensemble's temperature times the
        mean of their class scores); for two classes the log-odds of ``classes_[1]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (positive: ``classes_[1]``), else
        (n_samples, n_classes)
        """
        if hasattr(self, "estimators_"):
            decision, r = self._scaled_tempered_scores(X)
            if decision.shape[1] == 2:
                decision = decision[:, 1:] - decision[:, :1]
        else:
            X_btc, lengths = self._prepared(X)
            decision, r = pooled_decision(self, X_btc, lengths)
        with np.errstate(over="ignore"):  # +-inf only where the value exceeds float64
            decision *= r[:, None]
        return decision[:, 0] if decision.shape[1] == 1 else decision

    def predict(self, X):
        """Predicted class labels (argmax of the (mean) tempered class scores).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores, _ = self._scaled_tempered_scores(X)  # r > 0: the same argmax
        return self.classes_[scores.argmax(axis=1)]

    def predict_proba(self, X):
        """Class probabilities: ``softmax`` of the (mean) tempered class scores.

        One representation: ``softmax(temperature_ * decision values)``;
        ``normalise="both"``: the normalized geometric mean of the heads' probabilities
        (``head_combination="mean"``: ``softmax`` of the ensemble's ``temperature_``
        times the mean of the heads' class scores).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return softmax(self._tempered_scores(X), axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (computed stably).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return log_softmax(self._tempered_scores(X), axis=1)


def _checked_alphas(alphas):
    """``alphas`` as an array (None: :data:`DEFAULT_ALPHAS`), or a ValueError (an entry
    not a real number, or not a non-empty 1D array of positive finite values)."""
    if alphas is None:
        return DEFAULT_ALPHAS
    message = f"alphas must be a non-empty 1D array of positive finite penalties, got {alphas!r}."
    checked = real_array(alphas, message)  # strings and bools refused
    if checked.ndim != 1 or checked.size == 0 or not (np.isfinite(checked) & (checked > 0)).all():
        raise ValueError(message)
    return checked
