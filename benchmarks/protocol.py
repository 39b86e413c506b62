"""The evaluation protocol every corpus benchmark uses (issue 20).

- Defaults only, official splits (UCR train/test files) and horizons (M3: 6/8/18/8).
- Per data set: accuracy, or MASE and sMAPE, and fit+predict seconds on one thread
  (:func:`one_thread`).
- Timed warm: :func:`timed` is called after a warm-up fit on a tiny slice of the same
  data (:func:`warm_up` on :func:`warm_up_slice`: same dtype, channels, length and memory
  layout, so numba compiles the very specialisations the timed run uses), so imports and
  numba compilation are excluded, for the anchors and sksssm alike.
- Anchors are timed as their algorithms, not through framework plumbing: ROCKET and
  MiniRocket are sktime's transformers followed by scikit-learn's ``StandardScaler`` and
  ``RidgeClassifierCV`` on NumPy arrays (:class:`RocketRidge`). sktime's
  ``RocketClassifier`` builds the same pipeline but wraps the scaler in an sktime
  adaptor that converts the 10,000-20,000-column feature table column by column (pandas
  dtype coercion): on Coffee that is 3.5 of its 3.6 s (MiniRocket itself: 0.14 s).
- Bake-off summaries (:func:`summary`): mean score, mean rank (1 = best; ties share the
  mean rank), wins/draws/losses against each anchor and the Wilcoxon signed-rank p-value.
"""

from __future__ import annotations

import os
import time
import warnings
from contextlib import contextmanager

import numpy as np


@contextmanager
def one_thread():
    """Limit BLAS/OpenMP pools (threadpoolctl) and torch to one thread."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(previous)


def timed(fit_predict):
    """Run ``fit_predict()`` quietly; return ``(its result, seconds)``."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_predict()
    return result, time.perf_counter() - start


def warm_up(fit_predict):
    """Run ``fit_predict`` once untimed (imports, numba compilation); errors propagate."""
    timed(fit_predict)


def warm_up_slice(X, y, X_predict, per_class=2, n_predict=5):
    """A tiny slice of the real data to warm a model up on: ``X, y, X_predict``.

    At most ``per_class`` training cases of each class and ``n_predict`` cases to predict,
    as C-contiguous copies of the same dtype, channels and length as the full arrays:
    numba compiles one specialisation per argument type (dtype, number of dimensions,
    memory layout), so a warm-up on other types would leave the timed run to compile.
    """
    X, X_predict, y = np.asarray(X), np.asarray(X_predict), np.asarray(y)
    keep = np.concatenate([np.flatnonzero(y == c)[:per_class] for c in np.unique(y)])
    return (
        np.ascontiguousarray(X[keep]),
        y[keep],
        np.ascontiguousarray(X_predict[:n_predict]),
    )


class RocketRidge:
    """ROCKET or MiniRocket (sktime transformer, one thread) + scaler + ridge, on arrays.

    The classifier of the ROCKET and MiniRocket papers, as sktime's ``RocketClassifier``
    builds it (``StandardScaler(with_mean=False)``, ``RidgeClassifierCV`` with 10 alphas
    in ``[1e-3, 1e3]``; same predictions), without its per-column table conversion; with
    ``regression=True`` the same features and scaler with ``RidgeCV`` over the same
    alphas (series-to-value targets).

    Parameters
    ----------
    transform : {"rocket", "minirocket"}
    random_state : int
    regression : bool, default=False
    """

    def __init__(self, transform="minirocket", random_state=0, *, regression=False):
        self.transform, self.random_state = transform, random_state
        self.regression = regression

    def fit(self, X, y):
        from sklearn.linear_model import RidgeClassifierCV, RidgeCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sktime.transformations.panel.rocket import MiniRocket, MiniRocketMultivariate, Rocket

        if self.transform == "rocket":
            kind = Rocket
        elif self.transform == "minirocket":
            kind = MiniRocket if X.shape[1] == 1 else MiniRocketMultivariate
        else:
            raise ValueError(
                f"transform must be 'rocket' or 'minirocket', not {self.transform!r}."
            )
        ridge = RidgeCV if self.regression else RidgeClassifierCV
        self.transformer_ = kind(random_state=self.random_state, n_jobs=1).fit(X)
        self.ridge_ = make_pipeline(
            StandardScaler(with_mean=False), ridge(alphas=np.logspace(-3, 3, 10))
        ).fit(np.asarray(self.transformer_.transform(X)), y)
        return self

    def predict(self, X):
        return self.ridge_.predict(np.asarray(self.transformer_.transform(X)))


