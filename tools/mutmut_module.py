"""Run mutmut on one decision-making module, in a scratch copy of the committed tree.

``[tool.mutmut]`` in pyproject.toml lists the four modules and every test file that
covers them. This script narrows it to one module and that module's own tests (mutmut
first runs the whole test selection once to see which tests reach which function, so a
narrow selection is what makes one module's run short), works in a fresh copy of
``HEAD`` (``git archive``: the working tree and its uncommitted edits are never
touched, and mutmut's ``mutants/`` folder stays out of it), stops after ``--timeout``
seconds and prints the count of each mutant status (``not checked``: not reached before
the time limit).

Usage, from the repository root (needs the ``dev`` extra)::

    python tools/mutmut_module.py ridge
    python tools/mutmut_module.py forecasting --timeout 900 --workdir /tmp/mutmut-forecasting

Then ``cd WORKDIR && mutmut show NAME`` shows a surviving mutant's diff.
"""

import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE_TESTS = "tests/test_decision_rules.py"

#: module name -> (source file, the test files that cover it)
MODULES = {
    "ridge": ("sksssm/spectral/_ridge.py", ("tests/test_ridge.py", RULE_TESTS)),
    "forecasting": (
        "sksssm/forecasting/_seasonality.py",
        (RULE_TESTS, "tests/test_forecasting.py"),
    ),
    "classifier": (
        "sksssm/estimators/spectral_classifier.py",
        (RULE_TESTS, "tests/test_spectral_classifier.py"),
    ),
    "deep": ("sksssm/estimators/_deep.py", (RULE_TESTS, "tests/test_deep.py")),
}


def _toml_list(items):
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def narrow_config(text, source, tests):
    """``pyproject.toml`` text with ``[tool.mutmut]`` reduced to one module and its tests."""
    head, section = text.rsplit("\n[tool.mutmut]\n", 1)
    replaced = 0
    for key, value in (("only_mutate", [source]), ("pytest_add_cli_args_test_selection", tests)):
        section, n = re.subn(
            rf"^{key} = \[.*?\]", f"{key} = {_toml_list(value)}", section, flags=re.S | re.M
        )
        replaced += n
    if replaced != 2:
        raise SystemExit("pyproject.toml: [tool.mutmut] lacks only_mutate or the test selection")
    return head + "\n[tool.mutmut]\n" + section


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", choices=sorted(MODULES))
    parser.add_argument("--timeout", type=float, default=900, help="seconds for mutmut run")
    parser.add_argument("--workdir", type=Path, help="scratch copy (default: a new temp dir)")
    parser.add_argument("--max-children", type=int, default=1, help="parallel mutant runs")
    args = parser.parse_args(argv)
    source, tests = MODULES[args.module]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"sksssm-mutmut-{args.module}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive.stdout, check=True)
    config = workdir / "pyproject.toml"
    config.write_text(narrow_config(config.read_text(), source, tests))
    print(f"mutmut on {source} at commit {commit} in {workdir}", flush=True)
    start = time.perf_counter()
    with open(workdir / "mutmut-run.log", "w") as log:
        # its own process group, so that the time limit also stops mutmut's workers
        run = subprocess.Popen(
            ["mutmut", "run", "--max-children", str(args.max_children)],
            cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            finished = run.wait(timeout=args.timeout) == 0
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait()
            finished = False
    minutes = (time.perf_counter() - start) / 60
    results = subprocess.run(
        ["mutmut", "results", "--all", "true"], cwd=workdir, capture_output=True, text=True
    ).stdout
    counts = collections.Counter(
        line.rsplit(": ", 1)[1].strip() for line in results.splitlines() if ": " in line
    )
    summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
    state = "finished" if finished else f"stopped after {args.timeout:.0f} s"
    print(f"{sum(counts.values())} mutants ({state}, {minutes:.1f} min): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
