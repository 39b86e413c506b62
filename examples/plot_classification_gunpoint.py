"""
Time series classification: GunPoint and BasicMotions
======================================================

Two datasets bundled with sktime (loaded from disk, no download):

- **GunPoint**: univariate, 150 time steps, two classes (drawing a gun vs pointing a
  finger), 50 training and 150 test series. Classified with an S4-PTD model,
  :class:`~sksssm.PTDSSMClassifier`.
- **BasicMotions**: multivariate, 6 channels (accelerometer and gyroscope), 100 time
  steps, four activities, 40 training and 40 test series. Classified with a stacked
  STU, :class:`~sksssm.SpectralFilterClassifier`.

Both take sktime's ``numpy3D`` layout ``(n_samples, n_channels, n_timesteps)`` and labels
of any type (here strings) directly.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay
from sktime.datasets import load_basic_motions, load_gunpoint

from sksssm import PTDSSMClassifier, SpectralFilterClassifier
from sksssm.plotting import plot_history

FAST = os.environ.get("SKSSSM_DOCS_FAST") == "1"

X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
print("GunPoint:", X_train.shape, "classes", np.unique(y_train))

# %%
# S4-PTD on GunPoint
# ------------------
# ``ptd_method="random"`` perturbs HiPPO-LegS by a random matrix of the given size before
# diagonalizing (fast); the default ``"optimize"`` chooses the perturbation that best
# conditions the eigenvectors (the paper's method, a few seconds more, then cached).
ptd = PTDSSMClassifier(
    state_dim=32,
    d_model=32,
    ptd_method="random" if FAST else "optimize",
    max_epochs=20 if FAST else 60,
    batch_size=10,
    lr=1e-2,
    random_state=0,
).fit(X_train, y_train)
print(f"PTDSSMClassifier: test accuracy {ptd.score(X_test, y_test):.3f}")

# %%
# A stacked STU on BasicMotions
# -----------------------------
Xm_train, ym_train = load_basic_motions(split="train", return_type="numpy3D")
Xm_test, ym_test = load_basic_motions(split="test", return_type="numpy3D")
print("BasicMotions:", Xm_train.shape, "classes", np.unique(ym_train))
stu = SpectralFilterClassifier(
    n_filters=16, max_epochs=10 if FAST else 30, batch_size=8, random_state=0
).fit(Xm_train, ym_train)
print(f"SpectralFilterClassifier: test accuracy {stu.score(Xm_test, ym_test):.3f}")

# %%
# Training curves and confusion matrices
# --------------------------------------
fig, axes = plt.subplots(2, 2, figsize=(11, 8))
for label in np.unique(y_train):
    axes[0, 0].plot(X_train[y_train == label][:5, 0].T, color=f"C{int(label) - 1}", alpha=0.6)
axes[0, 0].set_title("GunPoint: five training series per class")
axes[0, 0].set_xlabel("time step")
plot_history(ptd, ax=axes[0, 1])
axes[0, 1].set_title("PTDSSMClassifier: training loss")
ConfusionMatrixDisplay.from_estimator(ptd, X_test, y_test, ax=axes[1, 0], colorbar=False)
axes[1, 0].set_title("GunPoint (S4-PTD)")
ConfusionMatrixDisplay.from_estimator(stu, Xm_test, ym_test, ax=axes[1, 1], colorbar=False)
axes[1, 1].set_title("BasicMotions (STU)")
fig.tight_layout()
plt.show()
