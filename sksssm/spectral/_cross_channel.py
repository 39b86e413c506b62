"""The cross-channel block: filtered cross-correlations of channel pairs."""

from __future__ import annotations

import numpy as np
import scipy.fft

from ._sequences import _inputs, _standardise

#: Most ordered channel pairs of the ``cross`` block: every pair up to 16 channels
#: (``16 * 15 = 240``), cyclic neighbours beyond (:func:`cross_pairs`).
MAX_CROSS_PAIRS = 240


def cross_pairs(n_channels, max_pairs=MAX_CROSS_PAIRS) -> np.ndarray:
    """Ordered channel pairs ``(i, j)`` of the cross-channel block.

    Every ordered pair ``i != j`` while there are at most ``max_pairs`` of them
    (``n_channels * (n_channels - 1) <= max_pairs``: up to 16 channels by default);
    beyond, each channel with its cyclic neighbours ``i +- 1, ..., i +- m`` (both
    orders), ``m = max(1, max_pairs // (2 * n_channels))``: the number of pairs then grows
    at most linearly with the channels, like the per-channel features, and neighbouring
    channels (adjacent sensors, electrodes) are the ones paired. No pairs for one channel.

    Examples
    --------
    >>> from sksssm.spectral._pooling import cross_pairs
    >>> cross_pairs(3).tolist()
    [[0, 1], [0, 2], [1, 2], [1, 0], [2, 0], [2, 1]]
    >>> len(cross_pairs(16)), len(cross_pairs(20)), len(cross_pairs(1))
    (240, 240, 0)
    """
    c = int(n_channels)
    if c * (c - 1) <= max_pairs:
        offsets = range(1, c)
    else:
        m = max(1, int(max_pairs) // (2 * c))
        offsets = sorted({d for k in range(1, m + 1) for d in (k, c - k)})
    pairs = [(i, (i + d) % c) for i in range(c) for d in offsets]
    return np.array(pairs, dtype=np.intp).reshape(-1, 2)


def _cross_features(U_raw, lengths, state):
    """The ``cross`` block of one chunk: filtered cross-correlations of channel pairs.

    For each kind (the series, then its first differences), each channel of each series
    standardized over its valid steps (``u``), each pair ``(i, j)`` and each bank column
    ``phi``: ``mean_{t < length} (phi * u_i)[t] u_j[t] = sum_s phi[s] R_ij(s) / length``
    with the cross-correlation ``R_ij(s) = sum_t u_i[t] u_j[t + s]`` (zero outside the
    valid steps; computed by FFT). A filter bank that spans the short lags (the STU
    filters of length 8) thus sees the correlation at each lag ``0..7`` (lead/lag), the
    long filters its smooth profile over long lags (coupling).
    """
    pairs = state.cross_pairs
    keep = state.cross_columns
    t = U_raw.shape[1]
    kinds = [_standardise(V, lengths) for V in _inputs(U_raw, lengths, state.differences)]
    n_lags = min(t, state.bank.shape[0])  # R_ij(s) = 0 for s >= t; taps beyond are unused
    n_fft = scipy.fft.next_fast_len(t + n_lags - 1, real=True)  # no circular wrap
    bank = state.bank[:n_lags]
    blocks = []
    for V in kinds:
        spectrum = scipy.fft.rfft(V, n_fft, axis=1)  # (m, F, c)
        product = np.conj(spectrum[:, :, pairs[:, 0]]) * spectrum[:, :, pairs[:, 1]]
        R = scipy.fft.irfft(product, n_fft, axis=1)[:, :n_lags]  # (m, lags, pairs)
        filtered = np.einsum("msp,sb->mpb", R, bank) / lengths[:, None, None]
        blocks.append(filtered[:, keep])
    return np.concatenate(blocks, axis=1)
