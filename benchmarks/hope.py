"""HOPE versus an S4D-style diagonal SSM: long memory, parameter counts, throughput.

Side by side in one run, with the same state size (``state_dim``), width, depth, epochs
and learning rates:

- **delay**: sequence-to-sequence regression ``y_t = u_{t - tau}`` on white noise
  (``HOPERegressor`` vs ``PTDSSMRegressor(init="s4d-lin")``, ``return_sequences=True``);
  test MSE and R^2 on the delayed part ``t >= tau``.
- **noise-padded classification**: the class is the sign of the sum of the first
  ``n_informative`` inputs, followed by a long stretch of pure noise; ``pooling="last"``,
  so the prediction is read after the noise and the models must carry the information
  across it. A HOPE with ``dt = 1`` (memory exactly ``state_dim`` steps) is the
  bounded-memory control.
- learned impulse responses of the first layer (``docs/images/hope_impulse_responses.png``);
- parameter counts of the layers and of the whole networks;
- throughput (forward + backward tokens/s) of ``HOPELayer``, ``STULayer`` and
  ``DiagonalSSMConv`` at ``d_model=64``, batch 8;
- the kernel's accuracy against an exact state-space simulation, sampling on the unit
  circle (the reference implementation, aliased) versus ``hope_kernel`` (radius ``R``);
- the user guide's example fit (``docs/user_guide/hope.md``), timed and scored.

Run: ``python -m benchmarks.hope`` (writes section ``hope`` of docs/benchmarks.md; about
6-8 minutes on 2 shared cores); ``--quick`` shrinks everything for a smoke test and writes
nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.signal
import torch

from benchmarks._report import markdown_table, write_section
from sksssm import HOPEClassifier, HOPERegressor, PTDSSMClassifier, PTDSSMRegressor
from sksssm.nn import DiagonalSSMConv, STULayer
from sksssm.nn.hope import HOPELayer
from sksssm.ssm import hope_kernel

IMAGE = Path(__file__).resolve().parents[1] / "docs" / "images" / "hope_impulse_responses.png"


def delay_task(rng, n_samples, n_timesteps, delay):
    """White-noise inputs ``(n, L)`` and targets ``y_t = u_{t - delay}`` (zero before)."""
    X = rng.standard_normal((n_samples, n_timesteps))
    y = np.zeros_like(X)
    y[:, delay:] = X[:, :-delay]
    return X, y


def noise_padded_task(rng, n_samples, n_timesteps, n_informative):
    """A pulse of height +-1 (the class) under unit noise for ``n_informative`` steps,
    then unit white noise only."""
    y = rng.integers(0, 2, n_samples)
    X = rng.standard_normal((n_samples, n_timesteps))
    X[:, :n_informative] += (2 * y - 1)[:, None]
    return X, y


def model_pairs(kind, common, state_dim):
    """HOPE and S4D-lin estimators (and the HOPE dt = 1 control for classification)."""
    if kind == "regression":
        hope, s4d = HOPERegressor, PTDSSMRegressor
        common = {**common, "return_sequences": True}
    else:
        hope, s4d = HOPEClassifier, PTDSSMClassifier
        common = {**common, "pooling": "last"}
    models = {
        "HOPE": hope(state_dim, ssm_lr=1e-3, **common),
        "S4D-lin": s4d(state_dim, init="s4d-lin", ssm_lr=1e-3, **common),
    }
    if kind == "classification":
        models["HOPE, dt = 1"] = hope(state_dim, dt_min=1.0, dt_max=1.0, **common)
    return models


def delay_scores(model, X, y, delay):
    """MSE and R^2 of the predictions on the delayed part ``t >= delay``."""
    residual = (model.predict(X) - y)[:, delay:]
    mse = float(np.mean(residual**2))
    return mse, 1.0 - mse / float(np.var(y[:, delay:]))


def fitted(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def first_layer_responses(model, n_lags):
    """Impulse responses ``(d_model, n_lags)`` of the first sequence layer (with ``D``)."""
    if hasattr(model, "impulse_responses"):
        return model.impulse_responses(n_lags)[0]
    layer = model.net_.module_.blocks[0].layer
    with torch.no_grad():
        response = layer.kernel(n_lags).clone()
        response[:, 0] += layer.D
    return response.cpu().numpy()


def plot_impulse_responses(responses, n_lags, markers, path):
    """Channel-median envelope ``|k_l|`` per model, log-log (a few channels faint)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(responses), figsize=(5 * len(responses), 3.6), sharey=True)
    lags = np.arange(1, n_lags)
    for ax, (name, response) in zip(axes, responses.items(), strict=True):
        magnitude = np.abs(response[:, 1:]) + 1e-12
        for channel in magnitude[:6]:
            ax.loglog(lags, channel, lw=0.6, alpha=0.4)
        ax.loglog(lags, np.median(magnitude, axis=0), "k", lw=1.5, label="median over channels")
        for label, lag in markers.items():
            ax.axvline(lag, ls="--", color="gray", lw=0.8)
            ax.text(lag, ax.get_ylim()[1], f" {label}", va="top", fontsize=8, color="gray")
        ax.set(title=f"{name}: learned layer-1 kernels", xlabel="lag l", ylabel="|k_l|")
        ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def n_parameters(module):
    return sum(p.numel() for p in module.parameters())


