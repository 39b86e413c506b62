"""STU layer throughput: FFT paths versus a direct causal convolution of the same filters.

Forward + backward (gradients for the input and all weights) of one ``STULayer`` with
``d_model=64``, batch 8, 24 filters (positive and negative branches, 3 input lags) and
``filter_length = L``, for ``L`` in {1024, 4096, 16384}. Compared side by side:

- ``fft (freq. mix)``: ``STULayer`` (zero-padded FFT, mixing contracted in frequency);
- ``fft (time mix)``: FFT features ``(B, L, C, 2K)`` contracted with the matrices in time,
  the alternative strategy :func:`sksssm.nn.causal_fft_filter_mix` avoids;
- ``tensordot``: ``STULayer(use_tensordot=True)``;
- ``direct conv1d``: the same filters applied by ``torch.nn.functional.conv1d`` (quadratic
  in ``L``), then the same contraction. Timed once where slow; skipped above ``--max-direct``
  time steps (the table then says so).

Run: ``python -m benchmarks.stu_layer`` writes two sections of docs/benchmarks.md:
``stu_layer`` (the comparison above) and ``layers_vs_limit``, which times every sequence
layer against "the limit" of issue 12 (a depthwise causal FFT convolution plus a
``Linear`` of the same width; batch 16, d_model 64, one thread, L in {1024, 4096}): the
ratio layer time / limit time, and the log-log slope of time versus L. ``--vs-limit``
runs only the second.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch.nn import functional

from benchmarks._report import markdown_table, write_section
from sksssm.nn import STULayer, causal_fft_conv
from sksssm.nn.stu import _shifted_filters

BATCH, D_MODEL, N_FILTERS = 8, 64, 24
#: Interleaved timing rounds of the comparison against the limit.
ROUNDS = 7


def time_call(step, min_total=1.0, max_repeats=5) -> tuple[float, int]:
    """Fastest of up to ``max_repeats`` calls after one warm-up (the least disturbed by
    other processes on a shared machine); a single call when slow."""
    step()
    times = []
    while not times or (len(times) < max_repeats and sum(times) < min_total):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times), len(times)


def best_of(step, repeats) -> float:
    """Fastest of ``repeats`` timed calls (no warm-up)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def features_direct(x, kernel):
    """(B, L, C, K) filtered inputs by direct conv1d (left zero padding, flipped kernel)."""
    batch, n_steps, n_channels = x.shape
    signal = x.transpose(1, 2).reshape(batch * n_channels, 1, n_steps)
    signal = functional.pad(signal, (kernel.shape[0] - 1, 0))
    out = functional.conv1d(signal, kernel.T.flip(-1).unsqueeze(1))  # (B*C, K, L)
    return out.reshape(batch, n_channels, -1, n_steps).permute(0, 3, 1, 2)


def features_fft(x, kernel):
    return causal_fft_conv(x, kernel[:, None, :])


def time_mixed_layer(layer, features_fn):
    """A step using ``layer``'s weights but computing features with ``features_fn``."""
    kernel = _shifted_filters(layer.filters, layer.use_negative)
    weights = torch.cat([layer.m_pos, layer.m_neg], dim=0)

    def forward(x):
        features = features_fn(x, kernel[: x.shape[1]])
        return torch.einsum("btck,koc->bto", features, weights) + layer._lag_terms(x)

    return forward


def make_step(forward, x):
    def step():
        x.grad = None
        forward(x).square().mean().backward()

    return step


def run(lengths, max_direct):
    results = {"filters used": {}}
    for n_steps in lengths:
        torch.manual_seed(0)
        x = torch.randn(BATCH, n_steps, D_MODEL, requires_grad=True)
        layer = STULayer(D_MODEL, n_steps, N_FILTERS, init="normal")
        results["filters used"][n_steps] = layer.filters.shape[1]
        tensordot = STULayer(D_MODEL, n_steps, N_FILTERS, init="normal", use_tensordot=True)
        paths = {
            "fft (freq. mix)": layer,
            "fft (time mix)": time_mixed_layer(layer, features_fft),
            "tensordot": tensordot,
        }
        if n_steps <= max_direct:
            paths["direct conv1d"] = time_mixed_layer(layer, features_direct)
        for name, forward in paths.items():
            slow = name == "direct conv1d"
            seconds, repeats = time_call(
                make_step(forward, x), min_total=0.0 if slow else 1.0, max_repeats=1 if slow else 5
            )
            results[name, n_steps] = (seconds, repeats)
            print(f"L={n_steps:6d} {name:16s} {seconds:9.4f} s ({repeats} repeats)", flush=True)
    return results


def log_log_slope(lengths, seconds):
    return float(np.polyfit(np.log(lengths), np.log(seconds), 1)[0])


