"""Warnings and errors raised by sksssm, and the one way it warns."""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from functools import cache

__all__ = ["FilterCacheWarning", "SpectralFilterWarning", "TrainingDivergedError"]

#: Packages whose frames a warning skips to reach the caller's line (sksssm is called
#: through scikit-learn's validation wrappers and meta-estimators, sktime and skorch).
_CALLED_THROUGH = ("sksssm", "sklearn", "sktime", "skorch")


class SpectralFilterWarning(UserWarning):
    """A requested option of a spectral filtering model was reduced to what the data
    supports.

    Raised when ``n_filters`` exceeds what the sequence length supports: more filters than
    time steps, or filters whose Hankel eigenvalue lies below float64 precision (their
    eigenvectors are numerical noise and ``sigma ** 0.25`` would be undefined). The message
    names the number of filters actually used. Raised too when
    ``SpectralFilterClassifier(kernel="rbf")`` cannot fit its Gaussian-kernel heads (the
    parameter's docstring lists where); the message names the reason, and the heads are
    the linear ridge.
    """


class FilterCacheWarning(UserWarning):
    """A file in ``$SKSSSM_CACHE_DIR`` could not be used or written; filters recomputed."""


class TrainingDivergedError(FloatingPointError):
    """Training produced a non-finite loss (try a lower learning rate)."""


@cache
def _library_dirs() -> tuple[str, ...]:
    dirs = []
    for name in _CALLED_THROUGH:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            dirs += [os.path.join(path, "") for path in spec.submodule_search_locations]
    return tuple(dirs)


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the first frame outside sksssm and the libraries it
    is called through: the warning names the user's line (a fixed ``stacklevel`` would
    name a scikit-learn wrapper for some call paths), and filters by module apply there.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("reduced", SpectralFilterWarning)
    >>> caught[0].category.__name__, caught[0].filename.startswith("<doctest")  # this line
    ('SpectralFilterWarning', True)
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_library_dirs()):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
