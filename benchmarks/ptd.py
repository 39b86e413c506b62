"""Robustness of S4-PTD vs S4D-LegS to a Fourier-mode perturbation (Yu et al., ICLR 2024).

A small-scale version of the paper's experiment. Two ``PTDSSMClassifier`` models that
differ only in ``init`` ("s4d-legs" vs "ptd") are trained on the same clean data, then
evaluated on the clean test set and with a cosine added to the input of every SSM layer
(forward pre-hooks on ``net_.module_.blocks[i].layer``). The frequency of the cosine fed
to layer ``i`` is the spike of the *trained S4D-LegS* layer ``i``: the peak of the
channel-averaged FFT magnitude of its convolution kernel ``layer.kernel(L)``, searched
either just above the signal band or in the high band (``theta > pi/4``). Both models
get exactly the same perturbations. Three training seeds.

Task (synthetic, so that both models learn it quickly and the signal band is known):
4 classes, a sinusoid with 1, 2, 3 or 4 cycles per sequence of length 200, random phase
and amplitude in [0.5, 1.5], plus white noise of standard deviation 0.5.

Run: ``python -m benchmarks.ptd`` (writes the section "ptd_robustness" of
``docs/benchmarks.md`` and ``docs/images/ptd_robustness.png``; about 2-3 minutes on 2
shared CPU cores). ``--quick``: one seed, 3 epochs, writes nothing.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks._report import markdown_table, write_section
from sksssm import PTDSSMClassifier

SEED = 0
N_TIMESTEPS = 200
CYCLES = (1, 2, 3, 4)
#: Where the S4D-LegS spike is searched (lower bound, cycles per sequence): just above the
#: signal band (twice the highest class frequency), or in the high band theta > pi/4.
BANDS = {"above signal": 2 * max(CYCLES), "high": N_TIMESTEPS // 8}
SEEDS = (0, 1, 2)
#: Amplitudes of the cosine, relative to the (layer-normalised, unit-scale) layer input.
AMPLITUDES = (0.1, 0.3, 1.0)
#: Pinned settings shared by both models (state_dim=32: S4-PTD at 64 had NaN float32
#: gradients when this benchmark was designed, since fixed). Everything else, including
#: ``ptd_max_norm`` and ``ptd_method``, is the estimator default; the report reads the
#: values actually used from ``get_params()``.
MODEL = dict(
    lr=3e-3,
    pooling="mean",
    state_dim=32,
    mode="s4",
    # The experiment reads one causal kernel per layer and trains both models on the same
    # fixed budget: no backward-in-time twin layer, no early stopping.
    bidirectional=False,
    early_stopping=False,
    d_model=32,
    n_layers=2,
    max_epochs=20,
    batch_size=16,
    device="cpu",
    random_state=SEED,
)
INITS = {"S4D-LegS": "s4d-legs", "S4-PTD": "ptd"}
IMAGE = Path(__file__).resolve().parents[1] / "docs" / "images" / "ptd_robustness.png"


def make_task(n_samples, rng):
    """Noisy sinusoids; the label is the number of cycles (index into ``CYCLES``)."""
    labels = rng.integers(len(CYCLES), size=n_samples)
    t = np.arange(N_TIMESTEPS) / N_TIMESTEPS
    phase = rng.uniform(0, 2 * np.pi, size=(n_samples, 1))
    amplitude = rng.uniform(0.5, 1.5, size=(n_samples, 1))
    cycles = np.asarray(CYCLES)[labels][:, None]
    X = amplitude * np.sin(2 * np.pi * cycles * t + phase)
    return X + 0.5 * rng.standard_normal(X.shape), labels


def kernel_gain(layer, n_fft):
    """Channel-averaged ``|FFT|`` of the layer's length-``N_TIMESTEPS`` kernel, ``(n_fft//2+1,)``.

    The layer convolves its input with this kernel, so the magnitude at angular frequency
    ``theta`` is the gain it applies to ``cos(theta t)`` (up to edge effects).
    """
    with torch.no_grad():
        kernel = layer.kernel(N_TIMESTEPS).double()
    return torch.fft.rfft(kernel, n=n_fft).abs().mean(0).numpy()


def spike_frequencies(model, min_cycles, n_fft=4 * N_TIMESTEPS):
    """Per layer: angular frequency (rad/sample) of the kernel-gain peak above ``min_cycles``."""
    thetas = 2 * np.pi * np.arange(n_fft // 2 + 1) / n_fft
    allowed = thetas > 2 * np.pi * min_cycles / N_TIMESTEPS
    frequencies = []
    for block in model.net_.module_.blocks:
        gain = kernel_gain(block.layer, n_fft)
        frequencies.append(thetas[allowed][np.argmax(gain[allowed])])
    return frequencies


def gains_at(model, frequencies, n_fft=4 * N_TIMESTEPS):
    """Per layer: kernel gain at the given frequency (nearest FFT bin)."""
    gains = []
    for block, theta in zip(model.net_.module_.blocks, frequencies, strict=True):
        gain = kernel_gain(block.layer, n_fft)
        gains.append(float(gain[int(round(theta * n_fft / (2 * np.pi)))]))
    return gains


def perturbed_accuracy(model, X, y, frequencies, amplitude):
    """Test accuracy with ``amplitude * cos(theta_i t)`` added to the input of layer ``i``."""
    t = torch.arange(N_TIMESTEPS, dtype=torch.float32)
    handles = []
    for block, theta in zip(model.net_.module_.blocks, frequencies, strict=True):
        wave = (amplitude * torch.cos(theta * t))[None, :, None]

        def add_wave(module, inputs, wave=wave):
            return (inputs[0] + wave.to(inputs[0].dtype),)

        handles.append(block.layer.register_forward_pre_hook(add_wave))
    try:
        return float(np.mean(model.predict(X) == y))
    finally:
        for handle in handles:
            handle.remove()


def plot(models, out):
    """Accuracy vs amplitude per band, and the trained layer-1 kernel gains (first seed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_acc, ax_gain) = plt.subplots(1, 2, figsize=(10, 3.8))
    n_fft = 4 * N_TIMESTEPS
    cycles = np.arange(n_fft // 2 + 1) * N_TIMESTEPS / n_fft
    for (name, model), color in zip(models.items(), ("C0", "C1"), strict=True):
        for band, style in zip(BANDS, ("o--", "s-"), strict=True):
            accuracies = [out[name]["clean"], *out[name][band]["perturbed"]]
            ax_acc.plot([0, *AMPLITUDES], accuracies, style, color=color, label=f"{name}, {band}")
        gain = kernel_gain(model.net_.module_.blocks[0].layer, n_fft)
        ax_gain.semilogy(cycles, gain, color=color, label=name)
    ax_acc.set_xlabel("perturbation amplitude")
    ax_acc.set_ylabel("test accuracy")
    ax_acc.set_title("Cosine at the S4D-LegS spike, every layer (seed 0)")
    ax_acc.legend(fontsize=8)
    for band, style in zip(BANDS, ("--", "-"), strict=True):
        spike = out["S4D-LegS"][band]["frequencies"][0] * N_TIMESTEPS / (2 * np.pi)
        ax_gain.axvline(spike, color="grey", ls=style, lw=1, label=f"perturbation, {band}")
    ax_gain.set_xlabel(f"frequency [cycles per {N_TIMESTEPS} steps]")
    ax_gain.set_ylabel("mean |FFT(kernel)| over channels")
    ax_gain.set_title("Trained layer-1 kernels (seed 0)")
    ax_gain.legend(fontsize=8)
    fig.tight_layout()
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(IMAGE, dpi=110)


def run_seed(seed, X_train, y_train, X_test, y_test, model_settings=MODEL):
    """Fit both models with ``seed``; accuracies per band and amplitude, gains, frequencies."""
    models, out = {}, {}
    for name, init in INITS.items():
        start = time.perf_counter()
        models[name] = PTDSSMClassifier(init=init, **{**model_settings, "random_state": seed})
        models[name].fit(X_train, y_train)
        out[name] = {"fit_time": time.perf_counter() - start,
                     "clean": float(np.mean(models[name].predict(X_test) == y_test))}  # fmt: skip
    for band, min_cycles in BANDS.items():
        frequencies = spike_frequencies(models["S4D-LegS"], min_cycles)
        for name, model in models.items():
            out[name][band] = {
                "frequencies": frequencies,
                "gains": gains_at(model, frequencies),
                "perturbed": [
                    perturbed_accuracy(model, X_test, y_test, frequencies, a) for a in AMPLITUDES
                ],
            }
    return models, out


def _spike_cycles(runs, band):
    """``"l1/l2, l1/l2, ..."``: per seed, the spike frequencies in cycles per sequence."""
    per_seed = [run["S4D-LegS"][band]["frequencies"] for run in runs]
    to_cycles = N_TIMESTEPS / (2 * math.pi)
    return ", ".join("/".join(f"{f * to_cycles:.0f}" for f in fs) for fs in per_seed)


def _mean_std(values):
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def table_rows(runs):
    rows = []
    for band in BANDS:
        for name in INITS:
            per_seed = [run[name] for run in runs]
            accuracies = np.array([r[band]["perturbed"] for r in per_seed])
            gains = np.array([r[band]["gains"] for r in per_seed]).mean(0)
            rows.append(
                [band, name, _mean_std([r["clean"] for r in per_seed]),
                 *[_mean_std(a) for a in accuracies.T], ", ".join(f"{g:.2f}" for g in gains),
                 f"{np.mean([r['fit_time'] for r in per_seed]):.1f}"]
            )  # fmt: skip
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 3 epochs, writes nothing")
    quick = parser.parse_args(argv).quick
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    X_train, y_train = make_task(256, rng)
    X_test, y_test = make_task(512, rng)
    seeds = SEEDS[:1] if quick else SEEDS
    model_settings = {**MODEL, "max_epochs": 3} if quick else MODEL
    runs = []
    for seed in seeds:
        models, out = run_seed(seed, X_train, y_train, X_test, y_test, model_settings)
        runs.append(out)
        print(seed, out, flush=True)
        if seed == seeds[0]:
            first_models, first_out = models, out
    ptd_params = first_models["S4-PTD"].get_params()
    ptd_settings = ", ".join(f"{k}={ptd_params[k]!r}" for k in ("ptd_method", "ptd_max_norm"))
    pinned = ", ".join(f"{k}={v!r}" for k, v in model_settings.items() if k != "random_state")
    spikes = "; ".join(f"{band}: {_spike_cycles(runs, band)}" for band in BANDS)
    body = "\n\n".join(
        [
            "Fourier-mode robustness (Yu et al., 2024), small scale. Synthetic task: 4 "
            f"classes (a sinusoid of {CYCLES} cycles per sequence, random phase and "
            f"amplitude, noise std 0.5), L = {N_TIMESTEPS}, 256 train / 512 test sequences "
            f"(a task with a known signal band, meant to be learned within "
            f"{model_settings['max_epochs']} epochs: see the clean accuracies). "
            "Two `PTDSSMClassifier`s identical except `init` "
            f"(pinned: {pinned}; "
            f"all else the estimator defaults, for S4-PTD {ptd_settings}), "
            f"trained on clean data with seeds {seeds}. At test time `a cos(theta_i t)` is "
            "added to the input of SSM layer `i` (forward pre-hook on "
            "`net_.module_.blocks[i].layer`; inputs there are layer-normalised, unit scale). "
            "`theta_i` is the peak of the channel-averaged FFT magnitude of the trained "
            "S4D-LegS layer-`i` kernel `layer.kernel(L)` (zero-padded to 4L), searched in "
            "one of two bands: above the signal band (> 8 cycles per sequence), or in the "
            "high band (> 25 cycles per sequence, theta > pi/4, where S4D-LegS shows "
            "isolated spikes, see the plot). The same perturbation is applied to both "
            f"models. Spike frequencies (cycles per sequence, layer 1/layer 2, per seed): "
            f'{spikes}. Accuracies are mean ± std over the seeds; "gain" is the mean kernel '
            "gain at `theta_i` per layer.",
            markdown_table(
                [
                    "band",
                    "model",
                    "clean acc.",
                    *[f"acc. a={a}" for a in AMPLITUDES],
                    "gain at theta_i (layers)",
                    "fit time [s]",
                ],
                table_rows(runs),
            ),  # fmt: skip
            "![PTD robustness](images/ptd_robustness.png)",
        ]
    )
    print(body)
    if quick:
        return
    plot(first_models, first_out)
    write_section("ptd_robustness", body, command="python -m benchmarks.ptd")


if __name__ == "__main__":
    main()
