"""The closed-form SpectralFilterClassifier and the pooled spectral features."""

import re

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeClassifier, RidgeClassifierCV

from sksssm.estimators.spectral_classifier import SpectralFilterClassifier
from sksssm.spectral import (
    filter_bank,
    fit_pooling,
    n_pooled_features,
    pooled_features,
    sequence_lengths,
    stu_filters,
)


def _effective_bank(state):
    """Bank columns, then each group's filters combined by its mixing weights."""
    mixed = [
        state.bank[:, g] @ w for g, w in zip(state.bank_groups[1:], state.mixing, strict=True)
    ]
    return np.concatenate([state.bank, *mixed], axis=1)


def _direct_pooled(x, bank, groups, biases, statistics, n_segments=4):
    """Pooled features of ONE series (t, c) by explicit loops over time (no FFT)."""
    t, c = x.shape
    responses = np.zeros((t, c, bank.shape[1]))
    for step in range(t):
        for s in range(min(step + 1, bank.shape[0])):
            responses[step] += x[step - s][:, None] * bank[s][None, :]
    blocks = []
    for stat in statistics:
        if stat == "mean":
            blocks.append(responses.mean(axis=0))
        elif stat == "std":
            blocks.append(responses.std(axis=0))
        elif stat == "max":
            blocks.append(responses.max(axis=0))
        elif stat == "min":
            blocks.append(responses.min(axis=0))
        elif stat == "ppv":
            blocks += [(responses > b).mean(axis=0) for b in biases]
        elif stat == "last":
            blocks.append(responses[-1])
        elif stat == "peak":
            peak = np.zeros((c, bank.shape[1]))
            for ch in range(c):
                for g in groups:
                    when = np.argmax((responses[:, ch][:, g] ** 2).sum(axis=1))
                    peak[ch, g] = responses[when, ch, g]
            blocks.append(peak)
        elif stat in ("segment_mean", "segment_std"):
            seg = np.zeros((c, bank.shape[1], n_segments))
            for k in range(n_segments):
                part = responses[k * t // n_segments : (k + 1) * t // n_segments]
                if len(part):
                    seg[..., k] = part.mean(axis=0) if stat == "segment_mean" else part.std(axis=0)
            blocks.append(seg)
    return np.concatenate([b.ravel() for b in blocks])


def test_pooled_features_match_a_direct_loop():
    rng = np.random.default_rng(0)
    # thresholds fitted on other series: a response never ties a threshold exactly
    state = fit_pooling(
        rng.normal(size=(5, 21, 2)), n_filters=3, filter_lengths=(4, 21), n_mixtures=2
    )
    bank = _effective_bank(state)  # mixtures = convolutions with combined filters
    assert bank.shape[1] == state.n_responses == 13 + 4 * 2
    assert state.normalise and state.statistics[-2:] == ("segment_mean", "segment_std")
    X = rng.normal(loc=3.0, scale=2.0, size=(3, 21, 2))
    F = pooled_features(X, state)
    for i in range(3):
        # normalise: each channel standardized over the series, then the filters
        x = (X[i] - X[i].mean(axis=0)) / X[i].std(axis=0)
        diffs = np.zeros_like(x)
        diffs[1:] = x[1:] - x[:-1]
        expected = np.concatenate(
            [
                _direct_pooled(x, bank, state.groups, state.biases[0], state.statistics),
                _direct_pooled(diffs, bank, state.groups, state.biases[1], state.statistics),
                X[i].mean(axis=0),  # the raw scale, appended per channel
                np.log(X[i].std(axis=0)),
            ]
        )
        # FFT convolution vs direct sums of ~20 terms of size ~1: round-off ~1e-15;
        # ppv/peak are exact unless a response sits within round-off of a threshold.
        np.testing.assert_allclose(F[i], expected, rtol=1e-10, atol=1e-12)


def test_filter_bank_uses_the_stu_filters():
    bank, groups = filter_bank((8, 20), 4)
    np.testing.assert_array_equal(bank[:, 0], np.eye(20)[0])  # identity column
    np.testing.assert_allclose(bank[:8, groups[1]], stu_filters(8, 4))
    assert np.all(bank[8:, groups[1]] == 0)
    alternating = np.where(np.arange(20) % 2 == 0, 1.0, -1.0)
    np.testing.assert_allclose(bank[:, groups[4]], stu_filters(20, 4) * alternating[:, None])


def test_ppv_biases_are_training_quantiles():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 30, 1))
    state = fit_pooling(X, n_filters=2, filter_lengths=(30,), differences=False, normalise=False)
    # identity column: the responses are the values themselves
    # quantiles + the documented round-off margin 1e-9 * max|response|
    expected = (
        np.quantile(X[:, :, 0].ravel(), [0.02, 0.1, 0.5, 0.9, 0.98]) + 1e-9 * np.abs(X).max()
    )
    np.testing.assert_allclose(state.biases[0, :, 0, 0], expected, rtol=1e-14)


@pytest.mark.parametrize("shape", [(1, 3), (7, 2, 3), (500, 4, 5)])
def test_partitioned_quantiles_equal_numpy_quantile(shape):
    from sksssm.spectral._pooling import _quantiles_and_largest

    values = np.random.default_rng(0).normal(size=shape)
    quantiles = (0.0, 0.02, 0.1, 0.5, 0.9, 0.98, 1.0)
    found, largest = _quantiles_and_largest(values.copy(), quantiles)
    np.testing.assert_allclose(
        found, np.quantile(values, quantiles, axis=-1), rtol=1e-14, atol=1e-15
    )
    np.testing.assert_array_equal(largest, np.abs(values).max(axis=-1))


def test_unequal_lengths_equal_truncated_series():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 30, 2))
    state = fit_pooling(X, n_filters=4)
    padded = X.copy()
    padded[1, 17:] = np.nan
    padded[3, 9:] = np.nan
    assert sequence_lengths(padded).tolist() == [30, 17, 30, 9]
    F = pooled_features(padded, state)
    for i, length in [(1, 17), (3, 9)]:
        # only the arithmetic differs (other FFT length): round-off ~1e-15
        np.testing.assert_allclose(
            F[i], pooled_features(X[i : i + 1, :length], state)[0], rtol=1e-9, atol=1e-12
        )
    # explicit lengths give the same as NaN padding
    np.testing.assert_allclose(pooled_features(X, state, lengths=[30, 17, 30, 9]), F)


def test_features_do_not_depend_on_chunking():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(11, 25, 1))
    state = fit_pooling(X)
    one = pooled_features(X, state, chunk_size=100)
    # identical arithmetic per series: equal up to FFT batch round-off
    np.testing.assert_allclose(
        pooled_features(X, state, chunk_size=3), one, rtol=1e-12, atol=1e-13
    )
    assert one.shape == (11, n_pooled_features(1, state.n_responses))


