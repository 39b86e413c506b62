"""MultiRocket-Hydra (aeon) timed by the protocol, in aeon's own interpreter (issue 20).

aeon 1.6.0 pins ``numba<0.64``, while the development environment's sktime stack uses a
newer numba, so aeon lives in a separate virtual environment. Create it once::

    python3 -m venv /work/venv-aeon
    /work/venv-aeon/bin/pip install torch==2.13.0   # CPU wheel; Hydra needs torch
    /work/venv-aeon/bin/pip install aeon==1.6.0

and point ``SKSSSM_AEON_PYTHON`` at its interpreter if it lives elsewhere (default
``/work/venv-aeon/bin/python``).

:class:`AeonWorker` (used by ``benchmarks/ucr.py``) starts this file as a script in that
interpreter, once, and sends it one data set at a time: a ``.npz`` path (``X_train``,
``y_train``, ``X_test``, ``y_test``) on a line of its standard input. The script fits
``MultiRocketHydraClassifier(random_state=0, n_jobs=1)`` warm exactly as the protocol
does (``warm_up`` on ``warm_up_slice``, then ``timed``; the functions are loaded from
``benchmarks/protocol.py`` by path, so there is one definition of the rule) on one
thread, and answers one JSON line: ``{"accuracy": ..., "seconds": ...}``, or
``{"error": ...}``. Its first line names the library versions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SPEC = "aeon MultiRocketHydraClassifier(random_state=0, n_jobs=1)"
DEFAULT_PYTHON = "/work/venv-aeon/bin/python"
HERE = Path(__file__).resolve().parent


class AeonWorker:
    """A long-lived aeon interpreter running this script (a context manager).

    Raises
    ------
    FileNotFoundError
        If the aeon interpreter does not exist (the message says how to create it).
    RuntimeError
        If the worker fails to start or to answer.
    """

    def __init__(self, python: str | None = None):
        self.python = python or os.environ.get("SKSSSM_AEON_PYTHON", DEFAULT_PYTHON)

    def __enter__(self):
        if not Path(self.python).exists():
            raise FileNotFoundError(
                f"No aeon interpreter at {self.python}: create it as the docstring of "
                "benchmarks/aeon_runner.py says, or set SKSSSM_AEON_PYTHON."
            )
        env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
        self.process = subprocess.Popen(
            [self.python, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.versions = self._answer()["versions"]
        return self

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"The aeon worker ({self.python}) stopped; see its stderr above.")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"The aeon worker failed: {answer['error']}")
        return answer

    def run(self, data_file: Path) -> tuple[float, float]:
        """``(accuracy, fit+predict seconds)`` on the set stored in ``data_file``."""
        self.process.stdin.write(f"{data_file}\n")
        self.process.stdin.flush()
        answer = self._answer()
        return answer["accuracy"], answer["seconds"]

    def __exit__(self, *exc):
        self.process.stdin.close()
        self.process.wait(timeout=60)


# ------------------------------------------------------------ the script, in aeon's env
def _protocol():
    """``benchmarks/protocol.py`` loaded by path (this interpreter lacks sksssm's deps)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_protocol", HERE / "protocol.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _serve():
    import functools
    from importlib import metadata

    import numpy as np
    import torch
    from aeon.classification.convolution_based import MultiRocketHydraClassifier
    from threadpoolctl import threadpool_limits

    protocol = _protocol()
    torch.set_num_threads(1)
    names = ("aeon", "numpy", "numba", "scikit-learn", "torch")
    print(json.dumps({"versions": {n: metadata.version(n) for n in names}}), flush=True)

    def fit_predict(X, y, X_predict):
        model = MultiRocketHydraClassifier(random_state=0, n_jobs=1)
        return model.fit(X, y).predict(X_predict)

    with threadpool_limits(limits=1):
        for line in sys.stdin:
            try:
                data = np.load(line.strip())
                X, y, X_test = data["X_train"], data["y_train"], data["X_test"]
                warm = protocol.warm_up_slice(X, y, X_test)
                protocol.warm_up(functools.partial(fit_predict, *warm))
                predicted, seconds = protocol.timed(functools.partial(fit_predict, X, y, X_test))
                accuracy = float(np.mean(np.asarray(predicted) == data["y_test"]))
                answer = {"accuracy": accuracy, "seconds": seconds}
            except Exception as error:  # reported to the caller, which raises it
                answer = {"error": f"{type(error).__name__}: {error}"}
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    _serve()
