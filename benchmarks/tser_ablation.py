"""Ablation of ``SpectralFilterSequenceRegressor``'s head on Tecator and Covid3Month.

Every variant is chosen by the estimator's own leave-one-out error on the *training*
split; the test RMSE is reported next to it, never used to choose. The pooled features of
each set, seed and representation are computed once (exactly as ``fit`` computes them)
and every head variant is evaluated on them:

- ``best`` (the previous default, ``n_heads=1``): the representation (raw or
  standardized series), the feature set and the penalty with the smallest LOO error;
- ``top-k, one representation`` (the estimator's ``n_heads=k``; default 5): per
  representation, the equal-weight average of the ``k`` (feature set, penalty) heads
  with the smallest LOO errors, whose LOO predictions are the average of the members'
  (exact for fixed members); the representation whose average has the smaller LOO
  error;
- ``top-k, both``: the same over both representations together;
- ``per-set``: each (representation, feature set) at its best penalty, the heads averaged
  with weights proportional to ``1 / LOO MSE``;
- ``asinh``: each pooled column compressed by ``asinh((F - median) / MAD)`` (training
  median and MAD) before the standardization (heavy-tailed columns);
- target transforms (``log``: ``log(y + c)``, ``c`` the 5% quantile of the positive
  training targets, only for non-negative targets), compared by LOO RMSE in the units of
  ``y``; penalty grids (``floor``: smallest relative penalty).

Feature variants (``n_mixtures``, ``differences``, ``n_segments``) refit the features;
every variant is given with explicit values (the estimator's defaults: 64 mixtures,
first differences, 16 segments, 5 heads). ``--features`` runs them all.

Run ``python -m benchmarks.tser_ablation`` (writes the ``tser_ablation`` section of
docs/benchmarks.md) or ``--quick`` (one seed, writes nothing).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.utils.validation import check_random_state

from benchmarks._report import markdown_table, write_section

SEEDS = (0, 1, 2)
SETS = ("Tecator", "Covid3Month")
#: Dense penalty grid (relative to the number of columns); the variants use subsets.
GRID = np.logspace(-8, 3, 45)


def load(name):
    from benchmarks.tser import load as tser_load

    return tser_load(name)


def members(estimator, X_train, y_train, X_test, transform="standard", columns=None):
    """``[(key, loo_pred, test_pred)]`` in the units of ``y``, every (representation,
    feature set, penalty of :data:`GRID`), computed as ``estimator.fit`` computes them."""
    from sksssm.estimators._pooled import (
        check_padded_sequences,
        fit_estimator_pooling,
        standardize_features,
    )
    from sksssm.estimators.spectral import channel_location, channel_scale
    from sksssm.spectral._feature_sets import FEATURE_SETS, candidate_feature_sets
    from sksssm.spectral._pooling import pooled_features, pooled_features_shared
    from sksssm.spectral._ridge_loo import centred_eigh, ridge_loo_path

    X_btc, lengths = check_padded_sequences(estimator, X_train, reset=True)
    T_btc, t_lengths = check_padded_sequences(estimator, X_test, reset=False)
    location = channel_location(X_btc)
    scale = channel_scale(X_btc - location)
    X_btc, T_btc = (X_btc - location) / scale, (T_btc - location) / scale
    forward, inverse = target_transform(y_train, transform)
    z = forward(y_train)
    z_mean, z_scale = z.mean(), z.std()
    targets = ((z - z_mean) / z_scale)[:, None]
    seed = int(check_random_state(estimator.random_state).randint(np.iinfo(np.int32).max))
    reps = (False, True) if estimator.normalise == "loo" else (bool(estimator.normalise),)
    poolings = [
        fit_estimator_pooling(
            estimator, X_btc, lengths, normalise=r, cross=False, mixing_seed=seed
        )
        for r in reps
    ]
    train = pooled_features_shared(X_btc, poolings, lengths) if len(reps) > 1 else None
    out = []
    for i, pooling in enumerate(poolings):
        F = train[i] if train is not None else pooled_features(X_btc, pooling, lengths)
        F_test = pooled_features(T_btc, pooling, t_lengths)
        if columns is not None:  # a column transform fitted on the training features
            column = columns(F)
            F, F_test = column(F), column(F_test)
        F, mean, spread = standardize_features(F)
        F_test = (F_test - mean) / spread
        for name, mask in candidate_feature_sets(pooling, "loo", FEATURE_SETS):
            Fm = F[:, mask]
            s, U = centred_eigh(Fm @ Fm.T)
            for fit in ridge_loo_path(U, s, targets, GRID * F.shape[1]):
                test = F_test[:, mask] @ (Fm.T @ fit.dual) + targets.mean(axis=0)
                back = [inverse(v[:, 0] * z_scale + z_mean) for v in (fit.loo_decisions, test)]
                key = (pooling.normalise, name, fit.alpha / F.shape[1])
                out.append((key, *back))
    return out


def signed_log(F):
    """``asinh((F - median) / MAD)`` per column (heavy tails compressed), fitted on ``F``."""
    median = np.median(F, axis=0)
    mad = np.median(np.abs(F - median), axis=0)
    mad = np.where(mad > 0, mad, np.abs(F - median).max(axis=0))
    mad = np.where(mad > 0, mad, 1.0)
    return lambda G: np.arcsinh((G - median) / mad)


def target_transform(y, kind):
    if kind == "standard":
        return (lambda v: v), (lambda v: v)
    if kind == "log":
        if (y < 0).any():
            raise ValueError("log needs non-negative targets")
        c = np.quantile(y[y > 0], 0.05)
        return (lambda v: np.log(v + c)), (lambda v: np.exp(v) - c)
    raise ValueError(kind)


def rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


#: Penalty grids (relative): the default's, and the dense one from several floors.
GRIDS = {
    "default 1e-6..1e2 (17)": np.logspace(-6, 2, 17),
    "dense 1e-6..1e3 (37)": GRID[GRID >= 1e-6 * (1 - 1e-9)],
    "dense 1e-4..1e3 (29)": GRID[GRID >= 1e-4 * (1 - 1e-9)],
    "dense 1e-8..1e3 (45)": GRID,
}


def heads(entries, y_train, grid, top=(3, 5, 10)):
    """``{variant: (loo_rmse, test_pred)}`` for the head variants on ``entries``."""
    entries = [e for e in entries if np.isclose(e[0][2], grid, rtol=1e-6).any()]
    loo = np.array([rmse(e[1], y_train) for e in entries])
    order = np.argsort(loo, kind="stable")
    result = {"best": (loo[order[0]], entries[order[0]][2])}
    for k in top:
        chosen = order[:k]
        loo_pred = np.mean([entries[i][1] for i in chosen], axis=0)
        test_pred = np.mean([entries[i][2] for i in chosen], axis=0)
        result[f"top-{k}, both"] = (rmse(loo_pred, y_train), test_pred)
    for k in top:  # the representation whose own top-k has the smaller LOO error
        options = []
        for rep in {e[0][0] for e in entries}:
            chosen = [i for i in order if entries[i][0][0] == rep][:k]
            loo_pred = np.mean([entries[i][1] for i in chosen], axis=0)
            test_pred = np.mean([entries[i][2] for i in chosen], axis=0)
            options.append((rmse(loo_pred, y_train), rep, test_pred))
        loo_k, _, test_pred = min(options, key=lambda o: (o[0], o[1]))
        result[f"top-{k}, one representation"] = (loo_k, test_pred)
    per_set = {}
    for i in order:  # best penalty of each (representation, feature set)
        per_set.setdefault(entries[i][0][:2], i)
    idx = list(per_set.values())
    w = 1.0 / loo[idx] ** 2
    w /= w.sum()
    loo_pred = sum(wi * entries[i][1] for wi, i in zip(w, idx, strict=True))
    test_pred = sum(wi * entries[i][2] for wi, i in zip(w, idx, strict=True))
    result["per-set"] = (rmse(loo_pred, y_train), test_pred)
    return result


#: The heads shown for the variants other than the reference.
SHOWN = ("best", "top-5, one representation")


def run(seeds, feature_variants):
    from sksssm import SpectralFilterSequenceRegressor

    rows = {}
    for name in SETS:
        X_train, y_train, X_test, y_test = load(name)
        for label, params in feature_variants:
            for seed in seeds:
                est = SpectralFilterSequenceRegressor(random_state=seed, **params)
                reference = label == feature_variants[0][0]
                columns = signed_log if "asinh" in label else None
                for transform in ("standard", "log"):
                    if transform == "log" and not reference:
                        continue
                    start = time.perf_counter()
                    entries = members(est, X_train, y_train, X_test, transform, columns)
                    elapsed = time.perf_counter() - start
                    for i, (grid_name, grid) in enumerate(GRIDS.items()):
                        if i and (not reference or transform != "standard"):
                            continue
                        for head, (loo, pred) in heads(entries, y_train, grid).items():
                            every_head = reference and transform == "standard" and not i
                            if not every_head and head not in SHOWN:
                                continue
                            variant = (label, transform, grid_name, head)
                            rows.setdefault((name, variant), []).append((loo, rmse(pred, y_test)))
                    print(name, label, seed, transform, f"{elapsed:.1f}s", flush=True)
    return rows


#: ``(label, parameters)``: explicit values, whatever the estimator's defaults; the first
#: is the reference for the head, target and penalty variants.
FEATURE_VARIANTS = (
    ("n_mixtures=64", {"n_mixtures": 64}),
    ("n_mixtures=32", {"n_mixtures": 32}),
    ("n_mixtures=0", {"n_mixtures": 0}),
    ("n_mixtures=128", {"n_mixtures": 128}),
    ("n_mixtures=64, differences=False", {"n_mixtures": 64, "differences": False}),
    ("n_mixtures=64, n_segments=8", {"n_mixtures": 64, "n_segments": 8}),
    ("n_mixtures=64, n_segments=32", {"n_mixtures": 64, "n_segments": 32}),
    ("n_mixtures=64, features asinh-compressed", {"n_mixtures": 64}),
)


def table(rows):
    out = []
    for (name, (label, transform, grid, head)), values in rows.items():
        loo, test = np.array(values).T
        out.append([name, label, transform, grid, head, f"{loo.mean():.4g}", f"{test.mean():.4g}"])
    return markdown_table(
        ["dataset", "features", "target", "penalties", "head", "LOO RMSE (train)", "test RMSE"],
        out,
    )


INTRO = (
    "Each variant scored by its exact leave-one-out RMSE on the training split (what the "
    "estimator chooses by) and by its test RMSE (reported, never used to choose); means "
    "over seeds 0, 1, 2. Heads: `best` is `n_heads=1` (the previous default); `top-k, "
    "one representation` is `n_heads=k` (default 5); `top-k, both` averages over both "
    "representations; `per-set` averages each feature set's best head weighted by "
    "1 / LOO MSE. Target `log`: `log(y + c)`, LOO error back in the units of `y`. "
    "Penalties are relative to the number of pooled columns. The estimator's defaults "
    "are the first row group (64 mixtures, first differences, 16 segments)."
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed; writes nothing")
    parser.add_argument("--features", action="store_true", help="also the feature variants")
    args = parser.parse_args(argv)
    seeds = SEEDS[:1] if args.quick else SEEDS
    variants = FEATURE_VARIANTS if args.features else FEATURE_VARIANTS[:1]
    body = "\n\n".join([INTRO, table(run(seeds, variants))])
    print(body)
    if not args.quick:
        write_section(
            "tser_ablation",
            body,
            command="python -m benchmarks.tser_ablation"
            + (" --features" if args.features else ""),
            title="Series-to-value regression: ablation of the head",
        )


if __name__ == "__main__":
    main()
