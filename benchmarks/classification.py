"""Time series classification on sktime's bundled datasets (no downloads).

GunPoint (univariate, 50 train / 150 test, length 150), ItalyPowerDemand (univariate,
67 / 1029, length 24) and BasicMotions (6 channels, 40 / 40, length 100), loaded with
``sktime.datasets.load_*(split=..., return_type="numpy3D")``. Every model is fitted once
on the train split with the fixed hyper-parameters below (chosen before looking at any
test score; nothing is tuned) and scored on the test split, next to a 1-NN Euclidean
baseline on the flattened series.

Run: ``python -m benchmarks.classification`` (writes the section "classification" of
``docs/benchmarks.md``; about 5-10 minutes on 2 shared CPU cores).
"""

from __future__ import annotations

import time

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_basic_motions, load_gunpoint, load_italy_power_demand

from benchmarks._report import markdown_table, write_section
from sksssm import HOPEClassifier, PTDSSMClassifier, SpectralFilterClassifier

SEED = 0
#: Shared by every deep model: small enough for a CPU run of a few minutes.
DEEP = dict(
    lr=3e-3,
    pooling="mean",
    d_model=32,
    n_layers=2,
    max_epochs=40,
    batch_size=16,
    device="cpu",
    random_state=SEED,
)
#: 32: when this table was measured, S4-PTD at N=64 (modes with Re(lambda) ~ -1000) had
#: NaN float32 gradients (since fixed in DiagonalSSMConv.kernel); kept for comparability.
STATE_DIM = 32
#: The PTD perturbation size used when the table was measured (the default is now 3e-3).
PTD = dict(ptd_method="optimize", ptd_max_norm=0.03)
DATASETS = {
    "GunPoint": load_gunpoint,
    "ItalyPowerDemand": load_italy_power_demand,
    "BasicMotions": load_basic_motions,
}


def models():
    """Name -> unfitted estimator (fresh for every dataset)."""
    return {
        "1-NN Euclidean": KNeighborsClassifier(n_neighbors=1),
        "SpectralFilterClassifier": SpectralFilterClassifier(n_filters=24, **DEEP),
        "S4-PTD (mode s4)": PTDSSMClassifier(STATE_DIM, mode="s4", init="ptd", **PTD, **DEEP),
        "S5-PTD (mode s5)": PTDSSMClassifier(STATE_DIM, mode="s5", init="ptd", **PTD, **DEEP),
        "S4D-LegS (mode s4)": PTDSSMClassifier(STATE_DIM, mode="s4", init="s4d-legs", **DEEP),
        "HOPEClassifier": HOPEClassifier(STATE_DIM, **DEEP),
    }


def load(loader):
    """``(X_train, y_train, X_test, y_test)``, X as ``(n_samples, n_channels, n_timesteps)``."""
    X_train, y_train = loader(split="train", return_type="numpy3D")
    X_test, y_test = loader(split="test", return_type="numpy3D")
    return X_train, y_train, X_test, y_test


def score(name, model, X_train, y_train, X_test, y_test):
    """Test accuracy and fit time; the 1-NN baseline sees the flattened series."""
    if isinstance(model, KNeighborsClassifier):
        X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    return float(np.mean(model.predict(X_test) == y_test)), fit_time


def main():
    torch.set_num_threads(1)
    rows = []
    for dataset, loader in DATASETS.items():
        X_train, y_train, X_test, y_test = load(loader)
        for name, model in models().items():
            accuracy, fit_time = score(name, model, X_train, y_train, X_test, y_test)
            shape = (
                f"{X_train.shape[0]}/{X_test.shape[0]}, C={X_train.shape[1]}, L={X_train.shape[2]}"
            )
            rows.append([dataset, shape, name, f"{accuracy:.3f}", f"{fit_time:.1f}"])
            print(rows[-1], flush=True)
    body = "\n\n".join(
        [
            "Test accuracy on sktime's bundled datasets (train/test split as shipped; "
            "`n_train/n_test, C=channels, L=length`). One fit per model, seed "
            f"`random_state={SEED}`, no tuning. Deep models share `d_model=32, n_layers=2, "
            "max_epochs=40, batch_size=16`, AdamW `lr=3e-3`, mean pooling, cosine schedule, "
            "no early stopping, inputs standardized per channel; "
            f"SSMs use `state_dim={STATE_DIM}`, "
            "the spectral model `n_filters=24`. (`state_dim=64` was avoided: S4-PTD then "
            "diverged at the first batch, NaN float32 gradients of its fastest modes, "
            "since fixed.) "
            "PTD uses the estimator defaults "
            "(`ptd_method='optimize', ptd_max_norm=0.03`). Fit time on CPU, one torch "
            "thread, a shared machine: compare times within a dataset only.",
            markdown_table(["dataset", "shape", "model", "test accuracy", "fit time [s]"], rows),
        ]
    )
    print(body)
    write_section("classification", body, command="python -m benchmarks.classification")


if __name__ == "__main__":
    main()
