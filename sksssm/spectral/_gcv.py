"""The GCV rules of the ridge core: the scores of many solutions, and the choice.

Generalized cross-validation (Golub, Heath & Wahba 1979) scores a penalty by
``(RSS / n) / (residual dof / n)^2``; everything it needs follows from a
:class:`~sksssm.spectral._ridge.RidgeSolution`'s singular values and projected targets.
:func:`gcv_score_table` is the one implementation of the scores (one solution or tens
of them, as a forecaster's configuration search has); :func:`gcv_choice` is the one
rule that picks a penalty from them.
"""

from __future__ import annotations

import numpy as np


def shrinkage(s2, dropped, penalty):
    """``penalty / (s^2 + penalty)`` (1 minus the ridge filter factors), without cancellation.

    At ``penalty = 0``: ``dropped`` (1 for the directions below the round-off cut-off, 0
    above). The arguments broadcast: one direction per element of ``s2``, any shape of
    penalties (:meth:`RidgeSolution._shrinkage
    <sksssm.spectral._ridge.RidgeSolution._shrinkage>`, :func:`gcv_score_table`).

    Examples
    --------
    >>> import numpy as np
    >>> shrinkage(np.array([4.0, 0.0]), np.array([0.0, 1.0]), np.array([[0.0], [4.0]]))
    array([[0. , 1. ],
           [0.5, 1. ]])
    """
    denominator = s2 + penalty
    # 0 / 0 only at penalty 0, where the round-off rule replaces the quotient.
    quotient = np.divide(penalty, denominator, out=np.ones(denominator.shape),
                         where=denominator != 0)  # fmt: skip
    return np.where(penalty == 0, dropped, quotient)


def gcv_score_table(solutions, alphas):
    """GCV scores of several solutions, each at its own penalties, in one array pass.

    The one implementation of :meth:`RidgeSolution.gcv_scores` (which calls it with one
    solution): a configuration search scores tens of small solutions, and one pass over
    all of them costs about as much as one. Solutions with fewer directions are padded
    with directions that count for nothing; a NaN penalty scores NaN (a row shorter than
    the others, padded).

    Parameters
    ----------
    solutions : list of RidgeSolution
    alphas : ndarray of shape (len(solutions), n_alphas)
        The penalties of each solution (its row).

    Returns
    -------
    ndarray of shape (len(solutions), n_alphas)
        ``inf`` where no residual degree of freedom is left.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral._ridge import QRAccumulator, RidgeSolution
    >>> rng = np.random.default_rng(0)
    >>> F, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    >>> one = RidgeSolution(QRAccumulator(3, 1).update(F, y))
    >>> two = RidgeSolution(QRAccumulator(1, 1).update(F[:, :1], y), fit_intercept=False)
    >>> alphas = np.array([[0.0, 1.0], [0.5, np.nan]])
    >>> table = gcv_score_table([one, two], alphas)
    >>> bool(np.allclose(table[0], one.gcv_scores([0.0, 1.0]))), bool(np.isnan(table[1, 1]))
    (True, True)
    """
    terms = [solution._gcv_terms() for solution in solutions]
    width = max(len(t[0]) for t in terms)
    # (width, solutions): directions first, so that every sum over them runs in order,
    # direction by direction (as over one solution's kept directions), and the padded
    # directions (no singular value, not dropped at alpha 0, no target, masked out of the
    # dof) add exact zeros at the end: each row is bit-identical to its solution alone.
    s2, dropped, c2, mask = (np.zeros((width, len(terms))) for _ in range(4))
    for column, (s2_i, dropped_i, c2_i, *_) in enumerate(terms):
        k = len(s2_i)
        s2[:k, column], dropped[:k, column], c2[:k, column] = s2_i, dropped_i, c2_i
        mask[:k, column] = 1.0
    unexplained, n, rows_without_direction = (np.array([t[i] for t in terms], dtype=float)[:, None]
                                              for i in (3, 4, 5))  # fmt: skip
    # Every penalty at once: (width, solutions, n_alphas) as RidgeSolution._shrinkage.
    penalty = np.asarray(alphas, dtype=float)[None]
    with np.errstate(invalid="ignore"):  # NaN penalties (padding) score NaN
        factors = shrinkage(s2[:, :, None], dropped[:, :, None], penalty)
    if not mask.all():
        factors = factors * mask[:, :, None]
    rss = unexplained + np.add.reduce(factors**2 * c2[:, :, None], axis=0)
    residual_dof = rows_without_direction + np.add.reduce(factors, axis=0)
    positive = residual_dof > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = (rss / n) / (residual_dof / n) ** 2
    return np.where(positive | np.isnan(residual_dof), scores, np.inf)


def gcv_choice(alphas, scores):
    """Index of the penalty GCV chooses: the one rule of every GCV selection in sksssm.

    The smallest score wins; among penalties whose scores tie with it to 1e-9 relative
    (a flat GCV curve, where round-off alone would decide) the largest penalty is taken,
    so the choice does not depend on how the rows were chunked. When no score is finite
    (no penalty leaves residual degrees of freedom) the largest penalty is taken.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
    scores : ndarray of shape (n_alphas,)
        GCV scores of ``alphas`` (``inf`` where undefined).

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> gcv_choice(np.array([0.0, 1.0, 2.0, 3.0]), np.array([2.0, 1.0, 1.0, 3.0]))
    2
    """
    alphas, scores = np.asarray(alphas, dtype=float), np.asarray(scores, dtype=float)
    finite = np.isfinite(scores)
    if not finite.any():
        return int(np.argmax(alphas))
    ties = np.flatnonzero(finite & (scores <= scores[finite].min() * (1 + 1e-9)))
    return int(ties[np.argmax(alphas[ties])])
