"""``pooled_filters``: each channel pooled over the identity and the mixtures only
(``"mixtures"``; ``"auto"``, the default, on wide multichannel data), the mixtures
convolved as filters of their own (issue 21, multichannel cost and scale).

Tests of ``"auto"``'s switch run with the budget lowered (:func:`low_budget`) so that
small multichannel sets cross it; at the real budget they are below it."""

import numpy as np
import pytest
from _streaming_spy import streaming_poolings
from _synthetic import noisy_waves
from sklearn.utils._param_validation import InvalidParameterError

from sksssm import SpectralFilterClassifier
from sksssm.estimators._large_sets import uses_streaming_head
from sksssm.estimators._pooled import fit_estimator_pooling, pooling_layout
from sksssm.sktime import SSMTimeSeriesClassifier
from sksssm.spectral import (
    _pooled_filter_choice,
    _pooling,
    filter_bank,
    fit_pooling,
    mixing_matrices,
    pooled_features,
)
from sksssm.spectral._filter_bank import _responses
from sksssm.spectral._pooled_filter_choice import MAX_POOLED_FEATURES, resolve_pooled_filters
from sksssm.spectral._segment_stats import STATISTICS

#: Streaming configuration (as tests/test_classifier_auto_mixtures.py's): 200 series of
#: 2 channels outnumber the features, one filter length, one statistic.
STREAMING = dict(
    n_filters=2, filter_lengths=(8,), statistics=("mean",), differences=False, random_state=0
)
#: Pooled columns per response, channel and input kind of the default statistics: mean,
#: std, max, min, 5 ppv thresholds, last, peak, 4 segment means and 4 segment deviations.
COLUMNS_PER_RESPONSE = 4 + 5 + 1 + 1 + 4 + 4


def _channels(n, c, length=24, seed=0):
    """``n`` series of ``c`` channels: the class's noisy wave in channel ``y % c``."""
    waves, y = noisy_waves(n, length, seed=seed)
    X = np.random.default_rng(seed + 1).normal(0, 0.5, (n, c, length))
    X[np.arange(n), y % c] = waves
    return X, y


def _fit(X, y, **params):
    return SpectralFilterClassifier(random_state=0, **params).fit(X, y)


@pytest.fixture
def low_budget(monkeypatch):
    """``"auto"`` switches to ``"mixtures"`` from one per-channel feature."""
    monkeypatch.setattr(_pooled_filter_choice, "MAX_POOLED_FEATURES", 0)


def test_default_is_all_below_the_budget():
    X, y = _channels(30, 6, length=100, seed=12)  # BasicMotions' shape, 38,160 features
    default, before = _fit(X, y), _fit(X, y, pooled_filters="all")
    assert SpectralFilterClassifier().pooled_filters == "auto"
    for a, b in zip(default.estimators_, before.estimators_, strict=True):
        np.testing.assert_array_equal(a.pooling_.bank, b.pooling_.bank)
        assert len(a.pooling_.mixing) == len(b.pooling_.mixing) > 0
    np.testing.assert_array_equal(default.decision_function(X), before.decision_function(X))


def test_auto_counts_the_standardized_features_of_all(monkeypatch):
    X, y = _channels(30, 4, length=40, seed=13)
    # an independent count: the standardized head of "all", every per-channel feature
    full = _fit(
        X, y, normalise=True, cross_channel=False, block_selection="off", pooled_filters="all"
    )
    n_all = full.pooling_.n_features
    assert MAX_POOLED_FEATURES == 2**17 > n_all
    for budget, mixed in ((n_all - 1, True), (n_all, False)):  # strictly above it
        monkeypatch.setattr(_pooled_filter_choice, "MAX_POOLED_FEATURES", budget)
        clf = _fit(X, y)  # both heads, the cross block: the same count decides
        assert all((head.pooling_.mixing == ()) == mixed for head in clf.estimators_)


@pytest.mark.parametrize("three_d", [False, True])
def test_one_channel_is_bit_identical(three_d):
    X, y = noisy_waves(40, 32, seed=1)
    X = X[:, None] if three_d else X
    auto, before = _fit(X, y, pooled_filters="auto"), _fit(X, y, pooled_filters="all")
    for a, b in zip(auto.estimators_, before.estimators_, strict=True):
        np.testing.assert_array_equal(a.pooling_.bank, b.pooling_.bank)
        assert len(a.pooling_.mixing) == len(b.pooling_.mixing) > 0
    np.testing.assert_array_equal(auto.decision_function(X), before.decision_function(X))
    np.testing.assert_array_equal(auto.predict_proba(X), before.predict_proba(X))


