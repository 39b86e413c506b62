"""Where the fit time of the deep SSM classifiers goes (issue 23), by cProfile.

Each default classifier (``random_state=0``) is fitted under :mod:`cProfile` on three
development sets: DistalPhalanxTW (400 x 80: several batches per epoch, early stopping
on), Coffee (28 x 286: one batch per epoch) and the long CinCECGTorso (40 x 1639). To
keep the run short, the ``max_epochs="auto"`` budget is cut tenfold (token budget and
step bounds divided by ``BUDGET_CUT``); the per-step work and the steps per epoch are the
defaults', so the fractions are the defaults' fractions, up to the fewer epochs. The
table also gives what the full default budget would be (optimizer steps, epochs, FFT
length).

Components (cumulative time of the named functions as a fraction of the fit's time; the
first two include the forward passes of the validation epochs):

- kernel generation: the layers' ``kernel`` methods (PTD, HOPE) or the cached filter
  lookup ``_kernel_and_spectrum`` (STU: its ``kernel @ weights`` mix is in "rest");
- FFT convolution, forward: ``causal_fft_conv`` and ``causal_fft_filter_mix``;
- backward: ``torch.autograd`` backward passes (all layers);
- optimizer steps (the Adam(W) update itself);
- validation epochs (skorch ``validation_step``), early stopping on;
- rest: everything else (norms, projections, pooling, skorch's per-epoch bookkeeping,
  data loading).

A second table gives the cost of one optimizer step when one setting changes (width,
depth, direction, batch size, state size, filters) at two lengths that straddle an FFT
length; a third names the torch operators (forward and backward) with the most CPU time
in a short fit on Coffee.

Usage: ``python -m benchmarks.deep_profile`` (writes the section "deep_profile").
"""

from __future__ import annotations

import cProfile
import math
import pstats
import time
import warnings
from unittest import mock

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import load_ucr

SETS = ("DistalPhalanxTW", "Coffee", "CinCECGTorso")
MODELS = ("PTDSSMClassifier", "HOPEClassifier", "STUClassifier")
BUDGET_CUT = 10
#: Component -> function names (pstats' third key field) whose cumulative time it sums.
COMPONENTS = {
    "kernel generation": ("kernel", "_kernel_and_spectrum"),
    "FFT conv (fwd)": ("causal_fft_conv", "causal_fft_filter_mix"),
    "backward": ("run_backward",),
    # torch's functional Adam(W) update: skorch's ``optimizer.step(closure)`` would also
    # count the closure's forward and backward passes.
    "optimizer step": ("adam",),
    "validation": ("validation_step",),
}


def _component_seconds(stats):
    """Cumulative seconds per component; top-level calls only (no recursion double count)."""
    out = dict.fromkeys(COMPONENTS, 0.0)
    for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():
        for component, names in COMPONENTS.items():
            if not any(name == n or f"'{n}'" in name for n in names):  # builtins: <method 'n' ...>
                continue
            if component == "optimizer step" and not filename.endswith("torch/optim/adam.py"):
                continue
            if component == "kernel generation" and "sksssm" not in filename:
                continue
            out[component] += cumulative
    return out


def default_budget(model, n_train, n_timesteps):
    """``(optimizer steps, epochs)`` of the full default budget, and the FFT length."""
    from sksssm.estimators._deep_training import auto_steps
    from sksssm.nn.fftconv import fft_size

    steps = auto_steps(model.batch_size, n_timesteps)
    batches = math.ceil(n_train / model.batch_size)
    return steps, max(1, math.ceil(steps / batches)), fft_size(n_timesteps, n_timesteps)


