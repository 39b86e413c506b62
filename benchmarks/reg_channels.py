"""``SpectralFilterSequenceRegressor``'s mixtures shared out among channels (issue 21).

The default series-to-value regressor computes, for every channel, its bank's responses
plus ``n_mixtures`` (64) random mixtures per filter group, so its cost and its features
grow linearly with the channels, while MiniRocket's features are fixed. Measured side by
side in one run, one thread, fit then predict:

* ``default``: ``n_mixtures=64`` per group and channel (the default at this benchmark's
  writing);
* ``auto``: ``n_mixtures="auto"``, ``ceil(64 / c)`` for ``c`` channels;
* MiniRocket (sktime's ``MiniRocketMultivariate`` + ``StandardScaler(with_mean=False)`` +
  ``RidgeCV(alphas=logspace(-3, 3, 10))``), at seed 0 only, for the time ratio and an
  RMSE reference.

**The data are synthetic.** No real multichannel regression set is in the repository or
in the allowed packages (the TSER archive is not), so the tasks are made up
(:data:`TASKS`): random walks ``X = standard_normal((n, c, t)).cumsum(-1) * 0.1`` and a
target whose signal part is standardized to unit variance over the ``n_train + n_test``
series of a cell, plus noise ``0.1 * standard_normal(n)`` (so an RMSE of 0.1 is the
noise floor, 1.0 that of predicting the mean):

* ``level``: the mean of the last 20 steps of channel 0 plus 0.5 x the standard deviation
  of the last channel;
* ``coupling``: channel 1 rebuilt as ``rho_i * shift(channel 0, 3) + sqrt(1 - rho_i^2) *
  (its own random walk)`` (``shift`` by 3 steps, the first value repeated at the start),
  ``rho_i ~ U(-1, 1)`` the target;
* ``oscillation``: a sine of frequency ``f_i ~ U(0.02, 0.2)`` cycles per step, random
  phase, amplitude 1, added to channel ``i % c``; the target ``f_i``;
* ``bump``: a rectangular bump of height ``h_i ~ U(0.5, 2)`` and width 20 at a random
  position of a random channel; the target ``h_i``.

Shapes ``(c, t, n_train, n_test)`` (:data:`SHAPES`), multichannel shapes of the TSER
archive: ``(3, 144, 200, 100)``, ``(8, 240, 300, 300)``, ``(9, 24, 1000, 500)``, ``(24,
144, 95, 42)``. Each task on each shape is a cell. Seeds 0, 1, 2: the regressor's
``random_state`` and the data (seed ``s`` of task number ``k`` on shape ``(c, t,
n_train, n_test)``: ``numpy.random.default_rng([s, k, c, t, n_train, n_test])``, so that
the cells' data are independent); a
cell's RMSE is the mean over the seeds, its time the total.

Run-time cut, fixed before the counted run (allowed by the task when the whole run would
exceed about 20 minutes): timed on this machine, one default fit+predict takes about 51 s
at ``(8, 240, 300/300)`` and 31 s at ``(24, 144, 95/42)``, so the 16 cells at 3 seeds
would take about 35 minutes; the shape ``(8, 240, 300, 300)`` is dropped for ``coupling``
and ``bump`` (:data:`DROPPED`), leaving 14 cells, to which the rule below is applied.

Pre-registered rule (verbatim, :data:`RULE`; thresholds :data:`MAX_GEOMETRIC_RATIO`,
:data:`MAX_CELL_RATIO`, :data:`MAX_TIME_RATIO`):

"Pre-registered rule (issue 21, session 41, fixed before the counted run): on the 16
synthetic multichannel cells (4 tasks x 4 shapes; RMSE of each the mean over seeds
0-2), `auto` becomes `SpectralFilterSequenceRegressor`'s default if (a) the geometric
mean over the cells of its RMSE over the default's is at most 1.01, (b) no cell's ratio
exceeds 1.05, and (c) its total fit+predict time is at most 0.75x the default's.
Univariate data is unchanged by construction (tested bit-identical), so Tecator and
Covid3Month are not rerun."

**Group** ``sqrt`` **(session 42).** The candidate ``sqrt``: ``n_mixtures="auto"``
with the share exponent 1/2 (:func:`sqrt_share`; the count fixed per shape),
``ceil(64 / sqrt(c))`` per group and channel (37, 23, 22, 14 at 3, 8, 9, 24 channels),
so that the mixture responses grow as ``sqrt(c)``: the geometric middle between the
default (64 per channel, growing as ``c``) and ``auto`` (about 64 in all). Why this
candidate: a fit's time is almost all in the pooled features, about proportional to
the responses pooled, and the mixtures are about 80% of them at 64 (profile, session
42: the statistics of the responses 60%, the responses 11%, writing the features 14%,
the Gram and leave-one-out selection 8% of fit+predict at 8 x 240), so fewer mixtures
is the lever; ``auto`` lost most where it left fewest mixtures per channel (``level``,
which reads two given channels: 1.13 at 8 per channel, 1.16 at 3, 1.04 at 22), so a
gentler share keeps more of each channel's responses. The default and ``sqrt``
side by side at ``random_state`` 0-2 (order rotating) and MiniRocket at seed 0, on the
same 14 cells as group ``auto`` but drawn afresh: ``--seed 1`` (:func:`make_cell`'s
``draw``; the data of seed ``s`` is then ``default_rng([1, s, k, c, t, n_train,
n_test])``, none of the session-41 cells whose losses were read).

Pre-registered rule of group ``sqrt`` (verbatim, :data:`RULE_SQRT`; the same
thresholds):

"Pre-registered rule (issue 21, session 42, fixed before the counted run): on the 14
synthetic multichannel cells of session 41 (its 4 tasks x 4 shapes less the two cells
it dropped for time; RMSE of each the mean over random_state 0-2), drawn afresh with
--seed 1, `sqrt` (n_mixtures="auto" with ceil(64 / sqrt(c)) mixtures per group and
channel) becomes SpectralFilterSequenceRegressor's default if (a) the geometric mean
over the cells of its RMSE over the default's (n_mixtures=64) is at most 1.01, (b) no
cell's ratio exceeds 1.05, and (c) its total fit+predict time is at most 0.75x the
default's. One channel is unchanged by construction (64 mixtures, tested
bit-identical), so Tecator and Covid3Month are not rerun."

Usage::

    python -m benchmarks.reg_channels --write     # group auto's counted run (session 41)
    python -m benchmarks.reg_channels --group sqrt --seed 1 --write  # group sqrt's
    python -m benchmarks.reg_channels --group sqrt --quick  # smoke run: no RMSE shown
"""

