"""Series-to-value regression: the classifier's pooled spectral features + ridge with LOO."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import IntegerInterval, check_sequence_targets, standardization
from ..spectral._feature_sets import used_pooling
from ..spectral._pooling import DEFAULT_QUANTILES, STATISTICS
from ..spectral._pooling_options import real_array
from ._base import fit_atomically, fitted_attributes
from ._channel_scaling import channel_location, channel_scale
from ._large_sets import fit_streamed_ridge, uses_streaming_head
from ._pooled import (
    INPUT_ATTRIBUTES,
    centred_and_scaled,
    check_padded_sequences,
    copy_fitted_attributes,
    mixing_seed,
    pooled_decisions,
    resolve_mixtures,
)
from ._pooled_selection import choose_regression_models

#: Default ridge penalties, relative to the mean eigenvalue of the standardized design's
#: Gram matrix (about the number of pooled columns, each of unit variance).
DEFAULT_RELATIVE_ALPHAS = np.logspace(-6, 2, 17)
#: Default number of equal segments for the ``segment_*`` statistics (the classifier's is
#: 4). Series-to-value targets often depend on *where* in the series something happens
#: (Tecator: absorbance at given wavelengths): on Tecator's training set the
#: leave-one-out RMSE fell from 0.72 with 4 segments to 0.61 with 8 and 0.58 with 16.
DEFAULT_REGRESSION_SEGMENTS = 16
#: Smallest relative penalty accepted (the penalty floor). Ridge bounds the norm of the
#: weights on standardized features by ``||y - mean y|| / (2 sqrt(alpha))``; without a
#: floor, leave-one-out can pick a penalty so small on a tiny set of near-duplicate
#: series that the weights interpolate their target differences and predictions on new
#: series diverge (tests/test_spectral_sequence_regressor.py shows such a set).
MIN_RELATIVE_ALPHA = 1e-6
#: Default number of random filter mixtures per filter group (the classifier's is 32). On
#: the training sets of Tecator and Covid3Month the leave-one-out RMSE (seeds 0, 1, 2) is
#: lower with 64 than with 32 (Tecator 0.551 against 0.561; Covid3Month 0.0393 against
#: 0.0394) and 128 lowers it no further; the features cost about twice as much. See the
#: ``tser_ablation`` section of docs/benchmarks.md.
DEFAULT_REGRESSION_MIXTURES = 64
#: Default number of ridge heads averaged (``n_heads``): the (feature set, penalty)
#: pairs with the smallest leave-one-out errors. See the ``tser_ablation`` section of
#: docs/benchmarks.md.
DEFAULT_HEADS = 5


class SpectralFilterSequenceRegressor(RegressorMixin, BaseEstimator):
    """Closed-form series-to-value regressor: pooled spectral features + ridge.

    One value per series (time-series extrinsic regression, e.g. the TSER archive), with
    the representation of :class:`~sksssm.SpectralFilterClassifier`: every channel (and
    its first differences) is convolved with the identity, the spectral (STU) filters of
    lengths ``8, 16, 32, ...`` and ``n_mixtures`` random combinations of them; each
    response is pooled over the series' valid steps by ``statistics`` (see
    :func:`sksssm.spectral.fit_pooling`); the pooled features are standardized and a ridge
    regression is fitted to the standardized targets.

    **Model selection by exact leave-one-out**, as in the classifier: the penalty (among
    ``alphas``), the representation (``normalise="loo"``: raw series or series
    standardized per channel) and the feature set (``block_selection="loo"``, the
    candidates of :data:`~sksssm.spectral._feature_sets.FEATURE_SETS`, then the
    cross-channel block for two channels or more) are chosen together by the smallest
    exact leave-one-out squared error of the standardized targets
    (:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`).

    **A small ensemble of heads** (``n_heads``): the ridge heads of the ``n_heads``
    (feature set, penalty) pairs with the smallest leave-one-out errors are averaged
    (one linear head on the union of their columns). Their leave-one-out errors differ
    by less than their noise on small sets, so the average smooths the choice. Its
    exact leave-one-out predictions are the average of theirs; their error chooses the
    representation (all heads come from one, so ``predict`` pools each series once).

    **Both representations** (``normalise="both"``, as the classifier's default): the
    model of each representation (its ``n_heads`` averaged heads) is kept in
    ``estimators_`` and ``predict`` averages their predictions; its exact leave-one-out
    predictions are the average of theirs (``loo_rmse_``). Not the default here: on
    Tecator and Covid3Month (seeds 0, 1, 2) the average's test RMSE was worse than the
    one representation chosen by ``"loo"`` on both sets, and letting leave-one-out
    choose among raw, standardized and their average gained nothing (user guide,
    regression).

    **Large sets.** When the training series outnumber the per-channel pooled features,
    or ``X`` is a Dask array, the classifier's streaming QR head is used instead
    (:mod:`sksssm.estimators._large_sets`): features in chunks of series, the penalty and
    ``normalise`` chosen by GCV, every per-channel feature. ``"both"`` then keeps that
    one head (``estimators_`` of length 1), as the classifier does.

    **Penalty floor.** ``alphas`` are relative to the mean eigenvalue of the standardized
    design's Gram matrix (the number of pooled columns) and must be at least
    ``MIN_RELATIVE_ALPHA = 1e-6``: the ridge weights' norm is at most ``||y - mean y|| /
    (2 sqrt(alpha))``, so a floor bounds every prediction on a new series. Without it
    leave-one-out can choose a vanishing penalty on a tiny set of near-duplicate series
    and the predictions on new series diverge.

    Why a separate estimator rather than an option of
    :class:`~sksssm.SpectralFilterRegressor`: that regressor is a linear system (a linear
    functional of the inputs, fitted by streaming QR), whose parameters (``input_lags``,
    ``ar_order``, ``return_sequences``) mean nothing here, while this one is the
    classifier's pooled non-linear representation. For ``y`` of shape ``(n,)`` with ``X``
    of shape ``(n, C, L)``, use this estimator when the target depends on the *shape* of
    the series (spectra, events, amplitudes) and ``SpectralFilterRegressor`` when it is a
    linear filter of the inputs (the output of a linear system at the last step).

    Parameters
    ----------
    n_filters : int, default=16
        Spectral filters per filter length and branch (capped per length).
    filter_lengths : array-like of int or None, default=None
        None: ``8, 16, 32, ...`` below the longest training series, then its length.
    use_negative : bool, default=True
        Include the alternating-sign filters.
    n_mixtures : int or "auto", default=64
        Random linear combinations of the filters of each group per channel, drawn from
        ``random_state``; 0 for the plain filters only (twice the classifier's 32: see
        ``DEFAULT_REGRESSION_MIXTURES``). "auto": 64 shared out among the channels,
        ``ceil(64 / n_channels)`` per group and channel (64 for one channel, the same
        model as ``n_mixtures=64``), so that the mixtures' responses, and their cost, do
        not grow with the channels
        (:func:`~sksssm.estimators._pooled.resolve_mixtures`); the number used is
        ``n_mixtures_``. Not the default: on synthetic multichannel tasks it took 0.25x
        the time but its RMSE was up to 1.16x the default's; a gentler share,
        ``ceil(64 / sqrt(n_channels))``, took 0.41x with an RMSE up to 1.10x (user
        guide, regression).
    differences : bool, default=True
        Also pool the responses of the first differences of each channel.
    statistics : array-like of str, default=sksssm.spectral._pooling.STATISTICS
        Pooling statistics (:func:`sksssm.spectral.fit_pooling`).
    quantiles : array-like of float, default=(0.02, 0.1, 0.5, 0.9, 0.98)
        Distinct quantiles in ``[0, 1]`` of the training responses used as the ``ppv``
        thresholds.
    n_segments : int, default=16
        Equal parts of each series for the ``segment_*`` statistics (more than the
        classifier's 4: see ``DEFAULT_REGRESSION_SEGMENTS``).
    normalise : bool, "loo" or "both", default="loo"
        True: standardize each channel of each series before the filters (and append its
        raw mean and log standard deviation); False: the raw series; "loo": both, the one
        with the smaller leave-one-out error kept; "both": both kept and their
        predictions averaged ("Both representations" above).
    block_selection : {"loo", "off"}, default="loo"
        "loo": choose the feature set and the cross-channel block by leave-one-out;
        "off": every pooled feature (the cross-channel block included). Applies to the
        in-memory leave-one-out fit: the streaming fit ("Large sets" above) uses every
        per-channel feature and never the cross-channel block, with a
        :class:`~sksssm.exceptions.SpectralFilterWarning` for multichannel data when
        "off" and ``cross_channel=True`` ask for it.
    cross_channel : bool, default=True
        Offer the cross-channel block (two channels or more) to the selection (not on
        the streaming fit, see ``block_selection``).
    n_heads : int, default=5
        Ridge heads averaged (see above); 1: the single best head. The streaming head
        of large sets fits one head (its penalty by GCV).
    alphas : array-like of float or None, default=None
        Candidate penalties relative to the mean Gram eigenvalue: finite real numbers
        (strings and booleans are refused), each at least ``1e-6``
        (``MIN_RELATIVE_ALPHA``); None: ``numpy.logspace(-6, 2, 17)``.
    chunk_size : int or None, default=None
        Series per chunk for the features; None: about 128 MiB of responses per chunk.
    random_state : int, RandomState instance or None, default=None
        Draws the weights of the ``n_mixtures`` random filter combinations.

    Attributes
    ----------
    estimators_ : list of SpectralFilterSequenceRegressor
        Only with ``normalise="both"``: the heads (``normalise=False``, then ``True``;
        one on the streaming path), each fitted with the attributes below. The ensemble
        itself has ``estimators_``, ``loo_rmse_`` (of the average), ``n_mixtures_`` and
        the input and target attributes (``x_location_``, ``x_scale_``, ``y_mean_``,
        ``y_scale_``, ``n_features_in_``, ``X_ndim_``).
    pooling_ : sksssm.spectral.PoolingState
        Filter bank and ``ppv`` thresholds, reduced to the statistics the chosen feature
        set uses.
    n_mixtures_ : int
        The random mixtures per filter group and channel used: ``n_mixtures``, or what
        ``"auto"`` resolved to for the training series' channels.
    normalise_ : bool
        Whether the chosen representation standardizes each series.
    x_location_, x_scale_ : ndarray of shape (n_channels,)
        Centring and scaling of each channel before the filters (as in the classifier).
    feature_mean_, feature_scale_ : ndarray of shape (n_pooled_features,)
        Standardization of the pooled features (cross-channel weight folded in).
    feature_mask_ : ndarray of bool of shape (n_pooled_features,)
        The pooled features the ridge uses.
    feature_set_ : str
        Name of the chosen feature set (``"+cross"`` when the cross block is used).
    coef_ : ndarray of shape (n_used_features, n_targets)
        Ridge weights on the standardized, selected features, for standardized targets.
    intercept_ : ndarray of shape (n_targets,)
    y_mean_, y_scale_ : ndarray of shape (n_targets,)
        Standardization of the targets.
    alpha_ : float
        The penalty of the best head, relative to the mean Gram eigenvalue.
    heads_ : list of (str, float)
        Feature set and relative penalty of each averaged head, best first.
    loo_rmse_ : ndarray of shape (n_targets,)
        Leave-one-out root-mean-squared error of the chosen model, in the units of ``y``.
    n_features_in_ : int
        Time steps (2D ``X``) or channels (3D ``X``).
    X_ndim_ : int
        Dimensions of the training ``X`` (2 or 3).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import SpectralFilterSequenceRegressor
    >>> rng = np.random.default_rng(0)
    >>> amplitude = rng.uniform(0.5, 2.0, 40)
    >>> X = amplitude[:, None] * np.sin(np.linspace(0, 12, 64)) + rng.normal(0, 0.1, (40, 64))
    >>> reg = SpectralFilterSequenceRegressor(random_state=0).fit(X[:30], amplitude[:30])
    >>> bool(np.sqrt(np.mean((reg.predict(X[30:]) - amplitude[30:]) ** 2)) < 0.1)
    True

    Both representations kept and averaged:

    >>> both = SpectralFilterSequenceRegressor(normalise="both", random_state=0)
    >>> both = both.fit(X[:30], amplitude[:30])
    >>> [head.normalise_ for head in both.estimators_]
    [False, True]
    >>> heads = np.mean([head.predict(X[30:]) for head in both.estimators_], axis=0)
    >>> bool(np.allclose(both.predict(X[30:]), heads))
    True
    """

    #: Takes NaN-padded unequal-length series (read by the sktime adapter).
    _sksssm_unequal_length = True
    #: The mixtures of one channel that ``n_mixtures="auto"`` shares out among the
    #: channels (:func:`~sksssm.estimators._pooled.resolve_mixtures`).
    _auto_mixtures = DEFAULT_REGRESSION_MIXTURES

    _parameter_constraints: dict = {
        "n_filters": [IntegerInterval(1)],
        "filter_lengths": [None, "array-like"],
        "use_negative": ["boolean"],
        "n_mixtures": [IntegerInterval(0), StrOptions({"auto"})],
        "differences": ["boolean"],
        "statistics": ["array-like"],
        "quantiles": ["array-like"],
        "n_segments": [IntegerInterval(1)],
        "normalise": ["boolean", StrOptions({"loo", "both"})],
        "block_selection": [StrOptions({"loo", "off"})],
        "cross_channel": ["boolean"],
        "n_heads": [IntegerInterval(1)],
        "alphas": [None, "array-like"],
        "chunk_size": [None, IntegerInterval(1)],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_filters=16,
        *,
        filter_lengths=None,
        use_negative=True,
        n_mixtures=DEFAULT_REGRESSION_MIXTURES,
        differences=True,
        statistics=STATISTICS,
        quantiles=DEFAULT_QUANTILES,
        n_segments=DEFAULT_REGRESSION_SEGMENTS,
        normalise="loo",
        block_selection="loo",
        cross_channel=True,
        n_heads=DEFAULT_HEADS,
        alphas=None,
        chunk_size=None,
        random_state=None,
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
        self.n_heads = n_heads
        self.alphas = alphas
        self.chunk_size = chunk_size
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the pooled features and the ridge regression.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
            Series; unequal lengths NaN-padded at the end.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self : SpectralFilterSequenceRegressor
        """
        return fit_atomically(self, SpectralFilterSequenceRegressor._fit, X, y)

    def _fit(self, X, y):
        for name in fitted_attributes(self):  # one or two heads: none of a previous fit
            delattr(self, name)
        relative_alphas = _checked_relative_alphas(self.alphas)
        # Large sets (more series than features) and Dask input: the streaming QR head
        if uses_streaming_head(self, X, y):
            if self.normalise != "both":
                return self._fit_streaming(X, y, relative_alphas)
            # many series: one head, its representation chosen by GCV (as the classifier)
            head = self._head("loo")
            head._fit_streaming(X, y, relative_alphas)
            self.estimators_ = [head]
            return copy_fitted_attributes(head, self, _SHARED + ("loo_rmse_",))
        X_btc, lengths = check_padded_sequences(self, X, reset=True)
        # the number of mixtures used (the two heads get it through _SHARED)
        self.n_mixtures_ = resolve_mixtures(self.n_mixtures, X_btc.shape[2], self._auto_mixtures)
        standardized = self._standardized_targets(y, X_btc)
        self.x_location_ = channel_location(X_btc)
        X_btc = X_btc - self.x_location_
        self.x_scale_ = channel_scale(X_btc)
        X_btc /= self.x_scale_
        models = choose_regression_models(self, X_btc, lengths, standardized, relative_alphas)
        if self.normalise != "both":
            self._set_model(*models[0], standardized)
        else:
            self.estimators_ = [
                copy_fitted_attributes(self, self._head(model[1].normalise), _SHARED)._set_model(
                    *model, standardized
                )
                for model in models
            ]
        # the average's exact leave-one-out predictions: the average of its heads'
        loo = sum(model[0].loo_decisions for model in models) / len(models)
        self.loo_rmse_ = _rmse(standardized - loo) * self.y_scale_

    def _head(self, normalise):
        """An unfitted copy of this regressor with another ``normalise`` (a head)."""
        return clone(self).set_params(normalise=normalise)

    def _set_model(self, fit, pooling, mean, scale, reference, standardized):
        """Set the fitted attributes of one representation's model; returns ``self``."""
        pooling, keep = used_pooling(pooling, fit.mask)  # predict computes only what is used
        self.pooling_ = pooling
        self.normalise_ = pooling.normalise
        self.feature_mean_ = mean[keep]
        self.feature_scale_ = (scale / fit.weights)[keep]
        self.feature_mask_ = fit.mask[keep]
        self.feature_set_ = fit.name
        self.coef_ = fit.coef
        self.intercept_ = fit.intercept
        self.alpha_ = float(fit.alpha / reference)
        self.heads_ = [(name, float(alpha / reference)) for name, alpha in fit.heads]
        self.loo_rmse_ = _rmse(standardized - fit.loo_decisions) * self.y_scale_
        return self

    def _standardized_targets(self, y, X_btc):
        """Validate ``y`` (at least 3 series); set ``y_ndim_``, ``y_mean_``, ``y_scale_``;
        the ``(n, q)`` standardized targets."""
        targets, self.y_ndim_ = check_sequence_targets(self, y, X_btc, return_sequences=False)
        if len(targets) < 3:  # checked here, where every path (Dask included) passes
            raise ValueError(
                f"{type(self).__name__} needs at least 3 series (leave-one-out chooses the "
                f"model); got n_samples={len(targets)}."
            )
        # the library's one rule: exact power-of-two prescaling, so targets near the
        # float64 limit (|y| ~ 1e155 and up, whose squares overflow) standardize too
        self.y_mean_, self.y_scale_ = standardization(targets, axis=0)
        return (targets - self.y_mean_) / self.y_scale_

    def _fit_streaming(self, X, y, relative_alphas):
        """The streaming QR head (:mod:`sksssm.estimators._large_sets`): GCV for the
        penalty and the representation, every per-channel feature."""
        fit, standardized, loo = fit_streamed_ridge(
            self,
            X,
            y,
            self._standardized_targets,
            lambda pooling: relative_alphas * pooling.n_features,
            mixing_seed=mixing_seed(self.random_state),
        )
        self.alpha_ = fit.alpha / self.pooling_.n_features
        self.heads_ = [(self.feature_set_, float(self.alpha_))]  # one head (GCV)
        self.loo_rmse_ = _rmse(standardized - loo) * self.y_scale_

    def predict(self, X):
        """Predict one value per series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            The layout of the ``y`` passed to ``fit``.
        """
        check_is_fitted(self, "y_mean_")
        X_btc, lengths = centred_and_scaled(self, X)
        heads = getattr(self, "estimators_", [self])
        # one set of FFTs for every head; each head's D / r and the series' r
        decisions = pooled_decisions(heads, X_btc, lengths)
        standardized = sum(decision * r[:, None] for decision, r in decisions) / len(heads)
        predicted = standardized * self.y_scale_ + self.y_mean_
        return predicted[:, 0] if self.y_ndim_ == 1 else predicted

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


#: The fitted attributes an ensemble and its heads share.
_SHARED = (*INPUT_ATTRIBUTES, "y_ndim_", "y_mean_", "y_scale_", "n_mixtures_")


def _rmse(residuals):
    """Root-mean-squared residual of each target column."""
    return np.sqrt(np.mean(residuals**2, axis=0))


def _checked_relative_alphas(alphas):
    """``alphas`` as an array (None: :data:`DEFAULT_RELATIVE_ALPHAS`), or a ValueError
    (an entry not a real number, not a non-empty 1D array of finite values, or below
    the floor)."""
    if alphas is None:
        return DEFAULT_RELATIVE_ALPHAS
    message = f"alphas must be a non-empty 1D array of finite penalties, got {alphas!r}."
    checked = real_array(alphas, message)  # strings and bools refused
    if checked.ndim != 1 or checked.size == 0 or not np.isfinite(checked).all():
        raise ValueError(message)
    if (checked < MIN_RELATIVE_ALPHA).any():
        raise ValueError(
            f"alphas are relative to the mean Gram eigenvalue and must be at least "
            f"{MIN_RELATIVE_ALPHA:g} (the penalty floor that bounds the weights on tiny "
            f"sets); got min(alphas) = {checked.min():g}. Raise the smallest penalty."
        )
    return checked
