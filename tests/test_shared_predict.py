"""The heads of ``normalise="both"`` share their filter responses at predict.

:func:`~sksssm.estimators._pooled.pooled_decisions` computes the FFTs of every test series
once for all heads whose responses are among one head's (the same bank, or the same bank
without the alternating-sign branch) and must return, for each head, what
:func:`~sksssm.estimators._pooled.pooled_decision` returns on its own.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from sksssm import SpectralFilterClassifier
from sksssm.estimators import _pooled, spectral_classifier
from sksssm.estimators._pooled import pooled_decision, pooled_decisions
from sksssm.spectral import _filter_bank, fit_pooling, pooled_features
from sksssm.spectral._feature_sets import used_responses
from sksssm.spectral._shared_banks import response_columns as _response_columns
from sksssm.spectral._shared_banks import response_sources

#: Shared and separate decisions differ only where the series are computed in chunks of
#: a different number of series (chunks are sized by the largest head's responses): the
#: batched FFTs and the statistics' matrix products may round per row differently with
#: the batch size (bit-identical on this machine for most cases), and for NaN-padded
#: series a chunk is cut at its longest series, so the FFT sizes differ: round-off of
#: the responses' precision, relative to the size of the decision's terms (sum of |F w|;
#: float32 ``ppv`` counts could flip where a response sits at a threshold).
TOLERANCE = {"float64": 1e-12, "float32": 1e-5}


def _series(n_channels, unequal, n=24, t=60, seed=0):
    rng = np.random.default_rng(seed)
    steps = np.arange(t)
    X = np.sin(0.2 * steps[None, :, None] * rng.uniform(0.5, 2, (n, 1, n_channels)))
    X = X + rng.normal(0, 0.3, (n, t, n_channels)) + rng.normal(0, 2, (n, 1, n_channels))
    if unequal:
        for i in range(0, n, 3):
            X[i, t - 7 - i :] = np.nan
    return X


def _head(state, X_fit, seed, n_targets=3):
    """A pooled linear model on ``state``'s features with random weights (standardized
    by the training features, as a fitted head is)."""
    rng = np.random.default_rng(seed)
    F = pooled_features(X_fit, state)
    mask = rng.random(state.n_features) < 0.7
    return SimpleNamespace(
        pooling_=state,
        feature_mask_=mask,
        feature_mean_=F.mean(axis=0),
        feature_scale_=np.maximum(F.std(axis=0), 1e-3),
        coef_=rng.normal(0, 0.05, (int(mask.sum()), n_targets)),
        intercept_=rng.normal(size=n_targets),
        chunk_size=None,
    )


def _no_alternating(state):
    """``state`` reduced as a head whose feature set has no alternating-sign column."""
    keep = ~state.feature_masks()["alternating"]
    reduced, kept = used_responses(state, keep)
    assert not reduced.use_negative and kept.sum() < state.n_features
    return reduced


def _heads(X, dtype, n_channels, banks):
    cross = n_channels > 1
    raw, standardized = (
        fit_pooling(X, n_filters=6, normalise=normalise, cross=cross, dtype=dtype, mixing_seed=3)
        for normalise in (False, True)
    )
    if banks in ("raw_reduced", "both_reduced"):
        raw = _no_alternating(raw)
    if banks == "both_reduced":
        standardized = _no_alternating(standardized)
    return [_head(raw, X, 1), _head(standardized, X, 2)]


def _assert_same(shared, separate, heads, X_btc, dtype):
    for (D, r), (D0, r0), head in zip(shared, separate, heads, strict=True):
        np.testing.assert_array_equal(r, r0)  # r depends only on the series
        # the size of the decision's terms: |F| |w| summed, per series and target
        F, _ = pooled_features(X_btc, head.pooling_, return_scale=True)
        w = np.zeros((len(head.feature_mask_), head.coef_.shape[1]))
        w[head.feature_mask_] = head.coef_
        size = np.abs(F) @ np.abs(w / head.feature_scale_[:, None])
        size += np.abs(head.feature_mean_ @ (w / head.feature_scale_[:, None]))
        assert np.all(np.abs(D - D0) <= TOLERANCE[dtype] * (size + 1.0))
        assert np.abs(D - D0).max() < 0.1 * np.abs(D0).max()  # the tolerance is small


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("n_channels", [1, 3])
@pytest.mark.parametrize("unequal", [False, True])
@pytest.mark.parametrize("banks", ["same", "raw_reduced", "both_reduced"])
def test_shared_decisions_equal_each_heads_own(dtype, n_channels, unequal, banks):
    X = _series(n_channels, unequal)
    heads = _heads(X, dtype, n_channels, banks)
    X_new = _series(n_channels, unequal, n=17, seed=5)
    lengths = _pooled.sequence_lengths(X_new)
    separate = [pooled_decision(head, X_new, lengths) for head in heads]
    shared = pooled_decisions(heads, X_new, lengths)
    _assert_same(shared, separate, heads, X_new, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_huge_value_gives_the_same_finite_decisions(dtype):
    """A value of 1e300 in one series: that series is pooled divided by its power of
    two ``r``; each head's ``(D / r, r)`` is finite and equals its own."""
    X = _series(2, False)
    heads = _heads(X, dtype, 2, "raw_reduced")
    X_new = _series(2, False, n=6, seed=4)
    X_new[0, 5] = 1e300
    lengths = _pooled.sequence_lengths(X_new)
    separate = [pooled_decision(head, X_new, lengths) for head in heads]
    shared = pooled_decisions(heads, X_new, lengths)
    for D, r in shared:
        assert np.isfinite(D).all() and r[0] > 1e299 and (r[1:] < 1e3).all()
    _assert_same(shared, separate, heads, X_new, dtype)


