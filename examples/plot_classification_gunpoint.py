"""
Time series classification: GunPoint, BasicMotions and unequal-length JapaneseVowels
====================================================================================

:class:`~sksssm.SpectralFilterClassifier` is a closed-form classifier: the spectral (STU)
filters of several lengths convolved with every channel, each response pooled over time
by a few statistics, and a ridge classifier whose penalty is chosen by exact
leave-one-out. No gradient training: a fit takes about a second here. Datasets bundled
with sktime (loaded from disk, no download):

- **GunPoint**: univariate, 150 time steps, two classes (drawing a gun vs pointing a
  finger), 50 training and 150 test series.
- **BasicMotions**: 6 channels (accelerometer and gyroscope), 100 time steps, four
  activities, 40 training and 40 test series.
- **JapaneseVowels**: 12 channels, *unequal* lengths (7 to 29 steps), nine speakers,
  270 training and 370 test series, through the sktime adapter
  :class:`~sksssm.sktime.SSMTimeSeriesClassifier` (which NaN-pads the series at their
  end, the convention the estimator takes directly too).

Labels of any type (here strings) are kept; ``predict_proba`` is a softmax of the
decision values with a temperature fitted on the leave-one-out decisions.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay
from sktime.datasets import load_basic_motions, load_gunpoint, load_japanese_vowels

from sksssm import SpectralFilterClassifier
from sksssm.sktime import SSMTimeSeriesClassifier

# The closed-form fit is fast at full size; the docs build only skips JapaneseVowels.
FAST = os.environ.get("SKSSSM_DOCS_FAST") == "1"

X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
print("GunPoint:", X_train.shape, "classes", np.unique(y_train))

clf = SpectralFilterClassifier().fit(X_train, y_train)
print(f"GunPoint: test accuracy {clf.score(X_test, y_test):.3f}")
# two heads (normalise="both"): the raw and the per-series standardized representation
for head in clf.estimators_:
    print(
        f"  normalise={head.normalise_}: feature set {head.feature_set_!r}, ridge alpha "
        f"{head.alpha_:g}, {head.pooling_.n_features} pooled features"
    )

# %%
# BasicMotions (multivariate)
# ---------------------------
Xm_train, ym_train = load_basic_motions(split="train", return_type="numpy3D")
Xm_test, ym_test = load_basic_motions(split="test", return_type="numpy3D")
clf_m = SpectralFilterClassifier().fit(Xm_train, ym_train)
print(f"BasicMotions: test accuracy {clf_m.score(Xm_test, ym_test):.3f}")

# %%
# JapaneseVowels (unequal lengths) through the sktime adapter
# ------------------------------------------------------------
if not FAST:
    Xv_train, yv_train = load_japanese_vowels(split="train")  # nested_univ DataFrame
    Xv_test, yv_test = load_japanese_vowels(split="test")
    adapter = SSMTimeSeriesClassifier().fit(Xv_train, yv_train)  # closed form by default
    print(f"JapaneseVowels: test accuracy {np.mean(adapter.predict(Xv_test) == yv_test):.3f}")

# %%
# Series, probabilities and confusion matrices
# --------------------------------------------
fig, axes = plt.subplots(2, 2, figsize=(11, 8))
for i, label in enumerate(np.unique(y_train)):
    axes[0, 0].plot(X_train[y_train == label][:5, 0].T, color=f"C{i}", alpha=0.6)
axes[0, 0].set_title("GunPoint: five training series per class")
axes[0, 0].set_xlabel("time step")
proba = clf.predict_proba(X_test)[:, 1]
for label in clf.classes_:
    axes[0, 1].hist(proba[y_test == label], bins=20, range=(0, 1), alpha=0.6, label=label)
axes[0, 1].set_title(f"GunPoint: P(class {clf.classes_[1]}) on the test series")
axes[0, 1].legend(title="true class")
ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, ax=axes[1, 0], colorbar=False)
axes[1, 0].set_title("GunPoint")
ConfusionMatrixDisplay.from_estimator(clf_m, Xm_test, ym_test, ax=axes[1, 1], colorbar=False)
axes[1, 1].set_title("BasicMotions")
fig.tight_layout()
plt.show()
