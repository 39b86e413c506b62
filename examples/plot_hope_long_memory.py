"""
Long memory with HOPE: the delay task
=====================================

A delay line, ``y_t = u_{t - tau}``, is the simplest task that needs long memory: the
model must carry each input unchanged for ``tau`` steps. HOPE (Yu, Mahoney, Erichson,
ICLR 2025) parameterizes each channel of a linear system by its Markov parameters
(the entries of its Hankel operator) and samples the transfer function non-uniformly,
which keeps the memory from fading during training.

We train a :class:`~sksssm.HOPERegressor` sequence to sequence (``return_sequences=True``)
on white-noise inputs and look at what it learned: its predictions, its training curve
and the impulse responses of its channels (a perfect delay is a spike at lag ``tau``).
For contrast, the closed-form :class:`~sksssm.SpectralFilterRegressor` fits the same task
exactly in one pass, but its filters are smooth: a sharp delay is outside their span.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from sksssm import HOPERegressor, SpectralFilterRegressor
from sksssm.datasets import relative_mse
from sksssm.plotting import plot_history, plot_impulse_response

FAST = os.environ.get("SKSSSM_DOCS_FAST") == "1"
rng = np.random.default_rng(0)
n_timesteps, tau = 128, 24
n_samples = 256 if FAST else 1024
X = rng.normal(size=(n_samples, n_timesteps))
y = np.zeros_like(X)
y[:, tau:] = X[:, :-tau]  # y_t = u_{t - tau}
X_train, y_train, X_test, y_test = X[:-64], y[:-64], X[-64:], y[-64:]

# %%
# Train HOPE and fit the STU in closed form
# -----------------------------------------
hope = HOPERegressor(
    state_dim=64,
    d_model=16,
    n_layers=1,
    return_sequences=True,
    max_epochs=25 if FAST else 100,
    batch_size=32,
    lr=1e-2,
    ssm_lr=1e-2,
    # Steps suited to 128-step sequences: the default range (1e-3 to 0.1) is for
    # sequences of thousands of steps, and its slow modes cannot hold a sharp delay here
    # (the HOPE guide's advice for short sequences).
    dt_min=0.1,
    dt_max=1.0,
    random_state=0,
).fit(X_train, y_train)
stu = SpectralFilterRegressor(n_filters=16, return_sequences=True).fit(X_train, y_train)
errors = {
    "HOPE": relative_mse(y_test, hope.predict(X_test)),
    "STU (closed form)": relative_mse(y_test, stu.predict(X_test)),
}
for name, error in errors.items():
    print(f"{name}: test relative MSE {error:.3f}")

# %%
# What the models learned
# -----------------------
fig, axes = plt.subplots(2, 2, figsize=(12, 7))
steps = np.arange(n_timesteps)
axes[0, 0].plot(steps, y_test[0], "k", linewidth=1, label="target $u_{t-\\tau}$")
axes[0, 0].plot(steps, hope.predict(X_test[:1])[0], "C1", linewidth=1, label="HOPE")
axes[0, 0].plot(steps, stu.predict(X_test[:1])[0], "C2", linewidth=1, label="STU")
axes[0, 0].set_title(f"Delay by tau={tau}: one test sequence")
axes[0, 0].set_xlabel("time step")
axes[0, 0].legend(fontsize="small")
plot_history(hope, ax=axes[0, 1])
axes[0, 1].set_yscale("log")
# The HOPE layer's channels: each is a learned causal filter.
plot_impulse_response(hope, n_timesteps=64, max_lines=4, ax=axes[1, 0])
axes[1, 0].axvline(tau, color="k", linestyle=":", label="tau")
axes[1, 0].set_title("HOPE layer: impulse responses of 4 channels")
# The STU's end-to-end response: one curve, input to output.
plot_impulse_response(stu, n_timesteps=64, ax=axes[1, 1])
axes[1, 1].axvline(tau, color="k", linestyle=":")
axes[1, 1].set_title("STU (closed form): end-to-end impulse response")
fig.tight_layout()
plt.show()
