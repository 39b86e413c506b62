"""
Model selection: GridSearchCV over a Pipeline
=============================================

sksssm estimators are ordinary scikit-learn estimators, so they sit inside a
:class:`~sklearn.pipeline.Pipeline` and are tuned with
:class:`~sklearn.model_selection.GridSearchCV` like any other.

The task is sequence-to-one regression: each row of ``X`` is a univariate sequence
(``X`` 2D, ``(n_samples, n_timesteps)``), and the target is the output, at the last
step, of a lightly damped oscillator driven by the sequence, plus noise. We tune the
number of spectral filters and input lags of a closed-form
:class:`~sksssm.SpectralFilterRegressor`, after a
:class:`~sklearn.preprocessing.StandardScaler`.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksssm import SpectralFilterRegressor

FAST = os.environ.get("SKSSSM_DOCS_FAST") == "1"
rng = np.random.default_rng(0)
n_samples, n_timesteps = (300, 128) if FAST else (1000, 256)
X = rng.normal(size=(n_samples, n_timesteps))
# Impulse response of the oscillator, newest input last: y = sum_s h_s u_{T-1-s}.
lags = np.arange(n_timesteps)
h = 0.97**lags * np.cos(0.2 * lags)
y = X[:, ::-1] @ h + 0.1 * rng.normal(size=n_samples)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# The grid search
# ---------------
# Parameters of a pipeline step are addressed as ``<step name>__<parameter>``.
pipeline = make_pipeline(StandardScaler(), SpectralFilterRegressor())
param_grid = {
    "spectralfilterregressor__n_filters": [2, 4, 8, 16],
    "spectralfilterregressor__input_lags": [0, 3],
}
search = GridSearchCV(pipeline, param_grid, cv=3).fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"cross-validated R^2: {search.best_score_:.4f}")
print(f"held-out R^2:        {search.score(X_test, y_test):.4f}")

# %%
# Cross-validated score against the number of filters
# ---------------------------------------------------
# The score grows with the number of filters: the spectral filters are designed for
# systems with real eigenvalues (pure decays), and an oscillating response (complex
# eigenvalues) needs more of them to be approximated well.
results = search.cv_results_
fig, ax = plt.subplots(figsize=(6, 4))
for input_lags in param_grid["spectralfilterregressor__input_lags"]:
    mask = results["param_spectralfilterregressor__input_lags"] == input_lags
    ax.errorbar(
        np.asarray(results["param_spectralfilterregressor__n_filters"][mask], dtype=int),
        results["mean_test_score"][mask],
        yerr=results["std_test_score"][mask],
        marker="o",
        capsize=3,
        label=f"input_lags={input_lags}",
    )
ax.set_xscale("log", base=2)
ax.set_xlabel("n_filters")
ax.set_ylabel("mean cross-validated $R^2$")
ax.set_title("GridSearchCV over Pipeline(StandardScaler, SpectralFilterRegressor)")
ax.legend()
plt.show()