@pytest.mark.parametrize("dilation", ["none", "all"])  # FFT runs; direct (dilated) runs
def test_mixture_responses_equal_direct_convolution(dilation):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 70, 2))
    lengths_ = (8, 16, 40, 70)
    state = fit_pooling(X, filter_lengths=lengths_, n_filters=5, n_mixtures=3, mixing_seed=4,
                        statistics=("mean",), dtype="float32", dilation=dilation,
                        pooled_filters="mixtures")  # fmt: skip
    # the mixed filters written out independently: the group's filters times the weights
    bank, groups = filter_bank(lengths_, 5, dilation=dilation)
    weights = mixing_matrices(groups, 3, 4)
    filters = [bank[:, 0]]
    for group, w in zip(groups[1:], weights, strict=True):
        filters += [bank[:, group] @ w[:, k] for k in range(3)]
    assert state.mixing == () and state.bank.shape[1] == len(filters) == 1 + 8 * 3
    Z = _responses(X, state)  # (m, c, responses, t)
    for i in range(len(X)):
        for ch in range(2):
            for j, phi in enumerate(filters):
                expected = np.convolve(X[i, :, ch], phi)[:70]
                scale = np.abs(expected).max()
                np.testing.assert_allclose(Z[i, ch, j], expected, atol=3e-6 * scale)


