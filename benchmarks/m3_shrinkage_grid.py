"""M3 grid of the forecaster's damping and drift shrinkage, on two halves of M3.

``SpectralForecaster()`` is fitted once per series (official horizon, one thread); for
the series without a detected season (``sp_ = 1``, the only ones the two parameters
act on) the point forecast is recomputed for every ``(damping, drift_prior_length)`` of
the grid on the same fit (:func:`benchmarks.m3_ablation.predict_with`); seasonal series
keep the default's forecast. Mean and geometric-mean MASE (scaled by the in-sample
seasonal naive error) per frequency and half: the development half is every second
series of each frequency from the first (``m3_ablation --every 2``), the confirmation
half the others. A default is chosen on the development half and kept only if the
confirmation half agrees.

Usage::

    python -m benchmarks.m3_shrinkage_grid            # all 3,003 series (both halves)
    python -m benchmarks.m3_shrinkage_grid --every 5  # every fifth series of each half
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import M3_FREQUENCIES, load_m3
from benchmarks.m3_ablation import predict_with
from benchmarks.protocol import geometric_mean

#: Fixed factors, and "auto" (``max(1 - 5 / n, 0.5)`` per series, the default).
DAMPINGS = ("auto", 0.7, 0.8, 0.9, 1.0)
PRIOR_LENGTHS = (0, 10, 20, 50)
GRID = [(damping, prior) for damping in DAMPINGS for prior in PRIOR_LENGTHS]


def grid_scores(series):
    """MASE of every grid point on one series (the default's where ``sp_ > 1``)."""
    from sksssm.forecasting import SpectralForecaster

    fh = np.arange(1, series.horizon + 1)
    fitted = SpectralForecaster().fit(pd.Series(series.y), fh=fh)
    default = np.asarray(fitted.predict(), dtype=float).ravel()

    def mase(forecast):
        return protocol.mase(series.y, series.y_test, forecast, series.period)

    if fitted.sp_ != 1:
        return {point: mase(default) for point in GRID}
    return {
        (damping, prior): mase(predict_with(fitted, damping=damping, drift_prior_length=prior))
        for damping, prior in GRID
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="every k-th series of each half")
    args = parser.parse_args(argv)
    by_frequency = {f: [s for s in load_m3() if s.frequency == f] for f in M3_FREQUENCIES}
    halves = {
        label: {f: group[offset::2][:: args.every] for f, group in by_frequency.items()}
        for label, offset in (("development", 0), ("confirmation", 1))
    }
    scores = {}
    start = time.perf_counter()
    with protocol.one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for half in halves.values():
            for group in half.values():
                for s in group:
                    scores[s.name] = grid_scores(s)
    seconds = time.perf_counter() - start
    rows = []
    for frequency in [*M3_FREQUENCIES, "all"]:
        for damping, prior in GRID:
            row = [frequency.lower(), damping, prior]
            for half in halves.values():
                group = (
                    [s for g in half.values() for s in g]
                    if frequency == "all"
                    else half[frequency]
                )
                values = np.array([scores[s.name][damping, prior] for s in group])
                row += [f"{values.mean():.4f}", f"{geometric_mean(values):.4f}"]
            rows.append(row)
    sizes = ", ".join(
        f"{label} {sum(len(g) for g in half.values())}" for label, half in halves.items()
    )
    body = [
        f"Series: {sizes} ({seconds:.0f} s). One `SpectralForecaster()` fit per series; "
        "the grid acts on the series without a detected season only (the others keep the "
        "default's forecast). MASE scaled by the in-sample seasonal naive error.",
        "",
        markdown_table(
            [
                "frequency",
                "damping",
                "drift_prior_length",
                "dev mean MASE",
                "dev geo-mean MASE",
                "conf mean MASE",
                "conf geo-mean MASE",
            ],
            rows,
        ),  # fmt: skip
    ]
    command = "python -m benchmarks.m3_shrinkage_grid" + (
        f" --every {args.every}" if args.every > 1 else ""
    )
    write_section(
        "m3_shrinkage_grid",
        "\n".join(body),
        command=command,
        title="M3: damping and drift shrinkage grid (development / confirmation half)",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
