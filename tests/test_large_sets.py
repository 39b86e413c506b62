"""The classifier's size rule: which path fits which shape, and what the large-n path fits."""

import numpy as np
import pytest
from _synthetic import noisy_waves
from sklearn.linear_model import Ridge, RidgeCV

import sksssm.estimators._large_sets as large_sets
from sksssm import SpectralFilterClassifier
from sksssm.estimators import _pooled_selection
from sksssm.estimators._large_sets import selection_rows, uses_streaming_head
from sksssm.spectral import _ridge_loo
from sksssm.spectral._pooling import pooled_features, sequence_lengths


def test_selection_rows_none_up_to_the_limit(monkeypatch):
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", 50)
    assert selection_rows(np.zeros(50, dtype=int), 0) is None
    assert selection_rows(np.zeros(51, dtype=int), 0) is not None


def test_selection_rows_are_stratified_and_seeded(monkeypatch):
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", 100)
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", 100)
    encoded = np.repeat([0, 1, 2], [600, 390, 10])
    rows = selection_rows(encoded, 3)
    # ceil(100 * n_class / n) series of each class
    np.testing.assert_array_equal(np.bincount(encoded[rows]), [60, 39, 1])
    assert np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(rows, selection_rows(encoded, 3))
    assert not np.array_equal(rows, selection_rows(encoded, 4))


def test_the_subsample_size_is_its_own_constant(monkeypatch):
    """Above SELECTION_SERIES the subsample has about SUBSAMPLE_SERIES series (the
    library's: 1,000 above 2,000), whatever the limit."""
    encoded = np.repeat([0, 1, 2], [3000, 1950, 50])
    rows = selection_rows(encoded, 0)
    # ceil(1000 * n_class / 5000) of each class
    np.testing.assert_array_equal(np.bincount(encoded[rows]), [600, 390, 10])
    assert selection_rows(encoded[:2000], 0) is None  # up to 2,000: every series
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", 5000)  # at most every series
    assert len(selection_rows(encoded, 0)) == len(encoded)


def test_up_to_the_limit_the_fit_is_unchanged(monkeypatch):
    # n <= SELECTION_SERIES: every candidate on every series, the same fit bit for bit
    # whatever the limit above n
    X, y = noisy_waves(60, 32, seed=3)
    fits = []
    for limit in (60, 10_000):
        monkeypatch.setattr(large_sets, "SELECTION_SERIES", limit)
        fits.append(SpectralFilterClassifier(random_state=0).fit(X[:40], y[:40]))
    first, second = fits
    for one, other in zip(first.estimators_, second.estimators_, strict=True):
        assert one.feature_set_ == other.feature_set_ and one.alpha_ == other.alpha_
        np.testing.assert_array_equal(one.coef_, other.coef_)
    np.testing.assert_array_equal(
        first.decision_function(X[40:]), second.decision_function(X[40:])
    )


@pytest.mark.parametrize("normalise", ["both", "loo"])
def test_routes_by_shape(monkeypatch, normalise):
    """Up to SELECTION_SERIES: every candidate on every series; above: the candidates on
    the subsample and one refit on all (one head, also with "both"); more series than
    features: streaming."""
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", 40)
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", 40)
    calls = []
    original = _ridge_loo.select_ridge_by_loo

    def spy(F, targets, alphas, candidates, **kwargs):
        calls.append((len(F), len(candidates)))
        return original(F, targets, alphas, candidates, **kwargs)

    monkeypatch.setattr(large_sets, "select_ridge_by_loo", spy)
    from sksssm.estimators import _pooled_selection

    monkeypatch.setattr(_pooled_selection, "select_ridge_by_loo", spy)
    X, y = noisy_waves(90, 32)
    SpectralFilterClassifier(random_state=0, normalise=normalise).fit(X[:40], y[:40])
    assert [n for n, _ in calls] == [40, 40]  # raw and normalised, all candidates
    assert all(k > 1 for _, k in calls)
    calls.clear()
    clf = SpectralFilterClassifier(random_state=0, normalise=normalise).fit(X, y)
    sizes = [n for n, _ in calls]
    assert sizes[:2] == [sum(np.ceil(40 * np.bincount(y) / 90).astype(int))] * 2
    assert calls[2:] == [(90, 1)]  # the better model alone, on every series
    assert len(getattr(clf, "estimators_", [clf])) == 1
    assert not uses_streaming_head(clf, X, y)
    small = SpectralFilterClassifier(n_filters=2, n_mixtures=0, statistics=("mean",))
    assert uses_streaming_head(small, X, y)


