"""The README's main job: ``python -m sksssm.quickstart``.

Fits every estimator family **with its default settings** on bundled or synthetic data
(under a minute to two minutes on 2 CPU cores; ``--fast``: the closed-form estimators only, in
seconds), prints a results table next to the simple anchors a user would compare with,
and writes a PNG summary figure (``sksssm_quickstart.png``):

1. system identification of the STU paper's marginally stable linear system (synthetic):
   the exact closed-form STU fit and the gradient-trained STU network;
2. classification of sktime's bundled GunPoint series (when sktime is installed; a
   synthetic two-class task otherwise): the closed-form spectral classifier and the deep
   STU, PTD and HOPE classifiers, next to 1-nearest-neighbour;
3. forecasting sktime's bundled airline series with
   :class:`~sksssm.forecasting.SpectralForecaster` next to the seasonal naive forecast
   (when sktime is installed).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from . import (
    HOPEClassifier,
    PTDSSMClassifier,
    SpectralFilterClassifier,
    SpectralFilterRegressor,
    STUClassifier,
    STURegressor,
)
from .datasets import make_stu_system, relative_mse
from .exceptions import SpectralFilterWarning


def _progress(message):
    print(f"[sksssm quickstart] {message}", flush=True)


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Default n_filters=24 is capped at the usable number for the length: expected.
        warnings.simplefilter("ignore", SpectralFilterWarning)
        estimator.fit(X, y)
    return time.perf_counter() - start


def system_identification(rows, figure_data, fast=False):
    """Closed-form STU and the STU network on the STU paper's system (T = 1024)."""
    _progress("1/3 system identification: STU paper's system, d_in=3, d_out=3, T=1024")
    data = make_stu_system(n_samples=24, n_timesteps=1024, random_state=0)
    X_train, y_train, X_test, y_test = data.X[:16], data.y[:16], data.X[16:], data.y[16:]
    closed_form = SpectralFilterRegressor(return_sequences=True)
    models = {"SpectralFilterRegressor (closed form)": closed_form}
    if not fast:
        models["STURegressor (gradient)"] = STURegressor(return_sequences=True, random_state=0)
    for name, model in models.items():
        seconds = _timed_fit(model, X_train, y_train)
        error = relative_mse(y_test, model.predict(X_test))
        rows.append(("system identification", name, "relative MSE", f"{error:.2e}", seconds))
        _progress(f"    {name}: relative MSE {error:.2e} in {seconds:.2f} s")
    figure_data["sysid"] = (y_test[0, 0], closed_form.predict(X_test[:1])[0, 0])


def _load_classification_data():
    try:
        from sktime.datasets import load_gunpoint
    except ImportError:
        rng = np.random.default_rng(0)
        t = np.linspace(0, 1, 128)
        X = np.r_[np.sin(12 * t + rng.normal(size=(100, 1))), np.sign(np.sin(12 * t))]
        X = X[:, None, :] + 0.3 * rng.normal(size=(X.shape[0], 1, 128))
        y = np.r_[np.zeros(100), np.ones(X.shape[0] - 100)].astype(int)
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
        return "synthetic sine/square", X[:60], y[:60], X[60:], y[60:]
    X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
    X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
    return "GunPoint", X_train, y_train, X_test, y_test


def classification(rows, figure_data, fast=False):
    """The sksssm classifiers with their defaults on GunPoint, next to 1-NN."""
    from sklearn.neighbors import KNeighborsClassifier

    name, X_train, y_train, X_test, y_test = _load_classification_data()
    _progress(f"2/3 classification: {name} ({len(X_train)} train, {len(X_test)} test series)")
    models = {"SpectralFilterClassifier (closed form)": SpectralFilterClassifier(random_state=0)}
    if not fast:
        models["STUClassifier"] = STUClassifier(random_state=0)
        models["PTDSSMClassifier (S4-PTD)"] = PTDSSMClassifier(random_state=0)
        models["HOPEClassifier"] = HOPEClassifier(random_state=0)
    accuracies, seconds = {}, {}
    for model_name, model in models.items():
        seconds[model_name] = _timed_fit(model, X_train, y_train)
        accuracies[model_name] = model.score(X_test, y_test)
    knn = KNeighborsClassifier(1)
    seconds["1-NN (anchor)"] = _timed_fit(knn, X_train.reshape(len(X_train), -1), y_train)
    accuracies["1-NN (anchor)"] = knn.score(X_test.reshape(len(X_test), -1), y_test)
    for model_name, accuracy in accuracies.items():
        task = f"classification ({name})"
        rows.append((task, model_name, "test accuracy", f"{accuracy:.3f}", seconds[model_name]))
        _progress(f"    {model_name}: test accuracy {accuracy:.3f} in {seconds[model_name]:.1f} s")
    figure_data["classification"] = (name, accuracies)


