"""A spy on the poolings the streaming path of the classifier (or the series-to-value
regressor) fits, per representation, and the mixtures of a fitted estimator's poolings."""

from sksssm import SpectralFilterClassifier
from sksssm.estimators import _large_sets

#: Few features, so that a few hundred series take the streaming path (three ``ppv``
#: thresholds: with the default's five, 200 series no longer outnumber the features).
SMALL = dict(
    n_filters=2,
    n_mixtures=0,
    statistics=("mean", "max", "ppv"),
    quantiles=(0.1, 0.5, 0.9),
    random_state=0,
)


def streaming_poolings(monkeypatch, X, y, model=SpectralFilterClassifier, **params):
    """Fit ``model(**params)`` (a class, the classifier by default) on ``X, y`` (more
    series than features: the streaming path, asserted) and return ``(fitted, {normalise:
    pooling})``, the pooling each representation's candidate was fitted with."""
    states = {}
    pooling = _large_sets._pooling

    def spy(estimator, X_btc, normalise, seed):
        states[normalise] = pooling(estimator, X_btc, normalise, seed)
        return states[normalise]

    monkeypatch.setattr(_large_sets, "_pooling", spy)
    clf = model(**params).fit(X, y)
    assert _large_sets.uses_streaming_head(clf, X, y)
    return clf, states


def mixture_widths(estimator):
    """The set of mixtures per group over every head's pooling of a fitted pooled
    estimator (its ``estimators_`` with two heads, else itself)."""
    heads = getattr(estimator, "estimators_", [estimator])
    return {w.shape[1] for head in heads for w in head.pooling_.mixing}
