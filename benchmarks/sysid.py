"""System identification: the closed-form STU fit against ARX, N4SID and gradient training.

The STU paper's marginally stable linear dynamical system (``make_stu_system``: d_in=3,
d_h=4, d_out=3, T=1024), trained on a few sequences and tested on held-out ones
(relative MSE against the noise-free outputs). Measured side by side in one run:

1. the closed-form fit ``SpectralFilterRegressor(return_sequences=True)`` on the paper's
   system: test error and fit time, with a cold and a warm filter cache (best of 3);
2. error versus the number of filters K (the paper's Figure 4), on the symmetric system
   and on the sign-diagonal one;
3. on the symmetric system, clean and with observation noise on the training outputs:
   ARX least squares (free-run simulation), N4SID (``nfoursid``, optional), a gradient
   STU network (``STURegressor`` with its defaults), the closed-form model's exact linear
   feature map trained by Adam (learning curve), and the closed-form fit.

4. ``STURegressor(return_sequences=True)`` with its defaults and the other settings of
   ``STU_SETTINGS`` over 5 seeds (system, inputs and weights), against issue 23's target
   of a test relative MSE at or below 1e-3.

Run: ``python -m benchmarks.sysid`` (writes sections ``sysid`` and ``sysid_stu_seeds`` of
docs/benchmarks.md and ``docs/images/sysid_*.png``); ``python -m benchmarks.sysid
--stu-seeds`` runs and writes the seed study alone (settings already stored in
``benchmarks/results/sysid_stu_seeds.json`` are not rerun; ``--rerun`` reruns them).
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from benchmarks import protocol
from benchmarks._report import git_revision, markdown_table, write_section
from sksssm import SpectralFilterRegressor, STURegressor
from sksssm.datasets import make_stu_system, relative_mse, simulate_linear_system
from sksssm.exceptions import SpectralFilterWarning
from sksssm.spectral import (
    autoregressive_features,
    feed_back_outputs,
    max_usable_filters,
    stu_features,
    stu_filters,
)
from sksssm.spectral._filters import eigenpairs

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
N_TIMESTEPS = 1024
N_TRAIN, N_TEST = 8, 4
SEED = 0
#: Observation noise on the training outputs, relative to their root-mean-square.
NOISE_LEVEL = 0.3
FILTER_COUNTS = (1, 2, 3, 4, 6, 8, 10, 12, 14, 16, 18, 20)
ARX_ORDERS = (1, 2, 4, 6, 8)
N4SID_ORDER, N4SID_BLOCK_ROWS = 4, 10
ADAM_STEPS, ADAM_SECONDS, ADAM_LR = 1500, 45.0, 3e-2


# ---------------------------------------------------------------------- helpers
def best_time(fn, repeats=3, setup=None):
    """``(seconds, result)``: the fastest of ``repeats`` calls (``setup`` runs untimed)."""
    times, result = [], None
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def system(symmetric, noise_level=0.0):
    """Train/test split of one system; test targets are always noise-free."""
    n = N_TRAIN + N_TEST
    data = make_stu_system(n, N_TIMESTEPS, symmetric=symmetric, random_state=SEED)
    y_train = data.y_clean[:N_TRAIN]
    if noise_level:
        # Same seed, same system and inputs: only the noise differs.
        scale = np.sqrt(np.mean(y_train**2))
        noisy = make_stu_system(
            n, N_TIMESTEPS, symmetric=symmetric, noise=noise_level * scale, random_state=SEED
        )
        y_train = noisy.y[:N_TRAIN]
    return data.X[:N_TRAIN], y_train, data.X[N_TRAIN:], data.y_clean[N_TRAIN:]


def to_time_major(Z):
    """(n, channels, t) -> (n, t, channels)."""
    return np.ascontiguousarray(Z.transpose(0, 2, 1))


def closed_form(n_filters):
    return SpectralFilterRegressor(n_filters, return_sequences=True)


# ------------------------------------------------------------- STU network over seeds
#: Seeds of the STU network study: each seed draws the system, its inputs and the weights.
STU_SEEDS = (0, 1, 2, 3, 4)
#: Issue 23's target for ``STURegressor(return_sequences=True)`` with its defaults.
STU_TARGET = 1e-3
#: Training and test sequences of the seed study: the setting of issue 12's guarantee
#: (``test_defaults_fit_the_stu_papers_system``: 32 training sequences, 256 steps).
STU_N_TRAIN, STU_N_TEST = 32, 8


#: Settings of the seed study: label -> overrides of ``STURegressor``'s defaults. The
#: lr=3e-2 row: on seed 3 (defaults) and seed 0 (d_model=16) the default lr=1e-2 stalls
#: at a training loss 5-10x above the test error of lr=3e-2 within the 256 steps of the
#: auto budget (screened with test-error curves; see the user guide, "The STU network").
STU_SETTINGS = {
    "defaults": {},
    "d_model=16 (the classifiers' default)": {"d_model": 16},
    "lr=3e-2": {"lr": 3e-2},
}


def stu_network_over_seeds(seeds=STU_SEEDS, **params):
    """Test relative MSE and fit seconds of ``STURegressor(return_sequences=True, **params)``
    on the paper's system (A = 0.9999 diag(+-1)), system, inputs and weights seeded by each
    seed; ``STU_N_TRAIN`` training and ``STU_N_TEST`` test sequences of ``N_TIMESTEPS``."""
    out = []
    for seed in seeds:
        data = make_stu_system(STU_N_TRAIN + STU_N_TEST, N_TIMESTEPS, random_state=seed)
        X, y = data.X[:STU_N_TRAIN], data.y_clean[:STU_N_TRAIN]
        model = STURegressor(return_sequences=True, device="cpu", random_state=seed, **params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        seconds = time.perf_counter() - start
        error = relative_mse(data.y_clean[STU_N_TRAIN:], model.predict(data.X[STU_N_TRAIN:]))
        out.append((seed, error, seconds, model.n_epochs_))
        print("STU seed", seed, params, out[-1], flush=True)
    return out


#: Stored rows of the seed study (a row costs 5 fits of minutes each): label -> params,
#: per-seed ``[seed, error, seconds, epochs]`` (seconds ``None`` where only the median was
#: kept), median fit seconds, and the commit, date and load average of the run.
STU_RESULTS = Path(__file__).resolve().parent / "results" / "sysid_stu_seeds.json"


def load_stu_results():
    """The stored rows of the seed study (empty without the file)."""
    return json.loads(STU_RESULTS.read_text()) if STU_RESULTS.exists() else {}


def store_stu_row(label, params, runs, load_start, commit):
    """Add or replace one setting's row in :data:`STU_RESULTS`."""
    stored = load_stu_results()
    stored[label] = {
        "params": params,
        "runs": [[int(s), float(e), float(t), int(n)] for s, e, t, n in runs],
        "median_seconds": float(np.median([t for _, _, t, _ in runs])),
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": f"{load_start:.1f} - {os.getloadavg()[0]:.1f}",
    }
    STU_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    STU_RESULTS.write_text(json.dumps(stored, indent=1) + "\n")