def parameter_rows(models):
    rows = []
    for name, model in models.items():
        layer = model.net_.module_.blocks[0].layer
        ssm = sum(p.numel() for n, p in layer.named_parameters() if n.startswith("ssm_"))
        rows.append([name, n_parameters(layer), ssm, n_parameters(model.net_.module_)])
    return rows


def time_call(step, min_total=1.0, max_repeats=5):
    """Fastest of up to ``max_repeats`` calls after a warm-up (least disturbed by load)."""
    step()
    times = []
    while not times or (len(times) < max_repeats and sum(times) < min_total):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def throughput_rows(lengths, d_model, batch, state_dim):
    """Forward + backward tokens/s of the three layers, interleaved per length."""
    rows = []
    for length in lengths:
        layers = {
            f"HOPELayer (n={state_dim})": HOPELayer(d_model, state_dim, random_state=0),
            f"DiagonalSSMConv (s4d-lin, N={state_dim})": DiagonalSSMConv(
                d_model, state_dim, init="s4d-lin", random_state=0
            ),
            "STULayer (K=24, full)": STULayer(d_model, length, init="normal"),
            "STULayer (K=24, tensordot)": STULayer(
                d_model, length, use_tensordot=True, init="normal"
            ),
        }
        x = torch.randn(batch, length, d_model, requires_grad=True)

        def step(layer, x=x):
            layer.zero_grad(set_to_none=True)
            layer(x).square().mean().backward()

        for name, layer in layers.items():
            seconds = time_call(lambda layer=layer: step(layer))
            rows.append([length, name, f"{1e3 * seconds:.1f}", f"{batch * length / seconds:,.0f}"])
    return rows


def _simulated_impulse_response(h, dt, n_timesteps):
    """Exact kernel of ``(h, dt)`` by simulating a state-space realization (no FFT).

    ``G(z) = sum_j h_j z^{-j}`` is realized by a shift register, mapped to continuous time
    by the inverse bilinear transform, rescaled by ``dt`` and mapped back with scipy's
    bilinear discretization; the impulse response is then simulated step by step.
    """
    n = len(h)
    A, B = np.eye(n, k=-1), np.eye(n, 1)
    C, D = np.asarray(h)[None, :], np.zeros((1, 1))
    inv = np.linalg.inv(A + np.eye(n))  # H(s) = G((1 + s) / (1 - s))
    A_c, B_c = inv @ (A - np.eye(n)), np.sqrt(2) * inv @ B
    C_c, D_c = np.sqrt(2) * C @ inv, D - C @ inv @ B
    discrete = scipy.signal.cont2discrete((dt * A_c, dt * B_c, C_c, D_c), 2.0, "bilinear")
    A_d, B_d, C_d, D_d = (np.asarray(m) for m in discrete[:4])
    x, response = np.zeros(n, dtype=complex), np.empty(n_timesteps)
    for k in range(n_timesteps):
        u = 1.0 if k == 0 else 0.0
        response[k] = (C_d[0] @ x + D_d[0, 0] * u).real
        x = A_d @ x + B_d[:, 0] * u
    return response


