"""One rule per pooling option: where each is refused, with which error and message.

The integer ranges and ``pooled_filters``' names are the parameter constraints' of
``fit_pooling`` and of the estimators (scikit-learn's ``InvalidParameterError``); those
admit booleans as integers, which the pooling's own check refuses; the mixtures rule is
``check_pooled_mixtures``, reached from ``fit_pooling`` and from the estimators
(through ``resolve_pooled_filters``).
"""

import re

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sksssm import SpectralFilterClassifier, SpectralFilterSequenceRegressor
from sksssm.spectral import filter_bank, fit_pooling, n_pooled_features
from sksssm.spectral._pooled_filter_choice import check_pooled_mixtures, resolve_pooled_filters

X_BTC = np.random.default_rng(0).normal(size=(6, 20, 2))
Y = np.arange(6) % 2


def _fitters():
    """``fit_pooling`` and the two pooled estimators, each as a call of the options."""
    X = np.swapaxes(X_BTC, 1, 2)
    return {
        "fit_pooling": lambda **kw: fit_pooling(X_BTC, **kw),
        "classifier": lambda **kw: SpectralFilterClassifier(random_state=0, **kw).fit(X, Y),
        "regressor": lambda **kw: SpectralFilterSequenceRegressor(random_state=0, **kw).fit(
            X, Y * 1.0
        ),
    }


@pytest.mark.parametrize("fitter", ["fit_pooling", "classifier", "regressor"])
@pytest.mark.parametrize(
    "name, value, message",
    [
        ("n_filters", True, "n_filters must be a positive integer, got True."),
        ("n_mixtures", True, "n_mixtures must be a non-negative integer, got True."),
        ("n_mixtures", False, "n_mixtures must be a non-negative integer, got False."),
        ("n_segments", True, "n_segments must be a positive integer, got True."),
    ],
)
def test_booleans_for_integer_options_are_refused(fitter, name, value, message):
    if fitter != "fit_pooling":  # the estimators' constraints refuse bools (IntegerInterval)
        with pytest.raises(InvalidParameterError, match=f"'{name}'.*not a bool.*Got {value}"):
            _fitters()[fitter](**{name: value})
        return
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        _fitters()[fitter](**{name: value})


@pytest.mark.parametrize("fitter", ["fit_pooling", "classifier", "regressor"])
@pytest.mark.parametrize(
    "name, value", [("n_filters", 0), ("n_mixtures", -1), ("n_segments", 0), ("n_filters", 2.0)]
)
def test_integer_ranges_are_the_parameter_constraints(fitter, name, value):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        _fitters()[fitter](**{name: value})


@pytest.mark.parametrize("fitter", ["fit_pooling", "classifier"])
def test_mixtures_without_mixtures_are_refused(fitter):
    message = 'pooled_filters="mixtures" needs n_mixtures >= 1 (got 0).'
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        _fitters()[fitter](pooled_filters="mixtures", n_mixtures=0)
    with pytest.raises(ValueError, match=re.escape(message)):
        resolve_pooled_filters("mixtures", 2, 0)
    check_pooled_mixtures("mixtures", 1)  # one mixture is enough
    check_pooled_mixtures("all", 0)  # the bank's own filters need no mixtures


@pytest.mark.parametrize("fitter", ["fit_pooling", "classifier", "regressor"])
@pytest.mark.parametrize(
    "quantiles",
    [[[0.5]], ["a"], ["0.5"], [True], [0.5, 0.5], [0.5, 2.0], []],
    ids=["nested", "string", "numeric-string", "boolean", "duplicate", "above-1", "empty"],
)
def test_quantiles_must_be_distinct_numbers_in_the_unit_interval(fitter, quantiles):
    # nested and string quantiles leaked float()'s errors; duplicates were accepted (while
    # duplicate statistics are refused) and only duplicated columns
    message = f"quantiles must be distinct numbers in [0, 1], got {quantiles!r}."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        _fitters()[fitter](quantiles=quantiles)


def test_quantiles_without_thresholds_need_only_be_numbers():
    fit_pooling(X_BTC, statistics=("mean",), quantiles=[0.5, 0.5, 2.0])  # unused
    with pytest.raises(ValueError, match="quantiles must be distinct numbers"):
        fit_pooling(X_BTC, statistics=("mean",), quantiles=[[0.5]])


@pytest.mark.parametrize("statistics", [("bogus",), ("mean", "mean"), ()])
def test_n_pooled_features_refuses_the_statistics_fit_pooling_refuses(statistics):
    # n_pooled_features(1, 17) used to count them: 36, 70 and 2 columns.
    errors = []
    for call in (fit_pooling, lambda X, **kw: n_pooled_features(1, 17, **kw)):
        with pytest.raises(ValueError, match="statistics must be distinct names") as error:
            call(X_BTC, statistics=statistics)
        errors.append(str(error.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "filter_lengths", [(), (8.5,), (8, 8)], ids=["empty", "fractional", "duplicate"]
)
def test_filter_bank_refuses_the_filter_lengths_fit_pooling_refuses(filter_lengths):
    # filter_bank said "max() arg is an empty sequence", raised a bare TypeError, or
    # returned every group of the repeated length twice
    errors = []
    for call in (fit_pooling, lambda X, **kw: filter_bank(n_filters=4, **kw)):
        with pytest.raises(ValueError, match="filter_lengths must be") as error:
            call(X_BTC, filter_lengths=filter_lengths)
        errors.append(str(error.value))
    assert errors[0] == errors[1]
