"""The regression rows of :class:`~sksssm.SpectralFilterRegressor`, in memory and on Dask.

:class:`DesignRows` maps scaled sequences to design rows (sequence targets or the last
step); :class:`BlockRows` applies it to one Dask block in the public
layouts (it runs on the workers, so both are picklable).
"""

from __future__ import annotations

import numpy as np

from .._validation import to_btc


class DesignRows:
    """The regression rows of scaled sequences: one picklable map for memory and Dask.

    ``DesignRows(...)(U, Y) -> (F, Y_rows)`` with ``U`` (n, t, c) and ``Y`` (n, t, q) for
    sequence targets or (n, q) otherwise; ``features(U)`` gives the last step's features
    for prediction.
    """

    def __init__(self, design, return_sequences, n_channels, n_outputs):
        self.design = design
        self.return_sequences = return_sequences
        self.n_columns = design.n_columns(n_channels, n_outputs)
        self.n_channels, self.n_outputs = n_channels, n_outputs

    def features(self, U):
        return self.design.last_features(U)

    def __call__(self, U, Y):
        if self.return_sequences:
            return self.design.sequence_rows(U, Y)
        return self.features(U), Y

    def bytes_per_sequence(self, n_timesteps):
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
