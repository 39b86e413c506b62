"""Spectral filters: the top eigenvectors of the STU Hankel matrix.

Eigenpairs come from Lanczos (ARPACK's ``eigsh``) on the FFT matrix-vector product of
:func:`~sksssm.spectral.hankel_operator` for long sequences, and from a dense
``scipy.linalg.eigh`` only for short ones, where it is faster. Results are cached in memory
and, when the environment variable ``SKSSSM_CACHE_DIR`` is set, in ``.npz`` files there.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import warnings
from pathlib import Path

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import eigsh

from ..exceptions import SpectralFilterWarning
from ._hankel import check_hankel, check_n_timesteps, hankel_matrix, hankel_operator

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
    rows = np.argmax(np.abs(phi), axis=0)
    signs = np.sign(phi[rows, np.arange(phi.shape[1])])
    signs[signs == 0] = 1.0
    phi *= signs
    return phi


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


def _cache_file(n_timesteps: int, k: int, hankel: str) -> Path | None:
    cache_dir = os.environ.get(CACHE_DIR_ENV)
    if not cache_dir:
        return None
    return Path(cache_dir) / f"sksssm_spectral_{hankel}_L{n_timesteps}_K{k}.npz"


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=64)
def eigenpairs(n_timesteps: int, k: int, hankel: str = "Z"):
    """Top-``k`` eigenpairs ``(sigma, phi)`` of the Hankel matrix, cached, read-only.

    Not capped: the tail may lie below :func:`usable_threshold`. Read from / written to
    ``$SKSSSM_CACHE_DIR`` when that variable is set.
    """
    path = _cache_file(n_timesteps, k, hankel)
    if path is not None and path.exists():
        with np.load(path) as stored:
            return _read_only(stored["sigma"]), _read_only(stored["phi"])
    compute = dense_eigenpairs if n_timesteps <= DENSE_MAX_LENGTH else lanczos_eigenpairs
    sigma, phi = compute(n_timesteps, k, hankel)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, sigma=sigma, phi=phi)
    return _read_only(sigma), _read_only(phi)


def n_usable(sigma: np.ndarray, n_timesteps: int) -> int:
    """Number of leading eigenvalues (descending ``sigma``) above :func:`usable_threshold`."""
    return int(np.count_nonzero(sigma > usable_threshold(sigma[0], n_timesteps)))


def spectral_filters(n_timesteps: int, n_filters: int, hankel: str = "Z"):
    """Top eigenvalues and eigenvectors of the STU Hankel matrix.

    The spectral filters of the Spectral State Space Model (Agarwal et al., 2023): the
    ``n_filters`` eigenvectors of :func:`hankel_matrix` with the largest eigenvalues.
    Each eigenvector is signed so that its entry of largest magnitude is positive.

    The number of filters is capped, with a :class:`~sksssm.exceptions.SpectralFilterWarning`
    naming the value used, at ``L`` and at the number of *usable* eigenvalues: those above
    ``80 * sqrt(L) * eps * sigma_1`` (see :func:`usable_threshold`). Smaller
    eigenvalues are (nearly) indistinguishable from float64 roundoff (they may even come
    out negative, which would make ``sigma ** 0.25`` NaN) and their eigenvectors are
    noise. See
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
        warnings.warn(_cap_message(n_filters, n_used, n_timesteps), SpectralFilterWarning, 2)
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
