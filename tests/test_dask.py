"""Closed-form fits on Dask: blocks featurised and factored on workers, factors tree-reduced.

The cluster tests use a real ``LocalCluster`` with two worker *processes*, so that the
featurizer, the blocks and the factors really are pickled and cross process boundaries.
"""

from __future__ import annotations

import os
from functools import partial

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from sklearn.base import clone  # noqa: E402

from sksssm import SpectralFilterRegressor  # noqa: E402
from sksssm.spectral._dask import accumulate_dask, check_dask_inputs  # noqa: E402
from sksssm.spectral._ridge import QRAccumulator, RidgeSolution  # noqa: E402

N_LAGS = 3


class LagRows:
    """Design rows ``[x_t, x_{t-1}, x_{t-2}]`` (all channels) -> ``y_t`` for every t >= 2.

    Several design rows per sample, like the sequence-output estimator. With
    ``forbid_pid`` set, refuses to run in that process (the client): proof that the
    featurisation happens on the workers.
    """

    def __init__(self, forbid_pid=None):
        self.forbid_pid = forbid_pid

    def __call__(self, X_block, y_block):
        if self.forbid_pid is not None and os.getpid() == self.forbid_pid:
            raise AssertionError("featurize_block ran in the client process")
        X_block = X_block[:, None, :] if X_block.ndim == 2 else X_block
        n, c, t = X_block.shape
        lagged = [X_block[:, :, N_LAGS - 1 - lag : t - lag] for lag in range(N_LAGS)]
        F = np.concatenate(lagged, axis=1).transpose(0, 2, 1).reshape(-1, N_LAGS * c)
        Y = y_block[:, N_LAGS - 1 :].reshape(-1, 1)
        return F, Y


def _make_data(n_samples=60, n_channels=2, n_timesteps=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_channels, n_timesteps))
    weights = rng.normal(size=(N_LAGS * n_channels, 1))
    F, _ = LagRows()(X, np.zeros((n_samples, n_timesteps)))
    noise = 0.1 * rng.normal(size=(n_samples, n_timesteps - N_LAGS + 1))
    y = (F @ weights).reshape(n_samples, -1) + noise
    y = np.concatenate([np.zeros((n_samples, N_LAGS - 1)), y], axis=1)
    return X, y


def _width(n_channels=2):
    return partial(QRAccumulator, N_LAGS * n_channels, 1)


def _relative(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


def _assert_same_fit(accumulator, reference, rtol):
    assert accumulator.n_rows_ == reference.n_rows_
    for alpha in (0.0, 1e-3, 10.0):
        for fit_intercept in (True, False):
            coef, intercept = RidgeSolution(accumulator, fit_intercept).coefficients(alpha)
            ref_coef, ref_intercept = RidgeSolution(reference, fit_intercept).coefficients(alpha)
            assert _relative(coef, ref_coef) <= rtol
            assert np.abs(intercept - ref_intercept).max() <= rtol * np.abs(ref_coef).max()


def _in_memory(X, y, n_channels=2):
    return _width(n_channels)().update(*LagRows()(X, y))


@pytest.fixture(scope="module")
def client():
    threads = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=threads,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


# --------------------------------------------------------------- real cluster (2 processes)
def test_cluster_fit_equals_in_memory_fit(client):
    # X is generated on the workers (dask's random generator): the client never holds it,
    # and LagRows refuses to run in the client process. Computing X here is for the
    # reference only.
    n_samples, n_channels, n_timesteps = 300, 2, 50
    X = da.random.default_rng(1).normal(
        size=(n_samples, n_channels, n_timesteps), chunks=(23, n_channels, n_timesteps)
    )
    y = (X[:, 0, :] - 0.5 * X[:, 1, :]).cumsum(axis=1) * 0.05  # also built on the workers
    accumulator = accumulate_dask(
        X, y, LagRows(forbid_pid=os.getpid()), _width(n_channels), split_every=3
    )
    assert X.numblocks[0] == 14  # three merge levels at split_every=3
    X_local, y_local = dask.compute(X, y)
    reference = _in_memory(X_local, y_local, n_channels)
    # Measured 1.4e-15 (another order of Householder reflections; design cond ~ 1);
    # 1e-13 is ~100x that, well inside the requirement of 1e-10.
    _assert_same_fit(accumulator, reference, rtol=1e-13)
    assert accumulator.R_.shape == (1 + N_LAGS * n_channels + 1,) * 2  # all that came back


def test_nan_in_one_block_raises_from_the_workers(client):
    X, y = _make_data()
    X[23, 1, 7] = np.nan
    message = r"X contains NaN or infinite values in samples 20:30.*in-memory array"
    with pytest.raises(ValueError, match=message):
        accumulate_dask(da.from_array(X, chunks=(10, 2, 40)), y, LagRows(), _width())
    X[23, 1, 7] = 0.0
    y[55, 3] = np.inf
    with pytest.raises(ValueError, match=r"y contains NaN or infinite values in samples 50:60"):
        accumulate_dask(da.from_array(X, chunks=(10, 2, 40)), y, LagRows(), _width())


@pytest.mark.parametrize("return_sequences", [True, False])
def test_estimator_fit_on_cluster_equals_in_memory_fit(client, return_sequences):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(48, 2, 64))
    y = 0.1 * np.cumsum(X.sum(axis=1), axis=1) + 0.05 * rng.normal(size=(48, 64))
    if not return_sequences:
        y = y[:, -1]
    params = dict(return_sequences=return_sequences, n_filters=8, alpha=1e-4)
    in_memory = SpectralFilterRegressor(**params).fit(X, y)
    y_dask = da.from_array(y, chunks=(11,) + y.shape[1:])
    on_dask = SpectralFilterRegressor(**params).fit(da.from_array(X, chunks=(7, 2, 64)), y_dask)
    # Measured 7.5e-13 (coef), 8e-15 (predictions), 3e-16 (intercept): the design is
    # ill-conditioned (cond ~ 5e5 after standardization). 1e-10 is the bound.
    assert _relative(on_dask.coef_, in_memory.coef_) <= 1e-10
    np.testing.assert_allclose(on_dask.intercept_, in_memory.intercept_, rtol=0, atol=1e-13)
    assert on_dask.alpha_ == in_memory.alpha_
    assert _relative(on_dask.predict(X), in_memory.predict(X)) <= 1e-12