def _standardized_features(clf, X):
    # The classifier centres each channel on its fixed training location and divides it
    # by its fixed training scale before filtering.
    F = pooled_features((np.swapaxes(X, 1, 2) - clf.x_location_) / clf.x_scale_, clf.pooling_)
    np.testing.assert_allclose(clf.feature_mean_, F.mean(axis=0), rtol=1e-12, atol=1e-12)
    # the fitted standardization (columns constant up to round-off keep scale 1)
    return (F - clf.feature_mean_) / clf.feature_scale_


def test_classifier_ridge_matches_sklearn_at_the_chosen_alpha_and_features():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 2, 32))
    y = np.where(X[:, 0, :10].sum(axis=1) > 0, "a", "b")
    y[:8] = "c"
    clf = SpectralFilterClassifier(
        random_state=0, normalise="loo", n_filters=4, kernel="linear"
    ).fit(X, y)
    F = _standardized_features(clf, X)[:, clf.feature_mask_]
    reference = RidgeClassifier(alpha=clf.alpha_).fit(F, y)
    # two ridge solvers (Gram eigendecomposition vs sklearn's default) on standardized
    # features: agreement to ~1e-12 measured
    np.testing.assert_allclose(
        clf.decision_function(X), reference.decision_function(F), rtol=1e-6, atol=1e-8
    )
    assert clf.alpha_ in np.logspace(-3, 5, 17)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_feature_set_and_alpha_minimize_sklearn_leave_one_out_error(n_classes):
    # sklearn's RidgeClassifierCV computes the same criterion (mean squared leave-one-out
    # error of the {-1, +1} targets) by its own route: the selection must agree with it.
    rng = np.random.default_rng(11)
    X = rng.normal(size=(30, 1, 40))
    y = np.arange(30) % n_classes
    for i in range(30):  # class = position of a bump: the segment statistics matter
        start = 5 + 10 * y[i] + rng.integers(0, 5)
        X[i, 0, start : start + 6] += 2.0
    clf = SpectralFilterClassifier(random_state=0, normalise="loo", n_filters=4, n_mixtures=4).fit(
        X, y
    )
    # every pooled feature of the chosen representation (clf.pooling_ keeps the used ones)
    full = SpectralFilterClassifier(
        random_state=0,
        n_filters=4,
        n_mixtures=4,
        normalise=clf.normalise_,
        block_selection="off",
    ).fit(X, y)
    F = _standardized_features(full, X)
    masks = full.pooling_.feature_masks()
    not_ppv = ~(masks["ppv"] | masks["scale"] | masks["cross"])
    alphas = np.logspace(-3, 5, 17)
    scores = {}
    for name, mask in [
        ("all", np.ones(F.shape[1], bool)),
        ("no_alternating", ~masks["alternating"]),
        ("no_segments", ~masks["segment"]),
        ("no_alternating_no_segments", ~masks["alternating"] & ~masks["segment"]),
        ("ppv_only", ~not_ppv),
        ("ppv_only_no_alternating", ~not_ppv & ~masks["alternating"]),
    ]:
        ridge = RidgeClassifierCV(alphas=alphas).fit(F[:, mask], y)
        scores[name] = (ridge.best_score_, ridge.alpha_)
    best = max(scores, key=lambda name: scores[name][0])
    assert clf.feature_set_ == best
    assert clf.alpha_ == scores[best][1]
    # mean squared errors of size ~0.1-1 computed two ways: round-off ~1e-12
    np.testing.assert_allclose(clf.loo_score_, scores[best][0], rtol=1e-8)


@pytest.mark.parametrize("used", [("ppv",), ("mean", "last", "segment_std")])
@pytest.mark.parametrize("normalise", [False, True])
def test_pruned_pooling_computes_exactly_the_used_columns(used, normalise):
    # predict computes only the statistics (and cross block) the chosen mask uses: the
    # reduced pooling must give the same numbers as the full one's kept columns
    from sksssm.spectral._feature_sets import used_pooling as _used_pooling

    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 30, 3))
    state = fit_pooling(X, n_filters=3, n_mixtures=2, normalise=normalise, cross=True)
    statistic = state.column_statistics()
    assert statistic.shape == (state.n_features,)
    mask = np.isin(statistic, used)
    reduced, keep = _used_pooling(state, mask)
    assert reduced.statistics == used and reduced.cross_pairs is None  # in pooling order
    np.testing.assert_array_equal(keep, mask | (statistic == "scale"))
    np.testing.assert_array_equal(pooled_features(X, reduced), pooled_features(X, state)[:, keep])


@pytest.mark.parametrize(
    ("channels", "cross", "n_mixtures", "dtype"),
    [(1, False, 4, "float32"), (3, True, 2, "float64"), (2, True, 0, "float32")],
)
def test_pooling_without_the_alternating_branch_computes_the_same_columns(
    channels, cross, n_mixtures, dtype
):
    # a feature set without the alternating-sign columns: predict drops those filters,
    # their mixtures and thresholds; every kept column is the full pooling's (to the
    # float round-off of the cross block's sums), for every candidate set
    from sksssm.spectral._feature_sets import candidate_feature_sets, used_responses

    rng = np.random.default_rng(8)
    X = rng.normal(size=(9, 40, channels))
    X[2, 30:] = np.nan
    state = fit_pooling(
        X, n_filters=4, n_mixtures=n_mixtures, normalise=False, cross=cross, dtype=dtype
    )
    full = pooled_features(X, state)
    alternating = state.feature_masks()["alternating"]
    for name, mask in candidate_feature_sets(state, "loo"):
        reduced, keep = used_responses(state, mask)
        dropped = not (mask & alternating).any()
        positive = int((~state.alternating_responses).sum())
        assert reduced.n_responses == (positive if dropped else state.n_responses), name
        assert not (dropped and (keep & alternating).any())
        assert keep.sum() == reduced.n_features
        tolerance = 1e-12 * np.abs(full).max()
        np.testing.assert_allclose(pooled_features(X, reduced), full[:, keep], atol=tolerance)


