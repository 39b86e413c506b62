"""Write one benchmark's section into ``docs/benchmarks.md``, stamped with where it ran.

Every benchmark script owns one section of ``docs/benchmarks.md``, delimited by
``<!-- BEGIN name -->`` / ``<!-- END name -->`` markers, and rewrites only that section,
so the scripts can be re-run in any order without losing each other's tables. Each section
is stamped, at the moment it is written, with the git commit of the code that produced it
(short hash, ``-dirty`` when tracked files other than the benchmark page and its images
differ from that commit), the date, the wall time of the script, and the machine: CPU
model, cores, memory, library versions, thread settings and load average, all measured
here, none typed in. ``python -m benchmarks`` re-runs every script (see
``benchmarks/__main__.py``).
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
#: Paths the benchmarks themselves write: a change there does not make the code "dirty".
OUTPUT_PATHS = ("docs/benchmarks.md", "docs/images/")
#: Set by ``python -m benchmarks`` for its child processes: the commit and start of the run.
RUN_ENV = "SKSSSM_BENCHMARK_RUN"

HEADER = """# Benchmarks

Every section below is written by the benchmark script it names, and stamped when it is
written with the git commit of the code that produced it (`-dirty`: uncommitted changes
to tracked files), the date and the machine (CPU, cores, memory, library versions, thread
settings, load average), all measured by `benchmarks/_report.py`. Ratios are measured
side by side within one run of one script. Nothing here is a unit test: timings vary
between machines and runs, and this machine is usually shared, so compare timings within
a section only.

To reproduce everything in one go (from the repository root, in the development
environment):

```bash
python -m benchmarks            # every script, in order; rewrites all sections below
python -m benchmarks --list     # the scripts it found
python -m benchmarks --only hope --only ptd   # some scripts only
python -m benchmarks --quick    # smoke run: scripts that support --quick shrink their sizes
```

Each section also names the command that regenerates it alone (`python -m benchmarks.NAME`).
A full run takes tens of minutes on 2 shared cores; a section whose stamp names an older
commit than its neighbours was not part of the latest full run.
"""

_IMPORTED_AT = time.perf_counter()
_LOAD_AT_IMPORT = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    # rstrip only: `git status --porcelain` lines start with a significant space.
    return result.stdout.rstrip()


def git_revision() -> str:
    """Short hash of ``HEAD``, with ``-dirty`` if tracked code differs from it.

    Changes under :data:`OUTPUT_PATHS` (what the benchmarks write) are ignored, so a run
    that rewrites several sections stamps every one of them with the same revision.
    Untracked files are ignored too (as ``git describe --dirty`` does).
    """
    head = _git("rev-parse", "--short", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    status = _git("status", "--porcelain", "--untracked-files=no") or ""
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    dirty = [path for path in changed if not path.startswith(OUTPUT_PATHS)]
    return f"{head}-dirty" if dirty else head


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return None


def _thread_settings() -> str:
    parts = []
    if "torch" in sys.modules:  # only report torch's setting when the script used torch
        parts.append(f"torch {sys.modules['torch'].get_num_threads()}")
    try:
        from threadpoolctl import threadpool_info

        pools: dict[str, int] = {}  # one entry per loaded library (numpy's, scipy's, ...)
        for pool in threadpool_info():
            label = f"{pool.get('internal_api', pool.get('user_api'))} {pool['num_threads']}"
            pools[label] = pools.get(label, 0) + 1
        parts += [label if n == 1 else f"{label} (x{n} libraries)" for label, n in pools.items()]
    except Exception:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    env = [
        f"{key}={os.environ[key]}"
        for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
        if key in os.environ
    ]
    return ", ".join(parts + env) or "unknown"


def _gpu() -> str | None:
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            return ", ".join(
                torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())
            )
    except Exception:  # pragma: no cover - a broken CUDA setup is not a benchmark failure
        return None
    return None


def machine_description() -> str:
    """One line naming the machine, memory, Python and library versions, threads and load.

    Everything is measured at call time (the load average at import of this module, i.e.
    the start of the script, and now).
    """
    import numpy
    import scipy

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    memory = _memory_gib()
    parts = [
        f"{_cpu_model()} ({platform.machine()} {platform.system()})",
        f"{os.cpu_count()} logical cores ({usable} usable)",
        f"{memory:.1f} GiB RAM" if memory else "RAM unknown",
    ]
    gpu = _gpu()
    if gpu:
        parts.append(f"GPU {gpu}")
    versions = [
        f"Python {sys.version.split()[0]}",
        f"numpy {numpy.__version__}",
        f"scipy {scipy.__version__}",
    ]
    try:
        import torch

        versions.append(f"torch {torch.__version__}")
    except ImportError:  # pragma: no cover - torch is a hard dependency
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        ", ".join(parts)
        + "; "
        + ", ".join(versions)
        + f"; threads: {_thread_settings()}"
        + f"; 1-min load average {_LOAD_AT_IMPORT:.1f} at start, {load:.1f} at end"
    )


def run_stamp() -> str:
    """Commit, date (UTC) and wall time since this module was imported (the script's run)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    elapsed = time.perf_counter() - _IMPORTED_AT
    stamp = (
        f"commit `{git_revision()}`, {now:%Y-%m-%d %H:%M} UTC, script wall time {elapsed:.0f} s"
    )
    if os.environ.get(RUN_ENV):
        stamp += f" (part of `python -m benchmarks` started {os.environ[RUN_ENV]})"
    return stamp


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
    "forecasting": "Forecasting: defaults against the anchors, short series, global models",
}


def write_section(name: str, body: str, *, command: str, title: str | None = None) -> Path:
    """Replace (or append) the section ``name`` of ``docs/benchmarks.md``.

    ``body`` is Markdown (its own headings at level 3); the section gets a level-2 title
    (``title``, else :data:`TITLES` ``[name]``, else ``name``), the command that reproduces
    it, the run stamp (:func:`run_stamp`) and the machine (:func:`machine_description`).
    The page header is refreshed to :data:`HEADER`; other sections are left as they are.
    """
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else HEADER
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    section = (
        f"{begin}\n"
        f"## {title or TITLES.get(name, name)}\n\n"
        f"Reproduce: `{command}`  \n"
        f"Run: {run_stamp()}  \n"
        f"Machine: {machine_description()}\n\n"
        f"{body.strip()}\n"
        f"{end}"
    )
    first = text.find("<!-- BEGIN ")
    text = HEADER.rstrip() + "\n\n" + (text[first:] if first >= 0 else "")
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS_MD.write_text(text.rstrip() + "\n")
    return BENCHMARKS_MD