from __future__ import annotations

import argparse
import math
import os
import warnings

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from sksssm import SpectralFilterSequenceRegressor
from sksssm.estimators._pooled import resolve_mixtures


def _quoted_rule(session):
    """The rule of ``session`` quoted in the module docstring, on one line."""
    start = __doc__.index(f'"Pre-registered rule (issue 21, session {session}')
    return " ".join(__doc__[start : __doc__.index('rerun."', start) + 7].split())


#: The rules of the module docstring, quoted: group ``auto`` (session 41), group
#: ``sqrt`` (session 42).
RULE = _quoted_rule(41)
RULE_SQRT = _quoted_rule(42)
#: The rule's thresholds: (a) geometric mean of the cells' RMSE ratios (auto / default),
#: (b) the largest cell ratio, (c) the ratio of the total times.
MAX_GEOMETRIC_RATIO = 1.01
MAX_CELL_RATIO = 1.05
MAX_TIME_RATIO = 0.75
#: Round-off allowed in the rule's comparisons (a ratio exactly on a threshold passes).
ROUND_OFF = 1e-9
#: Mixtures per group and channel of the default (and of one channel under "auto").
BASE_MIXTURES = 64
#: The variants of each group: the default, then the candidate.
GROUPS = {"auto": ("default", "auto"), "sqrt": ("default", "sqrt")}
#: The section each group's counted run writes.
SECTIONS = {"auto": "reg_channels", "sqrt": "reg_channels_sqrt"}
SEEDS = (0, 1, 2)
#: ``(channels, steps, n_train, n_test)``: multichannel shapes of the TSER archive.
SHAPES = ((3, 144, 200, 100), (8, 240, 300, 300), (9, 24, 1000, 500), (24, 144, 95, 42))
#: The standard deviation of the noise added to the standardized signal of the target.
NOISE = 0.1
#: Width (steps) of the ``bump`` task's bump; steps averaged by the ``level`` task.
BUMP_WIDTH = 20
LEVEL_STEPS = 20
#: Lag (steps) of the ``coupling`` task.
LAG = 3


def random_walks(n, c, t, rng):
    """``n`` random walks of ``c`` channels and ``t`` steps, steps of scale 0.1."""
    return rng.standard_normal((n, c, t)).cumsum(-1) * 0.1


