"""M3: member weights of ``SpectralForecaster`` for a trend without a season (issue 22).

Issue 22 asks that ``SpectralForecaster()`` beat AutoETS, Theta and Comb on every M3
frequency; on "other" (non-seasonal, 63-96 points, horizon 8) it does not. For a trend
without a season (``sp_ = 1``, ``d_ = 1``, no ``X``) the default's point forecast
averages three members with fixed weights (``_combination.fixed_weights``): the models'
forecast ``(1 - t)(1 - d) = 3/8``, classical Theta ``t (1 - d) = 3/8`` and the damped
trend ``d = 1/4`` (``theta_weight = t = 0.5``, ``damped_trend_weight = d = 0.25``).
Theta's drift is half the least-squares slope: a hedge toward no trend, which helps
short noisy series and costs where the trend is well determined. Each candidate below
changes only those weights, on the same fit (one ``SpectralForecaster()`` per series,
``fh`` passed to fit, official horizons, one thread), and only where all three members
are used; every other series keeps the default's forecast. ``n`` is the series' length;
``MSE_theta`` and ``MSE_damped`` are the members' mean square in-sample ``h``-step
errors (``h`` up to the horizon) from the series' in-sample origins, without refitting
(``_combination.origin_members``, the forecasts ``weight_prior_origins`` and the
intervals use). ``H = t (1 - d) + d = 5/8`` is the weight of the two hedges together.

- ``hedges by in-sample MSE``: the models keep ``3/8``; ``H`` is split between Theta
  and the damped trend in proportion to ``1 / MSE`` (the two smoothers have about as
  many fitted parameters and neither saw the ``h``-step errors, so their in-sample
  errors compare fairly; the models' are optimistic and stay out of it);
- ``hedge chosen by in-sample MSE``: ``H`` goes wholly to the one of the two with the
  smaller ``MSE`` (fixed weights on a tie);
- ``theta weight 50/(50+n)``: ``t`` replaced by ``t_n = t * 50 / (50 + n)`` in the
  fixed weights (Theta's share falls with the length, as the models' drift prior
  ``10 / (n + 10)`` does; 50 is the scale of ``weight_prior_origins``' measured
  default), the freed weight to the models and the damped trend as ``fixed_weights``
  gives it;
- ``theta weight 50/(50+n) to damped trend``: Theta's weight ``t_n (1 - d)``, the
  models' ``3/8`` unchanged, the rest to the damped trend.

Protocol (fixed before the counted runs, issue 22, session 37): the four candidates
are measured on the development half (``--offset 0``: every second series of each
frequency from its first, as ``benchmarks.m3_ablation --every 2``). A candidate passes
if the "other" geo-mean MASE improves by at least 2% against the default, no frequency's
geo-mean MASE or mean sMAPE gets worse by more than 0.5%, and the overall geo-mean MASE
does not get worse (:func:`development_rule`); of those passing, the one with the lowest
"other" geo-mean MASE is picked. Only the picked one is run on the confirmation half
(``--offset 1 --candidates NAME``) and adopted as the default if there "other" geo-mean
MASE improves and the overall geo-mean MASE and mean sMAPE do not get worse
(:func:`confirmation_rule`; session 38 added a condition, below). Quarterly sMAPE is
reported for every candidate.

Session 38 (issue 22): exponential smoothing chosen like AutoETS, only where the series
is long enough to choose. :mod:`benchmarks.m3_ets_member` measured a member of simple
exponential smoothing, Holt and damped Holt, weighted by AICc (Akaike weights) or the
least-AICc one, in place of the damped trend: it helped "other" on both halves and hurt
the short yearly series on the confirmation half. An information criterion chooses
reliably only with enough observations per parameter (rule of thumb: at least 10; damped
Holt has ``k = 5``: two smoothing weights, the damping, two initial states), and a
fixed combination is the safer choice for short series. So these three candidates act
only where the modelled series has at least :data:`MIN_ETS_LENGTH` ``= 10 k + 1 = 51``
points (``m = n - 1 >= 10 k`` one-step errors) and all three members are used; every
shorter series keeps the default's forecast exactly. The ETS member is
:func:`benchmarks.m3_ets_member.aicc_member` of the modelled (standardized) series:

- ``ETS AICc weights, m >= 10k``: the Akaike-weighted ETS member in place of the damped
  trend, with its weight ``d = 1/4`` (models ``3/8``, Theta ``3/8``);
- ``ETS AICc choice, m >= 10k``: the least-AICc ETS model instead, same weights;
- ``ETS AICc weights in place of Theta and damped trend, m >= 10k``: the models keep
  ``3/8``, the two hedges' weight ``H = 5/8`` goes to the Akaike-weighted ETS member.

Protocol of session 38 (fixed, with these candidates, before the counted runs): the
development half (``--offset 0``) with :func:`development_rule` unchanged; of the three
session-38 candidates passing it, the one with the lowest "other" geo-mean MASE is
picked (the four above it were judged in session 37; if none passes, none goes on).
Only the picked one is run on the confirmation half (``--offset 1 --candidates NAME``)
and adopted if it passes :func:`confirmation_rule`, which now also requires that no
frequency's geo-mean MASE or mean sMAPE gets worse by more than 0.5% (the session-37
candidates never reached it). Quarterly sMAPE and the "other"
figures are reported for every candidate against AutoETS (row ``AutoETS``: the stored
``benchmarks/results/M3__AutoETS.json`` scores of the same series, not rerun).

Result (session 38): ``ETS AICc choice, m >= 10k`` passed both halves and is the
default's member since (:func:`sksssm.forecasting._damped_trend.fit_trend_member`), so
on the current code its row equals the default and the other rows compare against it.

Session 39 (issue 22): the hedge chosen by in-sample errors, only on long series. The
session-37 candidates ``hedges by in-sample MSE`` and ``hedge chosen by in-sample MSE``
act on every series and failed on the short ones (quarterly geo-mean MASE +4.3%, yearly
sMAPE +1.3%), where a handful of in-sample origins makes the errors noise. On a series
of at least :data:`MIN_ETS_LENGTH` ``= 51`` points (the library's 10-errors-per-parameter
gate, ``_damped_trend.MIN_AICC_LENGTH``) the in-sample ``h``-step errors come from an
origin at nearly every point (``_combination.origin_members``: from the models' lags on,
at most 200), enough to tell whether
Theta's half-drift hedge or the trend member (there, the AICc-chosen exponential
smoothing, whose in-sample origin forecasts are those of the chosen model: checked
before the runs) is the better hedge for that series. ``MSE_damped`` is now the
trend member's. Two candidates, acting only where the modelled series has at least 51
points and all three members are used; every shorter series keeps the default's
forecast exactly:

- ``hedge chosen by in-sample MSE, m >= 10k``: ``H = 5/8`` wholly to the one of Theta
  and the trend member with the smaller in-sample ``MSE`` (the fixed weights on a tie),
  the models ``3/8``;
- ``hedges by in-sample MSE, m >= 10k``: ``H`` split between them in proportion to
  ``1 / MSE``, the models ``3/8``.

Protocol of session 39 (fixed by the lead, written here and committed before the
counted runs): the development half (``--offset 0``, every candidate measured against
the current default, whose trend member is the AICc choice) with
:func:`development_rule` unchanged: "other" geo-mean MASE at least 2% better, no
frequency's geo-mean MASE or mean sMAPE worse by more than 0.5%, overall geo-mean MASE
not worse. Only session 39's two candidates are eligible (the other rows are measured
again against the current default for reference; their verdicts were given in
sessions 37 and 38); of those passing, the lowest "other" geo-mean MASE is picked. Only
the picked one is run on the confirmation half (``--offset 1 --candidates NAME``) and
adopted if it passes :func:`confirmation_rule` ("other" geo-mean MASE better, overall
geo-mean MASE and mean sMAPE not worse, no frequency's geo-mean MASE or mean sMAPE worse
by more than 0.5%); otherwise the default stays ("measured, not kept").

Result (session 39): on the development half (commit ``beb9134``) ``hedges by in-sample
MSE, m >= 10k`` passes ("other" geo-mean MASE 1.538 to 1.414, quarterly +0.19%, all
-0.43%) and ``hedge chosen by in-sample MSE, m >= 10k`` fails (quarterly +0.70%); on
the confirmation half (commit ``0924dae``) the split improves "other" geo-mean MASE by
2.48% (1.450 to 1.414) and all by 0.23%, but "other" mean sMAPE gets 0.66% worse (4.30
to 4.32): it fails, measured, not kept.

Usage::

    python -m benchmarks.m3_member_weights                                # development half
    python -m benchmarks.m3_member_weights --offset 1 --candidates NAME   # confirmation
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from benchmarks import anchor_cache, protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES, load_m3
from benchmarks.m3 import CORPUS, STORED
from benchmarks.m3_ablation import anchor_forecasts as ablation_anchors
from benchmarks.m3_ets_member import aicc_member
from benchmarks.protocol import geometric_mean
from sksssm.forecasting._damped_trend import MIN_AICC_LENGTH

#: Length at which ``theta weight 50/(50+n)`` halves Theta's weight.
THETA_LENGTH_SCALE = 50.0
#: Shortest series where the ETS candidates act: ``n - 1 >= 10 k`` one-step errors, ``k``
#: the most parameters of an ETS model (damped Holt's 5), so 51; the library's gate
#: (:data:`sksssm.forecasting._damped_trend.MIN_AICC_LENGTH`) since its adoption.
MIN_ETS_LENGTH = MIN_AICC_LENGTH
#: Session 38's candidates: name to (choose the least-AICc model rather than weight them,
#: give the ETS member both hedges' weight rather than the damped trend's).
ETS_CANDIDATES = {
    "ETS AICc weights, m >= 10k": (False, False),
    "ETS AICc choice, m >= 10k": (True, False),
    "ETS AICc weights in place of Theta and damped trend, m >= 10k": (False, True),
}
#: Session 39's candidates: name to the session-37 candidate they restrict to series of
#: at least :data:`MIN_ETS_LENGTH` points.
LONG_SERIES_CANDIDATES = {
    "hedge chosen by in-sample MSE, m >= 10k": "hedge chosen by in-sample MSE",
    "hedges by in-sample MSE, m >= 10k": "hedges by in-sample MSE",
}
CANDIDATES = (
    "hedges by in-sample MSE",
    "hedge chosen by in-sample MSE",
    "theta weight 50/(50+n)",
    "theta weight 50/(50+n) to damped trend",
    *ETS_CANDIDATES,
    *LONG_SERIES_CANDIDATES,
)
#: The session that judged each candidate; only :data:`SESSION`'s are eligible now.
JUDGED_IN = {
    **dict.fromkeys(CANDIDATES[:4], 37),
    **dict.fromkeys(ETS_CANDIDATES, 38),
    **dict.fromkeys(LONG_SERIES_CANDIDATES, 39),
}
SESSION = 39
#: The anchor read from its stored results rather than run.
STORED_ANCHOR = "AutoETS"
#: The development rule's thresholds (relative changes against the default).
MIN_OTHER_GAIN = 0.02
MAX_FREQUENCY_LOSS = 0.005


def candidate_weights(fixed, n, mse_theta, mse_damped, t, d):
    """Member weights (models, Theta, damped trend) of every candidate, one series.

    Parameters
    ----------
    fixed : ndarray of shape (3,)
        The default's fixed weights ``((1 - t)(1 - d), t (1 - d), d)``.
    n : int
        The series' length.
    mse_theta, mse_damped : float
        Mean square in-sample errors of Theta and the damped trend.
    t, d : float
        ``theta_weight`` and ``damped_trend_weight``.

    Returns
    -------
    dict of str to ndarray of shape (3,)
        Each summing to 1.

    Examples
    --------
    >>> import numpy as np
    >>> w = candidate_weights(np.array([0.375, 0.375, 0.25]), 50, 2.0, 1.0, 0.5, 0.25)
    >>> w["hedges by in-sample MSE"].round(4).tolist()
    [0.375, 0.2083, 0.4167]
    >>> w["hedge chosen by in-sample MSE"].tolist()
    [0.375, 0.0, 0.625]
    >>> w["theta weight 50/(50+n)"].round(4).tolist()
    [0.5625, 0.1875, 0.25]
    >>> w["theta weight 50/(50+n) to damped trend"].round(4).tolist()
    [0.375, 0.1875, 0.4375]
    """
    hedge = fixed[1] + fixed[2]
    out = {}
    if np.isfinite([mse_theta, mse_damped]).all() and min(mse_theta, mse_damped) > 0:
        share = (1 / mse_theta) / (1 / mse_theta + 1 / mse_damped)
        out["hedges by in-sample MSE"] = np.array([fixed[0], hedge * share, hedge * (1 - share)])
        if mse_theta == mse_damped:
            out["hedge chosen by in-sample MSE"] = fixed
        else:
            theta_wins = float(mse_theta < mse_damped)
            out["hedge chosen by in-sample MSE"] = np.array(
                [fixed[0], hedge * theta_wins, hedge * (1 - theta_wins)]
            )
    else:  # no usable in-sample errors: the fixed weights
        out["hedges by in-sample MSE"] = out["hedge chosen by in-sample MSE"] = fixed
    t_n = t * THETA_LENGTH_SCALE / (THETA_LENGTH_SCALE + n)
    out["theta weight 50/(50+n)"] = np.array([(1 - t_n) * (1 - d), t_n * (1 - d), d])
    theta = t_n * (1 - d)
    out["theta weight 50/(50+n) to damped trend"] = np.array(
        [fixed[0], theta, 1 - fixed[0] - theta]
    )
    return out


def ets_members(after, fixed, z, candidates):
    """Members and weights of the session-38 candidates among ``candidates``, one series.

    Parameters
    ----------
    after : ndarray of shape (len(MEMBERS), 1, horizon, 1)
        The default's members after the series (:func:`origin_members`).
    fixed : ndarray of shape (3,)
        The default's fixed weights.
    z : ndarray of shape (n,)
        The modelled (standardized) series.
    candidates : sequence of str

    Returns
    -------
    dict of str to (ndarray like ``after``, ndarray of shape (3,))
        Only for series of at least :data:`MIN_ETS_LENGTH` points (else empty): the
        damped-trend member replaced by :func:`~benchmarks.m3_ets_member.aicc_member`,
        with the damped trend's weight or both hedges'.
    """
    if len(z) < MIN_ETS_LENGTH:
        return {}
    out = {}
    for name in candidates:
        if name not in ETS_CANDIDATES:
            continue
        choose, both_hedges = ETS_CANDIDATES[name]
        members = after.copy()
        members[2, 0, :, 0] = aicc_member(z, after.shape[2], choose=choose)
        weights = np.array([fixed[0], 0.0, fixed[1] + fixed[2]]) if both_hedges else fixed
        out[name] = (members, weights)
    return out


def series_forecasts(series, candidates):
    """Forecasts (y's units) of the default and ``candidates``, and where they act.

    Returns ``(forecasts, acting)``: ``acting`` the set of candidates whose forecast
    is not the default's by construction (all three members used; for the ETS and
    session-39 candidates also at least :data:`MIN_ETS_LENGTH` points).
    """
    from sksssm.forecasting import SpectralForecaster
    from sksssm.forecasting._combination import (
        combine_members,
        fixed_weights,
        origin_errors,
        origin_members,
    )

    y, h = series.y, series.horizon
    f = SpectralForecaster().fit(pd.Series(y), fh=np.arange(1, h + 1))
    default = np.asarray(f.predict(), dtype=float).ravel()
    fitted, panel = f._global, f._panel
    if not (fitted.uses("theta") and fitted.uses("damped_trend")):
        return dict.fromkeys(("default", *candidates), default), set()
    z = panel.series()[0]
    _, after = origin_members(fitted, h, origins=[[len(z[0])]])
    origins, in_sample = origin_members(fitted, h)
    errors = origin_errors(z, origins, in_sample)[0]
    mse = np.nanmean(errors.reshape(errors.shape[0], -1) ** 2, axis=1)
    fixed = fixed_weights(fitted)
    weights = candidate_weights(fixed, len(y), mse[1], mse[2], fitted.theta_weight,
                                fitted.damped_trend_weight)  # fmt: skip
    long_series = len(z[0]) >= MIN_ETS_LENGTH
    for name, whole in LONG_SERIES_CANDIDATES.items():
        weights[name] = weights[whole] if long_series else fixed
    members = {name: (after, weights[name]) for name in candidates if name in weights}
    members["default"] = (after, fixed)
    ets = ets_members(after, fixed, z[0][:, 0], candidates)
    members.update(ets)
    out = {
        name: panel.to_original(0, combine_members(*members[name])[0])[:, 0] for name in members
    }
    if not np.allclose(out["default"], default, rtol=1e-8, atol=1e-10):
        raise AssertionError("the recombined members differ from the default's forecast")
    acting = {name for name in candidates if name not in ETS_CANDIDATES} | set(ets)
    if not long_series:
        acting -= set(LONG_SERIES_CANDIDATES)
    out.update({name: default for name in candidates if name not in out})
    return out, acting


def anchor_forecasts(series):
    """Theta and Comb forecasts of ``series`` (:func:`benchmarks.m3_ablation.anchor_forecasts`)."""
    anchors = ablation_anchors(series)
    return {name: anchors[name] for name in ("Theta", "Comb")}


def summarize(series_list, metrics, methods):
    """Statistics per group (frequency, "all") and method, and the groups' sizes.

    Returns ``({(group, method): (geo-mean MASE, mean sMAPE, mean MASE, paired change,
    its standard error)}, {group: size})``; the paired change is the mean over the
    group's series of the method's MASE minus the default's.
    """
    groups = {f.lower(): [s for s in series_list if s.frequency == f] for f in M3_FREQUENCIES}
    groups["all"] = series_list
    table, sizes = {}, {}
    for label, group in groups.items():
        if not group:
            continue
        sizes[label] = len(group)
        default = np.array([metrics[s.name]["default"][0] for s in group])
        for method in methods:
            values = np.array([metrics[s.name][method] for s in group])
            paired = values[:, 0] - default
            spread = paired.std(ddof=1) / np.sqrt(len(group)) if len(group) > 1 else np.nan
            table[label, method] = (geometric_mean(values[:, 0]), values[:, 1].mean(),
                                    values[:, 0].mean(), paired.mean(), spread)  # fmt: skip
    return table, sizes


def change(table, group, method, k):
    """Relative change of statistic ``k`` of ``method`` against the default."""
    return table[group, method][k] / table[group, "default"][k] - 1


def no_frequency_worse(table, sizes, method):
    """Whether no frequency's geo-mean MASE or mean sMAPE is worse by more than 0.5%."""
    frequencies = [g for g in sizes if g != "all"]
    return all(
        change(table, g, method, k) <= MAX_FREQUENCY_LOSS for g in frequencies for k in (0, 1)
    )