def _unit_circle_kernel(h, dt, n_timesteps):
    """The reference implementation's kernel: ``G_dt`` sampled at ``M = 2L`` points of the
    unit circle, inverse FFT (aliased at ``M`` steps)."""
    z = np.exp(2j * np.pi * np.arange(2 * n_timesteps) / (2 * n_timesteps))
    factor = (dt * (z + 1) - (z - 1)) / (dt * (z + 1) + (z - 1))
    samples = sum(h_j * factor ** (j + 1) for j, h_j in enumerate(h))
    return np.fft.ifft(samples).real[:n_timesteps]


def aliasing_rows(lengths, dts=(1e-3, 1e-2, 0.1, 1.0), n_markov=16, seed=5):
    """Max tap error relative to the largest tap, vs the simulation: before / after."""
    rng = np.random.default_rng(seed)
    h = (rng.standard_normal(n_markov) + 1j * rng.standard_normal(n_markov)) / np.sqrt(n_markov)
    h32 = torch.tensor(h, dtype=torch.complex64)
    rows = []
    for dt in dts:
        row = [f"{dt:g}"]
        for length in lengths:
            exact = _simulated_impulse_response(h, dt, length)
            scale = np.abs(exact).max()
            before = np.abs(_unit_circle_kernel(h, dt, length) - exact).max() / scale
            after64 = np.abs(hope_kernel(h, dt, length) - exact).max() / scale
            kernel32 = hope_kernel(h32, torch.tensor(dt, dtype=torch.float32), length)
            after32 = np.abs(kernel32.numpy() - exact).max() / scale
            row += [f"{before:.1e}", f"{after64:.0e} / {after32:.0e}"]
        rows.append(row)
    return rows


def energy_rows(n_markov=64, n_timesteps=1024, dts=(1e-3, 1e-2, 0.1, 1.0), seed=0):
    """Share of the kernel's energy at lag 0, in lags 1..L-1 and beyond L.

    The total is taken over a kernel of 2^17 taps: the response decays like
    ``binom(l, n-1) |a|^l`` with ``a = (1-dt)/(1+dt)``, negligible there for ``dt >= 1e-3``.
    """
    rng = np.random.default_rng(seed)
    h = (rng.standard_normal(n_markov) + 1j * rng.standard_normal(n_markov)) / np.sqrt(n_markov)
    rows = []
    for dt in dts:
        energy = hope_kernel(h, dt, 2**17) ** 2
        total = energy.sum()
        within = energy[1:n_timesteps].sum() / total
        rows.append(
            [f"{dt:g}", f"{energy[0] / total:.1%}", f"{within:.1%}",
             f"{energy[n_timesteps:].sum() / total:.1%}"]
        )  # fmt: skip
    return rows


