"""sktime forecasters built on spectral state space models.

sktime is an optional dependency: ``import sksssm`` never imports this package; import it
explicitly (``from sksssm.forecasting import SpectralForecaster``).

- :class:`SpectralForecaster`: a native, self-configuring forecaster on the closed-form
  Spectral Transform Unit (exact ridge regression by streaming QR, see
  :mod:`sksssm.spectral`). It chooses the seasonal period, the differencing, the
  autoregressive order, the number of spectral filters and the ridge penalty from the
  data, keeps its recursion stable, gives prediction intervals, and fits one global model
  on panel / hierarchical data.
- :class:`DeepReductionForecaster`: any sksssm regressor (by default the gradient-trained
  :class:`~sksssm.STURegressor`) on sliding windows, through sktime's recursive reduction.

One module per idea: ``_seasonality`` (seasonality and stationarity tests), ``_search``
(configuration search), ``_design`` (the linear design and its stable solution),
``_model`` (the fitted models and their recursion), ``_intervals``, ``_panel`` (per-series
state), ``_global`` (global fits, in memory or on Dask), ``_time_index`` (index and update
rules), ``_spectral_forecaster`` (the sktime class) and ``_deep`` (the deep reduction
forecaster).
"""

try:
    import sktime  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without sktime
    raise ImportError(
        "sksssm.forecasting needs sktime, an optional dependency: pip install sktime"
    ) from exc

from ._deep import DEEP_REGRESSORS, DeepReductionForecaster, deep_regressor
from ._design import MAX_SPECTRAL_RADIUS, Configuration, ForecastDesign, spectral_radius
from ._forecaster_parameters import STRATEGIES
from ._global import BACKENDS, DASK_PARAMS
from ._intervals import SPREAD_FLOOR
from ._model import MAX_RESIDUAL_ORIGINS, SpectralModel
from ._panel import MIN_LENGTH, PANEL_MODES, Panel
from ._search import (
    AR_ORDER_CANDIDATES,
    MAX_FILTER_LENGTH,
    N_FILTERS_CANDIDATES,
    ROWS_PER_PARAMETER,
)
from ._seasonality import (
    FREQUENCY_PERIODS,
    KPSS_CRITICAL_5,
    MAX_DETECTED_PERIOD,
    SEASONAL_STRENGTH_THRESHOLD,
    SEASONALITY_TEST_Z,
    acf_peak,
    detect_seasonal_period,
    kpss_statistic,
    long_run_variance,
    prefers_log,
    seasonal_strength,
    seasonality_test,
)
from ._spectral_forecaster import SpectralForecaster

__all__ = [
    "AR_ORDER_CANDIDATES",
    "BACKENDS",
    "DASK_PARAMS",
    "DEEP_REGRESSORS",
    "FREQUENCY_PERIODS",
    "KPSS_CRITICAL_5",
    "MAX_DETECTED_PERIOD",
    "MAX_FILTER_LENGTH",
    "MAX_RESIDUAL_ORIGINS",
    "MAX_SPECTRAL_RADIUS",
    "MIN_LENGTH",
    "N_FILTERS_CANDIDATES",
    "PANEL_MODES",
    "ROWS_PER_PARAMETER",
    "SEASONALITY_TEST_Z",
    "SEASONAL_STRENGTH_THRESHOLD",
    "SPREAD_FLOOR",
    "STRATEGIES",
    "Configuration",
    "DeepReductionForecaster",
    "ForecastDesign",
    "Panel",
    "SpectralForecaster",
    "SpectralModel",
    "acf_peak",
    "deep_regressor",
    "detect_seasonal_period",
    "kpss_statistic",
    "long_run_variance",
    "prefers_log",
    "seasonal_strength",
    "seasonality_test",
    "spectral_radius",
]
