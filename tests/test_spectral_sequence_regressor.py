"""SpectralFilterSequenceRegressor: pooled features + ridge chosen by leave-one-out."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from sksssm import SpectralFilterSequenceRegressor
from sksssm._validation import scale_unless_constant
from sksssm.estimators.spectral_sequence_regressor import MIN_RELATIVE_ALPHA
from sksssm.spectral._pooling import fit_pooling, pooled_features

SMALL = dict(n_filters=3, n_mixtures=4, n_segments=4, random_state=0)


def _amplitudes(n, n_timesteps=40, seed=0):
    rng = np.random.default_rng(seed)
    amplitude = rng.uniform(0.5, 2.0, n)
    t = np.linspace(0, 10, n_timesteps)
    X = amplitude[:, None] * np.sin(t + rng.uniform(0, 6, (n, 1)))
    return X + rng.normal(0, 0.1, (n, n_timesteps)), amplitude


#: The pooling of the small regressors of these tests (``SMALL``), for the independent
#: pipeline :func:`_standardized_features`.
SMALL_POOLING = {"n_filters": 3, "n_mixtures": 4, "n_segments": 4, "cross": True}


def _standardized_features(X_train, X_test, **pooling_options):
    """An independent pipeline: the pooled features standardized by the training set."""
    X_btc = X_train[:, :, None]
    location = (X_btc.max() + X_btc.min()) / 2
    scale = np.abs(X_btc - location).max()
    pooling = fit_pooling((X_btc - location) / scale, **pooling_options)
    F = pooled_features((X_btc - location) / scale, pooling)
    F_test = pooled_features((X_test[:, :, None] - location) / scale, pooling)
    spread = F.std(axis=0)
    spread = scale_unless_constant(spread, spread.max())
    return (F - F.mean(axis=0)) / spread, (F_test - F.mean(axis=0)) / spread


def test_equals_ridge_on_standardized_pooled_features():
    X, y = _amplitudes(30)
    relative = 1e-2
    reg = SpectralFilterSequenceRegressor(
        normalise=False, block_selection="off", alphas=[relative], **SMALL
    ).fit(X[:24], y[:24])
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    Z, Z_test = _standardized_features(
        X[:24],
        X[24:],
        normalise=False,
        mixing_seed=seed,
        **SMALL_POOLING,
    )
    # relative penalty times the mean Gram eigenvalue (the number of columns)
    reference = Ridge(alpha=relative * Z.shape[1]).fit(Z, (y[:24] - y[:24].mean()) / y[:24].std())
    expected = reference.predict(Z_test) * y[:24].std() + y[:24].mean()
    np.testing.assert_allclose(reg.predict(X[24:]), expected, rtol=1e-8)
    assert reg.alpha_ == relative and reg.feature_set_ == "all"


def test_loo_rmse_equals_refits_without_each_series():
    X, y = _amplitudes(16, seed=1)
    reg = SpectralFilterSequenceRegressor(
        normalise=False, block_selection="off", alphas=[0.1], **SMALL
    ).fit(X, y)
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    Z, _ = _standardized_features(
        X,
        X[:1],
        normalise=False,
        mixing_seed=seed,
        **SMALL_POOLING,
    )
    errors = []
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        refit = Ridge(alpha=0.1 * Z.shape[1]).fit(Z[keep], y[keep])
        errors.append(refit.predict(Z[i : i + 1])[0] - y[i])
    np.testing.assert_allclose(reg.loo_rmse_[0], np.sqrt(np.mean(np.square(errors))), rtol=1e-8)


def test_learns_an_amplitude_on_held_out_series():
    X, y = _amplitudes(60, seed=2)
    reg = SpectralFilterSequenceRegressor(**SMALL).fit(X[:45], y[:45])
    rmse = np.sqrt(np.mean((reg.predict(X[45:]) - y[45:]) ** 2))
    assert rmse < 0.2 * y.std()
    assert reg.predict(X[45:]).shape == (15,)


def test_keeps_level_and_amplitude_targets():
    # Targets that are the level or the amplitude of each series: per-series
    # normalisation alone would remove exactly that information; leave-one-out keeps
    # the raw representation where it is needed. Default settings.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 1, 80))
    level, amplitude = rng.uniform(-2, 2, 150), rng.uniform(0.5, 3.0, 150)
    for target, series in (
        (level, X + level[:, None, None]),
        (amplitude, X * amplitude[:, None, None]),
    ):
        reg = SpectralFilterSequenceRegressor(random_state=0).fit(series[:100], target[:100])
        # Measured R^2 0.991 (level) and 0.95-0.96 (amplitude, seeds 0-2) on the held-out
        # 50 series.
        assert reg.score(series[100:], target[100:]) > 0.8


def test_multi_output_targets_keep_their_layout():
    X, y = _amplitudes(30, seed=3)
    Y = np.column_stack([y, -2.0 * y + 5.0])
    reg = SpectralFilterSequenceRegressor(**SMALL).fit(X, Y)
    assert reg.predict(X[:4]).shape == (4, 2)
    assert reg.loo_rmse_.shape == (2,)


@pytest.mark.parametrize("factor", [1e-300, 1e160, 1e300])
def test_targets_near_the_float_limits_scale_the_predictions_exactly(factor):
    # Targets whose squares overflow (|y| ~ 1e155 and up) or underflow: the model is
    # linear in y and its penalty choice scale-free, so y * factor predicts factor times
    # the predictions (NaN before the targets were prescaled by a power of two).
    X, y = _amplitudes(30, seed=4)
    reference = SpectralFilterSequenceRegressor(**SMALL).fit(X, y)
    with np.errstate(all="raise"):  # no overflow hidden anywhere on the way
        scaled = SpectralFilterSequenceRegressor(**SMALL).fit(X, y * factor)
        predicted = scaled.predict(X[:5])
    np.testing.assert_allclose(predicted / factor, reference.predict(X[:5]), rtol=1e-10)
    np.testing.assert_allclose(scaled.loo_rmse_ / factor, reference.loo_rmse_, rtol=1e-10)


#: Linear features only (means of the filter responses): series that are multiples of
#: one shape plus 1e-6 noise then have nearly collinear features.
LINEAR = dict(
    n_filters=3,
    n_mixtures=0,
    statistics=("mean",),
    differences=False,
    normalise=False,
    random_state=0,
)


def test_penalty_floor_keeps_a_tiny_collinear_set_stable():
    rng = np.random.default_rng(4)
    shape = np.sin(np.linspace(0, 6, 32))
    X = np.arange(1.0, 7.0)[:, None] * shape + 1e-6 * rng.normal(size=(6, 32))
    y = np.array([0.0, 1.0, -1.0, 2.0, 0.5, -0.5])  # not a function of the amplitude
    new = 2.5 * shape + 1e-4 * rng.normal(size=(1, 32))
    reg = SpectralFilterSequenceRegressor(**LINEAR).fit(X, y)
    assert reg.alpha_ >= MIN_RELATIVE_ALPHA

    # the standardized features, as the estimator computes them
    def features(series):
        centred = ((series - reg.x_location_) / reg.x_scale_)[:, :, None]
        return pooled_features(centred, reg.pooling_)

    F = features(X)
    spread = scale_unless_constant(F.std(axis=0), F.std(axis=0).max())
    Z, Z_new = (F - F.mean(axis=0)) / spread, (features(new) - F.mean(axis=0)) / spread
    centred = (y - y.mean()) / reg.y_scale_
    # ridge bound on the weights: ||w|| <= ||y - mean y|| / (2 sqrt(alpha)), and the
    # averaged heads' weights by the bound of the smallest penalty among them
    smallest = min(alpha for _, alpha in reg.heads_)
    assert smallest >= MIN_RELATIVE_ALPHA
    bound = np.linalg.norm(centred) / (2 * np.sqrt(smallest * Z.shape[1]))
    assert np.linalg.norm(reg.coef_) <= bound * (1 + 1e-9)
    # the unfloored limit (alpha -> 0, minimum-norm interpolation) blows up
    unfloored = np.linalg.lstsq(Z, centred, rcond=None)[0]
    assert np.linalg.norm(unfloored) > 1e4
    assert abs(Z_new @ unfloored * reg.y_scale_[0]) > 10 * np.ptp(y)
    assert abs(reg.predict(new)[0] - y.mean()) < np.ptp(y)


def test_penalties_below_the_floor_are_refused():
    X, y = _amplitudes(10)
    with pytest.raises(ValueError, match="at least 1e-06"):
        SpectralFilterSequenceRegressor(alphas=[1e-8, 1.0], **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="non-empty 1D"):
        SpectralFilterSequenceRegressor(alphas=[], **SMALL).fit(X, y)


@pytest.mark.parametrize("alphas", [["a"], ["1e-3"], [True, 1.0], [1.0, None]])
def test_penalties_must_be_real_numbers(alphas):
    """Strings and booleans are refused with the penalties' own message (not numpy's
    conversion error, and "1e-3" not read as 0.001)."""
    X, y = _amplitudes(10)
    with pytest.raises(ValueError, match="alphas must be a non-empty 1D array"):
        SpectralFilterSequenceRegressor(alphas=alphas, **SMALL).fit(X, y)


def test_failed_fit_leaves_the_fitted_model_unchanged():
    X, y = _amplitudes(20)
    reg = SpectralFilterSequenceRegressor(**SMALL).fit(X, y)
    before = reg.predict(X[:3])
    with pytest.raises(ValueError, match="at least 3 series"):
        reg.fit(X[:2], y[:2])
    np.testing.assert_array_equal(reg.predict(X[:3]), before)


@pytest.mark.parametrize("n_series", [1, 2])
def test_dask_fit_needs_three_series_too(n_series):
    da = pytest.importorskip("dask.array")
    X, y = _amplitudes(20)
    X_dask = da.from_array(X[:n_series], chunks=1)
    with pytest.raises(ValueError, match="at least 3 series"):
        SpectralFilterSequenceRegressor(**SMALL).fit(X_dask, y[:n_series])


def test_unequal_lengths_equal_the_unpadded_series():
    X, y = _amplitudes(24, seed=5)
    padded = X[:, None, :].copy()
    padded[0, :, 30:] = np.nan
    reg = SpectralFilterSequenceRegressor(**SMALL).fit(padded, y)
    one = reg.predict(padded[:1])
    np.testing.assert_allclose(one, reg.predict(X[:1, None, :30]), rtol=1e-10)


# ------------------------------------------------------------ large sets: streaming head
#: Few pooled features (under 100 for 24 steps), so that a few hundred series outnumber them.
STREAMED = dict(n_filters=2, n_mixtures=0, statistics=("mean", "max", "ppv"), random_state=0)


def test_streams_when_series_outnumber_features_and_equals_ridge():
    from sksssm.estimators._large_sets import uses_streaming_head

    X, y = _amplitudes(300, n_timesteps=24, seed=6)
    reg = SpectralFilterSequenceRegressor(normalise=False, alphas=[1e-3], **STREAMED)
    assert uses_streaming_head(reg, X, y)
    reg.fit(X[:250], y[:250])
    assert reg.feature_set_ == "all" and reg.alpha_ == 1e-3
    # independent: sklearn's ridge on the standardized features and targets
    Z, Z_test = _standardized_features(
        X[:250],
        X[250:],
        n_filters=2,
        n_mixtures=0,
        statistics=("mean", "max", "ppv"),
        normalise=False,
        mixing_seed=np.random.RandomState(0).randint(np.iinfo(np.int32).max),
    )
    targets = (y[:250] - y[:250].mean()) / y[:250].std()
    reference = Ridge(alpha=1e-3 * Z.shape[1]).fit(Z, targets)
    expected = reference.predict(Z_test) * y[:250].std() + y[:250].mean()
    np.testing.assert_allclose(reg.predict(X[250:]), expected, rtol=1e-8)
    assert np.sqrt(np.mean((reg.predict(X[250:]) - y[250:]) ** 2)) < 0.2 * y.std()


def test_streamed_fit_with_dask_equals_numpy():
    da = pytest.importorskip("dask.array")
    X, y = _amplitudes(300, n_timesteps=24, seed=7)
    in_memory = SpectralFilterSequenceRegressor(**STREAMED).fit(X[:240], y[:240])
    on_dask = SpectralFilterSequenceRegressor(**STREAMED).fit(
        da.from_array(X[:240], chunks=70), da.from_array(y[:240], chunks=70)
    )
    np.testing.assert_allclose(on_dask.predict(X[240:]), in_memory.predict(X[240:]), rtol=1e-9)
    assert on_dask.alpha_ == in_memory.alpha_ and on_dask.normalise_ == in_memory.normalise_
    np.testing.assert_allclose(on_dask.loo_rmse_, in_memory.loo_rmse_, rtol=1e-8)


# ------------------------------------------- normalise="loo": shared filter responses
def test_both_representations_share_their_responses_bit_identically(monkeypatch):
    """normalise="loo" computes both representations from one set of FFTs
    (pooled_features_shared); the fit equals the one with each computed on its own."""
    import sksssm.estimators._pooled as module

    X, y = _amplitudes(30, seed=8)
    calls = []
    shared = module.pooled_features_shared
    monkeypatch.setattr(
        module, "pooled_features_shared", lambda *a, **k: calls.append(1) or shared(*a, **k)
    )
    together = SpectralFilterSequenceRegressor(normalise="loo", **SMALL).fit(X[:24], y[:24])
    assert calls == [1]
    monkeypatch.setattr(module, "SHARED_BUDGET_BYTES", 0)  # each representation on its own
    apart = SpectralFilterSequenceRegressor(normalise="loo", **SMALL).fit(X[:24], y[:24])
    assert calls == [1]
    np.testing.assert_array_equal(together.coef_, apart.coef_)
    np.testing.assert_array_equal(together.feature_mean_, apart.feature_mean_)
    np.testing.assert_array_equal(together.loo_rmse_, apart.loo_rmse_)
    np.testing.assert_array_equal(together.predict(X[24:]), apart.predict(X[24:]))
    # and the features themselves: both poolings, shared against one at a time
    X_btc = X[:24, :, None] / np.abs(X).max()
    poolings = [
        fit_pooling(X_btc, n_filters=3, n_mixtures=4, n_segments=4, normalise=normalise)
        for normalise in (False, True)
    ]
    for F_shared, pooling in zip(shared(X_btc, poolings), poolings, strict=True):
        np.testing.assert_array_equal(F_shared, pooled_features(X_btc, pooling))


# ------------------------------------------------------- the small ensemble of heads
def test_averaged_heads_equal_sklearn_ridges_chosen_by_refitted_leave_one_out():
    """select_ridge_by_loo(n_heads=3): the 3 (feature set, penalty) pairs with the
    smallest leave-one-out error (found here by refitting without each series), their
    sklearn ridges averaged, and the average of their leave-one-out predictions."""
    from sksssm.spectral._ridge_loo import select_ridge_by_loo

    rng = np.random.default_rng(9)
    F = rng.normal(size=(14, 20))
    y = F[:, :4] @ np.array([1.0, -0.5, 0.3, 0.2]) + 0.4 * F[:, 12] + 0.3 * rng.normal(size=14)
    F = (F - F.mean(axis=0)) / F.std(axis=0)
    candidates = [("all", np.ones(20, bool)), ("first", np.arange(20) < 8)]
    alphas = np.logspace(-2, 2, 5)
    scored = []
    for name, mask in candidates:
        for alpha in alphas:
            loo = np.empty(14)
            for i in range(14):
                keep = np.arange(14) != i
                loo[i] = (
                    Ridge(alpha=alpha)
                    .fit(F[keep][:, mask], y[keep])
                    .predict(F[i : i + 1, mask])[0]
                )
            scored.append((np.mean((loo - y) ** 2), name, alpha, mask, loo))
    scored.sort(key=lambda entry: entry[0])
    fit = select_ridge_by_loo(F, y[:, None], alphas, candidates, n_heads=3)
    assert [name for name, _ in fit.heads] == [name for _, name, *_ in scored[:3]]
    assert [alpha for _, alpha in fit.heads] == pytest.approx([a for _, _, a, *_ in scored[:3]])
    assert {name for name, _ in fit.heads} == {"all", "first"}  # heads on different sets
    expected = np.zeros(20)
    for _, _, alpha, mask, _ in scored[:3]:
        expected[mask] += Ridge(alpha=alpha).fit(F[:, mask], y).coef_ / 3
    np.testing.assert_allclose(fit.coef[:, 0], expected[fit.mask], rtol=1e-8, atol=1e-12)
    assert fit.mask.all()  # the union of the heads' columns
    average = np.mean([loo for *_, loo in scored[:3]], axis=0)
    np.testing.assert_allclose(fit.loo_decisions[:, 0], average, rtol=1e-8)
    np.testing.assert_allclose(-fit.score, np.mean((average - y) ** 2), rtol=1e-8)
    # one head: the best alone
    single = select_ridge_by_loo(F, y[:, None], alphas, candidates)
    assert (single.name, single.alpha) == (scored[0][1], pytest.approx(scored[0][2]))
    np.testing.assert_allclose(single.loo_decisions[:, 0], scored[0][4], rtol=1e-8)


def test_the_estimator_predicts_with_the_average_of_its_heads(monkeypatch):
    """Each head refitted alone (its feature set the only candidate, its penalty the only
    one): the ensemble's predictions are the average of theirs."""
    import sksssm.estimators._pooled_selection as module

    X, y = _amplitudes(30, seed=10)
    params = dict(normalise=False, alphas=[1e-3, 1e-2, 1e-1, 1.0], **SMALL)
    ensemble = SpectralFilterSequenceRegressor(n_heads=3, **params).fit(X[:24], y[:24])
    assert len(ensemble.heads_) == 3
    assert ensemble.heads_[0] == (ensemble.feature_set_, ensemble.alpha_)
    every_set = module.FEATURE_SETS
    predictions = []
    for name, alpha in ensemble.heads_:
        only = tuple(entry for entry in every_set if entry[0] == name)
        monkeypatch.setattr(module, "FEATURE_SETS", only)
        one = SpectralFilterSequenceRegressor(n_heads=1, **{**params, "alphas": [alpha]})
        one.fit(X[:24], y[:24])
        assert one.feature_set_ == name
        predictions.append(one.predict(X[24:]))
    np.testing.assert_allclose(ensemble.predict(X[24:]), np.mean(predictions, axis=0), rtol=1e-8)


