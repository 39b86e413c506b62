"""M3 ablation of ``SpectralForecaster``: what each candidate change does, and intervals.

Every variant is measured on the same M3 series (all 3,003, or every ``--every``-th
series of each frequency, a fixed stratified subset), official horizons, one thread,
against the anchors of :mod:`benchmarks.m3` (Naive, Drift, Theta, Comb, run live here;
AutoETS is not run here: ``python -m benchmarks.m3`` reads its stored results, section
``m3_corpus``). Accuracy: mean and geometric-mean MASE (scaled by
the in-sample seasonal naive error) and mean sMAPE, per frequency. Variants:

- ``default``: ``SpectralForecaster()``: ``n_combined=3``, the mean of the
  (standardized, possibly log) level forecasts of the three configurations with the
  lowest GCV score (same differencing); without a season (``sp_ = 1``) its increments
  damped by ``phi^h``, ``phi = max(1 - 5 / n, 0.5)``, and shrunk toward the drift
  forecast with weight ``10 / (n + 10)`` (``damping="auto", drift_prior_length=10``),
  then averaged with the classical Theta forecast (``theta_weight=0.5``) and, without a
  season, with the damped-trend (damped Holt) forecast (``damped_trend_weight=0.25``);
- ``in-sample weights``: the default's fit with ``weight_prior_origins=50``: instead of
  the fixed weights 3/8, 3/8, 1/4 (1/2, 1/2 with a season) of the members (models,
  Theta, damped trend), per-series inverse in-sample MSE weights shrunk toward them by
  ``R^2 / (R^2 + 50^2)``, ``R`` the series' in-sample origins;
- ``no shrinkage``: the same fit with ``damping=1, drift_prior_length=0`` (the default
  before damping and shrinkage);
- ``damped only`` / ``shrink only``: the same fit with ``drift_prior_length=0`` /
  ``damping=1``;
- ``single best``: ``SpectralForecaster(n_combined=1, damping=1,
  drift_prior_length=0, theta_weight=0, damped_trend_weight=0)``, the best
  configuration alone;
- ``top-3 GCV``: the recursive forecasts of those three configurations averaged in y's
  units with weights proportional to ``1 / GCV`` (no damping or shrinkage);
- ``no damped trend``: the default's fit with ``damped_trend_weight=0`` (the default
  before it);
- ``no theta``: the default's fit with ``theta_weight=0, damped_trend_weight=0`` (the
  default before ``theta_weight``);
- ``theta z 1/4`` / ``theta z 1/2``: the ``no theta`` forecast averaged with the classical
  Theta forecast (:func:`sksssm.forecasting._theta.theta_forecast`, at the forecaster's
  ``sp_``, additive seasonal indices) of the forecaster's own standardized, possibly log
  series, with weight 1/4 (one more member of the three-member combination) or 1/2
  (``theta z 1/2`` is the ``no damped trend`` row);
- ``theta y 1/4`` / ``theta y 1/2``: the same in y's units, the Theta forecast of ``y``
  with multiplicative seasonal indices (the M3 Theta recipe);
- ``theta z 1/4 seasonal`` / ``theta z 1/2 seasonal``: ``theta z`` with a season
  (``sp_ > 1``) only, else ``no theta``;
- ``theta (ours)``: that Theta forecast of ``y`` alone (compare with the anchor);
- ``global``: one ``SpectralForecaster()`` fitted on the panel of all training series of
  a frequency (aligned on their last value), forecasting each;
- ``ETS AICc weights``, ``ETS AICc choice``, ``ETS AICc weights, damping 2.5/n``,
  ``ETS AICc weights, weight n/(n+40)``, ``damping by drift t-test``: the default's
  combination on the same fit with the damped-trend member chosen like AutoETS, or the
  damping or member weight depending on the series (issue 22; defined in
  :mod:`benchmarks.m3_ets_member`).

Intervals (``default``): coverage of the 80% and 95% intervals (the share of test points
inside them, pooled over every frequency's test points in the "all" row) and MSIS, the M4
interval score of the 95% interval
``mean(U - L + (2 / a)(L - y)[y < L] + (2 / a)(y - U)[y > U])`` (``a = 0.05``) scaled
like MASE, mean over series.

Usage::

    python -m benchmarks.m3_ablation --quick     # 301 series (every 10th of each frequency)
    python -m benchmarks.m3_ablation --every 3   # 1,001 series (every third of each frequency)
    python -m benchmarks.m3_ablation --every 2             # the development half
    python -m benchmarks.m3_ablation --every 2 --offset 1  # the confirmation half
    python -m benchmarks.m3_ablation             # all 3,003 series
"""

from __future__ import annotations

import argparse
import contextlib
import time
import warnings

