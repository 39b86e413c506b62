"""One-vs-all ridge targets and temperature-scaled class probabilities.

Shared by :class:`~sksssm.SpectralFilterClassifier`'s leave-one-out and streaming
(large-set) fits.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax


def one_vs_all_targets(encoded, n_classes):
    """``{-1, +1}`` one-vs-all targets; one column (``+1``: class 1) for two classes."""
    if n_classes == 2:
        return np.where(encoded == 1, 1.0, -1.0)[:, None]
    return np.where(encoded[:, None] == np.arange(n_classes)[None, :], 1.0, -1.0)


def class_scores(decision):
    """One column per class: ``[-d, d]`` for a binary decision ``d``."""
    decision = np.asarray(decision, dtype=np.float64)
    if decision.ndim == 1:
        decision = decision[:, None]
    if decision.shape[1] == 1:
        return np.hstack([-decision, decision])
    return decision


def fit_temperature(scores, encoded):
    """Temperature minimizing the multinomial log-loss of ``softmax(tau * scores)``."""

    def loss(log_tau):
        log_p = log_softmax(np.exp(log_tau) * scores, axis=1)
        return -log_p[np.arange(len(encoded)), encoded].mean()

    result = minimize_scalar(loss, bounds=(np.log(1e-2), np.log(1e3)), method="bounded")
    return float(np.exp(result.x))