# --------------------------------- normalise="both": both representations averaged
def _loo_of_ridge(Z, y, alpha):
    """Leave-one-out predictions of sklearn's ridge, refitted without each series."""
    predictions = np.empty(len(Z))
    for i in range(len(Z)):
        keep = np.arange(len(Z)) != i
        predictions[i] = Ridge(alpha=alpha).fit(Z[keep], y[keep]).predict(Z[i : i + 1])[0]
    return predictions


def test_both_averages_the_ridges_of_the_two_representations():
    """normalise="both", one feature set, one penalty: the heads are sklearn's ridges on
    the standardized pooled features of the raw and of the standardized series;
    ``predict`` is the mean of theirs and ``loo_rmse_`` that of the mean of their
    brute-force leave-one-out predictions (each refitted without each series)."""
    X, y = _amplitudes(18, seed=11)
    X = X * np.linspace(0.5, 3.0, 18)[::-1, None]  # levels differ: two representations
    relative = 0.05
    reg = SpectralFilterSequenceRegressor(
        normalise="both", block_selection="off", alphas=[relative], n_heads=1, **SMALL
    ).fit(X[:14], y[:14])
    assert [head.normalise_ for head in reg.estimators_] == [False, True]
    assert not hasattr(reg, "coef_") and not hasattr(reg, "pooling_")
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    targets = (y[:14] - y[:14].mean()) / y[:14].std()
    expected, loo = [], []
    for normalise in (False, True):
        Z, Z_test = _standardized_features(
            X[:14],
            X[14:],
            normalise=normalise,
            mixing_seed=seed,
            **SMALL_POOLING,
        )
        alpha = relative * Z.shape[1]
        expected.append(Ridge(alpha=alpha).fit(Z, targets).predict(Z_test))
        loo.append(_loo_of_ridge(Z, targets, alpha))
    expected = np.mean(expected, axis=0) * y[:14].std() + y[:14].mean()
    np.testing.assert_allclose(reg.predict(X[14:]), expected, rtol=1e-8)
    heads = np.mean([head.predict(X[14:]) for head in reg.estimators_], axis=0)
    np.testing.assert_allclose(reg.predict(X[14:]), heads, rtol=1e-12)
    average = np.mean(loo, axis=0)
    rmse = np.sqrt(np.mean((average - targets) ** 2)) * y[:14].std()
    np.testing.assert_allclose(reg.loo_rmse_[0], rmse, rtol=1e-8)
    # each head reports its own leave-one-out error
    for head, own in zip(reg.estimators_, loo, strict=True):
        own_rmse = np.sqrt(np.mean((own - targets) ** 2)) * y[:14].std()
        np.testing.assert_allclose(head.loo_rmse_[0], own_rmse, rtol=1e-8)


