"""M3: the log-or-levels rule of ``SpectralForecaster`` ablated (issue 22, session 39).

The finding (session 39, development half, yearly; section ``m3_trend_bias_dev``): over
the test years the 54 yearly series of at most 18 points modelled in LEVELS with a trend
lie +0.83 calibrated spreads above the forecast on average, the 88 short ones modelled
in LOGS -0.01. Whether a series is modelled in logs is decided by
:func:`sksssm.forecasting.prefers_log`: Guerrero's rule with ``lambda`` in {0, 1} on
blocks of one season, or of two points when ``sp_ = 1``. On an 18-point yearly series
it compares the variation of 9 block standard deviations, each from two points (one
degree of freedom). The rule was never ablated on M3 (``git log -S prefers_log``: only
the commits that wrote and moved it).

Candidates (at most three), each argued before the counted runs; each needs every
value positive (otherwise levels, as now) and keeps ``sp_`` (detected before the log,
on the raw series); ``log_transform`` keeps its meaning, only "auto"'s rule would change:

- "likelihood (candidate L)": the Box-Cox profile log-likelihood at ``lambda`` in
  {0, 1} of the lag-``L`` differences (``L = sp_``, or 1 when ``sp_ = 1``): with
  ``D_L`` the ``N = n - L`` differences, ``s^2(.)`` their variance about their mean
  (maximum likelihood, the drift removed),
  ``l_levels = -N/2 log s^2(D_L y)`` and ``l_logs = -N/2 log s^2(D_L log y) -
  sum_{t >= L} log y_t`` (the Jacobian of the log for the points the differences
  model, the first ``L`` conditioned on). Logs when ``l_logs > l_levels``. It uses
  every point's difference rather than blocks of two, is scale-free (``y -> c y`` moves
  both by ``-N log c``) and is the model the forecaster's differencing assumes (a
  random walk with drift, or a seasonal one, with Gaussian steps). A panel: the pooled
  likelihood, logs when the sum over series (and channels) of ``l_logs - l_levels`` is
  positive (each series its own variance), instead of the majority.
- "logs where Guerrero cannot tell (candidate G)": Guerrero's rule where its blocks can
  tell, logs elsewhere. With ``k`` blocks of ``b`` points, under a spread constant in
  the level, a block's standard deviation varies by chance with coefficient of
  variation ``c = c_{b-1}``, that of a chi variable with ``b - 1`` degrees of freedom
  (0.756 for ``b = 2``, 0.422 for ``b = 4``, 0.215 for ``b = 12``). If the block means
  vary with coefficient of variation ``v``, the rule's two statistics (the variation of
  ``s_i / m_i`` and of ``s_i``) are about ``c`` and ``sqrt(c^2 + v^2)``, one each way
  for a spread constant or proportional to the level: their expected gap
  ``sqrt(c^2 + v^2) - c``. A sample coefficient of variation from ``k`` values has a
  standard error of about ``c / sqrt(2 (k - 1))``. The rule is kept where the gap is
  at least that standard error; elsewhere its decision is mostly noise and the series
  is modelled in logs (the common practice for positive series, and the short yearly
  series in logs are the unbiased ones). A panel: logs for the series the blocks cannot
  decide, Guerrero's vote for the others, the majority as now.
- "logs for every positive series (candidate A)": ``log_transform=True`` wherever
  ``y > 0``, the practice of M4's statistical entries: the plain reference.

Rule, fixed by the lead and committed before the counted runs: on the development half
(``python -m benchmarks.m3_log_rule --part 0``, every second series of each frequency
from its first), a candidate passes if (1) the geo-mean MASE and the mean sMAPE of every
frequency are at most 0.5% above the default's, and the overall geo-mean MASE is below
the default's; (2) the 80% and 95% coverage of every frequency are within 3 points of
nominal (77-83, 92-98) or no further from nominal than the default's; (3) the overall
("all") MSIS is at most 2% above the default's. Of the passing candidates the one with
the lowest overall geo-mean MASE is picked. Only the picked one is run, once, on the
confirmation half (``--part 1 --candidates NAME``), and is adopted only if it passes the
same rule there; otherwise the default stays and the result is reported as measured,
not kept. The script evaluates the rule itself (table "The rule") and reports, per
frequency, the share of series whose decision each candidate changes.

Development half (``python -m benchmarks.m3_log_rule --part 0``, commit ``4163ad5``; the
section ``m3_log_rule_dev`` is the identical rerun on ``9721362``, which only adds the
yearly breakdown; the default's rows equal ``m3_intervals_dev``), geo-mean MASE / mean
sMAPE / 80% / 95% coverage, default / L / G / A: yearly 1.779 / 15.70 / 80.9 / 93.5,
1.806 / 15.81 / 80.2 / 93.4, 1.783 / 15.74 / 84.9 / 95.5, 1.794 / 15.81 / 85.2 / 95.7;
quarterly 0.797 / 9.13 / 78.4 / 92.7, 0.801 / 9.12 / 77.2 / 91.4, 0.805 / 9.49 / 79.3 /
92.7, 0.807 / 9.50 / 79.8 / 93.3; monthly 0.681 / 13.49 / 80.4 / 94.9, 0.681 / 13.42 /
79.9 / 94.7, 0.677 / 13.35 / 81.2 / 95.0, 0.678 / 13.42 / 81.5 / 95.1; "other" 1.538 /
4.71 / 80.6 / 93.5, 1.568 / 4.63 / 78.9 / 93.1, 1.626 / 4.88 / 75.9 / 91.1, 1.626 / 4.87
/ 75.9 / 91.1; all 0.913 / 12.36 (MSIS 11.11), 0.918 / 12.34 (11.82, +6.4%), 0.916 /
12.40 (11.36, +2.3%), 0.919 / 12.45 (11.86, +6.8%). Decisions changed (all): L 24.2%
(11.1% to logs, 13.1% to levels), G 41.7%, A 44.9% (all to logs; G keeps levels for 3%
of the series only: by its criterion Guerrero's blocks can tell almost nowhere). No
candidate passes: every one has a higher overall geo-mean MASE than the default (L
also yearly +1.50% MASE and quarterly 95% coverage 91.4; G and A quarterly sMAPE +4%
and "other" MASE +5.7%, "other" 80% coverage 75.9). Nothing is picked, nothing is run on
the confirmation half, the default stays (measured, not kept). Reporting only: on the
65 yearly series of at most 18 points the default models in levels, logs (G) give 82.6
/ 94.4 coverage (default 65.9 / 85.6) and geo-mean MASE 1.823 (1.884); on the 67 longer
ones in levels logs lose (MASE 1.439 -> 1.501), as on quarterly and "other".

Per series: one ``SpectralForecaster()`` fit (official horizon, one thread); its point
forecast and ``predict_interval(coverage=[0.8, 0.95])``; for each candidate whose
decision differs from the fit's ``log_transform_``, one more fit with
``log_transform`` set to the candidate's decision (shared between candidates that agree);
where they agree the candidate's scores are the default's. That a fixed
``log_transform`` equal to the default's decision reproduces the default's forecast is
checked on every 25th series. MASE and MSIS scaled by the in-sample seasonal naive
error; coverage over every test point; MSIS the M4 score of the 95% interval, mean over
series.

Usage::

    python -m benchmarks.m3_log_rule --part 0                          # development half
    python -m benchmarks.m3_log_rule --part 1 --candidates "NAME"      # confirmation
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.special import gammaln

from benchmarks import protocol
from benchmarks._m3_half_tables import (
    ACCURACY_TOLERANCE,
    COVERAGE_TOLERANCE,
    DEFAULT,
    LENGTH_COLUMNS,
    LOG,
    MSIS_TOLERANCE,
    NOMINAL,
    SCORE_COLUMNS,
    change_section,
    half_series,
    length_rows,
    score_every_series,
    score_rows,
    summarize,
)
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES
from benchmarks.m3_intervals import COVERAGES, interval_scores
from sksssm.forecasting import prefers_log

LIKELIHOOD = "likelihood (candidate L)"
GUERRERO_OR_LOGS = "logs where Guerrero cannot tell (candidate G)"
ALL_LOGS = "logs for every positive series (candidate A)"
CANDIDATES = (LIKELIHOOD, GUERRERO_OR_LOGS, ALL_LOGS)
#: Every how many series the fixed-``log_transform`` refit is checked against the default.
CHECK_EVERY = 25


def _positive_channels(series):
    """The channels of every series as 1D arrays, or None if any value is <= 0."""
    if any((values <= 0).any() for values in series):
        return None
    return [values[:, ch] for values in series for ch in range(values.shape[1])]


def log_likelihood_gain(x, period):
    """``l_logs - l_levels`` of one positive series: the Box-Cox profile log-likelihoods
    at ``lambda = 0`` and ``1`` of its lag-``L`` differences (module docstring).

    ``+inf`` / ``-inf`` when only the log / level differences are constant; 0 when both
    are, or with fewer than two differences (no preference: levels).
    """
    lag = period if period > 1 else 1
    x = np.asarray(x, dtype=float)
    n_differences = len(x) - lag
    if n_differences < 2:
        return 0.0
    levels = np.var(x[lag:] - x[:-lag])
    logs = np.var(np.log(x[lag:] / x[:-lag]))
    if levels <= 0 or logs <= 0:
        return 0.0 if levels == logs else (np.inf if logs <= 0 else -np.inf)
    jacobian = np.log(x[lag:]).sum()
    return float(-n_differences / 2 * (np.log(logs) - np.log(levels)) - jacobian)


def prefers_log_likelihood(series, period):
    """Candidate L: logs when the pooled ``l_logs - l_levels`` is positive."""
    channels = _positive_channels(series)
    if channels is None:
        return False
    return bool(sum(log_likelihood_gain(x, period) for x in channels) > 0)


def chi_variation(dof):
    """Coefficient of variation of a chi variable with ``dof`` degrees of freedom."""
    mean = np.sqrt(2.0) * np.exp(gammaln((dof + 1) / 2) - gammaln(dof / 2))
    return float(np.sqrt(dof - mean**2) / mean)


def guerrero_can_tell(x, period):
    """Whether Guerrero's blocks of ``x`` can tell a constant from a proportional spread.

    The expected gap between the rule's two statistics, ``sqrt(c^2 + v^2) - c``, against
    the standard error of one of them, ``c / sqrt(2 (k - 1))`` (module docstring).
    """
    block = period if period > 1 else 2
    n_blocks = len(x) // block
    if n_blocks < 2:
        return False
    means = x[len(x) - n_blocks * block :].reshape(n_blocks, block).mean(axis=1)
    c, v = chi_variation(block - 1), means.std(ddof=1) / means.mean()
    return bool(np.sqrt(c**2 + v**2) - c >= c / np.sqrt(2 * (n_blocks - 1)))


def prefers_log_unless_guerrero_tells(series, period):
    """Candidate G: Guerrero's vote where its blocks can tell, logs elsewhere; majority."""
    channels = _positive_channels(series)
    if channels is None:
        return False
    votes = [
        prefers_log([x[:, None]], period) if guerrero_can_tell(x, period) else True
        for x in channels
    ]
    return bool(np.mean(votes) > 0.5)


