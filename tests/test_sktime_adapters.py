"""sktime's own estimator checks on every sksssm sktime estimator (sktime is optional)."""

import warnings

import numpy as np
import pytest

pytest.importorskip("sktime")

from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from sksssm.forecasting import DeepReductionForecaster, SpectralForecaster  # noqa: E402
from sksssm.sktime import SSMTimeSeriesClassifier, SSMTimeSeriesRegressor  # noqa: E402


def run_checks(estimator_class):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator_class, raise_exceptions=False)
    failures = {name: result for name, result in results.items() if result != "PASSED"}
    assert results and not failures, failures


# The four full runs take a few minutes on 2 shared cores (the classifier adapter alone,
# with five inner estimators, took 118 s at load average ~6; one torch thread).
@pytest.mark.parametrize(
    "estimator_class",
    [SpectralForecaster, DeepReductionForecaster, SSMTimeSeriesClassifier, SSMTimeSeriesRegressor],
)
def test_sktime_check_estimator(estimator_class):
    run_checks(estimator_class)


@pytest.mark.parametrize("adapter", [SSMTimeSeriesClassifier, SSMTimeSeriesRegressor])
def test_adapters_are_derandomized_by_random_state(adapter):
    """The default inner estimators draw random mixtures: the adapters are sktime's
    "derandomized" (they claimed "deterministic"). random_state seeds the clone, so a
    seeded adapter fits as the seeded inner estimator, and repeats exactly."""
    from sksssm import SpectralFilterClassifier, SpectralFilterSequenceRegressor

    assert adapter.get_class_tag("property:randomness") == "derandomized"
    # sktime's rule (test_random_tags): the capability iff a random_state parameter
    assert adapter.get_class_tag("capability:random_state")
    assert "random_state" in adapter.get_param_names()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2, 20))
    if adapter is SSMTimeSeriesClassifier:
        y, inner = np.where(X[:, 0].mean(axis=1) > 0, "u", "d"), SpectralFilterClassifier

        def output(fitted):
            return fitted.predict_proba(X)
    else:
        y, inner = X[:, 0].mean(axis=1) * 3, SpectralFilterSequenceRegressor

        def output(fitted):
            return fitted.predict(X)

    first = output(adapter(random_state=3).fit(X, y))
    np.testing.assert_array_equal(output(adapter(random_state=3).fit(X, y)), first)
    np.testing.assert_array_equal(output(adapter(inner(random_state=3)).fit(X, y)), first)
    # it reaches the given estimator's seed too (nested parameters), and None keeps it
    fitted = adapter(inner(random_state=None), random_state=3).fit(X, y)
    assert fitted.estimator_.random_state == 3 and fitted.estimator.random_state is None
    assert adapter(inner(random_state=5)).fit(X, y).estimator_.random_state == 5


def test_regressor_adapter_matches_direct_fit_and_recovers_a_linear_target():
    from sksssm import SpectralFilterRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2, 24))
    y = X[:, 0, -1] - 0.3 * X[:, 1, -3]
    X_new = rng.normal(size=(10, 2, 24))
    y_new = X_new[:, 0, -1] - 0.3 * X_new[:, 1, -3]
    adapter = SSMTimeSeriesRegressor(SpectralFilterRegressor(6)).fit(X, y)
    direct = SpectralFilterRegressor(6).fit(X, y)
    np.testing.assert_allclose(adapter.predict(X_new), direct.predict(X_new), rtol=1e-12)
    # Independent of sksssm: the target is a combination of direct input lags 0 and 2,
    # which the closed-form design contains; GCV picks a tiny penalty, so the noiseless
    # target is recovered to round-off (measured max error 3e-15; bound ~300x that).
    np.testing.assert_allclose(adapter.predict(X_new), y_new, atol=1e-12)


def test_regressor_adapter_default_is_the_series_to_value_regressor():
    """sktime's regression is series-to-value: the default is the pooled
    SpectralFilterSequenceRegressor (on Tecator its RMSE is 0.49 against 3.20 for the
    linear SpectralFilterRegressor, the default before: section tser), which takes
    unequal lengths."""
    from sktime.datasets import load_japanese_vowels

    from sksssm import SpectralFilterSequenceRegressor

    adapter = SSMTimeSeriesRegressor()
    assert adapter.get_tag("capability:unequal_length")
    X, _ = load_japanese_vowels(split="train", return_type="nested_univ")
    X = X.iloc[:40]
    lengths = np.array([len(X.iloc[i, 0]) for i in range(len(X))])
    assert len(set(lengths)) > 1
    adapter.fit(X, lengths.astype(float))  # the series' own length: a pooled quantity
    assert type(adapter.estimator_) is SpectralFilterSequenceRegressor
    assert np.abs(adapter.predict(X) - lengths).max() < 0.5 * lengths.std()


