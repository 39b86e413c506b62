"""The parameter constraints of :class:`SpectralForecaster` (scikit-learn's validation)."""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from .._validation import HANKEL_KINDS, IntegerInterval
from ._global import BACKENDS
from ._panel import PANEL_MODES

#: ``strategy`` options.
STRATEGIES = ("auto", "recursive", "direct")

#: The ``_parameter_constraints`` of :class:`SpectralForecaster`: every parameter.
PARAMETER_CONSTRAINTS = {
    "sp": [IntegerInterval(1), None],
    "d": [StrOptions({"auto"}), IntegerInterval(0, 1, closed="both")],
    "seasonal_d": [StrOptions({"auto"}), IntegerInterval(0, 1, closed="both")],
    "ar_order": [StrOptions({"auto"}), IntegerInterval(0)],
    "n_filters": [StrOptions({"auto"}), IntegerInterval(0)],
    "hankel": [StrOptions(set(HANKEL_KINDS))],
    "use_negative": ["boolean"],
    "exog_lags": [IntegerInterval(0)],
    "strategy": [StrOptions(set(STRATEGIES))],
    "alpha": [StrOptions({"auto"}), Interval(numbers.Real, 0, None, closed="left")],
    "panel": [StrOptions(set(PANEL_MODES))],
    "backend": [StrOptions({b for b in BACKENDS if b}), None],
    "backend_params": [dict, None],
    "n_combined": [IntegerInterval(1)],
    "log_transform": [StrOptions({"auto"}), "boolean"],
    "damping": [StrOptions({"auto"}), Interval(numbers.Real, 0, 1, closed="right")],
    "drift_prior_length": [Interval(numbers.Real, 0, None, closed="left")],
    "theta_weight": [Interval(numbers.Real, 0, 1, closed="both")],
    "damped_trend_weight": [Interval(numbers.Real, 0, 1, closed="both")],
    "weight_prior_origins": [Interval(numbers.Real, 0, None, closed="left"), None],
    "interval_backtests": [IntegerInterval(0)],
}
