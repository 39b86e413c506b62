"""Series-to-value regression (TSER): Tecator and Covid3Month, ours vs the ROCKET family.

Both sets ship inside sktime (``sktime.datasets.load_tecator``, ``load_covid_3month``;
their fixed train/test splits). Models, fitted on the training split and scored by RMSE
on the test split, fit+predict timed side by side in this process:

- ``SpectralFilterSequenceRegressor()`` (defaults) with ``random_state`` 0, 1, 2 (the
  random filter mixtures are its only randomness);
- ``SpectralFilterSequenceRegressor(normalise="both")`` (the LOO-best model of each
  representation, raw and standardized, averaged: the classifier's default) and, from
  the same fit, the one of its two heads and their average with the smallest training
  leave-one-out error (``"loo"`` with the average as a third candidate), seeds 0, 1, 2;
- sktime's ``RocketRegressor`` (ROCKET, 10,000 kernels) and its MiniRocket transform
  (``rocket_transform="minirocket"``), ``random_state`` 0, 1, 2;
- the same ROCKET features (sktime's ``Rocket`` transform, seeds 0, 1, 2) with the
  penalty chosen by ``RidgeCV``'s leave-one-out error over ``logspace(-3, 6, 28)``: on
  Covid3Month ``RocketRegressor``'s penalty sits at the top of its grid (``1e3``) where
  its own leave-one-out error is worse than the training mean's; this row shows what
  the same features give when the grid contains the leave-one-out optimum;
- ridge on the flattened, standardized series (``RidgeCV``, penalties ``logspace(-3, 3,
  13)``): the linear reference;
- the training mean (the constant prediction): the floor any model must beat;
- ``SpectralFilterRegressor()``, the linear STU at the last step (its model of a
  target is a linear filter of the inputs): what ``sksssm.sktime.SSMTimeSeriesRegressor()``
  wrapped by default until session 52.

Each row's test RMSE is set against the default's by a paired bootstrap over the test
series (:func:`paired_interval`): the 95% interval of the row's RMSE minus the default's,
from the per-series squared errors averaged over the seeds, so a difference smaller than
the test set can tell apart shows as an interval containing 0.

Every row also reports its leave-one-out RMSE on the training split where the model
computes one (``loo_rmse_``; ``RidgeCV``'s ``best_score_``; the mean's is its standard
deviation times ``n / (n - 1)``): that is what the penalties are chosen by, while the
test RMSE is the score.

Run ``python -m benchmarks.tser`` (writes the ``tser`` section of docs/benchmarks.md) or
``--quick`` (one seed, writes nothing).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from functools import partial

import numpy as np

from benchmarks._report import markdown_table, write_section

SEEDS = (0, 1, 2)
#: The row every other is compared with (:func:`paired_interval`).
REFERENCE = "SpectralFilterSequenceRegressor()"
#: Bootstrap resamples of the test series, and their seed.
N_BOOTSTRAP, BOOTSTRAP_SEED = 10_000, 0


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


#: The wider penalty grid of the "ROCKET features, LOO penalty" row.
WIDE_ALPHAS = np.logspace(-3, 6, 28)


class RocketWide:
    """sktime's ``Rocket`` features, scaled as ``RocketRegressor`` scales them
    (``StandardScaler(with_mean=False)``), with the penalty chosen by ``RidgeCV``'s
    leave-one-out error over :data:`WIDE_ALPHAS`."""

    def __init__(self, random_state):
        self.random_state = random_state

    def fit(self, X, y):
        from sklearn.linear_model import RidgeCV
        from sklearn.preprocessing import StandardScaler
        from sktime.transformations.panel.rocket import Rocket

        self.rocket_ = Rocket(random_state=self.random_state).fit(X)
        F = np.asarray(self.rocket_.transform(X), dtype=float)
        self.scaler_ = StandardScaler(with_mean=False).fit(F)
        self.ridge_ = RidgeCV(alphas=WIDE_ALPHAS).fit(self.scaler_.transform(F), y)
        self.loo_rmse_ = float(np.sqrt(-self.ridge_.best_score_))
        return self

    def predict(self, X):
        F = np.asarray(self.rocket_.transform(X), dtype=float)
        return self.ridge_.predict(self.scaler_.transform(F))


class LooOfThree:
    """``SpectralFilterSequenceRegressor(normalise="both")``, then the one of its raw
    head, its standardized head and their average with the smallest training
    leave-one-out RMSE (ties: that order): ``"loo"`` with the average as a third
    candidate, from one fit."""

    def __init__(self, random_state):
        self.random_state = random_state

    def fit(self, X, y):
        from sksssm import SpectralFilterSequenceRegressor

        both = SpectralFilterSequenceRegressor(normalise="both", random_state=self.random_state)
        both.fit(X, y)
        options = [*both.estimators_, both]  # one head on the streaming path: no matter
        self.model_ = min(options, key=lambda model: float(model.loo_rmse_[0]))
        self.loo_rmse_ = self.model_.loo_rmse_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class TrainingMean:
    """The constant prediction: the mean of the training targets."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        self.loo_rmse_ = float(np.std(y) * len(y) / (len(y) - 1))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def loo_rmse(model):
    """The training leave-one-out RMSE a fitted model reports, or None."""
    if hasattr(model, "loo_rmse_"):
        return float(np.ravel(model.loo_rmse_)[0])
    ridge = getattr(model, "estimator_", model)  # RocketRegressor: its delegate
    ridge = getattr(ridge, "regressor_", ridge)
    ridge = ridge.steps[-1][1] if hasattr(ridge, "steps") else ridge
    score = getattr(ridge, "best_score_", None)
    return None if score is None else float(np.sqrt(-score))


