"""Global fits on panels: per-series scaling makes one global model of related series."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sksssm.forecasting import SpectralForecaster  # noqa: E402

FIXED = {"sp": 1, "d": 1, "ar_order": 2, "n_filters": 2, "log_transform": False, "n_combined": 1}


def ar_panel(n_series=6, n=50, seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        x = np.zeros(n)
        for t in range(2, n):
            x[t] = 1.2 * x[t - 1] - 0.3 * x[t - 2] + rng.normal()
        index = pd.MultiIndex.from_product([[f"s{i}"], pd.RangeIndex(n)], names=["id", "t"])
        frames.append(pd.DataFrame({"y": x}, index=index))
    return pd.concat(frames)


def test_global_model_ignores_each_series_level_and_scale():
    """Each series is standardized by itself: an affine change of one series leaves the
    global coefficients unchanged and maps that series' forecasts by the same change."""
    y = ar_panel()
    moved = y.copy()
    moved.loc["s2", "y"] = 5e4 + 1e3 * moved.loc["s2", "y"].to_numpy()
    f = SpectralForecaster(**FIXED).fit(y)
    g = SpectralForecaster(**FIXED).fit(moved)
    np.testing.assert_allclose(g.coef_, f.coef_, rtol=1e-9, atol=1e-12)
    assert g.alpha_ == pytest.approx(f.alpha_, rel=1e-9)
    fh = [1, 2, 3]
    expected = 5e4 + 1e3 * f.predict(fh).loc["s2"].to_numpy()
    np.testing.assert_allclose(g.predict(fh).loc["s2"].to_numpy(), expected, rtol=1e-9)
    np.testing.assert_allclose(
        g.predict(fh).loc["s0"].to_numpy(), f.predict(fh).loc["s0"].to_numpy(), rtol=1e-9
    )


def test_global_fit_of_a_one_series_panel_is_the_single_series_fit():
    y = ar_panel(n_series=1)
    panel_fit = SpectralForecaster().fit(y, fh=[1, 2])
    single_fit = SpectralForecaster().fit(y.loc["s0"], fh=[1, 2])
    np.testing.assert_allclose(panel_fit.coef_, single_fit.coef_, rtol=1e-12)
    np.testing.assert_allclose(
        panel_fit.predict().to_numpy(), single_fit.predict().to_numpy(), rtol=1e-12
    )