# --------------------------------------------------------- synchronous scheduler (fast)
@pytest.fixture
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.mark.usefixtures("synchronous")
@pytest.mark.parametrize("split_every", [2, 3, 100])
def test_blocks_chunks_and_fan_in_do_not_change_the_fit(split_every):
    X, y = _make_data()
    reference = _in_memory(X, y)
    # Uneven sample chunks including an empty one; time and channels chunked too (they
    # must be rechunked to one chunk); y a dask array with other sample chunks.
    X_dask = da.from_array(X, chunks=((7, 0, 13, 20, 1, 19), (1, 1), (15, 25)))
    for y_input in (y, da.from_array(y, chunks=(25, 40)), da.from_array(y, chunks=(60, 9))):
        accumulator = accumulate_dask(
            X_dask, y_input, LagRows(), _width(), split_every=split_every
        )
        # Measured <= 2e-15 (well-conditioned random design); 1e-13 is ~100x that.
        _assert_same_fit(accumulator, reference, rtol=1e-13)


@pytest.mark.usefixtures("synchronous")
@pytest.mark.parametrize("samples_per_call", [1, 4, 1000, None])
def test_samples_per_call_does_not_change_the_fit(samples_per_call):
    X, y = _make_data()
    calls = []

    def counting_rows(X_block, y_block):
        calls.append(X_block.shape[0])
        return LagRows()(X_block, y_block)

    X_dask = da.from_array(X, chunks=(25, 2, 40))  # blocks of 25, 25, 10 samples
    accumulator = accumulate_dask(
        X_dask, y, counting_rows, _width(), samples_per_call=samples_per_call
    )
    expected = 25 if samples_per_call is None else min(samples_per_call, 25)
    assert max(calls) == expected and sum(calls) == 60
    # Measured <= 2e-15 (well-conditioned random design); 1e-13 is ~100x that.
    _assert_same_fit(accumulator, _in_memory(X, y), rtol=1e-13)


@pytest.mark.usefixtures("synchronous")
def test_auto_samples_per_call_bounds_the_rows_of_each_call(monkeypatch):
    from sksssm.spectral import _dask

    X, y = _make_data()  # 38 rows of 7 float64 per sample: 2128 bytes
    monkeypatch.setattr(_dask, "AUTO_CALL_BYTES", 10_000)  # 4 samples per call
    calls = []

    def counting_rows(X_block, y_block):
        calls.append(X_block.shape[0])
        return LagRows()(X_block, y_block)

    accumulator = accumulate_dask(da.from_array(X, chunks=(30, 2, 40)), y, counting_rows, _width())
    assert calls == [1, 4, 4, 4, 4, 4, 4, 4, 1] * 2  # per block: one probe, then 4 at a time
    _assert_same_fit(accumulator, _in_memory(X, y), rtol=1e-13)


@pytest.mark.usefixtures("synchronous")
def test_two_dimensional_X_and_single_block():
    X, y = _make_data(n_channels=1)
    X2 = X[:, 0, :]
    accumulator = accumulate_dask(da.from_array(X2, chunks=-1), y, LagRows(), _width(1))
    _assert_same_fit(accumulator, _in_memory(X2, y, 1), rtol=1e-13)  # measured: 0


