"""How :class:`~sksssm.SpectralFilterClassifier` with ``normalise="both"`` combines its
heads: their tempered class scores, and ensembles built from heads fitted apart."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._class_targets import class_scores, fit_temperature
from ._pooled import INPUT_ATTRIBUTES, copy_fitted_attributes

#: ``head_combination`` options: ``"tempered"``, the mean of the heads' tempered class
#: scores; ``"mean"``, the mean of their class scores times one ensemble temperature.
HEAD_COMBINATIONS = ("tempered", "mean")
#: The fitted attributes an ensemble and its heads share.
SHARED_ATTRIBUTES = (*INPUT_ATTRIBUTES, "classes_", "n_mixtures_")


def tempered_scores(ensemble, heads, decisions):
    """The ensemble's tempered class scores from its ``heads``' ``decisions``.

    ``decisions``: one decision array per head (``pooled_decisions``' first items).
    Read from the fitted state, not from ``head_combination`` (``set_params`` after fit
    changes no prediction): an ensemble has its own ``temperature_`` only when fitted
    with ``"mean"``, and then its heads' class scores are averaged and multiplied by
    it; otherwise each head's class scores are multiplied by its own temperature and
    those averaged. A one-representation classifier is its own single head.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> heads = [SimpleNamespace(temperature_=2.0), SimpleNamespace(temperature_=4.0)]
    >>> ensemble = SimpleNamespace(estimators_=heads)
    >>> tempered_scores(ensemble, heads, [np.array([1.0]), np.array([0.5])]).tolist()
    [[-2.0, 2.0]]
    """
    if hasattr(ensemble, "estimators_") and hasattr(ensemble, "temperature_"):
        scores = sum(class_scores(decision) for decision in decisions)
        return ensemble.temperature_ * scores / len(heads)
    tempered = sum(
        head.temperature_ * class_scores(decision)
        for head, decision in zip(heads, decisions, strict=True)
    )
    return tempered / len(heads)


def ensemble_temperature(heads, encoded):
    """The temperature of ``head_combination="mean"``: fitted on the mean of the heads'
    leave-one-out class scores, which are the ensemble's own (each head is a linear
    smoother refitted without the series, and so is their average)."""
    scores = sum(class_scores(head.loo_decisions_) for head in heads) / len(heads)
    return fit_temperature(scores, encoded)


def combine_heads(heads, y=None):
    """A ``normalise="both"`` classifier predicting from fitted ``heads``.

    ``heads``: :class:`~sksssm.SpectralFilterClassifier` fitted apart on the same series,
    each with one representation (``normalise`` True or False); the result predicts as
    the ensemble of the first head's ``head_combination`` combines its heads, so heads
    fitted in other ways (another filter bank, say) can be compared with the same
    combination. ``y``, the training labels, is needed by ``"mean"`` (the ensemble's
    temperature is fitted on the heads' leave-one-out decisions). Refused unless they
    share the classes and the input's location and scale. The result's parameters are
    the first head's with ``normalise="both"``: its fitted heads, not its parameters,
    describe it (a refit would fit the parameters' model).
    """
    first = heads[0]
    for head in heads:
        check_is_fitted(head, "temperature_")  # one-representation heads only
        if not all(
            np.array_equal(getattr(head, name), getattr(first, name))
            for name in ("classes_", "x_location_", "x_scale_")
        ):
            raise ValueError("The heads must be fitted on the same series and labels.")
    ensemble = copy_fitted_attributes(first, first._head("both"), SHARED_ATTRIBUTES)
    ensemble.estimators_ = list(heads)
    if ensemble.head_combination == "mean":
        if y is None:
            raise ValueError('head_combination="mean" needs the training labels y.')
        encoded = np.searchsorted(first.classes_, np.asarray(y))
        ensemble.temperature_ = ensemble_temperature(heads, encoded)
    return ensemble