import numpy as np
import pandas as pd

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES, load_m3
from benchmarks.m3 import comb_forecast
from benchmarks.m3_ets_member import CANDIDATES, candidate_forecasts
from benchmarks.protocol import geometric_mean

TOP_K = 3
#: Predict-time parameters of each variant of the default's fit.
SHRINKAGE_VARIANTS = {
    "no shrinkage": {"damping": 1.0, "drift_prior_length": 0},
    "damped only": {"drift_prior_length": 0},
    "shrink only": {"damping": 1.0},
}
MSIS_ALPHA = 0.05
#: Theta variants: (space, weight of the Theta forecast averaged with the default's,
#: only with a season ``sp_ > 1``).
THETA_WEIGHTS = {
    "theta z 1/4": ("z", 0.25, False),
    "theta z 1/2": ("z", 0.5, False),
    "theta y 1/4": ("y", 0.25, False),
    "theta y 1/2": ("y", 0.5, False),
    "theta z 1/4 seasonal": ("z", 0.25, True),
    "theta z 1/2 seasonal": ("z", 0.5, True),
}
VARIANTS = (
    "default",
    "in-sample weights",
    *SHRINKAGE_VARIANTS,
    "single best",
    "top-3 GCV",
    "no damped trend",
    "no theta",
    *THETA_WEIGHTS,
    "theta (ours)",
    "global",
    *CANDIDATES,
)
ANCHORS = ("Naive", "Drift", "Theta", "Comb")


def seasonal_scale(y, period):
    """In-sample mean absolute seasonal-naive error (the MASE / MSIS scale)."""
    return float(np.mean(np.abs(y[period:] - y[:-period])))


def drift_forecast(y, horizon):
    slope = (y[-1] - y[0]) / (len(y) - 1)
    return y[-1] + slope * np.arange(1, horizon + 1)


def top_configurations(forecaster, horizon):
    """Forecasts (k, horizon) of the ``TOP_K`` best-GCV configurations and their scores."""
    from sksssm.forecasting._model import SpectralModel
    from sksssm.forecasting._search import score_candidates

    panel = forecaster._panel
    z, e = panel.series()
    scored, _ = score_candidates(
        forecaster, z, e, forecaster.d_, forecaster.seasonal_d_, forecaster.sp_
    )
    ranked = sorted(scored, key=lambda pair: pair[1])[:TOP_K]  # stable: ties keep size order
    paths = []
    for config, _ in ranked:
        model = SpectralModel(config, z[0].shape[1], 0, forecaster.exog_lags, config.p, 1)
        model.fit(z, e).solve(forecaster.alpha)
        windows, z_last = model.origins_batch(z, [[len(z[0])]])
        path = model.forecast(windows, z_last, None, horizon, ["recursive"])
        paths.append(panel.to_original(0, path[0])[:, 0])
    return np.array(paths), np.array([score for _, score in ranked])


def combine(paths, scores, weighted):
    if not weighted or not np.isfinite(scores).all() or (scores <= 0).any():
        return paths.mean(axis=0)
    weights = 1.0 / scores
    return weights @ paths / weights.sum()


@contextlib.contextmanager
def predict_params(forecaster, **params):
    """Predict-time parameters of a fitted forecaster changed, restored after.

    ``damping`` and ``drift_prior_length`` act on the forecast path only, so one fit
    serves every variant (``set_params`` would reset the fit). The fitted global models
    (``forecaster._global``) read their own copies at predict time (their caches are
    keyed by them), so both are set; everything is restored after.
    """
    holders = [forecaster, forecaster._global]
    saved = [{name: getattr(holder, name) for name in params} for holder in holders]
    try:
        for holder in holders:
            for name, value in params.items():
                setattr(holder, name, value)
        yield forecaster
    finally:
        for holder, values in zip(holders, saved, strict=True):
            for name, value in values.items():
                setattr(holder, name, value)


def predict_with(forecaster, **params):
    """Point forecast of a fitted forecaster with predict-time parameters changed
    (:func:`predict_params`)."""
    with predict_params(forecaster, **params):
        return np.asarray(forecaster.predict(), dtype=float).ravel()


def theta_variants(forecaster, y, horizon, default):
    """The forecast without Theta or damped trend (``default``) averaged with Theta (z or y)."""
    from sksssm.forecasting._theta import theta_forecast

    panel = forecaster._panel
    z = panel.series()[0][0][:, 0]
    fitted = forecaster._global
    saved = fitted.theta_weight, fitted.damped_trend_weight
    fitted.theta_weight, fitted.damped_trend_weight = 0.0, 0.0
    try:
        z_default = fitted.future_path(None, horizon, forecaster.cutoff)[0, :, 0]
    finally:
        fitted.theta_weight, fitted.damped_trend_weight = saved
    z_theta = theta_forecast(z, horizon, forecaster.sp_)
    positive = bool((y > 0).all())
    y_theta = theta_forecast(y, horizon, forecaster.sp_, multiplicative=positive)
    forecasts = {"theta (ours)": y_theta}
    for name, (space, weight, seasonal_only) in THETA_WEIGHTS.items():
        if seasonal_only and forecaster.sp_ == 1:
            forecasts[name] = default
        elif space == "z":
            blended = (1 - weight) * z_default + weight * z_theta
            forecasts[name] = panel.to_original(0, blended[:, None])[:, 0]
        else:
            forecasts[name] = (1 - weight) * default + weight * y_theta
    return forecasts


