"""Candidate feature sets of the pooled classifier, and the pooling reduced to one.

Every candidate is a column mask over the same pooled features
(:meth:`~sksssm.spectral.PoolingState.feature_masks`); the classifier compares them by
exact leave-one-out error (:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`) and
then computes only the statistics the chosen one uses (:func:`used_pooling`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: Candidate feature sets of ``block_selection="loo"``, in order (ties: the first):
#: name and the blocks of pooled features left out (``"not_ppv"``: every per-channel
#: statistic but ``ppv``, so that the ``ppv_only`` sets are MiniRocket's representation
#: of these responses, plus the ``normalise`` scale features). Each is compared without
#: the ``"cross"`` block; the best one is then tried with its cross-channel columns added
#: (:func:`~sksssm.spectral._ridge_loo.select_ridge_by_loo`), so multichannel data have one
#: candidate more, one channel none.
FEATURE_SETS = (
    ("all", ()),
    ("no_alternating", ("alternating",)),
    ("no_segments", ("segment",)),
    ("no_alternating_no_segments", ("alternating", "segment")),
    ("ppv_only", ("not_ppv",)),
    ("ppv_only_no_alternating", ("not_ppv", "alternating")),
)


def used_pooling(pooling, mask):
    """The pooling without the statistics and cross block that ``mask`` leaves unused.

    Returns the reduced :class:`~sksssm.spectral.PoolingState` and the boolean mask of
    the kept columns of the full one (in the same order: the reduced pooling computes
    exactly those columns).
    """
    statistic = pooling.column_statistics()
    used = set(statistic[mask])
    statistics = tuple(stat for stat in pooling.statistics if stat in used)
    reduced = dataclasses.replace(
        pooling,
        statistics=statistics,
        cross_pairs=pooling.cross_pairs if "cross" in used else None,
    )
    keep = np.isin(statistic, statistics + ("scale",) + (("cross",) if "cross" in used else ()))
    return reduced, keep


def candidate_feature_sets(pooling, block_selection, feature_sets=FEATURE_SETS):
    """``[(name, column mask)]``: the distinct candidate feature sets with pooled columns.

    ``feature_sets``: ``(name, dropped blocks)`` pairs as :data:`FEATURE_SETS`;
    ``block_selection="off"``: only ``"all"``.
    """
    masks = pooling.feature_masks()
    per_channel = ~(masks["scale"] | masks["cross"])
    masks["not_ppv"] = per_channel & ~masks["ppv"]
    everything = np.ones(pooling.n_features, dtype=bool)
    if block_selection == "off":
        return [("all", everything)]
    candidates = []
    for name, dropped in feature_sets:
        keep = everything.copy()
        for block in dropped:
            keep &= ~masks[block]
        if (keep & per_channel).any() and not any(np.array_equal(keep, m) for _, m in candidates):
            candidates.append((name, keep))
    return candidates


def used_responses(pooling, mask):
    """:func:`used_pooling`, and without the alternating-sign filters when ``mask`` uses
    none of their columns.

    The ``no_alternating`` feature sets leave out every column computed from an
    alternating-sign response; the pooling then also drops those filters, their mixtures
    and their ``ppv`` thresholds, so that ``predict`` computes half the responses. The
    columns kept are in the same order, and each is the same number (to the FFT's batch
    round-off: the responses of the other filters are computed in the same way).
    Returns the reduced :class:`~sksssm.spectral.PoolingState` and the boolean mask of
    its columns among those of ``pooling``.
    """
    reduced, keep = used_pooling(pooling, mask)
    alternating = reduced.feature_masks()["alternating"]
    if not reduced.use_negative or (mask[keep] & alternating).any():
        return reduced, keep
    positive = ~reduced.alternating_responses
    renumbered = np.cumsum(positive) - 1
    n_bank_groups = len(reduced.bank_groups)
    bank_groups = tuple(renumbered[g] for g in reduced.bank_groups if positive[g[0]])
    mixed = reduced.bank_groups[1:] if reduced.mixing else ()
    mixing = tuple(w for w, g in zip(reduced.mixing, mixed, strict=True) if positive[g[0]])
    mixtures = tuple(renumbered[g] for g in reduced.groups[n_bank_groups:] if positive[g[0]])
    smaller = dataclasses.replace(
        reduced,
        bank=reduced.bank[:, positive[: reduced.bank.shape[1]]],
        bank_groups=bank_groups,
        mixing=mixing,
        groups=bank_groups + mixtures,
        biases=None if reduced.biases is None else reduced.biases[..., positive],
        use_negative=False,
    )
    kept = keep.copy()
    kept[keep] = ~alternating
    return smaller, kept
