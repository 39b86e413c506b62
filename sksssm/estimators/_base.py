"""Behaviour shared by every sksssm estimator."""

from __future__ import annotations

import copy


def fitted_attributes(estimator):
    """Names of the learned attributes of ``estimator`` (scikit-learn's trailing ``_``)."""
    return [k for k in vars(estimator) if k.endswith("_") and not k.startswith("__")]


def fit_atomically(estimator, fit_method, *args, **kwargs):
    """Run ``fit_method`` on a shallow copy of ``estimator``; commit only on success.

    A failed ``fit`` (bad input, diverged training) must leave a previously fitted
    estimator exactly as it was (docs/design.md). ``fit_method(shell, *args, **kwargs)``
    fits ``shell`` -- a copy holding the same hyper-parameters and, for ``partial_fit`` and
    ``warm_start``, the previous learned state -- and its learned attributes replace those of
    ``estimator`` only once it returns.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> class Est(BaseEstimator):
    ...     def fit(self, X):
    ...         return fit_atomically(self, Est._fit, X)
    ...     def _fit(self, X):
    ...         self.n_ = len(X)
    ...         if not X:
    ...             raise ValueError("empty")
    >>> est = Est().fit([1, 2])
    >>> try:
    ...     est.fit([])
    ... except ValueError:
    ...     pass
    >>> est.n_
    2
    """
    shell = copy.copy(estimator)
    fit_method(shell, *args, **kwargs)
    for name in fitted_attributes(estimator):
        delattr(estimator, name)
    for name in fitted_attributes(shell):
        setattr(estimator, name, getattr(shell, name))
    return estimator