def local_variants(series):
    """Point forecasts of every local variant and the default's intervals, one series."""
    from sksssm.forecasting import SpectralForecaster

    y, h = series.y, series.horizon
    fh = np.arange(1, h + 1)
    start = time.perf_counter()
    f = SpectralForecaster().fit(pd.Series(y), fh=fh)
    default = np.asarray(f.predict(), dtype=float).ravel()
    seconds = time.perf_counter() - start
    intervals = {
        coverage: f.predict_interval(coverage=coverage).to_numpy() for coverage in (0.8, 0.95)
    }
    no_theta = predict_with(f, theta_weight=0.0, damped_trend_weight=0.0)
    single = SpectralForecaster(n_combined=1, damping=1.0, drift_prior_length=0,
                                theta_weight=0.0, damped_trend_weight=0.0)  # fmt: skip
    single.fit(pd.Series(y), fh=fh)
    paths, scores = top_configurations(single, h)
    candidates, member_seconds = candidate_forecasts(f, h)
    forecasts = {
        "default": default,
        "in-sample weights": predict_with(f, weight_prior_origins=50),
        **{name: predict_with(f, **params) for name, params in SHRINKAGE_VARIANTS.items()},
        "single best": np.asarray(single.predict(), dtype=float).ravel(),
        "top-3 GCV": combine(paths, scores, weighted=True),
        "no damped trend": predict_with(f, damped_trend_weight=0.0),
        "no theta": no_theta,
        **theta_variants(f, y, h, no_theta),
        **{name: candidates[name] for name in CANDIDATES},
    }
    return forecasts, intervals, (seconds, member_seconds)


def anchor_forecasts(series):
    from sktime.forecasting.theta import ThetaForecaster

    y, h, period = series.y, series.horizon, series.period
    theta_sp = period if len(y) >= 2 * period else 1
    theta = ThetaForecaster(sp=theta_sp).fit(pd.Series(y), fh=np.arange(1, h + 1)).predict()
    return {
        "Naive": np.full(h, y[-1]),
        "Drift": drift_forecast(y, h),
        "Theta": np.asarray(theta, dtype=float),
        "Comb": comb_forecast(y, h, period),
    }


def global_forecasts(collection):
    """One global SpectralForecaster on a frequency's series, aligned on their last value."""
    from sksssm.forecasting import SpectralForecaster

    frames = [
        pd.DataFrame(
            {"y": s.y},
            index=pd.MultiIndex.from_product([[s.name], np.arange(-len(s.y), 0)]),
        )
        for s in collection
    ]
    horizon = collection[0].horizon
    start = time.perf_counter()
    f = SpectralForecaster().fit(pd.concat(frames), fh=np.arange(1, horizon + 1))
    predicted = f.predict()
    seconds = time.perf_counter() - start
    return {s.name: predicted.loc[s.name].to_numpy().ravel() for s in collection}, seconds


def interval_scores(series, intervals):
    y, scale = series.y_test, seasonal_scale(series.y, series.period)
    lower80, upper80 = intervals[0.8].T
    lower, upper = intervals[0.95].T
    penalty = (2 / MSIS_ALPHA) * ((lower - y) * (y < lower) + (y - upper) * (y > upper))
    return (
        float(np.mean((y >= lower80) & (y <= upper80))),
        float(np.mean((y >= lower) & (y <= upper))),
        float(np.mean(upper - lower + penalty) / scale),
    )


def run(series_list):
    """Per series: MASE and sMAPE of every variant and anchor; intervals; seconds."""
    scores, intervals = {}, {}
    seconds = {"default": 0.0, "global": 0.0, "ETS AICc": 0.0}
    for s in series_list:
        forecasts, default_intervals, (fit_seconds, member_seconds) = local_variants(s)
        forecasts.update(anchor_forecasts(s))
        seconds["default"] += fit_seconds
        seconds["ETS AICc"] += member_seconds
        scores[s.name] = forecasts
        intervals[s.name] = interval_scores(s, default_intervals)
    for frequency in M3_FREQUENCIES:
        collection = [s for s in series_list if s.frequency == frequency]
        if collection:
            predicted, fit_seconds = global_forecasts(collection)
            seconds["global"] += fit_seconds
            for name, forecast in predicted.items():
                scores[name]["global"] = forecast
    metrics = {}
    for s in series_list:
        metrics[s.name] = {
            method: (
                protocol.mase(s.y, s.y_test, forecast, s.period),
                protocol.smape(s.y_test, forecast),
            )
            for method, forecast in scores[s.name].items()
        }
    return metrics, intervals, seconds


