"""M3: one global SpectralForecaster per frequency vs one per series vs a GCV choice.

Run: ``python -m benchmarks.forecast_global`` (writes the "forecast_global" section of
docs/benchmarks.md). For each M3 frequency (every ``--every``-th series, a fixed
stratified subset; official horizons; one thread):

- ``local``: ``SpectralForecaster()`` fitted on each series alone;
- ``global``: one ``SpectralForecaster(panel="global")`` on the panel of the frequency's training
  series (aligned on their last value), each series forecast from its own history;
- ``GCV choice``: per series, the global forecast when the global model's GCV score on
  that series' rows is lower than the local model's, else the local forecast.

The criterion, the same for both: the one-step model's generalized cross-validation
score on the series' own target rows, ``(RSS_i / n_i) / (1 - dof / n)^2``, with the
residuals of the series' rows and the leverage ``dof / n`` of the fit that made them
(the global fit's, over all rows of the panel; the local fit's, over the series' rows).
For the local fit it is exactly its GCV score. Both fits standardize a series by the
same mean and scale, so the scores compare the same quantity only when the two fits
model the same target: the same log decision and differencing (``d_``, ``seasonal_d_``,
and ``sp_`` when seasonally differenced). Otherwise the series keeps its local forecast
(the column "comparable" counts the series where the choice was made). The time of the
choice is the time of both fits.

MASE is scaled by the in-sample seasonal naive error (periods 1/4/12/1), sMAPE in
percent. ``--quick`` runs every 30th series and writes nothing.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES, load_m3

METHODS = ("local", "global", "GCV choice")


def series_gcv(forecaster, i):
    """GCV score of the forecaster's best one-step model on the rows of series ``i``."""
    from sksssm.forecasting._search import design_rows

    model = forecaster._model
    one = model.one_step
    z, _ = forecaster._panel.series()
    ((F, W),) = design_rows(model.config, model.design, [z[i]], None, model.start)
    residuals = W - F @ one["coef"].T - one["intercept"]
    return float(np.mean(residuals**2) / (1.0 - one["dof"] / one["n"]) ** 2)


def target(forecaster):
    """What the one-step model regresses: log or not, and the differencing."""
    f = forecaster
    return f.log_transform_, f.d_, f.seasonal_d_, f.sp_ if f.seasonal_d_ else None


def fit_quietly(y, horizon):
    from sksssm.forecasting import SpectralForecaster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # panel="global" only matters for a panel y (the global fit); a series is one model
        return SpectralForecaster(panel="global").fit(y, fh=np.arange(1, horizon + 1))


def local_fits(collection):
    forecasts, fits, seconds = {}, {}, 0.0
    for s in collection:
        start = time.perf_counter()
        f = fit_quietly(pd.Series(s.y, index=np.arange(-len(s.y), 0)), s.horizon)
        forecasts[s.name] = f.predict().to_numpy().ravel()
        seconds += time.perf_counter() - start
        fits[s.name] = f
    return forecasts, fits, seconds


def global_fit(collection):
    frames = [
        pd.DataFrame(
            {"y": s.y}, index=pd.MultiIndex.from_product([[s.name], np.arange(-len(s.y), 0)])
        )
        for s in collection
    ]
    start = time.perf_counter()
    f = fit_quietly(pd.concat(frames), collection[0].horizon)
    predicted = f.predict()
    seconds = time.perf_counter() - start
    forecasts = {s.name: predicted.loc[s.name].to_numpy().ravel() for s in collection}
    return forecasts, f, seconds


def run_frequency(collection):
    local, local_models, local_seconds = local_fits(collection)
    global_, global_model, global_seconds = global_fit(collection)
    keys = global_model._panel.keys
    chosen, n_comparable, n_global = {}, 0, 0
    for s in collection:
        use_global = False
        local_model = local_models[s.name]
        if target(local_model) == target(global_model):
            n_comparable += 1
            use_global = series_gcv(global_model, keys.index(s.name)) < series_gcv(local_model, 0)
        n_global += use_global
        chosen[s.name] = global_[s.name] if use_global else local[s.name]
    forecasts = {"local": local, "global": global_, "GCV choice": chosen}
    seconds = {"local": local_seconds, "global": global_seconds,
               "GCV choice": local_seconds + global_seconds}  # fmt: skip
    return forecasts, seconds, n_comparable, n_global


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=3, help="every k-th series per frequency")
    parser.add_argument("--quick", action="store_true", help="every 30th series; write nothing")
    args = parser.parse_args(argv)
    every = 30 if args.quick else args.every
    series = load_m3()
    rows = []
    with protocol.one_thread():
        # Warm-up (imports, the filter cache) on one short series of each kind.
        for frequency in M3_FREQUENCIES:
            s = next(s for s in series if s.frequency == frequency)
            fit_quietly(pd.Series(s.y, index=np.arange(len(s.y))), s.horizon)
        for frequency in M3_FREQUENCIES:
            collection = [s for s in series if s.frequency == frequency][::every]
            forecasts, seconds, n_comparable, n_global = run_frequency(collection)
            for method in METHODS:
                mase = np.array([protocol.mase(s.y, s.y_test, forecasts[method][s.name],
                                               s.period) for s in collection])  # fmt: skip
                smape = np.array([protocol.smape(s.y_test, forecasts[method][s.name])
                                  for s in collection])  # fmt: skip
                extra = f"{n_comparable} / {n_global}" if method == "GCV choice" else "-"
                rows.append([frequency.lower(), len(collection), method, f"{mase.mean():.3f}",
                             f"{protocol.geometric_mean(mase):.3f}", f"{smape.mean():.2f}",
                             f"{seconds[method]:.1f}", extra])  # fmt: skip
                print(rows[-1], flush=True)
    table = markdown_table(
        ["frequency", "series", "method", "mean MASE", "geo-mean MASE", "mean sMAPE",
         "fit + predict (s)", "comparable / chose global"],
        rows,
    )  # fmt: skip
    subset = "All M3 series" if every == 1 else f"One M3 series in {every} of each frequency"
    body = f"""{subset} (the same series in every run), official
horizons, one thread, `SpectralForecaster()` defaults. "local": one model per series;
"global": one model per frequency on all of its training series (aligned on their last
value); "GCV choice": per series, the global forecast when the global model's GCV score
on the series' own rows beats the local model's (only where both model the same target:
log decision and differencing; elsewhere local). The last column counts the series where
the scores were comparable and where the global model won. Definitions: the script's
docstring (`benchmarks/forecast_global.py`).

{table}
"""
    if args.quick:
        print(body)
        return
    write_section(
        "forecast_global",
        body,
        command=f"python -m benchmarks.forecast_global --every {every}",
        title="M3: global vs local SpectralForecaster, and a GCV choice",
    )


if __name__ == "__main__":
    main()
