"""M3 speed check of ``SpectralForecaster()``: time per series, and forecasts unchanged.

A fixed sample of M3 series (every ``--step``-th series by id, all four frequencies;
:func:`benchmarks.corpus.load_m3`) is fitted and predicted with the defaults exactly as
:mod:`benchmarks.m3` times it (``fit(y, fh)`` then ``predict()``, one thread), and the
80%/95% intervals are computed after the timing. The point forecasts and interval bounds
are written to ``--save`` (an ``.npz``) or compared with a file written before a change
(``--compare``): a speed change must leave every value within ``--rtol`` (relative to the
series' scale) of the stored one.

With ``--baseline DIR`` (a directory holding another version's ``sksssm`` package, e.g.
``git worktree add /tmp/base COMMIT``) both versions run in this one process, series by
series in turn (the same load for both), and the forecasts are compared directly.

Usage::

    python -m benchmarks.m3_speed --baseline /tmp/base            # side by side, compared
    python -m benchmarks.m3_speed --save /tmp/before.npz          # on the old code
    python -m benchmarks.m3_speed --compare /tmp/before.npz       # on the new code
    python -m benchmarks.m3_speed --profile 100                   # cProfile, first 100

``--baseline DIR --write LABEL`` writes the section ``m3_speed`` of
``docs/benchmarks.md`` (``LABEL`` names the baseline, e.g. its commit): both versions'
median and total time per frequency, side by side, with the stored AutoETS run's times
on the same series (:mod:`benchmarks.anchor_cache`, another run: its own load) and the
largest forecast difference. The full corpus with every anchor is the ``m3_corpus``
section (:mod:`benchmarks.m3`).
"""

from __future__ import annotations

import argparse
import os
import shlex
import time
import warnings

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES, load_m3

#: Interval coverages checked (besides the point forecast).
COVERAGES = (0.8, 0.95)


def sample(step, limit=None):
    """Every ``step``-th M3 series by id (all frequencies), at most ``limit``."""
    series = load_m3()[::step]
    return series[:limit] if limit else series


def fit_predict(series, intervals=True, forecaster_class=None):
    """Point forecast (timed as in :mod:`benchmarks.m3`), then the interval bounds."""
    import pandas as pd

    from sksssm.forecasting import SpectralForecaster

    SpectralForecaster = forecaster_class or SpectralForecaster  # noqa: N806

    y = pd.Series(series.y)
    fh = np.arange(1, series.horizon + 1)
    start = time.perf_counter()
    forecaster = SpectralForecaster().fit(y, fh=fh)
    point = np.asarray(forecaster.predict(), dtype=float).ravel()
    seconds = time.perf_counter() - start
    if not intervals:
        return point[:, None], seconds
    bounds = np.asarray(forecaster.predict_interval(coverage=list(COVERAGES)), dtype=float)
    return np.concatenate([point[:, None], bounds], axis=1), seconds


def run(series, intervals=True):
    """Forecasts ``{name: (horizon, 1 + 2 * len(COVERAGES))}`` and seconds per series, on
    one thread (:func:`benchmarks.protocol.one_thread`)."""
    out, seconds = {}, {}
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_predict(series[0], intervals)  # warm-up: imports
        for s in series:
            out[s.name], seconds[s.name] = fit_predict(s, intervals)
    return out, seconds


def baseline_class(directory):
    """``SpectralForecaster`` of the ``sksssm`` package under ``directory``
    (:func:`benchmarks.protocol.baseline_estimator`)."""
    return protocol.baseline_estimator(directory, "sksssm.forecasting", "SpectralForecaster")


def run_side_by_side(series, baseline):
    """:func:`run` of both versions, alternating series by series (one thread)."""
    from sksssm.forecasting import SpectralForecaster

    classes = {"new": SpectralForecaster, "baseline": baseline}
    out = {name: ({}, {}) for name in classes}
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls in classes.values():
            fit_predict(series[0], True, cls)  # warm-up
        for i, s in enumerate(series):
            order = list(classes) if i % 2 == 0 else list(classes)[::-1]
            for name in order:
                values, seconds = out[name]
                values[s.name], seconds[s.name] = fit_predict(s, True, classes[name])
    return out


def autoets_fit_predict(series):
    """sktime's AutoETS as :mod:`benchmarks.m3` runs it: point forecast and seconds."""
    import pandas as pd

    from benchmarks.m3 import forecasters

    y = pd.Series(series.y)
    factory = forecasters(series.period, len(y), with_ets=True)["AutoETS"]
    start = time.perf_counter()
    point = np.asarray(factory().fit(y, fh=np.arange(1, series.horizon + 1)).predict())
    return point, time.perf_counter() - start