def prefers_log_when_positive(series, period):
    """Candidate A: logs wherever every value is positive."""
    return _positive_channels(series) is not None


DECISIONS = {
    LIKELIHOOD: prefers_log_likelihood,
    GUERRERO_OR_LOGS: prefers_log_unless_guerrero_tells,
    ALL_LOGS: prefers_log_when_positive,
}


def _scores(series, forecaster):
    """(80% coverage, 95% coverage, MSIS, MASE, sMAPE) of one fitted forecaster."""
    point = np.asarray(forecaster.predict(), dtype=float).ravel()
    intervals = np.asarray(forecaster.predict_interval(coverage=list(COVERAGES)), dtype=float)
    return (*interval_scores(series, intervals),
            protocol.mase(series.y, series.y_test, point, series.period),
            protocol.smape(series.y_test, point))  # fmt: skip


def series_scores(series, candidates, check=False, decisions=None):
    """Per method its scores on one series; the default's decision under ``LOG``, each
    candidate's under ``(LOG, name)``; ``decisions`` maps a candidate to its decision
    function (None: ``DECISIONS``)."""
    from sksssm.forecasting import SpectralForecaster

    fh = np.arange(1, series.horizon + 1)
    y = pd.Series(series.y)

    def fit(log_transform):
        return SpectralForecaster(log_transform=log_transform).fit(y, fh=fh)

    default = fit("auto")
    log = bool(default.log_transform_)
    out = {DEFAULT: _scores(series, default), LOG: log}
    if check:
        fixed = fit(log)
        if not np.array_equal(np.asarray(fixed.predict()), np.asarray(default.predict())):
            raise AssertionError(f"{series.name}: log_transform={log} differs from 'auto'")
    decisions = DECISIONS if decisions is None else decisions
    flipped = None
    normalized = [series.y[:, None] / series.y.max()]  # as choose_period_and_log sees it
    for name in candidates:
        decision = decisions[name](normalized, default.sp_)
        out[LOG, name] = decision
        if decision == log:
            out[name] = out[DEFAULT]
            continue
        if flipped is None:
            refit = fit(decision)
            if refit.sp_ != default.sp_:
                raise AssertionError(f"{series.name}: the period moved with the log")
            flipped = _scores(series, refit)
        out[name] = flipped
    return out


