"""One-vs-all ridge targets, the series leave-one-out can score, and temperatures.

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


def scored_series(encoded):
    """Boolean mask of the series whose class has another training series.

    Leave-one-out can only judge how a model classifies a series whose class is still
    in the fold. Left out, the only series of its class has no class to be assigned to:
    its residuals then measure how far the model shrinks every decision toward the
    mean, which the largest penalty always wins (on UCR's Fungi, one training series
    per class, leave-one-out over every series chose the largest penalty, 1e5, and
    0.855 test accuracy, where any penalty up to 1e3 gives 1.000). So those series are
    left out of the scores and of the temperature's fit.

    Examples
    --------
    >>> import numpy as np
    >>> scored_series(np.array([0, 0, 1, 2, 2])).tolist()
    [True, True, False, True, True]
    """
    return np.bincount(encoded)[encoded] > 1


def class_scores(decision):
    """One column per class: ``[-d, d]`` for a binary decision ``d``."""
    decision = np.asarray(decision, dtype=np.float64)
    if decision.ndim == 1:
        decision = decision[:, None]
    if decision.shape[1] == 1:
        return np.hstack([-decision, decision])
    return decision


def loo_accuracy(decisions, encoded, scored):
    """Share of the ``scored`` series whose decision values pick their class (the
    argmax of :func:`class_scores`, as ``predict`` takes it).

    Examples
    --------
    >>> import numpy as np
    >>> loo_accuracy(np.array([[-1.0], [2.0], [0.5]]), np.array([0, 1, 0]), np.ones(3, bool))
    0.6666666666666666
    """
    predicted = class_scores(decisions).argmax(axis=1)
    return float(np.mean(predicted[scored] == encoded[scored]))


#: Temperature of a classifier whose series leave-one-out cannot score (one series per
#: class): the decisions' own scale, the same for every head.
FALLBACK_TEMPERATURE = 1.0


def fit_temperature(scores, encoded):
    """Temperature minimizing the multinomial log-loss of ``softmax(tau * scores)``
    over the series :func:`scored_series` keeps (:data:`FALLBACK_TEMPERATURE` when it
    keeps none)."""
    scored = scored_series(encoded)
    if not scored.any():
        return FALLBACK_TEMPERATURE
    scores, encoded = scores[scored], encoded[scored]

    def loss(log_tau):
        log_p = log_softmax(np.exp(log_tau) * scores, axis=1)
        return -log_p[np.arange(len(encoded)), encoded].mean()

    result = minimize_scalar(loss, bounds=(np.log(1e-2), np.log(1e3)), method="bounded")
    return float(np.exp(result.x))
