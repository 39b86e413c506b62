"""Spectral filters: Lanczos + FFT versus dense eigh, and the usable-filter cap.

Run: ``python -m benchmarks.spectral_filters`` (writes the "spectral_filters" section of
docs/benchmarks.md). Every timing is of the uncached computation (the in-memory cache is
cleared and the disk cache disabled), best of a few repeats. About 1-2 minutes on 2 shared
cores; ``--quick`` skips L = 2^20 and L > 1024 and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from benchmarks._report import markdown_table, write_section
from sksssm.exceptions import SpectralFilterWarning
from sksssm.spectral import _filters
from sksssm.spectral._filters import (
    dense_eigenpairs,
    lanczos_eigenpairs,
    max_usable_filters,
    n_usable,
    spectral_filters,
)

N_FILTERS = 24


def best_time(function, *args, repeats: int = 3):
    """Best wall time of ``repeats`` uncached calls (one call if it takes over 5 s)."""
    best, result = np.inf, None
    for i in range(repeats):
        _filters.eigenpairs.cache_clear()
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
        if i == 0 and best > 5.0:
            break
    return best, result


def long_sequence_section() -> str:
    n_timesteps = 2**20
    rows = []
    for hankel in ("Z", "L"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SpectralFilterWarning)
            seconds, (sigma, _) = best_time(spectral_filters, n_timesteps, N_FILTERS, hankel)
        rows.append([hankel, f"{seconds:.1f}", len(sigma)])
    table = markdown_table(["hankel", "seconds (Lanczos + FFT)", "filters returned"], rows)
    return (
        f"### (a) L = 2^20, K = {N_FILTERS}\n\n"
        f"Target: < 20 s on 2 cores. Best of up to 3 runs.\n\n{table}\n"
    )


def scaled(sigma, phi, k):
    return phi[:, :k] * sigma[:k] ** 0.25


def comparison_section(lengths=(512, 1024, 2048, 4096)) -> str:
    rows = []
    for hankel in ("Z", "L"):
        for n_timesteps in lengths:
            t_lanczos, (s_l, p_l) = best_time(lanczos_eigenpairs, n_timesteps, N_FILTERS, hankel)
            t_dense, (s_d, p_d) = best_time(dense_eigenpairs, n_timesteps, N_FILTERS, hankel)
            k = min(n_usable(s_l, n_timesteps), n_usable(s_d, n_timesteps))
            sign_flips = int(np.sum(np.sum(p_l[:, :k] * p_d[:, :k], axis=0) < 0))
            difference = np.abs(scaled(s_l, p_l, k) - scaled(s_d, p_d, k)).max()
            rows.append(
                [
                    hankel,
                    n_timesteps,
                    k,
                    f"{t_lanczos * 1e3:.1f}",
                    f"{t_dense * 1e3:.1f}",
                    f"{t_dense / t_lanczos:.0f}x",
                    f"{difference:.1e}",
                    sign_flips,
                ]
            )
    header = [
        "hankel",
        "L",
        "usable K",
        "Lanczos ms",
        "dense eigh ms",
        "speed-up",
        "max abs diff (phi sigma^1/4)",
        "sign differences",
    ]
    return (
        f"### (b) Lanczos + FFT vs dense `scipy.linalg.eigh` (top {N_FILTERS}, subset_by_index)"
        "\n\nSame run, same machine; best of 3 (one run where a call takes over 5 s). The "
        "difference is over the usable filters (signs by the library's convention, not "
        f"re-aligned).\n\n{markdown_table(header, rows)}\n"
    )


def crossover_section() -> str:
    rows = []
    for n_timesteps in (64, 128, 256, 384, 512):
        row = [n_timesteps]
        for hankel in ("Z", "L"):
            k = min(N_FILTERS, n_timesteps - 2)
            t_l, _ = best_time(lanczos_eigenpairs, n_timesteps, k, hankel, repeats=5)
            t_d, _ = best_time(dense_eigenpairs, n_timesteps, k, hankel, repeats=5)
            row += [f"{t_l * 1e3:.1f}", f"{t_d * 1e3:.1f}"]
        rows.append(row)
    header = ["L", "Z: Lanczos ms", "Z: dense ms", "L: Lanczos ms", "L: dense ms"]
    return (
        "### Dense / Lanczos crossover\n\n"
        f"Best of 5. The library uses dense eigh for L <= {_filters.DENSE_MAX_LENGTH}.\n\n"
        f"{markdown_table(header, rows)}\n"
    )


def cap_section() -> str:
    lengths = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 2**14, 2**16, 2**20]
    rows = [[n, max_usable_filters(n, "Z"), max_usable_filters(n, "L")] for n in lengths]
    return (
        "### (c) Usable filters (eigenvalues above 80 * sqrt(L) * eps * sigma_1)\n\n"
        f"{markdown_table(['L', 'Z', 'Z_L'], rows)}\n"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only, writes nothing")
    quick = parser.parse_args(argv).quick
    os.environ.pop(_filters.CACHE_DIR_ENV, None)  # time computations, not disk reads
    if quick:
        print(comparison_section((512, 1024)), crossover_section(), cap_section(), sep="\n")
        return
    sections = [long_sequence_section(), comparison_section(), crossover_section()]
    sections.append(cap_section())
    body = "\n".join(sections)
    print(body)
    write_section("spectral_filters", body, command="python -m benchmarks.spectral_filters")


if __name__ == "__main__":
    main()