def level(n, c, t, rng):
    """Random walks; signal: the mean of channel 0's last 20 steps + 0.5 x the standard
    deviation of the last channel."""
    X = random_walks(n, c, t, rng)
    return X, X[:, 0, -LEVEL_STEPS:].mean(-1) + 0.5 * X[:, -1].std(-1)


def coupling(n, c, t, rng):
    """Channel 1 is ``rho * (channel 0 three steps earlier) + sqrt(1 - rho^2) * (its own
    random walk)``; signal: ``rho ~ U(-1, 1)``."""
    X = random_walks(n, c, t, rng)
    rho = rng.uniform(-1.0, 1.0, n)
    lagged = np.concatenate([np.repeat(X[:, 0, :1], LAG, axis=1), X[:, 0, :-LAG]], axis=1)
    X[:, 1] = rho[:, None] * lagged + np.sqrt(1.0 - rho**2)[:, None] * X[:, 1]
    return X, rho


def oscillation(n, c, t, rng):
    """A sine of ``f ~ U(0.02, 0.2)`` cycles per step, random phase, amplitude 1, added to
    channel ``i % c`` of series ``i``; signal: ``f``."""
    X = random_walks(n, c, t, rng)
    frequency = rng.uniform(0.02, 0.2, n)
    phase = rng.uniform(0.0, 2 * np.pi, n)
    sine = np.sin(2 * np.pi * frequency[:, None] * np.arange(t) + phase[:, None])
    X[np.arange(n), np.arange(n) % c] += sine
    return X, frequency


def bump(n, c, t, rng):
    """A rectangular bump of height ``h ~ U(0.5, 2)`` and width 20 at a random position of
    a random channel; signal: ``h``."""
    X = random_walks(n, c, t, rng)
    height = rng.uniform(0.5, 2.0, n)
    channel = rng.integers(0, c, n)
    start = rng.integers(0, t - BUMP_WIDTH + 1, n)
    for i in range(n):
        X[i, channel[i], start[i] : start[i] + BUMP_WIDTH] += height[i]
    return X, height


#: The tasks: ``name -> make(n, c, t, rng)`` returning ``(X, signal)``.
TASKS = {"level": level, "coupling": coupling, "oscillation": oscillation, "bump": bump}
#: Cells ``(task, shape)`` left out by the run-time cut of the module docstring.
DROPPED = (("coupling", SHAPES[1]), ("bump", SHAPES[1]))


def cells():
    """``[(task, shape)]``: every task on every shape but :data:`DROPPED`."""
    return [(task, shape) for task in TASKS for shape in SHAPES if (task, shape) not in DROPPED]


