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


def write_section(name: str, body: str, *, command: str) -> Path:
    """Replace (or append) the section ``name`` of ``docs/benchmarks.md``.

    ``body`` is Markdown; the section is prefixed with the command that reproduces it and
    the machine it ran on.
    """
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else HEADER
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    section = (
        f"{begin}\n"
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