def rule_failures(table, method):
    """The conditions of the rule (module docstring) that ``method`` fails (empty: passes)."""
    failures = []
    groups = [group for group in dict.fromkeys(g for g, _ in table) if group != "all"]
    for group in groups:
        for k, name in ((3, "geo-mean MASE"), (4, "sMAPE")):
            if table[group, method][k] > (1 + ACCURACY_TOLERANCE) * table[group, DEFAULT][k]:
                failures.append(f"{group} {name}")
    if not table["all", method][3] < table["all", DEFAULT][3]:
        failures.append("all geo-mean MASE")
    for group in groups:
        for level, nominal in enumerate(NOMINAL):
            gap = abs(table[group, method][level] - nominal)
            default_gap = abs(table[group, DEFAULT][level] - nominal)
            if gap > COVERAGE_TOLERANCE and gap > default_gap:
                failures.append(f"{group} {nominal:.0f}% coverage")
    if table["all", method][2] > (1 + MSIS_TOLERANCE) * table["all", DEFAULT][2]:
        failures.append("all MSIS")
    return failures


def decision_rows(series_list, results, candidates):
    """Per frequency: the default's share in logs; per candidate the share in logs and
    the shares it moves from levels to logs and from logs to levels (percent)."""
    rows = []
    for frequency in [*M3_FREQUENCIES, "all"]:
        group = [results[s.name] for s in series_list if frequency in ("all", s.frequency)]
        default = np.array([r[LOG] for r in group])
        for name in candidates:
            decision = np.array([r[LOG, name] for r in group])
            rows.append([frequency.lower(), len(group), f"{100 * default.mean():.1f}", name,
                         f"{100 * decision.mean():.1f}",
                         f"{100 * (decision != default).mean():.1f}",
                         f"{100 * (decision & ~default).mean():.1f}",
                         f"{100 * (~decision & default).mean():.1f}"])  # fmt: skip
    return rows