def user_guide_example(quick):
    """The example of ``docs/user_guide/hope.md``, verbatim; training R^2 on t >= 32."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 256))
    y = np.zeros_like(X)
    y[:, 32:] = X[:, :-32]
    reg = HOPERegressor(
        state_dim=64,
        dt_min=0.05,
        dt_max=0.5,
        return_sequences=True,
        max_epochs=2 if quick else 20,
        random_state=0,
    )
    reg, seconds = fitted(reg, X, y)
    residual = (reg.predict(X) - y)[:, 32:]
    r2 = 1.0 - float(np.mean(residual**2)) / float(np.var(y[:, 32:]))
    return r2, seconds


def run(quick):
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    scale = 8 if quick else 1
    state_dim, d_model = 64, 32
    # Causal layers (the noise-padded task is read at the last step, after the noise; a
    # backward-in-time twin layer would see the informative start directly) and one fixed
    # budget for every model (no early stopping).
    common = dict(
        d_model=d_model,
        n_layers=2,
        lr=3e-3,
        batch_size=16,
        random_state=0,
        warmup_epochs=1,
        bidirectional=False,
        early_stopping=False,
    )
    # --- delay task
    L_delay, delay = 1024 // scale, 256 // scale
    n_train, n_test, epochs = 192 // scale, 64 // scale, 30 // scale
    X_train, y_train = delay_task(rng, n_train, L_delay, delay)
    X_test, y_test = delay_task(rng, n_test, L_delay, delay)
    delay_rows, fitted_regressors = [], {}
    dt_ranges = {(m().dt_min, m().dt_max) for m in (HOPERegressor, PTDSSMRegressor)}
    assert len(dt_ranges) == 1, f"the two estimators' default dt ranges differ: {dt_ranges}"
    (dt_range,) = dt_ranges
    for name, model in model_pairs(
        "regression", {**common, "max_epochs": epochs}, state_dim
    ).items():
        model, seconds = fitted(model, X_train, y_train)
        mse, r2 = delay_scores(model, X_test, y_test, delay)
        delay_rows.append([name, f"{mse:.3f}", f"{r2:.3f}", f"{seconds:.0f}"])
        fitted_regressors[name] = model
        print("delay", name, mse, r2, seconds, flush=True)
    # --- noise-padded classification
    L_class, n_informative = 512 // scale, 16
    n_train_c, n_test_c, epochs_c = 512 // scale, 256 // scale, 20 // scale
    Xc_train, yc_train = noise_padded_task(rng, n_train_c, L_class, n_informative)
    Xc_test, yc_test = noise_padded_task(rng, n_test_c, L_class, n_informative)
    class_rows = []
    models = model_pairs("classification", {**common, "max_epochs": epochs_c}, state_dim)
    for name, model in models.items():
        model, seconds = fitted(model, Xc_train, yc_train)
        accuracy = float(np.mean(model.predict(Xc_test) == yc_test))
        class_rows.append([name, f"{accuracy:.3f}", f"{seconds:.0f}"])
        print("class", name, accuracy, seconds, flush=True)
    # --- impulse responses, parameters, throughput
    responses = {name: first_layer_responses(m, L_delay) for name, m in fitted_regressors.items()}
    param_rows = parameter_rows(fitted_regressors)
    lengths = (256, 512) if quick else (1024, 4096)
    speed_rows = throughput_rows(lengths, 64, 8, state_dim)
    for row in speed_rows:
        print("speed", row, flush=True)
    alias_lengths = (17, 128) if quick else (17, 128, 1024)
    alias_rows = aliasing_rows(alias_lengths)
    for row in alias_rows:
        print("aliasing", row, flush=True)
    kernel_energy = energy_rows()
    for row in kernel_energy:
        print("energy", row, flush=True)
    example_r2, example_seconds = user_guide_example(quick)
    print("user guide example", example_r2, example_seconds, flush=True)
    if quick:
        return
    plot_impulse_responses(
        responses, L_delay, {f"n={state_dim}": state_dim, f"tau={delay}": delay}, IMAGE
    )
    body = report(
        locals(), delay_rows, class_rows, param_rows, speed_rows, state_dim, d_model, epochs
    )
    body += aliasing_report(alias_lengths, alias_rows, kernel_energy, example_r2, example_seconds)
    write_section("hope", body, command="python -m benchmarks.hope")


def aliasing_report(lengths, rows, kernel_energy, example_r2, example_seconds):
    header = ["dt"]
    for length in lengths:
        header += [f"L = {length}, before", f"L = {length}, after (f64 / f32)"]
    return f"""
### Kernel accuracy: unit-circle sampling vs `hope_kernel`

Maximum tap error relative to the largest tap, against an exact state-space simulation
(`n = 16` random complex Markov parameters), before (the reference implementation:
`G_dt` sampled at `M = 2L` points of the unit circle, inverse FFT, aliased at `M` steps)
and after (`hope_kernel`: samples on the circle of radius `R`, in float64 / float32).

{markdown_table(header, rows)}

### Where a kernel's energy lies

