"""The sktime interface of the spectral forecaster (thin: sktime's extension template).

The work is done elsewhere: :mod:`._panel` (per-series state), :mod:`._global` (the
models fitted on all series, in memory or on Dask), :mod:`._seasonality` and
:mod:`._search` (configuration), :mod:`._model` (the fitted ridge models and their
recursion) and :mod:`._intervals` (prediction intervals).
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.utils._param_validation import validate_parameter_constraints
from sktime.forecasting.base import BaseForecaster

from ._forecaster_parameters import PARAMETER_CONSTRAINTS
from ._global import GlobalModels, check_fit
from ._panel import Panel
from ._seasonality import choose_period_and_log
from ._time_index import fh_steps


class SpectralForecaster(BaseForecaster):
    """Self-configuring forecaster on the closed-form Spectral Transform Unit (STU).

    The series ``y`` is log-transformed when that stabilizes its spread, standardized (per
    series), differenced (``(1 - B)^d (1 - B^sp)^D``) into ``w``, and ``w_t`` is regressed
    on its last ``ar_order`` values, on the spectral (STU) features of its past
    (:func:`~sksssm.spectral.stu_features`) and, with exogenous ``X``, on the spectral
    features and last ``exog_lags`` values of ``X``. One exact ridge regression (streamed
    QR, :class:`~sksssm.spectral._ridge.RidgeSolution`) per model maps the features to the
    target; forecasts are integrated back to levels. The user guide gives every rule:

    - **configuration** ("auto" parameters): ``sp`` by :func:`detect_seasonal_period`,
      the log by :func:`prefers_log`, ``seasonal_d`` by :func:`seasonal_strength` (> 0.64),
      ``d`` by :func:`kpss_statistic` (5%); ``ar_order`` in ``{0, 1, 2, 3, sp, sp + 1}``,
      ``n_filters`` in ``{0, 2, 4, 8}``, the intercept and the penalty by exact GCV, all
      candidates on the same rows; the forecast is the mean of the ``n_combined``
      best candidates' forecasts (direct models where ``strategy="auto"`` prefers them);
    - **shrinkage**: without a season (``sp_ = 1``) and without ``X`` the increments
      are damped (``damping``) and shrunk toward the drift (``drift_prior_length``); the
      forecast is averaged with the classical Theta forecast (``theta_weight``) and, with
      ``sp_ = 1, d_ = 1``, with a damped-trend forecast (``damped_trend_weight``),
      optionally moved per series toward the members with the smaller in-sample
      errors (``weight_prior_origins``);
    - **stability**: companion spectral radius at most 1 (:func:`spectral_radius`), by
      more penalty or else the mean (``stability_``);
    - **intervals**: Student-t, the in-sample ``h``-step error (at least the recursion's)
      plus the coefficients' error (delta method), scaled by the final forecast's
      in-sample errors (no refit; recent origins weigh more; ``4 + n_h / h`` dof at
      horizon ``h``), optionally ``interval_backtests``; ``predict_proba`` is sktime's
      default Normal from ``predict`` and ``predict_var`` (not these quantiles);
    - **panels**: one model per series by default (``panel="local"``, the more accurate
      on M3 and on a synthetic panel of related series); ``panel="global"`` fits one
      model on all series, several times faster (each standardized by
      itself; QR factors add up, on Dask with ``backend="dask"``), which share one time
      step (series of different frequencies or integer steps are refused) and may start
      and end apart; **update** continues the exact ridge statistics (a bad update is
      refused, the state unchanged; the cutoff stays the panel's latest time point when
      an update of some series ends before it).

    Parameters
    ----------
    sp : int or None, default=None
        Seasonal period; None detects it. A given period must be shorter than the
        series; its seasonal terms (``seasonal_d="auto"``, the AR lags ``sp`` and
        ``sp + 1``, Theta's seasonal adjustment) need about three seasons of data.
    d, seasonal_d : {0, 1} or "auto", default="auto"
        Ordinary and seasonal differencing orders (``seasonal_d=1`` needs
        ``sp_ > 1``).
    ar_order : int or "auto", default="auto"
        Number of autoregressive terms ``w_{t-1}, ..., w_{t-ar_order}``.
    n_filters : int or "auto", default="auto"
        Number of spectral filters ``K`` per branch (0 for none).
    hankel : {"Z", "L"}, default="Z"
    use_negative : bool, default=True
        Whether to include the alternating-sign filter branch.
    exog_lags : int, default=1
        Direct terms ``X_t, ..., X_{t-exog_lags+1}`` of exogenous data. ``X`` is matched
        to fit's columns by name (any order).
    strategy : {"auto", "recursive", "direct"}, default="auto"
        "direct" fits one ridge per horizon step (needs ``fh`` in fit; after an update
        of some series of a panel only, the others need more horizons than fitted and
        ``predict`` is refused until they are updated too); "auto" uses it for a horizon
        when its effective-sample GCV beats the recursive in-sample error (recursive
        beyond the fitted horizons).
    alpha : "auto" or float, default="auto"
        Ridge penalty on standardized features; "auto" chooses it by GCV (ties: the
        largest penalty, :func:`sksssm.spectral._ridge.gcv_choice`).
    panel : {"local", "global"}, default="local"
        Panel / hierarchical ``y``: one model per series (fitted by sktime, in parallel
        with ``set_config(backend:parallel="dask")``), or one model on all series (4-8
        times faster on M3, less accurate there and on a synthetic panel of related
        series: the user guide's "Global or local?"; needed by ``backend="dask"``).
    backend : None or "dask", default=None
        Where a global fit builds its QR factors: this process, or Dask workers (the
        active ``distributed`` client, else Dask's default scheduler); the series are
        sent to the workers once, in blocks. The same model up to round-off. Needs
        ``panel="global"``.
    backend_params : dict or None, default=None
        With ``backend="dask"``: ``series_per_block`` (500) and ``split_every`` (8, the
        fan-in of the tree that merges the factors).
    n_combined : int, default=3
        Forecast combination: the point forecast is the mean of the forecasts of the
        ``n_combined`` configurations with the lowest GCV scores (same differencing;
        1: the best alone); the configuration attributes, ``coef_`` and the interval
        widths are the best's.
    damping : float in (0, 1] or "auto", default="auto"
        Without a season (``sp_ = 1``) and without exogenous ``X``, the step-``h``
        increment is multiplied by ``damping ** h`` (1: undamped; "auto":
        ``max(1 - 5 / n, 0.5)``, ``n`` the length). With ``X`` the increments follow
        ``X`` and are not damped.
    drift_prior_length : float >= 0, default=10
        Without a season (``sp_ = 1``) and without ``X`` (the drift ignores it),
        shrinkage toward the drift forecast (the line through a series' first and last
        value): the forecast is ``w f + (1 - w) drift``
        with ``w = n / (n + drift_prior_length)``, ``n`` the series' length, so short
        series lean on the drift; 0 disables it.
    theta_weight : float in [0, 1], default=0.5
        Weight of the classical Theta forecast (SES with half the least-squares slope as
        drift, seasonally adjusted at ``sp_``) of the modelled series in the forecast
        (without exogenous ``X`` only); 0 turns it off. Intervals keep the model's
        widths around it.
    damped_trend_weight : float in [0, 1], default=0.25
        For a trend without a season (``sp_ = 1``, ``d_ = 1``) and without ``X``, weight
        of the damped-trend (damped Holt) forecast of the modelled series, averaged in
        after Theta; 0 turns it off. On a series of at least
        ``_damped_trend.MIN_AICC_LENGTH = 51`` points (10 one-step errors per parameter
        of damped Holt's 5) this member is instead chosen by AICc among simple
        exponential smoothing, Holt and damped Holt, like AutoETS
        (:func:`._damped_trend.fit_trend_member`); shorter series keep the damped Holt.
    weight_prior_origins : float >= 0 or None, default=None
        Per-series combination weights: the three members (the models' forecast, Theta,
        the damped trend; with a season or with ``X`` fewer) get weights proportional to
        1 / their mean square in-sample error up to the forecast's horizon (from the last
        200 in-sample origins, no refit; the models' in the GCV form
        ``MSE / (1 - dof / n)^2``), shrunk toward the fixed weights of ``theta_weight``
        and ``damped_trend_weight`` by ``lam = R^2 / (R^2 + weight_prior_origins^2)``,
        ``R`` the series' number of origins: short series keep the fixed weights.
        None keeps the fixed weights; with ``X`` (one member) it changes nothing.
        :func:`._combination.in_sample_weights`.
    log_transform : "auto" or bool, default="auto"
        Model ``log(y)`` (needs ``y > 0``); "auto" decides by :func:`prefers_log`.
    interval_backtests : int >= 0, default=0
        Opt-in rolling-origin refits that calibrate the interval widths: refits without
        the last ``k = 1, ..., interval_backtests`` points; their held-out errors, in
        units of the predicted spread, scale the widths and set the Student-t degrees of
        freedom (:func:`._intervals.backtest_calibration`), on the first interval
        request. 0 keeps the in-sample calibrated widths.

    Attributes
    ----------
    sp_, d_, seasonal_d_, ar_order_, n_filters_ : int
        The configuration used.
    alpha_ : float
        Penalty of the one-step model.
    coef_ : ndarray of shape (n_targets, n_features)
        Weights of the one-step model (standardized differences).
    strategies_ : list of str
        "recursive" or "direct" for each fitted horizon 1, 2, ...
    stability_ : {"none", "more_penalty", "mean"}
        The stability rule applied to the one-step model.
    spectral_radius_ : float
        Companion spectral radius of the fitted recursion of the differenced series.
    seasonal_strength_, kpss_ : float or None
        The statistics behind ``seasonal_d_`` and ``d_`` (None when not computed).
    log_transform_, fit_intercept_ : bool
        Whether ``log(y)`` is modelled; whether the model has an intercept.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sksssm.forecasting import SpectralForecaster
    >>> forecaster = SpectralForecaster().fit(load_airline(), fh=[1, 2, 3])
    >>> forecaster.sp_, forecaster.predict().shape
    (12, (3,))
    >>> forecaster.predict_interval(coverage=0.9).shape
    (3, 2)
    """

    _tags = {
        "authors": ["sksssm developers"],
        "maintainers": ["sksssm developers"],
        "python_dependencies": None,
        # pd.Series is listed so that a univariate series is taken as it comes (no
        # conversion per call); DataFrame comes first because sktime converts other inputs
        # (a 2D numpy y) to the first mtype of their scitype, and a Series holds one column.
        "y_inner_mtype": ["pd.DataFrame", "pd.Series", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:update": True,
        "capability:non_contiguous_X": False,
        "capability:unequal_length": True,  # panels: series may start and end apart
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "property:randomness": "deterministic",
    }
    # The forecaster keeps its own history (the panel); sktime's copy is not needed.
    _config = {"remember_data": False}

    _parameter_constraints = PARAMETER_CONSTRAINTS

    def __init__(self, sp=None, d="auto", seasonal_d="auto", ar_order="auto",
                 n_filters="auto", hankel="Z", use_negative=True, exog_lags=1,
                 strategy="auto", alpha="auto", panel="local", log_transform="auto",
                 n_combined=3, damping="auto", drift_prior_length=10, theta_weight=0.5,
                 damped_trend_weight=0.25, weight_prior_origins=None, backend=None,
                 backend_params=None, interval_backtests=0):  # fmt: skip
        self.sp = sp
        self.d = d
        self.seasonal_d = seasonal_d
        self.ar_order = ar_order
        self.n_filters = n_filters
        self.hankel = hankel
        self.use_negative = use_negative
        self.exog_lags = exog_lags
        self.strategy = strategy
        self.alpha = alpha
        self.panel = panel
        self.log_transform = log_transform
        self.n_combined = n_combined
        self.damping = damping
        self.drift_prior_length = drift_prior_length
        self.theta_weight = theta_weight
        self.damped_trend_weight = damped_trend_weight
        self.weight_prior_origins = weight_prior_origins
        self.backend = backend
        self.backend_params = backend_params
        self.interval_backtests = interval_backtests
        super().__init__()
        self._y, self._X = None, None  # sktime's copy exists only with remember_data=True
        if strategy == "direct":
            self.set_tags(**{"requires-fh-in-fit": True})
        if panel == "local":
            self.set_tags(**{"y_inner_mtype": ["pd.DataFrame", "pd.Series"],
                             "X_inner_mtype": "pd.DataFrame"})  # fmt: skip

    # ------------------------------------------------------------------ fit
    def _fit(self, y, X, fh):
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )
        panel = Panel(y)
        check_fit(self, panel, X is not None)
        self.sp_, self.log_transform_ = choose_period_and_log(panel, self.sp, self.log_transform)
        panel.standardize(self.log_transform_)
        if X is not None:
            panel.set_exog(X)
        self._panel = panel
        horizon = 1
        if fh is not None and self.strategy != "recursive":
            horizon = max(int(np.max(self._relative_steps(fh))), 1) + max(panel.lags)
        fitted = GlobalModels(self, panel, self.sp_, horizon)
        self._global = fitted
        self.seasonal_strength_, self.kpss_ = fitted.seasonal_strength, fitted.kpss
        config = fitted.best.config
        self.d_, self.seasonal_d_ = config.d, config.seasonal_d
        self.ar_order_, self.n_filters_ = config.p, config.K
        self.fit_intercept_ = config.fit_intercept
        self._solve()
        self._cutoff_fitted = self.cutoff
        return self

    @property
    def _models(self):
        return self._global.models

    @property
    def _model(self):
        """The best configuration's model (attributes and interval widths)."""
        return self._global.best

    @property
    def spectral_radius_(self):
        """Companion spectral radius of the fitted recursion of the differenced series.

        Computed on first access (an eigenvalue problem of up to 64 x 64 that no forecast
        needs unless the stability check computed it already).
        """
        return self._model.spectral_radius()

    def _solve(self):
        self._global.solve(self.alpha, self.strategy)
        one = self._model.one_step
        self.coef_, self.alpha_, self.stability_ = one["coef"], one["alpha"], one["rule"]
        self.strategies_ = self._global.strategies[0]

    # ------------------------------------------------------------------ predict
    def _relative_steps(self, fh):
        # a series that ends at the cutoff counts the time steps of a duration fh
        panel = self._panel
        ending = panel.times[panel.keys[panel.lags.index(0)]]
        return fh_steps(fh, self.cutoff, panel.index_step, ending)

    def _steps(self, fh):
        steps = self._relative_steps(fh)
        if (steps < 1).any():
            raise NotImplementedError(
                "SpectralForecaster makes out-of-sample forecasts only (fh >= 1)."
            )
        fitted = len(self._model.horizons)
        lags = self._panel.lags
        if self.strategy == "direct" and steps.max() + max(lags) > fitted:
            message = (
                f'strategy="direct" was fitted for horizons up to {fitted} (counted from '
                f"each series' last time point); got fh up to {steps.max()}"
            )
            behind = [(k, lag) for k, lag in zip(self._panel.keys, lags, strict=True)
                      if steps.max() + lag > fitted]  # fmt: skip
            if max(lags) == 0:
                raise ValueError(message + ". Pass the longest fh to fit.")
            # Series left behind by an update of other series need their lag more
            # horizons than fit's fh (fit counted the lags the series had then).
            needed = int(steps.max()) + max(lags)
            names = ", ".join(f"{k!r} ({lag} steps)" for k, lag in behind[:3])
            raise ValueError(
                f"{message}, which needs horizons up to {needed}: series {names}"
                f"{' and others' if len(behind) > 3 else ''} end that far before the "
                "cutoff (an update extended other series only). Update those series too, "
                'refit on the updated series, or use strategy="auto" (recursive beyond '
                "the fitted horizons)."
            )
        return steps

    def _future_path(self, X, n_steps):
        return self._global.future_path(X, n_steps, self.cutoff)

    def _spread(self, steps, X=None):
        return self._global.spread(steps, X, self.cutoff)

    def _predict(self, fh, X=None):
        steps = self._steps(fh)
        z_path = self._future_path(X, int(steps.max()))[:, steps - 1]
        values = [self._panel.to_original(i, v) for i, v in enumerate(z_path)]
        return self._panel.to_y(values, self._panel.absolute_index(fh, self.cutoff))

    def _predict_var(self, fh, X=None, cov=False):
        if cov:
            raise NotImplementedError(
                "SpectralForecaster gives marginal forecast variances only: "
                "predict_var(cov=True) (the covariance across horizons) is not available. "
                "Use predict_var(cov=False), predict_interval or predict_quantiles."
            )
        steps = self._steps(fh)
        spread, nu = self._spread(steps, X)
        # Variance of the Student-t forecast distribution (of the transformed values).
        variance = spread**2 * np.where(nu > 2, nu / np.maximum(nu - 2, 1e-12), 1.0)
        z_path = self._future_path(X, int(steps.max()))[:, steps - 1]
        values = [self._panel.variance_to_original(i, variance[i], z_path[i])
                  for i in range(len(z_path))]  # fmt: skip
        return self._panel.to_frame(values, self._panel.absolute_index(fh, self.cutoff))

    def _predict_quantiles(self, fh, X, alpha):
        steps = self._steps(fh)
        spread, nu = self._spread(steps, X)
        z_path = self._future_path(X, int(steps.max()))[:, steps - 1]
        blocks = []
        for i in range(len(z_path)):
            # Quantiles of the transformed values map to quantiles of y (monotone).
            per_alpha = [self._panel.to_original(i, z_path[i] + stats.t.ppf(a, nu[i]) * spread[i])
                         for a in alpha]  # fmt: skip
            blocks.append(np.stack(per_alpha, axis=-1).reshape(len(steps), -1))
        # columns are (variable, alpha) with alpha varying fastest
        columns = pd.MultiIndex.from_product([self._panel.columns, alpha])
        return self._panel.to_frame(blocks, self._panel.absolute_index(fh, self.cutoff), columns)

    # ------------------------------------------------------------------ update
    def _update(self, y, X=None, update_params=True):
        try:
            self._panel.check_update(y, X)
            grew = self._panel.extend(y, X)
        except Exception:
            # sktime has moved the cutoff already: a refused update changes nothing.
            self._set_cutoff(self._cutoff_fitted)
            raise
        latest = self._panel.cutoff()
        if self.cutoff[0] != latest[0]:
            # sktime's cutoff is the update's last time point; one that ends before the
            # panel's latest (some series only, or an overlap) must not move it back.
            self._set_cutoff(latest)
        self._cutoff_fitted = self.cutoff
        if not grew:
            return self
        self._global.series_changed()
        if update_params:
            self._global.add_rows()
            self._solve()
        return self

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        params = [
            {},
            {"n_filters": 2, "ar_order": 2, "d": 1, "seasonal_d": 0, "alpha": 1.0},
            {
                "strategy": "direct",
                "use_negative": False,
                "hankel": "L",
                "n_combined": 2,
                "weight_prior_origins": 20.0,
            },
            {"panel": "global", "sp": 1},
        ]
        if importlib.util.find_spec("dask") is not None:  # an optional dependency
            params.append({"panel": "global", "backend": "dask",
                           "backend_params": {"series_per_block": 2},
                           "n_combined": 1})  # fmt: skip
        return params
