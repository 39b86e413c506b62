"""Global fits on Dask (``SpectralForecaster(panel="global", backend="dask")``) and
sktime's Dask backend.

Merging streamed QR factors is exact, so the Dask-reduced global fit must be the
in-memory global fit up to round-off: the same configuration, coefficients and forecasts.
"""

import importlib.util

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")
dask = pytest.importorskip("dask")

from sksssm.forecasting import SpectralForecaster  # noqa: E402


def seasonal_panel(n_series=13, n=48, seed=0, ragged=True):
    """Monthly series: a shared AR(2) + period-12 structure, each with its own level and
    scale (so per-series standardization matters), ending at different times if
    ``ragged``."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        length = n - (i % 3) * ragged
        x = np.zeros(length)
        for t in range(2, length):
            x[t] = 0.8 * x[t - 1] - 0.3 * x[t - 2] + rng.normal(scale=0.3)
        season = np.sin(2 * np.pi * np.arange(length) / 12 + 0.1 * i)
        index = pd.MultiIndex.from_product(
            [[f"s{i:02d}"], pd.period_range("2000-01", periods=length, freq="M")],
            names=["id", "time"],
        )
        values = 50 + 5 * i + (1 + i) * (season + x)
        frames.append(pd.DataFrame({"y": values}, index=index))
    return pd.concat(frames)


def assert_same_fit(dask_fit, numpy_fit, fh):
    for name in ("sp_", "d_", "seasonal_d_", "ar_order_", "n_filters_", "strategies_"):
        assert getattr(dask_fit, name) == getattr(numpy_fit, name), name
    assert [(m.config.p, m.config.K) for m in dask_fit._models] == [
        (m.config.p, m.config.K) for m in numpy_fit._models
    ]
    assert dask_fit.alpha_ == pytest.approx(numpy_fit.alpha_, rel=1e-9)
    # The factors are merged in another order (blocks, then a tree): round-off only.
    # The standardized design is well conditioned here, so 1e-8 is ~1e6 x machine eps.
    np.testing.assert_allclose(dask_fit.coef_, numpy_fit.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        dask_fit.predict(fh).to_numpy(), numpy_fit.predict(fh).to_numpy(), rtol=1e-8
    )
    np.testing.assert_allclose(
        dask_fit.predict_interval(fh, coverage=0.9).to_numpy(),
        numpy_fit.predict_interval(fh, coverage=0.9).to_numpy(),
        rtol=1e-7,
    )


@pytest.fixture(scope="module")
def panel():
    return seasonal_panel()


@pytest.fixture(scope="module")
def numpy_fit(panel):
    return SpectralForecaster(panel="global").fit(panel, fh=[1, 2, 3])


def test_dask_global_fit_equals_in_memory_fit_synchronous(panel, numpy_fit):
    # 13 series in blocks of 4: 4 factors per design, merged 2 at a time (a 2-level tree).
    forecaster = SpectralForecaster(
        panel="global", backend="dask", backend_params={"series_per_block": 4, "split_every": 2}
    )
    with dask.config.set(scheduler="synchronous"):
        forecaster.fit(panel, fh=[1, 2, 3])
    assert forecaster.n_filters_ > 0  # a spectral model was chosen (not a trivial one)
    assert_same_fit(forecaster, numpy_fit, [1, 2, 3])


def test_the_workers_reuse_each_blocks_columns_across_candidates(panel, monkeypatch):
    """The synchronous scheduler runs the worker side here: each block's differenced
    series are built once for all candidates of the search (same coefficients)."""
    from sksssm.forecasting import _global, _search

    calls = []
    difference = _search.difference

    def counted(s, poly):
        calls.append(len(s))
        return difference(s, poly)

    monkeypatch.setattr(_search, "difference", counted)
    params = dict(sp=12, d=0, seasonal_d=1, backend="dask",
                  backend_params={"series_per_block": 4})  # fmt: skip

    def fit(cached_blocks):
        monkeypatch.setattr(_global, "WORKER_CACHED_BLOCKS", cached_blocks)
        monkeypatch.setattr(_global, "_WORKER_CACHES", type(_global._WORKER_CACHES)())
        calls.clear()
        with dask.config.set(scheduler="synchronous"):
            forecaster = SpectralForecaster(panel="global", **params).fit(panel, fh=[1, 2, 3])
        return forecaster, len(calls), len(_global._WORKER_CACHES)

    cached, n_cached, n_blocks = fit(8)
    uncached, n_uncached, _ = fit(0)  # every block's cache dropped at once
    assert n_blocks == 4  # 13 series in blocks of 4, one cache each
    n_series = len(panel.index.unique("id"))
    assert n_cached == n_series  # one differencing per series
    assert n_uncached >= 3 * n_series  # one per candidate and per final fit
    np.testing.assert_array_equal(cached.coef_, uncached.coef_)


def test_worker_caches_are_bounded_and_skip_large_blocks():
    from sksssm.forecasting import _global

    z_small, z_large = [np.zeros((10, 1))], [np.zeros((_global.SEARCH_CACHE_BYTES // 8, 1))]
    saved = _global._WORKER_CACHES.copy()
    try:
        _global._WORKER_CACHES.clear()
        first = _global.worker_cache("a", z_small, None)
        assert _global.worker_cache("a", z_small, None) is first  # reused
        for i in range(_global.WORKER_CACHED_BLOCKS):
            _global.worker_cache(f"b{i}", z_small, None)
        assert "a" not in _global._WORKER_CACHES  # the least recently used is dropped
        assert len(_global._WORKER_CACHES) == _global.WORKER_CACHED_BLOCKS
        assert _global.worker_cache("large", z_large, None) is None  # over the budget
        assert "large" not in _global._WORKER_CACHES
    finally:
        _global._WORKER_CACHES.clear()
        _global._WORKER_CACHES.update(saved)


def test_dask_global_fit_on_a_local_cluster_equals_in_memory_fit(panel, numpy_fit):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        forecaster = SpectralForecaster(
            panel="global", backend="dask", backend_params={"series_per_block": 3}
        )
        forecaster.fit(panel, fh=[1, 2, 3])
    # The fitted forecaster holds no Dask objects: it predicts after the cluster is gone.
    assert_same_fit(forecaster, numpy_fit, [1, 2, 3])


def test_update_after_a_dask_fit_equals_update_after_an_in_memory_fit():
    full = seasonal_panel(n_series=6, n=60, seed=1)
    first = full.groupby(level="id", group_keys=False).apply(lambda s: s.iloc[:-6])
    fits = []
    for backend in (None, "dask"):
        with dask.config.set(scheduler="synchronous"):
            f = SpectralForecaster(panel="global", backend=backend, n_combined=1).fit(first)
        fits.append(f.update(full))
    np.testing.assert_allclose(fits[1].coef_, fits[0].coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        fits[1].predict(fh=[1, 2]).to_numpy(), fits[0].predict(fh=[1, 2]).to_numpy(), rtol=1e-8
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"backend": "ray"}, "'backend' parameter"),
        ({"backend": "dask", "panel": "local"}, "backend:parallel"),
        ({"backend_params": {"series_per_block": 4}}, "only with backend='dask'"),
        ({"backend": "dask", "backend_params": {"blocks": 4}}, r"unknown keys \['blocks'\]"),
        ({"backend": "dask", "backend_params": {"series_per_block": 0}}, "integer >= 1"),
        ({"backend": "dask", "backend_params": {"split_every": 1}}, "integer >= 2"),
        ({"backend": "dask", "backend_params": {"series_per_block": True}}, "integer >= 1"),
    ],
)
def test_bad_backend_settings_are_refused(panel, params, message):
    with pytest.raises(ValueError, match=message):
        SpectralForecaster(**{"panel": "global", **params}).fit(panel)


def test_a_dask_dataframe_is_refused_with_a_clear_error(panel):
    # y is the in-memory panel (sktime's pd-multiindex); sktime's input check refuses a
    # Dask DataFrame before the forecaster sees it (compute() it first; the user guide).
    dd = pytest.importorskip("dask.dataframe")
    with pytest.raises(TypeError, match="sktime compatible format"):
        SpectralForecaster(panel="global", backend="dask").fit(
            dd.from_pandas(panel.reset_index(), npartitions=2)
        )


# ------------------------------------------------------------------ sktime's evaluate
@pytest.mark.skipif(
    importlib.util.find_spec("pyarrow") is None,
    reason="sktime's evaluate(backend='dask') needs pyarrow (in the test and dask extras)",
)
def test_sktime_evaluate_with_the_dask_backend_equals_the_serial_run():
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    from sksssm import HOPERegressor
    from sksssm.forecasting import DeepReductionForecaster

    y = seasonal_panel(n_series=1, n=60).droplevel("id")["y"]
    cv = ExpandingWindowSplitter(fh=[1, 2, 3], initial_window=36, step_length=8)
    tiny = HOPERegressor(d_model=4, n_layers=1, max_epochs=1, random_state=0)
    for forecaster in (
        SpectralForecaster(panel="global"),
        DeepReductionForecaster(tiny, window_length=4),
    ):
        serial = evaluate(forecaster, cv, y)
        with dask.config.set(scheduler="synchronous"):
            on_dask = evaluate(forecaster, cv, y, backend="dask")
        assert len(on_dask) == len(serial) == 3
        score = [c for c in serial.columns if c.startswith("test_")][0]
        # Same folds, same deterministic fits: the same errors up to round-off (the deep
        # regressor is seeded and single-threaded).
        np.testing.assert_allclose(
            on_dask[score].to_numpy(float), serial[score].to_numpy(float), rtol=1e-6
        )


def test_dask_global_fit_with_exogenous_data_equals_in_memory_fit():
    # The exogenous rows travel with their series in the same blocks.
    y = seasonal_panel(n_series=5, n=40, seed=2, ragged=False)
    rng = np.random.default_rng(3)
    times = pd.period_range("2000-01", periods=42, freq="M")  # 40 fitted, 2 future
    index = pd.MultiIndex.from_product([y.index.levels[0], times], names=["id", "time"])
    X = pd.DataFrame({"x": rng.normal(size=len(index))}, index=index)
    y = y + 3.0 * X.loc[y.index].to_numpy()
    X_fit, X_future = X.loc[y.index], X.drop(y.index)
    fits = []
    for backend in (None, "dask"):
        params = {"backend": "dask", "backend_params": {"series_per_block": 2}} if backend else {}
        with dask.config.set(scheduler="synchronous"):
            fits.append(SpectralForecaster(panel="global", **params).fit(y, X=X_fit, fh=[1, 2]))
    np.testing.assert_allclose(fits[1].coef_, fits[0].coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        fits[1].predict(X=X_future).to_numpy(), fits[0].predict(X=X_future).to_numpy(), rtol=1e-8
    )
