"""Cost levers of the deep SSM classifiers, before and after, side by side (issue 23).

The per-step cost of ``benchmarks/deep_profile.py``
(:func:`benchmarks.deep_profile.seconds_per_step`: ms per optimizer step, batch of 32,
one thread, set-up cost removed), measured for the
library as it was at each of :data:`REVISIONS`: each revision's ``sksssm`` package is
exported with ``git archive`` into a temporary folder and measured in its own
interpreter, and the revisions take turns cell by cell, so the load of the shared machine
weighs on all of them alike. Every revision runs the same explicit settings (the width
``d_model`` is passed, so a change of defaults between revisions does not enter).

Usage: ``python -m benchmarks.deep_levers`` (writes the section "deep_levers").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section

ROOT = Path(__file__).resolve().parent.parent
#: (label, commit) of the library states compared, oldest first.
REVISIONS = (
    ("before: next power of two, FFT along time", "2706029"),
    ("FFT length 2^a 3^b 5^c", "139e02c"),
    ("+ FFT along the last axis", "167070a"),
)
MODELS = ("PTDSSMClassifier", "HOPEClassifier", "STUClassifier")
#: 256 has a power-of-two FFT length already (512); 257 and 286 (Coffee) do not.
LENGTHS = (256, 257, 286)
SETTING = {"d_model": 16}

_MEASURE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import sksssm
assert sksssm.__file__.startswith(sys.argv[1]), sksssm.__file__
from benchmarks import protocol
from benchmarks.deep_profile import seconds_per_step
from sksssm.nn import fft_size
with protocol.one_thread():
    cls = getattr(sksssm, sys.argv[3])
    n = int(sys.argv[4])
    print(json.dumps([seconds_per_step(cls, json.loads(sys.argv[5]), n), fft_size(n, n)]))
"""


def export(commit, directory):
    """Extract ``sksssm/`` of ``commit`` into ``directory``; return that folder."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "sksssm"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    target = Path(directory) / commit
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def measure(source, model, n_timesteps):
    """``(seconds per step, FFT length)`` of ``model`` from the library in ``source``."""
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            str(source),
            str(ROOT),
            model,
            str(n_timesteps),
            json.dumps(SETTING),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="STU at L=257 only, no file")
    args = parser.parse_args(argv)
    models, lengths = (MODELS[2:], LENGTHS[1:2]) if args.quick else (MODELS, LENGTHS)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, protocol.one_thread():
        sources = {commit: export(commit, tmp) for _, commit in REVISIONS}
        for model in models:
            for n in lengths:
                cells = [measure(sources[commit], model, n) for _, commit in REVISIONS]
                first, last = cells[0][0], cells[-1][0]
                rows.append(
                    [
                        model,
                        str(n),
                        f"{cells[0][1]} / {cells[-1][1]}",
                        *(f"{seconds * 1e3:.0f}" for seconds, _ in cells),
                        f"{first / last:.2f}",
                    ]
                )
                print(rows[-1], flush=True)
    header = [
        "model",
        "L",
        "FFT length before / after",
        *(f"ms/step: {label} (`{commit}`)" for label, commit in REVISIONS),
        "speed-up",
    ]
    body = "\n\n".join(
        [
            "Milliseconds per optimizer step (forward, backward, update; batch of 32, "
            f"`{', '.join(f'{k}={v}' for k, v in SETTING.items())}`, otherwise defaults; "
            "random series of length L; one thread) of the library at each commit, "
            "measured in turns in one run (see the script's docstring). Speed-up: first "
            "column over last. The machine is shared: compare columns within a row.",
            markdown_table(header, rows),
        ]
    )
    print(body)
    if not args.quick:
        write_section(
            "deep_levers",
            body,
            command="python -m benchmarks.deep_levers",
            title="Deep SSM classifiers: cost levers before and after",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