def forecasting(rows, figure_data, fast=False):
    """SpectralForecaster with its defaults on the airline series, last 24 months held out."""
    try:
        from sktime.datasets import load_airline

        from .forecasting import SpectralForecaster
    except ImportError as exc:
        _progress(f"3/3 forecasting skipped ({exc}); pip install sksssm[sktime]")
        return
    _progress("3/3 forecasting: airline passengers, the last 24 months held out")
    y = load_airline()
    y_train, y_test = y[:-24], y[-24:]
    forecaster = SpectralForecaster()
    start = time.perf_counter()
    forecaster.fit(y_train, fh=np.arange(1, 25))  # the horizon lets it pick direct steps
    seconds = time.perf_counter() - start
    y_pred = forecaster.predict()
    actual = y_test.to_numpy()
    mape = float(np.mean(np.abs(y_pred.to_numpy() - actual) / actual))
    seasonal_naive = np.tile(y_train.to_numpy()[-12:], 2)
    naive_mape = float(np.mean(np.abs(seasonal_naive - actual) / actual))
    rows.append(("forecasting (airline)", "SpectralForecaster", "MAPE", f"{mape:.3f}", seconds))
    anchor = ("forecasting (airline)", "seasonal naive (anchor)", "MAPE", f"{naive_mape:.3f}", 0.0)
    rows.append(anchor)
    _progress(f"    SpectralForecaster: MAPE {mape:.3f} (seasonal naive {naive_mape:.3f})")
    figure_data["forecast"] = (y_train, y_test, y_pred)


def print_table(rows):
    """Print the results as an aligned text table."""
    header = ("task", "model", "metric", "value", "fit time [s]")
    table = [header] + [(t, m, k, v, f"{s:.2f}") for t, m, k, v, s in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * width for width in widths))


def save_figure(figure_data, path):
    """A 2 x 2 summary figure of the three tasks and the spectral filters."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _progress("matplotlib is not installed (pip install sksssm[plot]); no figure saved")
        return None
    from .spectral import stu_filters

    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    ax = axes[0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        filters = stu_filters(256, 6)
    ax.plot(filters)
    ax.set(title="Spectral filters (L=256, top 6)", xlabel="lag")
    if "sysid" in figure_data:
        truth, prediction = figure_data["sysid"]
        ax = axes[0, 1]
        ax.plot(truth[:300], label="true output", lw=2)
        ax.plot(prediction[:300], "--", label="closed-form STU", lw=1.5)
        ax.set(title="System identification (held-out input)", xlabel="time step")
        ax.legend()
    if "classification" in figure_data:
        name, accuracies = figure_data["classification"]
        ax = axes[1, 0]
        ax.barh(list(accuracies), list(accuracies.values()))
        ax.set(title=f"{name}: test accuracy", xlim=(0, 1))
    ax = axes[1, 1]
    if "forecast" in figure_data:
        y_train, y_test, y_pred = figure_data["forecast"]
        ax.plot(y_train.index.to_timestamp(), y_train.to_numpy(), label="history")
        ax.plot(y_test.index.to_timestamp(), y_test.to_numpy(), label="held out")
        ax.plot(y_pred.index.to_timestamp(), y_pred.to_numpy(), "--", label="SpectralForecaster")
        ax.set(title="Airline passengers")
        ax.legend()
    else:
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    """Run the quickstart; returns the results rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="sksssm_quickstart.png", help="figure path")
    parser.add_argument(
        "--fast", action="store_true", help="closed-form estimators only (seconds; used in CI)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows, figure_data = [], {}
    system_identification(rows, figure_data, args.fast)
    classification(rows, figure_data, args.fast)
    forecasting(rows, figure_data, args.fast)
    print()
    print_table(rows)
    path = save_figure(figure_data, args.output)
    print()
    if path:
        _progress(f"figure saved to {path}")
    _progress(f"done in {time.perf_counter() - start:.0f} s")
    return rows


if __name__ == "__main__":
    main()