def make_cell(task, shape, seed, draw=0):
    """``(X_train, y_train, X_test, y_test)`` of ``task`` on ``shape`` for ``seed``.

    ``draw`` 0 gives session 41's data; another draws the cells afresh (the generator's
    key gets ``draw`` in front: independent data for every ``draw``). The signal is
    standardized over all ``n_train + n_test`` series (one generator call, then the
    split), then :data:`NOISE` x standard normal noise is added.
    """
    c, t, n_train, n_test = shape
    key = [seed, list(TASKS).index(task), *shape]
    rng = np.random.default_rng(key if draw == 0 else [draw, *key])
    X, signal = TASKS[task](n_train + n_test, c, t, rng)
    y = (signal - signal.mean()) / signal.std() + NOISE * rng.standard_normal(len(signal))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def sqrt_share(n_channels, base=BASE_MIXTURES):
    """Group ``sqrt``'s mixtures per group and channel, ``ceil(base / sqrt(n_channels))``.

    In integers: the least ``m`` with ``m**2 >= base**2 / n_channels`` (no float
    round-off at the perfect squares ``n_channels = 4, 16, 64, ...``).

    Examples
    --------
    >>> [sqrt_share(c) for c in (1, 3, 8, 9, 24)]
    [64, 37, 23, 22, 14]
    """
    least_square = -(-(base**2) // n_channels)
    root = math.isqrt(least_square)
    return root if root * root == least_square else root + 1


def candidate_mixtures(variant, n_channels):
    """Mixtures per group and channel of the candidate ``variant`` for ``n_channels``:
    ``"auto"`` the regressor's own ``n_mixtures="auto"`` (``ceil(64 / c)``, through
    :func:`~sksssm.estimators._pooled.resolve_mixtures`), ``"sqrt"`` :func:`sqrt_share`."""
    if variant == "sqrt":
        return sqrt_share(n_channels)
    return resolve_mixtures("auto", n_channels, BASE_MIXTURES)


def model(variant, seed, n_channels):
    """An unfitted regressor of ``variant`` with ``random_state=seed`` for series of
    ``n_channels`` channels: ``"default"`` ``n_mixtures=64``, a candidate its count of
    :func:`candidate_mixtures`. The random mixtures depend only on their count and
    ``random_state``, so a count fixed here is the model ``n_mixtures="auto"`` resolves
    to the same count (session 42's counted run of group ``sqrt`` resolved it inside the
    regressor, through a share exponent since removed from the library)."""
    if variant == "default":
        return SpectralFilterSequenceRegressor(n_mixtures=BASE_MIXTURES, random_state=seed)
    n_mixtures = candidate_mixtures(variant, n_channels)
    return SpectralFilterSequenceRegressor(n_mixtures=n_mixtures, random_state=seed)


def minirocket():
    """The anchor: MiniRocket + scaler + ``RidgeCV`` (:class:`benchmarks.protocol.RocketRidge`;
    every shape here has several channels, so ``MiniRocketMultivariate``)."""
    return protocol.RocketRidge("minirocket", 0, regression=True)


def timed_rmse(model, X_train, y_train, X_test, y_test):
    """``(rmse, seconds)`` of ``model``'s fit then predict."""
    predicted, seconds = protocol.timed(lambda: model.fit(X_train, y_train).predict(X_test))
    return float(np.sqrt(np.mean((np.asarray(predicted) - y_test) ** 2))), seconds


def warm_up_cell(models, data):
    """Fit and predict each model once on a tiny slice of ``data`` (numba compiles the
    specialisations of the cell's dtype, channels and length), untimed."""
    X_train, y_train, X_test, _ = data
    tiny = (np.ascontiguousarray(X_train[:6]), y_train[:6], np.ascontiguousarray(X_test[:3]))
    for model in models:
        protocol.warm_up(lambda m=model: m.fit(*tiny[:2]).predict(tiny[2]))


def run_cell(task, shape, seeds, variants=GROUPS["auto"], draw=0):
    """One cell: each of ``variants`` at each seed (order rotating), MiniRocket at the
    first; the data of :func:`make_cell` with ``draw``.

    Returns ``{"task", "shape", variant: (rmses, seconds), "minirocket": (rmse,
    seconds)}``.
    """
    results = {variant: ([], 0.0) for variant in variants}
    row = {"task": task, "shape": shape}
    for index, seed in enumerate(seeds):
        data = make_cell(task, shape, seed, draw)
        if index == 0:
            warm_up_cell([model(v, 0, shape[0]) for v in variants] + [minirocket()], data)
            row["minirocket"] = timed_rmse(minirocket(), *data)
        shift = index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            rmse, seconds = timed_rmse(model(variant, seed, shape[0]), *data)
            rmses, total = results[variant]
            results[variant] = ([*rmses, rmse], total + seconds)
    return {**row, **results}


def mean_rmse(row, variant):
    """The mean over the seeds of ``variant``'s RMSE on ``row``'s cell."""
    return float(np.mean(row[variant][0]))


def rmse_ratio(row, candidate="auto"):
    """``candidate``'s mean RMSE over the default's on ``row``'s cell."""
    return mean_rmse(row, candidate) / mean_rmse(row, "default")


def rule_checks(rows, candidate="auto"):
    """The rule's conditions (a), (b), (c) for ``candidate``: a dict of numbers and bools."""
    ratios = [rmse_ratio(r, candidate) for r in rows]
    time_ratio = sum(r[candidate][1] for r in rows) / sum(r["default"][1] for r in rows)
    checks = {
        "geometric_ratio": float(np.exp(np.mean(np.log(ratios)))),
        "worst_ratio": float(max(ratios)),
        "time_ratio": time_ratio,
    }
    checks["a"] = checks["geometric_ratio"] <= MAX_GEOMETRIC_RATIO + ROUND_OFF
    checks["b"] = checks["worst_ratio"] <= MAX_CELL_RATIO + ROUND_OFF
    checks["c"] = time_ratio <= MAX_TIME_RATIO + ROUND_OFF
    checks["passes"] = checks["a"] and checks["b"] and checks["c"]
    return checks


#: What each candidate's pass or failure means, in the verdict's words.
OUTCOMES = {
    "auto": (
        'auto passes: the default becomes n_mixtures="auto".',
        'auto fails: the default stays 64 and "auto" stays an option.',
    ),
    "sqrt": (
        'sqrt passes: the default becomes n_mixtures="auto" with ceil(64 / sqrt(c)).',
        "sqrt fails: the default stays 64.",
    ),
}


def verdict(rows, candidate="auto"):
    """The rule applied to ``candidate``, in words."""
    k = rule_checks(rows, candidate)
    outcome = OUTCOMES[candidate][0 if k["passes"] else 1]
    return (
        f"- `{candidate}` over `default` on {len(rows)} cells: geometric mean RMSE ratio "
        f"{k['geometric_ratio']:.4f} (a: <= {MAX_GEOMETRIC_RATIO}, {_met(k['a'])}), worst "
        f"cell {k['worst_ratio']:.4f} (b: <= {MAX_CELL_RATIO}, {_met(k['b'])}), total time "
        f"{k['time_ratio']:.2f}x the default's (c: <= {MAX_TIME_RATIO}, {_met(k['c'])}).\n\n"
        f"Outcome: {outcome}"
    )


def _met(flag):
    return "met" if flag else "not met"


def _shape(shape):
    """``"n_train/n_test, c x t"``."""
    c, t, n_train, n_test = shape
    return f"{n_train}/{n_test}, {c} x {t}"


#: Each candidate's mixtures per group and channel, in the table's header.
SHARE_LABELS = {"auto": "auto = ceil(64/c)", "sqrt": "sqrt = ceil(64/sqrt(c))"}


def table(rows, candidate="auto"):
    """Markdown table, one line per cell: each variant's mean RMSE and total seconds, the
    RMSE ratio, MiniRocket's RMSE and seconds (seed 0), and one fit+predict of each variant
    over MiniRocket's."""
    variants = ("default", candidate)
    header = ["task", "n train/test, c x t", SHARE_LABELS[candidate], "RMSE default",
              f"RMSE {candidate}", f"{candidate} / default", "RMSE MiniRocket",
              "s default (3 seeds)", f"s {candidate} (3 seeds)", "s MiniRocket",
              f"one fit / MiniRocket (default, {candidate})"]  # fmt: skip
    body = []
    for r in rows:
        mr_rmse, mr_seconds = r["minirocket"]
        per_fit = [r[v][1] / len(r[v][0]) / mr_seconds for v in variants]
        body.append([r["task"], _shape(r["shape"]), candidate_mixtures(candidate, r["shape"][0]),
                     f"{mean_rmse(r, 'default'):.4f}", f"{mean_rmse(r, candidate):.4f}",
                     f"{rmse_ratio(r, candidate):.4f}", f"{mr_rmse:.4f}",
                     f"{r['default'][1]:.1f}", f"{r[candidate][1]:.1f}", f"{mr_seconds:.2f}",
                     f"{per_fit[0]:.1f}x, {per_fit[1]:.1f}x"])  # fmt: skip
    totals = "; ".join(f"{v} {sum(r[v][1] for r in rows):.1f} s" for v in variants)
    mr_total = sum(r["minirocket"][1] for r in rows)
    return (
        f"{markdown_table(header, body)}\n\nTotal time: {totals}; MiniRocket {mr_total:.1f} s "
        "(one seed)."
    )


def per_seed(rows, candidate="auto"):
    """Each cell's RMSE per seed and variant (the seed noise behind the means)."""
    variants = ("default", candidate)
    header = ["task", "n train/test, c x t", *(f"{v} (seeds 0-2)" for v in variants)]
    body = [
        [r["task"], _shape(r["shape"]), *(" ".join(f"{e:.4f}" for e in r[v][0]) for v in variants)]
        for r in rows
    ]
    return markdown_table(header, body)


def _tasks_text(rows):
    """The paragraph on the synthetic data, the shapes and the seeds."""
    return f"""**Synthetic data only**: no real multichannel regression set is available
here (the TSER archive is not in the repository or the allowed packages). Four made-up
tasks on random walks (`level`: a level of channel 0 and the spread of the last channel;
`coupling`: the correlation of channel 1 with channel 0 three steps earlier;
`oscillation`: the frequency of a sine in one channel; `bump`: the height of a bump in a
random channel; definitions in `benchmarks/reg_channels.py`), the target's signal
standardized to unit variance plus noise of standard deviation {NOISE} (the RMSE floor),
on four multichannel shapes of the TSER archive. The shape (8, 240) is left out for
`coupling` and `bump` to keep the run near 20 minutes (decided before session 41's run):
{len(rows)} cells."""


def report(rows, command, load_start):
    """Write group ``auto``'s section, ``reg_channels``."""
    body = f"""`SpectralFilterSequenceRegressor` with `n_mixtures=64` (the default) and
`"auto"` (`ceil(64 / c)` per group and channel) on multichannel series-to-value
regression, with sktime's MiniRocket (+ scaler + `RidgeCV`) as an RMSE reference and for
the time ratio: fit then predict, one thread, side by side in one run (1-min load average
{load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end).

{_tasks_text(rows)} Seeds 0-2 (`random_state` and the data): RMSE the mean over the seeds,
time the total; MiniRocket at seed 0 only.

Rule, fixed before this run (in `benchmarks/reg_channels.py`): {RULE}
It is applied to the {len(rows)} cells run.

{verdict(rows)}

{table(rows)}

RMSE per seed:

{per_seed(rows)}
"""
    write_section(
        SECTIONS["auto"], body, command=command,
        title='SpectralFilterSequenceRegressor(n_mixtures="auto") on multichannel data',
    )  # fmt: skip


def report_sqrt(rows, command, load_start, draw):
    """Write group ``sqrt``'s section, ``reg_channels_sqrt``."""
    body = f"""`SpectralFilterSequenceRegressor` with `n_mixtures=64` (the default) and the
candidate `sqrt` (`n_mixtures="auto"` with `ceil(64 / sqrt(c))` mixtures per group and
channel: the mixture responses grow as `sqrt(c)` instead of `c`) on multichannel
series-to-value regression, with sktime's MiniRocket (+ scaler + `RidgeCV`) as an RMSE
reference and for the time ratio: fit then predict, one thread, side by side in one run
(1-min load average {load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end).

{_tasks_text(rows)} The cells of section `reg_channels`, drawn afresh (`--seed {draw}`:
none of the data whose per-cell losses chose the candidate). `random_state` 0-2: RMSE
the mean over the seeds, time the total; MiniRocket at seed 0 only.

Rule, fixed and committed before this run (in `benchmarks/reg_channels.py`):
{RULE_SQRT} It is applied to the {len(rows)} cells run.

{verdict(rows, "sqrt")}

{table(rows, "sqrt")}

RMSE per seed:

{per_seed(rows, "sqrt")}
"""
    write_section(
        SECTIONS["sqrt"], body, command=command,
        title="SpectralFilterSequenceRegressor: mixtures shared as ceil(64 / sqrt(c))",
    )  # fmt: skip


#: The smoke run's one small cell (its RMSE is not shown).
QUICK_CELL = ("level", (3, 40, 30, 10))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--group",
        choices=tuple(GROUPS),
        default="auto",
        help="the candidate against the default (auto: session 41)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="data draw of the cells (0: session 41's; 1: group sqrt's)",
    )
    parser.add_argument("--write", action="store_true", help="write the section")
    parser.add_argument("--quick", action="store_true", help="smoke run (nothing written)")
    args = parser.parse_args(argv)
    if args.quick and args.write:
        parser.error("--quick writes nothing")
    if args.seed < 0:
        parser.error("--seed must be a non-negative int")
    variants, candidate = GROUPS[args.group], GROUPS[args.group][1]
    load_start = os.getloadavg()[0]
    rows = []
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        todo = [QUICK_CELL] if args.quick else cells()
        for task, shape in todo:
            seeds = SEEDS[:1] if args.quick else SEEDS
            row = run_cell(task, shape, seeds, variants, args.seed)
            rows.append(row)
            times = "  ".join(f"{v} {row[v][1]:6.1f} s" for v in variants)
            print(f"{task:12s} {_shape(shape):22s} {times}  MiniRocket "
                  f"{row['minirocket'][1]:5.2f} s  load {os.getloadavg()[0]:.1f}",
                  flush=True)  # fmt: skip
        # written inside the one-thread context: the stamp reports the runs' threads
        if args.quick:
            print("quick run: RMSE not shown, nothing written.")
            return 0
        print(table(rows, candidate))
        print(verdict(rows, candidate))
        if args.write:
            command = "python -m benchmarks.reg_channels" + (
                "" if args.group == "auto" else f" --group {args.group} --seed {args.seed}"
            )
            if args.group == "auto":
                report(rows, f"{command} --write", load_start)
            else:
                report_sqrt(rows, f"{command} --write", load_start, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
