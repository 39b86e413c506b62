"""Tables shared by the M3 scripts that score candidates on one half of M3 with their
intervals (:mod:`benchmarks.m3_trend_bias`, :mod:`benchmarks.m3_log_rule`,
:mod:`benchmarks.m3_short_logs`).

Each script scores every series into ``results[name][method]``: a row ``(80% covered,
95% covered, MSIS, MASE, sMAPE)`` per method, and ``results[name][LOG]`` the default's
log decision. These functions summarize those rows per frequency and in the yearly
breakdown by length; each script keeps its own rule (its protocol, fixed before its
counted run) and reads the thresholds below.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table
from benchmarks.corpus import M3_FREQUENCIES, load_m3
from benchmarks.protocol import geometric_mean

DEFAULT = "SpectralForecaster()"
#: Nominal coverage (percent) of the 80% and 95% intervals.
NOMINAL = (80.0, 95.0)
#: The rules' thresholds: coverage points, relative MSIS, relative accuracy.
COVERAGE_TOLERANCE, MSIS_TOLERANCE, ACCURACY_TOLERANCE = 3.0, 0.02, 0.005
#: Key of a series' results: whether the default modelled it in logs.
LOG = "log transform"
#: Column names of :func:`length_rows`.
LENGTH_COLUMNS = ["length", "default models", "series", "method", "80% coverage",
                  "95% coverage", "mean MSIS", "median MSIS", "geo-mean MASE",
                  "mean sMAPE"]  # fmt: skip
#: Column names of :func:`score_rows`.
SCORE_COLUMNS = ["frequency", "method", "80% coverage", "95% coverage", "MSIS",
                 "geo-mean MASE", "mean sMAPE"]  # fmt: skip


def half_series(part):
    """The M3 half ``part``: every second series of each frequency from its series
    ``part`` (0: the development half, 1: the confirmation half)."""
    everything = load_m3()
    return [s for f in M3_FREQUENCIES
            for s in [x for x in everything if x.frequency == f][part :: 2]]  # fmt: skip


def score_every_series(series, score):
    """``({name: score(i, s)}, seconds)`` over ``series``, one thread, warnings off,
    progress printed every 250 series."""
    results = {}
    start = time.perf_counter()
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, s in enumerate(series):
            results[s.name] = score(i, s)
            if (i + 1) % 250 == 0:
                print(f"{i + 1} series, {time.perf_counter() - start:.0f} s", flush=True)
    return results, time.perf_counter() - start


def summarize(series_list, results, methods):
    """``{(group, method): (cov80, cov95, MSIS, geo-mean MASE, mean sMAPE)}``, group a
    lower-case frequency or "all".

    Coverage is the share of the group's test points inside the intervals (each series
    weighted by its number of test points, :func:`benchmarks.protocol.pooled_coverage`);
    the other scores are means over series.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> series = [SimpleNamespace(name="a", frequency="YEARLY", y_test=[0.0] * 6),
    ...           SimpleNamespace(name="b", frequency="MONTHLY", y_test=[0.0] * 18)]
    >>> results = {"a": {DEFAULT: (1, 1, 2.0, 1.5, 10.0)},
    ...            "b": {DEFAULT: (0, 0, 2.0, 1.5, 10.0)}}
    >>> table = summarize(series, results, [DEFAULT])
    >>> [float(v) for v in table["all", DEFAULT][:2]]  # 6 of 24 points covered
    [25.0, 25.0]
    """
    table = {}
    for frequency in [*M3_FREQUENCIES, "all"]:
        group = [s for s in series_list if frequency in ("all", s.frequency)]
        points = [len(s.y_test) for s in group]
        for method in methods if group else ():
            values = np.array([results[s.name][method] for s in group])
            coverage = 100 * protocol.pooled_coverage(values[:, :2], points)
            table[frequency.lower(), method] = (
                *coverage, values[:, 2].mean(), geometric_mean(values[:, 3]),
                values[:, 4].mean(),
            )  # fmt: skip
    return table


def score_rows(table):
    """:func:`summarize`'s table as rows of :data:`SCORE_COLUMNS`."""
    return [[group, method, *(f"{v:.1f}" for v in values[:2]), f"{values[2]:.2f}",
             f"{values[3]:.3f}", f"{values[4]:.2f}"]
            for (group, method), values in table.items()]  # fmt: skip


def change_rows(table, candidates):
    """Per group and candidate: coverage changes (points), relative MSIS / MASE / sMAPE (%)."""
    rows = []
    for group in dict.fromkeys(group for group, _ in table):
        base = table[group, DEFAULT]
        for name in candidates:
            values = table[group, name]
            coverage = [f"{values[k] - base[k]:+.1f}" for k in (0, 1)]
            relative = [f"{100 * (values[k] / base[k] - 1):+.2f}" for k in (2, 3, 4)]
            rows.append([group, name, *coverage, *relative])
    return rows


def change_section(table, candidates):
    """The lines of a section's "Changes against the default" part: its heading, what
    the numbers mean and :func:`change_rows`'s table."""
    columns = ["frequency", "candidate", "80% coverage", "95% coverage", "MSIS",
               "geo-mean MASE", "mean sMAPE"]  # fmt: skip
    return [
        "### Changes against the default",
        "",
        "Coverage changes in points; MSIS, geo-mean MASE and mean sMAPE relative, in "
        "percent (negative is better).",
        "",
        markdown_table(columns, change_rows(table, candidates)),
    ]


def length_rows(series_list, results, methods, split=None):
    """Yearly series split at ``n <= split`` points (None: the median length) and by the
    default's transform, columns :data:`LENGTH_COLUMNS` (reporting only; no rule reads
    it)."""
    group = [s for s in series_list if s.frequency == "YEARLY"]
    if split is None:
        split = int(np.median([len(s.y) for s in group]))
    rows = []
    for label, short in ((f"n <= {split}", True), (f"n > {split}", False)):
        for transform, log in (("logs", True), ("levels", False)):
            members = [
                s for s in group if (len(s.y) <= split) == short and results[s.name][LOG] == log
            ]
            points = [len(s.y_test) for s in members]
            for method in methods if members else ():
                values = np.array([results[s.name][method] for s in members])
                coverage = 100 * protocol.pooled_coverage(values[:, :2], points)
                rows.append([label, transform, len(members), method,
                             f"{coverage[0]:.1f}", f"{coverage[1]:.1f}",
                             f"{values[:, 2].mean():.2f}",
                             f"{np.median(values[:, 2]):.2f}",
                             f"{geometric_mean(values[:, 3]):.3f}",
                             f"{values[:, 4].mean():.2f}"])  # fmt: skip
    return rows
