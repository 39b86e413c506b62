"""Series-to-value regression (TSER): Tecator and Covid3Month, ours vs the ROCKET family.

Both sets ship inside sktime (``sktime.datasets.load_tecator``, ``load_covid_3month``;
their fixed train/test splits). Models, fitted on the training split and scored by RMSE
on the test split, fit+predict timed side by side in this process:

- ``SpectralFilterSequenceRegressor()`` (defaults) with ``random_state`` 0, 1, 2 (the
  random filter mixtures are its only randomness);
- sktime's ``RocketRegressor`` (ROCKET, 10,000 kernels) and its MiniRocket transform
  (``rocket_transform="minirocket"``), ``random_state`` 0, 1, 2;
- ridge on the flattened, standardized series (``RidgeCV``, penalties ``logspace(-3, 3,
  13)``): the linear reference;
- ``SpectralFilterRegressor(pooling="stats")``, the previous pooled regressor, while the
  option exists.

Run ``python -m benchmarks.tser`` (writes the ``tser`` section of docs/benchmarks.md) or
``--quick`` (one seed, writes nothing).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from benchmarks._report import markdown_table, write_section

SEEDS = (0, 1, 2)


def load(name):
    """``(X_train, y_train, X_test, y_test)``: NaN-padded ``(n, channels, time)`` float64."""
    from sktime import datasets

    from sksssm.sktime import to_padded_numpy3d

    loader = {"Tecator": datasets.load_tecator, "Covid3Month": datasets.load_covid_3month}[name]
    parts = []
    for split in ("train", "test"):
        X, y = loader(split=split)
        parts += [to_padded_numpy3d(X), np.asarray(y, dtype=float)]
    return parts


def flattened_ridge():
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    return make_pipeline(
        FunctionTransformer(lambda X: X.reshape(len(X), -1)),
        StandardScaler(),
        RidgeCV(alphas=np.logspace(-3, 3, 13)),
    )


def models(seeds):
    """``[(family, seed, factory)]``."""
    from sktime.regression.kernel_based import RocketRegressor

    from sksssm import SpectralFilterRegressor, SpectralFilterSequenceRegressor

    entries = []
    for seed in seeds:
        entries.append(
            (
                "SpectralFilterSequenceRegressor()",
                seed,
                lambda s=seed: SpectralFilterSequenceRegressor(random_state=s),
            )
        )
    for seed in seeds:
        entries.append(
            (
                "ROCKET (sktime RocketRegressor)",
                seed,
                lambda s=seed: RocketRegressor(random_state=s),
            )
        )
    for seed in seeds:
        entries.append(
            (
                "MiniRocket (sktime RocketRegressor)",
                seed,
                lambda s=seed: RocketRegressor(rocket_transform="minirocket", random_state=s),
            )
        )
    entries.append(("ridge on the flattened series (RidgeCV)", None, flattened_ridge))
    if "pooling" in SpectralFilterRegressor().get_params():
        entries.append(
            (
                "SpectralFilterRegressor(pooling='stats') (previous)",
                None,
                lambda: SpectralFilterRegressor(pooling="stats"),
            )
        )
    return entries


def run_set(name, seeds):
    X_train, y_train, X_test, y_test = load(name)
    results = {}
    for family, seed, factory in models(seeds):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            predicted = np.asarray(factory().fit(X_train, y_train).predict(X_test), float)
        elapsed = time.perf_counter() - start
        rmse = float(np.sqrt(np.mean((predicted - y_test) ** 2)))
        results.setdefault(family, []).append((seed, rmse, elapsed))
        print(name, family, seed, f"{rmse:.4g}", f"{elapsed:.1f}s", flush=True)
    shape = f"{len(X_train)}/{len(X_test)}, C={X_train.shape[1]}, L={X_train.shape[2]}"
    return shape, results


def table(per_set):
    rows = []
    for name, (shape, results) in per_set.items():
        for family, runs in results.items():
            rmses = [rmse for _, rmse, _ in runs]
            seeds = ", ".join(f"{rmse:.4g}" for rmse in rmses) if len(runs) > 1 else "-"
            seconds = np.mean([elapsed for _, _, elapsed in runs])
            rows.append([name, shape, family, f"{np.mean(rmses):.4g}", seeds, f"{seconds:.1f}"])
    return markdown_table(
        [
            "dataset",
            "train/test, shape",
            "model",
            "test RMSE (mean)",
            "per seed",
            "fit+predict [s]",
        ],
        rows,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed; writes nothing")
    args = parser.parse_args(argv)
    seeds = SEEDS[:1] if args.quick else SEEDS
    per_set = {name: run_set(name, seeds) for name in ("Tecator", "Covid3Month")}
    body = "\n\n".join(
        [
            "Series-to-value regression on the two TSER sets that ship inside sktime, "
            "fixed train/test splits, test RMSE (lower is better); seeds 0, 1, 2 for the "
            "randomized models (mean and each). One thread "
            f"(OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}); times are "
            "fit+predict, side by side in one process on a shared machine (load average "
            "in the stamp).",
            table(per_set),
        ]
    )
    print(body)
    if not args.quick:
        write_section(
            "tser",
            body,
            command="python -m benchmarks.tser",
            title="Series-to-value regression (TSER)",
        )


if __name__ == "__main__":
    main()
