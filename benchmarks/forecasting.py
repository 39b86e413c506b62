"""Forecasting benchmark: SpectralForecaster() with defaults against classical anchors.

One run, defaults only, every forecaster side by side:

1. **Main table.** Expanding-window backtests (initial window ``min(round(0.7 n), n - h)``,
   step = horizon) on the bundled airline (monthly, h = 12), lynx (annual, h = 8), shampoo
   sales (monthly, h = 12) and Longley employment (annual, h = 4) series, and on four
   synthetic series (seasonal, trending, short, intermittent; fixed seeds). Scores: MASE
   (scaled by the in-sample seasonal naive error of each training window, ``sp`` = 12 for
   monthly series, 1 otherwise), its geometric mean over the series, the number of
   non-finite forecasts, and the empirical coverage of the 80% and 95% prediction
   intervals over the test points where the forecaster gave them (with their count).
2. **Short series.** 100 synthetic yearly-like series of 10-50 points (seven generators),
   horizon 6, one origin (the last 6 points held out): SpectralForecaster against naive,
   drift, Theta and AutoETS; mean, median and geometric-mean MASE and the worst case.
3. **Global vs local.** A panel of 40 related short series (shared AR dynamics and
   season, different levels and scales): one global SpectralForecaster on the panel
   against one per series (``panel="local"``).

Every table's coverage pools the test points where the forecaster gave intervals and
says how many (AutoETS's through :func:`benchmarks.protocol.autoets_intervals`); a fit or
interval failure is printed and counted, not skipped silently.

Writes the section "forecasting" of ``docs/benchmarks.md``.

Run: ``python -m benchmarks.forecasting`` (needs sktime and statsmodels; a few minutes).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from . import protocol
from ._report import markdown_table, write_section

COVERAGES = (0.8, 0.95)


# ---------------------------------------------------------------------------- data
def synthetic_series():
    """Four synthetic series (name: (y, horizon, seasonal period for MASE))."""
    rng = np.random.default_rng(2024)
    t = np.arange(120)
    seasonal = 50 + 0.2 * t + 8 * np.sin(2 * np.pi * t / 12) + 3 * np.cos(4 * np.pi * t / 12)
    seasonal = seasonal + rng.normal(0, 1.5, t.size)
    trending = 100 + np.cumsum(0.8 + rng.normal(0, 2.0, 80))
    n = 24
    level = np.zeros(n)
    for i in range(1, n):
        level[i] = 0.6 * level[i - 1] + rng.normal(0, 1.0)
    short = 20 + 0.5 * np.arange(n) + level
    intermittent = rng.poisson(0.6, 100) * rng.gamma(2.0, 3.0, 100)
    monthly = pd.period_range("2000-01", periods=120, freq="M")
    return {
        "synthetic seasonal": (pd.Series(seasonal, index=monthly), 12, 12),
        "synthetic trending": (
            pd.Series(trending, index=pd.period_range("1940", periods=80, freq="Y")),
            8,
            1,
        ),
        "synthetic short": (
            pd.Series(short, index=pd.period_range("2000", periods=n, freq="Y")),
            6,
            1,
        ),
        "synthetic intermittent": (
            pd.Series(intermittent, index=pd.period_range("2010-01", periods=100, freq="M")),
            12,
            12,
        ),
    }


def main_series():
    """The bundled series and the synthetic ones: name -> (y, horizon, sp)."""
    from sktime import datasets

    longley, _ = datasets.load_longley()
    series = {
        "airline": (datasets.load_airline(), 12, 12),
        "lynx": (datasets.load_lynx(), 8, 1),
        "shampoo": (datasets.load_shampoo_sales(), 12, 12),
        "Longley": (longley, 4, 1),
    }
    series.update(synthetic_series())
    return series


def short_series(n_series=100, seed=7):
    """Short yearly-like series, 10-50 points, from seven generators."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_series):
        n = int(rng.integers(10, 51))
        t = np.arange(n)
        kind = i % 7
        if kind == 0:  # random walk with drift
            y = 100 + np.cumsum(rng.normal(1.0, 3.0, n))
        elif kind == 1:  # linear trend + noise
            y = 50 + 2.0 * t + rng.normal(0, 4.0, n)
        elif kind == 2:  # stationary AR(1) around a level
            y = np.zeros(n)
            for k in range(1, n):
                y[k] = 0.7 * y[k - 1] + rng.normal()
            y = 30 + 3 * y
        elif kind == 3:  # damped trend
            slope = 5.0 * 0.85**t
            y = 80 + np.cumsum(slope) + rng.normal(0, 1.5, n)
        elif kind == 4:  # exponential growth with noise
            y = 20 * np.exp(0.05 * t + np.cumsum(rng.normal(0, 0.03, n)))
        elif kind == 5:  # local level (random walk)
            y = 60 + np.cumsum(rng.normal(0, 2.0, n))
        else:  # cycle (period ~8 years) + trend
            y = (
                40
                + 0.5 * t
                + 6 * np.sin(2 * np.pi * t / 8 + rng.uniform(0, 6))
                + rng.normal(0, 1.0, n)
            )
        index = pd.period_range(str(2024 - n), periods=n, freq="Y")
        out.append(pd.Series(y, index=index))
    return out