def development_rule(table, sizes, method):
    """Whether ``method`` passes the development rule (module docstring)."""
    return (
        change(table, "other", method, 0) <= -MIN_OTHER_GAIN
        and no_frequency_worse(table, sizes, method)
        and change(table, "all", method, 0) <= 0
    )


def confirmation_rule(table, sizes, method):
    """Whether ``method`` passes the confirmation rule (module docstring, session 38)."""
    return (
        change(table, "other", method, 0) < 0
        and change(table, "all", method, 0) <= 0
        and change(table, "all", method, 1) <= 0
        and no_frequency_worse(table, sizes, method)
    )


def stored_anchor(series_list):
    """The stored :data:`STORED_ANCHOR` results of ``series_list`` (raises if any is missing)."""
    return anchor_cache.read(CORPUS, STORED_ANCHOR, [s.name for s in series_list],
                             spec=STORED[STORED_ANCHOR])  # fmt: skip


def measure(series_list, candidates, stored):
    """Per series: MASE and sMAPE of the default, ``candidates`` and the anchors.

    ``stored`` is :func:`stored_anchor`'s cache. Returns ``(metrics, changed,
    seconds)``: ``changed[frequency, candidate]`` counts the series where the candidate
    acts (:func:`series_forecasts`).
    """
    metrics, changed = {}, {}
    start = time.perf_counter()
    for s in series_list:
        forecasts, acting = series_forecasts(s, candidates)
        for name in acting:
            changed[s.frequency, name] = changed.get((s.frequency, name), 0) + 1
        forecasts.update(anchor_forecasts(s))
        metrics[s.name] = {
            name: (protocol.mase(s.y, s.y_test, forecast, s.period),
                   protocol.smape(s.y_test, forecast))
            for name, forecast in forecasts.items()
        }  # fmt: skip
        scores = stored.results[s.name]["scores"]
        metrics[s.name][STORED_ANCHOR] = (scores["mase"], scores["smape"])
    return metrics, changed, time.perf_counter() - start


