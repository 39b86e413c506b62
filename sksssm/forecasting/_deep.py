"""Deep sksssm regressors as forecasters: recursive reduction to regression on windows."""

from __future__ import annotations

import contextlib
import numbers
import warnings

from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sktime.forecasting.base import BaseForecaster

from .._validation import check_option
from ._time_index import check_continuation


@contextlib.contextmanager
def _quiet_remember_data():
    """Silence sktime 1.2's FutureWarning about the default of ``remember_data``.

    The inner reduction of :class:`DeepReductionForecaster` needs its data
    (``remember_data=True``, set explicitly); sktime warns on every construction of such a
    forecaster, including the reset inside ``fit``.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*remember_data.*", category=FutureWarning)
        yield


#: Deep sksssm regressors selectable by name in :class:`DeepReductionForecaster`.
DEEP_REGRESSORS = ("stu", "ptd", "hope")


def deep_regressor(name, random_state=None):
    """A default deep sksssm regressor by short name ("stu", "ptd" or "hope").

    Parameters
    ----------
    name : {"stu", "ptd", "hope"}
    random_state : int or None, default=None

    Returns
    -------
    regressor : STURegressor, PTDSSMRegressor or HOPERegressor

    Examples
    --------
    >>> from sksssm.forecasting import deep_regressor
    >>> type(deep_regressor("stu", random_state=0)).__name__
    'STURegressor'
    """
    check_option(name, "estimator", DEEP_REGRESSORS)
    from ..estimators import HOPERegressor, PTDSSMRegressor, STURegressor

    regressor = {"stu": STURegressor, "ptd": PTDSSMRegressor, "hope": HOPERegressor}[name]
    return regressor(random_state=random_state)


class DeepReductionForecaster(BaseForecaster):
    """Deep sksssm regressor on sliding windows: recursive reduction to regression.

    Each training example is the window of the last ``window_length`` values of ``y``
    (a univariate sequence) and its target the next value; the fitted regressor forecasts
    recursively, feeding its predictions back (sktime's
    ``make_reduction(..., strategy="recursive")``). The deep regressors standardize their
    inputs and targets internally, so no scaling is needed here.

    Parameters
    ----------
    estimator : {"stu", "ptd", "hope"} or regressor, default="stu"
        A name (a default gradient-trained :class:`~sksssm.STURegressor`, S4-PTD or HOPE
        regressor, see :func:`deep_regressor`) or any scikit-learn regressor taking 2D
        windows (cloned).
    window_length : int, default=12
    random_state : int or None, default=None
        Seeds the regressor built from a name (an estimator instance keeps its own).

    Attributes
    ----------
    forecaster_ : sktime RecursiveTabularRegressionForecaster
        The fitted reduction forecaster.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sksssm import HOPERegressor
    >>> from sksssm.forecasting import DeepReductionForecaster
    >>> y = load_airline()
    >>> regressor = HOPERegressor(d_model=8, n_layers=1, max_epochs=2, random_state=0)
    >>> forecaster = DeepReductionForecaster(regressor, window_length=12).fit(y, fh=[1, 2])
    >>> forecaster.predict().shape
    (2,)
    """

    _tags = {
        "authors": ["sksssm developers"],
        "maintainers": ["sksssm developers"],
        "y_inner_mtype": "pd.Series",
        "X_inner_mtype": "pd.DataFrame",
        "capability:multivariate": False,
        "capability:exogenous": False,
        "capability:insample": False,
        "capability:pred_int": False,
        "capability:missing_values": False,
        "requires-fh-in-fit": False,
        "capability:random_state": True,
        "property:randomness": "derandomized",
    }
    # The inner reduction keeps the history its windows are cut from; this wrapper needs
    # no copy (and sktime 1.2 warns on construction when remember_data is True).
    _config = {"remember_data": False}

    _parameter_constraints = {
        "estimator": [StrOptions(set(DEEP_REGRESSORS)), HasMethods(["fit", "predict"])],
        "window_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator="stu", window_length=12, random_state=None):
        self.estimator = estimator
        self.window_length = window_length
        self.random_state = random_state
        super().__init__()
        # sktime's copy of the data exists only with set_config(remember_data=True).
        self._y, self._X = None, None

    def _regressor(self):
        from sklearn.base import clone

        if isinstance(self.estimator, str):
            return deep_regressor(self.estimator, self.random_state)
        return clone(self.estimator)

    def _fit(self, y, X, fh):
        from sktime.forecasting.compose import make_reduction

        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )
        if len(y) <= self.window_length:
            raise ValueError(
                f"window_length={self.window_length} needs a longer series: y has {len(y)} "
                f"points; use window_length <= {len(y) - 1}."
            )
        with _quiet_remember_data():
            self.forecaster_ = make_reduction(
                self._regressor(), window_length=self.window_length, strategy="recursive"
            )
            self.forecaster_.set_config(remember_data=True)
            self.forecaster_.fit(y, fh=fh)  # fit re-runs the constructor (reset)
        return self

    def _update_y_X(self, y, X):
        # Runs before sktime moves the cutoff: refuse bad updates with the state unchanged
        # (the same rule as SpectralForecaster's).
        if self.is_fitted and y is not None:
            for history, new in self._histories(y):
                check_continuation(history.index, history.to_numpy()[:, None], new.to_frame())
        super()._update_y_X(y, X)

    def _histories(self, y):
        """(fitted history, update) pairs, one per univariate series of ``y``."""
        if hasattr(self, "forecaster_"):
            return [(self.forecaster_._y, y)]
        # sktime fits one clone per column of a multivariate y (``forecasters_``) and
        # passes the update wrapped in a VectorizedDF
        from sktime.datatypes import VectorizedDF

        y = y.X if isinstance(y, VectorizedDF) else y
        fitted = self.forecasters_.iloc[0]
        return [(fitted[column].forecaster_._y, y[column]) for column in y.columns
                if column in fitted.index]  # fmt: skip

    def _update(self, y, X=None, update_params=True):
        # The reduction holds the history its windows are cut from: pass the new data on
        # (refitting the regressor only if update_params).
        with _quiet_remember_data():
            self.forecaster_.update(y, update_params=update_params)
        return self

    def _predict(self, fh, X=None):
        return self.forecaster_.predict(fh)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Tiny, fast parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        from ..estimators import HOPERegressor, STURegressor

        tiny = {"d_model": 4, "n_layers": 1, "max_epochs": 2, "random_state": 0}
        params = [{"estimator": HOPERegressor(**tiny), "window_length": 3}]
        return [{"estimator": STURegressor(**tiny), "window_length": 4}, *params]