def profile_fit(cls, data):
    """Fit under cProfile with the cut budget; component seconds and the fit's seconds."""
    from sksssm.estimators import _deep_training

    X_train, y_train, _, _ = data
    model = cls(random_state=0)
    profiler = cProfile.Profile()
    with (
        mock.patch.object(
            _deep_training, "AUTO_TOKEN_BUDGET", _deep_training.AUTO_TOKEN_BUDGET // BUDGET_CUT
        ),
        mock.patch.object(
            _deep_training, "AUTO_MIN_STEPS", _deep_training.AUTO_MIN_STEPS // BUDGET_CUT
        ),
        mock.patch.object(
            _deep_training, "AUTO_MAX_STEPS", _deep_training.AUTO_MAX_STEPS // BUDGET_CUT
        ),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        profiler.runcall(model.fit, X_train, y_train)
        seconds = time.perf_counter() - start
    return model, _component_seconds(pstats.Stats(profiler)), seconds


#: Per-step cost: one setting changed at a time (class-specific knobs only where they exist).
KNOBS = (
    ("defaults", {}),
    ("d_model=16", {"d_model": 16}),
    ("n_layers=1", {"n_layers": 1}),
    ("bidirectional=False", {"bidirectional": False}),
    ("batch_size=16", {"batch_size": 16}),
)
CLASS_KNOBS = {
    "PTDSSMClassifier": (
        ("state_dim=16", {"state_dim": 16}),
        ("state_dim=256", {"state_dim": 256}),
    ),
    "HOPEClassifier": (("state_dim=16", {"state_dim": 16}), ("state_dim=256", {"state_dim": 256})),
    "STUClassifier": (
        ("n_filters=8", {"n_filters": 8}),
        ("use_negative=False", {"use_negative": False}),
    ),
}
#: Series lengths of the per-step table: 256 and 257 straddle a power of two (the FFT
#: length was the next power of two of 2L - 1 until issue 23: 512 and 1024).
STEP_LENGTHS = (256, 257)


def seconds_per_step(cls, params, n_timesteps, epochs=(2, 10)):
    """Seconds per optimizer step, from two fits of one batch per epoch (32 series).

    A one-step fit first computes what the setting caches (PTD modes, filters); the
    difference of the two timed fits over the difference in steps removes the set-up
    cost (scaling, building the net).
    """
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 1, n_timesteps)), np.arange(32) % 2
    batch_size = params.get("batch_size", 32)
    times = []
    for n_epochs in (1, *epochs):
        model = cls(random_state=0, max_epochs=n_epochs, early_stopping=False, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - start)
    steps_per_epoch = math.ceil(32 / batch_size)
    return (times[2] - times[1]) / ((epochs[1] - epochs[0]) * steps_per_epoch)


def step_cost_rows():
    """ms per step of each classifier per setting at ``STEP_LENGTHS[0]``; the defaults
    also at the other lengths."""
    import sksssm

    rows = []
    for model_name in MODELS:
        cls = getattr(sksssm, model_name)
        for label, params in KNOBS + CLASS_KNOBS[model_name]:
            lengths = STEP_LENGTHS if not params else STEP_LENGTHS[:1]
            cells = [f"{seconds_per_step(cls, params, n) * 1e3:.0f}" for n in lengths]
            rows.append([model_name, label, *cells, *["-"] * (len(STEP_LENGTHS) - len(cells))])
            print(rows[-1], flush=True)
    return rows


#: Set and number of optimizer steps of the operator table (torch.profiler).
OPS_SET, OPS_STEPS, OPS_TOP = "Coffee", 8, 6