def test_large_n_fit_is_the_loo_ridge_of_the_chosen_set_on_every_series(monkeypatch):
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", 40)
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", 40)
    X, y = noisy_waves(150, 32, seed=1)
    clf = SpectralFilterClassifier(random_state=0).fit(X[:100], y[:100])
    # above the limit normalise="both" keeps one head: the model of normalise="loo"
    (head,) = clf.estimators_
    single = SpectralFilterClassifier(random_state=0, normalise="loo").fit(X[:100], y[:100])
    np.testing.assert_array_equal(head.coef_, single.coef_)
    # independent: RidgeCV's leave-one-out choice on the head's standardized columns
    X_btc = (X[:100, :, None] - clf.x_location_) / clf.x_scale_
    targets = np.where(y[:100, None] == np.arange(3), 1.0, -1.0)
    for head in clf.estimators_:
        F = pooled_features(X_btc, head.pooling_, sequence_lengths(X_btc))
        np.testing.assert_allclose(head.feature_mean_, F.mean(axis=0), rtol=1e-9, atol=1e-12)
        Z = ((F - head.feature_mean_) / head.feature_scale_)[:, head.feature_mask_]
        reference = RidgeCV(alphas=np.logspace(-3, 5, 17)).fit(Z, targets)
        assert head.alpha_ == reference.alpha_
        scale = np.abs(reference.coef_).max()
        np.testing.assert_allclose(head.coef_, reference.coef_.T, rtol=0, atol=1e-8 * scale)
    assert np.mean(clf.predict(X[100:]) == y[100:]) > 0.8
    assert clf.predict_proba(X[100:]).shape == (50, 3)


def test_the_refit_pools_the_other_series_in_blocks(monkeypatch):
    """The refit writes the other series' features into its design block by block
    (REFIT_BLOCK_BYTES bounds the temporary): one series per block gives the model of
    one block, to float32 round-off of the responses' FFT batches."""
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", 40)
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", 40)
    X, y = noisy_waves(150, 32, seed=1)
    blocks = []
    original = large_sets.pooled_features

    def spy(X_btc, *args, **kwargs):
        blocks.append(len(X_btc))
        return original(X_btc, *args, **kwargs)

    monkeypatch.setattr(large_sets, "pooled_features", spy)
    one = SpectralFilterClassifier(random_state=0, normalise="loo").fit(X[:100], y[:100])
    n_others = 100 - sum(np.ceil(40 * np.bincount(y[:100]) / 100).astype(int))
    assert blocks == [n_others]
    blocks.clear()
    monkeypatch.setattr(large_sets, "REFIT_BLOCK_BYTES", 1)
    several = SpectralFilterClassifier(random_state=0, normalise="loo").fit(X[:100], y[:100])
    assert blocks == [1] * n_others
    assert several.feature_set_ == one.feature_set_ and several.alpha_ == one.alpha_
    np.testing.assert_allclose(several.feature_mean_, one.feature_mean_, rtol=1e-5, atol=1e-6)
    scale = np.abs(one.coef_).max()
    np.testing.assert_allclose(several.coef_, one.coef_, rtol=0, atol=1e-4 * scale)
    np.testing.assert_array_equal(several.predict(X[100:]), one.predict(X[100:]))


