"""sktime forecasters built on spectral state space models.

sktime is an optional dependency: ``import sksssm`` never imports this module; import it
explicitly (``from sksssm.forecasting import SpectralForecaster``).

- :class:`SpectralForecaster`: a native forecaster on the closed-form Spectral Transform
  Unit. The whole history is one sequence; the features at time ``t`` are the spectral
  (STU) features of the past of ``y`` (and of exogenous ``X``) plus the last ``ar_order``
  values of ``y``; one exact ridge regression (penalty by GCV) maps them to ``y_t``.
- :class:`DeepReductionForecaster`: any sksssm regressor (by default a gradient-trained STU)
  on sliding windows, through sktime's recursive reduction.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy import stats

try:
    from sktime.forecasting.base import BaseForecaster
except ImportError as exc:  # pragma: no cover - exercised only without sktime
    raise ImportError(
        "sksssm.forecasting needs sktime, an optional dependency: pip install sktime"
    ) from exc

from ._validation import check_option, check_positive_int, standardization
from .spectral import stu_features, stu_filters
from .spectral._ridge import GramAccumulator, RidgeSolution

STRATEGIES = ("recursive", "direct")
#: In-sample forecast origins (the most recent ones) used to estimate the spread of
#: h-step-ahead errors for prediction intervals.
MAX_RESIDUAL_ORIGINS = 100


def _standardize(values, mean, scale):
    return (values - mean) / scale


class SpectralForecaster(BaseForecaster):
    """Forecaster on the closed-form Spectral Transform Unit (STU), fitted exactly by ridge.

    The history is treated as one long sequence. At every time ``t`` the features are

    - the spectral features of the *past* of ``y`` (``y_{t-1}, y_{t-2}, ...``): causal
      convolutions with the top ``n_filters`` eigenvectors of the STU Hankel matrix
      (positive and, with ``use_negative``, alternating-sign branch), see
      :func:`sksssm.spectral.stu_features`;
    - the autoregressive terms ``y_{t-1}, ..., y_{t-ar_order}``;
    - with exogenous ``X``: the spectral features of ``X_{t-1}, X_{t-2}, ...`` and the direct
      terms ``X_t, ..., X_{t-exog_lags+1}`` (``X`` at forecast times is known).

    One ridge regression (``alpha="auto"``: generalized cross-validation from the Gram
    matrices) over every time step maps the features to the one-step-ahead target ``y_t``
    (all channels of a multivariate ``y`` at once). ``y`` and ``X`` are standardized with
    their training mean and standard deviation.

    ``strategy="recursive"`` forecasts any horizon by feeding predictions back;
    ``strategy="direct"`` fits one ridge per horizon step (``y_{t+h-1}`` from the features
    at ``t``; needs ``fh`` in ``fit``).

    **Filter length.** The filters have the training length ``L``: they span the whole
    training history, so no window length is needed. After ``update`` (or when forecasting
    far ahead) the history grows beyond ``L``; the filters then see the most recent ``L``
    values (a sliding window of the training length), exactly as the statistics accumulated
    by ``update`` do, so fit and update stay consistent. Refit to lengthen the filters.

    **update** continues the exact ridge statistics with the rows of the new time steps
    (same filters and scaling) and re-solves: the cost is that of the new rows only.

    **Prediction intervals** are Gaussian, ``y_hat_h +/- z * sigma_h``, where ``sigma_h`` is
    the root-mean-square of the in-sample ``h``-step-ahead errors of the fitted model (the
    forecasts it makes, with the chosen strategy, from the last
    ``100`` training origins that have ``h`` observed steps after them). The errors are
    in-sample, so the intervals are somewhat optimistic; horizons with no in-sample
    error available extrapolate ``sigma_h`` from the longest available one as
    ``sqrt(h)`` (random-walk growth).

    Parameters
    ----------
    n_filters : int, default=8
        Number of spectral filters ``K`` (each channel gives ``2 K`` features with
        ``use_negative``; 8 keeps the ridge well determined on series of a few dozen points).
        Capped, with a :class:`~sksssm.exceptions.SpectralFilterWarning`, at what the
        training length supports.
    ar_order : int, default=1
        Number of autoregressive terms ``y_{t-1}, ..., y_{t-ar_order}``. For seasonal data
        set it to at least the season length (e.g. 13 for monthly data).
    hankel : {"Z", "L"}, default="Z"
    use_negative : bool, default=True
        Whether to include the alternating-sign filter branch.
    exog_lags : int, default=1
        Direct terms ``X_t, ..., X_{t-exog_lags+1}`` of exogenous data.
    strategy : {"recursive", "direct"}, default="recursive"
    alpha : "auto" or float, default="auto"
        Ridge penalty on standardized features; "auto" chooses it by GCV.

    Attributes
    ----------
    coef_ : ndarray of shape (n_targets, n_features)
        Ridge weights (standardized units) of the one-step model (recursive) or of the
        first horizon step (direct).
    alpha_ : float
        The penalty used (of the one-step model / first horizon step).
    n_filters_ : int
        Number of filters used.
    filters_ : ndarray of shape (n_timesteps_fit, n_filters_)

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sksssm.forecasting import SpectralForecaster
    >>> y = load_airline()
    >>> forecaster = SpectralForecaster(n_filters=8, ar_order=13).fit(y, fh=[1, 2, 3])
    >>> y_pred = forecaster.predict()
    >>> y_pred.shape
    (3,)
    >>> forecaster.predict_interval(coverage=0.9).shape
    (3, 2)
    """

    _tags = {
        "authors": ["sksssm developers"],
        "maintainers": ["sksssm developers"],
        "python_dependencies": None,
        "y_inner_mtype": "pd.DataFrame",
        "X_inner_mtype": "pd.DataFrame",
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:update": True,
        "capability:non_contiguous_X": False,
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "property:randomness": "deterministic",
    }
    # Stated explicitly (sktime's default changes in 1.3): the checks expect ``_y``.
    _config = {"remember_data": True}

    def __init__(
        self,
        n_filters=8,
        ar_order=1,
        hankel="Z",
        use_negative=True,
        exog_lags=1,
        strategy="recursive",
        alpha="auto",
    ):
        self.n_filters = n_filters
        self.ar_order = ar_order
        self.hankel = hankel
        self.use_negative = use_negative
        self.exog_lags = exog_lags
        self.strategy = strategy
        self.alpha = alpha
        super().__init__()
        if strategy == "direct":
            self.set_tags(**{"requires-fh-in-fit": True})

    # ------------------------------------------------------------------ sktime API
    def _fit(self, y, X, fh):
        self._check_hyperparameters()
        self._columns = y.columns
        self._y_mean, self._y_scale = standardization(y.to_numpy(dtype=float))
        self._z = _standardize(y.to_numpy(dtype=float), self._y_mean, self._y_scale)
        self._index = y.index
        self._e = None
        if X is not None:
            self._x_mean, self._x_scale = standardization(X.to_numpy(dtype=float))
            self._e = self._scaled_exog(X.loc[y.index])
        self.filters_ = stu_filters(len(y), self.n_filters, self.hankel)
        self.n_filters_ = self.filters_.shape[1]
        self._horizons = self._model_horizons(fh)
        F = self._design(self._z, self._e)
        self._accumulators = [
            GramAccumulator(F.shape[1], self._z.shape[1]).update(*self._rows(F, h, 0))
            for h in self._horizons
        ]
        self._solve()
        return self

    def _update(self, y, X=None, update_params=True):
        new = y.index > self._index[-1]
        if not new.any():
            return self
        n_old = len(self._index)
        self._index = self._index.append(y.index[new])
        z_new = _standardize(y.to_numpy(dtype=float)[new], self._y_mean, self._y_scale)
        self._z = np.concatenate([self._z, z_new])
        if self._e is not None:
            self._e = np.concatenate([self._e, self._scaled_exog(X.loc[y.index[new]])])
        self._residual_scale_cache = {}
        if update_params:
            F = self._design(self._z, self._e)
            for h, accumulator in zip(self._horizons, self._accumulators, strict=True):
                # Rows whose target became observable with the new data.
                accumulator.update(*self._rows(F, h, n_old - h + 1))
            self._solve()
        return self

    def _predict(self, fh, X=None):
        steps = self._steps(fh)
        path = self._forecast_path(self._z, self._e, self._future_exog(X, steps.max()), steps)
        return self._to_frame(path[steps - 1] * self._y_scale + self._y_mean, fh)

    def _predict_var(self, fh, X=None, cov=False):
        steps = self._steps(fh)
        sigma = self._residual_scale(steps.max())[steps - 1] * self._y_scale
        return self._to_frame(sigma**2, fh)

    def _predict_quantiles(self, fh, X, alpha):
        mean = self._predict(fh, X)
        sigma = np.sqrt(self._predict_var(fh, X).to_numpy())
        columns = pd.MultiIndex.from_product([mean.columns, alpha])
        quantiles = pd.DataFrame(index=mean.index, columns=columns, dtype=float)
        for a in alpha:
            quantiles.loc[:, (slice(None), a)] = mean.to_numpy() + stats.norm.ppf(a) * sigma
        return quantiles

    # ------------------------------------------------------------------ validation
    def _check_hyperparameters(self):
        check_positive_int(self.n_filters, "n_filters")
        check_positive_int(self.ar_order, "ar_order", minimum=0)
        check_positive_int(self.exog_lags, "exog_lags", minimum=0)
        check_option(self.hankel, "hankel", ("Z", "L"))
        check_option(self.strategy, "strategy", STRATEGIES)
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            if not isinstance(self.alpha, numbers.Real) or not self.alpha >= 0:
                raise ValueError(f'alpha must be "auto" or a float >= 0; got {self.alpha!r}.')

    def _model_horizons(self, fh):
        if self.strategy == "recursive":
            return [1]
        return list(range(1, int(self._relative_steps(fh).max()) + 1))

    def _relative_steps(self, fh):
        return np.asarray(fh.to_relative(self.cutoff), dtype=int)

    def _steps(self, fh):
        steps = self._relative_steps(fh)
        if (steps < 1).any():
            raise NotImplementedError(
                "SpectralForecaster makes out-of-sample forecasts only (fh >= 1)."
            )
        if self.strategy == "direct" and steps.max() > len(self._horizons):
            raise ValueError(
                f'strategy="direct" was fitted for horizons up to {len(self._horizons)}; '
                f"got fh up to {steps.max()}. Pass the longest fh to fit."
            )
        return steps

    # ------------------------------------------------------------------ features
    def _scaled_exog(self, X):
        return _standardize(X.to_numpy(dtype=float), self._x_mean, self._x_scale)

    def _design(self, z, e):
        """Feature rows for every time step: row ``t`` uses ``z[:t]`` and ``e[:t + 1]``."""
        blocks = [
            stu_features(z[None], self.filters_, input_lags=0, use_negative=self.use_negative)[0]
        ]
        for lag in range(1, self.ar_order + 1):
            blocks.append(np.concatenate([np.zeros((lag, z.shape[1])), z[:-lag]])[: len(z)])
        if e is not None:
            exog = stu_features(
                e[None], self.filters_, input_lags=self.exog_lags, use_negative=self.use_negative
            )
            blocks.append(exog[0])
        return np.concatenate(blocks, axis=1)

    def _feature_row(self, z, e, t):
        """Row ``t`` of :meth:`_design`, by direct sums over the last ``L`` values."""
        length = min(t, self.filters_.shape[0])
        taps = self.filters_[:length]
        if self.use_negative:
            signs = np.where(np.arange(length) % 2 == 0, 1.0, -1.0)
            taps = np.concatenate([taps, taps * signs[:, None]], axis=1)

        n_branches = taps.shape[1] // self.n_filters_

        def spectral(u):  # sum_s taps[s] * u[t - 1 - s], in the order of stu_features
            sums = (u[t - length : t][::-1].T @ taps).reshape(u.shape[1], n_branches, -1)
            return sums.transpose(1, 0, 2).reshape(-1)

        def lagged(u, lag):
            return u[t - lag] if t - lag >= 0 else np.zeros(u.shape[1])

        blocks = [spectral(z)] + [lagged(z, lag) for lag in range(1, 1 + self.ar_order)]
        if e is not None:
            blocks.append(spectral(e))
            if self.exog_lags:
                lags = [lagged(e, j) for j in range(self.exog_lags)]
                blocks.append(np.stack(lags, axis=1).reshape(-1))
        return np.concatenate(blocks)

    def _rows(self, F, h, start):
        """Design rows ``t >= start`` whose ``h``-step target ``z[t + h - 1]`` is observed."""
        # Row 0 has no past at all; rows before ar_order would see zero-padded lags.
        first = max(start, 1, self.ar_order)
        last = len(self._z) - h + 1
        return F[first:last], self._z[first + h - 1 : last + h - 1]

    # ------------------------------------------------------------------ solving
    def _solve(self):
        self._coefs = []
        for accumulator in self._accumulators:
            solution = RidgeSolution(accumulator, fit_intercept=True)
            if isinstance(self.alpha, str):
                alpha, _ = solution.best_alpha()
            else:
                alpha = float(self.alpha)
            self._coefs.append((alpha, *solution.coefficients(alpha)))
        self.alpha_, self.coef_, _ = self._coefs[0]
        self._residual_scale_cache = {}

    def _forecast_path(self, z, e, e_future, steps):
        """Standardized forecasts for steps ``1..max(steps)`` after the end of ``z``."""
        n_steps = int(np.max(steps))
        if e is not None:
            e = np.concatenate([e[: len(z)], e_future[:n_steps]])
        if self.strategy == "direct":
            row = self._feature_row(z, e, len(z))
            return np.stack(
                [row @ coef.T + intercept for _, coef, intercept in self._coefs[:n_steps]]
            )
        _, coef, intercept = self._coefs[0]
        path = np.concatenate([z, np.zeros((n_steps, z.shape[1]))])
        for t in range(len(z), len(z) + n_steps):
            path[t] = self._feature_row(path, e, t) @ coef.T + intercept
        return path[len(z) :]

    def _future_exog(self, X, n_steps):
        if self._e is None:
            return None
        future_index = pd.RangeIndex(1, n_steps + 1)
        absolute = self._absolute_index(future_index)
        missing = absolute.difference(X.index) if X is not None else absolute
        if len(missing):
            raise ValueError(
                f"SpectralForecaster needs X at every step from the cutoff to the last "
                f"forecast step; missing {len(missing)} of them (first: {missing[0]})."
            )
        return self._scaled_exog(X.loc[absolute])

    def _absolute_index(self, relative):
        from sktime.forecasting.base import ForecastingHorizon

        return ForecastingHorizon(relative, is_relative=True).to_absolute_index(self.cutoff)

    def _residual_scale(self, n_steps):
        """RMS of in-sample ``h``-step errors, ``h = 1..n_steps``, shape (n_steps, n_targets)."""
        cache = self._residual_scale_cache
        if n_steps not in cache:
            cache[n_steps] = self._in_sample_error_scale(n_steps)
        return cache[n_steps]

    def _in_sample_error_scale(self, n_steps):
        z, e = self._z, self._e
        n = len(z)
        first_origin = max(1, self.ar_order, n - MAX_RESIDUAL_ORIGINS - n_steps + 1)
        squared = np.zeros((n_steps, z.shape[1]))
        counts = np.zeros(n_steps)
        for origin in range(first_origin, n):
            horizon = min(n_steps, n - origin)
            e_future = None if e is None else e[origin:]
            path = self._forecast_path(z[:origin], e, e_future, [horizon])
            squared[:horizon] += (path - z[origin : origin + horizon]) ** 2
            counts[:horizon] += 1
        sigma = np.sqrt(squared / np.maximum(counts, 1)[:, None])
        observed = counts > 0
        if not observed.all():
            last = np.flatnonzero(observed)[-1] if observed.any() else None
            for h in np.flatnonzero(~observed):
                base = sigma[last] * np.sqrt((h + 1) / (last + 1)) if last is not None else 1.0
                sigma[h] = base
        return sigma

    def _to_frame(self, values, fh):
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(values, index=index, columns=self._columns)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        return [
            {"n_filters": 4, "ar_order": 2},
            {"n_filters": 3, "ar_order": 0, "use_negative": False, "strategy": "direct"},
            {"n_filters": 2, "hankel": "L", "alpha": 1.0, "exog_lags": 0},
        ]


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
    regressor : SpectralFilterRegressor, PTDSSMRegressor or HOPERegressor

    Examples
    --------
    >>> from sksssm.forecasting import deep_regressor
    >>> deep_regressor("stu").solver
    'gradient'
    """
    from .estimators import HOPERegressor, PTDSSMRegressor, SpectralFilterRegressor

    check_option(name, "estimator", DEEP_REGRESSORS)
    if name == "stu":
        return SpectralFilterRegressor(solver="gradient", random_state=random_state)
    regressor = PTDSSMRegressor if name == "ptd" else HOPERegressor
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
        A name (a default gradient-trained STU, S4-PTD or HOPE regressor, see
        :func:`deep_regressor`) or any scikit-learn regressor taking 2D windows (cloned).
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
    _config = {"remember_data": True}

    def __init__(self, estimator="stu", window_length=12, random_state=None):
        self.estimator = estimator
        self.window_length = window_length
        self.random_state = random_state
        super().__init__()

    def _regressor(self):
        from sklearn.base import clone

        if isinstance(self.estimator, str):
            return deep_regressor(self.estimator, self.random_state)
        return clone(self.estimator)

    def _fit(self, y, X, fh):
        from sktime.forecasting.compose import make_reduction

        check_positive_int(self.window_length, "window_length")
        self.forecaster_ = make_reduction(
            self._regressor(), window_length=self.window_length, strategy="recursive"
        )
        self.forecaster_.fit(y, fh=fh)
        return self

    def _update(self, y, X=None, update_params=True):
        # The reduction holds the history its windows are cut from: pass the new data on
        # (refitting the regressor only if update_params).
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
        from .estimators import HOPERegressor, SpectralFilterRegressor

        tiny = {"d_model": 4, "n_layers": 1, "max_epochs": 2, "random_state": 0}
        return [
            {
                "estimator": SpectralFilterRegressor(4, solver="gradient", **tiny),
                "window_length": 4,
            },
            {"estimator": HOPERegressor(**tiny), "window_length": 3},
        ]
