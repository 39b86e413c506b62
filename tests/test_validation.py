"""The validation layer: layouts, error messages, property-based round trips."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator

from sksssm import SpectralFilterClassifier, SpectralFilterRegressor, STUClassifier
from sksssm._validation import (
    check_class_labels,
    check_option,
    check_positive_int,
    check_sequence_targets,
    check_sequences,
    from_btc,
    standardization,
    to_btc,
)

shapes_2d = st.tuples(st.integers(1, 6), st.integers(2, 9))
shapes_3d = st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(2, 9))
finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(arrays(np.float64, st.one_of(shapes_2d, shapes_3d), elements=finite))
def test_btc_round_trip(X):
    Z = to_btc(X)
    assert Z.shape == (X.shape[0], X.shape[-1], 1 if X.ndim == 2 else X.shape[1])
    np.testing.assert_array_equal(from_btc(Z, X.ndim), X)


@given(arrays(np.float64, shapes_3d, elements=finite))
def test_btc_puts_time_second(X):
    Z = to_btc(X)
    # Z[n, t, c] == X[n, c, t]: the time axis of the public layout is the last one.
    n, c, t = X.shape
    for i in range(c):
        np.testing.assert_array_equal(Z[:, :, i], X[:, i, :])


@settings(max_examples=30)
@given(arrays(np.float64, st.one_of(shapes_2d, shapes_3d), elements=finite))
def test_check_sequences_sets_n_features_in(X):
    est = BaseEstimator()
    Z, ndim = check_sequences(est, X, reset=True)
    assert ndim == X.ndim
    assert est.n_features_in_ == X.shape[1]
    assert Z.dtype == np.float64


@settings(max_examples=30)
@given(
    arrays(np.float64, shapes_2d, elements=finite),
    st.sampled_from([np.nan, np.inf, -np.inf]),
    st.data(),
)
def test_non_finite_values_are_refused(X, bad, data):
    i = data.draw(st.integers(0, X.shape[0] - 1))
    j = data.draw(st.integers(0, X.shape[1] - 1))
    X = X.copy()
    X[i, j] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        check_sequences(BaseEstimator(), X, reset=True)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros(5), "Expected 2D array"),
        (np.zeros((2, 3, 4, 5)), "2D .* or 3D"),
        (np.zeros((3, 1)), "1 feature.*at least 2 time steps"),
        (np.zeros((3, 2, 1)), "at least 2 time steps"),
        (np.zeros((0, 5)), "0 sample"),
        (np.zeros((3, 5)) + 1j, "[Cc]omplex"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert"),
    ],
)
def test_bad_x_messages(X, match):
    with pytest.raises(ValueError, match=match):
        check_sequences(BaseEstimator(), X, reset=True)


def test_pandas_dataframe_is_2d_with_feature_names():
    df = pd.DataFrame(np.arange(12.0).reshape(3, 4), columns=list("abcd"))
    est = BaseEstimator()
    Z, ndim = check_sequences(est, df, reset=True)
    assert ndim == 2 and Z.shape == (3, 4, 1)
    assert list(est.feature_names_in_) == list("abcd")


def test_predict_checks_channels_not_length_for_3d():
    est = BaseEstimator()
    check_sequences(est, np.zeros((2, 3, 10)), reset=True)
    Z, _ = check_sequences(est, np.zeros((2, 3, 25)), reset=False)
    assert Z.shape == (2, 25, 3)
    with pytest.raises(ValueError, match="X has 2 features.*expecting 3"):
        check_sequences(est, np.zeros((2, 2, 10)), reset=False)


@pytest.mark.parametrize(
    "y, return_sequences, match",
    [
        (None, False, "requires y to be passed"),
        (np.zeros(3), False, "inconsistent numbers of samples"),
        (np.zeros((4, 2, 10)), False, "return_sequences=True"),
        (np.zeros(4), True, "one target per time step"),
        (np.zeros((4, 7)), True, "y has 7 time steps but X has 10"),
        (np.array([1.0, np.nan, 0.0, 0.0]), False, "NaN"),
    ],
)
def test_bad_y_messages(y, return_sequences, match):
    X_btc = np.zeros((4, 10, 1))
    with pytest.raises(ValueError, match=match):
        check_sequence_targets(BaseEstimator(), y, X_btc, return_sequences=return_sequences)


@pytest.mark.parametrize(
    "y_shape, expected",
    [((4,), (4, 1)), ((4, 3), (4, 3)), ((4, 10), (4, 10, 1)), ((4, 2, 10), (4, 10, 2))],
)
def test_target_layouts(y_shape, expected):
    return_sequences = len(expected) == 3
    y, ndim = check_sequence_targets(
        BaseEstimator(), np.ones(y_shape), np.zeros((4, 10, 1)), return_sequences=return_sequences
    )
    assert y.shape == expected and ndim == len(y_shape)


@given(st.one_of(st.integers(-5, 0), st.floats(0.5, 3.0), st.booleans(), st.text(max_size=3)))
def test_check_positive_int_refuses(value):
    with pytest.raises(ValueError, match="n_filters must be an integer >= 1"):
        check_positive_int(value, "n_filters")


def test_check_option():
    with pytest.raises(ValueError, match=r"hankel must be one of \['Z', 'L'\]; got 'Q'"):
        check_option("Q", "hankel", ("Z", "L"))


# ------------------------------------------------------------- standardization at any scale
@pytest.mark.parametrize("power", [-1000, -700, -1, 0, 1, 500, 1000])
def test_standardization_commutes_with_powers_of_two(power):
    rng = np.random.default_rng(0)
    values = rng.normal(3.0, 2.0, size=(50, 3))
    mean, scale = standardization(values)
    scaled_mean, scaled_scale = standardization(values * 2.0**power)
    # Multiplying by a power of two is exact, so the statistics scale exactly too.
    np.testing.assert_array_equal(scaled_mean, mean * 2.0**power)
    np.testing.assert_array_equal(scaled_scale, scale * 2.0**power)


def test_standardization_at_the_float64_maximum():
    # log2 of the float64 maximum rounds up to 1024, and 2**1024 overflows: the prescaling
    # power is taken from the float's exponent, so the statistics stay finite and exact.
    top = np.finfo(np.float64).max
    mean, scale = standardization(np.array([top, -top, 0.0]))
    assert mean == 0.0
    assert scale == pytest.approx(np.sqrt(2 / 3) * top, rel=1e-15)
    mean, scale = standardization(np.array([top, top / 2]))
    assert (mean, scale) == (0.75 * top, 0.25 * top)


@pytest.mark.parametrize("factor", [1e155, 1e300, 1e-200, 1e-300])
def test_standardization_is_finite_and_relative_exact_at_extreme_scales(factor):
    values = np.random.default_rng(1).normal(size=(40, 2))
    mean, scale = standardization(values * factor)
    # numpy's own std overflows (1e155: squares above 1e308) or underflows (1e-200).
    np.testing.assert_allclose(scale / factor, values.std(axis=0), rtol=1e-13)
    np.testing.assert_allclose(mean / factor, values.mean(axis=0), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("value", [0.1, 1 / 3, -7.7e5, 1e-300])
def test_standardization_detects_long_constant_channels(value):
    # 3D statistics over samples and time: a plain mean of 10**5 copies of 0.1 is off by
    # ~1e-13 relative, and the standard deviation would mistake that for variation.
    X = np.full((10_000, 10, 2), value)
    mean, scale = standardization(X, axis=(0, 1))
    np.testing.assert_array_equal(scale, [1.0, 1.0])
    np.testing.assert_array_equal(mean, [value, value])


def test_standardization_constant_columns_keep_unit_scale():
    values = np.array([[1e300, 0.0, 7.0], [1e300, 0.0, 7.0 * (1 + 2**-52)]])
    mean, scale = standardization(values)
    np.testing.assert_array_equal(scale, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(mean[:2], [1e300, 0.0])


# ------------------------------------------------------------- the shared checks
def test_check_sequences_allow_nan_accepts_nan_but_not_inf():
    X = np.ones((3, 5))
    X[0, -2:] = np.nan
    X_btc, _ = check_sequences(BaseEstimator(), X, reset=True, allow_nan=True)
    assert np.isnan(X_btc[0, -2:, 0]).all()
    with pytest.raises(ValueError, match="NaN"):
        check_sequences(BaseEstimator(), X, reset=True)
    X[1, 0] = np.inf
    with pytest.raises(ValueError, match="infinite values"):
        check_sequences(BaseEstimator(), X, reset=True, allow_nan=True)


@pytest.mark.parametrize(
    "y, n_samples, match",
    [
        (None, 3, "requires y to be passed"),
        (np.zeros((3, 2)), 3, "y must be 1D"),
        ([0.5, 1.5, 2.5], 3, "Unknown label type"),
        (["a", "b"], 3, "inconsistent numbers of samples: 3 and 2"),
        (["a", "a", "a"], 3, "needs at least 2 classes"),
        # missing labels: was numpy's "'<' not supported between 'float' and 'str'"
        (pd.Categorical(["a", "b", np.nan]), 3, "1 missing label.*position 2"),
        (np.array(["a", np.nan, "b"], dtype=object), 3, "1 missing label.*position 1"),
        (np.array(["a", None, "b"], dtype=object), 3, "missing label"),
        (pd.Series(["a", "b", pd.NA], dtype="string"), 3, "missing label"),
        ([0.0, 1.0, np.nan], 3, "missing label"),
    ],
)
def test_check_class_labels_messages(y, n_samples, match):
    with pytest.raises(ValueError, match=match):
        check_class_labels(BaseEstimator(), y, n_samples)


#: A pooled classifier of 5 features: 20 series outnumber them (the streaming path).
STREAMING = dict(
    n_filters=1, n_mixtures=0, statistics=("mean",), use_negative=False, differences=False
)


@pytest.mark.parametrize(
    "estimator",
    [SpectralFilterClassifier(), SpectralFilterClassifier(**STREAMING), STUClassifier()],
    ids=["pooled", "pooled-streaming", "deep"],
)
def test_every_classifier_refuses_missing_labels(estimator):
    X = np.random.default_rng(0).normal(size=(20, 16))
    y = pd.Categorical(["a", "b"] * 9 + ["a", np.nan])
    with pytest.raises(ValueError, match="1 missing label"):
        estimator.fit(X, y)


def test_check_class_labels_ravels_a_column_with_a_warning():
    with pytest.warns(UserWarning, match="column-vector y"):
        y = check_class_labels(BaseEstimator(), np.array([["a"], ["b"]]), 2)
    assert y.tolist() == ["a", "b"]


# ------------------------------------------------------------- one definition of each rule
def _library_sources():
    import pathlib

    import sksssm

    root = pathlib.Path(sksssm.__file__).parent
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in root.rglob("*.py")
        if path.name != "_validation.py"
    }


def test_no_module_defines_its_own_positive_int_check_or_option_set():
    import re

    duplicates = re.compile(
        r"def _?check_positive_int\b|^(HANKEL_KINDS|HANKELS|INITS|SSM_INITS|DISCRETIZATIONS"
        r"|_?POSITIVE(_REAL)?)\s*=|StrOptions\(\{\"Z\", \"L\"\}\)"
        r"|isinstance\(\w+, bool\) or not isinstance\(\w+, (int|numbers\.Integral)[^)]*\)"
        r" or \w+ <",
        re.MULTILINE,
    )
    found = {
        name: match.group(0)
        for name, source in _library_sources().items()
        for match in [duplicates.search(source)]
        if match
    }
    assert found == {}, f"use sksssm._validation instead of a local copy: {found}"


def test_one_constant_column_rule():
    """Each place that scales columns treats a round-off spread as constant by one rule."""
    import re

    from sksssm._validation import CONSTANT_RTOL, is_constant, scale_unless_constant
    from sksssm.spectral._sequences import _standardise

    level = np.array([[5.0, 5.0 + 4e-12 * 5.0], [5.0, 5.0 - 4e-12 * 5.0]])  # spread 4e-12
    assert is_constant(0.5e-12 * 5.0, 5.0) and not is_constant(2e-12 * 5.0, 5.0)
    assert standardization(level)[1].tolist()[0] == 1.0
    assert standardization(level)[1][1] == pytest.approx(4e-12 * 5.0)
    # Pooled channels: a channel whose spread is below the rule is centred, not scaled up.
    U = np.stack([np.full(8, 3.0), 3.0 + CONSTANT_RTOL * 3.0 * np.r_[0.5, -0.5].repeat(4)])
    Z = _standardise(U.T[None], np.array([8]))
    assert np.all(Z[0, :, 0] == 0.0) and np.abs(Z[0, :, 1]).max() < 1e-11
    assert scale_unless_constant(np.array([0.0, 1e-13, 1.0]), 1.0).tolist() == [1.0, 1.0, 1.0]
    # No module writes its own threshold.
    local = re.compile(r"1e-12 \* (max|np\.abs)|16 \* eps")
    found = [name for name, source in _library_sources().items() if local.search(source)]
    assert found == [], f"use sksssm._validation.is_constant instead: {found}"


# ------------------------------------------------------------- sksssm.nn through validate_params
def test_nn_public_functions_validate_their_arguments():
    import torch
    from sklearn.utils._param_validation import InvalidParameterError

    from sksssm.nn import associative_scan_linear, causal_fft_conv, draw_seed, fft_size

    with pytest.raises(InvalidParameterError, match="'n_timesteps' parameter of fft_size"):
        fft_size(0, 3)
    with pytest.raises(InvalidParameterError, match="'kernel' parameter of causal_fft_conv"):
        causal_fft_conv(torch.ones(1, 4, 1), [1.0, 0.5])
    with pytest.raises(InvalidParameterError, match="'bu' parameter of associative_scan"):
        associative_scan_linear(torch.ones(2), np.ones((4, 2)))
    with pytest.raises(InvalidParameterError, match="'generator' parameter of draw_seed"):
        draw_seed(0)


@pytest.mark.parametrize("estimator", [SpectralFilterClassifier(), SpectralFilterRegressor()])
def test_a_ragged_list_of_series_is_refused_with_the_fix(estimator):
    X = [np.ones((2, 10)), np.ones((2, 12)), np.ones((2, 10))]
    fix = (
        "pad each shorter series with NaN"
        if "Classifier" in type(estimator).__name__
        else ("needs series of one length")
    )
    with pytest.raises(ValueError, match=rf"different shapes \(\(2, 10\), \(2, 12\)\).*{fix}"):
        estimator.fit(X, [0, 1, 0])
    # a list of series of one shape is one array
    assert estimator.fit([x[:, :10] for x in X], [0, 1, 0]).predict(X[0][None]).shape == (1,)


def _integer_parameters(estimator_class):
    """The parameters whose constraints include an integer range."""
    from numbers import Integral

    from sklearn.utils._param_validation import Interval

    return [
        name
        for name, constraints in estimator_class._parameter_constraints.items()
        if any(isinstance(c, Interval) and c.type is Integral for c in constraints)
    ]


@pytest.mark.parametrize(
    "estimator_class",
    [SpectralFilterRegressor, SpectralFilterClassifier],
)
def test_closed_form_integer_parameters_refuse_bools(estimator_class):
    """One integer rule (check_positive_int's, IntegerInterval): True is not 1."""
    from sklearn.utils._param_validation import InvalidParameterError

    from sksssm import SpectralFilterSequenceRegressor

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 16)), np.arange(12) % 2
    for cls in (estimator_class, SpectralFilterSequenceRegressor):
        names = _integer_parameters(cls)
        assert names, cls
        for name in names:
            with pytest.raises(InvalidParameterError, match=f"'{name}' parameter.*Got True"):
                cls(**{name: True}).fit(X, y)


def test_forecaster_integer_parameters_refuse_bools():
    pytest.importorskip("sktime")
    from sklearn.utils._param_validation import InvalidParameterError

    from sksssm.forecasting import SpectralForecaster

    y = pd.Series(np.sin(np.arange(40.0)) + np.arange(40.0))
    names = _integer_parameters(SpectralForecaster)
    assert {"sp", "d", "ar_order", "n_combined"} <= set(names)
    for name in names:
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter.*Got True"):
            SpectralForecaster(**{name: True}).fit(y, fh=[1])