def test_the_refit_can_keep_the_subsample_penalty(monkeypatch):
    """REFIT_PENALTY="subsample": the refit on every series is the ridge at the penalty
    chosen on the subsample (sklearn's Ridge on the head's columns), its leave-one-out
    decisions exact at that penalty (its score and temperature from every series)."""
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", 40)
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", 40)
    X, y = noisy_waves(150, 32, seed=1)
    chosen = []
    original = large_sets.refit_penalties

    def spy(alphas, choice, n_series):
        chosen.append(choice.alpha)
        return original(alphas, choice, n_series)

    monkeypatch.setattr(_pooled_selection, "refit_penalties", spy)
    every = SpectralFilterClassifier(random_state=0, normalise="loo").fit(X[:100], y[:100])
    monkeypatch.setattr(large_sets, "REFIT_PENALTY", "subsample")
    clf = SpectralFilterClassifier(random_state=0, normalise="loo").fit(X[:100], y[:100])
    assert chosen[0] == chosen[1] == clf.alpha_
    assert clf.feature_set_ == every.feature_set_  # the same choice on the same subsample
    X_btc = (X[:100, :, None] - clf.x_location_) / clf.x_scale_
    F = pooled_features(X_btc, clf.pooling_, sequence_lengths(X_btc))
    Z = ((F - clf.feature_mean_) / clf.feature_scale_)[:, clf.feature_mask_]
    targets = np.where(y[:100, None] == np.arange(3), 1.0, -1.0)
    reference = Ridge(alpha=clf.alpha_).fit(Z, targets)
    scale = np.abs(reference.coef_).max()
    np.testing.assert_allclose(clf.coef_, reference.coef_.T, rtol=0, atol=1e-8 * scale)
    s, U = _ridge_loo.centred_eigh(Z @ Z.T)
    (path,) = _ridge_loo.ridge_loo_path(U, s, targets, [clf.alpha_])
    assert clf.loo_score_ == pytest.approx(path.score, rel=1e-8)
    assert np.mean(clf.predict(X[100:]) == y[100:]) > 0.8


def test_auto_keeps_the_subsample_penalty_above_the_exact_size(monkeypatch):
    """REFIT_PENALTY="auto": every penalty up to min(n, p) = EXACT_REFIT_SIZE, the
    chosen model's own above (p: its columns, cross-channel ones included)."""
    from types import SimpleNamespace

    alphas = np.logspace(-3, 5, 17)
    choice = SimpleNamespace(alpha=10.0, mask=np.r_[np.ones(300, bool), np.zeros(50, bool)])
    monkeypatch.setattr(large_sets, "REFIT_PENALTY", "auto")
    monkeypatch.setattr(large_sets, "EXACT_REFIT_SIZE", 299)
    assert large_sets.refit_penalties(alphas, choice, 299) is alphas  # m = n = 299
    assert large_sets.refit_penalties(alphas, choice, 5000) == [10.0]  # m = p = 300
    monkeypatch.setattr(large_sets, "EXACT_REFIT_SIZE", 300)
    assert large_sets.refit_penalties(alphas, choice, 5000) is alphas
    for rule, expected in (("loo", alphas), ("subsample", [10.0])):
        monkeypatch.setattr(large_sets, "REFIT_PENALTY", rule)
        assert list(large_sets.refit_penalties(alphas, choice, 10)) == list(expected)


def test_centred_eigh_equals_the_dense_reflection():
    rng = np.random.default_rng(0)
    F = rng.normal(size=(40, 25))
    F -= F.mean(axis=0)
    gram = F @ F.T
    n = len(gram)
    v = np.full(n, 1.0 / np.sqrt(n))
    v[0] -= 1.0
    P = np.eye(n) - 2.0 / (v @ v) * np.outer(v, v)
    s_dense, V = np.linalg.eigh((P @ gram @ P)[1:, 1:])
    s, U = _ridge_loo.centred_eigh(gram)
    np.testing.assert_allclose(s, np.clip(s_dense, 0, None), atol=1e-10 * s.max())
    # the same projector onto each eigenspace (the top 24 eigenvalues are distinct)
    top = U[:, -24:]
    np.testing.assert_allclose(
        top @ top.T, (P[:, 1:] @ V[:, -24:]) @ (P[:, 1:] @ V[:, -24:]).T, atol=1e-10
    )
    np.testing.assert_allclose(U.sum(axis=0), 0, atol=1e-12)


def test_default_classifier_accepts_dask():
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(120, n_timesteps=16, seed=2)
    clf = SpectralFilterClassifier(random_state=0).fit(da.from_array(X[:80], chunks=40), y[:80])
    assert [head.feature_set_ for head in clf.estimators_] == ["all"]  # one head (GCV)
    assert np.mean(clf.predict(X[80:]) == y[80:]) > 0.7


def test_dask_fit_takes_string_labels():
    """Class labels of any dtype, as in memory: the fit on string labels is the fit on
    their codes (the labels used to be refused by the Dask inputs' numeric-y check)."""
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(80, n_timesteps=16, seed=2)
    X_dask = da.from_array(X, chunks=20)
    codes = y.max() - y  # sorted as the names below: "k0" < "k1" < ...
    names = np.array([f"k{code}" for code in codes])
    by_name = SpectralFilterClassifier(random_state=0).fit(X_dask, names)
    by_code = SpectralFilterClassifier(random_state=0).fit(X_dask, codes)
    assert by_name.classes_.tolist() == [f"k{code}" for code in np.unique(codes)]
    np.testing.assert_allclose(by_name.predict_proba(X), by_code.predict_proba(X), atol=1e-12)
    assert set(by_name.predict(X)) <= set(by_name.classes_)
    lazy = SpectralFilterClassifier(random_state=0).fit(X_dask, da.from_array(names, chunks=20))
    np.testing.assert_allclose(lazy.predict_proba(X), by_code.predict_proba(X), atol=1e-12)