def report(results, lengths, max_direct, threads, filters_used):
    names = ["fft (freq. mix)", "fft (time mix)", "tensordot", "direct conv1d"]
    rows = []
    for n_steps in lengths:
        row = [n_steps]
        for name in names:
            if (name, n_steps) in results:
                seconds, repeats = results[name, n_steps]
                tokens = BATCH * n_steps / seconds
                row.append(f"{seconds * 1e3:.0f} ms ({tokens / 1e3:.0f}k tok/s, n={repeats})")
            else:
                row.append(f"not run (L > {max_direct})")
        direct = results.get(("direct conv1d", n_steps))
        fft = results["fft (freq. mix)", n_steps][0]
        row.append(f"{direct[0] / fft:.1f}x" if direct else "-")
        rows.append(row)
    slopes = []
    for name in names:
        measured = [n for n in lengths if (name, n) in results]
        if len(measured) >= 2:
            slope = log_log_slope(measured, [results[name, n][0] for n in measured])
            slopes.append(f"`{name}` {slope:.2f}")
    body = (
        f"STU layer forward + backward, batch {BATCH}, d_model {D_MODEL}, {N_FILTERS} filters "
        f"requested (used after capping: {filters_used}), positive and negative branches, "
        f"3 input lags, filter_length = L, float32, CPU, {threads} torch thread(s). "
        "Best time per step (n = repeats after one warm-up) and tokens/s.\n\n"
        + markdown_table(
            ["L", *names, "direct / fft (freq. mix)"],
            rows,
        )
        + "\n\nLog-log slope of time versus L (1 = linear): "
        + ", ".join(slopes)
        + "."
    )
    return body


class _Limit(torch.nn.Module):
    """Depthwise causal FFT convolution with a fixed kernel + a Linear of the same width."""

    def __init__(self, d_model, length):
        super().__init__()
        self.register_buffer("kernel", torch.randn(length, d_model) / length**0.5)
        self.linear = torch.nn.Linear(d_model, d_model)

    def forward(self, x):
        return self.linear(causal_fft_conv(x, self.kernel[: x.shape[1]]))


def run_vs_limit(lengths, batch=16, d_model=64):
    import warnings

    from sksssm.nn import DiagonalSSMConv, HOPELayer

    makers = {
        "limit": lambda n: _Limit(d_model, n),
        "STULayer": lambda n: STULayer(d_model, n, N_FILTERS, init="normal"),
        "STULayer tensordot": lambda n: STULayer(
            d_model, n, N_FILTERS, init="normal", use_tensordot=True
        ),
        "DiagonalSSMConv": lambda n: DiagonalSSMConv(
            d_model, 64, ptd_kwargs={"method": "random"}, random_state=0
        ),
        "HOPELayer": lambda n: HOPELayer(d_model, 64, random_state=0),
    }
    seconds = {}
    for n in lengths:
        torch.manual_seed(0)
        x = torch.randn(batch, n, d_model, requires_grad=True)
        steps = {}
        for name, make in makers.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                steps[name] = make_step(make(n), x)
            steps[name]()  # warm-up
        # Interleaved rounds, each layer's best of 3 steps per round, then the median over
        # rounds: a slow spell on a shared machine hits every layer alike.
        rounds = {name: [] for name in makers}
        for _ in range(ROUNDS):
            for name, step in steps.items():
                rounds[name].append(best_of(step, 3))
        for name in makers:
            seconds[name, n] = float(np.median(rounds[name]))
            print(f"L={n:6d} {name:20s} {seconds[name, n] * 1e3:8.1f} ms", flush=True)
    rows = []
    for name in makers:
        row = [name]
        for n in lengths:
            tokens = batch * n / seconds[name, n]
            ratio = seconds[name, n] / seconds["limit", n]
            row.append(f"{tokens / 1e3:.0f}k tok/s ({ratio:.2f}x)")
        row.append(f"{log_log_slope(lengths, [seconds[name, n] for n in lengths]):.2f}")
        rows.append(row)
    return (
        f"Forward + backward, batch {batch}, d_model {d_model}, float32, CPU, one torch "
        f"thread; {ROUNDS} interleaved rounds over the layers, the median over rounds of "
        "each layer's best of 3 steps (after a warm-up). In brackets: time relative to "
        "the limit (a depthwise causal FFT convolution + a Linear of the same width). "
        "DiagonalSSMConv and HOPELayer with state_dim 64; STU with 24 filters requested.\n\n"
        + markdown_table(["layer", *[f"L = {n}" for n in lengths], "log-log slope"], rows)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024, 4096, 16384])
    parser.add_argument("--max-direct", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--vs-limit", action="store_true", help="only the comparison of every layer vs the limit"
    )
    args = parser.parse_args()
    if not args.vs_limit:
        stu_paths(args)
    vs_limit(args)


def stu_paths(args):
    """Section ``stu_layer``: the STU layer's FFT paths against a direct convolution."""
    # One thread by default: on a shared, oversubscribed machine OpenMP barriers make
    # multi-threaded timings swing by 10-100x; single-threaded ratios are reproducible.
    torch.set_num_threads(args.threads)
    results = run(args.lengths, args.max_direct)
    filters_used = ", ".join(f"{used} at L={n}" for n, used in results["filters used"].items())
    body = report(results, args.lengths, args.max_direct, args.threads, filters_used)
    print(body)
    if not args.no_write:
        command = "python -m benchmarks.stu_layer"
        if args.lengths != [1024, 4096, 16384] or args.max_direct != 4096 or args.threads != 1:
            command += (
                f" --lengths {' '.join(map(str, args.lengths))} --max-direct {args.max_direct}"
            )
        write_section("stu_layer", body, command=command)


def vs_limit(args):
    """Section ``layers_vs_limit``: every sequence layer against the limit, one thread."""
    torch.set_num_threads(1)
    lengths = [1024, 4096] if args.lengths == [1024, 4096, 16384] else args.lengths
    body = run_vs_limit(lengths)
    print(body)
    if not args.no_write:
        write_section(
            "layers_vs_limit",
            body,
            command="python -m benchmarks.stu_layer",
            title="Sequence layers against the limit (FFT convolution + Linear)",
        )


if __name__ == "__main__":
    main()
