"""Scale-out of the closed-form fit on Dask: featurise and factor blocks on the workers.

The closed-form estimators solve a ridge regression through the streamed triangular factor
of ``[1 | F | Y]`` (:class:`~sksssm.spectral._ridge.QRAccumulator`). Two factors merge
exactly by one more QR, so a data set split into blocks of samples can be factored block by
block on different machines and the factors combined by a tree reduction. Only factors
travel: each is at most ``(1 + p + q) x (1 + p + q)`` (``p`` design columns, ``q``
targets) plus a shift vector and a row count, whatever the block size, and only the
final one reaches the client. The design rows (``n_samples x n_timesteps`` of them for
sequence outputs) are created on the workers and never leave them.

Dask is optional (``pip install "sksssm[dask]"``); it is imported inside the functions.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["accumulate_dask", "check_dask_inputs", "is_dask_collection", "reduce_factors"]

#: Target size (bytes) of the design rows ``(F, Y)`` of one featurizer call on a worker
#: with ``samples_per_call="auto"``.
AUTO_CALL_BYTES = 16 * 2**20

_INSTALL_HINT = 'Install the optional Dask support with: pip install "sksssm[dask]".'


def _import_dask():
    try:
        import dask
        import dask.array as da
    except ImportError as error:  # pragma: no cover - dask is in the test extra
        raise ImportError(f"Fitting on dask arrays needs dask. {_INSTALL_HINT}") from error
    return dask, da


def is_dask_collection(obj) -> bool:
    """True if ``obj`` is a Dask collection (False, without importing Dask, if not installed).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral._dask import is_dask_collection
    >>> is_dask_collection(np.zeros(3))
    False
    """
    try:
        from dask.base import is_dask_collection as _is_dask_collection
    except ImportError:  # pragma: no cover - dask is in the test extra
        return False
    return bool(_is_dask_collection(obj))


def check_dask_inputs(X, y, *, labels=False):
    """Check shapes and dtypes of a Dask ``X`` and ``y`` (metadata only) and align them.

    Nothing is computed: only the arrays' metadata (``ndim``, ``shape``, ``chunks``,
    ``dtype``) are read; the returned arrays are lazy.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        Chunked along samples (empty sample chunks are dropped). The other axes are
        rechunked to a single chunk (each block must hold whole sequences to be
        filtered).
    y : dask.array.Array or array-like, with ``n_samples`` rows
        Rechunked (or, if in memory, wrapped) to the sample chunks of ``X``.
    labels : bool, default=False
        ``y`` holds class labels, of any dtype (the caller encodes them); otherwise it
        must be real numeric.

    Returns
    -------
    X, y : dask.array.Array
        With ``X.chunks[0] == y.chunks[0]`` and one chunk along every other axis.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D or 3-D, has a non-numeric or complex dtype, unknown chunk
        sizes or no samples, or if ``y`` does not have ``n_samples`` rows (or, unless
        ``labels``, is not real numeric).

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from sksssm.spectral._dask import check_dask_inputs
    >>> X = da.zeros((10, 2, 8), chunks=(4, 1, 4))
    >>> X, y = check_dask_inputs(X, np.arange(10.0))
    >>> X.chunks, y.chunks
    (((4, 4, 2), (2,), (8,)), ((4, 4, 2),))
    """
    _, da = _import_dask()
    if not isinstance(X, da.Array):
        raise TypeError(
            f"X must be a dask.array.Array to be fitted on Dask; got {type(X).__name__}. "
            "Convert other Dask collections with .to_dask_array(lengths=True)."
        )
    if X.ndim not in (2, 3):
        raise ValueError(
            f"X must be 2-D (n_samples, n_timesteps) or 3-D (n_samples, n_channels, "
            f"n_timesteps); got a {X.ndim}-D dask array of shape {X.shape}."
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"X must have a real numeric dtype; got {X.dtype}. Convert it with "
            "X.astype('float64')."
        )
    if any(np.isnan(size) for size in X.shape):
        raise ValueError(
            f"X has unknown chunk sizes (shape {X.shape}); call X.compute_chunk_sizes() "
            "or build it with known lengths (e.g. to_dask_array(lengths=True))."
        )
    if X.shape[0] == 0:
        raise ValueError("X has no samples (shape[0] == 0); at least one is needed.")
    # Without empty sample blocks (a boolean filter, then compute_chunk_sizes(), leaves
    # one wherever a whole block was dropped): dask's own max and min fail on them.
    sample_chunks = tuple(size for size in X.chunks[0] if size)
    X = X.rechunk({0: sample_chunks, **{axis: -1 for axis in range(1, X.ndim)}})

    if not isinstance(y, da.Array):
        y = np.asarray(y)
        if y.ndim == 0:
            raise ValueError(f"y must have n_samples={X.shape[0]} rows; got a scalar.")
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y has {y.shape[0]} samples but X has {X.shape[0]}; they must match."
            )
        y = da.from_array(y, chunks=(X.chunks[0],) + y.shape[1:])
    else:
        if y.ndim == 0:
            raise ValueError(f"y must have n_samples={X.shape[0]} rows; got a 0-D array.")
        if any(np.isnan(size) for size in y.shape):
            raise ValueError(
                f"y has unknown chunk sizes (shape {y.shape}); call y.compute_chunk_sizes()."
            )
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y has {y.shape[0]} samples but X has {X.shape[0]}; they must match."
            )
        y = y.rechunk((X.chunks[0],) + tuple((size,) for size in y.shape[1:]))
    if not labels and y.dtype.kind not in "biuf":
        raise ValueError(
            f"y must have a real numeric dtype; got {y.dtype}. Convert it with "
            "y.astype('float64') (encode class labels first)."
        )
    return X, y


def _factor_block(X_block, y_block, featurize_block, new_accumulator, start, samples_per_call):
    """Worker side: check, featurise and factor one block of samples."""
    n_block = X_block.shape[0]
    stop = start + n_block
    accumulator = new_accumulator()
    for name, block in (("X", X_block), ("y", y_block)):
        if not np.isfinite(block).all():
            raise ValueError(
                f"{name} contains NaN or infinite values in samples {start}:{stop}; remove "
                "or impute them before fitting (a Dask fit takes series of one length: "
                "NaN-padded series of unequal lengths are taken as an in-memory array)."
            )
    first, step = 0, samples_per_call
    if samples_per_call is None:
        step = n_block
    elif samples_per_call == "auto" and n_block > 0:
        # One sample first, to learn the size of a sample's design rows.
        F, Y = featurize_block(X_block[:1], y_block[:1])
        accumulator.update(F, Y)
        row_bytes = np.asarray(F).nbytes + np.asarray(Y).nbytes
        first, step = 1, max(1, AUTO_CALL_BYTES // max(row_bytes, 1))
    while first < n_block:
        part = slice(first, first + step)
        accumulator.update(*featurize_block(X_block[part], y_block[part]))
        first += step
    return accumulator


def _merge(*accumulators):
    """Worker side: merge factors (a copy of the first; inputs are not modified)."""
    merged = copy.deepcopy(accumulators[0])
    for other in accumulators[1:]:
        merged.merge(other)
    return merged


def reduce_factors(factors, split_every=8):
    """Merge delayed factors in a tree on the workers; return the merged one on the client.

    Parameters
    ----------
    factors : list of dask.delayed.Delayed
        Non-empty; each computes to an accumulator with ``merge`` (a
        :class:`~sksssm.spectral._ridge.QRAccumulator`).
    split_every : int, default=8
        Fan-in of the tree: number of factors merged per task (each merge is one QR of
        the stacked factors).

    Returns
    -------
    accumulator
    """
    dask, _ = _import_dask()
    merge = dask.delayed(_merge, pure=True)
    level = list(factors)
    while len(level) > 1:
        level = [merge(*level[i : i + split_every]) for i in range(0, len(level), split_every)]
    (accumulator,) = dask.compute(level[0])
    return accumulator


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "featurize_block": [callable],
        "new_accumulator": [callable],
        "split_every": [Interval(numbers.Integral, 2, None, closed="left")],
        "samples_per_call": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
    },
    prefer_skip_nested_validation=True,
)
def accumulate_dask(
    X, y, featurize_block, new_accumulator, *, split_every=8, samples_per_call="auto"
):
    """Factor the design of a Dask data set on the workers; return the merged factor.

    Each block of samples of ``X`` (with the matching rows of ``y``) is checked for NaN and
    infinity, featurised by ``featurize_block`` and factored into a fresh accumulator on a
    worker; the factors are merged in a tree (``split_every`` at a time, each merge one QR
    of the stacked factors) and only the final one is returned to the client. Runs on the
    active Dask scheduler (a ``distributed.Client`` if one is set up, else Dask's default).

    The result describes the same least-squares problem as one in-memory accumulator fed
    every row: merging is exact (the factor of stacked factors is a factor of all rows),
    so a :class:`~sksssm.spectral._ridge.RidgeSolution` of either gives the same
    coefficients up to round-off (times the condition number of the design).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        Chunked along samples; other axes are rechunked to one chunk, so one block of
        samples with whole sequences must fit in a worker's memory (with its features).
    y : dask.array.Array or ndarray with ``n_samples`` rows
        Targets aligned with ``X`` (rechunked to its sample chunks).
    featurize_block : callable
        ``featurize_block(X_block, y_block) -> (F_rows, Y_rows)`` with numpy blocks in the
        layout above and 2-D outputs ``(m, n_features)``, ``(m, n_targets)``. Runs on the
        workers, so it must be picklable (a module-level function, or a bound method of
        an importable class); it is sent once to each worker that needs it.
    new_accumulator : callable
        ``new_accumulator()`` returns an empty accumulator with ``update(F, Y)``,
        ``merge(other)`` and ``n_rows_`` (a :class:`~sksssm.spectral._ridge.QRAccumulator`
        of the right width). Picklable, like ``featurize_block``.
    split_every : int, default=8
        Fan-in of the tree reduction (at least 2): number of factors merged per task.
    samples_per_call : int, "auto" or None, default="auto"
        Featurise at most this many samples of a block at once (the rows of each call
        are factored before the next call), so that a worker's working memory is the
        block plus one call's features, whatever the chunk size. "auto": the first call
        takes one sample, the next ones as many as keep the returned rows ``(F, Y)`` under
        :data:`~sksssm.spectral._dask.AUTO_CALL_BYTES` (16 MiB); pass the featurizer's
        own memory-bounded chunk length when it knows better (its intermediates may
        exceed its output). None: the whole block in one call. Featurising a
        250-sequence block of 1024 steps in one call was 2.5-4x slower, with 5x the peak
        memory, than in calls of about 50 sequences (allocation of the large design
        block), so avoid None for long sequences.

    Returns
    -------
    accumulator
        The merged accumulator, on the client. ``accumulator.n_rows_`` is the number of
        design rows.

    Raises
    ------
    ValueError
        Before any computation, for inconsistent metadata (see
        :func:`~sksssm.spectral._dask.check_dask_inputs`) or a bad ``split_every``;
        during it, naming the samples, if a block holds NaN or infinity.

    Examples
    --------
    >>> import numpy as np
    >>> import dask
    >>> import dask.array as da
    >>> from functools import partial
    >>> from sksssm.spectral._ridge import QRAccumulator, RidgeSolution
    >>> def rows(X_block, y_block):  # identity featurizer: one design row per sample
    ...     return X_block, y_block[:, None]
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> y = X @ [1.0, 2.0, 3.0] + 4.0
    >>> with dask.config.set(scheduler="synchronous"):
    ...     acc = accumulate_dask(da.from_array(X, chunks=30), y, rows,
    ...                           partial(QRAccumulator, 3, 1), split_every=2)
    >>> acc.n_rows_
    100
    >>> coef, intercept = RidgeSolution(acc, fit_intercept=True).coefficients(0.0)
    >>> (np.round(coef.ravel(), 10) + 0.0).tolist(), round(float(intercept[0]), 10)
    ([1.0, 2.0, 3.0], 4.0)
    """
    dask, _ = _import_dask()
    if (
        isinstance(split_every, bool | np.bool_)
        or not isinstance(split_every, numbers.Integral)
        or split_every < 2
    ):
        raise ValueError(f"split_every must be an integer >= 2; got {split_every!r}.")
    if samples_per_call is not None and not (
        isinstance(samples_per_call, str) and samples_per_call == "auto"
    ):
        if (
            isinstance(samples_per_call, bool | np.bool_)
            or not isinstance(samples_per_call, numbers.Integral)
            or samples_per_call < 1
        ):
            raise ValueError(
                "samples_per_call must be a positive integer, 'auto' or None; got "
                f"{samples_per_call!r}."
            )
        samples_per_call = int(samples_per_call)
    if not callable(featurize_block) or not callable(new_accumulator):
        raise TypeError("featurize_block and new_accumulator must be callables.")
    X, y = check_dask_inputs(X, y)

    # The callables become one graph key each (sent once per worker, not once per task).
    featurize = dask.delayed(featurize_block, pure=False)
    empty = dask.delayed(new_accumulator, pure=False)
    X_blocks = X.to_delayed().ravel()
    y_blocks = y.to_delayed().ravel()
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).tolist()
    factor = dask.delayed(_factor_block, pure=True)
    factors = [
        factor(X_block, y_block, featurize, empty, start, samples_per_call)
        for X_block, y_block, start in zip(X_blocks, y_blocks, starts, strict=True)
    ]
    return reduce_factors(factors, split_every)
