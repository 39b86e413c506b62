"""One name for one idea: the deep estimators share their hyper-parameters exactly.

Every parameter that two of the six deep estimators have must have the same name, the
same default and the same numpydoc entry (type line and description) in both; a drift in
one class (a renamed option, a changed default, an edited description) fails here.
"""

import inspect
from itertools import combinations

import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.base import is_classifier

from sksssm import (
    HOPEClassifier,
    HOPERegressor,
    PTDSSMClassifier,
    PTDSSMRegressor,
    STUClassifier,
    STURegressor,
)
from sksssm.estimators._deep_parameters import DEEP_PARAMETER_CONSTRAINTS

DEEP_ESTIMATORS = [
    PTDSSMClassifier,
    PTDSSMRegressor,
    HOPEClassifier,
    HOPERegressor,
    STUClassifier,
    STURegressor,
]

#: Shared names whose meaning is the family's own: description and valid range differ.
FAMILY_SPECIFIC = {
    # PTD: the state size of a diagonal SSM; HOPE: the number of Markov parameters.
    "state_dim",
}

#: Shared names whose default depends on the task (documented once for both).
DEFAULT_BY_TASK = {"pooling", "d_model"}


def signature_defaults(estimator_class):
    """``{name: default}`` of the estimator's ``__init__``."""
    parameters = inspect.signature(estimator_class.__init__).parameters
    return {name: p.default for name, p in parameters.items() if name != "self"}


def documented_parameters(estimator_class):
    """``{name: (type line, description)}`` parsed from the class docstring by numpydoc."""
    entries = {}
    for parameter in ClassDoc(estimator_class)["Parameters"]:
        for name in parameter.name.split(","):
            entries[name.strip()] = (parameter.type, " ".join(parameter.desc))
    return entries


def shared_parameter_pairs():
    """``(name, class_a, class_b)`` for every parameter two deep estimators both have."""
    pairs = []
    for a, b in combinations(DEEP_ESTIMATORS, 2):
        for name in sorted(set(signature_defaults(a)) & set(signature_defaults(b))):
            pairs.append(pytest.param(name, a, b, id=f"{name}-{a.__name__}-{b.__name__}"))
    return pairs


def test_the_shared_parameters_are_those_of_the_deep_base():
    in_all = set.intersection(*(set(signature_defaults(c)) for c in DEEP_ESTIMATORS))
    assert in_all == set(DEEP_PARAMETER_CONSTRAINTS)
    assert len(in_all) >= 20


@pytest.mark.parametrize("estimator_class", DEEP_ESTIMATORS, ids=lambda c: c.__name__)
def test_every_parameter_is_documented_and_validated(estimator_class):
    names = set(signature_defaults(estimator_class))
    assert set(documented_parameters(estimator_class)) == names
    assert set(estimator_class._parameter_constraints) == names


@pytest.mark.parametrize(("name", "class_a", "class_b"), shared_parameter_pairs())
def test_shared_parameter_has_one_default_and_one_description(name, class_a, class_b):
    if name not in DEFAULT_BY_TASK or is_classifier(class_a()) == is_classifier(class_b()):
        assert signature_defaults(class_a)[name] == signature_defaults(class_b)[name]
    if name in FAMILY_SPECIFIC:
        return
    assert documented_parameters(class_a)[name] == documented_parameters(class_b)[name]
    constraints_a = class_a._parameter_constraints[name]
    constraints_b = class_b._parameter_constraints[name]
    assert [str(c) for c in constraints_a] == [str(c) for c in constraints_b]
