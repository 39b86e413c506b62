"""The models of :mod:`benchmarks.classification`: the anchors written here (the 3-layer
:class:`CNN`, :class:`MiniRocketVariable` for unequal lengths, :class:`Flat1NN`), the
roster of one run (:func:`models`: sksssm's classifiers, sktime's ROCKET and MiniRocket,
the anchors) and the numba warm-up that keeps JIT compilation out of the timings
(:func:`warm_up_numba`). Other benchmarks import the anchors through
:mod:`benchmarks.classification`.
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np

#: The seed of every model that takes one.
SEED = 0
#: The CNN anchor's Adam steps.
CNN_STEPS = 600


def nested(X):
    """NaN-padded array -> sktime nested_univ DataFrame of the unpadded series."""
    import pandas as pd

    columns = {}
    for j in range(X.shape[1]):
        columns[f"dim_{j}"] = [pd.Series(row[~np.isnan(row)]) for row in X[:, j]]
    return pd.DataFrame(columns)


class CNN:
    """Plain 3-layer 1D CNN anchor (Wang et al.'s FCN shape, narrower), 600 Adam steps.

    Conv(64, k=7) - BatchNorm - ReLU, Conv(128, k=5) - BN - ReLU, Conv(64, k=3) - BN -
    ReLU, global average pooling over the valid steps (unequal lengths: zero-padded,
    masked), linear layer; inputs standardized per channel with the training mean and
    standard deviation; Adam lr 1e-3, batches of 16, cross-entropy, 600 steps. The anchor
    that issue 12's deep estimators are measured against.
    """

    def __init__(self, steps=CNN_STEPS, seed=SEED):
        self.steps, self.seed = steps, seed

    def _tensors(self, X):
        import torch

        mask = ~np.isnan(X[:, :1])  # (n, 1, t)
        Z = np.where(np.isnan(X), 0.0, (X - self.mean_) / self.std_)
        return torch.tensor(Z, dtype=torch.float32), torch.tensor(mask, dtype=torch.float32)

    def fit(self, X, y):
        import torch
        from torch import nn

        torch.manual_seed(self.seed)
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.mean_ = np.nanmean(X, axis=(0, 2), keepdims=True)
        self.std_ = np.nanstd(X, axis=(0, 2), keepdims=True) + 1e-8
        self.body_, width = self._body(X.shape[1])
        self.head_ = nn.Linear(width, len(self.classes_))
        params = list(self.body_.parameters()) + list(self.head_.parameters())
        optimizer = torch.optim.Adam(params, lr=1e-3)
        Xt, Mt = self._tensors(X)
        yt = torch.tensor(codes)
        generator = np.random.default_rng(self.seed)
        batch = min(16, len(X))
        self.body_.train()
        for _ in range(self.steps):
            idx = torch.tensor(generator.choice(len(X), batch, replace=False))
            loss = nn.functional.cross_entropy(self._logits(Xt[idx], Mt[idx]), yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return self

    def _body(self, n_channels):
        """The convolutional body and its number of output channels."""
        from torch import nn

        layers = []
        for c_in, c_out, k in ((n_channels, 64, 7), (64, 128, 5), (128, 64, 3)):
            layers += [nn.Conv1d(c_in, c_out, k, padding=k // 2), nn.BatchNorm1d(c_out), nn.ReLU()]
        return nn.Sequential(*layers), 64

    def _logits(self, X, M):
        H = self.body_(X) * M
        return self.head_(H.sum(dim=2) / M.sum(dim=2))

    def predict(self, X):
        import torch

        self.body_.eval()
        with torch.no_grad():
            Xt, Mt = self._tensors(X)
            logits = torch.cat(
                [self._logits(Xt[i : i + 64], Mt[i : i + 64]) for i in range(0, len(X), 64)]
            )
        return self.classes_[logits.argmax(dim=1).numpy()]


class MiniRocketVariable:
    """sktime's MiniRocketMultivariateVariable + StandardScaler + RidgeClassifierCV (as in
    the MiniRocket paper's classifier), for unequal-length panels. Series shorter than its
    9-step kernels are zero-padded (a test series may be shorter than every training one)."""

    def fit(self, X, y):
        from sklearn.linear_model import RidgeClassifierCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sktime.transformations.panel.rocket import MiniRocketMultivariateVariable

        self.transform_ = MiniRocketMultivariateVariable(
            random_state=SEED, pad_value_short_series=0.0
        ).fit(nested(X))
        self.ridge_ = make_pipeline(
            StandardScaler(with_mean=False), RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
        ).fit(self.transform_.transform(nested(X)), y)
        return self

    def predict(self, X):
        return self.ridge_.predict(self.transform_.transform(nested(X)))


class Flat1NN:
    """1-nearest neighbour, Euclidean distance on the flattened series (equal lengths)."""

    def fit(self, X, y):
        from sklearn.neighbors import KNeighborsClassifier

        self.model_ = KNeighborsClassifier(n_neighbors=1).fit(X.reshape(len(X), -1), y)
        return self

    def predict(self, X):
        return self.model_.predict(X.reshape(len(X), -1))


def deep_classes():
    """Name -> class of the deep sksssm classifiers that exist in this checkout."""
    import sksssm

    found = {}
    for name in ("PTDSSMClassifier", "HOPEClassifier", "STUClassifier"):
        cls = getattr(sksssm, name, None)
        if cls is None:
            print(f"note: sksssm.{name} does not exist in this checkout; skipped.")
        else:
            found[name] = cls
    return found


def models(unequal, *, skip_deep, deep):
    """Name -> factory (or a string: why the model does not apply) for one dataset."""
    from sktime.classification.kernel_based import RocketClassifier

    from sksssm import SpectralFilterClassifier

    equal_only = "n/a (equal lengths only)"
    out = {
        "SpectralFilterClassifier (closed form)": partial(
            SpectralFilterClassifier, random_state=SEED
        )
    }
    out["ROCKET (sktime)"] = (
        equal_only if unequal else (lambda: RocketClassifier(random_state=SEED))
    )
    out["MiniRocket (sktime)"] = (
        MiniRocketVariable
        if unequal
        else (lambda: RocketClassifier(rocket_transform="minirocket", random_state=SEED))
    )
    if not skip_deep:
        out[f"3-layer CNN ({CNN_STEPS} steps)"] = CNN
        for name, cls in deep.items():
            out[f"{name} (deep)"] = (
                equal_only if unequal else (lambda cls=cls: cls(random_state=SEED))
            )
    out["1-NN Euclidean"] = equal_only if unequal else Flat1NN
    return out


def deep_model_names(deep):
    """Row labels of the deep SSM classifiers (as in :func:`models`)."""
    return [f"{name} (deep)" for name in deep]


def warm_up_numba():
    """Compile ROCKET's / MiniRocket's numba functions before any timing."""
    from sktime.classification.kernel_based import RocketClassifier

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 2, 30)), np.arange(10) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for transform in ("rocket", "minirocket"):
            RocketClassifier(num_kernels=100, rocket_transform=transform).fit(X, y).predict(X)
            RocketClassifier(num_kernels=100, rocket_transform=transform).fit(X[:, :1], y).predict(
                X[:, :1]
            )
        MiniRocketVariable().fit(
            np.concatenate([X, np.full((10, 2, 5), np.nan)], axis=2), y
        ).predict(X)
        from sktime.regression.kernel_based import RocketRegressor

        RocketRegressor(num_kernels=100).fit(X[:, :1], rng.normal(size=10)).predict(X[:, :1])