def test_both_with_averaged_heads_predicts_the_mean_of_the_loo_models():
    """With the default selection (feature sets, penalties, ``n_heads``) each head of
    "both" is the model normalise=False / True fits on its own, and the ensemble's
    predictions and multi-output layout are their mean."""
    X, y = _amplitudes(30, seed=12)
    Y = np.column_stack([y, np.sin(3 * y)])
    both = SpectralFilterSequenceRegressor(normalise="both", **SMALL).fit(X[:24], Y[:24])
    alone = [
        SpectralFilterSequenceRegressor(normalise=normalise, **SMALL).fit(X[:24], Y[:24])
        for normalise in (False, True)
    ]
    for head, own in zip(both.estimators_, alone, strict=True):
        assert head.heads_ == own.heads_
        np.testing.assert_allclose(head.predict(X[24:]), own.predict(X[24:]), rtol=1e-10)
        np.testing.assert_allclose(head.loo_rmse_, own.loo_rmse_, rtol=1e-10)
    mean = np.mean([own.predict(X[24:]) for own in alone], axis=0)
    assert both.predict(X[24:]).shape == (6, 2)
    np.testing.assert_allclose(both.predict(X[24:]), mean, rtol=1e-10)
    # "loo" keeps the one of the two with the smaller leave-one-out squared error of
    # the standardized targets
    loo = SpectralFilterSequenceRegressor(normalise="loo", **SMALL).fit(X[:24], Y[:24])
    scores = [np.mean((own.loo_rmse_ / own.y_scale_) ** 2) for own in alone]
    better = alone[int(np.argmin(scores))]
    np.testing.assert_allclose(loo.predict(X[24:]), better.predict(X[24:]), rtol=1e-10)