def run_with_autoets(series):
    """This version's and AutoETS's seconds per series, alternating series by series (one
    thread)."""
    from sksssm.forecasting import SpectralForecaster

    runs = {"new": lambda s: fit_predict(s, False, SpectralForecaster),
            "AutoETS": autoets_fit_predict}  # fmt: skip
    seconds = {name: {} for name in runs}
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for run_one in runs.values():
            run_one(series[0])  # warm-up
        for i, s in enumerate(series):
            for name in list(runs) if i % 2 == 0 else list(runs)[::-1]:
                seconds[name][s.name] = runs[name](s)[1]
    return seconds


def report_autoets(series, seconds, command, load_start):
    """Write the ``m3_speed_autoets`` section: this version and AutoETS in one process."""
    rows = []
    for frequency in [*M3_FREQUENCIES, None]:
        names = [s.name for s in series if frequency in (None, s.frequency)]
        ours = np.array([seconds["new"][n] for n in names])
        ets = np.array([seconds["AutoETS"][n] for n in names])
        rows.append([
            (frequency or "all").lower(), len(names),
            f"{1e3 * np.median(ets):.1f}", f"{1e3 * np.median(ours):.1f}",
            f"{np.median(ets) / np.median(ours):.1f}x",
            f"{ets.sum():.1f}", f"{ours.sum():.1f}", f"{ets.sum() / ours.sum():.1f}x",
        ])  # fmt: skip
    header = ["frequency", "series", "AutoETS median ms", "ours median ms", "median ratio",
              "AutoETS total s", "ours total s", "total ratio"]  # fmt: skip
    body = f"""{len(series)} M3 series (every {round(3003 / len(series))}-th by id, all
frequencies): `SpectralForecaster()` and sktime's `AutoETS(auto=True)` (as in the
`m3_corpus` section: `sp` the period when the series has two periods and two steps, else
1; `n_jobs=1`), `fit(y, fh)` then `predict()`, one thread, run in one process series by
series in turn, so both see the same load (1-min load average {load_start[0]:.1f} at start,
{os.getloadavg()[0]:.1f} at end). Ratio: AutoETS's time over ours.

{markdown_table(header, rows)}
"""
    write_section("m3_speed_autoets", body, command=command,
                  title="M3: time per series against AutoETS, side by side")  # fmt: skip


def summary(series, seconds, label):
    """Median and total seconds per frequency."""
    lines = []
    for frequency in [*M3_FREQUENCIES, None]:
        times = [seconds[s.name] for s in series if frequency in (None, s.frequency)]
        if times:
            lines.append(
                f"  {label:8s} {frequency or 'all':9s} {len(times):4d} series  median "
                f"{1e3 * np.median(times):6.1f} ms  total {sum(times):6.2f} s"
            )
    return lines


def autoets_seconds():
    """Per-series seconds of the stored AutoETS run (``{name: s}``) and its stamp."""
    import json
    from pathlib import Path

    stored = json.loads((Path(__file__).parent / "results" / "M3__AutoETS.json").read_text())
    machine = stored["machine"]
    stamp = (f"commit `{stored['commit']}`, {stored['date']}, {machine.split(' (')[0]}, "
             f"{machine.split('; ')[-1]}")  # fmt: skip
    return {k: v["seconds"] for k, v in stored["results"].items()}, stamp


