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


def _cross_features(U_raw, lengths, state, lag_weights=None):
    """The ``cross`` block of one chunk: filtered cross-correlations of channel pairs.

    For each kind (the series, then its first differences), each channel of each series
    standardized over its valid steps (``u``), each pair ``(i, j)`` and each bank column
    ``phi``: ``mean_{t < length} (phi * u_i)[t] u_j[t] = sum_s phi[s] R_ij(s) / length``
    with the cross-correlation ``R_ij(s) = sum_t u_i[t] u_j[t + s]`` (zero outside the
    valid steps). A filter bank that spans the short lags (the STU filters of length 8)
    thus sees the correlation at each lag ``0..7`` (lead/lag), the long filters its
    smooth profile over long lags (coupling).

    The sums over the lags are taken in the frequency domain: the spectrum of ``R_ij`` is
    ``conj(U_i) U_j`` (FFTs long enough that no negative lag wraps onto the filters'),
    and by Parseval's identity every bank column's sum is one product of those spectra
    with the bank's (:func:`_lag_weights`): one matrix product for all pairs and
    columns, no inverse FFT and no correlation formed. Measured in fit+predict of the
    DuckDuckGeese-like shape of ``benchmarks/clf_wide.py`` (1345 channels, 2690 pairs):
    3.5 s with the inverse FFTs and a sum over the lags, 2.2 s so. ``lag_weights``: a
    dict kept across the chunks of one call (per filter bank), holding the bank's
    weights per FFT size and number of lags (for 17,984-step series and 383 bank
    columns, computing them costs more than a chunk's cross block).
    """
    pairs = state.cross_pairs
    keep = state.cross_columns
    t = U_raw.shape[1]
    kinds = [_standardise(V, lengths) for V in _inputs(U_raw, lengths, state.differences)]
    n_lags = min(t, state.bank.shape[0])  # R_ij(s) = 0 for s >= t; taps beyond are unused
    n_fft = scipy.fft.next_fast_len(t + n_lags - 1, real=True)  # no circular wrap
    # the bank's spectra, once per call: a long bank's cost more than a chunk's block
    lag_weights = {} if lag_weights is None else lag_weights
    if (n_fft, n_lags) not in lag_weights:
        lag_weights[n_fft, n_lags] = _lag_weights(state.bank[:n_lags], n_fft)
    weights = lag_weights[n_fft, n_lags]
    blocks = []
    for V in kinds:
        spectrum = scipy.fft.rfft(np.swapaxes(V, 1, 2), n_fft, axis=-1)  # (m, c, F)
        product = spectrum[:, pairs[:, 0]]  # a copy (gathered): conjugated in place
        np.conjugate(product, out=product)
        product *= spectrum[:, pairs[:, 1]]  # (m, pairs, F): the spectra of R_ij
        interleaved = product.view(product.real.dtype)  # (m, pairs, 2 F): re, im, re, ...
        filtered = np.matmul(interleaved, weights) / lengths[:, None, None]  # (m, pairs, b)
        blocks.append(filtered[:, keep])
    return np.concatenate(blocks, axis=1)


def _lag_weights(bank, n_fft):
    """``(2 F, n_bank)`` real weights ``W``: ``sum_s R(s) bank[s, b] = (p @ W)[b]`` for a
    real ``R`` of length ``n_fft`` whose half spectrum (``F = n_fft // 2 + 1`` bins) is
    ``p`` with its real and imaginary parts interleaved.

    Parseval's identity for real sequences: ``sum_s x[s] y[s] = sum_k w_k Re(X_k
    conj(Y_k)) / n_fft`` over the half spectrum, ``w_k = 2`` but for the bins that are
    their own mirror (``k = 0``, and ``n_fft / 2`` for even ``n_fft``), ``w_k = 1``; and
    ``Re(X conj(Y)) = Re X Re Y + Im X Im Y``.
    """
    spectrum = scipy.fft.rfft(bank, n_fft, axis=0)  # (F, n_bank)
    mirror = np.full(len(spectrum), 2.0)
    mirror[0] = 1.0
    if n_fft % 2 == 0:
        mirror[-1] = 1.0
    spectrum *= (mirror / n_fft)[:, None]
    weights = np.empty((2 * len(spectrum), bank.shape[1]))
    weights[0::2] = spectrum.real
    weights[1::2] = spectrum.imag
    return weights