def test_leave_one_out_is_exact_for_penalties_far_below_the_spectrum():
    """Wide design, alpha 1e-14 of the spectrum: the minimum-norm interpolation limit.

    ``1 - H_ii`` is then ~1e-14; written as ``1 - (1/n + sum s/(s+alpha))`` it would be
    pure round-off (the score came out near 0, a perfect fit, before the damping form).
    The reference refits each leave-one-out ridge in the dual, ``(K + alpha I)^-1``,
    which is well conditioned here (smallest eigenvalue ~1e3).
    """
    from sksssm.estimators._class_targets import one_vs_all_targets
    from sksssm.spectral._ridge_loo import centred_eigh, ridge_loo_path

    rng = np.random.default_rng(3)
    n = 15
    F = rng.normal(size=(n, 4000))
    F -= F.mean(axis=0)
    targets = one_vs_all_targets(np.arange(n) % 3, 3)
    alpha = 1e-10
    s, U = centred_eigh(F @ F.T)
    assert s.min() > 1e3
    (fit,) = ridge_loo_path(U, s, targets, [alpha])
    loo, score = fit.loo_decisions, fit.score
    expected = np.empty_like(targets)
    for i in range(n):
        keep = np.arange(n) != i
        Fi = F[keep] - F[keep].mean(axis=0)
        Ti = targets[keep]
        dual = np.linalg.solve(Fi @ Fi.T + alpha * np.eye(n - 1), Ti - Ti.mean(axis=0))
        expected[i] = (F[i] - F[keep].mean(axis=0)) @ (Fi.T @ dual) + Ti.mean(axis=0)
    # decisions of size ~1: a dual solve with condition ~10 leaves ~1e-12 round-off
    np.testing.assert_allclose(loo, expected, atol=1e-8)
    np.testing.assert_allclose(score, -np.mean((targets - expected) ** 2), rtol=1e-8)


def test_leave_one_out_decisions_equal_refits_without_each_series():
    from sksssm.estimators._class_targets import one_vs_all_targets
    from sksssm.spectral._ridge_loo import centred_eigh, ridge_loo_path

    rng = np.random.default_rng(12)
    F = rng.normal(size=(12, 30))
    F -= F.mean(axis=0)
    encoded = np.arange(12) % 3
    targets = one_vs_all_targets(encoded, 3)
    s, U = centred_eigh(F @ F.T)
    (fit,) = ridge_loo_path(U, s, targets, [0.7])
    alpha, loo, dual = fit.alpha, fit.loo_decisions, fit.dual
    np.testing.assert_allclose(F.T @ dual, Ridge(alpha=0.7).fit(F, targets).coef_.T, rtol=1e-9)
    for i in range(12):
        keep = np.arange(12) != i
        # sklearn's Ridge refitted without series i (it re-centres the 11 rows itself)
        refit = Ridge(alpha=alpha).fit(F[keep], targets[keep])
        # closed-form leave-one-out vs an explicit refit: round-off ~1e-14 measured
        np.testing.assert_allclose(loo[i], refit.predict(F[i : i + 1])[0], rtol=1e-9, atol=1e-11)


def test_block_selection_off_uses_every_feature():
    X = np.random.default_rng(13).normal(size=(16, 1, 24))
    y = np.arange(16) % 2
    clf = SpectralFilterClassifier(
        random_state=0, normalise="loo", n_filters=3, block_selection="off"
    ).fit(X, y)
    assert clf.feature_set_ == "all" and clf.feature_mask_.all()
    assert clf.coef_.shape == (clf.pooling_.n_features, 1)
    # several channels: every feature is the cross-channel block too
    X2 = np.random.default_rng(14).normal(size=(16, 2, 24))
    clf = SpectralFilterClassifier(
        random_state=0, normalise="loo", n_filters=3, block_selection="off"
    ).fit(X2, y)
    assert clf.feature_set_ == "all+cross" and clf.feature_mask_.all()
    assert clf.pooling_.n_cross_features > 0
    assert clf.coef_.shape == (clf.pooling_.n_features, 1)


def test_docstring_names_the_candidate_feature_sets():
    """The class docstring lists the candidate feature sets by name, not by a reference
    to a private constant that the API reference cannot show."""
    from numpydoc.docscrape import ClassDoc

    from sksssm.spectral._feature_sets import FEATURE_SETS

    doc = ClassDoc(SpectralFilterClassifier)
    assert ":data:`FEATURE_SETS`" not in SpectralFilterClassifier.__doc__
    (block_selection,) = [p for p in doc["Parameters"] if p.name == "block_selection"]
    text = " ".join(block_selection.desc)
    assert re.findall(r'``"(\w+)"``', text) == [name for name, _ in FEATURE_SETS]
    # the fitted attribute points to that list
    (feature_set,) = [p for p in doc["Attributes"] if p.name == "feature_set_"]
    assert "block_selection" in " ".join(feature_set.desc)


def test_classifier_learns_frequency_with_string_labels_and_probabilities():
    rng = np.random.default_rng(5)
    t = np.arange(80)
    y = np.repeat(["low", "high"], 30)
    freq = np.where(y == "low", 0.04, 0.12)[:, None]
    X = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, (60, 1))) + rng.normal(0, 0.5, (60, 80))
    Xte = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, (60, 1))) + rng.normal(0, 0.5, (60, 80))
    clf = SpectralFilterClassifier(random_state=0, normalise="loo").fit(X, y)
    assert clf.score(Xte, y) >= 0.95  # a clean 2-frequency task; 1.0 measured
    proba = clf.predict_proba(Xte)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(Xte))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(Xte)), proba, rtol=1e-10)
    assert clf.temperature_ > 0


def test_unequal_length_classifier_equals_per_series_features():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 2, 40))
    y = np.arange(30) % 3
    lengths = rng.integers(10, 41, size=30)
    for i, length in enumerate(lengths):
        X[i, :, length:] = np.nan
    clf = SpectralFilterClassifier(random_state=0, n_filters=4).fit(X, y)
    decision = clf.decision_function(X)
    for i in (0, 7):
        single = clf.decision_function(X[i : i + 1, :, : lengths[i]])
        np.testing.assert_allclose(single[0], decision[i], rtol=1e-8, atol=1e-10)


def test_predict_uses_fit_configuration_and_failed_fit_keeps_state():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(20, 1, 24))
    y = np.arange(20) % 2
    clf = SpectralFilterClassifier(random_state=0, normalise="loo", n_filters=3).fit(X, y)
    before = clf.decision_function(X)
    clf.set_params(n_filters=7, statistics=("mean",))
    np.testing.assert_array_equal(clf.decision_function(X), before)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, np.zeros(20))
    np.testing.assert_array_equal(clf.decision_function(X), before)
    # the stored pooling has the fit's 3 filters per group, not the 7 set since
    assert {len(group) for group in clf.pooling_.bank_groups[1:]} == {3}


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({}, np.ones((4, 1, 1)), "at least 2 time steps"),
        ({"statistics": ("mean", "median")}, None, "statistics must be"),
        ({"quantiles": (0.5, 2.0)}, None, "quantiles must be"),
        ({"filter_lengths": (1,)}, None, "filter_lengths must be"),
        ({"alphas": [-1.0]}, None, "alphas must be"),
        ({"alphas": ["a"]}, None, "alphas must be"),  # not numpy's conversion error
        ({"alphas": ["1e-3"]}, None, "alphas must be"),  # a string, not read as 0.001
        ({"alphas": [True, 1.0]}, None, "alphas must be"),
        ({"n_mixtures": -1}, None, "n_mixtures"),
    ],
)
def test_bad_input_raises_clear_errors(params, X, match):
    rng = np.random.default_rng(8)
    if X is None:
        X = rng.normal(size=(10, 1, 16))
    y = np.arange(len(X)) % 2
    with pytest.raises(ValueError, match=match):
        SpectralFilterClassifier(random_state=0, **params).fit(X, y)


