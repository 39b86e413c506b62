"""Dask scale-out of the closed-form fit: rows/s, one process in memory vs LocalCluster(2).

Run: ``python -m benchmarks.dask_scaling`` (writes the "dask_scaling" section of
docs/benchmarks.md). ``SpectralFilterRegressor(return_sequences=True)`` with default
hyper-parameters on 10^4 synthetic sequences x 1024 steps (10^7 design rows, one per
step): the inputs are standard normal, the targets the output of ``y_t = 0.9 y_{t-1} +
u_t`` plus 1% noise. Fits of the same data, side by side in one run:

- in memory, one process, BLAS limited to 1 thread (one core);
- with ``--all-threads`` only: in memory, one process, BLAS on every core (off by
  default: on this shared 2-core machine multi-threaded BLAS oversubscribes the cores
  and that fit took 90-275 s instead of 13-33 s, most of the script's run time);
- ``dask.array`` input on ``LocalCluster(n_workers=2, threads_per_worker=1)`` (worker
  processes, 1 BLAS thread each), the data generated and persisted on the workers (``X``
  and ``y`` never exist on the client), blocks of 250 sequences;
- the same with ``MALLOC_MMAP_THRESHOLD_=32 MiB`` in the workers' environment (see the
  notes the script writes: distributed's default ``MALLOC_TRIM_THRESHOLD_`` makes every
  large temporary a fresh ``mmap``).

The filters are computed once before any timed fit (every fit then reads them from the
in-memory cache; each worker computes them in its warm-up fit). The cluster is started
and warmed up (a small fit imports sksssm on the workers) before the timed fit; its
start-up time is reported separately. The timed Dask fit includes the scale reductions
the estimator makes before factoring (one pass over the persisted data). Coefficients
and predictions of the Dask and in-memory fits are compared (relative max difference).
``--quick`` runs 10^5 rows and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from functools import partial

import numpy as np

from benchmarks._report import markdown_table, write_section

N_TIMESTEPS = 1024
BLOCK_SEQUENCES = 250
#: glibc's mmap threshold for the second cluster (32 MiB, glibc's maximum on 64-bit).
MMAP_THRESHOLD = 32 * 2**20
POLE = 0.9
NOISE = 0.01


def make_data(n_sequences, seed=0):
    """Lazy ``(X, y)``: ``X`` (n, 1024) standard normal, ``y`` a first-order response."""
    import dask.array as da
    from scipy.signal import lfilter

    rng = da.random.default_rng(seed)
    chunks = (BLOCK_SEQUENCES, N_TIMESTEPS)
    X = rng.normal(size=(n_sequences, N_TIMESTEPS), chunks=chunks)
    response = X.map_blocks(partial(lfilter, [1.0], [1.0, -POLE], axis=-1), dtype=float)
    y = response + NOISE * rng.normal(size=X.shape, chunks=chunks)
    return X, y


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def cluster_fit(n_sequences):
    """Start LocalCluster(2), warm it up, persist the data there, time the fit."""
    from distributed import Client, LocalCluster

    stamp = {}
    # distributed's default pre-spawn environment gives every worker 1 BLAS/OpenMP thread.
    stamp["start"], cluster = timed(
        lambda: LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    )
    with cluster, Client(cluster) as client:
        warm_X, warm_y = make_data(2 * BLOCK_SEQUENCES, seed=1)
        stamp["warm"], _ = timed(lambda: fit(warm_X, warm_y))  # imports sksssm on workers
        # Like the in-memory fits, start from data held in (the workers') memory.
        X, y = make_data(n_sequences)
        stamp["persist"], (X, y) = timed(lambda: wait_for(client.persist([X, y])))
        stamp["load"] = load_average()
        seconds, model = timed(lambda: fit(X, y))
    return seconds, model, stamp


def wait_for(collections):
    from distributed import wait

    wait(collections)
    return collections


def load_average():
    """1-minute load average (other engineers' jobs included), or "n/a"."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "n/a"


def fit(X, y):
    from sksssm import SpectralFilterRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the filter cap warning, if any: same in every run
        return SpectralFilterRegressor(return_sequences=True).fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 rows; write nothing")
    parser.add_argument(
        "--all-threads", action="store_true", help="add an in-memory fit with all BLAS threads"
    )
    args = parser.parse_args(argv)
    n_sequences = 100 if args.quick else 10_000
    n_rows = n_sequences * N_TIMESTEPS

    import dask
    from threadpoolctl import threadpool_limits

    from sksssm.spectral import stu_filters

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stu_filters(N_TIMESTEPS, 24)  # computed once here, not inside the first timed fit

    X, y = make_data(n_sequences)
    with dask.config.set(scheduler="threads"):
        generate_seconds, (X_local, y_local) = timed(lambda: dask.compute(X, y))

    rows = []
    fits = {}
    settings = [("in memory, 1 process, 1 BLAS thread", 1)]
    if args.all_threads:
        settings.append((f"in memory, 1 process, {os.cpu_count()} BLAS threads", None))
    for label, threads in settings:
        load = load_average()
        with threadpool_limits(threads):
            seconds, model = timed(lambda: fit(X_local, y_local))
        fits[label] = model
        rows.append([label, f"{seconds:.1f}", f"{n_rows / seconds:,.0f}", "-", load])
        print(rows[-1], flush=True)

    clusters = [("dask.array on LocalCluster(2 workers x 1 thread)", {})]
    clusters.append(
        (
            "same, workers with MALLOC_MMAP_THRESHOLD_=32 MiB",
            {"distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD},
        )
    )
    stamps = []
    for label, config in clusters:
        with dask.config.set(config):
            seconds, model, stamp = cluster_fit(n_sequences)
        fits[label] = model
        stamps.append(stamp)
        rows.append([label, f"{seconds:.1f}", f"{n_rows / seconds:,.0f}", X.numblocks[0]])
        rows[-1].append(stamp["load"])
        print(rows[-1], flush=True)
    n_blocks = X.numblocks[0]
    model = fits[clusters[0][0]]

    reference = fits["in memory, 1 process, 1 BLAS thread"]
    difference = np.abs(model.coef_ - reference.coef_).max() / np.abs(reference.coef_).max()
    check = slice(0, min(n_sequences, 100))
    predicted, expected = model.predict(X_local[check]), reference.predict(X_local[check])
    prediction_difference = np.abs(predicted - expected).max() / np.abs(expected).max()
    p = model.coef_.shape[-1]
    factor_bytes = (p + 2) ** 2 * 8
    header = ["fit", "seconds", "design rows / s", "blocks", "load avg before"]
    table = markdown_table(header, rows)
    notes = (
        f"{n_sequences:,} sequences x {N_TIMESTEPS} steps = {n_rows:,} design rows of "
        f"{p} columns (defaults: n_filters=24, of which {model.n_filters_} are usable at "
        f"L = {N_TIMESTEPS}; both branches; {model.input_lags_} input lags), "
        f"alpha by GCV (alpha_ = {model.alpha_:.3g} on Dask, {reference.alpha_:.3g} in "
        f"memory).\n\n"
        f"- Dask vs in-memory (1 thread) fit: max relative difference {difference:.1e} in "
        f"the coefficients, {prediction_difference:.1e} in the predictions of 100 "
        "sequences (coefficient differences are round-off amplified by the condition "
        "number of the design, as between two in-memory fits with different chunk sizes; "
        "the predictions show how closely the fitted functions agree).\n"
        f"- Per block, one factor of at most ({p} + 1 + 1)^2 float64 = "
        f"{factor_bytes / 1024:.0f} KiB and a row count travel; {n_blocks} blocks of "
        f"{BLOCK_SEQUENCES} sequences ({BLOCK_SEQUENCES * N_TIMESTEPS * 8 / 2**20:.0f} "
        f"MiB of X each) never leave the workers.\n"
        f"- Not timed: cluster start {stamps[0]['start']:.1f} s; warm-up fit (workers "
        f"import sksssm) {stamps[0]['warm']:.1f} s; generating and persisting X and y on "
        f"the workers {stamps[0]['persist']:.1f} s (in memory: {generate_seconds:.1f} s with "
        "Dask's threads on the client). Every fit starts from data in memory.\n"
        "- distributed starts its workers with `MALLOC_TRIM_THRESHOLD_=65536` (its "
        "`distributed.nanny.pre-spawn-environ` default, to return memory to the OS), which "
        "also turns off glibc's adaptive mmap threshold: every array above 128 KiB is then "
        "a fresh `mmap`, and the featuriser's large temporaries pay page faults on every "
        "call. The last row sets `MALLOC_MMAP_THRESHOLD_` to 32 MiB on the workers "
        "(`dask.config.set({'distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_': "
        "2**25})` before starting the cluster), at the price of workers keeping freed "
        "memory of up to that size for reuse.\n"
        f"- This machine has {os.cpu_count()} cores shared with other engineers' jobs (the "
        "last column: a 1-minute load average above 2 means the timed fit competed for "
        "the cores): the 2-worker cluster cannot run faster than 2 free cores, and "
        "concurrent load lowers every row by different amounts, so these rates are "
        "indicative only. On a multi-node cluster each worker brings its own cores and "
        "the per-block traffic stays the factor above."
    )
    body = f"{table}\n\n{notes}\n"
    print(body)
    if not args.quick:
        path = write_section(
            "dask_scaling",
            body,
            command="python -m benchmarks.dask_scaling"
            + (" --all-threads" if args.all_threads else ""),
            title="Dask scale-out of the closed-form fit: one process vs LocalCluster(2)",
        )
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
