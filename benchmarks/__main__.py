"""Re-run every benchmark and rewrite ``docs/benchmarks.md``: ``python -m benchmarks``.

A benchmark is a module ``benchmarks/NAME.py`` (``NAME`` not starting with ``_``) with a
top-level ``main`` function; it prints its tables and writes its own section(s) of
``docs/benchmarks.md`` through :func:`benchmarks._report.write_section`, which stamps each
section with the commit, date and machine. This runner finds those modules (by reading
their source, without importing them), runs each in a fresh Python process (so thread
settings and caches do not leak from one to the next), one after the other, and reports
which sections were rewritten, which failed and which sections of the page no script of
this run rewrote.

``main`` is called as ``main(argv)`` when it takes a parameter, else as ``main()`` with
``sys.argv`` set to ``[NAME, *argv]`` (for scripts that parse their own arguments).
``--quick`` is passed to the scripts whose source defines a ``--quick`` option and to no
other (they run at full size); what a quick run writes is up to each script.

Usage::

    python -m benchmarks                  # all scripts, in alphabetical order
    python -m benchmarks --list           # what would run
    python -m benchmarks --only hope --only ptd_conditioning
    python -m benchmarks --skip forecasting --quick
"""

from __future__ import annotations

import argparse
import ast
import datetime
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks._report import BENCHMARKS_MD, ROOT, RUN_ENV, git_revision

HERE = Path(__file__).resolve().parent
_SECTION = re.compile(r"<!-- BEGIN (\S+) -->(.*?)<!-- END \1 -->", re.DOTALL)
_CHILD = """
import inspect, sys
import benchmarks.{name} as module
argv = sys.argv[1:]
if inspect.signature(module.main).parameters:
    result = module.main(argv)
else:
    sys.argv = [{name!r}, *argv]
    result = module.main()
sys.exit(result if isinstance(result, int) else 0)
"""


@dataclass
class Script:
    """A benchmark module found in ``benchmarks/``."""

    name: str
    path: Path
    takes_argv: bool
    supports_quick: bool


def discover(directory: Path = HERE) -> list[Script]:
    """Benchmark modules in ``directory``: ``*.py`` not starting with ``_``, with ``main``.

    Read with :mod:`ast` (nothing is imported or run), sorted by name.
    """
    scripts = []
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        source = path.read_text()
        tree = ast.parse(source, filename=str(path))
        main = next(
            (
                node
                for node in tree.body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "main"
            ),
            None,
        )
        if main is None:
            continue
        arguments = main.args
        takes_argv = bool(arguments.posonlyargs or arguments.args or arguments.vararg)
        scripts.append(Script(path.stem, path, takes_argv, "--quick" in source))
    return scripts


def _sections() -> dict[str, str]:
    if not BENCHMARKS_MD.exists():
        return {}
    return {m.group(1): m.group(2) for m in _SECTION.finditer(BENCHMARKS_MD.read_text())}


def run_script(script: Script, argv: list[str], env: dict[str, str]) -> tuple[int, float]:
    """Run one benchmark in a fresh interpreter from the repository root."""
    command = [sys.executable, "-c", _CHILD.format(name=script.name), *argv]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        returncode = child.wait()
    except BaseException:  # Ctrl-C or SIGTERM: never leave the benchmark running alone
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        raise
    return returncode, time.perf_counter() - start


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks; return 0 when all of them succeeded."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="run only NAME (repeatable)"
    )
    parser.add_argument(
        "--skip", action="append", default=[], metavar="NAME", help="do not run NAME (repeatable)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="pass --quick to the scripts that support it"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    scripts = discover()
    names = {script.name for script in scripts}
    unknown = sorted(set(args.only + args.skip) - names)
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {sorted(names)}")
    selected = [
        s for s in scripts if (not args.only or s.name in args.only) and s.name not in args.skip
    ]
    if args.list:
        for script in scripts:
            flags = ", ".join(
                flag
                for flag, present in (
                    ("main(argv)", script.takes_argv),
                    ("--quick", script.supports_quick),
                )
                if present
            )
            print(f"{script.name:20s} {script.path.relative_to(ROOT)}  {flags}")
        return 0

    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    revision = git_revision()
    started = datetime.datetime.now(datetime.timezone.utc)
    env = {**os.environ, RUN_ENV: f"{started:%Y-%m-%d %H:%M} UTC at `{revision}`"}
    # The children import ``benchmarks`` and ``sksssm`` from the repository root.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    before = _sections()
    results = []
    for script in selected:
        script_argv = ["--quick"] if args.quick and script.supports_quick else []
        shown = " ".join(["python -m benchmarks." + script.name, *script_argv])
        print(f"\n=== {shown}", flush=True)
        returncode, seconds = run_script(script, script_argv, env)
        results.append((script.name, returncode, seconds))
        print(f"=== {script.name}: exit {returncode} after {seconds:.0f} s", flush=True)

    after = _sections()
    rewritten = sorted(name for name, text in after.items() if before.get(name) != text)
    untouched = sorted(set(after) - set(rewritten))
    failed = [name for name, code, _ in results if code != 0]
    print("\nSummary")
    for name, code, seconds in results:
        print(
            f"  {name:20s} {'ok' if code == 0 else f'FAILED (exit {code})':16s} {seconds:7.0f} s"
        )
    print(f"  sections changed during this run: {', '.join(rewritten) or 'none'}")
    if untouched:
        print(f"  sections NOT changed by this run (older stamps): {', '.join(untouched)}")
    if git_revision() != revision:
        print(f"  WARNING: the code changed during the run ({revision} -> {git_revision()})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
