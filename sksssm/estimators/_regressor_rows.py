"""The regression rows of :class:`~sksssm.SpectralFilterRegressor`, in memory and on Dask.

:class:`DesignRows` maps scaled sequences to design rows (sequence targets, last step,
or pooled statistics); :class:`BlockRows` applies it to one Dask block in the public
layouts (it runs on the workers, so both are picklable).
"""

from __future__ import annotations

import numpy as np

from .._validation import to_btc
from ..spectral import fit_pooling, pooled_features
from ..spectral._pooling import threshold_series


def _threshold_sample(X_btc, lazy_X, bank_options):
    """The series to fit the pooled statistics' thresholds on: ``X_btc``, or for Dask the
    series :func:`~sksssm.spectral.fit_pooling` would pick, fetched from the workers.

    ``X_btc`` is then a zero stand-in; thresholds fitted on it would all be zero. Fitted on
    exactly these series, ``fit_pooling`` gives the thresholds of the in-memory fit.
    """
    if lazy_X is None:
        return X_btc
    # the number of responses depends on the configuration only: one zero series suffices
    probe = fit_pooling(np.zeros((1, *X_btc.shape[1:])), normalise=False, **bank_options)
    rows = threshold_series(X_btc.shape, probe.n_responses)
    return to_btc(np.asarray(lazy_X[rows].compute(), dtype=np.float64))


class DesignRows:
    """The regression rows of scaled sequences: one picklable map for memory and Dask.

    ``DesignRows(...)(U, Y) -> (F, Y_rows)`` with ``U`` (n, t, c) and ``Y`` (n, t, q) for
    sequence targets or (n, q) otherwise; ``features(U)`` gives the sequence-to-one
    features (last step, or pooled statistics) for prediction.
    """

    def __init__(self, design, return_sequences, pooling, n_channels, n_outputs):
        self.design = design
        self.return_sequences = return_sequences
        self.pooling = pooling
        self.n_columns = (
            pooling.n_features if pooling is not None else design.n_columns(n_channels, n_outputs)
        )
        self.n_channels, self.n_outputs = n_channels, n_outputs

    def features(self, U):
        if self.pooling is not None:
            return pooled_features(U, self.pooling)
        return self.design.last_features(U)

    def __call__(self, U, Y):
        if self.return_sequences:
            return self.design.sequence_rows(U, Y)
        return self.features(U), Y

    def bytes_per_sequence(self, n_timesteps):
        if self.pooling is not None:  # pooled_features chunks within its own budget
            return 8 * n_timesteps * self.n_channels * 4 + 8 * self.n_columns * 4
        return self.design.bytes_per_sequence(
            n_timesteps, self.n_channels, self.n_outputs, sequence_rows=self.return_sequences
        )


class BlockRows:
    """:class:`DesignRows` of one Dask block in the public layouts (runs on the workers)."""

    def __init__(self, rows, x_scale, y_scale):
        self.rows = rows
        self.x_scale = x_scale
        self.y_scale = y_scale

    def __call__(self, X_block, y_block):
        U = to_btc(np.asarray(X_block, dtype=np.float64)) / self.x_scale
        y_block = np.asarray(y_block, dtype=np.float64)
        if self.rows.return_sequences:
            Y = to_btc(y_block[:, None, :] if y_block.ndim == 2 else y_block)
        else:
            Y = y_block[:, None] if y_block.ndim == 1 else y_block
        return self.rows(U, Y / self.y_scale)