def score_half(part, candidates, decisions=None):
    """Every series of one half of M3 scored by :func:`series_scores`.

    Parameters
    ----------
    part : int
        0: the development half, 1: the confirmation half (every second series of each
        frequency from its series ``part``).
    candidates : list of str
        Keys of ``decisions``.
    decisions : dict or None
        Candidate name -> decision function ``(series, period) -> bool``; None: this
        script's candidates (``DECISIONS``).

    Returns
    -------
    series : list
    results : dict
        Per series name, :func:`series_scores`'s dictionary.
    seconds : float
        Wall time of the fits.
    """
    series = half_series(part)
    results, seconds = score_every_series(
        series,
        lambda i, s: series_scores(s, candidates, check=i % CHECK_EVERY == 0, decisions=decisions),
    )
    return series, results, seconds


def report(series, results, candidates, seconds, part, script, split=None):
    """The section's tables: scores, decisions, changes, the rule and the yearly split.

    Parameters
    ----------
    series, results, seconds
        :func:`score_half`'s output.
    candidates : list of str
    part : int
    script : str
        The module whose docstring holds the candidates and the rule.
    split : int or None
        The yearly length split of the last table (``n <= split``); None: the median.

    Returns
    -------
    body : list of str
        Markdown lines.
    table : dict
        :func:`summarize`'s table.
    verdicts : dict
        Per candidate, :func:`rule_failures`.
    """
    methods = [DEFAULT, *candidates]
    table = summarize(series, results, methods)
    verdicts = {name: rule_failures(table, name) for name in candidates}
    passing = [name for name in candidates if not verdicts[name]]
    picked = min(passing, key=lambda name: table["all", name][3]) if passing else None
    half = "development" if part == 0 else "confirmation"
    split_text = "at the median length" if split is None else f"at {split} points"
    body = [
        f"{len(series)} M3 series, the {half} half (every second series of each "
        f"frequency from its series {part}); official horizons (6/8/18/8), one "
        f"thread, one `SpectralForecaster()` fit per series and one more per series whose "
        f"decision a candidate changes ({seconds:.0f} s in all). Candidates, their "
        "argument and the rule (fixed before the counted runs): the docstring of "
        f"`benchmarks/{script}.py`. Coverage in percent of the test points (nominal "
        "80 / 95); MSIS of the 95% interval and MASE scaled by the in-sample seasonal "
        "naive error; sMAPE in percent.",
        "",
        markdown_table(SCORE_COLUMNS, score_rows(table)),
        "",
        "### Decisions",
        "",
        "Percent of the series: modelled in logs by the default and by the candidate, "
        "decision changed, moved from levels to logs, moved from logs to levels.",
        "",
        markdown_table(["frequency", "series", "default in logs", "candidate",
                        "candidate in logs", "changed", "levels -> logs",
                        "logs -> levels"], decision_rows(series, results, candidates)),
        "",
        *change_section(table, candidates),
        "",
        "### The rule",
        "",
        markdown_table(["candidate", "passes", "fails on"],
                       [[name, "yes" if not verdicts[name] else "no",
                         ", ".join(verdicts[name]) or "-"] for name in candidates]),
        "",
        f"Picked (lowest overall geo-mean MASE of those passing): {picked or 'none'}.",
        "",
        "### Yearly by length and the default's transform",
        "",
        f"Reporting only (no rule reads it): the yearly series split {split_text} "
        "and by the default's decision, each candidate on the same series.",
        "",
        markdown_table(LENGTH_COLUMNS, length_rows(series, results, methods, split)),
    ]  # fmt: skip
    return body, table, verdicts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", type=int, default=0, help="0: development, 1: confirmation")
    parser.add_argument("--candidates", default=",".join(CANDIDATES),
                        help="comma-separated candidate rows (default: all three)")  # fmt: skip
    args = parser.parse_args(argv)
    candidates = [name for name in args.candidates.split(",") if name]
    unknown = set(candidates) - set(CANDIDATES)
    if unknown:
        raise SystemExit(f"unknown candidates: {sorted(unknown)}")
    series, results, seconds = score_half(args.part, candidates)
    body, _, _ = report(series, results, candidates, seconds, args.part, "m3_log_rule")
    print("\n".join(body), flush=True)
    command = f"python -m benchmarks.m3_log_rule --part {args.part}" + (
        f' --candidates "{args.candidates}"' if candidates != list(CANDIDATES) else ""
    )
    half = "development" if args.part == 0 else "confirmation"
    name = "m3_log_rule_dev" if args.part == 0 else "m3_log_rule"
    title = f"M3: the log-or-levels rule ({half} half)"
    write_section(name, "\n".join(body), command=command, title=title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