One random complex `h` (`n = 64`, seed 0), `L = 1024`: share of `sum_l k_l^2` (over
2^17 taps) at lag 0 (direct feed-through), in lags 1..L-1 (what a length-L sequence
sees) and beyond L.

{markdown_table(["dt", "lag 0", "lags 1..L-1", "lags >= L"], kernel_energy)}

### The user guide's example

`HOPERegressor(state_dim=64, dt_min=0.05, dt_max=0.5, return_sequences=True,
max_epochs=20, random_state=0)` on 128 white-noise sequences of 256 steps with a 32-step
delay (`docs/user_guide/hope.md`, "Example"): training R^2 on `t >= 32` =
{example_r2:.3f}, fit time {example_seconds:.0f} s (1 torch thread).
"""


def report(settings, delay_rows, class_rows, param_rows, speed_rows, state_dim, d_model, epochs):
    s = settings
    return f"""
### HOPE vs S4D-lin: long memory

Both estimators: state size {state_dim} (HOPE: {state_dim} Markov parameters; S4D-lin:
real state dimension {state_dim}, i.e. {state_dim // 2} complex conjugate-pair modes),
`d_model={d_model}`, `n_layers=2`, the same epochs (below), batch 16, `lr=3e-3`, SSM learning rate
1e-3, causal layers (`bidirectional=False`), no early stopping (all pinned), `dt` range
[{s["dt_range"][0]:g}, {s["dt_range"][1]:g}] (the estimators' default; HOPE's step sizes
frozen, as in the paper; S4D's learned), `random_state=0`,
float32 on the CPU, 1 torch thread. The budget is small so the
whole script runs in minutes on a shared 2-core machine: read the numbers as a comparison
under one identical small budget, not as converged results.

**Delay** `y_t = u_(t-{s["delay"]})`, white noise, L = {s["L_delay"]}, {s["n_train"]}
training / {s["n_test"]} test sequences, {epochs} epochs, `return_sequences=True`; scores
on `t >= tau`
(R^2 = 0: predicting zero).

{markdown_table(["model", "test MSE (t >= tau)", "test R^2", "fit time (s)"], delay_rows)}

**Noise-padded classification**: a pulse of height +1 or -1 (the class) for the first
{s["n_informative"]} steps, under unit white noise, then {s["L_class"] - s["n_informative"]}
steps of unit white noise only (L = {s["L_class"]}); `pooling="last"` (read after the
noise), {s["n_train_c"]} training / {s["n_test_c"]} test sequences, {s["epochs_c"]} epochs;
chance is 0.5. "HOPE, dt = 1" fixes every step size to 1:
each layer's memory is then exactly {state_dim} steps, so two layers cannot see the
informative part from the last step.

{markdown_table(["model", "test accuracy", "fit time (s)"], class_rows)}

![learned impulse responses](images/hope_impulse_responses.png)

Learned first-layer kernels of the delay models, `|k_l|` against the lag (faint: 6
channels; black: median over the {d_model} channels).

### Parameter counts at equal state size

`state_dim={state_dim}`, `d_model={d_model}`, `n_layers=2` (the fitted delay regressors).
"SSM" counts the parameters named `ssm_*` (HOPE: the Markov parameters as (real, imag)
pairs; half of them, `Im(h)`, never reach the output. HOPE's frozen step sizes are a buffer).

{markdown_table(["model", "params / layer", "of which SSM", "params / whole net"], param_rows)}

### Throughput

Forward + backward (gradients of the input and all weights) of one layer, `d_model=64`,
batch 8, float32, 1 thread; fastest of up to 5 calls, all layers timed in the same run
(the machine is shared with other jobs, see the load average on the Machine line, so
absolute numbers are noisy; ratios within one length are the meaningful part). STU layers use
`filter_length = L`, 24 filters requested (capped to the usable number for L), both
branches, 3 lags.

{markdown_table(["L", "layer", "ms / step", "tokens / s"], speed_rows)}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run, writes nothing")
    run(parser.parse_args(argv).quick)


if __name__ == "__main__":
    main()