def test_chunks_hold_at_least_the_factor_width():
    """Even the first chunk fills the square factor of [1 | F | Y] (then every update
    of a wide factor is tpqrt), unless chunk_size says otherwise."""
    from sksssm.estimators._large_sets import STREAM_CHUNK_BYTES, _chunk_rows

    wide = STREAM_CHUNK_BYTES // 8  # so many features: the byte budget allows one row
    assert _chunk_rows(SpectralFilterClassifier(), wide, 3) == 1 + wide + 3
    assert _chunk_rows(SpectralFilterClassifier(), 10, 2) == STREAM_CHUNK_BYTES // 80
    assert _chunk_rows(SpectralFilterClassifier(chunk_size=7), wide, 3) == 7


def test_streamed_loo_score_leaves_out_one_series_classes():
    """As in memory: the score averages over the series whose class has another training
    series (a lone series has no leave-one-out class), NaN when no class has two."""
    X, y = noisy_waves(120, n_timesteps=16, seed=0)
    y = y % 3
    y[0] = 3  # a class of one training series
    params = dict(n_filters=2, n_mixtures=0, filter_lengths=[8], quantiles=(0.5,))
    params |= dict(statistics=("mean", "max", "ppv"), normalise=False, random_state=0)
    assert uses_streaming_head(SpectralFilterClassifier(**params), X, y)
    clf = SpectralFilterClassifier(**params).fit(X, y)
    targets = np.where(y[:, None] == clf.classes_, 1.0, -1.0)
    errors = np.mean((targets - clf.loo_decisions_) ** 2, axis=1)
    assert clf.loo_score_ == pytest.approx(-errors[1:].mean(), rel=1e-12)
    da = pytest.importorskip("dask.array")
    lone = SpectralFilterClassifier(n_filters=2, random_state=0, normalise=False)
    lone.fit(da.from_array(X[:6], chunks=3), np.arange(6))
    assert np.isnan(lone.loo_score_)


def test_streaming_fit_warns_once_where_the_cross_block_was_asked_for():
    """``block_selection="off"`` promises every pooled feature, the cross-channel block
    included; the streaming fit (Dask input, or more series than features) pools the
    per-channel features only: one SpectralFilterWarning says so. ``"loo"`` (the
    default, which only offers the block), ``cross_channel=False`` and one channel stay
    silent."""
    import warnings

    from sksssm import SpectralFilterSequenceRegressor
    from sksssm.exceptions import SpectralFilterWarning

    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2, 20))
    y = np.repeat([0, 1], 20)
    X_dask = da.from_array(X, chunks=(10, -1, -1))
    small = dict(n_filters=2, n_mixtures=0, random_state=0)

    def caught(estimator, X, y):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            estimator.fit(X, y)
        return [str(w.message) for w in record if issubclass(w.category, SpectralFilterWarning)]

    asked = SpectralFilterClassifier(block_selection="off", cross_channel=True, **small)
    messages = caught(asked, X_dask, y)
    assert len(messages) == 1 and "cross-channel block is not used" in messages[0]
    assert asked.estimators_[0].pooling_.cross_pairs is None  # what the warning says
    assert asked.estimators_[0].feature_set_ == "all"
    assert caught(SpectralFilterClassifier(**small), X_dask, y) == []
    unasked = SpectralFilterClassifier(block_selection="off", cross_channel=False, **small)
    assert caught(unasked, X_dask, y) == []
    assert caught(asked, da.from_array(X[:, :1], chunks=(10, -1, -1)), y) == []
    # the regressor's streaming fit, here in memory (more series than features)
    regressor = SpectralFilterSequenceRegressor(
        block_selection="off", statistics=("mean",), filter_lengths=[8], **small
    )
    assert uses_streaming_head(regressor, X, y.astype(float))
    messages = caught(regressor, X, y.astype(float))
    assert len(messages) == 1 and "cross-channel block is not used" in messages[0]