def test_nan_inside_a_series_is_rejected():
    X = np.random.default_rng(9).normal(size=(6, 2, 16))
    y = np.arange(6) % 2
    X[0, 0, 5] = np.nan
    with pytest.raises(ValueError, match="NaN inside a series"):
        SpectralFilterClassifier(random_state=0).fit(X, y)
    X[0, 0, 5] = 1.0
    X[1, 0, 10:] = np.nan  # only one channel padded
    with pytest.raises(ValueError, match="NaN-padding at the end"):
        SpectralFilterClassifier(random_state=0).fit(X, y)
    X[1, 0, 10:] = 0.0
    X[2, 1, 3] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        SpectralFilterClassifier(random_state=0).fit(X, y)


def test_channel_mismatch_at_predict():
    X = np.random.default_rng(10).normal(size=(8, 2, 16))
    clf = SpectralFilterClassifier(random_state=0, n_filters=2).fit(X, np.arange(8) % 2)
    # the layout of the fit is named (not scikit-learn's "X has 1 features" message)
    with pytest.raises(ValueError, match=r"fitted on 3D X of layout \(n_samples, 2, n_timest"):
        clf.predict(X[:, :1])


def test_normalised_features_ignore_level_and_scale_but_keep_them_apart():
    rng = np.random.default_rng(14)
    X = rng.normal(size=(6, 40, 2))
    state = fit_pooling(X, n_filters=3, n_mixtures=2)
    masks = state.feature_masks()
    moved = 5.0 + 3.0 * X  # same shapes, another level and scale in every channel
    F, G = pooled_features(X, state), pooled_features(moved, state)
    # shape features: equal up to the round-off of standardizing (~1e-15 measured)
    np.testing.assert_allclose(G[:, ~masks["scale"]], F[:, ~masks["scale"]], atol=1e-9)
    # the two scale features per channel: mean and log standard deviation of the raw series
    np.testing.assert_allclose(
        G[:, masks["scale"]], np.hstack([moved.mean(axis=1), np.log(moved.std(axis=1))])
    )
    assert masks["scale"].sum() == 4 and masks["scale"][-4:].all()


def test_segment_edges_and_feature_masks():
    from sksssm.spectral._pooling import segment_edges

    np.testing.assert_array_equal(segment_edges(np.array([8, 10, 3]), 4)[2], [0, 0, 1, 2, 3])
    state = fit_pooling(np.random.default_rng(15).normal(size=(4, 20, 3)), n_filters=2)
    masks = state.feature_masks()
    assert all(m.shape == (state.n_features,) for m in masks.values())
    # alternating-sign responses: half of all responses but the identity column
    assert state.alternating_responses.sum() == (state.n_responses - 1) // 2
    per_response = 2 * 3 * (6 + len(state.quantiles) + 2 * state.n_segments)  # kinds x channels
    assert masks["alternating"].sum() == per_response * state.alternating_responses.sum()
    assert masks["segment"].sum() == 2 * 3 * 2 * state.n_segments * state.n_responses


