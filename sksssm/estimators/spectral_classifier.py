"""The closed-form spectral classifier: pooled spectral features + ridge with exact LOO."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.linear_model import RidgeClassifierCV
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._validation import MIN_TIMESTEPS, to_btc
from ..spectral._pooling import (
    DEFAULT_MIXTURES,
    DEFAULT_QUANTILES,
    STATISTICS,
    fit_pooling,
    pooled_features,
    sequence_lengths,
)
from ._base import fit_atomically

#: Default ridge penalties (on standardized pooled features). The pooled representation
#: has hundreds to tens of thousands of features, so useful penalties reach far above
#: ROCKET's ``logspace(-3, 3)``.
DEFAULT_ALPHAS = np.logspace(-3, 5, 17)


def _check_sequences_allow_nan(estimator, X, *, reset):
    """Validate ``X`` (NaN allowed as end padding); return ``(X_btc, lengths)``."""
    X = validate_data(
        estimator, X, reset=reset, dtype=np.float64, allow_nd=True, ensure_all_finite=False
    )
    if X.ndim not in (2, 3):
        raise ValueError(
            f"X must be 2D (n_samples, n_timesteps) or 3D (n_samples, n_channels, "
            f"n_timesteps); got an array with shape {X.shape}. Reshape your data."
        )
    if X.shape[-1] < MIN_TIMESTEPS:
        raise ValueError(
            f"X has {X.shape[-1]} feature(s) (time steps) per sequence, but "
            f"{type(estimator).__name__} needs sequences of at least {MIN_TIMESTEPS} time "
            f"steps. Pass longer sequences (the last axis of X is time)."
        )
    if X.ndim == 3 and X.shape[1] == 0:
        raise ValueError(f"X has 0 channels (shape {X.shape}); pass at least one channel.")
    X_btc = to_btc(X)
    return X_btc, sequence_lengths(X_btc)


class SpectralFilterClassifier(ClassifierMixin, BaseEstimator):
    """Closed-form time-series classifier: pooled spectral features + ridge.

    The same shape as ROCKET (fixed convolutions, pooled over time, a ridge classifier),
    with the convolutions being the spectral (STU) filters at several lengths instead of
    random kernels:

    1. every channel of the series (and of its first differences) is convolved causally
       with the identity and the STU filters of lengths ``8, 16, 32, ...`` up to the
       training length (both the positive and the alternating-sign branch), plus
       ``n_mixtures`` fixed random combinations of the filters of each length and branch
       (pattern detectors in the spectral subspace, like ROCKET's random kernels);
    2. each response is pooled over the series' own valid time steps by ``statistics``
       (mean, standard deviation, max, min, proportion of values above the 10/50/90%
       quantiles of the training responses, last value, and the shape at the peak) — see
       :mod:`sksssm.spectral._pooling` and the user guide for why these;
    3. the pooled features are standardized (training mean and standard deviation) and a
       one-vs-all ridge classifier on ``{-1, +1}`` targets is fitted, its penalty chosen
       among ``alphas`` by exact leave-one-out error.

    The ridge step uses scikit-learn's :class:`~sklearn.linear_model.RidgeClassifierCV`
    (efficient leave-one-out): the pooled design has one row per *series* and usually
    more columns than rows (hundreds of series, thousands of features); there its
    leave-one-out errors for every penalty come exactly from one eigendecomposition of
    the ``n x n`` Gram matrix, which is both cheaper and exact where sksssm's streaming QR
    core (built for designs with one row per *time step*, far taller than wide) would
    give GCV, an approximation of leave-one-out. The features themselves are computed in
    chunks of series (memory bounded), deterministically.

    Probabilities: ``softmax(tau * D)`` where ``D`` are the decision values (one column
    per class; ``[-d, d]`` in the binary case) and the temperature ``tau > 0`` minimizes
    the log-loss of the *leave-one-out* decision values of the training series at the
    chosen penalty (temperature scaling; a single parameter, so it changes no
    prediction, and it is fitted on held-out decisions, not on the overfitted training
    decisions). ``predict`` is the argmax of the decision values.

    Unequal lengths: pass a NaN-padded array (each series padded with NaN at its end, in
    every channel at once); every statistic is then pooled over that series' own length
    and the features equal those of the unpadded series. ``predict`` accepts 3D series of
    any length (2D input must keep the training length, as ``n_features_in_`` is the
    number of time steps there).

    Parameters
    ----------
    n_filters : int, default=16
        Spectral filters per filter length and branch (capped at the number of usable
        filters of each length: 8 at length 8, 11 at 16, 13 at 32, ...).
    filter_lengths : array-like of int or None, default=None
        None: ``8, 16, 32, ...`` below the longest training series, then its length.
    use_negative : bool, default=True
        Include the alternating-sign filters.
    n_mixtures : int, default=32
        Fixed random linear combinations of the filters of each group (one length, one
        branch), seeded: deterministic. 0 for the plain filters only.
    differences : bool, default=True
        Also pool the responses of the first differences of each channel.
    statistics : array-like of str, default=("mean", "std", "max", "min", "ppv", "last", "peak")
        Pooling statistics (see :func:`sksssm.spectral.fit_pooling`).
    quantiles : array-like of float, default=(0.1, 0.5, 0.9)
        Quantiles of the training responses used as the ``ppv`` thresholds.
    alphas : array-like of float or None, default=None
        Candidate ridge penalties; None: ``numpy.logspace(-3, 5, 17)``.
    chunk_size : int or None, default=None
        Series per chunk for the features; None: about 128 MiB of responses per chunk.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (any type).
    pooling_ : sksssm.spectral.PoolingState
        Filter bank and ``ppv`` thresholds fitted on the training series.
    feature_mean_, feature_scale_ : ndarray of shape (n_pooled_features,)
        Standardization of the pooled features.
    ridge_ : sklearn.linear_model.RidgeClassifierCV
        The fitted ridge classifier (on standardized features).
    alpha_ : float
        The chosen penalty.
    temperature_ : float
        The probability temperature ``tau``.
    n_features_in_ : int
        Time steps (2D ``X``) or channels (3D ``X``), as everywhere in sksssm.
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
    >>> clf = SpectralFilterClassifier().fit(X, y)
    >>> clf.classes_.tolist()
    ['fast', 'slow']
    >>> float(clf.score(X, y))
    1.0
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    #: Takes NaN-padded unequal-length series (read by the sktime adapter).
    _sksssm_unequal_length = True

    _parameter_constraints: dict = {
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        "filter_lengths": [None, "array-like"],
        "use_negative": ["boolean"],
        "n_mixtures": [Interval(Integral, 0, None, closed="left")],
        "differences": ["boolean"],
        "statistics": ["array-like"],
        "quantiles": ["array-like"],
        "alphas": [None, "array-like"],
        "chunk_size": [None, Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_filters=16,
        *,
        filter_lengths=None,
        use_negative=True,
        n_mixtures=DEFAULT_MIXTURES,
        differences=True,
        statistics=STATISTICS,
        quantiles=DEFAULT_QUANTILES,
        alphas=None,
        chunk_size=None,
    ):
        self.n_filters = n_filters
        self.filter_lengths = filter_lengths
        self.use_negative = use_negative
        self.n_mixtures = n_mixtures
        self.differences = differences
        self.statistics = statistics
        self.quantiles = quantiles
        self.alphas = alphas
        self.chunk_size = chunk_size

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
        X_btc, lengths = _check_sequences_allow_nan(self, X, reset=True)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = np.asarray(y)
        if y.ndim != 1 and not (y.ndim == 2 and y.shape[1] == 1):
            raise ValueError(f"y must be 1D (one label per series), got shape {y.shape}.")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != len(X_btc):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {len(X_btc)} and {len(y)}."
            )
        if np.unique(y).size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; y has only one "
                f"class ({np.unique(y)[0]!r})."
            )
        alphas = DEFAULT_ALPHAS if self.alphas is None else np.asarray(self.alphas, float)
        if alphas.ndim != 1 or alphas.size == 0 or not (np.isfinite(alphas) & (alphas > 0)).all():
            raise ValueError(
                f"alphas must be a non-empty 1D array of positive finite penalties, got "
                f"{self.alphas!r}."
            )
        pooling = fit_pooling(
            X_btc,
            lengths,
            n_filters=self.n_filters,
            filter_lengths=self.filter_lengths,
            use_negative=self.use_negative,
            n_mixtures=self.n_mixtures,
            differences=self.differences,
            statistics=self.statistics,
            quantiles=self.quantiles,
            chunk_size=self.chunk_size,
        )
        F = pooled_features(X_btc, pooling, lengths, chunk_size=self.chunk_size)
        mean = F.mean(axis=0)
        scale = F.std(axis=0)
        scale[scale < 1e-12 * max(scale.max(initial=0.0), 1e-300)] = 1.0  # constant columns
        F -= mean
        F /= scale
        ridge = RidgeClassifierCV(alphas=alphas, store_cv_results=True).fit(F, y)
        best = int(np.flatnonzero(ridge.alphas == ridge.alpha_)[0])
        loo = ridge.cv_results_[:, :, best]  # leave-one-out decisions (n, n_targets)
        encoded = np.searchsorted(ridge.classes_, y)
        self.temperature_ = _fit_temperature(_class_scores(loo), encoded)
        self.pooling_ = pooling
        self.feature_mean_ = mean
        self.feature_scale_ = scale
        self.ridge_ = ridge
        self.alpha_ = float(ridge.alpha_)
        self.classes_ = ridge.classes_

    def _features(self, X):
        check_is_fitted(self, "ridge_")
        X_btc, lengths = _check_sequences_allow_nan(self, X, reset=False)
        F = pooled_features(X_btc, self.pooling_, lengths, chunk_size=self.chunk_size)
        F -= self.feature_mean_
        F /= self.feature_scale_
        return F

    def decision_function(self, X):
        """Ridge decision values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (positive: ``classes_[1]``), else
        (n_samples, n_classes)
        """
        F = self._features(X)
        return self.ridge_.decision_function(F)

    def predict(self, X):
        """Predicted class labels (argmax of the decision values).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = _class_scores(self.decision_function(X))
        return self.classes_[scores.argmax(axis=1)]

    def predict_proba(self, X):
        """Class probabilities ``softmax(temperature_ * decision values)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = _class_scores(self.decision_function(X))
        return softmax(self.temperature_ * scores, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (computed stably).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = _class_scores(self.decision_function(X))
        return log_softmax(self.temperature_ * scores, axis=1)


def _class_scores(decision):
    """One column per class: ``[-d, d]`` for a binary decision ``d``."""
    decision = np.asarray(decision, dtype=np.float64)
    if decision.ndim == 1:
        decision = decision[:, None]
    if decision.shape[1] == 1:
        return np.hstack([-decision, decision])
    return decision


def _fit_temperature(scores, encoded):
    """Temperature minimizing the multinomial log-loss of ``softmax(tau * scores)``."""

    def loss(log_tau):
        log_p = log_softmax(np.exp(log_tau) * scores, axis=1)
        return -log_p[np.arange(len(encoded)), encoded].mean()

    result = minimize_scalar(loss, bounds=(np.log(1e-2), np.log(1e3)), method="bounded")
    return float(np.exp(result.x))