def report(series, out, label, difference, command, load_start):
    """Write the ``m3_speed`` section: medians and totals per frequency, side by side."""
    ets, ets_stamp = autoets_seconds()
    rows = []
    for frequency in [*M3_FREQUENCIES, None]:
        names = [s.name for s in series if frequency in (None, s.frequency)]
        new = np.array([out["new"][1][n] for n in names])
        old = np.array([out["baseline"][1][n] for n in names])
        auto = np.array([ets[n] for n in names if n in ets])
        rows.append([
            (frequency or "all").lower(), len(names),
            f"{1e3 * np.median(old):.1f}", f"{1e3 * np.median(new):.1f}",
            f"{np.median(old) / np.median(new):.2f}x",
            f"{old.sum():.1f}", f"{new.sum():.1f}", f"{old.sum() / new.sum():.2f}x",
            f"{1e3 * np.median(auto):.0f} / {auto.sum():.0f}" if auto.size else "-",
            f"{np.median(auto) / np.median(new):.1f}x / {auto.sum() / new.sum():.1f}x"
            if auto.size else "-",
        ])  # fmt: skip
    header = ["frequency", "series", f"median ms ({label})", "median ms (this)",
              "median speed-up", f"total s ({label})", "total s (this)", "total speed-up",
              "AutoETS median ms / total s (stored)", "AutoETS / this (other run)"]  # fmt: skip
    subset = "All 3,003 M3 series" if len(series) > 3000 else f"{len(series)} M3 series"
    body = f"""{subset}, `SpectralForecaster()` defaults, official horizons, one thread;
the time of `fit(y, fh)` then `predict()` per series, as in the `m3_corpus` section
(intervals are computed after the timing, for the comparison only). This version
and the baseline ({label}) run in one process, series by series in turn, so both see
the same load (1-min load average {load_start[0]:.1f} at start, {os.getloadavg()[0]:.1f}
at end). Forecasts unchanged: the largest difference between the two versions' point
forecasts and 80%/95% interval bounds is {difference:.2g} of the series' largest value.
AutoETS: the stored run of `benchmarks/results/M3__AutoETS.json` ({ets_stamp}): another
run, on the machine and under the load it names, so its ratios are indicative only.

{markdown_table(header, rows)}
"""
    write_section("m3_speed", body, command=command, title="M3: time per series, side by side")


def compare(series, values, reference, rtol):
    """Largest difference to the reference, relative to each series' largest magnitude."""
    worst, where = 0.0, None
    for s in series:
        scale = max(np.abs(s.y).max(), 1e-300)
        diff = float(np.max(np.abs(values[s.name] - reference[s.name]))) / scale
        if diff > worst:
            worst, where = diff, s.name
    print(f"max relative difference {worst:.3g} (series {where}); tolerance {rtol:g}")
    return worst <= rtol, worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=10, help="every STEP-th series (10: 301)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many series")
    parser.add_argument("--save", help="write the forecasts to this .npz")
    parser.add_argument("--compare", help="compare the forecasts with this .npz")
    parser.add_argument("--rtol", type=float, default=1e-8)
    parser.add_argument("--baseline", help="directory of another version's sksssm package")
    parser.add_argument("--autoets", action="store_true", help="time AutoETS side by side")
    parser.add_argument(
        "--write", metavar="LABEL", help="with --baseline or --autoets: write the section"
    )
    parser.add_argument("--profile", type=int, default=0, help="cProfile the first N series")
    args = parser.parse_args(argv)
    series = sample(args.step, args.limit)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        run(series[:1])
        profiler.enable()
        run(series[: args.profile], intervals=False)  # what benchmarks.m3 times
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return 0
    if args.autoets:
        load_start = os.getloadavg()
        seconds = run_with_autoets(series)
        print(f"{len(series)} series, side by side, load average {os.getloadavg()[0]:.2f}")
        for name, times in seconds.items():
            print("\n".join(summary(series, times, name)))
        if args.write:
            command = (
                f"python -m benchmarks.m3_speed --step {args.step} --autoets "
                f"--write {shlex.quote(args.write)}"
            )
            report_autoets(series, seconds, command, load_start)
        return 0
    if args.baseline:
        load_start = os.getloadavg()
        out = run_side_by_side(series, baseline_class(args.baseline))
        print(f"{len(series)} series, side by side, load average {os.getloadavg()[0]:.2f}")
        for name, (_, seconds) in out.items():
            print("\n".join(summary(series, seconds, name)))
        total = {name: sum(seconds.values()) for name, (_, seconds) in out.items()}
        median = {name: np.median(list(seconds.values())) for name, (_, seconds) in out.items()}
        print(f"  speed-up: total {total['baseline'] / total['new']:.2f}x, "
              f"median {median['baseline'] / median['new']:.2f}x")  # fmt: skip
        ok, difference = compare(series, out["new"][0], out["baseline"][0], args.rtol)
        if args.write:
            command = (
                f"python -m benchmarks.m3_speed --step {args.step} --baseline DIR "
                f"--write {shlex.quote(args.write)}"
            )
            report(series, out, args.write, difference, command, load_start)
        return 0 if ok else 1
    values, seconds = run(series)
    print(f"{len(series)} series, load average {os.getloadavg()[0]:.2f}")
    print("\n".join(summary(series, seconds, "")))
    if args.save:
        np.savez(args.save, **values)
    if args.compare:
        with np.load(args.compare) as stored:
            reference = {key: stored[key] for key in stored.files}
        return 0 if compare(series, values, reference, args.rtol)[0] else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