def test_normalise_loo_keeps_the_representation_with_the_smaller_loo_error():
    rng = np.random.default_rng(16)
    y = np.arange(36) % 2
    t = np.arange(48)
    # class = waveform (sine or square) at amplitudes spanning 100x: scale is a nuisance
    wave = np.where(y[:, None] == 0, np.sin(t / 3.0), np.sign(np.sin(t / 3.0)))
    X = np.exp(rng.uniform(-2.3, 2.3, (36, 1))) * (wave + rng.normal(0, 0.3, (36, 48)))
    fits = {
        n: SpectralFilterClassifier(random_state=0, n_filters=3, normalise=n).fit(X, y)
        for n in (False, True)
    }
    auto = SpectralFilterClassifier(random_state=0, normalise="loo", n_filters=3).fit(X, y)
    chosen = max(fits.values(), key=lambda c: c.loo_score_)
    assert auto.normalise_ == chosen.pooling_.normalise and auto.loo_score_ == chosen.loo_score_
    np.testing.assert_array_equal(auto.decision_function(X), chosen.decision_function(X))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_normalise_both_averages_the_two_single_representation_fits(n_classes):
    rng = np.random.default_rng(17)
    y = np.arange(36) % n_classes
    t = np.arange(48)
    wave = np.sin(t[None, :] / (2.0 + y[:, None]))  # class = frequency
    X = np.exp(rng.uniform(-1, 1, (36, 1))) * wave + rng.normal(0, 0.5, (36, 48))
    X_test = X[:12] + rng.normal(0, 0.5, (12, 48))
    options = dict(random_state=0, n_filters=3, n_mixtures=4)
    both = SpectralFilterClassifier(**options).fit(X, y)  # normalise="both", the default
    singles = [SpectralFilterClassifier(normalise=n, **options).fit(X, y) for n in (False, True)]
    for head, single in zip(both.estimators_, singles, strict=True):
        assert head.get_params()["normalise"] == single.normalise_ == single.normalise
        assert head.feature_set_ == single.feature_set_ and head.alpha_ == single.alpha_
        np.testing.assert_array_equal(head.coef_, single.coef_)
        assert head.temperature_ == single.temperature_
    assert not hasattr(both, "coef_")
    # independent: the normalized geometric mean of the two fits' probabilities
    log_p = np.mean([single.predict_log_proba(X_test) for single in singles], axis=0)
    proba = np.exp(log_p) / np.exp(log_p).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(both.predict_proba(X_test), proba, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(both.predict(X_test), proba.argmax(axis=1))
    decision = both.decision_function(X_test)
    if n_classes == 2:  # the log-odds of classes_[1]
        np.testing.assert_allclose(decision, log_p[:, 1] - log_p[:, 0], rtol=1e-9)
    else:  # the mean log-probabilities, up to a constant per series
        offset = decision - log_p
        np.testing.assert_allclose(offset, offset[:, :1].repeat(n_classes, axis=1), rtol=1e-9)
    # refitted with one representation: the heads are gone, the model attributes back
    single = both.set_params(normalise="loo").fit(X, y)
    assert not hasattr(single, "estimators_") and hasattr(single, "coef_")


def test_normalise_both_gives_finite_probabilities_for_a_huge_value():
    rng = np.random.default_rng(18)
    y = np.arange(24) % 2
    X = np.sin(np.arange(32)[None, :] / (2.0 + y[:, None])) + rng.normal(0, 0.3, (24, 32))
    clf = SpectralFilterClassifier(random_state=0, n_filters=3, n_mixtures=2).fit(X, y)
    spiked = X[:4].copy()
    spiked[0, 5] = 1e300  # the raw head's scale r is about 1e300, the standardized one's 1
    proba = clf.predict_proba(spiked)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    decision = clf.decision_function(spiked)
    np.testing.assert_array_equal(clf.predict(spiked), clf.classes_[(decision > 0).astype(int)])
    np.testing.assert_allclose(proba[1:], clf.predict_proba(X[1:4]), rtol=1e-12)


def test_bad_n_segments_and_options_raise():
    X = np.random.default_rng(17).normal(size=(8, 1, 16))
    with pytest.raises(ValueError, match="n_segments"):
        SpectralFilterClassifier(random_state=0, n_segments=0).fit(X, np.arange(8) % 2)
    with pytest.raises(ValueError, match="block_selection"):
        SpectralFilterClassifier(random_state=0, block_selection="gcv").fit(X, np.arange(8) % 2)
    with pytest.raises(ValueError, match=r"'n_segments' parameter of fit_pooling must be an int"):
        fit_pooling(np.swapaxes(X, 1, 2), n_segments=0)


@pytest.mark.parametrize("n_series", [12, 60])  # Gram path (n <= p) and SVD path (n > p)
def test_select_ridge_matches_sklearn_on_wide_and_tall_designs(n_series):
    from sksssm.estimators._class_targets import one_vs_all_targets
    from sksssm.spectral._ridge_loo import select_ridge_by_loo

    rng = np.random.default_rng(18)
    F = rng.normal(size=(n_series, 30))
    F[:, :3] += np.arange(n_series)[:, None] % 3  # some signal
    F = (F - F.mean(axis=0)) / F.std(axis=0)
    y = np.arange(n_series) % 3
    half = np.arange(30) < 15
    candidates = [("all", np.ones(30, bool)), ("half", half)]
    alphas = np.logspace(-2, 3, 6)
    fit = select_ridge_by_loo(F, one_vs_all_targets(y, 3), alphas, candidates)
    name, alpha, coef = fit.name, fit.alpha, fit.coef
    intercept, score, weights = fit.intercept, fit.score, fit.weights
    assert (weights == 1.0).all()  # no cross-channel block: no column weighted
    fits = {n: RidgeClassifierCV(alphas=alphas).fit(F[:, m], y) for n, m in candidates}
    best = max(fits, key=lambda n: fits[n].best_score_)
    assert name == best and alpha == fits[best].alpha_
    # the same ridge and the same leave-one-out error by two routes: round-off ~1e-14
    np.testing.assert_allclose(score, fits[best].best_score_, rtol=1e-9)
    np.testing.assert_allclose(coef.T, fits[best].coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(intercept, fits[best].intercept_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_predictions_do_not_depend_on_the_units_of_X(factor):
    # Fixed per-channel scales make the features equivariant: huge inputs must not
    # overflow (they did: squares of 1e200 in the pooled statistics), tiny ones must not
    # underflow, and the fitted model must be the same one.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 2, 40))
    y = np.arange(30) % 3
    reference = SpectralFilterClassifier(random_state=0).fit(X, y)
    scaled = SpectralFilterClassifier(random_state=0).fit(X * factor, y)
    np.testing.assert_array_equal(scaled.predict(X * factor), reference.predict(X))
    # Same model up to the rounding of the rescaled inputs.
    np.testing.assert_allclose(
        scaled.predict_proba(X * factor), reference.predict_proba(X), rtol=1e-6, atol=1e-9
    )


# --------------------------------------------------------------------------- cross-channel
def _standardise_direct(v):
    """Each column centred and scaled by its (population) std; a constant column -> 0."""
    std = v.std(axis=0)
    return (v - v.mean(axis=0)) / np.where(std > 0, std, 1.0)


def test_cross_features_match_a_direct_loop_with_unequal_lengths():
    from sksssm.spectral._pooling import cross_pairs

    rng = np.random.default_rng(21)
    # channels of very different levels and scales; one constant channel in one series
    X = rng.normal(size=(4, 23, 3)) * [1.0, 5.0, 0.1] + [0.0, 3.0, -2.0]
    lengths = np.array([23, 9, 15, 4])
    for i, length in enumerate(lengths):
        X[i, length:] = np.nan
    X[2, :15, 1] = 7.0
    state = fit_pooling(
        X, n_filters=3, filter_lengths=(4, 12), n_mixtures=2, normalise=False, cross=True
    )
    F = pooled_features(X, state)
    assert F.shape == (4, state.n_features) and np.isfinite(F).all()
    cross = state.feature_masks()["cross"]
    assert cross.sum() == state.n_cross_features > 0 and cross[-state.n_cross_features :].all()
    bank = state.bank
    for n, length in enumerate(lengths):
        u = _standardise_direct(X[n, :length])
        d = np.zeros_like(u)
        d[1:] = u[1:] - u[:-1]
        expected = []
        for v in (u, _standardise_direct(d)):  # the series, then its first differences
            for i, j in cross_pairs(3):
                for b in range(bank.shape[1]):
                    if b == 0 and i > j:  # zero-lag correlation: once per unordered pair
                        continue
                    # (filter b * channel i)[t] by the causal sum over taps, times channel j
                    z = [
                        sum(bank[s, b] * v[t - s, i] for s in range(min(t + 1, len(bank))))
                        for t in range(length)
                    ]
                    expected.append(np.mean(np.array(z) * v[:, j]))
        # FFT vs explicit sums of O(1) products: ~4e-16 measured
        np.testing.assert_allclose(F[n, cross], expected, rtol=0, atol=1e-12)
    # chunking and padding do not change them (FFT lengths differ: round-off only)
    np.testing.assert_allclose(pooled_features(X, state, chunk_size=1), F, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pooled_features(X[1:2, :9], state)[0], F[1], rtol=0, atol=1e-12)


def test_lag_weights_sum_the_lags_from_the_half_spectrum():
    """Parseval's identity, odd and even FFT lengths: the bank's sums over the lags of a
    real sequence, taken from its half spectrum, equal the direct sums."""
    from sksssm.spectral._cross_channel import _lag_weights

    rng = np.random.default_rng(24)
    for n_fft, n_lags in ((15, 6), (16, 16), (27, 1)):
        R = rng.normal(size=(3, n_fft))  # any real sequences, not only correlations
        bank = rng.normal(size=(n_lags, 4))
        half = np.fft.rfft(R, axis=-1)
        interleaved = np.stack([half.real, half.imag], axis=-1).reshape(3, -1)
        np.testing.assert_allclose(
            interleaved @ _lag_weights(bank, n_fft), R[:, :n_lags] @ bank, rtol=0, atol=1e-12
        )


def test_cross_block_weights_kept_per_fft_size_and_lags():
    """Chunks of 11 and 12 steps with 12-tap filters take FFTs of one size (24) over 11
    and 12 lags: the bank's weights kept across the chunks of a call must not be mixed."""
    rng = np.random.default_rng(25)
    X = rng.normal(size=(2, 12, 2))
    X[0, 11:] = np.nan
    state = fit_pooling(X, n_filters=3, filter_lengths=(4, 12), normalise=False, cross=True)
    assert state.bank.shape[0] == 12
    together = pooled_features(X, state, chunk_size=1)  # one call, two chunks
    for i in range(2):
        alone = pooled_features(X[i : i + 1], state)
        np.testing.assert_allclose(together[i], alone[0], rtol=0, atol=1e-12)


def test_cross_pairs_rule_and_masks():
    from sksssm.spectral._pooling import MAX_CROSS_PAIRS, cross_pairs

    for c in (1, 2, 6, 12, 16, 17, 40, 500):
        pairs = cross_pairs(c)
        as_set = {tuple(p) for p in pairs.tolist()}
        assert len(as_set) == len(pairs) <= max(MAX_CROSS_PAIRS, 2 * c)
        assert all(i != j and (j, i) in as_set for i, j in as_set)  # both orders
        if c * (c - 1) <= MAX_CROSS_PAIRS:
            assert len(pairs) == c * (c - 1)  # every ordered pair
        else:
            assert {(i, (i + 1) % c) for i in range(c)} <= as_set  # neighbours at least
    assert len(cross_pairs(17)) == 2 * 17 * 7 and len(cross_pairs(500)) == 1000
    state = fit_pooling(np.random.default_rng(22).normal(size=(3, 20, 3)), cross=True)
    masks = state.feature_masks()
    n_pairs, n_bank = len(state.cross_pairs), state.bank.shape[1]
    # kinds x (pairs x bank columns, less the repeated zero-lag column of pairs i > j)
    assert state.n_cross_features == 2 * (n_pairs * n_bank - n_pairs // 2)
    # half of the bank columns but the identity are alternating-sign
    alternating_cross = masks["alternating"] & masks["cross"]
    assert alternating_cross.sum() == 2 * n_pairs * (n_bank - 1) // 2
    assert not (masks["cross"] & (masks["segment"] | masks["scale"])).any()


def test_cross_block_leaves_univariate_and_per_channel_features_unchanged():
    rng = np.random.default_rng(23)
    X1 = rng.normal(size=(12, 30, 1))
    X1[3, 20:] = np.nan
    on, off = fit_pooling(X1, cross=True), fit_pooling(X1, cross=False)
    assert on.cross_pairs is None and on.n_features == off.n_features
    np.testing.assert_array_equal(pooled_features(X1, on), pooled_features(X1, off))
    X3 = rng.normal(size=(12, 30, 3))
    on, off = fit_pooling(X3, cross=True), fit_pooling(X3, cross=False)
    F_on, F_off = pooled_features(X3, on), pooled_features(X3, off)
    np.testing.assert_array_equal(F_on[:, : off.n_features], F_off)  # cross block appended
    # the classifier on one channel: the same model with or without the option
    y = np.arange(12) % 2
    X1 = X1[..., 0]  # (n, t): the sklearn layout of univariate series
    a = SpectralFilterClassifier(random_state=0, normalise="loo", n_filters=4).fit(X1, y)
    b = SpectralFilterClassifier(
        random_state=0, normalise="loo", n_filters=4, cross_channel=False
    ).fit(X1, y)
    assert a.feature_set_ == b.feature_set_ and a.pooling_.cross_pairs is None
    np.testing.assert_array_equal(a.feature_scale_, b.feature_scale_)
    np.testing.assert_array_equal(a.decision_function(X1), b.decision_function(X1))


def _lead_lag(n, rng, shift=3):
    """Two noisy copies of white noise, lengths 30-70 (NaN-padded); class = whether
    channel 2 leads or lags channel 1 by ``shift`` steps."""
    y = rng.integers(0, 2, n)
    X = np.full((n, 2, 70), np.nan)
    for i in range(n):
        length = rng.integers(30, 71)
        z = rng.normal(size=length + shift)
        a, b = (z[shift:], z[:-shift]) if y[i] else (z[:-shift], z[shift:])
        X[i, 0, :length] = a + 0.3 * rng.normal(size=length)
        X[i, 1, :length] = b + 0.3 * rng.normal(size=length)
    return X, y


def test_lead_lag_is_learned_with_the_defaults():
    rng = np.random.default_rng(24)
    X, y = _lead_lag(60, rng)
    X_test, y_test = _lead_lag(200, rng)
    clf = SpectralFilterClassifier(random_state=0, normalise="loo").fit(X, y)
    assert clf.feature_set_.endswith("+cross")
    # per-channel features see two white-noise channels in both classes: chance
    # (0.50 +- 0.035 over 200 series); the lagged cross-correlation separates them
    assert clf.score(X_test, y_test) > 0.9
    blind = SpectralFilterClassifier(random_state=0, normalise="loo", cross_channel=False).fit(
        X, y
    )
    assert blind.score(X_test, y_test) < 0.7


def test_cross_block_not_chosen_gives_the_per_channel_model():
    rng = np.random.default_rng(25)
    t = np.arange(48)
    y = np.arange(30) % 2
    X = rng.normal(0, 0.3, (30, 2, 48))
    X[:, 1] += np.sin(2 * np.pi * np.where(y == 0, 0.05, 0.15)[:, None] * t)
    with_cross = SpectralFilterClassifier(random_state=0, normalise="loo", n_filters=4).fit(X, y)
    without = SpectralFilterClassifier(
        random_state=0, normalise="loo", n_filters=4, cross_channel=False
    ).fit(X, y)
    assert not with_cross.feature_set_.endswith("+cross")  # LOO prefers the channels
    assert with_cross.pooling_.cross_pairs is None  # and predict skips the block
    assert with_cross.feature_set_ == without.feature_set_
    np.testing.assert_array_equal(with_cross.decision_function(X), without.decision_function(X))


@pytest.mark.parametrize("n_series", [12, 60])  # Gram path (n <= p) and SVD path (n > p)
def test_select_ridge_weights_the_cross_block_like_sklearn_on_scaled_columns(n_series):
    from sksssm.estimators._class_targets import one_vs_all_targets
    from sksssm.spectral._ridge_loo import select_ridge_by_loo

    rng = np.random.default_rng(26)
    F = rng.normal(size=(n_series, 40))
    cross = np.arange(40) >= 34  # 6 cross columns carry the class
    y = np.arange(n_series) % 2
    F[:, 34:] += 1.5 * y[:, None]
    F = (F - F.mean(axis=0)) / F.std(axis=0)
    candidates = [("all", np.ones(40, bool)), ("some", np.arange(40) >= 10)]
    alphas = np.logspace(-2, 3, 6)
    fit = select_ridge_by_loo(F, one_vs_all_targets(y, 2), alphas, candidates, cross=cross)
    name, mask, alpha, coef = fit.name, fit.mask, fit.alpha, fit.coef
    score, weights = fit.score, fit.weights
    assert name.endswith("+cross")
    base = candidates[[n for n, _ in candidates].index(name[: -len("+cross")])][1]
    rest = base & ~cross
    # equal squared norms of the two blocks after weighting
    w = (F[:, rest] ** 2).sum() / (F[:, cross] ** 2).sum()
    np.testing.assert_allclose(weights[cross], np.sqrt(w), rtol=1e-12)
    assert (weights[~cross] == 1.0).all()
    scaled = F[:, mask] * weights[mask]
    reference = RidgeClassifierCV(alphas=alphas).fit(scaled, y)
    assert alpha == reference.alpha_
    # same ridge and leave-one-out error by two routes: round-off ~1e-14
    np.testing.assert_allclose(score, reference.best_score_, rtol=1e-9)
    np.testing.assert_allclose(coef[:, 0], reference.coef_.ravel(), rtol=1e-8, atol=1e-10)
    # and it beats every per-channel candidate fitted alone
    for _, m in candidates:
        alone = RidgeClassifierCV(alphas=alphas).fit(F[:, m & ~cross], y)
        assert score > alone.best_score_


def test_random_state_draws_the_mixtures():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 30))
    y = np.repeat([0, 1], 10)
    X[y == 1] += np.sin(np.arange(30) / 2)
    params = dict(n_filters=3, normalise=False, block_selection="off", alphas=[1.0])
    first, again, other = (
        SpectralFilterClassifier(random_state=seed, **params).fit(X, y) for seed in (1, 1, 2)
    )
    for group in range(len(first.pooling_.mixing)):
        np.testing.assert_array_equal(first.pooling_.mixing[group], again.pooling_.mixing[group])
        assert not np.allclose(first.pooling_.mixing[group], other.pooling_.mixing[group])
    np.testing.assert_array_equal(first.decision_function(X), again.decision_function(X))
    assert not np.allclose(first.decision_function(X), other.decision_function(X))
    # a RandomState instance is accepted too (check_random_state)
    SpectralFilterClassifier(random_state=np.random.RandomState(0), **params).fit(X, y)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"differences": False, "normalise": False, "cross": True},
        {
            "statistics": ("ppv", "segment_std", "last"),
            "n_segments": 3,
            "normalise": False,
            "cross": True,
        },
        {"use_negative": False, "n_mixtures": 0, "quantiles": (0.5,)},
    ],
)
def test_column_layout_matches_the_computed_features(options):
    # one layout (column_blocks) for the counts, names and masks; the features computed
    # by pooled_features must have exactly its columns, in its order
    X = np.random.default_rng(5).normal(size=(6, 24, 3))
    state = fit_pooling(X, n_filters=3, n_mixtures=options.pop("n_mixtures", 2), **options)
    F = pooled_features(X, state)
    statistic = state.column_statistics()
    assert F.shape[1] == state.n_features == len(statistic)
    masks = state.feature_masks()
    assert all(mask.shape == (state.n_features,) for mask in masks.values())
    # ppv columns are proportions, cross columns appear only with the cross block
    assert ((F[:, masks["ppv"]] >= 0) & (F[:, masks["ppv"]] <= 1)).all()
    assert masks["cross"].any() == bool(options.get("cross"))
    # the first "last" column (identity response, channel 0) is the raw last value
    if "last" in state.statistics and not state.normalise:
        first_last = int(np.argmax(statistic == "last"))
        np.testing.assert_allclose(F[:, first_last], X[:, -1, 0], rtol=1e-12)


