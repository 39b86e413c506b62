"""GPU readiness: layer throughput and peak memory up to L = 65,536, and CPU loading.

For every sequence layer (``STULayer`` full and tensordot, ``DiagonalSSMConv``,
``DiagonalSSMScan``, ``HOPELayer``) and a reference "limit" (a depthwise causal FFT
convolution plus a ``Linear`` of the same width), one forward + backward step on a batch
of ``(B, L, d_model)``: tokens per second and peak GPU memory
(``torch.cuda.max_memory_allocated``), in float32 and in mixed precision
(``torch.autocast(dtype=torch.bfloat16)``; the FFT convolutions of :mod:`sksssm.nn.fftconv`
run in float32 inside it, as torch has no bfloat16 FFT).

Then a model trained on CUDA is pickled and loaded and used for prediction in a separate
process that sees no GPU (``CUDA_VISIBLE_DEVICES=""``); its predictions must equal the
ones made on the GPU machine to float64 round-off.

Run: ``python -m benchmarks.gpu`` (writes section ``gpu`` of docs/benchmarks.md). Without
CUDA it prints a message and exits (status 0) unless ``--cpu-smoke`` is given, which runs
every code path on the CPU at tiny sizes (no peak memory, nothing written), to check the
script itself.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
from torch import nn

from benchmarks._report import markdown_table, write_section
from sksssm.nn import DiagonalSSMConv, DiagonalSSMScan, HOPELayer, STULayer, causal_fft_conv

LENGTHS = [1024, 4096, 16384, 65536]


class Limit(nn.Module):
    """Depthwise causal FFT convolution (a fixed random kernel per channel) + Linear."""

    def __init__(self, d_model, length):
        super().__init__()
        self.register_buffer("kernel", torch.randn(length, d_model) / length**0.5)
        self.linear = nn.Linear(d_model, d_model)

    def forward(self, x):
        return self.linear(causal_fft_conv(x, self.kernel[: x.shape[1]]))


def layers(d_model, length, state_dim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # capped filter counts at short smoke lengths
        return {
            "limit (FFT conv + Linear)": lambda: Limit(d_model, length),
            "STULayer": lambda: STULayer(d_model, length, 24, init="normal"),
            "STULayer tensordot": lambda: STULayer(
                d_model, length, 24, init="normal", use_tensordot=True
            ),
            "DiagonalSSMConv": lambda: DiagonalSSMConv(
                d_model, state_dim, ptd_kwargs={"method": "random"}, random_state=0
            ),
            "DiagonalSSMScan": lambda: DiagonalSSMScan(
                d_model, state_dim, ptd_kwargs={"method": "random"}, random_state=0
            ),
            "HOPELayer": lambda: HOPELayer(d_model, state_dim, random_state=0),
        }


def measure(make_layer, batch, length, d_model, device, mixed, repeats):
    """Seconds per forward + backward step (best of ``repeats``) and peak bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = make_layer().to(device)
    x = torch.randn(batch, length, d_model, device=device, requires_grad=True)
    autocast = (
        torch.autocast(device_type=device.type, dtype=torch.bfloat16)
        if mixed
        else contextlib.nullcontext()
    )

    def step():
        x.grad = None
        layer.zero_grad(set_to_none=True)
        with autocast:
            out = layer(x)
        out.float().square().mean().backward()

    step()  # warm-up (cuFFT plans, kernels)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else None
    return min(times), peak


def throughput_table(device, lengths, batch, d_model, state_dim, repeats):
    rows = []
    for length in lengths:
        for name, make in layers(d_model, length, state_dim).items():
            for mixed in (False, True):
                try:
                    seconds, peak = measure(make, batch, length, d_model, device, mixed, repeats)
                except torch.cuda.OutOfMemoryError:
                    torch.cuda.empty_cache()
                    rows.append([length, name, "bf16" if mixed else "fp32", "out of memory", "-"])
                    continue
                tokens = batch * length / seconds
                memory = f"{peak / 2**20:.0f} MiB" if peak is not None else "n/a (CPU)"
                rows.append(
                    [length, name, "bf16 autocast" if mixed else "fp32", f"{tokens:,.0f}", memory]
                )
                print(rows[-1], flush=True)
    return rows


_LOAD_SCRIPT = """
import pickle, sys
import numpy as np, torch
assert not torch.cuda.is_available(), "the loading process must not see a GPU"
model = pickle.loads(open(sys.argv[1], "rb").read())
np.save(sys.argv[3], model.predict_proba(np.load(sys.argv[2])))
"""


def cpu_loading_check(device):
    """Train on ``device``, unpickle and predict in a process without CUDA; compare."""
    from sksssm import PTDSSMClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2, 48))
    y = (X[:, 0, -8:].mean(axis=1) > 0).astype(int)
    clf = PTDSSMClassifier(
        state_dim=8, d_model=8, n_layers=1, max_epochs=3, device=str(device), random_state=0
    ).fit(X, y)
    expected = clf.predict_proba(X)
    with tempfile.TemporaryDirectory() as tmp:
        model, data, out = (os.path.join(tmp, n) for n in ("m.pkl", "X.npy", "p.npy"))
        with open(model, "wb") as f:
            pickle.dump(clf, f)
        np.save(data, X)
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
        subprocess.run(
            [sys.executable, "-W", "ignore", "-c", _LOAD_SCRIPT, model, data, out],
            check=True,
            env=env,
        )
        loaded = np.load(out)
    error = float(np.abs(loaded - expected).max())
    return clf.device_, error


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=LENGTHS)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--state-dim", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--cpu-smoke", action="store_true", help="tiny sizes on the CPU, nothing written"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if args.cpu_smoke:
        device = torch.device("cpu")
        lengths, batch, d_model, state_dim, repeats = [64, 256], 2, 8, 8, 1
    elif not torch.cuda.is_available():
        print(
            "benchmarks.gpu: no CUDA device visible to torch "
            f"{torch.__version__}; nothing measured. Run it on a GPU machine, or pass "
            "--cpu-smoke to check the script on the CPU."
        )
        return 0
    else:
        device = torch.device("cuda")
        lengths, batch, d_model = args.lengths, args.batch, args.d_model
        state_dim, repeats = args.state_dim, args.repeats
    rows = throughput_table(device, lengths, batch, d_model, state_dim, repeats)
    trained_on, error = cpu_loading_check(device)
    verdict = "OK" if error <= 1e-9 else "MISMATCH"
    loading = (
        f"Model trained on `{trained_on}`, pickled, loaded and used in a process with "
        f'`CUDA_VISIBLE_DEVICES=""`: max |difference| of predict_proba = {error:.1e} '
        f"({verdict}; float64 inference on both sides)."
    )
    body = (
        f"Forward + backward per layer, batch {batch}, d_model {d_model}, state_dim "
        f"{state_dim}, 24 STU filters; best of {repeats} steps after a warm-up. Tokens/s = "
        f"batch * L / time. Peak memory: `torch.cuda.max_memory_allocated` during the "
        f"timed steps. bf16 autocast: matmuls in bfloat16, FFT convolutions in float32.\n\n"
        + markdown_table(["L", "layer", "precision", "tokens/s", "peak memory"], rows)
        + "\n\n"
        + loading
    )
    print(body)
    if verdict != "OK":
        return 1
    if not args.cpu_smoke and not args.no_write:
        write_section(
            "gpu", body, command="python -m benchmarks.gpu", title="GPU throughput and loading"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
