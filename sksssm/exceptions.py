"""Warnings and errors raised by sksssm."""


class SpectralFilterWarning(UserWarning):
    """The requested number of spectral filters was reduced.

    Raised when ``n_filters`` exceeds what the sequence length supports: more filters than
    time steps, or filters whose Hankel eigenvalue lies below float64 precision (their
    eigenvectors are numerical noise and ``sigma ** 0.25`` would be undefined). The message
    names the number of filters actually used.
    """


class FilterCacheWarning(UserWarning):
    """A file in ``$SKSSSM_CACHE_DIR`` could not be used or written; filters recomputed."""


class TrainingDivergedError(FloatingPointError):
    """Training produced a non-finite loss (try a lower learning rate)."""