def test_float32_features_agree_with_float64():
    # float32 responses: ~1e-7 relative round-off of FFT and mixtures, sums pairwise
    rng = np.random.default_rng(12)
    X = rng.normal(size=(9, 70, 2))
    X[3, 40:] = np.nan  # unequal lengths take the masked paths
    options = dict(n_filters=5, n_mixtures=3, normalise=False, cross=True)
    exact = fit_pooling(X, **options)
    single = fit_pooling(X, dtype="float32", **options)
    F64, F32 = pooled_features(X, exact), pooled_features(X, single)
    assert F32.dtype == np.float64 and F32.shape == F64.shape
    ppv = exact.feature_masks()["ppv"]
    # responses are O(1) here: an absolute bound of 1e-5 is ~100x the float32 round-off
    np.testing.assert_allclose(F32[:, ~ppv], F64[:, ~ppv], rtol=1e-5, atol=1e-5)
    # thresholds: the same quantiles, raised by 1e-5 instead of 1e-9 of the largest value
    np.testing.assert_allclose(single.biases, exact.biases, rtol=0, atol=1e-4)
    # ppv counts are steps above a threshold / length: a response within the margin of a
    # threshold can change side, so a few counts may move by a step or so
    changed = np.abs(F32[:, ppv] - F64[:, ppv]) > 1e-12
    assert changed.mean() < 0.01
    assert np.abs(F32[:, ppv] - F64[:, ppv]).max() <= 2 / 30 + 1e-12