def baseline_estimator(directory, module, name):
    """The class ``name`` of ``module`` from the ``sksssm`` package under ``directory``.

    Another version of the library (e.g. ``git worktree add /tmp/base COMMIT``), imported
    beside this one so that both can be timed in one process, item by item in turn: its
    modules get their own ``sys.modules`` generation, so each version's functions keep
    their own globals; this version's modules are restored afterwards.

    Raises
    ------
    RuntimeError
        If the class imported does not come from ``directory``.
    """
    import importlib
    import sys
    from pathlib import Path

    importlib.import_module(module)  # this version first, to restore it afterwards
    ours = {k: v for k, v in sys.modules.items() if k == "sksssm" or k.startswith("sksssm.")}
    for key in ours:
        del sys.modules[key]
    sys.path.insert(0, str(directory))
    try:
        baseline = getattr(importlib.import_module(module), name)
    finally:
        sys.path.remove(str(directory))
        for key in [k for k in sys.modules if k == "sksssm" or k.startswith("sksssm.")]:
            del sys.modules[key]
        sys.modules.update(ours)
    if Path(directory).resolve() not in Path(baseline._fit.__code__.co_filename).resolve().parents:
        raise RuntimeError(f"no sksssm package under {directory}")
    return baseline


# ------------------------------------------------------------------------------ metrics
def mase(y_train, y_test, y_pred, period):
    """Mean absolute scaled error, scaled by the in-sample seasonal naive error.

    The scale is ``mean |y[t] - y[t - period]|`` over the training series (``period`` 1:
    the naive forecast's error), as in the M4 competition.

    Raises
    ------
    ValueError
        If the training series is not longer than ``period`` or its scale is zero.
    """
    y_train = np.asarray(y_train, dtype=float)
    if len(y_train) <= period:
        raise ValueError(f"MASE needs more than period={period} training values.")
    scale = np.mean(np.abs(y_train[period:] - y_train[:-period]))
    if not scale > 0:
        raise ValueError("MASE is undefined: the in-sample seasonal naive error is zero.")
    error = np.abs(np.asarray(y_test, dtype=float) - np.asarray(y_pred, dtype=float))
    return float(np.mean(error) / scale)


def geometric_mean(values):
    """Geometric mean of positive scores (a zero counts as 1e-12, not as minus infinity)."""
    return float(np.exp(np.mean(np.log(np.maximum(values, 1e-12)))))


def smape(y_test, y_pred):
    """Symmetric MAPE in percent: ``mean(200 |y - f| / (|y| + |f|))`` (M3/M4 definition)."""
    y_test, y_pred = np.asarray(y_test, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.mean(200.0 * np.abs(y_test - y_pred) / (np.abs(y_test) + np.abs(y_pred))))


def pooled_coverage(shares, points):
    """Share of all test points inside the intervals, from each series' share.

    ``shares`` is ``(n_series, ...)`` (e.g. the 80% and 95% coverage of each series),
    ``points`` each series' number of test points: each share counts with its series'
    points, so a series with 18 test points weighs three times one with 6 (the plain
    mean over series would weigh them alike). Where every series has the same number of
    points (one M3 frequency) it equals the mean over series.

    Examples
    --------
    >>> pooled_coverage([[1.0], [0.0]], [6, 18])  # 6 of 24 points covered
    array([0.25])
    """
    return np.average(np.asarray(shares, dtype=float), axis=0, weights=np.asarray(points))


def autoets_intervals(forecaster, horizon, coverages=(0.8, 0.95)):
    """The intervals ``(horizon, 2 * len(coverages))`` of a fitted sktime ``AutoETS``.

    Columns: lower and upper bound of each coverage in turn (as ``predict_interval``).
    sktime 1.2.0's ``predict_interval`` passes ``simulate_kwargs=...`` as a keyword that
    statsmodels 0.15's ``ETSResults.get_prediction`` (which takes ``**simulate_kwargs``)
    forwards to ``simulate`` and fails, for every model whose intervals are simulated
    (multiplicative ones); this asks statsmodels for the same prediction
    (``get_prediction(start, end)``, simulated for multiplicative models with a fixed
    ``rng``) and reads the intervals as sktime does (``pred_int(alpha)``).
    """
    results = forecaster._fitted_forecaster
    n = forecaster._y_len if hasattr(forecaster, "_y_len") else int(results.nobs)
    prediction = results.get_prediction(start=n, end=n + horizon - 1, rng=0)
    return np.column_stack([np.asarray(prediction.pred_int(alpha=1 - c))[:horizon]
                            for c in coverages])  # fmt: skip


