"""A spy on the poolings the classifier's streaming path fits, per representation."""

from sksssm import SpectralFilterClassifier
from sksssm.estimators import _large_sets


def streaming_poolings(monkeypatch, X, y, **params):
    """Fit ``SpectralFilterClassifier(**params)`` on ``X, y`` (more series than features:
    the streaming path, asserted) and return ``(classifier, {normalise: pooling})``,
    the pooling each representation's candidate was fitted with."""
    states = {}
    pooling = _large_sets._pooling

    def spy(estimator, X_btc, normalise, seed):
        states[normalise] = pooling(estimator, X_btc, normalise, seed)
        return states[normalise]

    monkeypatch.setattr(_large_sets, "_pooling", spy)
    clf = SpectralFilterClassifier(**params).fit(X, y)
    assert _large_sets.uses_streaming_head(clf, X, y)
    return clf, states