def top_operator_rows():
    """The torch operators with the most self CPU time in a short fit of each classifier.

    One fit of ``OPS_STEPS`` steps (one batch per epoch on ``OPS_SET``) under
    :mod:`torch.profiler`, after an unprofiled one-step fit (caches, first calls);
    backward operators are included, so this shows what the backward pass spends on.
    """
    from torch.profiler import ProfilerActivity, profile

    import sksssm

    X_train, y_train, _, _ = load_ucr(OPS_SET)
    rows = []
    for model_name in MODELS:
        cls = getattr(sksssm, model_name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(random_state=0, max_epochs=1).fit(X_train, y_train)
            model = cls(random_state=0, max_epochs=OPS_STEPS)
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                model.fit(X_train, y_train)
        # aten operators only: record_function ranges (the optimizer step, the data
        # loader) would count their Python overhead as an operator
        events = [event for event in prof.key_averages() if event.key.startswith("aten::")]
        total = sum(event.self_cpu_time_total for event in events)
        top = sorted(events, key=lambda event: -event.self_cpu_time_total)[:OPS_TOP]
        rows.append(
            [
                model_name,
                ", ".join(
                    f"`{event.key}` {event.self_cpu_time_total / total:.0%}" for event in top
                ),
            ]
        )
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    # One thread throughout, the section's stamp included (it reports the settings).
    with protocol.one_thread():
        return _profile_and_write()


def _profile_and_write():
    import sksssm
    from sksssm.nn import fft_size

    rows = []
    step_rows = step_cost_rows()  # first: it also warms every class up (first calls)
    operator_rows = top_operator_rows()
    for name in SETS:
        data = load_ucr(name)
        n_train, _, n_timesteps = data[0].shape
        for model_name in MODELS:
            model, parts, seconds = profile_fit(getattr(sksssm, model_name), data)
            steps, epochs, n_fft = default_budget(model, n_train, n_timesteps)
            early = "on" if model.net_.train_split is not None else "off"
            cut_steps = dict(model.net_.callbacks_)["lr_schedule"].step_
            shares = [parts[c] / seconds for c in COMPONENTS]
            rows.append(
                [
                    name,
                    f"{n_train} x {n_timesteps}",
                    model_name,
                    f"{steps} / {epochs}",
                    str(n_fft),
                    early,
                    f"{len(model.net_.history)} / {cut_steps}",
                    f"{seconds:.1f}",
                    f"{seconds / max(cut_steps, 1) * 1e3:.0f}",
                    *(f"{share:.0%}" for share in shares),
                    f"{max(0.0, 1 - sum(shares)):.0%}",
                ]
            )
            print(rows[-1], flush=True)
    header = [
        "data set",
        "n_train x L",
        "model",
        "default steps / epochs",
        "FFT length",
        "early stopping",
        "profiled epochs / steps",
        "profiled fit [s]",
        "ms per step",
        *COMPONENTS,
        "rest",
    ]
    body = "\n\n".join(
        [
            "Default classifiers (seed 0, one thread) fitted under cProfile with the "
            f'`max_epochs="auto"` budget cut {BUDGET_CUT}-fold (same per-step work and '
            "batches per epoch, fewer epochs); fractions of the fit's time. cProfile adds "
            "overhead to Python-heavy parts (skorch's per-epoch bookkeeping in 'rest'). "
            "Kernel generation and FFT convolution include the validation epochs' forward "
            "passes; 'validation' counts those epochs whole. See the script's docstring.",
            markdown_table(header, rows),
            "### Cost per optimizer step, one setting changed at a time",
            "Milliseconds per optimizer step (forward, backward, update; batch of 32, or "
            "16 where stated) on random series of length L, from two fits of 2 and 10 "
            "steps after a one-step fit (the difference removes the set-up cost and the "
            "caches); one thread. L = 256 and 257 (defaults only) straddle a power of "
            "two; the causal FFT convolution pads 2L - 1 to "
            f"{' and '.join(str(fft_size(n, n)) for n in STEP_LENGTHS)} "
            "(`sksssm.nn.fft_size`). The machine is shared, so single cells are noisy (see "
            "the load in the stamp); compare rows, not digits.",
            markdown_table(
                ["model", "setting", *(f"ms/step, L={n}" for n in STEP_LENGTHS)], step_rows
            ),
            "### Operators with the most CPU time",
            f"Self CPU time of torch operators (forward and backward) in a fit of "
            f"{OPS_STEPS} steps on {OPS_SET} (28 x 286, FFT length {fft_size(286, 286)}) under "
            f"`torch.profiler`, the top {OPS_TOP} as a share of the time of all `aten` "
            "operators.",
            markdown_table(["model", "top operators (share of operator CPU time)"], operator_rows),
        ]
    )
    print(body)
    write_section(
        "deep_profile",
        body,
        command="python -m benchmarks.deep_profile",
        title="Deep SSM classifiers: where the fit time goes",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