def _longest_run(flags):
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _n_runs(flags):
    return sum(1 for t, flag in enumerate(flags) if flag and (t == 0 or not flags[t - 1]))


def test_extra_statistics_match_a_direct_loop():
    # MultiRocket's operators above each threshold, the run counts and Hydra's competing
    # counts, by loops
    rng = np.random.default_rng(13)
    options = dict(n_filters=3, filter_lengths=(4, 19), n_mixtures=2, differences=False)
    stats = ("mpv", "mipv", "lspv", "rpv", "hydra")
    state = fit_pooling(rng.normal(size=(5, 19, 2)), statistics=stats, normalise=False, **options)
    X = rng.normal(size=(3, 19, 2))
    X[2, 11:] = np.nan  # one shorter series: statistics over its own 11 steps
    F = pooled_features(X, state)
    bank = _effective_bank(state)
    for i, length in enumerate([19, 19, 11]):
        x = X[i, :length]
        z = np.zeros((length, 2, bank.shape[1]))
        for step in range(length):
            for s in range(min(step + 1, bank.shape[0])):
                z[step] += x[step - s][:, None] * bank[s][None, :]
        blocks = []
        for stat in stats[:4]:
            for bias in state.biases[0]:
                above = z > bias
                n = above.sum(axis=0)
                if stat == "mpv":
                    blocks.append(np.where(above, z - bias, 0).sum(axis=0) / np.maximum(n, 1))
                elif stat == "mipv":
                    where = np.where(above, np.arange(length)[:, None, None], 0).sum(axis=0)
                    blocks.append(np.where(n > 0, where / np.maximum(n, 1) / length, -1.0))
                elif stat == "lspv":
                    runs = np.apply_along_axis(_longest_run, 0, above)
                    blocks.append(runs / length)
                else:
                    blocks.append(np.apply_along_axis(_n_runs, 0, above) / length)
        wins = np.zeros((2, bank.shape[1]))
        for g in state.groups:
            best = z[:, :, g].max(axis=2, keepdims=True)
            wins[:, g] = (z[:, :, g] == best).mean(axis=0)
        blocks.append(wins)
        expected = np.concatenate([b.ravel() for b in blocks])
        np.testing.assert_allclose(F[i], expected, rtol=1e-10, atol=1e-12)
    assert F.shape[1] == n_pooled_features(
        2, state.n_responses, statistics=stats, normalise=False, differences=False
    )


