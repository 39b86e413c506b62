"""Spectral filters: the top eigenvectors of the STU Hankel matrix.

Eigenpairs come from Lanczos (ARPACK's ``eigsh``) on the FFT matrix-vector product of
:func:`~sksssm.spectral.hankel_operator` for long sequences, and from a dense
``scipy.linalg.eigh`` only for short ones, where it is faster. Results are cached in memory
and, when the environment variable ``SKSSSM_CACHE_DIR`` is set, in validated ``.npz`` files
there, written atomically (see :func:`eigenpairs`).
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import eigsh
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import FilterCacheWarning, SpectralFilterWarning, warn
from ._hankel import (
    HANKEL_KINDS,
    check_hankel,
    check_n_timesteps,
    hankel_matrix,
    hankel_operator,
)

CACHE_DIR_ENV = "SKSSSM_CACHE_DIR"

# Dense eigh is about as fast as Lanczos up to this length (measured on 2 cores, K=24;
# see benchmarks/spectral_filters.py); above it, dense costs O(L^3) and Lanczos O(K L log L).
DENSE_MAX_LENGTH = 384

_EPS = np.finfo(np.float64).eps
# Kept eigenvalues exceed the roundoff bound L * eps * sigma_1 by this factor.
USABLE_SAFETY = 80.0


def usable_threshold(sigma_1: float, n_timesteps: int) -> float:
    """Smallest eigenvalue kept: ``80 * sqrt(L) * eps * sigma_1``.

    Computed eigenvalues are exact for the matrix perturbed by roundoff; for sums of ``L``
    terms with independent rounding errors that perturbation has norm of order
    ``sqrt(L) * eps * sigma_1`` (the worst case, ``L * eps * sigma_1``, is
    ``numpy.linalg.matrix_rank``'s tolerance, but it would discard accurate filters at long
    lengths: at ``L = 2**20`` it keeps 16 of the 24 filters whose eigenvalues are still
    about 1e-11 of the largest). By Weyl's inequality an eigenvalue well above the bound is
    known to at least one significant digit; smaller ones may have none, not even their
    sign, and their eigenvectors are noise. The factor 80 keeps the dense/Lanczos
    agreement of the kept filters within 1e-6 for every length tested.
    """
    return USABLE_SAFETY * math.sqrt(n_timesteps) * _EPS * sigma_1


def check_n_filters(n_filters) -> int:
    """Return ``n_filters`` as an int, or raise ValueError if it is not a positive integer."""
    if isinstance(n_filters, bool | np.bool_) or not isinstance(n_filters, numbers.Integral):
        raise ValueError(f"n_filters must be a positive integer, got {n_filters!r}.")
    if n_filters < 1:
        raise ValueError(f"n_filters must be a positive integer, got {n_filters}.")
    return int(n_filters)


def fix_signs(phi: np.ndarray) -> np.ndarray:
    """Flip each column so that its entry of largest magnitude is positive (in place).

    Eigenvectors are defined up to sign; this makes them deterministic. Ties in magnitude
    go to the earliest index (``argmax``).
    """
    signs = np.sign(phi[_largest_entries(phi), np.arange(phi.shape[1])])
    signs[signs == 0] = 1.0
    phi *= signs
    return phi


def _largest_entries(phi: np.ndarray) -> np.ndarray:
    """Row index of each column's entry of largest magnitude (ties: the earliest).

    ``argmax`` along the rows of a C-ordered ``(L, K)`` array is strided and slow for long
    ``L`` (about 1 s at ``L = 2**20``); on a contiguous copy of the transpose it is 6x faster.
    """
    return np.argmax(np.abs(np.ascontiguousarray(phi.T)), axis=1)


def dense_eigenpairs(n_timesteps: int, k: int, hankel: str = "Z"):
    """Top-``k`` eigenpairs by dense ``scipy.linalg.eigh``, descending, signs fixed."""
    sigma, phi = scipy.linalg.eigh(
        hankel_matrix(n_timesteps, hankel), subset_by_index=[n_timesteps - k, n_timesteps - 1]
    )
    return sigma[::-1].copy(), fix_signs(phi[:, ::-1].copy())


def lanczos_eigenpairs(n_timesteps: int, k: int, hankel: str = "Z"):
    """Top-``k`` eigenpairs by Lanczos on the FFT operator, descending, signs fixed.

    The start vector is a fixed pseudo-random vector: deterministic, yet (unlike a
    constant vector) not close to orthogonal to any eigenvector.
    """
    if k >= n_timesteps - 1:  # ARPACK needs k < L - 1 for a Krylov space; tiny cases only
        return dense_eigenpairs(n_timesteps, k, hankel)
    v0 = np.random.default_rng(0).standard_normal(n_timesteps)
    sigma, phi = eigsh(hankel_operator(n_timesteps, hankel), k=k, which="LA", v0=v0)
    order = np.argsort(sigma)[::-1]
    return sigma[order], fix_signs(phi[:, order])


#: Bumped whenever the layout of the cache files changes; older files are recomputed.
CACHE_FORMAT_VERSION = 1

# Validation tolerances for cached eigenpairs, relative to sigma_1. Freshly computed pairs
# have ||H phi - phi sigma||_max and ||phi'phi - I||_max of at most about 1e-14 (measured
# for L = 64 ... 2000, K up to L, both Hankel kinds); ARPACK's own stopping rule allows up
# to about eps^(2/3) ~ 4e-11. A planted or corrupted file misses by orders of magnitude.
_CACHE_RESIDUAL_TOL = 1e-7
_CACHE_ORTHONORMAL_TOL = 1e-7
#: Power steps of the "top K" check (:func:`_largest_missed_eigenvalue`).
_CACHE_POWER_STEPS = 12


def cache_dir() -> Path | None:
    """The directory named by ``$SKSSSM_CACHE_DIR`` (``~`` expanded), or None if unset.

    Examples
    --------
    >>> import os
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> from sksssm.spectral._filters import cache_dir
    >>> with mock.patch.dict(os.environ, {"SKSSSM_CACHE_DIR": "~/filters"}):
    ...     cache_dir() == Path.home() / "filters"
    True
    """
    value = os.environ.get(CACHE_DIR_ENV)
    if not value:
        return None
    return Path(value).expanduser()


def _cache_file(n_timesteps: int, k: int, hankel: str) -> Path | None:
    directory = cache_dir()
    if directory is None:
        return None
    return directory / f"sksssm_spectral_{hankel}_L{n_timesteps}_K{k}.npz"


def _check_cached(sigma, phi, meta, stored_hankel, n_timesteps, k, hankel) -> str | None:
    """Return why cached eigenpairs are unusable, or None if they pass every check."""
    expected_meta = [CACHE_FORMAT_VERSION, n_timesteps, k]
    if meta.shape != (3,) or meta.tolist() != expected_meta:
        return f"metadata {meta.tolist()} != [format, L, K] = {expected_meta}"
    if stored_hankel.shape != () or str(stored_hankel) != hankel:
        return f"hankel {stored_hankel!s} != {hankel!r}"
    if sigma.dtype != np.float64 or phi.dtype != np.float64:
        return f"dtypes {sigma.dtype}/{phi.dtype}, expected float64"
    if sigma.shape != (k,) or phi.shape != (n_timesteps, k):
        return f"shapes {sigma.shape}/{phi.shape}, expected ({k},)/({n_timesteps}, {k})"
    if not (np.isfinite(sigma).all() and np.isfinite(phi).all()):
        return "non-finite values"
    if not sigma[0] > 0:
        return f"largest eigenvalue {sigma[0]!r} is not positive"
    if (np.diff(sigma) > 0).any():
        return "eigenvalues are not in descending order"
    # The tail may be round-off below zero, never by more than the round-off bound.
    if sigma[-1] < -usable_threshold(sigma[0], n_timesteps):
        return f"eigenvalue {sigma[-1]!r} is negative beyond round-off"
    if not (phi[_largest_entries(phi), np.arange(k)] > 0).all():
        return "eigenvector signs are not normalized"
    if np.abs(phi.T @ phi - np.eye(k)).max() > _CACHE_ORTHONORMAL_TOL:
        return "eigenvectors are not orthonormal"
    # One FFT product instead of K: the residual of a random combination of the pairs is
    # large unless every pair's residual is small (cancellation has probability zero).
    weights = np.random.default_rng(0).standard_normal(k) / math.sqrt(k)
    operator = hankel_operator(n_timesteps, hankel)
    residual = operator @ (phi @ weights) - phi @ (sigma * weights)
    if np.abs(residual).max() > _CACHE_RESIDUAL_TOL * sigma[0]:
        return "not eigenpairs of the Hankel matrix"
    missed = _largest_missed_eigenvalue(operator, phi, n_timesteps)
    if missed > sigma[-1] + _CACHE_RESIDUAL_TOL * sigma[0]:
        return (
            f"not the top {k} eigenpairs (the Hankel matrix has an eigenvalue >= {missed:.3g} "
            f"outside them, above the smallest stored one, {sigma[-1]:.3g})"
        )
    return None


def _largest_missed_eigenvalue(operator, phi, n_timesteps):
    """A lower bound on the largest eigenvalue of the Hankel matrix outside ``span(phi)``.

    Genuine eigenpairs can still be the wrong ones (pairs ``K+1..2K`` stored under the
    name of the top ``K``). They are the top ``K`` exactly when no eigenvalue of the
    operator deflated by ``phi``, ``(I - phi phi^T) H (I - phi phi^T)``, exceeds the
    smallest stored one. A few power steps give a Rayleigh quotient, a lower bound on
    that largest eigenvalue (never a false alarm); the Hankel spectrum decays
    geometrically, so any missed top eigenvalue dominates after a few steps. One FFT
    product per step.
    """
    v = np.random.default_rng(1).standard_normal(n_timesteps)
    quotient = 0.0
    for _ in range(_CACHE_POWER_STEPS):
        v -= phi @ (phi.T @ v)
        norm = np.linalg.norm(v)
        if norm == 0.0:  # phi spans everything: nothing can be missed
            return 0.0
        v /= norm
        w = operator @ v
        w -= phi @ (phi.T @ w)
        quotient = float(v @ w)
        v = w
    return quotient


def _warn_cache(path: Path, problem: str, action: str) -> None:
    warn(
        f"Spectral filter cache file {str(path)!r}: {problem}; {action}. "
        f"Unset {CACHE_DIR_ENV} to disable the disk cache.",
        FilterCacheWarning,
    )


def _read_cache(path: Path, n_timesteps: int, k: int, hankel: str):
    """Validated ``(sigma, phi)`` from ``path``, or None (with a warning if it is bad)."""
    try:
        status = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # writing will warn if it cannot
        return None
    except OSError as error:
        _warn_cache(path, f"cannot be inspected ({error})", "recomputing the filters")
        return None
    if stat.S_ISLNK(status.st_mode):
        _warn_cache(
            path, "is a symbolic link, which is never followed", "replacing it by a regular file"
        )
        return None
    if not stat.S_ISREG(status.st_mode):
        _warn_cache(path, "is not a regular file", "recomputing the filters")
        return None
    try:
        # O_NOFOLLOW: a link swapped in after the lstat above makes open fail (ELOOP).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:  # replaced or removed by another process in between
        return None
    except OSError as error:
        _warn_cache(path, f"cannot be opened ({error})", "recomputing the filters")
        return None
    try:
        with os.fdopen(fd, "rb") as handle, np.load(handle, allow_pickle=False) as stored:
            sigma, phi = np.asarray(stored["sigma"]), np.asarray(stored["phi"])
            meta, stored_hankel = np.asarray(stored["meta"]), np.asarray(stored["hankel"])
    except Exception as error:  # truncated zip, missing key, pickled object, ...
        _warn_cache(
            path,
            f"cannot be read ({type(error).__name__}: {error})",
            "recomputing and rewriting it",
        )
        return None
    problem = _check_cached(sigma, phi, meta, stored_hankel, n_timesteps, k, hankel)
    if problem is not None:
        _warn_cache(path, f"invalid ({problem})", "recomputing and rewriting it")
        return None
    return sigma, phi


def _write_cache(path: Path, sigma: np.ndarray, phi: np.ndarray, hankel: str) -> None:
    """Write atomically: a private temporary file in the same directory, then ``os.replace``.

    Readers see either the old file or the complete new one, never a partial file;
    concurrent writers each write their own temporary file and the last rename wins (the
    contents are identical). ``os.replace`` replaces a symbolic link at ``path`` by the
    file, leaving the link's target untouched. Failures only warn: the cache is optional.
    """
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                sigma=sigma,
                phi=phi,
                meta=np.array([CACHE_FORMAT_VERSION, phi.shape[0], phi.shape[1]]),
                hankel=np.array(hankel),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        _warn_cache(path, f"cannot be written ({error})", "continuing without the disk cache")
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=64)
def eigenpairs(n_timesteps: int, k: int, hankel: str = "Z"):
    """Top-``k`` eigenpairs ``(sigma, phi)`` of the Hankel matrix, cached, read-only.

    Not capped: the tail may lie below :func:`usable_threshold`. Cached in memory (LRU, 64
    entries) and, when ``$SKSSSM_CACHE_DIR`` is set, on disk:

    - ``~`` is expanded and the directory is created if missing;
    - files are written atomically (temporary file in the same directory, then
      ``os.replace``), so processes sharing one directory never read a partial file;
    - a file is used only if it passes validation: format version, ``L``, ``K`` and the
      Hankel kind match; shapes ``(K,)`` and ``(L, K)``; float64 and finite; eigenvalues
      descending with a positive leading one; normalized signs; orthonormal columns that
      are eigenvectors of the Hankel matrix (one FFT product, for a random combination
      of the columns: under a second at ``L = 2**20``, against seconds for Lanczos), and
      they are the *top* ``K``: a few power steps on the Hankel operator deflated by the
      stored vectors find no eigenvalue above the smallest stored one. A bad file
      gives a :class:`FilterCacheWarning` and is recomputed and rewritten;
    - a symbolic link at the file's path is never followed: it is replaced by a regular
      file (its target is left untouched). The cache directory itself may be a link.

    Files are created with mode 0600 (``tempfile.mkstemp``): private to their owner.
    """
    path = _cache_file(n_timesteps, k, hankel)
    if path is not None:
        cached = _read_cache(path, n_timesteps, k, hankel)
        if cached is not None:
            return _read_only(cached[0]), _read_only(cached[1])
    compute = dense_eigenpairs if n_timesteps <= DENSE_MAX_LENGTH else lanczos_eigenpairs
    sigma, phi = compute(n_timesteps, k, hankel)
    if path is not None:
        _write_cache(path, sigma, phi, hankel)
    return _read_only(sigma), _read_only(phi)


def n_usable(sigma: np.ndarray, n_timesteps: int) -> int:
    """Number of leading eigenvalues (descending ``sigma``) above :func:`usable_threshold`."""
    return int(np.count_nonzero(sigma > usable_threshold(sigma[0], n_timesteps)))


@validate_params(
    {
        "n_timesteps": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_filters": [Interval(numbers.Integral, 1, None, closed="left")],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
    },
    prefer_skip_nested_validation=True,
)
def spectral_filters(n_timesteps: int, n_filters: int, hankel: str = "Z"):
    """Top eigenvalues and eigenvectors of the STU Hankel matrix.

    The spectral filters of the Spectral State Space Model (Agarwal et al., 2023): the
    ``n_filters`` eigenvectors of :func:`hankel_matrix` with the largest eigenvalues.
    Each eigenvector is signed so that its entry of largest magnitude is positive.

    The number of filters is capped, with a :class:`~sksssm.exceptions.SpectralFilterWarning`
    naming the value used, at ``L`` and at the number of *usable* eigenvalues: those above
    ``80 * sqrt(L) * eps * sigma_1`` (see
    ``sksssm.spectral._filters.usable_threshold``). Smaller eigenvalues are (nearly)
    indistinguishable from float64 roundoff (they may even come out negative, which
    would make ``sigma ** 0.25`` NaN) and their eigenvectors are noise. See
    :func:`max_usable_filters`.

    Parameters
    ----------
    n_timesteps : int
        Sequence length ``L`` (the filter length).
    n_filters : int
        Number of filters ``K`` requested, a positive integer.
    hankel : {"Z", "L"}, default="Z"
        Which Hankel matrix, as in :func:`hankel_matrix`.

    Returns
    -------
    sigma : ndarray of shape (K,)
        Eigenvalues, descending, all positive.
    phi : ndarray of shape (n_timesteps, K)
        Orthonormal eigenvectors (columns). Both arrays are read-only views of a cache;
        copy them to modify.

    Notes
    -----
    Eigenpairs are cached in memory (per process) and, when the environment variable
    ``SKSSSM_CACHE_DIR`` names a directory (``~`` is expanded; the directory is created
    if missing), in one ``.npz`` file per ``(L, K, hankel)`` there, shared by processes:

    - files are written atomically (a private temporary file in the same directory,
      then ``os.replace``), so concurrent processes never read a partial file;
    - a file is validated before use (format, ``L``, ``K`` and ``hankel`` recorded in it;
      shapes; float64, finite; eigenvalues descending, the largest positive; normalized
      signs; orthonormal eigenvectors of the Hankel matrix, checked with one FFT product
      for a random combination of the filters). A file that fails gives a
      ``FilterCacheWarning`` (a ``UserWarning``) and is recomputed and rewritten;
    - a symbolic link at a file's path is never followed (neither read nor written
      through): it is replaced by a regular file, its target left untouched. The
      directory itself may be a link. Files are created readable by their owner only;
    - a directory that cannot be written only gives a warning.

    Examples
    --------
    >>> from sksssm.spectral import spectral_filters
    >>> sigma, phi = spectral_filters(256, 8)
    >>> sigma.shape, phi.shape
    ((8,), (256, 8))
    >>> bool((sigma[:-1] > sigma[1:]).all())
    True
    """
    n_timesteps = check_n_timesteps(n_timesteps)
    n_filters = check_n_filters(n_filters)
    hankel = check_hankel(hankel)
    sigma, phi = eigenpairs(n_timesteps, min(n_filters, n_timesteps), hankel)
    n_used = n_usable(sigma, n_timesteps)
    if n_used < n_filters:
        warn(_cap_message(n_filters, n_used, n_timesteps), SpectralFilterWarning)
    return sigma[:n_used], phi[:, :n_used]


def _cap_message(n_requested: int, n_used: int, n_timesteps: int) -> str:
    if n_requested > n_timesteps and n_used == n_timesteps:
        reason = f"at most n_timesteps={n_timesteps} filters exist"
    else:
        reason = (
            f"only {n_used} Hankel eigenvalues exceed 80 * sqrt(L) * eps * sigma_1 "
            "(float64 precision) "
            f"for n_timesteps={n_timesteps}; smaller ones are roundoff noise"
        )
    return f"n_filters={n_requested} reduced to n_filters={n_used}: {reason}."


@validate_params(
    {
        "n_timesteps": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_filters": [Interval(numbers.Integral, 1, None, closed="left")],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
    },
    prefer_skip_nested_validation=True,
)
def stu_filters(n_timesteps: int, n_filters: int, hankel: str = "Z") -> np.ndarray:
    """STU convolution filters ``phi * sigma ** 0.25``.

    The eigenvectors of :func:`spectral_filters` scaled by the fourth root of their
    eigenvalues, as in the STU layer (the scaling balances the filters' contributions,
    whose eigenvalues span many orders of magnitude). Capped like
    :func:`spectral_filters`.

    Parameters
    ----------
    n_timesteps : int
        Sequence length ``L``.
    n_filters : int
        Number of filters ``K`` requested.
    hankel : {"Z", "L"}, default="Z"
        Which Hankel matrix.

    Returns
    -------
    ndarray of shape (n_timesteps, K)
        A new (writable) array; never NaN.

    Examples
    --------
    >>> from sksssm.spectral import stu_filters
    >>> stu_filters(64, 4).shape
    (64, 4)
    """
    sigma, phi = spectral_filters(n_timesteps, n_filters, hankel)
    return phi * sigma**0.25


@validate_params(
    {
        "n_timesteps": [Interval(numbers.Integral, 1, None, closed="left")],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
    },
    prefer_skip_nested_validation=True,
)
def max_usable_filters(n_timesteps: int, hankel: str = "Z") -> int:
    """Largest ``n_filters`` that :func:`spectral_filters` returns uncapped for this length.

    The number of eigenvalues above ``80 * sqrt(L) * eps * sigma_1`` (at most ``L``). It
    grows slowly with ``L`` (the eigenvalues decay roughly geometrically, more slowly for
    longer sequences). Computed by asking for more eigenvalues (32, 64, ...) until one falls
    below the threshold; cached.

    Parameters
    ----------
    n_timesteps : int
        Sequence length ``L``.
    hankel : {"Z", "L"}, default="Z"
        Which Hankel matrix.

    Returns
    -------
    int

    Examples
    --------
    >>> from sksssm.spectral import max_usable_filters
    >>> max_usable_filters(4)
    4
    >>> 15 <= max_usable_filters(64) <= 64
    True
    """
    n_timesteps = check_n_timesteps(n_timesteps)
    hankel = check_hankel(hankel)
    k = min(32, n_timesteps)
    while True:
        sigma, _ = eigenpairs(n_timesteps, k, hankel)
        count = n_usable(sigma, n_timesteps)
        if count < k or k == n_timesteps:
            return count
        k = min(2 * k, n_timesteps)
