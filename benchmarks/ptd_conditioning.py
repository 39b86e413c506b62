"""PTD conditioning: kappa(V) and ||E|| of HiPPO-LegS diagonalizations, and transfer errors.

Run: ``python benchmarks/ptd_conditioning.py``. Writes the section "ptd_conditioning" of
``docs/benchmarks.md`` and ``docs/images/ptd_transfer_function.png``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import markdown_table, write_section  # noqa: E402

from sksssm.ssm import (  # noqa: E402
    hippo_legs,
    hippo_legs_nplr,
    perturb_then_diagonalize,
    transfer_function,
    transfer_function_dense,
)

SIZES = (16, 32, 64, 128, 256)
IMAGE = Path(__file__).resolve().parents[1] / "docs" / "images" / "ptd_transfer_function.png"


def _relative_norm(E, A):
    return np.linalg.norm(E, 2) / np.linalg.norm(A, 2)


def conditioning_rows():
    rows = []
    for N in SIZES:
        A, B = hippo_legs(N)
        start = time.perf_counter()
        ptd = perturb_then_diagonalize(A, B)
        ptd_time = time.perf_counter() - start
        size = _relative_norm(ptd.E, A)
        start = time.perf_counter()
        random = perturb_then_diagonalize(A, B, method="random", max_norm=size)
        random_time = time.perf_counter() - start
        exact = perturb_then_diagonalize(A, B, method="none")
        for name, res, seconds in [
            ("exact eig (E = backward error)", exact, float("nan")),
            ("random E", random, random_time),
            ("PTD (optimize)", ptd, ptd_time),
        ]:
            rows.append([N, name, f"{res.condition_number:.3g}", f"{_relative_norm(res.E, A):.3g}",
                         f"{res.eigenvalues.real.max():.3g}", f"{seconds:.2f}"])  # fmt: skip
    return rows


def transfer_errors(N=64, seed=0):
    A, B = hippo_legs(N)
    C = np.random.default_rng(seed).standard_normal(N)
    omega = np.logspace(-2, 4, 400)
    G = transfer_function_dense(A, B, C, 1j * omega)
    ptd = perturb_then_diagonalize(A, B, C)
    random = perturb_then_diagonalize(A, B, C, method="random", max_norm=_relative_norm(ptd.E, A))
    S, _, _ = hippo_legs_nplr(N)
    approximations = {
        "S4D-LegS (drop low rank)": transfer_function_dense(S, B, C, 1j * omega),
        "random E, then eig": transfer_function(
            random.eigenvalues, random.B_tilde, random.C_tilde, 1j * omega
        ),
        "PTD": transfer_function(ptd.eigenvalues, ptd.B_tilde, ptd.C_tilde, 1j * omega),
    }
    errors = {k: np.abs(v - G) / np.abs(G).max() for k, v in approximations.items()}
    return omega, errors


def plot(omega, errors, N):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for name, err in errors.items():
        ax.loglog(omega, err, label=name)
    ax.set_xlabel(r"frequency $\omega$ ($s = i\omega$)")
    ax.set_ylabel(r"$|G(i\omega) - G_{HiPPO}(i\omega)| / \|G_{HiPPO}\|_\infty$")
    ax.set_title(f"Transfer-function error vs HiPPO-LegS, N = {N}")
    ax.legend()
    fig.tight_layout()
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(IMAGE, dpi=110)


def main():
    rows = conditioning_rows()
    N = 64
    omega, errors = transfer_errors(N)
    plot(omega, errors, N)
    high = omega > 10 * N
    error_rows = [
        [name, f"{err.max():.3g}", f"{err[high].max():.3g}"] for name, err in errors.items()
    ]
    body = "\n\n".join(
        [
            "Diagonalizing HiPPO-LegS (`perturb_then_diagonalize`, default settings): "
            "condition number of the unit-column eigenvector matrix, size of the "
            "perturbation that the returned decomposition diagonalizes exactly, largest "
            "real part of the eigenvalues, and time (PTD: one optimisation, then cached). "
            '"random E" has the same relative size as PTD\'s E.',
            markdown_table(
                ["N", "method", "kappa(V)", "norm(E)/norm(A)", "max Re(lambda)", "time [s]"], rows
            ),
            f"Transfer function errors over omega in [1e-2, 1e4] (N = {N}, random C), "
            f'relative to sup |G_HiPPO|; "high" is omega > {10 * N}:',
            markdown_table(["approximation", "sup error", "sup error (high freq.)"], error_rows),
            "![transfer-function error](images/ptd_transfer_function.png)",
        ]
    )
    print(body)
    write_section("ptd_conditioning", body, command="python benchmarks/ptd_conditioning.py")


if __name__ == "__main__":
    main()
