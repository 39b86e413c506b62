"""sktime adapters: sksssm sequence estimators as sktime time-series classifiers/regressors.

sktime is an optional dependency: ``import sksssm`` never imports this module; import it
explicitly (``from sksssm.sktime import SSMTimeSeriesClassifier``). The sksssm estimators
already take sktime's ``numpy3D`` layout ``(n_instances, n_channels, n_timepoints)``, so
the adapters only clone, fit and delegate.
"""

from __future__ import annotations

from sklearn.base import clone

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
    "X_inner_mtype": "numpy3D",
    "capability:multivariate": True,
    "capability:unequal_length": False,
    "capability:missing_values": False,
}

_TINY = {"d_model": 4, "n_layers": 1, "max_epochs": 2, "batch_size": 8, "random_state": 0}


class SSMTimeSeriesClassifier(BaseClassifier):
    """sktime time-series classifier over an sksssm sequence classifier.

    Parameters
    ----------
    estimator : classifier or None, default=None
        An sksssm classifier (:class:`~sksssm.SpectralFilterClassifier`,
        :class:`~sksssm.PTDSSMClassifier`, :class:`~sksssm.HOPEClassifier`) or any
        scikit-learn classifier taking 3D ``(n, channels, time)`` arrays; cloned in ``fit``.
        None: ``SpectralFilterClassifier()``.

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

    def __init__(self, estimator=None):
        self.estimator = estimator
        super().__init__()

    def _fit(self, X, y):
        from .estimators import SpectralFilterClassifier

        estimator = SpectralFilterClassifier() if self.estimator is None else self.estimator
        self.estimator_ = clone(estimator).fit(X, y)
        return self

    def _predict(self, X):
        return self.estimator_.predict(X)

    def _predict_proba(self, X):
        return self.estimator_.predict_proba(X)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Tiny, fast parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        from .estimators import HOPEClassifier, PTDSSMClassifier, SpectralFilterClassifier

        return [
            {"estimator": SpectralFilterClassifier(n_filters=4, **_TINY)},
            {"estimator": PTDSSMClassifier(**_TINY)},
            {"estimator": HOPEClassifier(**_TINY)},
        ]


class SSMTimeSeriesRegressor(BaseRegressor):
    """sktime time-series regressor over an sksssm sequence regressor.

    Parameters
    ----------
    estimator : regressor or None, default=None
        An sksssm regressor (:class:`~sksssm.SpectralFilterRegressor`,
        :class:`~sksssm.PTDSSMRegressor`, :class:`~sksssm.HOPERegressor`) or any
        scikit-learn regressor taking 3D ``(n, channels, time)`` arrays; cloned in ``fit``.
        None: ``SpectralFilterRegressor()`` (closed-form STU).

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.sktime import SSMTimeSeriesRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 2, 32))
    >>> y = X[:, 0, -1] + 0.5 * X[:, 1, -2]
    >>> reg = SSMTimeSeriesRegressor().fit(X, y)
    >>> bool(np.abs(reg.predict(X) - y).max() < 1e-3)
    True
    """

    _tags = dict(_ADAPTER_TAGS)

    def __init__(self, estimator=None):
        self.estimator = estimator
        super().__init__()

    def _fit(self, X, y):
        from .estimators import SpectralFilterRegressor

        estimator = SpectralFilterRegressor() if self.estimator is None else self.estimator
        self.estimator_ = clone(estimator).fit(X, y)
        return self

    def _predict(self, X):
        return self.estimator_.predict(X)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small, fast parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        from .estimators import HOPERegressor, PTDSSMRegressor, SpectralFilterRegressor

        return [
            {"estimator": SpectralFilterRegressor(n_filters=4)},
            {"estimator": PTDSSMRegressor(**_TINY)},
            {"estimator": HOPERegressor(**_TINY)},
        ]