def models(seeds):
    """``[(family, seed, factory)]``."""
    from sktime.regression.kernel_based import RocketRegressor

    from sksssm import SpectralFilterRegressor, SpectralFilterSequenceRegressor

    seeded = {
        "SpectralFilterSequenceRegressor()": lambda s: SpectralFilterSequenceRegressor(
            random_state=s
        ),
        "SpectralFilterSequenceRegressor(normalise='both')": lambda s: (
            SpectralFilterSequenceRegressor(normalise="both", random_state=s)
        ),
        "raw, standardized or their average by LOO (from normalise='both')": LooOfThree,
        "ROCKET (sktime RocketRegressor)": lambda s: RocketRegressor(random_state=s),
        "MiniRocket (sktime RocketRegressor)": lambda s: RocketRegressor(
            rocket_transform="minirocket", random_state=s
        ),
        "ROCKET features, LOO penalty over logspace(-3, 6, 28)": RocketWide,
    }
    entries = [
        (family, seed, partial(build, seed)) for family, build in seeded.items() for seed in seeds
    ]
    entries.append(("ridge on the flattened series (RidgeCV)", None, flattened_ridge))
    entries.append(("training mean", None, TrainingMean))
    # sktime's SSMTimeSeriesRegressor() wrapped it until session 52
    entries.append(
        ("SpectralFilterRegressor() (the linear STU at the last step)", None,
         SpectralFilterRegressor)
    )  # fmt: skip
    return entries


def paired_interval(errors, reference_errors, n_resamples=N_BOOTSTRAP, seed=BOOTSTRAP_SEED):
    """95% bootstrap interval of ``RMSE(errors) - RMSE(reference_errors)``.

    ``errors`` and ``reference_errors`` are the squared errors of two models on the same
    test series (one per series, in the same order); the series are resampled with
    replacement, both models' errors together (a paired bootstrap), ``n_resamples``
    times from ``numpy.random.default_rng(seed)``.

    Examples
    --------
    >>> import numpy as np
    >>> low, high = paired_interval(np.full(50, 4.0), np.full(50, 1.0))
    >>> float(low), float(high)
    (1.0, 1.0)
    """
    errors, reference_errors = np.asarray(errors), np.asarray(reference_errors)
    rows = np.random.default_rng(seed).integers(0, len(errors), (n_resamples, len(errors)))
    differences = np.sqrt(errors[rows].mean(axis=1)) - np.sqrt(reference_errors[rows].mean(axis=1))
    low, high = np.percentile(differences, [2.5, 97.5])
    return low, high


def run_set(name, seeds):
    X_train, y_train, X_test, y_test = load(name)
    results = {}
    for family, seed, factory in models(seeds):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = factory().fit(X_train, y_train)
            predicted = np.asarray(model.predict(X_test), float)
        elapsed = time.perf_counter() - start
        rmse = float(np.sqrt(np.mean((predicted - y_test) ** 2)))
        squared = (predicted - y_test) ** 2
        results.setdefault(family, []).append((seed, rmse, elapsed, loo_rmse(model), squared))
        print(name, family, seed, f"{rmse:.4g}", f"{elapsed:.1f}s", flush=True)
    shape = f"{len(X_train)}/{len(X_test)}, C={X_train.shape[1]}, L={X_train.shape[2]}"
    return shape, results


def table(per_set):
    rows = []
    for name, (shape, results) in per_set.items():
        # per-series squared errors, averaged over the seeds
        squared = {
            family: np.mean([run[4] for run in runs], axis=0) for family, runs in results.items()
        }
        for family, runs in results.items():
            rmses = [rmse for _, rmse, _, _, _ in runs]
            seeds = ", ".join(f"{rmse:.4g}" for rmse in rmses) if len(runs) > 1 else "-"
            seconds = np.mean([elapsed for _, _, elapsed, _, _ in runs])
            loos = [loo for _, _, _, loo, _ in runs if loo is not None]
            loo = f"{np.mean(loos):.4g}" if loos else "-"
            versus = "-"
            if family != REFERENCE:
                low, high = paired_interval(squared[family], squared[REFERENCE])
                versus = f"[{low:+.3g}, {high:+.3g}]"
            rows.append(
                [
                    name,
                    shape,
                    family,
                    f"{np.mean(rmses):.4g}",
                    seeds,
                    versus,
                    loo,
                    f"{seconds:.1f}",
                ]
            )
    return markdown_table(
        [
            "dataset",
            "train/test, shape",
            "model",
            "test RMSE (mean)",
            "per seed",
            "RMSE - default's, 95% paired bootstrap",
            "training LOO RMSE (mean)",
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
            "in the stamp). The training LOO RMSE is what each model's penalty is chosen by "
            "(the training mean's: its leave-one-out error). The interval column: a paired "
            f"bootstrap over the test series ({N_BOOTSTRAP:,} resamples, seed "
            f"{BOOTSTRAP_SEED}) of the row's RMSE minus the default's "
            f"(`{REFERENCE}`), from the per-series squared errors averaged over the "
            "seeds; an interval containing 0 is a difference this test set cannot tell "
            "apart.",
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