def panel_series(n_series=40, n=36, seed=11):
    """Related quarterly series: shared AR(2) + season, different levels and scales."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        x = np.zeros(n + 20)
        for k in range(2, n + 20):
            x[k] = 1.1 * x[k - 1] - 0.4 * x[k - 2] + rng.normal()
        t = np.arange(n)
        season = 2.0 * np.sin(2 * np.pi * t / 4 + 0.3)
        level, scale = rng.uniform(10, 100), rng.uniform(0.5, 5)
        y = level + scale * (x[20:] + season)
        index = pd.MultiIndex.from_product(
            [[f"s{i}"], pd.period_range("2010Q1", periods=n, freq="Q")],
            names=["series", "time"],
        )
        frames.append(pd.DataFrame({"y": y}, index=index))
    return pd.concat(frames)


# ---------------------------------------------------------------------------- forecasters
def ridge_reduction(sp, n_train):
    """The z-scored Ridge reduction: recursive, window ``min(max(sp, 10), n_train // 4)``."""
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sktime.forecasting.compose import make_reduction

    window = int(min(max(sp, 10), max(n_train // 4, 2)))
    regressor = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
    return make_reduction(regressor, window_length=window, strategy="recursive")


def forecasters(sp, n_train, with_ets=True):
    """Every forecaster of the main table, with its defaults (sp passed to the anchors)."""
    from sktime.forecasting.ets import AutoETS
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.theta import ThetaForecaster

    from sksssm.forecasting import SpectralForecaster

    out = {
        "SpectralForecaster()": SpectralForecaster(),
        "Naive (last)": NaiveForecaster("last"),
        "Naive (seasonal)": NaiveForecaster("last", sp=sp),
        "Drift": NaiveForecaster("drift"),
        "Theta": ThetaForecaster(sp=sp) if n_train >= 2 * sp else ThetaForecaster(sp=1),
        "Ridge reduction (z-scored)": ridge_reduction(sp, n_train),
    }
    if with_ets:
        out["AutoETS"] = AutoETS(auto=True, sp=sp if n_train >= 2 * sp + 2 else 1, n_jobs=1)
    return out


# ---------------------------------------------------------------------------- metrics
def mase(y_train, y_test, y_pred, sp):
    """MASE with the in-sample seasonal naive scale (``sp`` = 1: last value)."""
    y_train = np.asarray(y_train, dtype=float)
    sp = sp if len(y_train) > sp else 1
    scale = np.mean(np.abs(y_train[sp:] - y_train[:-sp]))
    if not scale > 0:
        scale = np.mean(np.abs(y_train - y_train.mean())) or 1.0
    return float(np.mean(np.abs(np.asarray(y_test) - np.asarray(y_pred))) / scale)


def gmean(values):
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return float(np.exp(np.mean(np.log(np.maximum(values, 1e-12))))) if len(values) else np.nan


def origins(n, horizon):
    """Expanding-window training lengths: initial ``min(round(0.7 n), n - h)``, step h."""
    initial = min(round(0.7 * n), n - horizon)
    return list(range(initial, n - horizon + 1, horizon))


def run_one(forecaster, y_train, fh, coverages):
    """Fit/predict one forecaster; return forecasts, intervals (or None), fit seconds.

    The intervals come from :func:`benchmarks.protocol.interval_bounds` (AutoETS's
    through its workaround for sktime's failing ``predict_interval``). They are None
    for a forecaster without intervals, and where the fit or the intervals fail, which
    is printed; the tables count the test points each forecaster's coverage pools.
    """
    from sklearn.base import clone

    f = clone(forecaster)
    start = time.perf_counter()
    try:
        f.fit(y_train, fh=fh)
        y_pred = np.asarray(f.predict(), dtype=float).ravel()
    except Exception as exc:  # an anchor failing is reported, not hidden
        print(f"    {type(forecaster).__name__} failed: {exc!r}"[:200])
        return np.full(len(fh), np.nan), None, time.perf_counter() - start
    seconds = time.perf_counter() - start
    intervals = None
    if f.get_tag("capability:pred_int"):
        try:
            intervals = protocol.interval_bounds(f, len(fh), coverages)
        except Exception as exc:  # counted in the tables' coverage points, and printed
            print(f"    {type(forecaster).__name__} intervals failed: {exc!r}"[:200])
    return y_pred, intervals, seconds


def points_cell(pooled, total):
    """The test points a coverage pools: "-" (none), "174", or "100 of 174" (some failed)."""
    pooled, total = int(pooled), int(total)
    if pooled == 0:
        return "-"
    return str(total) if pooled == total else f"{pooled} of {total}"


# ---------------------------------------------------------------------------- sections
def main_table():
    rows = []
    series = main_series()
    for name, (y, horizon, sp) in series.items():
        start = time.perf_counter()
        fh = np.arange(1, horizon + 1)
        for n_train in origins(len(y), horizon):
            y_train, y_test = y.iloc[:n_train], y.iloc[n_train : n_train + horizon]
            for label, forecaster in forecasters(sp, n_train).items():
                y_pred, intervals, seconds = run_one(forecaster, y_train, fh, COVERAGES)
                rows.append(fold_row(name, label, y_train, y_test, sp, y_pred, intervals, seconds))
        print(f"{name}: {time.perf_counter() - start:.1f} s", flush=True)
    return pd.DataFrame(rows)


def fold_row(name, label, y_train, y_test, sp, y_pred, intervals, seconds):
    """One fold of one forecaster in the main table: MASE, non-finite forecasts, seconds,
    the fold's test points (``n_points``) and, where the forecaster gave intervals, the
    points inside each (``in_0.8``, ``in_0.95``) and how many were scored
    (``interval_points``, 0 without intervals)."""
    truth = np.asarray(y_test, dtype=float)
    row = {
        "series": name,
        "forecaster": label,
        "n_train": len(y_train),
        "MASE": mase(y_train, truth, y_pred, sp),
        "non_finite": int((~np.isfinite(y_pred)).sum()),
        "fit_s": seconds,
        "n_points": len(truth),
        "interval_points": 0,
    }
    if intervals is not None:
        for k, coverage in enumerate(COVERAGES):
            lower, upper = intervals[:, 2 * k], intervals[:, 2 * k + 1]
            row[f"in_{coverage}"] = int(np.sum((truth >= lower) & (truth <= upper)))
        row["interval_points"] = len(truth)
    return row


def summarize_main(table):
    """One row per forecaster: mean MASE per series, geometric mean, non-finite, coverage.

    A forecaster that failed on a series (an exception or a non-finite forecast) gets
    "failed" there and its geometric mean is over the other series (marked with *). The
    coverage pools the test points of the folds with intervals; "coverage points" says
    how many (:func:`points_cell`: "100 of 174" where some folds' fit or intervals failed).
    """
    names = list(dict.fromkeys(table["series"]))
    labels = list(dict.fromkeys(table["forecaster"]))
    per_series = table.groupby(["forecaster", "series"])["MASE"].mean()
    header = ["forecaster", *names, "geo-mean MASE", "non-finite", "80% cov.", "95% cov.",
              "coverage points"]  # fmt: skip
    rows = []
    for label in labels:
        group = table[table["forecaster"] == label]
        values = np.array([per_series[(label, s)] for s in names])
        cells = [label, *[f"{v:.3f}" if np.isfinite(v) else "failed" for v in values]]
        g = gmean(values)
        cells.append(f"{g:.3f}" + ("" if np.isfinite(values).all() else "*"))
        cells.append(str(int(group["non_finite"].sum())))
        points = group["interval_points"].sum()
        if points:
            cells += [f"{100 * group[f'in_{c}'].sum() / points:.1f}%" for c in COVERAGES]
        else:
            cells += ["-", "-"]
        cells.append(points_cell(points, group["n_points"].sum()))
        rows.append((g, cells))
    rows.sort(key=lambda r: r[0])
    return markdown_table(header, [cells for _, cells in rows])


def main_targets(table):
    """One sentence: the issue's targets, measured (SpectralForecaster() vs the rest)."""
    ours = "SpectralForecaster()"
    per_series = table.groupby(["forecaster", "series"])["MASE"].mean().unstack()
    scores = {label: gmean(row.to_numpy()) for label, row in per_series.iterrows()}
    others = {k: v for k, v in scores.items() if k != ours}
    best_other = min(others, key=others.get)
    group = table[table["forecaster"] == ours]
    coverage = {c: group[f"in_{c}"].sum() / group["interval_points"].sum() for c in COVERAGES}
    within = all(abs(coverage[c] - c) <= 0.05 for c in COVERAGES)
    spread = {c: fold_bootstrap_se(group, c) for c in COVERAGES}
    return (
        f"Targets: geometric-mean MASE {scores[ours]:.3f} against the best anchor's "
        f"{others[best_other]:.3f} ({best_other}): "
        f"{'lowest' if scores[ours] < others[best_other] else 'not the lowest'}; "
        f"{int(group['non_finite'].sum())} non-finite forecasts; interval coverage "
        f"{100 * coverage[0.8]:.1f}% / {100 * coverage[0.95]:.1f}% for 80% / 95%: "
        f"{'within' if within else 'not within'} 5 points of nominal for both. The "
        f"{int(group['interval_points'].sum())} test points come in {len(group)} folds whose "
        "points are correlated; resampling the folds (bootstrap) gives standard errors of "
        f"{100 * spread[0.8]:.1f} / {100 * spread[0.95]:.1f} points for these coverages."
    )


def fold_bootstrap_se(group, coverage, n_resamples=2000, seed=0):
    """Standard error of the pooled coverage when whole folds are resampled."""
    rng = np.random.default_rng(seed)
    inside = group[f"in_{coverage}"].to_numpy(dtype=float)
    points = group["interval_points"].to_numpy(dtype=float)
    picks = rng.integers(0, len(group), size=(n_resamples, len(group)))
    return float(np.std(inside[picks].sum(1) / points[picks].sum(1)))


def short_table(n_series=100, horizon=6):
    from sktime.forecasting.ets import AutoETS
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.theta import ThetaForecaster

    from sksssm.forecasting import SpectralForecaster

    models = {
        "SpectralForecaster()": SpectralForecaster(),
        "Naive (last)": NaiveForecaster("last"),
        "Drift": NaiveForecaster("drift"),
        "Theta": ThetaForecaster(sp=1),
        "AutoETS": AutoETS(auto=True, n_jobs=1),
    }
    fh = np.arange(1, horizon + 1)
    scores = {label: [] for label in models}
    non_finite = dict.fromkeys(models, 0)
    covered = {label: dict.fromkeys(COVERAGES, 0) for label in models}
    points = dict.fromkeys(models, 0)
    seconds = dict.fromkeys(models, 0.0)
    for y in short_series(n_series):
        y_train, y_test = y.iloc[:-horizon], y.iloc[-horizon:]
        for label, model in models.items():
            y_pred, intervals, s = run_one(model, y_train, fh, COVERAGES)
            seconds[label] += s
            scores[label].append(mase(y_train, y_test, y_pred, 1))
            non_finite[label] += int((~np.isfinite(y_pred)).sum())
            if intervals is not None:
                points[label] += horizon
                for k, c in enumerate(COVERAGES):
                    lower, upper = intervals[:, 2 * k], intervals[:, 2 * k + 1]
                    truth = y_test.to_numpy()
                    covered[label][c] += int(np.sum((truth >= lower) & (truth <= upper)))
    rows = []
    for label in models:
        v = np.asarray(scores[label])
        cov = [
            f"{100 * covered[label][c] / points[label]:.1f}%" if points[label] else "-"
            for c in COVERAGES
        ]
        rows.append(
            [label, f"{np.nanmean(v):.3f}", f"{np.nanmedian(v):.3f}", f"{gmean(v):.3f}",
             f"{np.nanmax(v):.2f}", str(non_finite[label]), *cov,
             points_cell(points[label], horizon * n_series), f"{seconds[label]:.1f}"]
        )  # fmt: skip
    rows.sort(key=lambda r: float(r[3]))
    header = ["forecaster", "mean MASE", "median", "geo-mean", "worst", "non-finite",
              "80% cov.", "95% cov.", "coverage points", "total fit (s)"]  # fmt: skip
    return markdown_table(header, rows)


def panel_table(horizon=6):
    """Global vs local on the panel, aligned and with ragged ends (same test points)."""
    from sktime.forecasting.base import ForecastingHorizon

    from sksssm.forecasting import SpectralForecaster

    y = panel_series()
    keys = list(dict.fromkeys(y.index.get_level_values(0)))
    train = y.groupby(level=0, group_keys=False).apply(lambda g: g.iloc[:-horizon])
    test = y.groupby(level=0, group_keys=False).apply(lambda g: g.iloc[-horizon:])
    # Ragged ends: series i loses its last (i mod 4) training points, so the panel's
    # series end 0-3 quarters before the cutoff; the test points stay the same.
    ragged = pd.concat(
        [train.loc[[key]].iloc[: len(train.loc[key]) - i % 4] for i, key in enumerate(keys)]
    )
    fh = ForecastingHorizon(test.loc[keys[0]].index, is_relative=False)
    rows = []
    for panel_label, panel in {"aligned": train, "ragged ends": ragged}.items():
        for label, model in {
            "global (one model, panel='global')": SpectralForecaster(panel="global"),
            "local (one per series, panel='local')": SpectralForecaster(panel="local"),
        }.items():
            start = time.perf_counter()
            model.fit(panel, fh=fh)
            y_pred = model.predict()
            seconds = time.perf_counter() - start
            scores = [
                mase(panel.loc[key].to_numpy().ravel(), test.loc[key].to_numpy().ravel(),
                     y_pred.loc[key].to_numpy().ravel(), 4)
                for key in keys
            ]  # fmt: skip
            rows.append(
                [panel_label, label, f"{np.mean(scores):.3f}", f"{gmean(scores):.3f}",
                 f"{seconds:.2f}"]
            )  # fmt: skip
    header = ["panel", "model", "mean MASE", "geo-mean MASE", "fit+predict (s)"]
    return markdown_table(header, rows)


#: Simulated processes of the calibration table: name -> (generator, seasonal period).
def _simulate(kind, n, rng):
    e = rng.normal(size=n)
    t = np.arange(n)
    if kind == "random walk":
        return 100 + np.cumsum(2 * e)
    if kind == "random walk + drift":
        return 100 + np.cumsum(0.5 + 2 * e)
    if kind in ("AR(1) 0.7", "AR(2) 1.2, -0.5", "seasonal AR(12) 0.8"):
        lags = {"AR(1) 0.7": {1: 0.7}, "AR(2) 1.2, -0.5": {1: 1.2, 2: -0.5},
                "seasonal AR(12) 0.8": {12: 0.8}}[kind]  # fmt: skip
        x = np.zeros(n + 60)
        noise = rng.normal(size=n + 60)
        for k in range(12, n + 60):
            x[k] = sum(phi * x[k - lag] for lag, phi in lags.items()) + noise[k]
        return 20 + x[60:]
    if kind == "linear trend + noise":
        return 10 + 0.3 * t + 2 * e
    if kind == "sine season + local level":
        return 50 + 5 * np.sin(2 * np.pi * t / 12) + np.cumsum(0.3 * e) + e
    if kind == "MA(1) 0.6":
        return 5 + e + 0.6 * np.r_[rng.normal(), e[:-1]]
    raise ValueError(kind)


CALIBRATION_KINDS = ("random walk", "random walk + drift", "AR(1) 0.7", "AR(2) 1.2, -0.5",
                     "linear trend + noise", "sine season + local level",
                     "seasonal AR(12) 0.8", "MA(1) 0.6")  # fmt: skip
CALIBRATION_LENGTHS = (24, 60, 150)


def calibration_table(n_repeats=50, horizon=6, seed=5):
    """Coverage of the 80% / 95% intervals on simulated processes, by process and length.

    Each cell: ``n_repeats`` independent series of the process, fitted on ``n`` points,
    the next ``horizon`` points held out; coverage pools the held-out points. Monthly
    index (the forecaster detects the season where there is one), defaults only.
    """
    from sktime.forecasting.ets import AutoETS

    from sksssm.forecasting import SpectralForecaster

    models = ("SpectralForecaster()", "AutoETS")
    rng = np.random.default_rng(seed)
    fh = np.arange(1, horizon + 1)
    rows, pooled = [], {label: np.zeros(3) for label in models}  # hits 80%, 95%, points
    for kind in CALIBRATION_KINDS:
        sp = 12 if "season" in kind else 1
        for n in CALIBRATION_LENGTHS:
            hits = {label: np.zeros(3) for label in models}
            for _ in range(n_repeats):
                values = _simulate(kind, n + horizon, rng)
                y = pd.Series(values, index=pd.period_range("1990-01", periods=n + horizon,
                                                            freq="M"))  # fmt: skip
                truth = values[n:]
                for label in models:
                    model = (SpectralForecaster() if label != "AutoETS"
                             else AutoETS(auto=True, sp=sp, n_jobs=1))  # fmt: skip
                    _, intervals, _ = run_one(model, y.iloc[:n], fh, COVERAGES)
                    if intervals is None:
                        continue
                    for k in range(2):
                        lower, upper = intervals[:, 2 * k], intervals[:, 2 * k + 1]
                        hits[label][k] += np.sum((truth >= lower) & (truth <= upper))
                    hits[label][2] += horizon
            cells = [kind, str(n)]
            for label in models:
                pooled[label] += hits[label]
                points = max(hits[label][2], 1)
                cells += [f"{100 * hits[label][k] / points:.1f}%" for k in range(2)]
                cells.append(points_cell(hits[label][2], n_repeats * horizon))
            rows.append(cells)
    summary = ["all cells", "-"]
    total = len(CALIBRATION_KINDS) * len(CALIBRATION_LENGTHS) * n_repeats * horizon
    for label in models:
        summary += [f"{100 * pooled[label][k] / max(pooled[label][2], 1):.1f}%" for k in range(2)]
        summary.append(points_cell(pooled[label][2], total))
    rows.append(summary)
    header = ["process", "n"]
    for label in models:
        header += [f"{label} 80%", f"{label} 95%", f"{label} points"]
    return markdown_table(header, rows)


#: True configurations for the "fixed vs chosen" table: process -> SpectralForecaster kwargs.
TRUE_CONFIGURATIONS = {
    "AR(2) 1.2, -0.5": dict(sp=1, d=0, seasonal_d=0, ar_order=2, n_filters=0),
    "random walk + drift": dict(sp=1, d=1, seasonal_d=0, ar_order=0, n_filters=0),
}


def selection_table(n_repeats=200, n=60, horizon=6, seed=9):
    """Coverage with the true configuration given vs chosen from the data (defaults).

    Both fit the same simulated series (``n`` points, the next ``horizon`` held out); the
    given configuration still chooses its ridge penalty by GCV. The difference is what
    choosing the configuration on the same data costs the intervals.
    """
    from sksssm.forecasting import SpectralForecaster

    rng = np.random.default_rng(seed)
    fh = np.arange(1, horizon + 1)
    rows = []
    for kind, config in TRUE_CONFIGURATIONS.items():
        hits = {"given": np.zeros(2), "chosen": np.zeros(2)}
        for _ in range(n_repeats):
            values = _simulate(kind, n + horizon, rng)
            y = pd.Series(values, index=pd.period_range("1990-01", periods=n + horizon,
                                                        freq="M"))  # fmt: skip
            for label, model in (("given", SpectralForecaster(log_transform=False, **config)),
                                 ("chosen", SpectralForecaster())):  # fmt: skip
                _, intervals, _ = run_one(model, y.iloc[:n], fh, COVERAGES)
                for k in range(2):
                    lower, upper = intervals[:, 2 * k], intervals[:, 2 * k + 1]
                    hits[label][k] += np.sum((values[n:] >= lower) & (values[n:] <= upper))
        points = n_repeats * horizon
        cells = [f"{100 * hits[label][k] / points:.1f}%" for label in hits for k in range(2)]
        rows.append([kind, str(n), *cells])
    header = ["process", "n", "given 80%", "given 95%", "chosen 80%", "chosen 95%"]
    return markdown_table(header, rows)


def main():
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    table = main_table()
    main_md = summarize_main(table) + "\n\n" + main_targets(table)
    print(main_md, flush=True)
    short_md = short_table()
    print(short_md, flush=True)
    panel_md = panel_table()
    print(panel_md, flush=True)
    calibration_md = calibration_table()
    print(calibration_md, flush=True)
    selection_md = selection_table()
    print(selection_md, flush=True)
    total = time.perf_counter() - start
    body = f"""
Defaults only, one run, every forecaster side by side (total {total:.0f} s). The
`SpectralForecaster()` configuration rule is in the user guide (forecasting). Anchors get
the series' seasonal period (`sp`); the SpectralForecaster detects it. Disclosure: the
rule was developed over about eight variants (rolling-origin vs test-based differencing,
three intercept/drift rules, two direct-vs-recursive rules, with and without the log
rule), each run on all the series of this page; where the synthetic series and the 100
short series disagreed with the bundled ones, the synthetic evidence was followed (for
example the drift is chosen by GCV, although an always-on drift scored better on shampoo
and worse on the short series). No threshold was fitted to these series (every constant
comes from the cited tests or from theory), but this is not a fully held-out
evaluation.

### Main table: expanding-window backtests

Initial window `min(round(0.7 n), n - h)`, step = horizon h (airline 12, lynx 8, shampoo
12, Longley 4; synthetic seasonal 12, trending 8, short 6, intermittent 12). Cells are the
mean MASE over the folds (scaled by each training window's in-sample seasonal naive error,
sp = 12 for the monthly series, else 1); "geo-mean" is the geometric mean over the eight
series (* = over the series where the forecaster did not fail; ThetaForecaster's
multiplicative deseasonalization fails on the intermittent series, which has zeros);
"non-finite" counts non-finite forecasts (a failed fit counts its whole horizon);
coverage pools the test points of every fold where the forecaster gave intervals, and
"coverage points" counts them ("150 of 174": the other folds' fit or intervals failed).
AutoETS's intervals come from statsmodels directly (`protocol.autoets_intervals`):
sktime 1.2's `predict_interval` fails for its multiplicative-error models.
"Ridge reduction (z-scored)" is `make_reduction(make_pipeline(StandardScaler(),
RidgeCV()), window_length=min(max(sp, 10), n_train // 4))`, recursive, on the levels.

{main_md}

### Short series: 100 synthetic yearly-like series (10-50 points, horizon 6)

Seven generators (random walk with drift, linear trend, AR(1) level, damped trend,
exponential growth, local level, 8-year cycle plus trend), one origin (the last 6 points
held out), MASE scaled by the in-sample naive error; coverage and its points as above.

{short_md}

### Global vs local: a panel of 40 related quarterly series (36 points, horizon 6)

Shared AR(2) dynamics and season, different levels and scales; the last 6 points of
each series held out; MASE with sp = 4. "global" fits one SpectralForecaster on the
panel (the QR factors of all series add up); "local" one per series (sktime vectorizes).
"ragged ends": series i also loses its last (i mod 4) training points, so the series end
0-3 quarters before the cutoff and are forecast that much further ahead (same test
points, absolute forecasting horizon).

{panel_md}

### Interval calibration on simulated processes

Coverage of the 80% and 95% intervals, defaults only, on series simulated from known
processes (50 series per cell, fitted on n points, the next 6 held out; monthly index,
AutoETS given sp = 12 for the seasonal processes; "points": the test points pooled, as
above). These series are generated here, not
taken from the bundled data: they check that the intervals mean what they say beyond
the backtests above.

{calibration_md}

### What choosing the configuration costs the intervals

The same simulated processes ({len(TRUE_CONFIGURATIONS)} of them, 200 series of 60
points each, the next 6 held out), fitted twice: with the true configuration given
(differencing, AR order, no filters, no log; the penalty still by GCV) and with
`SpectralForecaster()` choosing it. With the configuration given, the intervals' error
model (GCV-form model error plus the delta-method estimation error) is what the
coverage tests; the gap to "chosen" is the error of choosing the configuration on the
same points, which the intervals do not model.

{selection_md}
"""
    write_section(
        "forecasting",
        body,
        command="python -m benchmarks.forecasting",
        title="Forecasting: SpectralForecaster() with defaults against classical anchors",
    )


if __name__ == "__main__":
    main()
