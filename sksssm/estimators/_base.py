"""Behaviour shared by every sksssm estimator."""

from __future__ import annotations

import copy

import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils.validation import _check_sample_weight


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


class SequenceScoreMixin:
    """``score`` of the sequence regressors: :func:`sequence_r2_score` of ``predict``.

    Placed before scikit-learn's ``RegressorMixin`` in the bases, whose ``score`` refuses
    3D targets and NaN-padded ones.
    """

    def score(self, X, y, sample_weight=None):
        """R^2 of the predictions, averaged uniformly over the target columns.

        scikit-learn's :func:`~sklearn.metrics.r2_score` (``multioutput="uniform_average"``,
        as every regressor's ``score``) on ``y`` and the predictions reshaped to
        ``(n_samples, -1)``, so that 3D sequence targets ``(n_samples, n_outputs,
        n_timesteps)``, which ``r2_score`` refuses, are scored too: each (output, time
        step) pair is a column with its own R^2, as each time step of 2D sequence targets
        is, and the score is the mean over the columns. NaN-padded targets (series of
        unequal lengths) are scored over their valid entries only: each column's R^2 is
        taken over the samples whose ``y`` is not NaN there (:func:`sequence_r2_score`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        y : array-like
            True targets, in the layout of the ``y`` passed to ``fit``.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return sequence_r2_score(y, self.predict(X), sample_weight=sample_weight)


def sequence_r2_score(y, y_pred, sample_weight=None):
    """R^2 of ``y_pred`` for ``y`` of any layout, NaN entries of ``y`` (padding) left out.

    Both are reshaped to ``(n_samples, -1)``; each column gets its R^2 and the score is
    their mean (scikit-learn's :func:`~sklearn.metrics.r2_score`, to which this is equal
    when ``y`` has no NaN). Where ``y`` is NaN (the end padding of unequal-length series)
    the entry is left out: a column's R^2 is taken over the samples whose ``y`` is finite
    there (weighted mean, residual and total sums of squares as in ``r2_score``; a column
    of zero total variance scores 1 when predicted exactly, 0 otherwise), and a column
    with no finite entry is left out of the mean. ``y_pred`` must be finite wherever
    ``y`` is.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, np.nan], [3.0, 5.0, np.nan]])
    >>> y_pred = np.array([[1.0, 2.0, 3.0], [2.0, 5.0, np.nan], [3.0, 5.0, np.nan]])
    >>> round(float(sequence_r2_score(y, y_pred)), 6)  # columns: 1, 1 - 1 / (14 / 3), 1
    0.928571
    """
    y = np.asarray(y, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y, y_pred = y.reshape(len(y), -1), y_pred.reshape(len(y_pred), -1)
    padding = np.isnan(y)
    if not padding.any():
        return r2_score(y, y_pred, sample_weight=sample_weight)
    if y.shape != y_pred.shape:
        raise ValueError(
            f"y and the predictions have different shapes ({y.shape} and {y_pred.shape}, "
            f"as (n_samples, -1)); pass y in the layout of the y passed to fit."
        )
    if not np.isfinite(y_pred[~padding]).all():
        raise ValueError(
            "the predictions are NaN where y is not: y must be NaN-padded like X (NaN at "
            "the padded steps of X, finite elsewhere)."
        )
    weights = _check_sample_weight(sample_weight, y)[:, np.newaxis] * ~padding
    total_weight = weights.sum(axis=0)
    scored = total_weight > 0  # a column that is padding everywhere is not scored
    y = np.where(padding, 0.0, y)
    mean = (weights * y).sum(axis=0) / np.where(scored, total_weight, 1.0)
    residual = (weights * (y - np.where(padding, 0.0, y_pred)) ** 2).sum(axis=0)
    total = (weights * (y - mean) ** 2).sum(axis=0)
    r2 = np.where(total > 0, 1 - residual / np.where(total > 0, total, 1.0), 0.0)
    r2 = np.where((total == 0) & (residual == 0), 1.0, r2)
    return float(r2[scored].mean())