def table_rows(table, sizes, methods, changed):
    """The rows of the accuracy table (one per group and method)."""
    rows = []
    for group in sizes:
        for method in methods:
            n_changed = ""
            if method in CANDIDATES:
                n_changed = sum(
                    count
                    for (frequency, name), count in changed.items()
                    if name == method and group in ("all", frequency.lower())
                )
            geo, smape, mean, paired, spread = table[group, method]
            rows.append([
                group, sizes[group], n_changed, method, f"{mean:.3f}",
                f"{paired:+.4f} ({spread:.4f})", f"{geo:.3f}",
                f"{100 * change(table, group, method, 0):+.2f}%", f"{smape:.2f}",
                f"{100 * change(table, group, method, 1):+.2f}%",
            ])  # fmt: skip
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offset", type=int, default=0, choices=(0, 1),
                        help="0: development half; 1: confirmation half")  # fmt: skip
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES),
                        choices=CANDIDATES, metavar="NAME",
                        help="candidates to measure (default: all)")  # fmt: skip
    args = parser.parse_args(argv)
    candidates = [c for c in CANDIDATES if c in args.candidates]
    series = load_m3()
    series = [s for f in M3_FREQUENCIES
              for s in [x for x in series if x.frequency == f][args.offset :: 2]]  # fmt: skip
    stored = stored_anchor(series)
    with protocol.one_thread():
        protocol.warm_up(lambda: series_forecasts(series[0], candidates))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metrics, changed, seconds = measure(series, candidates, stored)
    print(f"{len(series)} series, {seconds:.0f} s", flush=True)
    methods = ["default", *candidates, "Theta", "Comb", STORED_ANCHOR]
    table, sizes = summarize(series, metrics, methods)
    half = "confirmation" if args.offset else "development"
    if args.offset:
        verdicts = [[name, confirmation_rule(table, sizes, name)] for name in candidates]
    else:
        verdicts = [[name, development_rule(table, sizes, name)] for name in candidates]
    verdicts = [[name, JUDGED_IN[name], "passes" if passed else "fails"]
                for name, passed in verdicts]  # fmt: skip
    for name, session, verdict in verdicts:
        print(f"{name} (session {session}): {verdict}", flush=True)
    body = [
        f"{len(series)} M3 series, the {half} half (every second series of each frequency "
        f"from its series {args.offset}). One `SpectralForecaster()` fit per series (`fh` "
        "in fit, official horizons, one thread); each candidate recombines the same "
        "members with other weights (the ETS candidates: with the damped trend replaced "
        "by AICc-chosen exponential smoothing) where all three are used (`sp_ = 1, d_ = "
        f"1`) and, for the candidates named 'm >= 10k', the series has at least {MIN_ETS_LENGTH} "
        "points (column 'changed': the series of the group where the candidate acts); "
        "every other series keeps the default's forecast. Candidates, protocol and "
        "rules: the docstring of "
        "`benchmarks/m3_member_weights.py`. MASE scaled by the in-sample seasonal naive "
        "error; sMAPE in percent; 'change': relative to the default; 'paired change': the "
        "mean over the group's series of the method's MASE minus the default's, and its "
        f"standard error. {seconds:.0f} s for all series (live anchors included).",
        "",
        anchor_cache.sources_sentence(
            ["SpectralForecaster() and the candidates", "Theta", "Comb", STORED_ANCHOR],
            {STORED_ANCHOR: stored.provenance()},
        ),
        "",
        markdown_table(
            [
                "frequency",
                "series",
                "changed",
                "method",
                "mean MASE",
                "paired change (s.e.)",
                "geo-mean MASE",
                "change",
                "mean sMAPE",
                "change",
            ],
            table_rows(table, sizes, methods, changed),
        ),  # fmt: skip
        "",
        f"### The {half} rule",
        "",
        f"Eligible this session: the candidates of session {SESSION}; the others' "
        "verdicts were given in their session, against the default of then.",
        "",
        markdown_table(["candidate", "session", "verdict"], verdicts),
    ]
    command = "python -m benchmarks.m3_member_weights" + (f" --offset {args.offset}" * args.offset)
    if len(candidates) < len(CANDIDATES):
        command += f" --candidates {' '.join(repr(c) for c in candidates)}"
    section = "m3_member_weights" + ("_offset1" if args.offset else "")
    title = f"M3: member weights for a trend without a season ({half} half)"
    write_section(section, "\n".join(body), command=command, title=title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
