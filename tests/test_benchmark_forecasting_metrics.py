"""The forecasting benchmarks' scores and tables: interval coverage counted over every test
point (AutoETS's intervals included), the "all" rows as a share of test points, the M3
summary's mean rounded once, and the M3 speed check on one thread."""

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")
pytest.importorskip("statsmodels")
protocol = pytest.importorskip("benchmarks.protocol")
forecasting = pytest.importorskip("benchmarks.forecasting")


# ------------------------------------------------ AutoETS's intervals (benchmarks.forecasting)
def _lynx_fold():
    """The first fold of the main table's lynx series: AutoETS picks a multiplicative
    model there, whose intervals sktime 1.2's ``predict_interval`` cannot give."""
    from sktime.datasets import load_lynx

    y, horizon = load_lynx(), 8
    n_train = forecasting.origins(len(y), horizon)[0]
    return y.iloc[:n_train], y.iloc[n_train : n_train + horizon], np.arange(1, horizon + 1)


def test_autoets_intervals_exist_where_sktimes_fail_and_bracket_the_forecast():
    y_train, _, fh = _lynx_fold()
    model = forecasting.forecasters(1, len(y_train))["AutoETS"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.clone().fit(y_train, fh=fh)
        with pytest.raises(TypeError, match="simulate_kwargs"):
            fitted.predict_interval(coverage=[0.8, 0.95])  # why the workaround exists
        y_pred, intervals, _ = forecasting.run_one(model, y_train, fh, forecasting.COVERAGES)
    assert intervals is not None and intervals.shape == (len(fh), 4)
    lower80, upper80, lower95, upper95 = intervals.T
    assert np.all(lower95 <= lower80) and np.all(lower80 < upper80) and np.all(upper80 <= upper95)
    assert np.all((lower80 <= y_pred) & (y_pred <= upper80))


def test_autoets_workaround_equals_sktimes_intervals_where_those_work():
    from sktime.forecasting.ets import AutoETS

    rng = np.random.default_rng(0)
    y = pd.Series(50 + np.cumsum(rng.normal(0, 1, 40)))  # additive-error model
    fh = np.arange(1, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = AutoETS(error="add", trend="add", n_jobs=1).fit(y, fh=fh)
        theirs = np.asarray(fitted.predict_interval(coverage=[0.8, 0.95]), dtype=float)
    np.testing.assert_allclose(protocol.interval_bounds(fitted, 6), theirs, rtol=1e-10)
    np.testing.assert_allclose(protocol.autoets_intervals(fitted, 6), theirs, rtol=1e-10)


def test_main_table_counts_the_points_its_coverage_pools():
    y_train, y_test = np.arange(1.0, 21.0), np.array([21.0, 22.0, 23.0, 30.0])
    point = np.array([21.0, 22.0, 23.0, 24.0])
    inside = np.column_stack([point - 1, point + 1, point - 2, point + 2])  # 3 of 4 inside
    rows = [
        forecasting.fold_row("a", "m", y_train, y_test, 1, point, inside, 0.1),
        forecasting.fold_row("b", "m", y_train, y_test, 1, point, None, 0.1),  # failed
        forecasting.fold_row("a", "none", y_train, y_test, 1, point, None, 0.1),
        forecasting.fold_row("b", "none", y_train, y_test, 1, point, None, 0.1),
    ]
    table = forecasting.summarize_main(pd.DataFrame(rows)).splitlines()
    header = [c.strip() for c in table[0].strip("|").split("|")]
    cells = {line.split("|")[1].strip(): [c.strip() for c in line.strip("|").split("|")]
             for line in table[2:]}  # fmt: skip
    column = header.index("coverage points")
    assert cells["m"][column] == "4 of 8"  # the failed fold is counted, not dropped
    assert cells["m"][header.index("80% cov.")] == "75.0%"  # over the 4 scored points
    assert cells["none"][column] == "-" and cells["none"][header.index("80% cov.")] == "-"
    assert forecasting.points_cell(174, 174) == "174"


# ----------------------------------------------------- "all" rows: share of test points
def _two_series():
    """A yearly series (6 test points, all covered) and a monthly one (18, none)."""
    yearly = SimpleNamespace(name="a", frequency="YEARLY", y_test=np.zeros(6))
    monthly = SimpleNamespace(name="b", frequency="MONTHLY", y_test=np.zeros(18))
    return [yearly, monthly], 100 * 6 / 24  # the share of all 24 test points covered


def _rows(markdown):
    return [[c.strip() for c in line.strip("|").split("|")] for line in markdown.splitlines()[2:]]


def test_m3_intervals_all_row_is_the_share_of_test_points():
    m3_intervals = pytest.importorskip("benchmarks.m3_intervals")
    series, share = _two_series()
    results = {"a": {"m": (1.0, 1.0, 2.0, 0.5)}, "b": {"m": (0.0, 0.0, 4.0, 0.5)}}
    rows = _rows(m3_intervals.table(series, results, ["m"]))
    assert rows[-1][:6] == ["all", "2", "m", f"{share:.1f}", f"{share:.1f}", "3.00"]
    assert rows[0][3:5] == ["100.0", "100.0"] and rows[1][3:5] == ["0.0", "0.0"]
    series[0].y = series[1].y = np.zeros(30)
    for name in results:
        results[name]["log transform"] = False
    # Within a frequency every series has the same horizon: the plain mean.
    assert _rows(m3_intervals.length_table(series, results, ["m"]))[0][5] == "100.0"


def test_half_tables_all_row_is_the_share_of_test_points():
    half_tables = pytest.importorskip("benchmarks._m3_half_tables")
    series, share = _two_series()
    default = half_tables.DEFAULT
    results = {"a": {default: (1, 1, 2.0, 1.0, 10.0)}, "b": {default: (0, 0, 4.0, 1.0, 20.0)}}
    table = half_tables.summarize(series, results, [default])
    assert table["all", default][:2] == pytest.approx((share, share))
    assert table["all", default][2] == pytest.approx(3.0)  # MSIS: the mean over series
    assert table["yearly", default][:2] == pytest.approx((100.0, 100.0))


def test_m3_ablation_all_interval_row_is_the_share_of_test_points():
    m3_ablation = pytest.importorskip("benchmarks.m3_ablation")
    series, share = _two_series()
    intervals = {"a": (1.0, 1.0, 2.0), "b": (0.0, 0.0, 4.0)}
    groups = [("yearly", series[:1]), ("monthly", series[1:]), ("all", series)]
    rows = m3_ablation.interval_rows(groups, intervals)
    assert rows[-1] == ["all", 2, f"{share:.1f}", f"{share:.1f}", "3.00"]


def test_pooled_coverage_weighs_each_series_by_its_points():
    shares, points = np.array([[1.0, 0.5], [0.0, 1.0 / 3]]), [6, 18]
    covered = shares * np.array(points)[:, None]  # 6 + 0 and 3 + 6 of 24 points
    np.testing.assert_allclose(
        protocol.pooled_coverage(shares, points), covered.sum(0) / sum(points)
    )


# ------------------------------------------------------- M3 summary: the mean rounded once
def test_m3_summary_rounds_the_mean_mase_once(monkeypatch):
    m3 = pytest.importorskip("benchmarks.m3")
    written = {}
    monkeypatch.setattr(m3, "chart", lambda *args: None)
    monkeypatch.setattr(m3, "write_section", lambda name, body, **kw: written.update(body=body))
    # AutoETS's stored mean MASE over M3 is 1.4335497: "1.434", not "1.4335" -> "1.433".
    results = {
        f"N{i}": ("YEARLY", {m3.OURS: (1.0 + 0.1 * i, 10.0, 0.01),
                             "AutoETS": (1.4335497 + (-1) ** i * 0.2, 12.0, 0.02)})
        for i in range(4)
    }  # fmt: skip
    m3.report(results, [m3.OURS, "AutoETS"], "Test.", "python -m benchmarks.m3", {})
    row = next(line for line in written["body"].splitlines() if line.startswith("| AutoETS |"))
    assert row.split("|")[2].strip() == "1.434"
    rows = protocol.summary(np.array([[1.0, 1.4335497]] * 2), ["a", "b"], "a", precision=3)
    assert rows[1][1] == "1.434"


# ------------------------------------------------------------- M3 speed: one thread timed
def test_m3_speed_times_every_run_path_on_one_thread(monkeypatch):
    torch = pytest.importorskip("torch")
    threadpoolctl = pytest.importorskip("threadpoolctl")
    m3_speed = pytest.importorskip("benchmarks.m3_speed")
    seen = []

    def spy(*args, **kwargs):
        pools = {pool["num_threads"] for pool in threadpoolctl.threadpool_info()}
        seen.append((torch.get_num_threads(), pools))
        return np.zeros((1, 1)), 0.0

    monkeypatch.setattr(m3_speed, "fit_predict", spy)
    monkeypatch.setattr(m3_speed, "autoets_fit_predict", spy)
    series = [SimpleNamespace(name="a"), SimpleNamespace(name="b")]
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with threadpoolctl.threadpool_limits(limits=2):
            m3_speed.run(series)
            m3_speed.run_side_by_side(series, baseline=object)
            m3_speed.run_with_autoets(series)
        assert torch.get_num_threads() == 2  # restored after
    finally:
        torch.set_num_threads(previous)
    assert len(seen) == 3 + 6 + 6  # warm-ups and timed calls of the three paths
    assert all(threads == 1 and pools <= {1} for threads, pools in seen)
