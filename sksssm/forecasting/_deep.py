"""Deep sksssm regressors as forecasters: recursive reduction to regression on windows."""

from __future__ import annotations

import contextlib
import warnings

import pandas as pd
from sklearn.utils._param_validation import (
    HasMethods,
    StrOptions,
    validate_parameter_constraints,
)
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon

from .._validation import MIN_TIMESTEPS, IntegerInterval, check_option
from ._time_index import check_continuation, check_time_index, fh_steps, index_step


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


def _is_deep(regressor):
    """Whether ``regressor`` is one of sksssm's deep regressors (sequences of at least
    ``MIN_TIMESTEPS`` steps)."""
    from ..estimators._deep import DeepRegressorBase

    return isinstance(regressor, DeepRegressorBase)


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
        The length of each window. At least 2 with a deep sksssm regressor (a sequence
        of one step is refused at ``fit``); 1 is valid for other regressors such as
        :class:`~sklearn.linear_model.Ridge`.
    random_state : int or None, default=None
        Seeds the regressor built from a name (an estimator instance keeps its own).

    Attributes
    ----------
    reductions_ : dict
        ``{column: fitted sktime RecursiveTabularRegressionForecaster}``, one recursive
        reduction per column of ``y`` (multivariate ``y`` is forecast column by column).

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
        # Columns are reduced one by one here (not by sktime's vectorization), so that an
        # update is checked for every column before any is stored.
        "y_inner_mtype": "pd.DataFrame",
        "X_inner_mtype": "pd.DataFrame",
        "capability:multivariate": True,
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
        "window_length": [IntegerInterval(1)],
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
        regressor = self._regressor()
        if self.window_length < MIN_TIMESTEPS and _is_deep(regressor):
            raise ValueError(
                f"window_length={self.window_length} is too short for "
                f"{type(regressor).__name__}: each window is one sequence, and the deep "
                f"regressors need sequences of at least {MIN_TIMESTEPS} time steps. Use "
                f"window_length >= {MIN_TIMESTEPS}."
            )
        if len(y) <= self.window_length:
            raise ValueError(
                f"window_length={self.window_length} needs a longer series: y has {len(y)} "
                f"points; use window_length <= {len(y) - 1}."
            )
        # sktime's reduction forecasts NaN on an integer index of step k > 1: the
        # reductions see the time steps' positions, and fh is counted in steps.
        self._step, self._first = index_step(y.index), y.index[0]
        check_time_index(y.index, "y")  # SpectralForecaster's grid rule: regular, no gaps
        y = self._positions(y)
        fh = None if fh is None else self._in_steps(fh)
        self.reductions_ = {}
        with _quiet_remember_data():
            for column in y.columns:
                reduction = make_reduction(
                    self._regressor(), window_length=self.window_length, strategy="recursive"
                )
                reduction.set_config(remember_data=True)
                self.reductions_[column] = reduction.fit(y[column], fh=fh)  # fit resets
        return self

    def _positions(self, y):
        """``y`` indexed by time-step positions when its integer index has step k > 1."""
        if self._step == 1:
            return y
        return y.set_axis(pd.Index((y.index - self._first) // self._step), axis=0)

    def _times(self, positions):
        """The time points of time-step ``positions`` (the inverse of :meth:`_positions`)."""
        if self._step == 1:
            return positions
        return pd.Index(positions * self._step + self._first)

    def _in_steps(self, fh):
        """``fh`` counted in time steps (relative), by SpectralForecaster's rule
        (:func:`._time_index.fh_steps`: an integer index of step k > 1 or durations)."""
        return ForecastingHorizon(fh_steps(fh, self.cutoff, self._step), is_relative=True)

    def _update(self, y, X=None, update_params=True):
        # The reductions hold the histories their windows are cut from. Every column is
        # checked before any is updated (the same rule as SpectralForecaster's); sktime
        # has moved the cutoff already, so a refused update restores it. Columns are
        # matched by position (a renamed univariate series is the same series).
        reductions = list(self.reductions_.values())
        try:
            if y.shape[1] != len(reductions):
                raise ValueError(
                    f"update: y has {y.shape[1]} columns; the forecaster was fitted on "
                    f"{len(reductions)}."
                )
            for j, reduction in enumerate(reductions):
                # checked on the time points themselves: positions would floor a point
                # off the grid of an integer index of step k > 1 onto it
                history = reduction._y
                check_continuation(
                    self._times(history.index), history.to_numpy()[:, None], y.iloc[:, [j]]
                )
        except ValueError:
            self._set_cutoff(self._times(reductions[0].cutoff))
            raise
        with _quiet_remember_data():
            for j, reduction in enumerate(reductions):
                reduction.update(self._positions(y.iloc[:, j]), update_params=update_params)
        return self

    def _predict(self, fh, X=None):
        steps = self._in_steps(fh)
        forecasts = {column: reduction.predict(steps).to_numpy()
                     for column, reduction in self.reductions_.items()}  # fmt: skip
        return pd.DataFrame(forecasts, index=fh.to_absolute_index(self.cutoff))

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