def test_refit_after_set_params_leaves_no_stale_heads():
    X, y = _amplitudes(24, seed=13)
    reg = SpectralFilterSequenceRegressor(normalise="both", **SMALL).fit(X, y)
    assert len(reg.estimators_) == 2
    reg.set_params(normalise="loo").fit(X, y)
    assert not hasattr(reg, "estimators_") and hasattr(reg, "coef_")
    one = SpectralFilterSequenceRegressor(normalise="loo", **SMALL).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X[:5]), one.predict(X[:5]))
    reg.set_params(normalise="both").fit(X, y)
    assert len(reg.estimators_) == 2
    assert not hasattr(reg, "coef_") and not hasattr(reg, "heads_")


def test_both_streams_one_head_chosen_by_gcv():
    """On the streaming path (more series than features) "both" fits one head, the
    representation chosen by GCV as with "loo"."""
    X, y = _amplitudes(300, n_timesteps=24, seed=14)
    both = SpectralFilterSequenceRegressor(normalise="both", **STREAMED).fit(X[:250], y[:250])
    loo = SpectralFilterSequenceRegressor(normalise="loo", **STREAMED).fit(X[:250], y[:250])
    assert len(both.estimators_) == 1
    assert both.estimators_[0].normalise_ == loo.normalise_
    np.testing.assert_allclose(both.predict(X[250:]), loo.predict(X[250:]), rtol=1e-12)
    np.testing.assert_allclose(both.loo_rmse_, loo.loo_rmse_, rtol=1e-12)
