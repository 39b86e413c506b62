"""M3: the seasonal period ``SpectralForecaster`` uses, by rule, and what it does to accuracy.

Each rule gives a period per series, passed as ``SpectralForecaster(sp=...)`` (every
other parameter at its default); the series are given with a plain integer index, as in
:mod:`benchmarks.m3`. Rules:

- ``argmax``: the rule before issue 22's fix: the candidate is the lag in
  ``2 .. min(n // 3, 52)`` with the largest autocorrelation of the linearly detrended
  series, kept if it passes :func:`~sksssm.forecasting.seasonality_test`;
- ``peak``: the default without an index frequency
  (:func:`~sksssm.forecasting.detect_seasonal_period`): the candidate is the highest
  positive local peak of that autocorrelation (:func:`~sksssm.forecasting.acf_peak`);
- ``M4 test, detrended``: the frequency's natural period ``m`` (4 quarterly, 12 monthly;
  none for yearly and "other"), kept if the detrended series passes the test at lag
  ``m``: what the default does for an index with that frequency;
- ``M4 test``: the same on the series itself (not detrended), the M4 benchmarks' rule;
- ``always m``: the natural period whenever the series covers three seasons.

Usage::

    python -m benchmarks.m3_seasonality --every 2             # development half
    python -m benchmarks.m3_seasonality --every 2 --offset 1  # confirmation half
"""

from __future__ import annotations

import argparse
import collections
import time
import warnings

import numpy as np
import pandas as pd

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES, load_m3
from benchmarks.protocol import geometric_mean


def _detrended(y):
    t = np.arange(len(y), dtype=float)
    return y - np.polyval(np.polyfit(t, y, 1), t)


def argmax_rule(y):
    """The detection before the fix: the largest autocorrelation at lag >= 2, tested."""
    from sksssm.forecasting import seasonality_test
    from sksssm.forecasting._seasonality import MAX_DETECTED_PERIOD, _autocorrelation

    d = _detrended(y / np.abs(y).max())
    max_lag = min(len(d) // 3, MAX_DETECTED_PERIOD)
    if max_lag < 2:
        return 1
    candidate = int(np.argmax(_autocorrelation(d, max_lag)[1:])) + 2
    return candidate if seasonality_test(d, candidate) else 1


def peak_rule(y):
    from sksssm.forecasting import detect_seasonal_period

    return detect_seasonal_period([(y / np.abs(y).max())[:, None]])


def m4_rule(y, period, detrend):
    from sksssm.forecasting import seasonality_test

    x = _detrended(y) if detrend else y
    return period if period > 1 and seasonality_test(x, period) else 1


RULES = {
    "argmax": lambda s: argmax_rule(s.y),
    "peak": lambda s: peak_rule(s.y),
    "M4 test, detrended": lambda s: m4_rule(s.y, s.period, detrend=True),
    "M4 test": lambda s: m4_rule(s.y, s.period, detrend=False),
    "always m": lambda s: s.period if len(s.y) >= 3 * s.period else 1,
}


def run(series_list, rules):
    """Per rule and series: (period, MASE, sMAPE)."""
    from sksssm.forecasting import SpectralForecaster

    out = {rule: {} for rule in rules}
    for s in series_list:
        fh = np.arange(1, s.horizon + 1)
        for rule in rules:
            sp = RULES[rule](s)
            f = SpectralForecaster(sp=sp).fit(pd.Series(s.y), fh=fh)
            predicted = np.asarray(f.predict(), dtype=float).ravel()
            out[rule][s.name] = (
                sp,
                protocol.mase(s.y, s.y_test, predicted, s.period),
                protocol.smape(s.y_test, predicted),
            )
    return out


def report(series_list, results, description, command, section):
    rows = []
    groups = [(f.lower(), [s for s in series_list if s.frequency == f]) for f in M3_FREQUENCIES]
    for label, group in [*groups, ("all", series_list)]:
        for rule, scores in results.items():
            values = np.array([scores[s.name] for s in group])
            counts = collections.Counter(int(p) for p in values[:, 0])
            periods = ", ".join(f"{p}: {c}" for p, c in counts.most_common(4))
            mase, smape = values[:, 1], values[:, 2]
            rows.append([label, len(group), rule, periods, f"{mase.mean():.3f}",
                         f"{geometric_mean(mase):.3f}", f"{smape.mean():.2f}"])  # fmt: skip
    body = [
        f"{description} `SpectralForecaster(sp=rule(series))`, every other parameter at its "
        "default; one thread; official horizons; MASE scaled by the in-sample seasonal "
        "naive error (periods 1/4/12/1). Rules: the script's docstring "
        '(`benchmarks/m3_seasonality.py`); "periods" counts the most frequent periods '
        "a rule chose (period: series).",
        "",
        markdown_table(
            ["frequency", "series", "rule", "periods", "mean MASE", "geo-mean MASE", "mean sMAPE"],
            rows,
        ),  # fmt: skip
    ]
    write_section(section, "\n".join(body), command=command,
                  title="M3: seasonal period rules of SpectralForecaster")  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=2, help="every k-th series (default 2)")
    parser.add_argument("--offset", type=int, default=0, help="first series of each frequency")
    parser.add_argument("--rules", default=",".join(RULES), help="comma-separated rules")
    args = parser.parse_args(argv)
    rules = args.rules.split(",")
    series = load_m3()
    chosen = slice(args.offset, None, args.every)
    series = [s for f in M3_FREQUENCIES for s in [x for x in series if x.frequency == f][chosen]]
    description = (
        f"{len(series)} M3 series (1 in {args.every} of each frequency from its series "
        f"{args.offset}, by series id)."
    )
    command = f"python -m benchmarks.m3_seasonality --every {args.every}" + (
        f" --offset {args.offset}" if args.offset else ""
    )
    if args.rules != ",".join(RULES):
        command += f' --rules "{args.rules}"'
    with protocol.one_thread():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = run(series, rules)
        print(f"{len(series)} series, {time.perf_counter() - start:.0f} s", flush=True)
    section = "m3_seasonality" + (f"_offset{args.offset}" if args.offset else "")
    report(series, results, description, command, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