def test_regressor_adapter_passes_normalise_both_through():
    """The adapter's nested parameters reach the series-to-value regressor: "both" set
    through ``set_params`` fits its two heads, and predicts as the direct fit."""
    from sksssm import SpectralFilterSequenceRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 1, 24)) * rng.uniform(0.5, 2.0, (30, 1, 1))
    y = X[:, 0].std(axis=1) + 0.1 * X[:, 0].mean(axis=1)
    inner = SpectralFilterSequenceRegressor(n_filters=2, n_mixtures=2, random_state=0)
    adapter = SSMTimeSeriesRegressor(inner).set_params(estimator__normalise="both")
    assert adapter.get_params()["estimator__normalise"] == "both"
    adapter.fit(X[:24], y[:24])
    assert [head.normalise_ for head in adapter.estimator_.estimators_] == [False, True]
    direct = SpectralFilterSequenceRegressor(
        n_filters=2, n_mixtures=2, normalise="both", random_state=0
    ).fit(X[:24], y[:24])
    np.testing.assert_allclose(adapter.predict(X[24:]), direct.predict(X[24:]), rtol=1e-12)


def test_classifier_adapter_passes_dilation_through():
    """``dilation`` set through the adapter's nested parameters reaches the classifier:
    its two heads have their own banks, and it predicts as the direct fit."""
    from sksssm import SpectralFilterClassifier

    rng = np.random.default_rng(2)
    y = np.repeat([0, 1], 15)
    X = rng.normal(size=(30, 1, 40)) + np.sin(0.3 * (1 + y)[:, None] * np.arange(40))[:, None, :]
    inner = SpectralFilterClassifier(n_filters=4, n_mixtures=4, random_state=0)
    adapter = SSMTimeSeriesClassifier(inner).set_params(estimator__dilation="raw")
    assert adapter.get_params()["estimator__dilation"] == "raw"
    adapter.fit(X[:24], y[:24])
    assert [head.dilation for head in adapter.estimator_.estimators_] == ["all", "none"]
    direct = SpectralFilterClassifier(
        n_filters=4, n_mixtures=4, dilation="raw", random_state=0
    ).fit(X[:24], y[:24])
    np.testing.assert_allclose(
        adapter.predict_proba(X[24:]), direct.predict_proba(X[24:]), rtol=1e-12
    )


def test_classifier_adapter_passes_differences_through():
    """``differences="standardized"`` set through the adapter reaches the classifier:
    its raw head pools no first differences, and it predicts as the direct fit."""
    from sksssm import SpectralFilterClassifier

    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 15)
    X = rng.normal(size=(30, 1, 40)) + np.sin(0.3 * (1 + y)[:, None] * np.arange(40))[:, None, :]
    inner = SpectralFilterClassifier(n_filters=4, n_mixtures=4, random_state=0, dilation="raw")
    adapter = SSMTimeSeriesClassifier(inner).set_params(estimator__differences="standardized")
    assert adapter.get_params()["estimator__differences"] == "standardized"
    adapter.fit(X[:24], y[:24])
    assert [head.differences for head in adapter.estimator_.estimators_] == [False, True]
    direct = SpectralFilterClassifier(
        n_filters=4, n_mixtures=4, dilation="raw", differences="standardized", random_state=0
    ).fit(X[:24], y[:24])
    np.testing.assert_allclose(
        adapter.predict_proba(X[24:]), direct.predict_proba(X[24:]), rtol=1e-12
    )


def _nested_univ(series):
    """sktime nested_univ DataFrame from a list of (n_channels, length) arrays."""
    import pandas as pd

    return pd.DataFrame(
        {f"c{j}": [pd.Series(item[j]) for item in series] for j in range(series[0].shape[0])}
    )


def test_classifier_adapter_unequal_lengths_match_nan_padded_direct_fit():
    from sksssm import SpectralFilterClassifier

    rng = np.random.default_rng(1)
    lengths = rng.integers(12, 40, size=24)
    y = np.where(np.arange(24) % 2, "pos", "neg")
    series = [
        np.sin(0.3 * (1 + (label == "pos")) * np.arange(n))[None].repeat(2, axis=0)
        + 0.2 * rng.normal(size=(2, n))
        for n, label in zip(lengths, y, strict=True)
    ]
    padded = np.full((24, 2, lengths.max()), np.nan)  # the sklearn convention, by hand
    for i, item in enumerate(series):
        padded[i, :, : item.shape[1]] = item
    assert SSMTimeSeriesClassifier().get_tag("capability:unequal_length")  # the default
    clf = SSMTimeSeriesClassifier(SpectralFilterClassifier(random_state=0))
    assert clf.get_tag("capability:unequal_length")
    clf.fit(_nested_univ(series), y)
    direct = SpectralFilterClassifier(random_state=0).fit(padded, y)
    assert isinstance(clf.estimator_, SpectralFilterClassifier)
    np.testing.assert_allclose(
        clf.predict_proba(_nested_univ(series)), direct.predict_proba(padded), rtol=1e-10
    )
    np.testing.assert_array_equal(clf.predict(_nested_univ(series)), direct.predict(padded))
    assert set(clf.predict(_nested_univ(series))) <= {"neg", "pos"}