def test_predict_in_blocks_equals_one_block(monkeypatch):
    # the standardization folded into the weights, series in blocks: the same decisions
    # as the standardized features times the coefficients, computed here directly
    from sksssm.estimators import _pooled

    rng = np.random.default_rng(14)
    X = rng.normal(size=(24, 2, 30))
    y = np.arange(24) % 3
    # the linear ridge, whose decisions the folded weights give (kernel heads: see
    # tests/test_kernel_ridge.py)
    clf = SpectralFilterClassifier(
        random_state=0, normalise="loo", n_filters=3, n_mixtures=2, kernel="linear"
    ).fit(X, y)
    X_test = rng.normal(size=(7, 2, 30))
    _standardized_features(clf, X)  # checks the fitted standardization
    X_btc = (np.swapaxes(X_test, 1, 2) - clf.x_location_) / clf.x_scale_
    F = (pooled_features(X_btc, clf.pooling_) - clf.feature_mean_) / clf.feature_scale_
    direct = F[:, clf.feature_mask_] @ clf.coef_ + clf.intercept_
    one_block = clf.decision_function(X_test)
    np.testing.assert_allclose(one_block, direct, rtol=1e-10, atol=1e-10)
    monkeypatch.setattr(_pooled, "PREDICT_BUDGET_BYTES", 1)  # one series each
    # float32 FFTs of other batches round differently (SIMD over rows): ~1e-7 relative
    # in the responses, measured 1e-10 in these decisions
    np.testing.assert_allclose(clf.decision_function(X_test), one_block, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"differences": False, "normalise": False},
        {"statistics": ("ppv", "segment_std", "last"), "quantiles": (0.2, 0.8), "n_segments": 3},
        {"statistics": ("mean", "mpv", "lspv"), "n_mixtures": 0, "use_negative": False},
    ],
)
def test_n_pooled_features_counts_the_pooled_columns(config):
    # the count derived from the column layout equals the width pooled_features writes
    X = np.random.default_rng(3).normal(size=(5, 40, 2))
    state = fit_pooling(X, n_filters=3, n_mixtures=config.pop("n_mixtures", 2), **config)
    F = pooled_features(X, state)
    assert F.shape[1] == n_pooled_features(
        2,
        state.n_responses,
        differences=state.differences,
        statistics=state.statistics,
        n_quantiles=len(state.quantiles),
        n_segments=state.n_segments,
        normalise=state.normalise,
    )


def _unequal_waves(n=20, length=32, seed=0):
    """Two classes of noisy sines, every other series NaN-padded after 20 steps."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    t = np.arange(length)
    X = np.sin(2 * np.pi * (0.05 + 0.05 * y)[:, None] * t + rng.uniform(0, 6, (n, 1)))
    X = X + rng.normal(0, 0.3, (n, length))
    X[1::2, 20:] = np.nan
    return X, y


def test_one_segment_fits_no_round_off_column_and_predicts_alone_as_in_a_batch():
    """``n_segments=1`` (float32): the standardized identity's ``segment_mean`` is the
    series' mean, 0 by construction; its float32 round-off (1e-8) used to be
    standardized into a column of noise fitted with a weight of 1e5, which made a
    series' decision depend on its batch (2e-3 apart; 0.24 with the default "both")."""
    X, y = _unequal_waves()
    for normalise, tolerance in ((True, 1e-5), ("both", 1e-3)):
        clf = SpectralFilterClassifier(normalise=normalise, n_segments=1, random_state=0)
        clf.fit(X, y)
        for head in getattr(clf, "estimators_", [clf]):
            if head.pooling_.normalise:
                zero = head.pooling_.zero_columns()
                assert "segment_mean" in head.pooling_.column_statistics()[zero]
            weights = head.coef_[:, 0] / head.feature_scale_[head.feature_mask_]
            assert np.abs(weights).max() < 1e3  # float64 fits about 50
        decision = clf.decision_function(X)
        alone = np.array([clf.decision_function(X[i : i + 1])[0] for i in range(len(X))])
        np.testing.assert_allclose(alone, decision, rtol=0, atol=tolerance)


def test_hydra_with_differences_predicts_alone_as_in_a_batch_and_padded_as_unpadded():
    """The first differences are 0 at t = 0, so every response ties there; the FFT's
    round-off (which depends on the batch's padded length) used to pick one winner, and
    moved the ``hydra`` counts by 1 / length."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 1, 24))
    y = np.repeat([0, 1], 10)
    X[::2, :, 16:] = np.nan  # unequal lengths
    clf = SpectralFilterClassifier(
        statistics=("hydra",), differences=True, normalise=True, random_state=0
    ).fit(X, y)
    proba = clf.predict_proba(X)
    for i in range(20):
        np.testing.assert_allclose(clf.predict_proba(X[i : i + 1])[0], proba[i], atol=1e-6)
    for i in range(0, 20, 2):
        unpadded = clf.predict_proba(X[i : i + 1, :, :16])[0]
        np.testing.assert_allclose(unpadded, proba[i], atol=1e-6)
    # the fit itself does not depend on the chunks (documented: memory and speed only)
    chunked = SpectralFilterClassifier(
        statistics=("hydra",), differences=True, normalise=True, random_state=0, chunk_size=1
    ).fit(X, y)
    np.testing.assert_allclose(chunked.predict_proba(X), proba, atol=1e-6)
