"""sktime adapters: sksssm sequence estimators as sktime time-series classifiers/regressors.

sktime is an optional dependency: ``import sksssm`` never imports this module; import it
explicitly (``from sksssm.sktime import SSMTimeSeriesClassifier``). The sksssm estimators
already take sktime's ``numpy3D`` layout ``(n_instances, n_channels, n_timepoints)``, so
the adapters only clone (seeded by ``random_state``), fit and delegate.

Unequal-length panels (sktime's ``nested_univ``, ``df-list`` or ``pd-multiindex`` with
series of different lengths, e.g. ``JapaneseVowels``, ``PLAID``) are accepted when the
wrapped estimator handles them (the default :class:`~sksssm.SpectralFilterClassifier`
and every deep estimator do): the adapter converts them to the sklearn convention, a
``numpy3D`` array padded with NaN at the end of each series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils._param_validation import HasMethods, validate_parameter_constraints

try:
    from sktime.classification.base import BaseClassifier
    from sktime.regression.base import BaseRegressor
except ImportError as exc:  # pragma: no cover - exercised only without sktime
    raise ImportError(
        "sksssm.sktime needs sktime, an optional dependency: pip install sktime"
    ) from exc

_ADAPTER_TAGS = {
    "authors": ["sksssm developers"],
    "maintainers": ["sksssm developers"],
    # numpy3D for equal lengths; df-list / nested_univ (converted to NaN-padded numpy3D
    # in the adapter) for unequal lengths. The first entry receives other mtypes.
    "X_inner_mtype": ["df-list", "numpy3D", "nested_univ"],
    "capability:multivariate": True,
    "capability:unequal_length": False,
    "capability:missing_values": False,
    # The default inner estimators draw random mixtures (the deep ones, initial weights):
    # repeatable fits need a seed, given to the adapter (random_state) or to the inner
    # estimator.
    "capability:random_state": True,
    "property:randomness": "derandomized",
}

_TINY = {"d_model": 4, "n_layers": 1, "max_epochs": 2, "batch_size": 8, "random_state": 0}


def accepts_unequal_length(estimator) -> bool:
    """Whether ``estimator`` takes NaN-padded unequal-length series.

    Parameters
    ----------
    estimator : estimator instance
        The wrapped estimator.

    Returns
    -------
    bool
        True for estimators whose class sets ``_sksssm_unequal_length = True`` (or a
        property of that name), such as :class:`~sksssm.SpectralFilterClassifier` and
        the deep estimators.
    """
    return bool(getattr(estimator, "_sksssm_unequal_length", False))


def to_padded_numpy3d(X) -> np.ndarray:
    """A panel as ``(n_instances, n_channels, n_timepoints)`` float64, NaN-padded at the end.

    Parameters
    ----------
    X : numpy3D array, df-list (list of DataFrames, time x channels) or nested_univ
        DataFrame (one pandas Series per cell).

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import pandas as pd
    >>> X = [pd.DataFrame({"a": [1.0, 2.0, 3.0]}), pd.DataFrame({"a": [4.0]})]
    >>> to_padded_numpy3d(X)[:, 0].tolist()
    [[1.0, 2.0, 3.0], [4.0, nan, nan]]
    """
    if isinstance(X, np.ndarray):
        return X.astype(np.float64, copy=False)
    if isinstance(X, pd.DataFrame):  # nested_univ: rows = instances, columns = channels
        series = [_nested_instance(X, i) for i in range(len(X))]
    else:  # df-list
        series = [np.asarray(frame, dtype=np.float64).T for frame in X]
    for i, item in enumerate(series):
        if item.shape[0] != series[0].shape[0]:
            raise ValueError(
                f"instance {i} of the panel has {item.shape[0]} channel(s) but instance 0 "
                f"has {series[0].shape[0]}; every instance needs the same channels."
            )
    n_timepoints = max(item.shape[1] for item in series)
    out = np.full((len(series), series[0].shape[0], n_timepoints), np.nan)
    for i, item in enumerate(series):
        out[i, :, : item.shape[1]] = item
    return out


def _nested_instance(X, i):
    """Instance ``i`` of a nested_univ panel as ``(n_channels, n_timepoints)``.

    The estimators pad a shorter series with NaN in every channel, so the channels of one
    instance must have one length (sktime's nested_univ allows them to differ).
    """
    channels = [np.asarray(X.iloc[i, j], dtype=np.float64) for j in range(X.shape[1])]
    lengths = [len(channel) for channel in channels]
    if len(set(lengths)) > 1:
        raise ValueError(
            f"instance {i} of the panel has channels of lengths {lengths}; the channels of "
            "one instance must have one length (instances may differ in length). Pad or "
            "truncate them to one length."
        )
    return np.stack(channels)


def _seeded_clone(estimator, random_state):
    """A clone of ``estimator`` with every ``random_state`` parameter set to ``random_state``.

    Nested parameters (``..__random_state``) included; None keeps the estimator's own
    seeds.

    Examples
    --------
    >>> from sksssm import SpectralFilterClassifier
    >>> _seeded_clone(SpectralFilterClassifier(), 3).random_state
    3
    """
    estimator = clone(estimator)
    if random_state is None:
        return estimator
    params = estimator.get_params(deep=True)
    seeds = {key: random_state for key in params
             if key == "random_state" or key.endswith("__random_state")}  # fmt: skip
    return estimator.set_params(**seeds)


def _check_kind(estimator, is_kind, kind, other_adapter):
    """Refuse a wrapped estimator of the wrong kind at ``fit``, before any work."""
    if not is_kind(estimator):
        raise TypeError(
            f"estimator must be a scikit-learn {kind}; got {type(estimator).__name__}, "
            f"which is not. Wrap it in {other_adapter} if it is the other kind, or pass a "
            f"{kind}."
        )


class SSMTimeSeriesClassifier(BaseClassifier):
    """sktime time-series classifier over an sksssm sequence classifier.

    Parameters
    ----------
    estimator : classifier or None, default=None
        An sksssm classifier (:class:`~sksssm.SpectralFilterClassifier`,
        :class:`~sksssm.STUClassifier`, :class:`~sksssm.PTDSSMClassifier`,
        :class:`~sksssm.HOPEClassifier`) or any scikit-learn classifier taking 3D
        ``(n, channels, time)`` arrays (without ``predict_proba``, the probabilities
        are 0 or 1 from ``predict``, sktime's default); cloned in ``fit``. None:
        ``SpectralFilterClassifier()``, the closed-form classifier (pooled spectral
        features + ridge). ``capability:unequal_length`` is True for it and for the deep
        classifiers, which take NaN-padded unequal-length panels.
    random_state : int, RandomState instance or None, default=None
        Seed of the fit: every ``random_state`` parameter of the clone (nested ones
        included) is set to it, so an int makes fits repeatable (sktime's
        ``"derandomized"``). None keeps the estimator's own (the default
        ``SpectralFilterClassifier()`` is then unseeded: its random mixtures differ
        from fit to fit).

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import PTDSSMClassifier
    >>> from sksssm.sktime import SSMTimeSeriesClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 2, 16))
    >>> y = np.where(X[:, 0].mean(axis=1) > 0, "up", "down")
    >>> inner = PTDSSMClassifier(d_model=8, n_layers=1, max_epochs=2, random_state=0)
    >>> clf = SSMTimeSeriesClassifier(inner).fit(X, y)
    >>> clf.predict_proba(X).shape
    (20, 2)
    """

    _tags = {
        **_ADAPTER_TAGS,
        "capability:predict_proba": True,
    }

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, random_state=None):
        self.estimator = estimator
        self.random_state = random_state
        super().__init__()
        if estimator is None or accepts_unequal_length(estimator):
            self.set_tags(**{"capability:unequal_length": True})

    def _fit(self, X, y):
        from .estimators import SpectralFilterClassifier

        estimator = SpectralFilterClassifier() if self.estimator is None else self.estimator
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )
        _check_kind(estimator, is_classifier, "classifier", "SSMTimeSeriesRegressor")
        self.estimator_ = _seeded_clone(estimator, self.random_state)
        self.estimator_.fit(to_padded_numpy3d(X), y)
        return self

    def _predict(self, X):
        return self.estimator_.predict(to_padded_numpy3d(X))

    def _predict_proba(self, X):
        if not hasattr(self.estimator_, "predict_proba"):
            # sktime's default: probabilities 0 or 1 from predict, in the order of classes_.
            return super()._predict_proba(X)
        return self.estimator_.predict_proba(to_padded_numpy3d(X))

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Tiny, fast parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        from .estimators import (
            HOPEClassifier,
            PTDSSMClassifier,
            SpectralFilterClassifier,
            STUClassifier,
        )

        return [
            # the default inner estimator, seeded (its random mixtures take random_state)
            {"estimator": SpectralFilterClassifier(random_state=0)},
            {  # the Gaussian-kernel head on every head it is offered to
                "estimator": SpectralFilterClassifier(
                    n_filters=4, differences=False, kernel="rbf", random_state=0
                )
            },
            {"estimator": STUClassifier(n_filters=4, **_TINY)},
            {"estimator": PTDSSMClassifier(**_TINY)},
            {"estimator": HOPEClassifier(**_TINY)},
        ]


class SSMTimeSeriesRegressor(BaseRegressor):
    """sktime time-series regressor over an sksssm sequence regressor.

    Parameters
    ----------
    estimator : regressor or None, default=None
        An sksssm regressor (:class:`~sksssm.SpectralFilterRegressor`,
        :class:`~sksssm.SpectralFilterSequenceRegressor`, :class:`~sksssm.PTDSSMRegressor`,
        :class:`~sksssm.HOPERegressor`) or any
        scikit-learn regressor taking 3D ``(n, channels, time)`` arrays; cloned in ``fit``.
        None: ``SpectralFilterSequenceRegressor()``, the pooled spectral features and
        leave-one-out ridge that the library takes for series-to-value targets (sktime's
        regression); ``SpectralFilterRegressor()`` is the linear STU at the last step,
        for targets that are a linear filter of the inputs. ``capability:unequal_length``
        is True for the default, ``SpectralFilterSequenceRegressor`` and the deep
        regressors, which take NaN-padded unequal-length panels.
    random_state : int, RandomState instance or None, default=None
        Seed of the fit: every ``random_state`` parameter of the clone (nested ones
        included) is set to it, so an int makes fits repeatable (sktime's
        ``"derandomized"``). None keeps the estimator's own (the default
        ``SpectralFilterSequenceRegressor()`` is then unseeded: its random mixtures
        differ from fit to fit).

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import SpectralFilterRegressor
    >>> from sksssm.sktime import SSMTimeSeriesRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2, 32))
    >>> X[:, 0, 10:14] += rng.uniform(0, 3, size=(60, 1))  # a bump of random height
    >>> height = X[:, 0, 10:14].mean(axis=1)
    >>> reg = SSMTimeSeriesRegressor().fit(X[:40], height[:40])  # pooled features
    >>> bool(np.corrcoef(reg.predict(X[40:]), height[40:])[0, 1] > 0.8)
    True
    >>> y = X[:, 0, -1] + 0.5 * X[:, 1, -2]  # a linear filter of the inputs
    >>> linear = SSMTimeSeriesRegressor(SpectralFilterRegressor()).fit(X, y)
    >>> bool(np.abs(linear.predict(X) - y).max() < 1e-3)
    True
    """

    _tags = dict(_ADAPTER_TAGS)

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, random_state=None):
        self.estimator = estimator
        self.random_state = random_state
        super().__init__()
        if estimator is None or accepts_unequal_length(estimator):
            self.set_tags(**{"capability:unequal_length": True})

    def _fit(self, X, y):
        from .estimators import SpectralFilterSequenceRegressor

        estimator = self.estimator
        if estimator is None:
            estimator = SpectralFilterSequenceRegressor()
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )
        _check_kind(estimator, is_regressor, "regressor", "SSMTimeSeriesClassifier")
        self.estimator_ = _seeded_clone(estimator, self.random_state)
        self.estimator_.fit(to_padded_numpy3d(X), y)
        return self

    def _predict(self, X):
        return self.estimator_.predict(to_padded_numpy3d(X))

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small, fast parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        from .estimators import (
            HOPERegressor,
            PTDSSMRegressor,
            SpectralFilterRegressor,
            SpectralFilterSequenceRegressor,
        )

        return [
            {"estimator": SpectralFilterRegressor(n_filters=4)},
            {
                "estimator": SpectralFilterSequenceRegressor(
                    n_filters=2, n_mixtures=2, random_state=0
                )
            },
            {"estimator": PTDSSMRegressor(**_TINY)},
            {"estimator": HOPERegressor(**_TINY)},
        ]