def test_classifier_adapter_keeps_labels_and_probabilities():
    from sksssm import PTDSSMClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1, 16))
    y = np.where(X[:, 0].sum(axis=1) > 0, "pos", "neg")
    inner = PTDSSMClassifier(d_model=4, n_layers=1, max_epochs=2, random_state=0)
    clf = SSMTimeSeriesClassifier(inner)
    assert clf.get_tag("capability:unequal_length")  # NaN-padded unequal lengths
    clf.fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(clf.predict(X)) <= {"neg", "pos"}
    direct = PTDSSMClassifier(d_model=4, n_layers=1, max_epochs=2, random_state=0).fit(X, y)
    # same seed, same data, single process: identical float32 training up to round-off
    np.testing.assert_allclose(proba, direct.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_classifier_adapter_without_inner_predict_proba_gives_sktime_default():
    # The docstring takes any scikit-learn classifier on 3D arrays; one without
    # predict_proba raised AttributeError. sktime's default: 0/1 from predict.
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.linear_model import RidgeClassifier

    class Flat(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.model_ = RidgeClassifier().fit(X.reshape(len(X), -1), y)
            self.classes_ = self.model_.classes_
            return self

        def predict(self, X):
            return self.model_.predict(X.reshape(len(X), -1))

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 12))
    y = np.where(X[:, 0].sum(axis=1) > 0, "pos", "neg")
    clf = SSMTimeSeriesClassifier(Flat()).fit(X, y)
    proba = clf.predict_proba(X)
    labels = clf.predict(X)
    np.testing.assert_array_equal(proba, (labels[:, None] == clf.classes_).astype(float))


def test_nested_panel_with_channels_of_different_lengths_is_refused_clearly():
    import pandas as pd

    rng = np.random.default_rng(0)

    def instance(n0, n1):
        return {"c0": pd.Series(rng.normal(size=n0)), "c1": pd.Series(rng.normal(size=n1))}

    X = pd.DataFrame([instance(10, 12), instance(8, 8)] * 5)  # sktime's check accepts it
    with pytest.raises(ValueError, match=r"instance 0 of the panel has channels of lengths"):
        SSMTimeSeriesClassifier().fit(X, np.array(["a", "b"] * 5))


def _slice(loader, split, step, max_length=None):
    """Every ``step``-th series of a bundled sktime data set (nested_univ), all classes."""
    X, y = loader(split=split, return_type="nested_univ")
    X, y = X.iloc[::step].reset_index(drop=True), y[::step]
    if max_length is not None:
        keep = np.array([len(X.iloc[i, 0]) <= max_length for i in range(len(X))])
        X, y = X[keep].reset_index(drop=True), y[keep]
    return X, y


def _deep_classifiers():
    from sksssm import HOPEClassifier, PTDSSMClassifier, STUClassifier

    tiny = dict(d_model=16, n_layers=1, max_epochs=20, random_state=0)
    return [
        PTDSSMClassifier(state_dim=16, **tiny),
        HOPEClassifier(state_dim=16, **tiny),
        STUClassifier(n_filters=8, **tiny),
    ]


@pytest.mark.parametrize("inner", _deep_classifiers(), ids=lambda e: type(e).__name__)
def test_deep_classifiers_learn_japanese_vowels_of_unequal_lengths(inner):
    # 45 training and 62 test series (every 6th; lengths 7 to 26, 12 channels, 9
    # classes); measured test accuracy 0.84-0.90 for the three at this tiny budget (chance
    # 0.11), so 0.6 fails only if the padded path is broken.
    from sktime.datasets import load_japanese_vowels

    X_train, y_train = _slice(load_japanese_vowels, "train", 6)
    X_test, y_test = _slice(load_japanese_vowels, "test", 6)
    clf = SSMTimeSeriesClassifier(inner)
    assert clf.get_tag("capability:unequal_length")
    assert clf.fit(X_train, y_train).score(X_test, y_test) >= 0.6


def test_deep_classifier_adapter_on_plaid_matches_the_nan_padded_direct_fit():
    # A smoke test on PLAID (univariate, lengths 100 to 1344, 11 classes): a slice of
    # short series and two epochs; the adapter is the direct fit on the padded array.
    from sktime.datasets import load_plaid

    from sksssm import HOPEClassifier
    from sksssm.sktime import to_padded_numpy3d

    X, y = _slice(load_plaid, "train", 12, max_length=300)
    inner = HOPEClassifier(state_dim=8, d_model=8, n_layers=1, max_epochs=2, random_state=0)
    clf = SSMTimeSeriesClassifier(inner).fit(X, y)
    padded = to_padded_numpy3d(X)
    assert np.isnan(padded).any()  # the slice has unequal lengths
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    direct = HOPEClassifier(state_dim=8, d_model=8, n_layers=1, max_epochs=2, random_state=0)
    np.testing.assert_allclose(proba, direct.fit(padded, y).predict_proba(padded), atol=1e-6)
