"""``SpectralFilterClassifier(dilation=...)``: each representation's filter bank.

``dilation="raw"`` is the mixed-bank ensemble of the ablation (the raw head under the
dilated bank, the standardized head under the smooth one), fitted in one pass: it must
predict what the heads fitted apart and combined predict (``MixedBanks(("raw",))`` of
``benchmarks/_bank_variants.py``).
"""

import numpy as np
import pytest
from _streaming_spy import SMALL, streaming_poolings
from _synthetic import noisy_waves

from benchmarks._bank_variants import MixedBanks
from sksssm import SpectralFilterClassifier
from sksssm.spectral import filter_bank

#: Decision values of the one-pass fit against the heads fitted apart, relative to their
#: largest magnitude. Both compute every response by the same code in float32; they
#: differ only in how the series are chunked (one pass sizes its chunks by the larger
#: bank), which can change the FFT's round-off per row (about 1e-7 of a response) and,
#: through the standardized features and the ridge, the decisions by about that
#: relative amount. Measured: 0.0 on both sets below.
RELATIVE_TOLERANCE = 1e-5
#: A small configuration whose features a few hundred series outnumber (streaming path).


def _waves(n=60, length=40, seed=0):
    X, y = noisy_waves(n, length, seed=seed)
    return X * np.where(y == 1, 2.0, 1.0)[:, None] + y[:, None], y  # levels and shapes


def _bank(dilation, length):
    """The classifier's bank for a training length (16 filters per group, both branches)."""
    lengths = tuple(2**k for k in range(3, 10) if 2**k < length) + (length,)
    return filter_bank(lengths, 16, dilation=dilation)[0]


def _assert_as_heads_fitted_apart(X, y, X_test):
    clf = SpectralFilterClassifier(random_state=0, dilation="raw").fit(X, y)
    apart = MixedBanks(("raw",)).fit(X, y)
    for head, other in zip(clf.estimators_, apart.model_.estimators_, strict=True):
        assert head.normalise_ == other.normalise_
        np.testing.assert_array_equal(head.pooling_.bank, other.pooling_.bank)
        assert head.feature_set_ == other.feature_set_ and head.alpha_ == other.alpha_
    decision = clf.decision_function(X_test)
    expected = apart.model_.decision_function(X_test)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(decision, expected, rtol=0, atol=RELATIVE_TOLERANCE * scale)
    np.testing.assert_array_equal(clf.predict(X_test), apart.predict(X_test))
    return clf


def test_raw_dilation_predicts_as_the_heads_fitted_apart():
    X, y = _waves()
    X_test, _ = _waves(40, seed=1)
    clf = _assert_as_heads_fitted_apart(X, y, X_test)
    raw, standardized = clf.estimators_
    # each head's parameters describe its own bank
    assert (raw.normalise, raw.dilation) == (False, "all")
    assert (standardized.normalise, standardized.dilation) == (True, "none")
    # each head's filters are its bank's (all of them, or the positive branch alone
    # where its feature set uses no alternating-sign column)
    for head, dilation in ((raw, "all"), (standardized, "none")):
        bank = _bank(dilation, X.shape[1])
        assert all((bank == column[:, None]).all(axis=0).any() for column in head.pooling_.bank.T)
    smooth = _bank("none", X.shape[1])
    assert not all((smooth == column[:, None]).all(axis=0).any() for column in raw.pooling_.bank.T)


def test_raw_dilation_on_a_bundled_set_predicts_as_the_heads_fitted_apart():
    datasets = pytest.importorskip("sktime.datasets")
    X, y = datasets.load_gunpoint(split="train", return_type="numpy3D")
    X_test, _ = datasets.load_gunpoint(split="test", return_type="numpy3D")
    _assert_as_heads_fitted_apart(X, y, X_test)


def test_a_head_is_the_one_representation_classifier_of_its_bank():
    X, y = _waves()
    clf = SpectralFilterClassifier(random_state=0, dilation="raw").fit(X, y)
    alone = SpectralFilterClassifier(random_state=0, normalise=False, dilation="all").fit(X, y)
    raw = clf.estimators_[0]
    np.testing.assert_array_equal(raw.pooling_.bank, alone.pooling_.bank)
    np.testing.assert_array_equal(raw.pooling_.biases, alone.pooling_.biases)
    np.testing.assert_allclose(
        raw.coef_, alone.coef_, rtol=0, atol=1e-6 * np.abs(alone.coef_).max()
    )