def test_the_ffts_are_computed_once_for_heads_that_share(monkeypatch):
    """Two heads of one bank (one reduced to the positive branch) cost the FFTs of the
    larger one only: half the calls of computing each head's own."""
    X = _series(1, False)
    heads = _heads(X, "float32", 1, "raw_reduced")
    assert _response_columns(heads[1].pooling_, heads[0].pooling_) is not None
    calls = []
    responses = _filter_bank._responses
    monkeypatch.setattr(
        _filter_bank,
        "_responses",
        lambda U, state, cache=None, spectra=None: (
            calls.append(state.n_responses) or responses(U, state, cache, spectra)
        ),
    )
    lengths = _pooled.sequence_lengths(X)
    pooled_decisions(heads, X, lengths)
    shared = list(calls)
    calls.clear()
    for head in heads:
        pooled_decision(head, X, lengths)
    assert set(shared) == {heads[1].pooling_.n_responses}  # the full bank only
    assert len(calls) == 2 * len(shared)


@pytest.mark.parametrize("n_mixtures", [0, 5])
def test_plain_filters_and_other_mixture_counts_share_too(n_mixtures):
    """Without mixtures (only bank columns) or with few, a reduced head shares the full
    head's responses and its decisions are its own."""
    X = _series(1, False)
    full = fit_pooling(X, n_filters=6, n_mixtures=n_mixtures, normalise=True, mixing_seed=3)
    raw = fit_pooling(X, n_filters=6, n_mixtures=n_mixtures, normalise=False, mixing_seed=3)
    heads = [_head(_no_alternating(raw), X, 1), _head(full, X, 2)]
    assert len(_pooled._sharing_groups(heads)) == 1
    lengths = _pooled.sequence_lengths(X)
    separate = [pooled_decision(head, X, lengths) for head in heads]
    _assert_same(pooled_decisions(heads, X, lengths), separate, heads, X, "float64")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "options",
    [
        ({"n_filters": 6}, {"n_filters": 4}),  # another n_filters
        ({"dilation": "all"}, {}),  # dilated and smooth
        ({}, {"dilation": "all", "n_mixtures": 0}),  # one without mixtures: apart
    ],
)
def test_heads_of_different_banks_are_pooled_in_one_pass(options, dtype):
    """Banks that differ: one pass over the series, each bank's responses computed from
    the same inputs, or apart where one has mixtures and the other none; each head's
    decisions are its own either way."""
    X = _series(1, True)
    a = fit_pooling(X, normalise=False, mixing_seed=3, dtype=dtype, **options[0])
    b = fit_pooling(X, normalise=True, mixing_seed=3, dtype=dtype, **options[1])
    assert _response_columns(a, b) is None and _response_columns(b, a) is None
    heads = [_head(a, X, 1), _head(b, X, 2)]
    groups = _pooled._sharing_groups(heads)
    assert len(groups) == (2 if "n_mixtures" in options[1] else 1)
    if len(groups) == 1:  # one pass: each bank's responses once, each head its own
        sources, reads = response_sources([a, b])
        assert [source.n_responses for source in sources] == sorted(
            [a.n_responses, b.n_responses], reverse=True
        )
        assert all(columns is None for _, columns in reads)
    lengths = _pooled.sequence_lengths(X)
    separate = [pooled_decision(head, X, lengths) for head in heads]
    _assert_same(pooled_decisions(heads, X, lengths), separate, heads, X, dtype)


def test_response_columns_locate_the_positive_branch():
    """The reduced pooling's responses are the full one's positive-branch responses."""
    X = _series(1, False)
    full = fit_pooling(X, n_filters=6, normalise=False, mixing_seed=3)
    reduced = _no_alternating(full)
    columns = _response_columns(full, reduced)
    np.testing.assert_array_equal(columns, np.flatnonzero(~full.alternating_responses))
    np.testing.assert_array_equal(_response_columns(full, full), np.arange(full.n_responses))
    assert _response_columns(reduced, full) is None


@pytest.mark.parametrize("loader", ["load_gunpoint", "load_basic_motions"])
def test_predict_is_unchanged_on_bundled_sets(loader, monkeypatch):
    """The ensemble's predictions equal those from each head's own decisions."""
    datasets = pytest.importorskip("sktime.datasets")
    load = getattr(datasets, loader)
    X_train, y_train = load(split="train", return_type="numpy3D")
    X_test, _ = load(split="test", return_type="numpy3D")
    clf = SpectralFilterClassifier(random_state=0).fit(X_train, y_train)
    shared = (clf.predict(X_test), clf.predict_proba(X_test), clf.decision_function(X_test))
    monkeypatch.setattr(
        spectral_classifier,
        "pooled_decisions",
        lambda heads, X_btc, lengths: [pooled_decision(h, X_btc, lengths) for h in heads],
    )
    separate = (clf.predict(X_test), clf.predict_proba(X_test), clf.decision_function(X_test))
    np.testing.assert_array_equal(shared[0], separate[0])
    # float32 responses: the round-off of TOLERANCE (bit-identical on this machine)
    np.testing.assert_allclose(shared[1], separate[1], rtol=0, atol=1e-5)
    np.testing.assert_allclose(shared[2], separate[2], rtol=1e-5, atol=1e-5)