def interval_bounds(forecaster, horizon, coverages=(0.8, 0.95)):
    """The intervals ``(horizon, 2 * len(coverages))`` of a fitted sktime forecaster.

    ``predict_interval(coverage=coverages)``, except for sktime's ``AutoETS``, whose
    intervals come from :func:`autoets_intervals` (sktime's own fail for multiplicative
    models). Errors propagate: a caller counts what fails, it does not skip it.
    """
    from sktime.forecasting.ets import AutoETS

    if isinstance(forecaster, AutoETS):
        return autoets_intervals(forecaster, horizon, coverages)
    return np.asarray(forecaster.predict_interval(coverage=list(coverages)), dtype=float)


def ranks(scores, higher_is_better=True):
    """Rank methods (columns) within each data set (row): 1 = best, ties share the mean.

    ``scores`` has shape ``(n_sets, n_methods)``.
    """
    from scipy.stats import rankdata

    scores = np.asarray(scores, dtype=float)
    return rankdata(-scores if higher_is_better else scores, axis=1)


def wins_draws_losses(ours, theirs, higher_is_better=True, tol=0.0):
    """Counts of data sets where ``ours`` beats, ties (within ``tol``) or loses to ``theirs``."""
    diff = np.asarray(ours, dtype=float) - np.asarray(theirs, dtype=float)
    if not higher_is_better:
        diff = -diff
    return int(np.sum(diff > tol)), int(np.sum(np.abs(diff) <= tol)), int(np.sum(diff < -tol))


def wilcoxon_p(ours, theirs):
    """Two-sided Wilcoxon signed-rank p-value (zero differences dropped; NaN if all tie)."""
    from scipy.stats import wilcoxon

    diff = np.asarray(ours, dtype=float) - np.asarray(theirs, dtype=float)
    if not np.any(diff != 0):
        return float("nan")
    return float(wilcoxon(diff, zero_method="wilcox").pvalue)


def summary(scores, methods, ours, higher_is_better=True, precision=4):
    """Rows ``[method, mean score, mean rank, W/D/L vs ours, Wilcoxon p]``.

    ``scores`` is ``(n_sets, n_methods)`` over the data sets where every method ran; the
    W/D/L and p columns compare ``ours`` (a method name) with each other method. The
    mean score is formatted once, with ``precision`` decimals (a cell rounded again
    later could round the wrong way: 1.43355 -> "1.4335" -> "1.433").
    """
    scores = np.asarray(scores, dtype=float)
    mean_rank = ranks(scores, higher_is_better).mean(axis=0)
    mine = scores[:, methods.index(ours)]
    rows = []
    for j, method in enumerate(methods):
        if method == ours:
            wdl, p = "-", "-"
        else:
            wins, draws, losses = wins_draws_losses(mine, scores[:, j], higher_is_better)
            wdl, p = f"{wins}/{draws}/{losses}", f"{wilcoxon_p(mine, scores[:, j]):.3g}"
        mean = f"{scores[:, j].mean():.{precision}f}"
        rows.append([method, mean, f"{mean_rank[j]:.2f}", wdl, p])
    return rows


def scatter_against_anchors(scores, methods, ours, path, label="accuracy"):
    """One panel per anchor: its score (x) vs ours (y) per data set; saved to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = np.asarray(scores, dtype=float)
    anchors = [m for m in methods if m != ours]
    fig, axes = plt.subplots(1, len(anchors), figsize=(3.2 * len(anchors), 3.3), squeeze=False)
    y = scores[:, methods.index(ours)]
    low, high = np.nanmin(scores), np.nanmax(scores)
    for ax, anchor in zip(axes[0], anchors, strict=True):
        ax.scatter(scores[:, methods.index(anchor)], y, s=12)
        ax.plot([low, high], [low, high], color="grey", lw=0.8)
        ax.set_xlabel(f"{anchor} {label}", fontsize=8)
        ax.set_ylabel(f"{ours} {label}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