def test_check_dask_inputs_aligns_without_computing():
    X = da.zeros((10, 2, 8), chunks=(4, 1, 4))
    y = da.zeros((10, 8), chunks=(3, 2))
    X_checked, y_checked = check_dask_inputs(X, y)
    assert X_checked.chunks == ((4, 4, 2), (2,), (8,))
    assert y_checked.chunks == ((4, 4, 2), (8,))


def _explode(block):
    raise AssertionError("metadata checks must not compute anything")


def _lazy(shape, dtype=np.float64, chunks=5):
    """A dask array that fails if any block is computed."""
    return da.zeros(shape, chunks=chunks, dtype=dtype).map_blocks(_explode, dtype=dtype)


def _unknown_samples():
    X = _lazy((10, 4))
    return X[X[:, 0] > 0]  # boolean indexing: unknown number of samples


_SPLIT = r"'split_every' parameter of accumulate_dask must be an int in the range \[2"


@pytest.mark.parametrize(
    "X, y, kwargs, error, match",
    [
        (lambda: _lazy((10,)), lambda: np.zeros(10), {}, ValueError, "2-D .* or 3-D"),
        (lambda: _lazy((2, 2, 2, 2)), lambda: np.zeros(2), {}, ValueError, "4-D"),
        (lambda: _lazy((10, 4), np.complex128), lambda: np.zeros(10), {}, ValueError, "real"),
        (lambda: _lazy((10, 4)), lambda: np.zeros(9), {}, ValueError, "9 samples but X has 10"),
        (lambda: _lazy((10, 4)), lambda: _lazy((11, 4)), {}, ValueError, "11 samples"),
        (lambda: _lazy((10, 4)), lambda: np.array(["a"] * 10), {}, ValueError, "y must have"),
        (lambda: _lazy((10, 4)), lambda: np.float64(1.0), {}, ValueError, "'y' .* array-like"),
        (_unknown_samples, lambda: np.zeros(10), {}, ValueError, "compute_chunk_sizes"),
        (lambda: _lazy((0, 4)), lambda: np.zeros(0), {}, ValueError, "no samples"),
        (lambda: np.zeros((10, 4)), lambda: np.zeros(10), {}, TypeError, "dask.array"),
        (lambda: _lazy((10, 4)), lambda: np.zeros(10), {"split_every": 1}, ValueError, _SPLIT),
        (lambda: _lazy((10, 4)), lambda: np.zeros(10), {"split_every": 2.5}, ValueError, _SPLIT),
        (lambda: _lazy((10, 4)), lambda: np.zeros(10), {"split_every": True}, ValueError, _SPLIT),
        (
            lambda: _lazy((10, 4)),
            lambda: np.zeros(10),
            {"samples_per_call": 0},
            ValueError,
            "samples_per_call",
        ),
    ],
    ids=[
        "1d",
        "4d",
        "complex",
        "y-length",
        "y-dask-length",
        "y-strings",
        "y-scalar",
        "unknown-chunks",
        "empty",
        "numpy-X",
        "split-1",
        "split-float",
        "split-bool",
        "samples-per-call-0",
    ],
)
def test_bad_inputs_fail_before_any_computation(X, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        accumulate_dask(X(), y(), LagRows(), _width(), **kwargs)


@pytest.mark.usefixtures("synchronous")
def test_estimators_fit_dask_arrays_with_empty_sample_blocks():
    # Filtering a dask array by a boolean mask, then compute_chunk_sizes() (what the
    # unknown-chunks message asks for), can leave a (0, ...) block wherever a whole block
    # was dropped; the estimators' scale reductions (dask's max and min) failed on it.
    from sksssm import SpectralFilterClassifier, SpectralFilterSequenceRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 24))
    y = X[:, -1] + 0.1 * X[:, -2]
    labels = np.where(X[:, -1] > 0, "up", "down")
    X_empty = da.from_array(X, chunks=((50, 0, 50, 50), 24))
    X_plain = da.from_array(X, chunks=50)  # the same blocks without the empty one
    small = {"n_mixtures": 4, "statistics": ("mean", "max"), "random_state": 0}  # fast
    for estimator, target in (
        (SpectralFilterRegressor(n_filters=4), y),
        (SpectralFilterSequenceRegressor(**small), y),
        (SpectralFilterClassifier(**small), labels),
    ):
        with_empty = clone(estimator).fit(X_empty, target).predict(X)
        without = clone(estimator).fit(X_plain, target).predict(X)
        if target is labels:
            np.testing.assert_array_equal(with_empty, without)
        else:
            np.testing.assert_allclose(with_empty, without, rtol=1e-12, atol=1e-14)
    reference = SpectralFilterRegressor(n_filters=4).fit(X, y).predict(X)
    on_dask = SpectralFilterRegressor(n_filters=4).fit(X_empty, y).predict(X)
    np.testing.assert_allclose(on_dask, reference, rtol=1e-10, atol=1e-12)
