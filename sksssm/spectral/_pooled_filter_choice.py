"""Which filters each channel's responses are pooled over (``pooled_filters``).

``"all"``: the filter bank (the identity, the STU filters) and the random mixtures of
each group; ``"mixtures"``: the identity and the mixtures only, each mixture convolved as
a filter of its own (:func:`mixed_bank`); ``"auto"`` (the classifier's default): a
feature budget, ``"mixtures"`` only on wide data (:func:`resolve_pooled_filters`).
"""

from __future__ import annotations

import numpy as np

#: What the per-channel features filter with (``pooled_filters`` of
#: :func:`~sksssm.spectral.fit_pooling`): ``"all"``, the bank (identity and STU filters)
#: and the mixtures of each group; ``"mixtures"``, the identity and the mixtures only
#: (:func:`mixed_bank`).
POOLED_FILTERS = ("all", "mixtures")


def mixed_bank(bank, bank_groups, mixing):
    """The identity and the mixtures as filters of their own: ``(bank, groups)``.

    A mixture is a fixed filter, its group's filters times its weights
    (``bank[:, group] @ w``), so its response is one convolution with that filter (one
    FFT product, or the direct sum of the dilated filters' shifted copies), and the
    responses of the group's own filters are not needed. The columns: the identity, then
    the mixtures of each group in group order (each length's positive branch, then its
    alternating-sign branch), so that the groups alternate branches as
    :func:`filter_bank`'s do.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import filter_bank, mixing_matrices
    >>> from sksssm.spectral._pooled_filter_choice import mixed_bank
    >>> bank, groups = filter_bank((8, 20), 4)
    >>> mixed, mixed_groups = mixed_bank(bank, groups, mixing_matrices(groups, 3))
    >>> mixed.shape, [len(g) for g in mixed_groups]
    ((20, 13), [1, 3, 3, 3, 3])
    """
    if len(mixing) != len(bank_groups) - 1:
        raise ValueError("mixed_bank needs one mixing matrix per group but the identity.")
    columns = [bank[:, :1]]
    columns += [bank[:, group] @ w for group, w in zip(bank_groups[1:], mixing, strict=True)]
    edges = np.cumsum([0] + [c.shape[1] for c in columns])
    groups = tuple(np.arange(edges[i], edges[i + 1]) for i in range(len(columns)))
    return np.concatenate(columns, axis=1), groups


#: Per-channel pooled features of one representation (the standardized one, the larger)
#: above which ``pooled_filters="auto"`` pools each channel over the identity and the
#: mixtures only. 2**17 = 131,072 float64 features of the 2,000 series the classifier's
#: selection compares its candidates on take 2 GiB, and 13 times MiniRocket's ~10,000;
#: above it the bank's own filters, not the mixtures, make most of the features of wide
#: data (at 144 channels x 62 steps, 504,576 of them against 44,352 without), so that
#: memory and time grow past what a 24 GiB machine holds (FaceDetection's 5,890 series:
#: 22 GiB for the design alone). Every development set is below it (at most 38,160:
#: BasicMotions), so there the default is ``"all"``.
MAX_POOLED_FEATURES = 2**17


def resolve_pooled_filters(pooled_filters, n_channels, n_mixtures, n_features=None):
    """The per-channel filters (:data:`POOLED_FILTERS`) of ``pooled_filters`` for
    ``n_channels`` channels and ``n_mixtures`` mixtures per group and channel.

    ``"all"`` and ``"mixtures"`` are returned as they are (``"mixtures"`` needs at least
    one mixture). ``"auto"``: ``"mixtures"`` when there are two channels or more, at
    least one mixture, and ``n_features`` (the per-channel pooled features of the
    standardized representation with ``"all"``) is above :data:`MAX_POOLED_FEATURES`;
    otherwise ``"all"``. One channel is never changed.

    Examples
    --------
    >>> from sksssm.spectral._pooled_filter_choice import resolve_pooled_filters
    >>> resolve_pooled_filters("auto", 6, 6, n_features=38_160)
    'all'
    >>> resolve_pooled_filters("auto", 144, 1, n_features=504_576)
    'mixtures'
    >>> resolve_pooled_filters("auto", 1, 32, n_features=10**6)
    'all'
    """
    if pooled_filters == "auto":
        if n_channels < 2 or n_mixtures < 1:
            return "all"
        if n_features is None:
            raise ValueError('pooled_filters="auto" needs the feature count of "all".')
        return "mixtures" if n_features > MAX_POOLED_FEATURES else "all"
    if pooled_filters not in POOLED_FILTERS:
        raise ValueError(
            f'pooled_filters must be one of "auto", "all", "mixtures", got {pooled_filters!r}.'
        )
    check_pooled_mixtures(pooled_filters, n_mixtures)
    return pooled_filters


def check_pooled_mixtures(pooled_filters, n_mixtures):
    """Refuse ``pooled_filters="mixtures"`` without mixtures (``n_mixtures`` below 1):
    there would be nothing but the identity to pool.

    Examples
    --------
    >>> from sksssm.spectral._pooled_filter_choice import check_pooled_mixtures
    >>> check_pooled_mixtures("mixtures", 0)
    Traceback (most recent call last):
    ...
    ValueError: pooled_filters="mixtures" needs n_mixtures >= 1 (got 0).
    """
    if pooled_filters == "mixtures" and n_mixtures < 1:
        raise ValueError('pooled_filters="mixtures" needs n_mixtures >= 1 (got 0).')