def stu_seeds_report(settings):
    """Markdown: per setting, the error per seed, its median and spread, fit time, and
    where the row was measured (``settings``: label -> stored row)."""
    rows = []
    for label, row in settings.items():
        runs = row["runs"]
        errors = np.array([error for _, error, _, _ in runs])
        rows.append(
            [
                label,
                ", ".join(f"{e:.2g}" for e in errors),
                f"{np.median(errors):.2g}",
                f"{errors.min():.2g} - {errors.max():.2g}",
                f"{np.sum(errors <= STU_TARGET)} of {len(errors)}",
                f"{row['median_seconds']:.0f}",
                str(runs[0][3]),
                f"`{row['commit']}`, {row['date']}, load {row['load']}",
            ]
        )
    return "\n".join(
        [
            "`STURegressor(return_sequences=True)` on the STU paper's system "
            f"(`make_stu_system` defaults: A = 0.9999 diag(±1), T = {N_TIMESTEPS}), "
            f"{STU_N_TRAIN} training and {STU_N_TEST} test sequences (the setting of the "
            "slow test `test_defaults_fit_the_stu_papers_system`); seed s draws the system, the "
            "inputs and the network's weights (`random_state=s`); error = test relative MSE "
            f"against the noise-free outputs. Issue 23's target: at most {STU_TARGET:g} over "
            "5 seeds with the defaults. One thread. Each row is stored in "
            "`benchmarks/results/sysid_stu_seeds.json` and rerun only on request "
            "(`--rerun`); fit times are comparable only within a row (the load average "
            "of its run is given).",
            "",
            markdown_table(
                [
                    "setting",
                    f"test rel. MSE, seeds {', '.join(str(s) for s in STU_SEEDS)}",
                    "median",
                    "range",
                    f"<= {STU_TARGET:g}",
                    "median fit [s]",
                    "epochs (seed 0)",
                    "measured at",
                ],
                rows,
            ),
        ]
    )