def test_mixture_features_are_those_of_all_filters():
    # the same statistics of the same responses: "mixtures" keeps the identity's and the
    # mixtures' columns of "all" (float64, thresholds fitted on the same responses)
    X = np.random.default_rng(1).normal(size=(12, 50, 3))
    params = dict(filter_lengths=(8, 16, 50), n_filters=4, n_mixtures=5,
                  statistics=("mean", "max", "ppv", "peak"), quantiles=(0.3, 0.7),
                  differences=True, normalise=True, mixing_seed=2)  # fmt: skip
    full = fit_pooling(X, **params)
    mixed = fit_pooling(X, **params, pooled_filters="mixtures")
    n_bank = full.bank.shape[1]
    kept = np.r_[0, np.arange(n_bank, full.n_responses)]  # identity, then the mixtures
    assert mixed.n_responses == len(kept) == 1 + 6 * 5
    F_full, F_mixed = pooled_features(X, full), pooled_features(X, mixed)
    n_scale = 2 * 3
    per_block = lambda F, r: F[:, :-n_scale].reshape(len(X), -1, 3, r)  # noqa: E731
    np.testing.assert_allclose(
        per_block(F_mixed, mixed.n_responses),
        per_block(F_full, full.n_responses)[..., kept],
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_array_equal(F_mixed[:, -n_scale:], F_full[:, -n_scale:])


def test_counts_against_an_independent_count(low_budget):
    c, lengths_, m = 3, (8, 16, 30), 11  # "auto": ceil(32 / 3) = 11 mixtures per group
    X, y = _channels(30, c, length=30, seed=3)
    clf = _fit(X, y, filter_lengths=lengths_, pooled_filters="auto", block_selection="off")
    responses = 1 + 2 * len(lengths_) * m  # identity + 11 per length and branch
    pairs = c * (c - 1)  # ordered pairs; the identity kept once per unordered pair
    cross = pairs * responses - pairs // 2
    raw, standardized = clf.estimators_
    assert raw.pooling_.n_responses == standardized.pooling_.n_responses == responses
    # raw head: the series alone; standardized: the differences too and 2 scale features
    assert raw.pooling_.n_features == c * responses * COLUMNS_PER_RESPONSE + cross
    assert standardized.pooling_.n_features == (
        2 * c * responses * COLUMNS_PER_RESPONSE + 2 * c + 2 * cross
    )
    assert len(STATISTICS) == 9  # the count above names every default statistic
    before = _fit(X, y, filter_lengths=lengths_, block_selection="off", pooled_filters="all")
    assert before.estimators_[0].pooling_.n_responses > responses


def test_mixtures_option_and_auto_agree_above_the_budget(low_budget):
    X, y = _channels(36, 2, seed=4)
    auto, mixtures = _fit(X, y, pooled_filters="auto"), _fit(X, y, pooled_filters="mixtures")
    for head in auto.estimators_:
        assert head.pooling_.mixing == ()
    np.testing.assert_array_equal(auto.decision_function(X), mixtures.decision_function(X))


def test_streaming_path_resolves_the_same(monkeypatch, low_budget):
    X, y = _channels(260, 2, length=16, seed=5)
    params = {**STREAMING, "pooled_filters": "auto"}
    clf, states = streaming_poolings(monkeypatch, X[:200], y[:200], **params)
    for state in states.values():  # 1 + 2 x 16 mixtures, no bank filters, no mixing
        assert state.mixing == () and state.n_responses == 33
    explicit = SpectralFilterClassifier(**{**params, "pooled_filters": "mixtures"})
    explicit.fit(X[:200], y[:200])
    np.testing.assert_array_equal(
        clf.decision_function(X[200:]), explicit.decision_function(X[200:])
    )


def test_dask_path_resolves_the_same(low_budget):
    da = pytest.importorskip("dask.array")
    X, y = _channels(260, 2, length=16, seed=6)
    params = {**STREAMING, "pooled_filters": "auto", "normalise": "loo"}
    in_memory = SpectralFilterClassifier(**params).fit(X[:200], y[:200])
    on_dask = SpectralFilterClassifier(**params).fit(da.from_array(X[:200], chunks=70), y[:200])
    for clf in (in_memory, on_dask):  # "loo": one model, chosen by GCV
        assert clf.pooling_.mixing == () and clf.pooling_.n_responses == 33
    np.testing.assert_allclose(
        on_dask.decision_function(X[200:]), in_memory.decision_function(X[200:]), atol=1e-9
    )


def test_sktime_adapter_passes_it_through(low_budget):
    X, y = _channels(30, 3, seed=7)
    inner = SpectralFilterClassifier(pooled_filters="auto", random_state=0)
    adapter = SSMTimeSeriesClassifier(inner).fit(X, y)
    assert all(head.pooling_.mixing == () for head in adapter.estimator_.estimators_)
    direct = _fit(X, y, pooled_filters="mixtures")
    np.testing.assert_array_equal(adapter.predict(X), direct.predict(X))


def test_resolution_by_hand():
    above, at = MAX_POOLED_FEATURES + 1, MAX_POOLED_FEATURES
    resolved = [resolve_pooled_filters("auto", c, 4, n_features=above) for c in (1, 2, 12)]
    assert resolved == ["all", "mixtures", "mixtures"]
    assert resolve_pooled_filters("auto", 12, 4, n_features=at) == "all"
    assert resolve_pooled_filters("auto", 3, 0) == "all"  # no mixtures: nothing else to pool
    with pytest.raises(ValueError, match="feature count"):
        resolve_pooled_filters("auto", 3, 4)
    assert resolve_pooled_filters("all", 3, 4) == "all"
    assert resolve_pooled_filters("mixtures", 1, 4) == "mixtures"
    with pytest.raises(ValueError, match="n_mixtures"):
        resolve_pooled_filters("mixtures", 2, 0)


def test_mixtures_without_mixtures_is_refused(low_budget):
    X, y = _channels(20, 2, seed=8)
    with pytest.raises(ValueError, match="n_mixtures >= 1"):
        SpectralFilterClassifier(pooled_filters="mixtures", n_mixtures=0).fit(X, y)
    with pytest.raises(ValueError, match="n_mixtures >= 1"):
        fit_pooling(X.transpose(0, 2, 1), n_mixtures=0, pooled_filters="mixtures")
    plain = _fit(X, y, pooled_filters="auto", n_mixtures=0)  # "all": the plain filters
    assert plain.estimators_[0].pooling_.bank.shape[1] > 1


@pytest.mark.parametrize("bad", ["some", "Auto", None, 1])
def test_bad_values_are_refused(bad):
    X, y = _channels(20, 2, seed=9)
    with pytest.raises(InvalidParameterError, match="pooled_filters"):
        SpectralFilterClassifier(pooled_filters=bad).fit(X, y)


@pytest.mark.parametrize("pooled_filters", [None, "all", "mixtures"])
def test_layout_probe_fits_no_thresholds(monkeypatch, pooled_filters):
    """The feature-count probes (``"auto"``'s switch, the streaming path's test) take the
    fitted pooling's column layout without filtering anything."""
    X, y = _channels(30, 3, length=40, seed=14)
    clf = SpectralFilterClassifier(random_state=0)
    X_btc = np.swapaxes(X, 1, 2)
    lengths = np.full(len(X), 40)
    fitted = fit_estimator_pooling(clf, X_btc, lengths, normalise=True, cross=False,
                                   mixing_seed=0)  # fmt: skip

    def refuse(*args, **kwargs):
        raise AssertionError("a probe fitted ppv thresholds")

    monkeypatch.setattr(_pooling, "_fit_biases", refuse)
    layout = pooling_layout(clf, X_btc.shape[1:], 40, normalise=True,
                            pooled_filters=pooled_filters)  # fmt: skip
    assert layout.biases is None
    if pooled_filters != "mixtures":  # below the budget "auto" resolves to "all"
        assert layout.n_features == fitted.n_features
        np.testing.assert_array_equal(layout.column_statistics(), fitted.column_statistics())
        np.testing.assert_array_equal(layout.bank, fitted.bank)
    else:
        assert layout.mixing == () and layout.n_features < fitted.n_features
    assert not uses_streaming_head(clf, X, y)