def interval_rows(groups, intervals):
    """Rows ``[group, series, 80% coverage, 95% coverage, MSIS]`` of the default's intervals.

    ``groups``: ``(label, series)`` pairs; ``intervals``: :func:`interval_scores` per series
    name. Coverage is the share of the group's test points inside the intervals (each
    series weighted by its number of test points, :func:`protocol.pooled_coverage`), MSIS
    the mean over series.
    """
    rows = []
    for label, group in groups:
        if not group:
            continue
        values = np.array([intervals[s.name] for s in group])
        points = [len(s.y_test) for s in group]
        coverage80, coverage95 = protocol.pooled_coverage(values[:, :2], points)
        rows.append([label, len(group), f"{100 * coverage80:.1f}",
                     f"{100 * coverage95:.1f}", f"{values[:, 2].mean():.2f}"])  # fmt: skip
    return rows


def report(series_list, metrics, intervals, seconds, description, command, section="m3_ablation"):
    methods = list(VARIANTS) + list(ANCHORS)
    groups = [(f.lower(), [s for s in series_list if s.frequency == f]) for f in M3_FREQUENCIES]
    groups.append(("all", series_list))
    rows = []
    for label, group in groups:
        if not group:
            continue
        for method in methods:
            values = np.array([metrics[s.name][method] for s in group])
            mase, smape = values[:, 0], values[:, 1]
            rows.append([label, len(group), method, f"{mase.mean():.3f}",
                         f"{geometric_mean(mase):.3f}", f"{smape.mean():.2f}"])  # fmt: skip
    body = [
        f"{description} One thread; official horizons (6/8/18/8); MASE scaled by the "
        "in-sample seasonal naive error (periods 1/4/12/1), sMAPE in percent. Variants are "
        "defined in the script's docstring (`benchmarks/m3_ablation.py`). Fit + predict "
        f"time of the default {seconds['default']:.1f} s (one model per series); the "
        f"global variant {seconds['global']:.1f} s (one model per frequency); the two AICc "
        f"members (`benchmarks/m3_ets_member.py`) {seconds['ETS AICc']:.1f} s in all.",
        "",
        "### Accuracy by variant",
        "",
        markdown_table(
            ["frequency", "series", "method", "mean MASE", "geo-mean MASE", "mean sMAPE"], rows
        ),
        "",
        "### Intervals of the default (per frequency)",
        "",
        "Coverage of the 80% and 95% intervals: the share of test points inside them "
        '(in the "all" row pooled over the frequencies\' test points, a monthly series '
        "counting 18, a yearly one 6); MSIS of the 95% interval, scaled by the in-sample "
        "seasonal naive error, mean over series.",
        "",
        markdown_table(
            ["frequency", "series", "80% coverage", "95% coverage", "MSIS"],
            interval_rows(groups, intervals),
        ),
    ]
    title = "M3 ablation: SpectralForecaster" + (
        "" if section == "m3_ablation" else " (confirmation series)"
    )
    write_section(section, "\n".join(body), command=command, title=title)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--every", type=int, default=1, help="every k-th series of each frequency (default 1)"
    )
    parser.add_argument(
        "--offset",
        type=int,
        default=0,
        help="start at this series of each frequency (--every 2 --offset 1: the other half)",
    )
    parser.add_argument("--quick", action="store_true", help="every 10th series (--every 10)")
    args = parser.parse_args(argv)
    if args.quick:
        args.every = max(args.every, 10)
    series = load_m3()
    chosen = slice(args.offset, None, args.every)
    series = [s for f in M3_FREQUENCIES for s in [x for x in series if x.frequency == f][chosen]]
    description = f"{len(series)} M3 series" + (
        f" (1 in {args.every} of each frequency from its series {args.offset}, by series id)."
        if args.every > 1 else " (all)."
    )  # fmt: skip
    command = (
        "python -m benchmarks.m3_ablation"
        + (f" --every {args.every}" if args.every > 1 else "")
        + (f" --offset {args.offset}" if args.offset else "")
    )
    with protocol.one_thread():
        protocol.warm_up(lambda: local_variants(series[0]))
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metrics, intervals, seconds = run(series)
        print(f"{len(series)} series, {time.perf_counter() - start:.0f} s", flush=True)
    # Another offset is another set of series: its own section (e.g. the confirmation half).
    section = "m3_ablation" if args.offset == 0 else f"m3_ablation_offset{args.offset}"
    report(series, metrics, intervals, seconds, description, command, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
