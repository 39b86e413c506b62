"""Global fits on panels: per-series scaling makes one global model of related series."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sksssm.forecasting import SpectralForecaster  # noqa: E402
from sksssm.forecasting._panel import Panel  # noqa: E402

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
    f = SpectralForecaster(panel="global", **FIXED).fit(y)
    g = SpectralForecaster(panel="global", **FIXED).fit(moved)
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
    panel_fit = SpectralForecaster(panel="global").fit(y, fh=[1, 2])
    single_fit = SpectralForecaster(panel="global").fit(y.loc["s0"], fh=[1, 2])
    np.testing.assert_allclose(panel_fit.coef_, single_fit.coef_, rtol=1e-12)
    np.testing.assert_allclose(
        panel_fit.predict().to_numpy(), single_fit.predict().to_numpy(), rtol=1e-12
    )


def monthly(n, seed, start="2010-01"):
    rng = np.random.default_rng(seed)
    return pd.Series(100 + rng.normal(size=n).cumsum(),
                     index=pd.period_range(start, periods=n, freq="M"))  # fmt: skip


def as_panel(parts):
    frames = []
    for key, s in parts.items():
        index = pd.MultiIndex.from_arrays([[key] * len(s), s.index], names=["id", "t"])
        frames.append(pd.DataFrame({"y": s.to_numpy()}, index=index))
    return pd.concat(frames)


def test_update_that_ends_before_the_latest_point_keeps_the_cutoff():
    """sktime sets the cutoff to the update's last time point; the forecaster keeps the
    panel's latest stored one, so the forecasts keep their dates."""
    a, b = monthly(60, 0), monthly(60, 1)
    y = as_panel({"a": a.iloc[:50], "b": b.iloc[:45]})  # a ends 2014-02, b 5 months earlier
    f = SpectralForecaster(panel="global").fit(y, fh=[1, 2, 3])
    f.update(as_panel({"b": b.iloc[45:48]}))  # new points for the lagging series only
    assert f.cutoff[0] == pd.Period("2014-02", "M") and f._panel.lags == [0, 2]
    # The same data with a's (identical) overlap: an update ending at 2014-02.
    g = SpectralForecaster(panel="global").fit(y, fh=[1, 2, 3])
    g.update(as_panel({"a": a.iloc[45:50], "b": b.iloc[45:48]}))
    assert g.cutoff[0] == pd.Period("2014-02", "M")
    pd.testing.assert_frame_equal(f.predict(), g.predict())
    assert f.predict().loc["a"].index.astype(str).tolist() == ["2014-03", "2014-04", "2014-05"]


def test_update_of_an_identical_overlap_only_keeps_the_cutoff():
    """One series: an update inside the history (accepted) changes nothing; the cutoff
    moved back to the update's end and the forecasts were labelled 5 months early."""
    a = monthly(60, 0)
    single = SpectralForecaster(panel="global").fit(a.iloc[:50], fh=[1, 2])
    forecast = single.predict()
    single.update(a.iloc[40:45])
    assert single.cutoff[0] == a.index[49]
    pd.testing.assert_series_equal(single.predict(), forecast)


def test_direct_strategy_after_an_update_of_some_series_names_the_lagging_ones():
    full = {key: monthly(60, i) for i, key in enumerate("abc")}
    f = SpectralForecaster(panel="global", strategy="direct").fit(
        as_panel({k: s.iloc[:50] for k, s in full.items()}), fh=[1, 2, 3]
    )
    f.update(as_panel({"a": full["a"].iloc[50:52]}))  # b and c now end 2 steps earlier
    with pytest.raises(ValueError, match=r"needs horizons up to 5: series 'b' \(2 steps\), "
                                         r"'c' \(2 steps\).*Update those series too"):  # fmt: skip
        f.predict()
    # what the message offers: the lagging series updated too
    f.update(as_panel({k: full[k].iloc[50:52] for k in "bc"}))
    assert f.predict().shape == (9, 1)


@pytest.mark.parametrize(
    "indexes, message",
    [
        ((pd.date_range(end="2015-12-31", periods=40, freq="ME"),
          pd.date_range(end="2015-12-31", periods=40, freq="D")),
         "series 'a': 'ME', series 'b': 'D'"),
        ((pd.Index(np.arange(5, 205, 5)), pd.Index(np.arange(161, 201))),
         "series 'a': 5, series 'b': 1"),
        ((pd.Index(np.arange(0, 200, 5)), pd.Index(np.arange(161, 201))),
         "series 'a': 5, series 'b': 1"),
    ],
    ids=["monthly and daily", "steps 5 and 1", "steps 5 and 1, ends apart"],
)  # fmt: skip
def test_series_of_different_time_steps_are_refused(indexes, message):
    """Both were forecast on the first series' grid, with the other's forecasts labelled
    with that grid's dates."""
    rng = np.random.default_rng(0)
    y = as_panel({key: pd.Series(100 + rng.normal(size=40).cumsum(), index=index)
                  for key, index in zip("ab", indexes, strict=True)})  # fmt: skip
    with pytest.raises(ValueError, match=f"different time steps \\({message}\\)"):
        SpectralForecaster(panel="global").fit(y, fh=[5])
    with pytest.raises(ValueError, match="different time steps"):
        Panel(y)


@pytest.mark.parametrize("n", [1, 2])
def test_short_series_of_a_ragged_datetime_panel_is_named(n):
    """The length check comes before the lags: a short series that ends early was refused
    for having no frequency to count its lag in."""
    parts = {"a": monthly(40, 0), "b": monthly(50, 1), "c": monthly(n, 7, start="2012-05")}
    y = as_panel({k: s.set_axis(s.index.to_timestamp(how="end").normalize())
                  for k, s in parts.items()})  # fmt: skip
    with pytest.raises(ValueError, match=f"at least 3 time steps per series; got {n} "
                                         r"\(series 'c'\)"):  # fmt: skip
        SpectralForecaster(panel="global").fit(y, fh=[1, 2])
