"""Test-suite settings, and a fixture shared by the tests of the classifier ablation's
seed-confirmation groups."""

import numpy as np
import pytest
import torch
from _synthetic import noisy_waves

# The tests train tiny models, for which intra-op threads only add overhead (and, on a
# shared CI machine, oversubscription): one thread keeps the suite fast and its timings
# stable. This is a test setting, not a library default.
torch.set_num_threads(1)


class _MajorityClass:
    """Predicts the most frequent training label (a stand-in for MiniRocket)."""

    def __init__(self, *args, **kwargs):
        pass

    def fit(self, X, y):
        labels, counts = np.unique(y, return_counts=True)
        self.label_ = labels[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.label_)


@pytest.fixture
def synthetic_runs(monkeypatch, tmp_path):
    """The ablation's loaders replaced by two small synthetic sets, and the page written
    to ``tmp_path``; returns the page's path."""
    report = pytest.importorskip("benchmarks._report")
    fc = pytest.importorskip("benchmarks._frontier_combined")
    ablation = pytest.importorskip("benchmarks.classifier_ablation")

    def load(name):
        X, y = noisy_waves(36, 40, seed=len(name))
        X = X[:, None, :]  # (n, channels, time), as the loaders return it
        return X[:24], y[:24], X[24:], y[24:]

    page = tmp_path / "benchmarks.md"
    # MiniRocket (the time yardstick) needs numba, which the `test` extra does not
    # install; the wiring is what is tested here, so a majority-class stand-in runs
    monkeypatch.setattr(ablation.protocol, "RocketRidge", _MajorityClass)
    monkeypatch.setattr(ablation, "MiniRocketVariable", _MajorityClass)
    monkeypatch.setattr(report, "BENCHMARKS_MD", page)
    monkeypatch.setattr(fc, "BENCHMARKS_MD", page)
    monkeypatch.setattr(ablation, "load_ucr", load)
    monkeypatch.setattr(ablation, "ablation_sets", lambda n: ["synthA", "synthBB"])
    monkeypatch.setattr(fc, "load", load)
    monkeypatch.setattr(fc, "BUNDLED_SETS", ("synthC", "synthDDD"))
    return page
