"""The fitted pooling state and the pooled feature columns' layout, encoded once.

:class:`PoolingState` holds what :func:`sksssm.spectral.pooled_features` needs (the filter
bank, the mixtures, the fitted ``ppv`` biases, the cross-channel pairs) and
:meth:`PoolingState.column_blocks`, the one description of the column order from which
the column labels, the feature-set masks and the feature count derive.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from ._pooling_options import _checked_statistics
from ._segment_stats import (
    DEFAULT_SEGMENTS,
    SCALE_FREE_STATISTICS,
    SEGMENT_STATISTICS,
    STATISTICS,
    THRESHOLD_STATISTICS,
    n_threshold_blocks,
)

#: Features appended per channel by ``normalise``: the raw mean and the log standard
#: deviation.
N_SCALE_FEATURES = 2


@dataclass(frozen=True)
class PoolingState:
    """What :func:`pooled_features` needs: the filter bank and the fitted ``ppv`` biases.

    Returned by :func:`fit_pooling`; treat as read-only.

    Attributes
    ----------
    n_channels : int
    filter_lengths : tuple of int
    bank : ndarray of shape (max(filter_lengths), n_bank)
        Column 0 is the identity; then, per filter length, the positive-branch filters and
        (if ``use_negative``) the alternating-sign ones.
    bank_groups : tuple of ndarray
        Column indices of ``bank`` per group (identity, then per length and branch).
    mixing : tuple of ndarray
        One ``(len(group), n_mixtures)`` weight matrix per group but the identity (empty
        when ``n_mixtures == 0``).
    groups : tuple of ndarray
        Column indices of the *responses* per group: the bank groups, then one group per
        mixing matrix; the ``"peak"`` statistic picks its time step per group.
    differences : bool
    statistics : tuple of str
    quantiles : tuple of float
    biases : ndarray of shape (n_kinds, n_quantiles, n_channels, n_responses) or None
        ``ppv`` thresholds (``n_kinds`` is 2 with ``differences``, else 1).
    n_segments : int
        Segments of the ``segment_*`` statistics.
    normalise : bool
        Whether each channel of each series is standardized before the filters (and its
        mean and log standard deviation appended).
    use_negative : bool
    cross_pairs : ndarray of shape (n_pairs, 2) or None
        Ordered channel pairs ``(i, j)`` of the ``cross`` block
        (:func:`~sksssm.spectral._cross_channel.cross_pairs`); None (or no pairs, as for
        one channel): no cross-channel features.
    dtype : {"float64", "float32"}
        Precision of the filter responses and their statistics (the features are
        returned as float64 either way).
    """

    n_channels: int
    filter_lengths: tuple
    bank: np.ndarray
    bank_groups: tuple
    mixing: tuple
    groups: tuple
    differences: bool
    statistics: tuple
    quantiles: tuple
    biases: np.ndarray | None
    n_segments: int = DEFAULT_SEGMENTS
    normalise: bool = False
    use_negative: bool = True
    cross_pairs: np.ndarray | None = None
    dtype: str = "float64"

    @property
    def n_responses(self) -> int:
        """Responses per channel: bank columns plus mixtures."""
        return self.bank.shape[1] + sum(w.shape[1] for w in self.mixing)

    @property
    def alternating_responses(self) -> np.ndarray:
        """Boolean mask over the responses: True for the alternating-sign branch.

        Bank groups after the identity alternate positive / alternating-sign when
        ``use_negative``, and so do the mixing groups (one per bank group).
        """
        mask = np.zeros(self.n_responses, dtype=bool)
        if self.use_negative:
            n_bank_groups = len(self.bank_groups)
            for j, group in enumerate(self.groups[1:n_bank_groups]):
                mask[group] = j % 2 == 1
            for j, group in enumerate(self.groups[n_bank_groups:]):
                mask[group] = j % 2 == 1
        return mask

    @property
    def cross_columns(self) -> np.ndarray:
        """Boolean ``(n_pairs, n_bank)``: the bank columns each channel pair uses.

        Every bank column, except the identity (the zero-lag correlation, symmetric in
        ``i, j``) for the pairs with ``i > j``: no duplicated feature.
        """
        pairs = np.zeros((0, 2), dtype=np.intp) if self.cross_pairs is None else self.cross_pairs
        keep = np.ones((len(pairs), self.bank.shape[1]), dtype=bool)
        keep[pairs[:, 0] > pairs[:, 1], 0] = False
        return keep

    @property
    def n_kinds(self) -> int:
        """Input kinds filtered and pooled: 2 (the series and their first differences)
        with ``differences``, else 1."""
        return 2 if self.differences else 1

    @property
    def n_cross_features(self) -> int:
        """Columns of the ``cross`` block (the last ones): 0 without channel pairs."""
        return self.n_kinds * int(self.cross_columns.sum())

    def column_blocks(self):
        """The column layout, encoded once: ``(statistic, alternating)`` per block.

        Blocks in column order (the order :func:`pooled_features` writes): per input
        kind (series, then first differences) one block per statistic of
        ``statistics``, channel-major ``(channel, response)`` with the threshold outermost
        (:func:`~sksssm.spectral._segment_stats.n_threshold_blocks` blocks) and the
        segment innermost; then the ``normalise`` scale features
        (``"scale"``); then the cross-channel block (``"cross"``, per kind, pair-major).
        ``alternating`` marks the columns computed from an alternating-sign response.
        :meth:`column_statistics`, :meth:`feature_masks` and :attr:`n_features` derive
        from it.
        """
        alternating = np.tile(self.alternating_responses, self.n_channels)  # (c, r) order
        for _ in range(self.n_kinds):
            for stat in self.statistics:
                if stat in SEGMENT_STATISTICS:
                    yield stat, np.repeat(alternating, self.n_segments)
                elif stat in THRESHOLD_STATISTICS:
                    blocks = n_threshold_blocks(stat, len(self.quantiles))
                    yield stat, np.tile(alternating, blocks)
                else:
                    yield stat, alternating
        if self.normalise:
            yield "scale", np.zeros(N_SCALE_FEATURES * self.n_channels, dtype=bool)
        keep = self.cross_columns
        n_bank = self.bank.shape[1]
        cross = np.broadcast_to(self.alternating_responses[:n_bank], keep.shape)[keep]
        for _ in range(self.n_kinds):
            yield "cross", cross

    def column_statistics(self) -> np.ndarray:
        """The statistic each pooled feature column comes from, in column order.

        Returns
        -------
        ndarray of object of shape (n_features,)
            One of ``statistics`` for the per-channel columns, ``"scale"`` for the
            ``normalise`` scale features and ``"cross"`` for the cross-channel block.
        """
        labels = [np.repeat(stat, len(block)) for stat, block in self.column_blocks()]
        return np.concatenate(labels).astype(object)

    def feature_masks(self) -> dict:
        """Boolean masks over the pooled feature columns, by what a column comes from.

        ``"alternating"``: computed from an alternating-sign response; ``"segment"``: a
        ``segment_*`` statistic; ``"ppv"``: a ``ppv`` statistic; ``"scale"``: the
        ``normalise`` scale features; ``"cross"``: a cross-channel feature (all False for
        one channel).

        Returns
        -------
        dict of str to ndarray of bool of shape (n_features,)
            The five masks, by those keys.
        """
        statistic = self.column_statistics()
        return {
            "alternating": np.concatenate([block for _, block in self.column_blocks()]),
            "segment": np.isin(statistic, SEGMENT_STATISTICS),
            "ppv": statistic == "ppv",
            "scale": statistic == "scale",
            "cross": statistic == "cross",
        }

    def homogeneous_columns(self) -> np.ndarray:
        """Mask of the columns that scale with the series: ``f(r x) = r f(x)``, ``r > 0``.

        The statistics of the raw responses but ``ppv`` (linear filters, then means,
        deviations, extremes, values at a step), and the ``normalise`` mean. The ``ppv``
        counts, the log deviation, the responses of standardized series and the
        cross-channel block are not (see ``pooled_features(..., return_scale=True)``).

        Returns
        -------
        ndarray of bool of shape (n_features,)
            True for the homogeneous columns.
        """
        statistic = self.column_statistics()
        scale_free = SCALE_FREE_STATISTICS + ("scale", "cross")
        homogeneous = ~np.isin(statistic, scale_free) & (not self.normalise)
        if self.normalise:  # the scale block is [mean per channel, log std per channel]
            first = int(np.argmax(statistic == "scale"))
            homogeneous[first : first + self.n_channels] = True
        return homogeneous

    def zero_columns(self) -> np.ndarray:
        """Indices of the columns that are zero by construction.

        The ``mean`` of the identity response of each standardized channel, and its
        ``segment_mean`` when ``n_segments == 1`` (the one segment is the whole series):
        a series standardized over its valid steps has mean 0, so computed in floating
        point it is round-off alone (about ``1e-8`` in float32), which the
        standardization of the features would scale up to a column of noise of unit
        variance. Only the series' own blocks (the first input kind): the first
        differences' identity response has a non-zero mean. :func:`pooled_features`
        writes these columns as exact zeros. Empty without ``normalise``, or without
        ``"mean"`` and a one-segment ``"segment_mean"``.

        Returns
        -------
        ndarray of int
            Column indices, one per channel and such statistic (or none).
        """
        zeroed = ("mean", "segment_mean") if self.n_segments == 1 else ("mean",)
        blocks = [stat for stat in zeroed if stat in self.statistics]
        if not self.normalise or not blocks:
            return np.empty(0, dtype=np.intp)
        # the first block of each statistic is the series' (kind 0), channel-major
        # (channel, response) (one segment: one column per response); the identity is
        # response 0 of each channel
        statistic = self.column_statistics()
        identity = np.arange(self.n_channels) * self.n_responses
        return np.concatenate([int(np.argmax(statistic == stat)) + identity for stat in blocks])

    @property
    def n_features(self) -> int:
        """Length of one pooled feature vector."""
        return sum(len(block) for _, block in self.column_blocks())


@validate_params(
    {
        "n_channels": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_bank": [Interval(numbers.Integral, 1, None, closed="left")],
        "differences": ["boolean"],
        "statistics": ["array-like"],
        "n_quantiles": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_segments": [Interval(numbers.Integral, 1, None, closed="left")],
        "normalise": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def n_pooled_features(
    n_channels,
    n_bank,
    *,
    differences=True,
    statistics=STATISTICS,
    n_quantiles=5,
    n_segments=DEFAULT_SEGMENTS,
    normalise=True,
) -> int:
    """Number of pooled features for ``n_bank`` responses per channel.

    Counted from :meth:`PoolingState.column_blocks` (the one encoding of the column
    layout) of a state with that many responses, without the cross-channel block.

    Parameters
    ----------
    n_channels : int
        Channels of the series.
    n_bank : int
        Responses per channel: bank columns plus mixtures
        (:attr:`PoolingState.n_responses`).
    differences : bool, default=True
        Whether the first differences are pooled too (twice the per-channel columns).
    statistics : sequence of str, default=sksssm.spectral.STATISTICS
        The pooling statistics, refused as :func:`fit_pooling` refuses them (distinct
        known names, at least one).
    n_quantiles : int, default=5
        Number of ``ppv`` thresholds.
    n_segments : int, default=4
        Segments of the ``segment_*`` statistics.
    normalise : bool, default=True
        Add the two scale features per channel.

    Returns
    -------
    int
        Length of one pooled feature vector.

    Examples
    --------
    >>> from sksssm.spectral import n_pooled_features
    >>> n_pooled_features(1, 17, statistics=("mean", "ppv"), normalise=False)  # 2 x 17 x 6
    204
    >>> n_pooled_features(1, 17, statistics=("mean", "ppv"))  # + mean and log std
    206
    """
    # a layout-only state (no filters, no thresholds): the count is its column layout,
    # PoolingState.column_blocks, the one place the layout is encoded
    responses = np.arange(n_bank)
    layout = PoolingState(
        n_channels=n_channels,
        filter_lengths=(),
        bank=np.zeros((1, n_bank)),
        bank_groups=(responses,),
        mixing=(),
        groups=(responses,),
        differences=bool(differences),
        statistics=_checked_statistics(statistics),
        quantiles=(0.5,) * n_quantiles,
        biases=None,
        n_segments=n_segments,
        normalise=bool(normalise),
        use_negative=False,
    )
    return layout.n_features
