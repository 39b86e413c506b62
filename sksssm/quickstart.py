"""The README's main job: ``python -m sksssm.quickstart``.

Fits every estimator family on bundled or synthetic data in about a minute on 2 CPU cores,
prints a results table and writes a PNG summary figure (``sksssm_quickstart.png``):

1. system identification of the STU paper's marginally stable linear system (synthetic):
   the exact closed-form STU fit against the same STU trained by gradient;
2. classification of sktime's bundled GunPoint series (when sktime is installed; a
   synthetic two-class task otherwise) with the spectral, PTD and HOPE classifiers;
3. forecasting sktime's bundled airline series with :class:`~sksssm.forecasting.SpectralForecaster`
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
)
from .datasets import make_stu_system, relative_mse
from .exceptions import SpectralFilterWarning


def _progress(message):
    print(f"[sksssm quickstart] {message}", flush=True)


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def system_identification(rows, figure_data):
    """Closed-form vs gradient STU on the STU paper's system (T = 1024)."""
    _progress("1/3 system identification: STU paper's system, d_in=3, d_out=3, T=1024")
    data = make_stu_system(n_samples=24, n_timesteps=1024, random_state=0)
    X_train, y_train, X_test, y_test = data.X[:16], data.y[:16], data.X[16:], data.y[16:]
    models = {
        "STU closed form (ridge + GCV)": SpectralFilterRegressor(return_sequences=True),
        "STU gradient (1 layer, 40 epochs)": SpectralFilterRegressor(
            return_sequences=True,
            solver="gradient",
            n_layers=1,
            max_epochs=40,
            batch_size=4,
            lr=1e-2,
            random_state=0,
        ),
    }
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SpectralFilterWarning)
            seconds = _timed_fit(model, X_train, y_train)
        error = relative_mse(y_test, model.predict(X_test))
        rows.append(("system identification", name, "relative MSE", f"{error:.2e}", seconds))
        _progress(f"    {name}: relative MSE {error:.2e} in {seconds:.2f} s")
    closed_form = models["STU closed form (ridge + GCV)"]
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


def classification(rows, figure_data):
    """Spectral, PTD and HOPE classifiers on GunPoint (fixed settings, no tuning)."""
    name, X_train, y_train, X_test, y_test = _load_classification_data()
    _progress(f"2/3 classification: {name} ({len(X_train)} train, {len(X_test)} test series)")
    common = dict(d_model=32, n_layers=2, max_epochs=30, batch_size=16, random_state=0)
    models = {
        "SpectralFilterClassifier": SpectralFilterClassifier(n_filters=16, **common),
        "PTDSSMClassifier (S4-PTD)": PTDSSMClassifier(state_dim=32, **common),
        "HOPEClassifier": HOPEClassifier(state_dim=32, **common),
    }
    accuracies = {}
    for model_name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SpectralFilterWarning)
            seconds = _timed_fit(model, X_train, y_train)
        accuracy = model.score(X_test, y_test)
        accuracies[model_name] = accuracy
        rows.append(
            (f"classification ({name})", model_name, "test accuracy", f"{accuracy:.3f}", seconds)
        )
        _progress(f"    {model_name}: test accuracy {accuracy:.3f} in {seconds:.1f} s")
    figure_data["classification"] = (name, accuracies)


def forecasting(rows, figure_data):
    """Differenced SpectralForecaster on the airline series, last 24 months held out."""
    try:
        from sktime.datasets import load_airline
        from sktime.transformations.series.difference import Differencer

        from .forecasting import SpectralForecaster
    except ImportError as exc:
        _progress(f"3/3 forecasting skipped ({exc}); pip install sksssm[sktime]")
        return
    _progress("3/3 forecasting: airline passengers, the last 24 months held out")
    y = load_airline()
    y_train, y_test = y[:-24], y[-24:]
    # Model the first differences (the series trends), one season + 1 of autoregression.
    forecaster = Differencer() * SpectralForecaster(ar_order=13)
    seconds = _timed_fit(forecaster, y_train, None)
    y_pred = forecaster.predict(fh=np.arange(1, 25))
    mape = float(np.mean(np.abs(y_pred.to_numpy() - y_test.to_numpy()) / y_test.to_numpy()))
    seasonal_naive = y_train.to_numpy()[-12:]
    naive_pred = np.r_[seasonal_naive, seasonal_naive]
    naive_mape = float(np.mean(np.abs(naive_pred - y_test.to_numpy()) / y_test.to_numpy()))
    rows.append(("forecasting (airline)", "SpectralForecaster", "MAPE", f"{mape:.3f}", seconds))
    rows.append(("forecasting (airline)", "seasonal naive", "MAPE", f"{naive_mape:.3f}", 0.0))
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
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows, figure_data = [], {}
    system_identification(rows, figure_data)
    classification(rows, figure_data)
    forecasting(rows, figure_data)
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