def test_raw_is_the_default_and_all_dilates_both_heads():
    """The default (session 41's confirmation rule): the raw head dilated without first
    differences, the standardized head smooth with them."""
    X, y = _waves()
    X_test, _ = _waves(30, seed=2)
    default = SpectralFilterClassifier(random_state=0).fit(X, y)
    raw = SpectralFilterClassifier(random_state=0, dilation="raw", differences="standardized")
    np.testing.assert_array_equal(
        raw.fit(X, y).decision_function(X_test), default.decision_function(X_test)
    )
    heads = [(h.normalise, h.dilation, h.differences) for h in default.estimators_]
    assert heads == [(False, "all", False), (True, "none", True)]
    smooth = SpectralFilterClassifier(random_state=0, dilation="none", differences=True)
    assert not np.array_equal(
        smooth.fit(X, y).decision_function(X_test), default.decision_function(X_test)
    )
    every = SpectralFilterClassifier(random_state=0, dilation="all").fit(X, y)
    assert [head.dilation for head in every.estimators_] == ["all", "all"]
    for head in every.estimators_:
        taps = head.pooling_.bank != 0
        # dilated: at most 8 nonzero taps per filter, none of the smooth long filters
        assert taps.sum(axis=0).max() <= 8


def test_raw_with_one_representation():
    """normalise=False: "raw" dilates its bank (as "all"); normalise=True has no raw
    series to dilate: the smooth bank (as "none", the standardized head of the
    default); "loo": the kept model's bank is its representation's."""
    X, y = _waves()
    X_test, _ = _waves(30, seed=3)
    raw = SpectralFilterClassifier(random_state=0, normalise=False, dilation="raw").fit(X, y)
    every = SpectralFilterClassifier(random_state=0, normalise=False, dilation="all").fit(X, y)
    np.testing.assert_array_equal(raw.decision_function(X_test), every.decision_function(X_test))
    standardized = SpectralFilterClassifier(random_state=0, normalise=True, dilation="raw")
    smooth = SpectralFilterClassifier(random_state=0, normalise=True, dilation="none")
    np.testing.assert_array_equal(
        standardized.fit(X, y).decision_function(X_test),
        smooth.fit(X, y).decision_function(X_test),
    )
    loo = SpectralFilterClassifier(random_state=0, normalise="loo", dilation="raw").fit(X, y)
    dilation = "none" if loo.normalise_ else "all"
    kept = SpectralFilterClassifier(random_state=0, normalise=loo.normalise_, dilation=dilation)
    kept.fit(X, y)
    np.testing.assert_array_equal(loo.pooling_.bank, kept.pooling_.bank)
    assert loo.feature_set_ == kept.feature_set_ and loo.alpha_ == kept.alpha_


@pytest.mark.parametrize("dilation", ["raw", "all"])
def test_streaming_path_fits_each_representation_under_its_bank(dilation, monkeypatch):
    """More series than features: one head chosen by GCV between the raw series under
    its bank and the standardized ones under theirs; the candidates' banks checked."""
    X, y = noisy_waves(400, 40, seed=4)
    options = {**SMALL, "normalise": "both", "dilation": dilation}
    clf, states = streaming_poolings(monkeypatch, X[:300], y[:300], **options)
    banks = {normalise: state.bank for normalise, state in states.items()}
    lengths = (8, 16, 32, 40)
    np.testing.assert_array_equal(banks[False], filter_bank(lengths, 2, dilation="all")[0])
    standardized = "all" if dilation == "all" else "none"
    np.testing.assert_array_equal(banks[True], filter_bank(lengths, 2, dilation=standardized)[0])
    (head,) = clf.estimators_
    alone = SpectralFilterClassifier(**{**options, "normalise": "loo"}).fit(X[:300], y[:300])
    np.testing.assert_array_equal(head.pooling_.bank, alone.pooling_.bank)
    np.testing.assert_array_equal(head.coef_, alone.coef_)


def test_streaming_fit_with_dask_equals_numpy_under_two_banks():
    """Dask fetches each representation's own threshold series (the banks differ)."""
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(300, 40, seed=5)
    options = {**SMALL, "normalise": "loo", "dilation": "raw"}
    in_memory = SpectralFilterClassifier(**options).fit(X[:200], y[:200])
    on_dask = SpectralFilterClassifier(**options).fit(da.from_array(X[:200], chunks=70), y[:200])
    assert on_dask.normalise_ == in_memory.normalise_ and on_dask.alpha_ == in_memory.alpha_
    np.testing.assert_array_equal(on_dask.pooling_.bank, in_memory.pooling_.bank)
    np.testing.assert_allclose(on_dask.pooling_.biases, in_memory.pooling_.biases, rtol=1e-12)
    np.testing.assert_allclose(
        on_dask.decision_function(X[200:]), in_memory.decision_function(X[200:]), atol=1e-9
    )
