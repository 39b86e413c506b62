"""Synthetic classification data shared by several test modules."""

import numpy as np


def noisy_waves(n, n_timesteps=24, seed=0):
    """``n`` noisy sine waves of 3 classes (frequency 0.05, 0.10, 0.15), random phase.

    Returns ``X`` of shape ``(n, n_timesteps)`` and the integer labels ``y``.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    t = np.arange(n_timesteps)
    phase = rng.uniform(0, 6, (n, 1))
    X = np.sin(2 * np.pi * (0.05 + 0.05 * y)[:, None] * t + phase)
    return X + rng.normal(0, 0.5, (n, n_timesteps)), y


def nan_padded(X, seed=3, shortest=12):
    """``X`` ``(n, c, t)`` with each series cut to a random length in ``[shortest, t]``
    (drawn from ``seed``), every channel NaN-padded alike; returns ``(X, lengths)``."""
    t = X.shape[-1]
    lengths = np.random.default_rng(seed).integers(shortest, t + 1, len(X))
    padding = np.arange(t) >= lengths[:, None]
    X = X.copy()
    X[np.broadcast_to(padding[:, None], X.shape)] = np.nan
    return X, lengths
