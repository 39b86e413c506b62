"""Write one benchmark's section into ``docs/benchmarks.md``.

Every benchmark script owns one section of ``docs/benchmarks.md``, delimited by
``<!-- BEGIN name -->`` / ``<!-- END name -->`` markers, and rewrites only that section,
so the scripts can be re-run in any order without losing each other's tables.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Every table below was written by the script named in its section, on the machine that
section names; re-run the command shown to reproduce it. Ratios are measured side by side
in one run. Nothing here is a unit test: timings vary between machines and runs.
"""


def machine_description() -> str:
    """One line naming the machine, Python and the main library versions."""
    import numpy
    import scipy

    parts = [
        f"{platform.machine()} {platform.system()}",
        f"{os.cpu_count()} cores",
        f"Python {sys.version.split()[0]}",
        f"numpy {numpy.__version__}",
        f"scipy {scipy.__version__}",
    ]
    try:
        import torch

        parts.append(f"torch {torch.__version__}")
    except ImportError:  # pragma: no cover - torch is a hard dependency
        pass
    return ", ".join(parts)


def markdown_table(header: list[str], rows: list[list]) -> str:
    """Format ``rows`` as a GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


TITLES = {
    "spectral_filters": "Spectral filters: Lanczos + FFT vs dense eigh",
    "sysid": "System identification: closed-form STU vs ARX, N4SID and gradient training",
    "stu_layer": "STU layer throughput: FFT vs direct convolution",
    "classification": "Classification: GunPoint, ItalyPowerDemand, BasicMotions",
    "ptd_conditioning": "PTD: eigenvector conditioning and transfer functions",
    "ptd_robustness": "PTD: robustness to Fourier-mode perturbations",
    "hope": "HOPE: long memory, parameters, throughput",
    "forecasting": "Forecasting: airline, lynx, shampoo sales",
}


def write_section(name: str, body: str, *, command: str) -> Path:
    """Replace (or append) the section ``name`` of ``docs/benchmarks.md``.

    ``body`` is Markdown (its own headings at level 3); the section gets a level-2 title,
    the command that reproduces it and the machine it ran on.
    """
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else HEADER
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    section = (
        f"{begin}\n"
        f"## {TITLES.get(name, name)}\n\n"
        f"Reproduce: `{command}`  \n"
        f"Machine: {machine_description()}\n\n"
        f"{body.strip()}\n"
        f"{end}"
    )
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS_MD.write_text(text)
    return BENCHMARKS_MD