# ---------------------------------------------------------------------- 1. headline
def headline(n_filters):
    X, y, X_test, y_test = system(symmetric=False)
    cold, _ = best_time(lambda: closed_form(n_filters).fit(X, y), setup=eigenpairs.cache_clear)
    warm, model = best_time(lambda: closed_form(n_filters).fit(X, y))
    return {
        "error": relative_mse(y_test, model.predict(X_test)),
        "cold": cold,
        "warm": warm,
        "alpha": model.alpha_,
    }


# ---------------------------------------------------------------------- 2. error vs K
def error_vs_filters():
    errors = {}
    for symmetric in (True, False):
        X, y, X_test, y_test = system(symmetric)
        errors[symmetric] = [
            relative_mse(y_test, closed_form(k).fit(X, y).predict(X_test)) for k in FILTER_COUNTS
        ]
    return errors


def plot_error_vs_filters(errors):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    labels = {True: "symmetric A (eigenvalues in [-0.9999, 0.9999])", False: "A = 0.9999 diag(±1)"}
    for symmetric, values in errors.items():
        ax.semilogy(FILTER_COUNTS, values, "o-", label=labels[symmetric])
    ax.set(xlabel="number of filters K", ylabel="test relative MSE")
    ax.set_title("Closed-form STU: error vs filters (T = 1024)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMAGES / "sysid_error_vs_filters.png", dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------- 3. baselines
def arx_design(U, Y, order):
    """Rows ``[u_t, u_{t-1..t-order}]`` and ``[y_{t-1..t-order}]`` (time-major inputs)."""
    inputs = np.concatenate([U, autoregressive_features(U, order)], axis=2)
    return inputs, autoregressive_features(Y, order)


def fit_arx(U, Y, order):
    """Least-squares ARX weights ``(input_coef, ar_coef)`` (each ``(d_out, ...)``)."""
    inputs, past_outputs = arx_design(U, Y, order)
    design = np.concatenate([inputs, past_outputs], axis=2)
    design = design.reshape(-1, design.shape[2])
    theta, *_ = np.linalg.lstsq(design, Y.reshape(-1, Y.shape[2]), rcond=None)
    n_input = inputs.shape[2]
    return theta[:n_input].T, theta[n_input:].T


def simulate_arx(coefs, U, order):
    """Free-run simulation: past *predicted* outputs are fed back (no measured y)."""
    input_coef, ar_coef = coefs
    inputs, _ = arx_design(U, np.zeros((*U.shape[:2], ar_coef.shape[0])), order)
    with np.errstate(over="ignore", invalid="ignore"):
        return feed_back_outputs(inputs @ input_coef.T, ar_coef, order)


def arx(U, Y, U_test):
    """ARX with the order that simulates best on the last two training sequences."""
    fit_part, check_part = slice(0, N_TRAIN - 2), slice(N_TRAIN - 2, N_TRAIN)

    def validation_error(order):
        coefs = fit_arx(U[fit_part], Y[fit_part], order)
        error = relative_mse(Y[check_part], simulate_arx(coefs, U[check_part], order))
        return error if np.isfinite(error) else np.inf

    order = min(ARX_ORDERS, key=validation_error)
    return simulate_arx(fit_arx(U, Y, order), U_test, order), f"order {order}"


def n4sid(X, y, X_test):
    """N4SID on the concatenated training sequences; state order = the true order."""
    try:
        import pandas as pd
        from nfoursid.nfoursid import NFourSID
    except ImportError:
        return None, "skipped: `pip install nfoursid` (benchmark-only dependency)"
    U, Y = to_time_major(X).reshape(-1, X.shape[1]), to_time_major(y).reshape(-1, y.shape[1])
    u_names = [f"u{i}" for i in range(U.shape[1])]
    y_names = [f"y{i}" for i in range(Y.shape[1])]
    frame = pd.DataFrame(np.hstack([U, Y]), columns=u_names + y_names)
    model = NFourSID(frame, output_columns=y_names, input_columns=u_names,
                     num_block_rows=N4SID_BLOCK_ROWS)  # fmt: skip
    model.subspace_identification()
    ss, _ = model.system_identification(rank=N4SID_ORDER)
    prediction = simulate_linear_system(ss.a, ss.b, ss.c, ss.d, X_test)
    return prediction, f"order {N4SID_ORDER}, {N4SID_BLOCK_ROWS} block rows"


def deep_stu(X, y, X_test, n_filters):
    model = STURegressor(n_filters, return_sequences=True, device="cpu", random_state=SEED)
    model.fit(X, y)
    return model.predict(X_test), f"defaults ({model.n_epochs_} epochs)"


def adam_on_features(X, y, X_test, y_test, n_filters):
    """Train the closed-form model's exact linear map by full-batch Adam (float64).

    Same design matrix (``stu_features``), standardized columns and centred targets, as
    the ridge fit. Returns the learning curve ``[(step, train seconds, test error)]``;
    evaluation time is excluded, feature construction too (it favours Adam).
    """
    filters = stu_filters(N_TIMESTEPS, n_filters)
    F = stu_features(to_time_major(X), filters)
    F_test = stu_features(to_time_major(X_test), filters)
    F, F_test = F.reshape(-1, F.shape[2]), F_test.reshape(-1, F.shape[2])
    Y = to_time_major(y).reshape(-1, y.shape[1])
    mean, scale = F.mean(axis=0), F.std(axis=0)
    design = torch.from_numpy((F - mean) / scale)
    design_test = torch.from_numpy((F_test - mean) / scale)
    target_mean = Y.mean(axis=0)
    target = torch.from_numpy(Y - target_mean)
    y_test_tm = to_time_major(y_test).reshape(-1, y.shape[1])

    torch.manual_seed(SEED)
    weights = torch.zeros(F.shape[1], Y.shape[1], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([weights], lr=ADAM_LR)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, ADAM_STEPS)
    checkpoints = set(np.unique(np.geomspace(1, ADAM_STEPS, 40).astype(int)))
    curve, elapsed = [], 0.0
    for step in range(1, ADAM_STEPS + 1):
        start = time.perf_counter()
        optimizer.zero_grad()
        ((design @ weights - target) ** 2).mean().backward()
        optimizer.step()
        schedule.step()
        elapsed += time.perf_counter() - start
        if step in checkpoints or elapsed > ADAM_SECONDS:
            with torch.no_grad():
                prediction = (design_test @ weights).numpy() + target_mean
            curve.append((step, elapsed, relative_mse(y_test_tm, prediction)))
        if elapsed > ADAM_SECONDS:
            break
    return curve


def compare(noise_level, n_filters):
    X, y, X_test, y_test = system(symmetric=True, noise_level=noise_level)
    rows, U, Y, U_test = [], to_time_major(X), to_time_major(y), to_time_major(X_test)

    def record(name, run):
        start = time.perf_counter()
        prediction, note = run()
        seconds = time.perf_counter() - start
        error = relative_mse(y_test, prediction) if prediction is not None else np.nan
        rows.append([name, f"{error:.3g}", f"{seconds:.2f}", note])

    def run_arx():
        prediction, note = arx(U, Y, U_test)
        return prediction.transpose(0, 2, 1), note

    record("ARX least squares (free run)", run_arx)
    record("N4SID (nfoursid)", lambda: n4sid(X, y, X_test))
    record("STURegressor (STU network, defaults)", lambda: deep_stu(X, y, X_test, n_filters))
    curve = adam_on_features(X, y, X_test, y_test, n_filters)
    best_step, best_seconds, best_error = min(curve, key=lambda point: point[2])
    rows.append([
        "same features, Adam (best point)", f"{best_error:.3g}", f"{best_seconds:.2f}",
        f"step {best_step} of {curve[-1][0]}",
    ])  # fmt: skip
    cf_seconds, model = best_time(lambda: closed_form(n_filters).fit(X, y))
    cf_error = relative_mse(y_test, model.predict(X_test))
    rows.append(["closed-form STU (ridge, GCV)", f"{cf_error:.3g}", f"{cf_seconds:.2f}",
                 "best of 3, warm filters"])  # fmt: skip
    return {
        "rows": rows,
        "curve": curve,
        "closed_form": (cf_seconds, cf_error),
        "adam_best": (best_seconds, best_error),
    }


def plot_learning_curves(results):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(10, 3.8), sharey=True)
    for ax, (title, result) in zip(axes, results.items(), strict=True):
        steps, seconds, errors = np.array(result["curve"]).T
        cf_seconds, cf_error = result["closed_form"]
        ax.loglog(seconds, errors, ".-", label="Adam on the STU features")
        ax.axhline(cf_error, color="C1", ls="--", lw=1, label="closed-form error")
        ax.loglog([cf_seconds], [cf_error], "*", color="C1", ms=14, label="closed-form fit")
        ax.set(xlabel="training wall time [s]", title=title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("test relative MSE")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMAGES / "sysid_learning_curve.png", dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------- report
def speed_up_sentence(result):
    """How much sooner the closed form reaches Adam's best error (if it does)."""
    adam_seconds, adam_error = result["adam_best"]
    cf_seconds, cf_error = result["closed_form"]
    if cf_error > adam_error:
        return (
            f"Adam on the same features reached {adam_error:.3g}, below the closed form's "
            f"{cf_error:.3g}: no speed-up to report."
        )
    return (
        f"The closed-form fit reaches Adam's best error ({adam_error:.3g}; its own is "
        f"{cf_error:.3g}) in {cf_seconds:.2f} s against Adam's {adam_seconds:.2f} s of "
        f"training: **{adam_seconds / cf_seconds:.0f}x faster**."
    )


def report(n_filters, head, errors, results, total_seconds):
    lines = [
        "The STU paper's system (`make_stu_system`: d_in=3, d_h=4, d_out=3, T=1024), "
        f"{N_TRAIN} training and {N_TEST} held-out test sequences; error = test relative "
        f"MSE against the noise-free outputs. K = {n_filters} filters (all that are usable "
        f"at T = {N_TIMESTEPS}). Short timings are best of 3.",
        "",
        "**Closed-form fit on the paper's system** (A = 0.9999 diag(±1)):",
        "",
        markdown_table(
            ["test rel. MSE", "fit, cold filter cache [s]", "fit, warm cache [s]", "GCV alpha"],
            [
                [
                    f"{head['error']:.3g}",
                    f"{head['cold']:.2f}",
                    f"{head['warm']:.2f}",
                    f"{head['alpha']:.2g}",
                ]
            ],
        ),  # fmt: skip
        "",
        "**Error vs number of filters** (the paper's Figure 4; the symmetric system has A "
        "symmetric with eigenvalues uniform in [-0.9999, 0.9999]):",
        "",
        markdown_table(
            ["K", "symmetric A", "A = 0.9999 diag(±1)"],
            [
                [k, f"{a:.2e}", f"{b:.2e}"]
                for k, a, b in zip(FILTER_COUNTS, *errors.values(), strict=True)
            ],
        ),
        "",
        "![error vs filters](images/sysid_error_vs_filters.png)",
        "",
    ]
    for title, result in results.items():
        lines += [
            f"**Methods on the symmetric system, {title}** (time = fit wall time; Adam: "
            "training time to its best test error, excluding feature construction):",
            "",
            markdown_table(["method", "test rel. MSE", "time [s]", "notes"], result["rows"]),
            "",
            speed_up_sentence(result),
            "",
        ]
    lines += [
        "![learning curves](images/sysid_learning_curve.png)",
        "",
        f"Whole script: {total_seconds:.0f} s.",
    ]
    return "\n".join(lines)


def stu_seeds_main():
    """The STU network over seeds: runs the settings of :data:`STU_SETTINGS` not stored
    yet (all of them with ``--rerun``), then writes the section ``sysid_stu_seeds``."""
    # One thread throughout, the section's stamp included (it reports the settings).
    with protocol.one_thread():
        stored, commit = load_stu_results(), git_revision()
        for label, params in STU_SETTINGS.items():
            if "--rerun" in sys.argv[1:] or stored.get(label, {}).get("params") != params:
                load_start = os.getloadavg()[0]
                runs = stu_network_over_seeds(**params)
                store_stu_row(label, params, runs, load_start, commit)
        stored = load_stu_results()
        body = stu_seeds_report({label: stored[label] for label in STU_SETTINGS})
        write_section(
            "sysid_stu_seeds",
            body,
            command="python -m benchmarks.sysid --stu-seeds",
            title="System identification: the STU network over seeds",
        )
    print(body)


def main():
    if "--stu-seeds" in sys.argv[1:]:
        stu_seeds_main()
        return
    os.environ.pop("SKSSSM_CACHE_DIR", None)  # "cold" must mean: no cache on disk either
    warnings.simplefilter("ignore", SpectralFilterWarning)
    start = time.perf_counter()
    n_filters = max_usable_filters(N_TIMESTEPS)
    head = headline(n_filters)
    print("headline", head, flush=True)
    errors = error_vs_filters()
    print("error vs K", errors, flush=True)
    results = {}
    for title, noise_level in (
        ("clean", 0.0),
        (f"noisy (noise {NOISE_LEVEL} x rms)", NOISE_LEVEL),
    ):
        results[title] = compare(noise_level, n_filters)
        print(title, results[title]["rows"], flush=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    plot_error_vs_filters(errors)
    plot_learning_curves(results)
    body = report(n_filters, head, errors, results, time.perf_counter() - start)
    path = write_section("sysid", body, command="python -m benchmarks.sysid")
    print(body, f"\nwrote {path}", sep="\n")
    stu_seeds_main()


if __name__ == "__main__":
    main()
