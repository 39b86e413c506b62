"""sktime forecasters built on spectral state space models.

sktime is an optional dependency: ``import sksssm`` never imports this module; import it
explicitly (``from sksssm.forecasting import SpectralForecaster``).

- :class:`SpectralForecaster`: a native, self-configuring forecaster on the closed-form
  Spectral Transform Unit (exact ridge regression by streaming QR, see
  :mod:`sksssm.spectral`). It chooses the seasonal period, the differencing, the
  autoregressive order, the number of spectral filters and the ridge penalty from the
  data, keeps its recursion stable, gives prediction intervals, and fits one global model
  on panel / hierarchical data.
- :class:`DeepReductionForecaster`: any sksssm regressor (by default the gradient-trained
  :class:`~sksssm.STURegressor`) on sliding windows, through sktime's recursive reduction.
"""

from __future__ import annotations

import contextlib
import copy
import numbers
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)

try:
    from sktime.forecasting.base import BaseForecaster
except ImportError as exc:  # pragma: no cover - exercised only without sktime
    raise ImportError(
        "sksssm.forecasting needs sktime, an optional dependency: pip install sktime"
    ) from exc

from ._validation import HANKEL_KINDS, check_option, standardization
from .spectral import (
    max_usable_filters,
    stu_features,
    stu_filters,
)
from .spectral._features import (  # unchecked: once per forecast step
    _autoregressive_features,
    _stu_features_last,
)
from .spectral._ridge import QRAccumulator, RidgeSolution, gcv_choice

STRATEGIES = ("auto", "recursive", "direct")
#: Seasonal period implied by a pandas frequency (its base, without multiples/anchors).
FREQUENCY_PERIODS = {
    "Y": 1, "A": 1, "YS": 1, "YE": 1, "AS": 1, "BY": 1, "BYS": 1,
    "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4,
    "M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12, "SM": 24, "SMS": 24,
    "W": 52, "D": 7, "B": 5, "C": 5,
    "H": 24, "h": 24, "BH": 24, "T": 60, "min": 60, "S": 60, "s": 60,
}  # fmt: skip
#: Largest lag searched for a seasonal period when the index has no frequency.
MAX_DETECTED_PERIOD = 52
#: One-sided normal quantile of the seasonality test (90%, as in the M4 Theta benchmark).
SEASONALITY_TEST_Z = 1.645
#: Candidate numbers of spectral filters K (per branch) and non-seasonal AR orders.
N_FILTERS_CANDIDATES = (0, 2, 4, 8)
AR_ORDER_CANDIDATES = (0, 1, 2, 3)
#: Longest spectral filter (time steps of the differenced series it looks back).
MAX_FILTER_LENGTH = 64
#: A candidate design needs at least this many rows per parameter.
ROWS_PER_PARAMETER = 2
#: In-sample forecast origins (the most recent) for the interval widths.
MAX_RESIDUAL_ORIGINS = 200
#: A fitted recursion is accepted when its companion spectral radius is at most this.
MAX_SPECTRAL_RADIUS = 1.0
#: 5% critical value of the KPSS level-stationarity test.
KPSS_CRITICAL_5 = 0.463
#: Seasonal strength above which a seasonal difference is taken (as in auto.arima).
SEASONAL_STRENGTH_THRESHOLD = 0.64
#: Smallest series length.
MIN_LENGTH = 3


# ---------------------------------------------------------------------------- helpers
def _frequency_period(index):
    """The seasonal period a pandas frequency implies, or None (no / unknown frequency)."""
    freq = getattr(index, "freqstr", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = pd.infer_freq(index)
    if not freq:
        return None
    base = freq.split("-")[0].lstrip("0123456789")
    return FREQUENCY_PERIODS.get(base)


def _autocorrelation(x, max_lag):
    """Sample autocorrelations ``r_1 .. r_max_lag`` of a 1D array (biased estimator)."""
    x = x - x.mean()
    denominator = float(x @ x)
    if denominator <= 0 or max_lag < 1:
        return np.zeros(max(max_lag, 0))
    return np.array([float(x[k:] @ x[:-k]) / denominator for k in range(1, max_lag + 1)])


def seasonality_test(x, period):
    """Whether lag ``period`` of the autocorrelation of ``x`` is significantly positive.

    The one-sided 90% test of the M4 Theta benchmark: ``r_m > 1.645 sqrt((1 + 2 sum_{k<m}
    r_k^2) / n)`` (Bartlett's variance of ``r_m`` under an MA(m-1) null).

    Parameters
    ----------
    x : ndarray of shape (n,)
    period : int

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(96)
    >>> seasonality_test(np.sin(2 * np.pi * t / 12), 12)
    True
    >>> seasonality_test(np.random.default_rng(0).normal(size=96), 12)
    False
    """
    n = len(x)
    if period < 2 or n < 3 * period:
        return False
    r = _autocorrelation(np.asarray(x, dtype=float), period)
    limit = SEASONALITY_TEST_Z * np.sqrt((1.0 + 2.0 * np.sum(r[:-1] ** 2)) / n)
    return bool(r[-1] > limit)


def _detrend(x):
    """``x`` minus its least-squares line."""
    t = np.arange(len(x), dtype=float)
    return x - np.polyval(np.polyfit(t, x, 1), t)


def detect_seasonal_period(series, index=None):
    """The seasonal period of one or more series: the rule of :class:`SpectralForecaster`.

    1. A candidate period: from the index frequency when it has one (monthly 12,
       quarterly 4, weekly 52, daily 7, hourly 24, annual 1, ...); otherwise the lag in
       ``2 .. min(n // 3, 52)`` with the largest autocorrelation of the linearly detrended
       series (averaged over the series).
    2. The candidate is kept if the series has at least three seasons and the
       autocorrelation of the detrended series at that lag passes the 90% seasonality
       test (:func:`seasonality_test`, for half of the series or more); otherwise the
       period is 1 (no season).

    Parameters
    ----------
    series : list of ndarray of shape (n_i, n_channels)
    index : pandas Index or None
        The time index (of the first series), for its frequency.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(120)
    >>> y = 10 + 0.1 * t + np.sin(2 * np.pi * t / 7)
    >>> detect_seasonal_period([y[:, None]])
    7
    """
    differences = [_detrend(s[:, 0]) for s in series if len(s) >= 4]
    if not differences:
        return 1
    n = min(len(d) for d in differences)
    candidate = _frequency_period(index) if index is not None else None
    if candidate is None:
        max_lag = min(n // 3, MAX_DETECTED_PERIOD)
        if max_lag < 2:
            return 1
        acf = np.mean([_autocorrelation(d, max_lag) for d in differences], axis=0)
        candidate = int(np.argmax(acf[1:])) + 2
    if candidate <= 1:
        return 1
    votes = [seasonality_test(d, candidate) for d in differences]
    return candidate if np.mean(votes) >= 0.5 else 1


def kpss_statistic(x):
    """KPSS statistic of level stationarity (Kwiatkowski et al., 1992).

    ``eta = sum_t S_t^2 / (n^2 s^2)`` with ``S_t`` the partial sums of ``x - mean(x)`` and
    ``s^2`` the Newey-West long-run variance with ``floor(3 sqrt(n) / 13)`` lags (the
    short bandwidth of ``auto.arima``). Above 0.463 the null of stationarity is rejected
    at 5%.

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> bool(kpss_statistic(rng.normal(size=200)) < KPSS_CRITICAL_5)
    True
    >>> bool(kpss_statistic(np.cumsum(rng.normal(size=200))) > KPSS_CRITICAL_5)
    True
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    e = x - x.mean()
    variance = long_run_variance(x)
    if variance <= 0:
        return 0.0
    partial = np.cumsum(e)
    return float(partial @ partial) / (n**2 * variance)


def long_run_variance(x):
    """Newey-West (Bartlett kernel) long-run variance with ``floor(3 sqrt(n) / 13)`` lags.

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(long_run_variance(np.array([1.0, -1.0, 1.0, -1.0])), 6)
    1.0
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    e = x - x.mean()
    variance = float(e @ e) / n
    lags = min(int(3 * np.sqrt(n) / 13), n - 1)
    for k in range(1, lags + 1):
        variance += 2 * (1 - k / (lags + 1)) * float(e[k:] @ e[:-k]) / n
    return variance


def seasonal_strength(x, period):
    """Strength of the season of ``x``: ``max(0, 1 - Var(R) / Var(S + R))``.

    Classical decomposition: the trend is the centred moving average over one period
    (``2 x period`` for even periods), the season ``S`` the mean detrended value at each
    phase (centred), ``R`` the remainder (Wang, Smith & Hyndman, 2006). ``auto.arima``
    takes a seasonal difference when it exceeds 0.64.

    Parameters
    ----------
    x : ndarray of shape (n,)
    period : int

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(96)
    >>> noise = np.random.default_rng(0).normal(size=96)
    >>> round(seasonal_strength(t + 5 * np.sin(2 * np.pi * t / 12) + 0.1 * noise, 12), 2)
    1.0
    >>> bool(seasonal_strength(noise, 12) < 0.64)
    True
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if period < 2 or n < 2 * period + 1:
        return 0.0
    if period % 2 == 0:
        weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    else:
        weights = np.ones(period) / period
    half = len(weights) // 2
    trend = np.convolve(x, weights, mode="valid")  # trend at times half .. n - half - 1
    detrended = x[half : n - half] - trend
    phases = (np.arange(half, n - half)) % period
    means = np.array([detrended[phases == k].mean() for k in range(period)])
    season = (means - means.mean())[phases]
    remainder = detrended - season
    total = np.var(detrended)
    return float(max(0.0, 1.0 - np.var(remainder) / total)) if total > 0 else 0.0


def prefers_log(series, period):
    """Whether to model ``log(y)``: Guerrero's rule restricted to ``lambda in {0, 1}``.

    The series is cut (from its end) into blocks of one season (two steps when
    ``period = 1``); with block means ``m_i`` and standard deviations ``s_i``, the log is
    preferred when ``s_i / m_i`` varies less across blocks (coefficient of variation) than
    ``s_i``: the spread grows in proportion to the level (Guerrero, 1993). Needs every value
    positive and at least two blocks in every series; a panel takes the majority.

    Parameters
    ----------
    series : list of ndarray of shape (n_i, n_channels)
    period : int

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(96)
    >>> y = np.exp(0.03 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
    >>> prefers_log([y[:, None]], 12), prefers_log([y[:, None] - 1], 12)
    (True, False)
    """
    block = period if period > 1 else 2
    votes = []
    for values in series:
        if (values <= 0).any():
            return False
        n_blocks = len(values) // block
        if n_blocks < 2:
            return False
        for ch in range(values.shape[1]):
            x = values[len(values) - n_blocks * block :, ch].reshape(n_blocks, block)
            mean, std = x.mean(axis=1), x.std(axis=1, ddof=1)
            if not (std > 0).all():
                votes.append(False)
                continue

            def variation(r):
                return r.std(ddof=1) / r.mean()

            votes.append(bool(variation(std / mean) < variation(std)))
    return bool(np.mean(votes) > 0.5)


def _difference_polynomial(d, seasonal_d, sp):
    """Coefficients of ``(1 - B)^d (1 - B^sp)^D`` in increasing powers of ``B``."""
    poly = np.array([1.0])
    for _ in range(d):
        poly = np.convolve(poly, [1.0, -1.0])
    for _ in range(seasonal_d):
        seasonal = np.zeros(sp + 1)
        seasonal[0], seasonal[sp] = 1.0, -1.0
        poly = np.convolve(poly, seasonal)
    return poly


def _difference(z, poly):
    """``w_t = sum_j poly[j] z_{t+q-j}`` for the ``n - q`` steps with a full past."""
    q = len(poly) - 1
    n = len(z)
    return sum(poly[j] * z[q - j : n - j] for j in range(q + 1))


def _integrate(z_last, w_path, poly):
    """Undo differencing: ``z_t = w_t - sum_{j>=1} poly[j] z_{t-j}``.

    ``z_last`` (B, q, c) holds the last ``q`` levels before the path, ``w_path`` (B, h, c).
    """
    q = len(poly) - 1
    if q == 0:
        return w_path
    path = np.concatenate([z_last, np.zeros_like(w_path)], axis=1)
    for i in range(w_path.shape[1]):
        t = q + i
        path[:, t] = w_path[:, i] - sum(poly[j] * path[:, t - j] for j in range(1, q + 1))
    return path[:, q:]


class _Design:
    """The feature map of one configuration: AR lags, spectral features, exogenous terms.

    Column order: ``w_{t-1}`` (all channels), ..., ``w_{t-p}``; then
    :func:`~sksssm.spectral.stu_features` of the past of ``w`` (positive and, with
    ``use_negative``, alternating-sign branch); then ``stu_features`` of the exogenous
    ``e`` with its ``exog_lags`` direct terms ``e_t, e_{t-1}, ...``.
    """

    def __init__(self, p, filters, use_negative, n_channels, n_exog, exog_lags):
        self.p = p
        self.filters = filters  # (L_f, K) or None
        self.K = 0 if filters is None else filters.shape[1]
        self.use_negative = use_negative
        self.n_channels = n_channels
        self.n_exog = n_exog
        self.exog_lags = exog_lags if n_exog else 0
        branches = 2 if use_negative else 1
        self.n_own = n_channels * (p + branches * self.K)
        self.n_exog_features = n_exog * (branches * self.K + self.exog_lags)
        self.n_features = self.n_own + self.n_exog_features
        self.memory = max(p, 0 if filters is None else filters.shape[0], 1)

    def _spectral(self, u, input_lags):
        if self.K == 0:
            lags = np.zeros((len(u), u.shape[1], input_lags))
            for j in range(input_lags):
                lags[j:, :, j] = u[: len(u) - j]
            return lags.reshape(len(u), -1)
        return stu_features(
            u[None], self.filters, input_lags=input_lags, use_negative=self.use_negative
        )[0]

    def own(self, w):
        """Rows for every step of ``w`` (m, c): AR lags and spectral features of the past."""
        lags = _autoregressive_features(w[None], self.p)[0]
        if self.K == 0:
            return lags
        return np.concatenate([lags, self._spectral(w, 0)], axis=1)

    def exog(self, e):
        """Rows for every step of ``e`` (m, n_exog)."""
        if not self.n_exog:
            return np.zeros((len(e), 0))
        return self._spectral(e, self.exog_lags)

    def own_last(self, window):
        """Own features of the step after ``window`` (B, H, c): its last values are the past."""
        B, H, c = window.shape
        # The features of a placeholder step after the window (only its past is used).
        padded = np.concatenate([window, np.zeros((B, 1, c))], axis=1)
        lags = _autoregressive_features(padded, self.p)[:, -1]
        if self.K == 0:
            return lags
        spectral = _stu_features_last(padded, self.filters, 0, self.use_negative)
        return np.concatenate([lags, spectral], axis=1)

    def recursion(self, coef):
        """Effective autoregression ``w_t = sum_j A_j w_{t-j} + ...``: A (memory, c, c).

        Obtained by passing unit impulses through :meth:`own_last`, so it is exactly the
        linear map the forecasts use.
        """
        c, H = self.n_channels, self.memory
        impulses = np.zeros((H * c, H, c))
        for j in range(H):
            for ch in range(c):
                impulses[j * c + ch, H - 1 - j, ch] = 1.0
        features = self.own_last(impulses)  # (H c, n_own)
        A = features @ coef[:, : self.n_own].T  # (H c, c): row (lag j+1, input ch)
        return A.reshape(H, c, c).transpose(0, 2, 1)  # A[j][target, input]


def spectral_radius(A):
    """Spectral radius of the companion matrix of ``w_t = sum_j A[j-1] w_{t-j}``.

    Parameters
    ----------
    A : ndarray of shape (memory, c, c)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(spectral_radius(np.array([[[1.2]], [[-0.5]]])), 6)  # roots of z^2-1.2z+0.5
    0.707107
    """
    H, c, _ = A.shape
    if H == 0 or not np.any(A):
        return 0.0
    # Trailing all-zero lags do not change the non-zero roots.
    nonzero = [j for j in range(H) if np.any(A[j])]
    H = nonzero[-1] + 1
    companion = np.zeros((H * c, H * c))
    companion[:c] = np.concatenate(list(A[:H]), axis=1)
    companion[c:, :-c] = np.eye((H - 1) * c)
    return float(np.max(np.abs(np.linalg.eigvals(companion))))


class _Solution:
    """A ridge solution of one accumulator (intercept-only designs handled directly)."""

    def __init__(self, accumulator, fit_intercept):
        self.acc = accumulator
        self.fit_intercept = fit_intercept
        self.n = accumulator.n_rows_
        self.ridge = RidgeSolution(accumulator, fit_intercept) if accumulator.n_features else None

    def alphas(self):
        return self.ridge.alpha_grid() if self.ridge is not None else np.array([0.0])

    def gcv(self, alphas):
        if self.ridge is not None:
            return self.ridge.gcv_scores(alphas)
        _, L_Y = self.acc.centred_factor(self.fit_intercept)
        rss = float(np.sum(L_Y**2))
        dof = float(self.fit_intercept)
        score = (rss / self.n) / (1 - dof / self.n) ** 2 if dof < self.n else np.inf
        return np.full(len(alphas), score)

    def coefficients(self, alpha):
        if self.ridge is not None:
            return self.ridge.coefficients(alpha)
        target_mean = self.acc.means()[1] if self.fit_intercept else np.zeros(self.acc.n_targets)
        return np.zeros((self.acc.n_targets, 0)), target_mean

    def dof(self, alpha):
        if self.ridge is None:
            return float(self.fit_intercept)
        # Effective degrees of freedom: sum s^2 / (s^2 + alpha) (alpha = 0: the rank).
        s2 = self.ridge.s**2
        if alpha == 0:
            kept = float(np.sum(self.ridge.s > self.ridge.cutoff))
        else:
            kept = float(np.sum(s2 / (s2 + alpha)))
        return kept + self.fit_intercept

    def parameter_directions(self, alpha, coefficients_used=True):
        """Directions ``(d_coef, d_intercept)`` whose outer products sum to the covariance.

        The coefficient estimate at ``alpha`` is linear in the targets:
        ``coef' = D^-1 V diag(f / s) U' L_Y`` (:class:`RidgeSolution`, ``f`` the filter
        factors), and the intercept is the target mean minus ``coef @ feature_mean``.
        With noise covariance ``Sigma`` across targets (estimated from the residuals with
        ``n - dof`` degrees of freedom), ``Cov(vec(coef, intercept))`` is the sum over the
        returned directions ``k`` of ``vec(d_k) vec(d_k)'``: one per singular direction
        and column of ``Sigma^(1/2)``, plus ``Sigma^(1/2) / sqrt(n)`` for the target mean.
        The shrinkage bias of a penalized fit is not part of it. ``coefficients_used``
        False (the stability fallback to the mean) keeps only the mean's directions.

        Returns
        -------
        d_coef : ndarray of shape (n_directions, n_targets, n_features)
        d_intercept : ndarray of shape (n_directions, n_targets)
        """
        n_targets, n_features = self.acc.n_targets, self.acc.n_features
        _, L_Y = self.acc.centred_factor(self.fit_intercept)
        residual = L_Y.T @ L_Y
        use_coef = coefficients_used and self.ridge is not None
        if use_coef:
            f = 1.0 - self.ridge._shrinkage(alpha)
            residual = residual - self.ridge.c.T @ ((2 * f - f**2)[:, None] * self.ridge.c)
        dof = self.dof(alpha) if use_coef else float(self.fit_intercept)
        eigenvalues, vectors = np.linalg.eigh(residual / max(self.n - dof, 1.0))
        noise_root = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))  # (targets, roots)
        d_coef = np.zeros((0, n_targets, n_features))
        if use_coef:
            gain = np.divide(f, self.ridge.s, out=np.zeros_like(f), where=f > 0)
            basis = (self.ridge.Vt.T * gain).T / self.ridge.scale  # (rank, n_features)
            basis = basis[gain > 0]
            d_coef = np.einsum("tr,kp->rktp", noise_root, basis).reshape(-1, n_targets, n_features)
        feature_mean = self.acc.means()[0]
        d_intercept = -d_coef @ feature_mean if self.fit_intercept else np.zeros(d_coef.shape[:2])
        if self.fit_intercept:
            d_coef = np.concatenate([d_coef, np.zeros((n_targets, n_targets, n_features))])
            mean_directions = noise_root.T / np.sqrt(max(self.n, 1))
            d_intercept = np.concatenate([d_intercept, mean_directions])
        return d_coef, d_intercept

    def mean_model(self):
        """Zero weights: the intercept is then the target mean (or 0)."""
        target_mean = self.acc.means()[1] if self.fit_intercept else np.zeros(self.acc.n_targets)
        return np.zeros((self.acc.n_targets, self.acc.n_features)), target_mean


def _solve(solution, alpha, design, check_stability):
    """Coefficients at ``alpha`` ("auto": GCV), made stable along the documented rule.

    Returns ``(coef, intercept, alpha, gcv, stable_fallback)``; ``stable_fallback`` says
    which rule was applied: "none", "more_penalty" or "mean".
    """
    alphas = solution.alphas()
    if isinstance(alpha, str):
        scores = solution.gcv(alphas)
        start = gcv_choice(alphas, scores)  # ties: the largest penalty
    else:
        alphas = np.concatenate([[float(alpha)], alphas[alphas > float(alpha)]])
        scores = solution.gcv(alphas)
        start = 0
    order = [start] + [i for i in np.argsort(alphas) if alphas[i] > alphas[start]]
    for rank, i in enumerate(order):
        coef, intercept = solution.coefficients(alphas[i])
        if not check_stability or _is_stable(design, coef):
            return (
                coef,
                intercept,
                float(alphas[i]),
                float(scores[i]),
                ("none" if rank == 0 else "more_penalty"),
            )
    coef, intercept = solution.mean_model()
    return coef, intercept, float(alphas[-1]), float(scores[-1]), "mean"


def _is_stable(design, coef):
    if design.n_own == 0:
        return True
    radius = spectral_radius(design.recursion(coef))
    return np.isfinite(radius) and radius <= MAX_SPECTRAL_RADIUS + 1e-9


class _Config:
    """One candidate configuration and its fitted state (internal)."""

    def __init__(self, sp, d, seasonal_d, p, K, filter_length, use_negative, hankel):
        self.sp, self.d, self.seasonal_d, self.p, self.K = sp, d, seasonal_d, p, K
        self.poly = _difference_polynomial(d, seasonal_d, sp)
        self.q = len(self.poly) - 1
        self.fit_intercept = d + seasonal_d <= 1
        self.filter_length = filter_length
        self.filters = stu_filters(filter_length, K, hankel) if K else None
        self.use_negative = use_negative

    def variant(self, p, fit_intercept):
        """A copy with another AR order and intercept (same filters)."""
        other = copy.copy(self)
        other.p, other.fit_intercept = p, fit_intercept
        return other

    def design(self, n_channels, n_exog, exog_lags):
        return _Design(self.p, self.filters, self.use_negative, n_channels, n_exog, exog_lags)


# ---------------------------------------------------------------------------- forecaster
class SpectralForecaster(BaseForecaster):
    """Self-configuring forecaster on the closed-form Spectral Transform Unit (STU).

    The series ``y`` is log-transformed when that stabilizes its spread, standardized (per
    series), differenced (``(1 - B)^d (1 - B^sp)^D``) into ``w``, and ``w_t`` is regressed
    on its last ``ar_order`` values, on the spectral (STU) features of its past (causal
    convolutions with the top ``n_filters`` eigenvectors of the STU Hankel matrix,
    :func:`~sksssm.spectral.stu_features`) and, with exogenous ``X``, on the spectral
    features and last ``exog_lags`` values of ``X``. One exact ridge regression (streaming
    QR, ``sksssm.spectral._ridge.QRAccumulator``) per model maps the features to the
    target; forecasts are integrated back to levels.

    **Configuration** (each "auto" parameter; the user guide gives the reasoning):

    1. ``sp``: from the index frequency, else the autocorrelation peak of the linearly
       detrended series, kept only if it passes a 90% seasonality test on at least three
       seasons (:func:`detect_seasonal_period`).
    2. ``log_transform``: ``log(y)`` when every value is positive and the spread of each
       season (blocks of 2 steps without season) is more nearly proportional to its mean
       than constant (Guerrero's rule with ``lambda`` in ``{0, 1}``,
       :func:`prefers_log`). Forecasts are the back-transformed medians; intervals the
       back-transformed quantiles.
    3. ``seasonal_d``: 1 when the seasonal strength of a classical decomposition exceeds
       0.64 (:func:`seasonal_strength`, the rule of ``auto.arima``) and there are three
       seasons of data. ``d``: 1 when the KPSS test rejects level stationarity of the
       (seasonally differenced) series at 5% (:func:`kpss_statistic`). Each series is
       standardized (its own mean and scale) before anything else.
    4. ``ar_order`` in ``{0, 1, 2, 3, sp, sp + 1}``, ``n_filters`` in ``{0, 2, 4, 8}``,
       the intercept (only when ``d + D = 1``, where it is a drift; always with
       ``d + D = 0``, never with ``d + D = 2``) and the ridge penalty: the lowest exact
       generalized cross-validation score, computed from the streamed QR factor, all
       candidates on the same target rows. A candidate needs 2 rows per parameter. The
       final model is refitted on every row whose lags are observed.
    5. ``strategy="auto"`` with ``fh`` known in fit: horizon ``h >= 2`` uses a direct
       ridge (target ``w_{t+h-1}``, same features) when its GCV score, computed with the
       effective sample size ``n / h`` of overlapping ``h``-step targets, is below the
       recursive model's in-sample ``h``-step mean squared error inflated by the one-step
       GCV factor ``(1 - dof / n)^-2``.

    **Stability.** The fitted recursion of ``w`` (AR lags and spectral filters together:
    a linear recursion over the filter length, at most 64 steps) must have a companion
    spectral radius of at most 1 (:func:`spectral_radius`); the differencing roots are
    exactly on the unit circle by construction and are not part of the check. Otherwise
    the penalty is increased along the GCV grid until the recursion is stable, and if
    none is, the model falls back to the mean of ``w`` (a drift, mean, naive or seasonal
    naive forecast). ``stability_`` records which rule applied.

    **Intervals** are Student-t around the point forecast (``n - dof`` degrees of
    freedom) whose variance adds two parts. The model error: the mean square of the
    model's in-sample ``h``-step-ahead errors of the (log-)levels (last 200 origins) in
    the GCV form ``(SSE / n_h) / (1 - dof / n_h)^2``, and at least the ``h``-step error
    that the fitted recursion implies from its one-step error (in-sample errors are
    optimistic); horizons without in-sample errors grow as ``sqrt(h)``. The estimation
    error: the coefficients' covariance propagated through the recursion from the
    series' own last window (delta method; exact for a random walk with drift, whose
    drift error adds up ``h`` times). A floor of ``1e-3 sqrt(h)`` times the series scale
    keeps every interval of positive width.

    **Panels and hierarchies** (``pd-multiindex`` / ``pd_multiindex_hier`` ``y``): with
    ``pooling="global"`` one model is fitted on all series (each standardized by its own
    mean and scale; the QR factors add up across series) and forecasts every series;
    ``pooling="local"`` lets sktime fit one model per series. The series may end at
    different time points (on one time grid): a series that ends ``lag`` steps before the
    cutoff is forecast ``lag`` steps further ahead, with correspondingly wider intervals,
    and ``update`` may extend some series only. With exogenous ``X`` the series must end
    together.

    **update** continues the exact ridge statistics with the rows of the new time steps
    (same configuration, filters and scaling) and re-solves. Gaps, overlaps with changed
    values, another frequency and duplicated time points are refused with a
    ``ValueError``, with the fitted state unchanged.

    Parameters
    ----------
    sp : int or None, default=None
        Seasonal period; None detects it (rule above).
    d, seasonal_d : {0, 1} or "auto", default="auto"
        Ordinary and seasonal differencing orders.
    ar_order : int or "auto", default="auto"
        Number of autoregressive terms ``w_{t-1}, ..., w_{t-ar_order}``.
    n_filters : int or "auto", default="auto"
        Number of spectral filters ``K`` per branch (0 for none).
    hankel : {"Z", "L"}, default="Z"
    use_negative : bool, default=True
        Whether to include the alternating-sign filter branch.
    exog_lags : int, default=1
        Direct terms ``X_t, ..., X_{t-exog_lags+1}`` of exogenous data. ``X`` is matched
        to fit's columns by name (any order); missing, extra or non-numeric columns are a
        ValueError.
    strategy : {"auto", "recursive", "direct"}, default="auto"
        "direct" fits one ridge per horizon step (needs ``fh`` in fit).
    alpha : "auto" or float, default="auto"
        Ridge penalty on standardized features; "auto" chooses it by GCV (ties: the
        largest penalty, :func:`sksssm.spectral._ridge.gcv_choice`).
    pooling : {"global", "local"}, default="global"
        Panel / hierarchical ``y``: one model on all series, or one per series.
    log_transform : "auto" or bool, default="auto"
        Model ``log(y)`` (needs ``y > 0``); "auto" decides by :func:`prefers_log`.

    Attributes
    ----------
    sp_, d_, seasonal_d_, ar_order_, n_filters_ : int
        The configuration used.
    alpha_ : float
        Penalty of the one-step model.
    coef_ : ndarray of shape (n_targets, n_features)
        Weights of the one-step model (original units of the standardized differences).
    strategies_ : list of str
        "recursive" or "direct" for each fitted horizon 1, 2, ...
    stability_ : str
        "none", "more_penalty" or "mean": the stability rule applied to the one-step model.
    spectral_radius_ : float
        Companion spectral radius of the fitted recursion of the differenced series.
    seasonal_strength_, kpss_ : float or None
        The statistics behind ``seasonal_d_`` and ``d_`` (None when not computed).
    log_transform_ : bool
        Whether ``log(y)`` is modelled.
    fit_intercept_ : bool
        Whether the model has an intercept (a drift when ``d_ + seasonal_d_ = 1``).

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sksssm.forecasting import SpectralForecaster
    >>> y = load_airline()
    >>> forecaster = SpectralForecaster().fit(y, fh=[1, 2, 3])
    >>> forecaster.sp_
    12
    >>> forecaster.predict().shape
    (3,)
    >>> forecaster.predict_interval(coverage=0.9).shape
    (3, 2)
    """

    _tags = {
        "authors": ["sksssm developers"],
        "maintainers": ["sksssm developers"],
        "python_dependencies": None,
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:update": True,
        "capability:non_contiguous_X": False,
        # panels: series may start and end at different times (on one time grid)
        "capability:unequal_length": True,
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "property:randomness": "deterministic",
    }
    # The forecaster keeps its own history; sktime's copy is not needed (and the default
    # ``remember_data=True`` makes sktime 1.2 emit a FutureWarning on construction).
    _config = {"remember_data": False}

    _parameter_constraints = {
        "sp": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "d": [StrOptions({"auto"}), Interval(numbers.Integral, 0, 1, closed="both")],
        "seasonal_d": [StrOptions({"auto"}), Interval(numbers.Integral, 0, 1, closed="both")],
        "ar_order": [StrOptions({"auto"}), Interval(numbers.Integral, 0, None, closed="left")],
        "n_filters": [StrOptions({"auto"}), Interval(numbers.Integral, 0, None, closed="left")],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
        "use_negative": ["boolean"],
        "exog_lags": [Interval(numbers.Integral, 0, None, closed="left")],
        "strategy": [StrOptions(set(STRATEGIES))],
        "alpha": [StrOptions({"auto"}), Interval(numbers.Real, 0, None, closed="left")],
        "pooling": [StrOptions({"global", "local"})],
        "log_transform": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(
        self,
        sp=None,
        d="auto",
        seasonal_d="auto",
        ar_order="auto",
        n_filters="auto",
        hankel="Z",
        use_negative=True,
        exog_lags=1,
        strategy="auto",
        alpha="auto",
        pooling="global",
        log_transform="auto",
    ):
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
        self.pooling = pooling
        self.log_transform = log_transform
        super().__init__()
        # sktime's copy of the data exists only with set_config(remember_data=True).
        self._y, self._X = None, None
        if strategy == "direct":
            self.set_tags(**{"requires-fh-in-fit": True})
        if pooling == "local":
            self.set_tags(
                **{
                    "y_inner_mtype": "pd.DataFrame",
                    "X_inner_mtype": "pd.DataFrame",
                    "capability:unequal_length": True,
                }
            )

    # ------------------------------------------------------------------ input checks
    def _split(self, y, name):
        """``{key: DataFrame}`` per series (key None for a single series), checked."""
        if isinstance(y.index, pd.MultiIndex):
            levels = list(range(y.index.nlevels - 1))
            parts = {
                key if len(levels) > 1 else (key[0] if isinstance(key, tuple) else key): frame
                for key, frame in y.groupby(level=levels, sort=False)
            }
            parts = {key: frame.droplevel(levels) for key, frame in parts.items()}
        else:
            parts = {None: y}
        for key, frame in parts.items():
            where = f"{name}" if key is None else f"{name} (series {key!r})"
            _check_time_index(frame.index, where)
            values = frame.to_numpy(dtype=float)
            if not np.isfinite(values).all():
                raise ValueError(f"{where} contains NaN or infinite values; remove or fill them.")
        return parts

    def _split_exog(self, X, where):
        """``_split`` of ``X`` with its columns matched by name to those seen in fit.

        The columns may come in any order; missing, renamed, extra or non-numeric columns
        are refused (sktime forecasters expect ``X`` with fit's columns).
        """
        expected = list(self._exog_columns)
        given = list(X.columns)
        missing = [c for c in expected if c not in given]
        unexpected = [c for c in given if c not in expected]
        if missing or unexpected or len(set(given)) != len(given):
            raise ValueError(
                f"{where} must have the exogenous columns seen in fit, {expected} (matched "
                f"by name, in any order); missing {missing}, unexpected {unexpected}"
                + (", duplicated names" if len(set(given)) != len(given) else "")
                + ". Pass X with exactly these columns."
            )
        non_numeric = [c for c in expected if not pd.api.types.is_numeric_dtype(X[c])]
        if non_numeric:
            raise ValueError(
                f"{where} has non-numeric exogenous columns {non_numeric}; encode them as "
                "numbers (e.g. one-hot) before fit and predict."
            )
        return self._split(X[expected], where)

    def _check_hyperparameters(self):
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), type(self).__name__
        )

    # ------------------------------------------------------------------ sktime API
    def _fit(self, y, X, fh):
        self._check_hyperparameters()
        parts = self._split(y, "y")
        lengths = {key: len(frame) for key, frame in parts.items()}
        if min(lengths.values()) < MIN_LENGTH:
            raise ValueError(
                f"SpectralForecaster needs at least {MIN_LENGTH} time steps per series; "
                f"got {min(lengths.values())}."
            )
        self._keys = list(parts)
        self._multi = isinstance(y.index, pd.MultiIndex)
        self._index_names = list(y.index.names)
        self._columns = y.columns
        self._times = {key: frame.index for key, frame in parts.items()}
        self._set_lags()
        if X is not None and max(self._lags) > 0:
            raise ValueError(
                "with exogenous X every series of the panel must end at the same time "
                "point; the series end at different times. Align the series or use "
                "pooling='local'."
            )
        self._raw = {key: frame.to_numpy(dtype=float) for key, frame in parts.items()}
        # Both rules are scale-free: apply them to each series over its largest magnitude
        # (no overflow for huge values).
        normalized = [v / max(np.abs(v).max(), 1e-300) for v in self._raw.values()]
        if self.sp is None:
            self.sp_ = detect_seasonal_period(normalized, self._times[self._keys[0]])
        else:
            self.sp_ = self.sp
        if self.log_transform == "auto":
            self.log_transform_ = prefers_log(normalized, self.sp_)
        else:
            self.log_transform_ = bool(self.log_transform)
            if self.log_transform_ and any((v <= 0).any() for v in self._raw.values()):
                raise ValueError(
                    "log_transform=True needs y > 0; y has values <= 0. Use "
                    'log_transform=False or "auto".'
                )
        transformed = {key: self._transform(v) for key, v in self._raw.items()}
        self._scaling = {key: standardization(v) for key, v in transformed.items()}
        self._z = {key: (v - self._scaling[key][0]) / self._scaling[key][1]
                   for key, v in transformed.items()}  # fmt: skip
        self._e = None
        if X is not None:
            self._exog_columns = list(X.columns)
            xparts = self._split_exog(X, "X")
            self._x_scaling = {
                key: standardization(xparts[key].loc[self._times[key]].to_numpy(float))
                for key in self._keys
            }
            self._e = {key: self._scale_exog(key, xparts[key].loc[self._times[key]])
                       for key in self._keys}  # fmt: skip
        horizon = None
        if fh is not None:
            horizon = max(int(np.max(self._relative_steps(fh))), 1) + max(self._lags)
        self._configure(horizon)
        return self

    def _set_lags(self):
        """Steps from each series' last time point to the latest one (the cutoff).

        A panel's series may end at different times: a series that ends ``lag`` steps
        before the cutoff is forecast ``lag`` steps further ahead.
        """
        latest = max(times[-1] for times in self._times.values())
        self._lags = [_steps_until(self._times[key], latest) for key in self._keys]

    def _transform(self, values):
        return np.log(values) if self.log_transform_ else values

    def _scale_exog(self, key, X):
        mean, scale = self._x_scaling[key]
        return (X.to_numpy(dtype=float) - mean) / scale

    def _relative_steps(self, fh):
        return np.asarray(fh.to_relative(self.cutoff), dtype=int)

    # ------------------------------------------------------------------ configuration
    def _series(self):
        z = [self._z[k] for k in self._keys]
        e = None if self._e is None else [self._e[k] for k in self._keys]
        return z, e

    def _configure(self, horizon):
        z, e = self._series()
        n_min = min(len(s) for s in z)
        c = z[0].shape[1]
        n_exog = 0 if e is None else e[0].shape[1]
        if self.sp is not None and self.seasonal_d == 1 and n_min <= self.sp + 1:
            raise ValueError(
                f"seasonal_d=1 with sp={self.sp} needs more than {self.sp + 1} time steps; "
                f"got {n_min}. Use seasonal_d=0 or a longer series."
            )
        self.seasonal_strength_, self.kpss_ = None, None
        D = 0 if self.sp_ == 1 else self.seasonal_d
        if D == "auto":
            # Seasonal difference when the season is strong, with three seasons of data.
            if n_min >= 3 * self.sp_:
                strengths = [seasonal_strength(s[:, ch], self.sp_) for s in z
                             for ch in range(c)]  # fmt: skip
                self.seasonal_strength_ = float(np.mean(strengths))
                D = int(self.seasonal_strength_ > SEASONAL_STRENGTH_THRESHOLD)
            else:
                D = 0
        d = self.d
        if d == "auto":
            # First difference when KPSS rejects level stationarity (of the seasonally
            # differenced series when D = 1).
            poly = _difference_polynomial(0, D, self.sp_)
            statistics = [kpss_statistic(_difference(s[:, ch], poly)) for s in z
                          for ch in range(c)]  # fmt: skip
            self.kpss_ = float(np.mean(statistics))
            d = int(self.kpss_ > KPSS_CRITICAL_5)
        if n_min - d - D * self.sp_ < 2:
            raise ValueError(
                f"d={d}, seasonal_d={D} with sp={self.sp_} leaves fewer than 2 differenced "
                f"time steps of a {n_min}-step series; use less differencing."
            )
        self._config, _ = self._select(z, e, d, D, c, n_exog)
        cfg = self._config
        # The final fit uses every row whose lags are observed (GCV compared the
        # candidates on the rows common to all of them).
        self._start = cfg.p
        self.d_, self.seasonal_d_ = cfg.d, cfg.seasonal_d
        self.ar_order_, self.n_filters_ = cfg.p, cfg.K
        self.fit_intercept_ = cfg.fit_intercept
        self._fit_models(horizon)

    def _candidate_grid(self, m_min, total_rows_fn, c, n_exog, sp):
        """Feasible (p, K) pairs and the common first row."""
        if self.ar_order == "auto":
            ps = set(AR_ORDER_CANDIDATES)
            if sp > 1:
                ps |= {sp, sp + 1}
            ps = sorted(p for p in ps if 3 * (p + 1) <= m_min or p == 0)
        else:
            if self.ar_order >= m_min - 1:
                raise ValueError(
                    f"ar_order={self.ar_order} needs more time steps: the (differenced) "
                    f"series has {m_min}; use ar_order <= {max(m_min - 2, 0)} or "
                    'ar_order="auto".'
                )
            ps = [self.ar_order]
        Ks = list(N_FILTERS_CANDIDATES) if self.n_filters == "auto" else [self.n_filters]
        start = max(max(ps), 1)
        rows = total_rows_fn(start)
        filter_length = int(min(max(m_min - 1, 1), MAX_FILTER_LENGTH))
        usable = max_usable_filters(filter_length, self.hankel) if filter_length >= 2 else 0
        branches = 2 if self.use_negative else 1
        pairs = []
        for K in Ks:
            if K > usable or (K and filter_length < 2):
                if self.n_filters != "auto":
                    raise ValueError(
                        f"n_filters={K} needs a longer series: {filter_length} differenced "
                        f"steps support at most {usable} filters; use n_filters <= {usable} "
                        'or n_filters="auto".'
                    )
                continue
            for p in ps:
                n_params = c * (p + branches * K) + n_exog * (branches * K + self.exog_lags) + 1
                fixed = self.ar_order != "auto" and self.n_filters != "auto"
                if fixed or ROWS_PER_PARAMETER * n_params <= rows or (p == 0 and K == 0):
                    pairs.append((p, K))
        if not pairs:
            pairs = [(min(ps), 0)]
        return pairs, start, filter_length

    def _rows(self, config, design, z, e, start, horizon=1):
        """Design rows and targets (``w_{t+h-1}``) of every series, rows ``t >= start``."""
        out = []
        for i, s in enumerate(z):
            w = _difference(s, config.poly)
            F = design.own(w)
            if e is not None:
                F = np.concatenate([F, design.exog(e[i][config.q :])], axis=1)
            last = max(len(w) - horizon + 1, start)
            out.append((F[start:last], w[start + horizon - 1 : last + horizon - 1]))
        return out

    def _select(self, z, e, d, D, c, n_exog):
        """The GCV-best (p, K, intercept) for differencing (d, D); returns (config, start).

        Every candidate is scored on the same target rows (``t >= start``), so their GCV
        scores compare the same quantity. The intercept (a drift after one difference) is
        a candidate too when ``d + D = 1``.
        """
        sp = self.sp_
        q = d + D * sp
        m = [len(s) - q for s in z]
        pairs, start, filter_length = self._candidate_grid(
            min(m), lambda st: sum(max(mi - st, 0) for mi in m), c, n_exog, sp
        )
        intercepts = [True, False] if d + D == 1 else [d + D == 0]
        by_filters = {}
        best_score, best = np.inf, None
        for K in dict.fromkeys(K for _, K in pairs):
            by_filters[K] = _Config(sp, d, D, 0, K, filter_length, self.use_negative, self.hankel)
        candidates = [(p, K, i) for p, K in pairs for i in intercepts]
        for p, K, intercept in candidates:
            cfg = by_filters[K].variant(p, intercept)
            if len(candidates) == 1:
                return cfg, start
            design = cfg.design(c, n_exog, self.exog_lags)
            acc = QRAccumulator(design.n_features, c)
            for F, W in self._rows(cfg, design, z, e, start):
                acc.update(F, W)
            if not acc.n_rows_:
                continue
            solution = _Solution(acc, cfg.fit_intercept)
            alphas = solution.alphas() if self.alpha == "auto" else [float(self.alpha)]
            scores = solution.gcv(alphas)
            score = (
                float(np.min(scores[np.isfinite(scores)])) if np.isfinite(scores).any() else np.inf
            )
            if best is None or score < best_score - 1e-12 * abs(best_score):
                best_score, best = score, cfg
        return best, start

    # ------------------------------------------------------------------ fitting
    def _fit_models(self, horizon):
        z, e = self._series()
        cfg = self._config
        c = z[0].shape[1]
        n_exog = 0 if e is None else e[0].shape[1]
        self._design = cfg.design(c, n_exog, self.exog_lags)
        if self.strategy == "recursive" or horizon is None:
            horizons = [1]
        else:
            horizons = list(range(1, horizon + 1))
        self._horizons = horizons
        self._accumulators = []
        for h in horizons:
            acc = QRAccumulator(self._design.n_features, c)
            for F, W in self._rows(cfg, self._design, z, e, self._start, h):
                acc.update(F, W)
            self._accumulators.append(acc)
        self._solve_models()

    def _solve_models(self):
        self._models = []
        for h, acc in zip(self._horizons, self._accumulators, strict=True):
            solution = _Solution(acc, self._config.fit_intercept)
            coef, intercept, alpha, gcv, rule = _solve(solution, self.alpha, self._design, h == 1)
            self._models.append(
                {"coef": coef, "intercept": intercept, "alpha": alpha, "gcv": gcv,
                 "rule": rule, "dof": solution.dof(alpha), "n": acc.n_rows_,
                 "solution": solution}
            )  # fmt: skip
        one = self._models[0]
        self.coef_, self.alpha_, self.stability_ = one["coef"], one["alpha"], one["rule"]
        self.spectral_radius_ = (
            spectral_radius(self._design.recursion(one["coef"])) if self._design.n_own else 0.0
        )
        self._choose_strategies()
        self._interval_cache = {}

    def _choose_strategies(self):
        """Recursive or direct for every fitted horizon (rule 5 of the class docstring)."""
        n_h = len(self._horizons)
        if self.strategy == "recursive" or n_h == 1:
            self.strategies_ = ["recursive"] * n_h
            return
        if self.strategy == "direct":
            self.strategies_ = ["recursive"] + ["direct"] * (n_h - 1)
            return
        # In-sample recursive h-step MSE of w, GCV-inflated, vs the direct model's GCV.
        errors, counts = self._in_sample_w_errors(n_h)
        one = self._models[0]
        inflation = 1.0 / max(1.0 - one["dof"] / max(one["n"], 1), 1e-3) ** 2
        self.strategies_ = ["recursive"]
        for h in range(2, n_h + 1):
            recursive = errors[h - 1] / max(counts[h - 1], 1) * inflation
            model = self._models[h - 1]
            # GCV with the effective sample size n / h of overlapping h-step targets
            # (their errors are MA(h - 1), Hansen & Hodrick 1980).
            n, dof = max(model["n"], 1), model["dof"]
            mse = model["gcv"] * (1.0 - dof / n) ** 2 / self._z_channels()
            direct = mse / (1.0 - h * dof / n) ** 2 if h * dof < n else np.inf
            use_direct = counts[h - 1] > 0 and np.isfinite(direct) and direct < recursive
            self.strategies_.append("direct" if use_direct else "recursive")

    def _z_channels(self):
        return self._z[self._keys[0]].shape[1]

    # ------------------------------------------------------------------ forecasting
    def _origins_batch(self, origins_per_series):
        """Differenced-series windows and last levels for forecasts from the given origins.

        ``origins_per_series[i]`` lists indices into series ``i`` of the first forecast
        step. Returns ``windows`` (B, memory, c) and ``z_last`` (B, q, c).
        """
        z, _ = self._series()
        cfg, design = self._config, self._design
        windows, z_last = [], []
        for i, origins in enumerate(origins_per_series):
            w = _difference(z[i], cfg.poly)
            for origin in origins:
                stop = origin - cfg.q
                windows.append(_window(w[:stop], design.memory))
                z_last.append(z[i][origin - cfg.q : origin])
        return np.stack(windows), np.stack(z_last)

    def _forecast(self, windows, z_last, exog_rows, n_steps):
        """Standardized level forecasts (B, n_steps, c) with the chosen strategies."""
        design = self._design
        one = self._models[0]
        w_path = _recursive(design, windows, exog_rows, one["coef"], one["intercept"], n_steps)
        if any(s == "direct" for s in self.strategies_[:n_steps]):
            first = _first_features(design, windows, exog_rows)
            for h in range(2, min(n_steps, len(self.strategies_)) + 1):
                if self.strategies_[h - 1] == "direct":
                    model = self._models[h - 1]
                    w_path[:, h - 1] = first @ model["coef"].T + model["intercept"]
        return _integrate(z_last, w_path, self._config.poly)

    def _exog_future(self, X, n_steps):
        """Exogenous feature rows of the next ``n_steps`` per series: (n_series, n, f)."""
        if self._e is None:
            return None
        from sktime.forecasting.base import ForecastingHorizon

        absolute = ForecastingHorizon(np.arange(1, n_steps + 1), is_relative=True)
        absolute = absolute.to_absolute_index(self.cutoff)
        xparts = self._split_exog(X, "X") if X is not None else {}
        rows = []
        for key in self._keys:
            frame = xparts.get(key)
            missing = absolute if frame is None else absolute.difference(frame.index)
            if len(missing):
                raise ValueError(
                    "SpectralForecaster needs X at every step from the cutoff to the last "
                    f"forecast step; missing {len(missing)} of them (first: {missing[0]})."
                )
            e_all = np.concatenate([self._e[key], self._scale_exog(key, frame.loc[absolute])])[
                self._config.q :
            ]
            rows.append(self._design.exog(e_all)[-n_steps:])
        return np.stack(rows)

    def _predict(self, fh, X=None):
        steps = self._steps(fh)
        n_steps = int(steps.max())
        z_path = self._future_path(X, n_steps)[:, steps - 1]
        return self._to_frame([self._to_original(i, v) for i, v in enumerate(z_path)], fh)

    def _future_path(self, X, n_steps):
        """Standardized level forecasts (n_series, n_steps, c) for the steps after the cutoff.

        A series ending ``lag`` steps before the cutoff is forecast ``lag + n_steps``
        steps ahead; the first ``lag`` steps (before the cutoff) are dropped.
        """
        z, _ = self._series()
        windows, z_last = self._origins_batch([[len(s)] for s in z])
        lags = self._lags
        path = self._forecast(windows, z_last, self._exog_future(X, n_steps), n_steps + max(lags))
        return np.stack([path[i, lag : lag + n_steps] for i, lag in enumerate(lags)])

    def _spread(self, steps, X=None):
        """Per-series error scales (n_series, len(steps), c) of ``steps`` and the t dof.

        The model's ``h``-step error and the coefficients' estimation error add up (as
        variances); a floor of ``1e-3 sqrt(h)`` keeps every interval of positive width.
        """
        n_steps = int(steps.max()) + max(self._lags)
        sigma, nu = self._error_scale(n_steps)
        variance = sigma**2 + self._estimation_variance(X, n_steps)
        floor = 1e-3 * np.sqrt(np.arange(1, n_steps + 1))[:, None]
        spread = np.maximum(np.sqrt(variance), floor)
        return np.stack([spread[i, steps - 1 + lag] for i, lag in enumerate(self._lags)]), nu

    def _steps(self, fh):
        steps = self._relative_steps(fh)
        if (steps < 1).any():
            raise NotImplementedError(
                "SpectralForecaster makes out-of-sample forecasts only (fh >= 1)."
            )
        if self.strategy == "direct" and steps.max() + max(self._lags) > len(self._horizons):
            raise ValueError(
                f'strategy="direct" was fitted for horizons up to {len(self._horizons)} '
                "(counted from each series' last time point); "
                f"got fh up to {steps.max()}. Pass the longest fh to fit."
            )
        return steps

    def _to_original(self, i, z_values):
        """Standardized (transformed) values of series ``i`` in y's units."""
        mean, scale = self._scaling[self._keys[i]]
        with np.errstate(over="ignore"):
            values = z_values * scale + mean
            values = np.exp(values) if self.log_transform_ else values
        return _check_representable(z_values, values, "the forecast (or an interval bound)")

    def _to_frame(self, values, fh, columns=None):
        """(n_series, n, c) values in y's units to a DataFrame indexed like y."""
        index = fh.to_absolute_index(self.cutoff)
        columns = self._columns if columns is None else columns
        frames = [pd.DataFrame(v, index=index, columns=columns) for v in values]
        if not self._multi:
            return frames[0]
        keys = [k if isinstance(k, tuple) else (k,) for k in self._keys]
        out = pd.concat(frames, keys=keys)
        out.index.names = self._index_names
        return out

    # ------------------------------------------------------------------ intervals
    def _in_sample_w_errors(self, n_steps):
        """Sum of squared recursive in-sample h-step errors of ``w`` and their counts."""
        z, e = self._series()
        cfg, design, one = self._config, self._design, self._models[0]
        sq, counts = np.zeros(n_steps), np.zeros(n_steps)
        for i, s in enumerate(z):
            w = _difference(s, cfg.poly)
            origins = list(range(max(self._start, len(w) - MAX_RESIDUAL_ORIGINS), len(w)))
            if not origins:
                continue
            windows = np.stack([_window(w[:o], design.memory) for o in origins])
            exog = None
            if e is not None:
                F = design.exog(e[i][cfg.q :])
                exog = np.stack([_rows_from(F, o, n_steps) for o in origins])
            path = _recursive(design, windows, exog, one["coef"], one["intercept"], n_steps)
            for b, o in enumerate(origins):
                k = min(n_steps, len(w) - o)
                sq[:k] += np.sum((path[b, :k] - w[o : o + k]) ** 2, axis=-1)
                counts[:k] += s.shape[1]
        return sq, counts

    def _error_scale(self, n_steps):
        """Per-horizon error scale (n_steps, c) in standardized units, with its dof."""
        if n_steps in self._interval_cache:
            return self._interval_cache[n_steps]
        z, e = self._series()
        cfg, design = self._config, self._design
        c = z[0].shape[1]
        sq, counts = np.zeros((n_steps, c)), np.zeros(n_steps)
        origins_per_series = []
        for s in z:
            first = cfg.q + max(self._start, 1)
            origins_per_series.append(
                list(range(max(first, len(s) - MAX_RESIDUAL_ORIGINS), len(s)))
            )
        if any(origins_per_series):
            keep = [i for i, o in enumerate(origins_per_series) if o]
            windows, z_last = self._origins_batch(
                [origins_per_series[i] if i in keep else [] for i in range(len(z))]
            )
            exog = None
            if e is not None:
                exog = []
                for i in keep:
                    F = design.exog(e[i][cfg.q :])
                    exog += [_rows_from(F, o - cfg.q, n_steps) for o in origins_per_series[i]]
                exog = np.stack(exog)
            path = self._forecast(windows, z_last, exog, n_steps)
            b = 0
            for i in keep:
                for o in origins_per_series[i]:
                    k = min(n_steps, len(z[i]) - o)
                    sq[:k] += (path[b, :k] - z[i][o : o + k]) ** 2
                    counts[:k] += 1
                    b += 1
        one = self._models[0]
        dof = one["dof"]
        sigma = np.full((n_steps, c), np.nan)
        enough = counts > dof + 1
        sigma[enough] = np.sqrt(sq[enough] / counts[enough, None]) / (
            1 - dof / counts[enough, None]
        )
        if not enough[0]:
            # Too few in-sample errors: the spread of the differences (a random walk).
            spread = np.concatenate([np.diff(s, axis=0) for s in z if len(s) > 1])
            sigma[0] = np.sqrt(np.mean(spread**2, axis=0)) if len(spread) else 1.0
            enough[0] = True
        last = 0
        for h in range(n_steps):
            if enough[h]:
                last = h
            else:
                sigma[h] = sigma[last] * np.sqrt((h + 1) / (last + 1))
        # In-sample h-step errors are optimistic (the fit has seen those very steps); the
        # h-step error the fitted recursion implies from its one-step error is a floor.
        sigma = np.maximum(sigma, self._implied_error_scale(sigma[0], n_steps))
        nu = max(counts[0] - dof, 1.0)
        self._interval_cache[n_steps] = (sigma, nu)
        return sigma, nu

    def _implied_error_scale(self, one_step_sigma, n_steps):
        """Error scale (n_steps, c) of the level that the fitted recursion implies.

        With innovations of scale ``one_step_sigma`` (independent across channels), the
        ``h``-step error is ``sum_{k<h} psi_k e_{t+h-k}``, where ``psi_k`` is the impulse
        response of the autoregression ``w_t = sum_j A_j w_{t-j}`` (``A`` from
        :meth:`_Design.recursion`) passed through the inverse of the differencing.
        """
        A = self._design.recursion(self._models[0]["coef"])  # (memory, c, c)
        poly = self._config.poly
        c = len(one_step_sigma)
        psi_w = np.zeros((n_steps, c, c))
        psi_z = np.zeros((n_steps, c, c))
        for k in range(n_steps):
            psi_w[k] = np.eye(c) if k == 0 else 0.0
            for j in range(1, min(k, len(A)) + 1):
                psi_w[k] += A[j - 1] @ psi_w[k - j]
            lags = range(1, min(k, len(poly) - 1) + 1)
            psi_z[k] = psi_w[k] - sum(poly[j] * psi_z[k - j] for j in lags)
        variance = np.cumsum(np.einsum("kij,j->ki", psi_z**2, one_step_sigma**2), axis=0)
        return np.sqrt(variance)

    def _estimation_variance(self, X, n_steps):
        """Variance (n_series, n_steps, c) of each level forecast from coefficient error.

        First-order (delta method) propagation of the one-step model's coefficient
        covariance (:meth:`_Solution.parameter_directions`) through the recursion from
        each series' own last window: for a direction ``(dA, db)`` of the parameters, the
        forecast path moves by ``d_i = (dA x_i + db) + A_own(d_{<i})``, the fitted
        recursion driven by the perturbation of each step's prediction (``x_i`` the
        features of step ``i`` along the forecast path), then integrated like the
        forecasts. Exact for the random walk with drift (``sigma^2 h^2 / n``); for other
        models it depends on where the series stands (an extreme last value moves the
        forecast more when a coefficient is off). Horizons forecast directly use the
        recursive model's value.
        """
        one = self._models[0]
        d_coef, d_intercept = one["solution"].parameter_directions(
            one["alpha"], coefficients_used=one["rule"] != "mean"
        )
        z, _ = self._series()
        windows, _ = self._origins_batch([[len(s)] for s in z])
        design, poly = self._design, self._config.poly
        _, features = _recursive(
            design, windows, self._exog_future(X, n_steps), one["coef"], one["intercept"],
            n_steps, return_features=True,
        )  # fmt: skip
        # Perturbation of each step's prediction: (directions, series, steps, channels).
        forcing = np.einsum("bip,kcp->kbic", features, d_coef) + d_intercept[:, None, None]
        k, B, _, c = forcing.shape
        moved = _propagate(
            design, one["coef"][:, : design.n_own], forcing.reshape(k * B, n_steps, c)
        )
        moved = _integrate(np.zeros((k * B, len(poly) - 1, c)), moved, poly)
        return np.sum(moved.reshape(k, B, n_steps, c) ** 2, axis=0)

    def _predict_var(self, fh, X=None, cov=False):
        steps = self._steps(fh)
        spread, nu = self._spread(steps, X)
        # Variance of the Student-t forecast distribution (of the transformed values).
        variance = spread**2 * (nu / (nu - 2) if nu > 2 else 1.0)
        z_path = self._future_path(X, int(steps.max()))[:, steps - 1]
        values = []
        for i, key in enumerate(self._keys):
            scale = self._scaling[key][1]
            with np.errstate(over="ignore"):
                v = variance[i] * scale**2
                if self.log_transform_:
                    # Log-normal variance around the back-transformed forecast (the median).
                    log_mean = z_path[i] * scale + self._scaling[key][0]
                    v = np.expm1(v) * np.exp(2 * log_mean + v)
            values.append(_check_representable(variance[i], v, "the forecast variance"))
        return self._to_frame(values, fh)

    def _predict_quantiles(self, fh, X, alpha):
        steps = self._steps(fh)
        spread, nu = self._spread(steps, X)
        z_path = self._future_path(X, int(steps.max()))[:, steps - 1]
        columns = pd.MultiIndex.from_product([self._columns, alpha])
        blocks = []
        for i in range(len(self._keys)):
            # Quantiles of the transformed values map to quantiles of y (monotone).
            per_alpha = [
                self._to_original(i, z_path[i] + stats.t.ppf(a, nu) * spread[i]) for a in alpha
            ]
            blocks.append(np.stack(per_alpha, axis=-1).reshape(len(steps), -1))
        # columns are (variable, alpha) with alpha varying fastest
        return self._to_frame(blocks, fh, columns=columns)

    # ------------------------------------------------------------------ update
    def _update_y_X(self, y, X):
        # Runs before sktime moves the cutoff: refuse bad updates with the state unchanged.
        if self.is_fitted and y is not None:
            self._check_update(y, X)
        super()._update_y_X(y, X)

    def _check_update(self, y, X):
        if self._multi != isinstance(y.index, pd.MultiIndex):
            raise ValueError("update: y must have the same (single / panel) layout as in fit.")
        parts = self._split(y, "y in update")
        unknown = set(parts) - set(self._keys)
        if unknown:
            raise ValueError(f"update: y has series not seen in fit: {sorted(unknown)[:3]}.")
        if len(y.columns) != len(self._columns):
            raise ValueError(
                f"update: y has {len(y.columns)} columns; the forecaster was fitted on "
                f"{len(self._columns)}."
            )
        new_counts = set()
        for key, frame in parts.items():
            new = _check_continuation(self._times[key], self._raw[key], frame)
            if self.log_transform_ and (frame.loc[new].to_numpy(dtype=float) <= 0).any():
                raise ValueError(
                    "update: y has values <= 0, but the forecaster models log(y) "
                    "(log_transform_ is True). Refit on the whole series."
                )
            new_counts.add(len(new))
        if self._e is not None and max(new_counts, default=0):
            # With X the series must stay aligned (see fit).
            if len(parts) != len(self._keys) or len(new_counts) > 1:
                raise ValueError(
                    "update: with exogenous X every series must get the same new time steps."
                )
            if X is None:
                raise ValueError("update: X is needed for the new time steps (fitted with X).")
        if self._e is not None and X is not None:
            self._split_exog(X, "X in update")

    def _update(self, y, X=None, update_params=True):
        parts = self._split(y, "y")
        xparts = self._split_exog(X, "X") if self._e is not None and X is not None else None
        n_new = 0
        old_length = {}
        for key, frame in parts.items():
            times = self._times[key]
            new = frame.index > times[-1]
            if not new.any():
                continue
            n_new = int(new.sum())
            old_length[key] = len(times)
            self._times[key] = times.append(frame.index[new])
            mean, scale = self._scaling[key]
            values = frame.to_numpy(dtype=float)[new]
            self._raw[key] = np.concatenate([self._raw[key], values])
            self._z[key] = np.concatenate([self._z[key], (self._transform(values) - mean) / scale])
            if self._e is not None:
                self._e[key] = np.concatenate(
                    [self._e[key], self._scale_exog(key, xparts[key].loc[frame.index[new]])]
                )
        if not n_new:
            return self
        self._set_lags()
        self._interval_cache = {}
        if update_params:
            cfg, design = self._config, self._design
            for h, acc in zip(self._horizons, self._accumulators, strict=True):
                for key in old_length:
                    z = self._z[key]
                    w = _difference(z, cfg.poly)
                    F = design.own(w)
                    if self._e is not None:
                        F = np.concatenate([F, design.exog(self._e[key][cfg.q :])], axis=1)
                    # Rows whose h-step target became observable with the new data.
                    old_w = old_length[key] - cfg.q
                    first = max(self._start, old_w - h + 1)
                    last = len(w) - h + 1
                    if last > first:
                        acc.update(F[first:last], w[first + h - 1 : last + h - 1])
            self._solve_models()
        return self

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small parameter sets for sktime's estimator checks.

        Returns
        -------
        list of dict
        """
        return [
            {},
            {"n_filters": 2, "ar_order": 2, "d": 1, "seasonal_d": 0, "alpha": 1.0},
            {"strategy": "direct", "use_negative": False, "hankel": "L"},
            {"pooling": "local", "sp": 1},
        ]


def _check_representable(standardized, values, what):
    """``values`` (in y's units), refused when finite ``standardized`` ones overflowed.

    The model works on standardized values, so it never overflows; only the answer in
    y's units can exceed the float64 range. That is a clear error, never ``inf``.
    """
    if np.isfinite(standardized).all() and not np.isfinite(values).all():
        raise ValueError(
            f"{what} exceeds the float64 range (about 1.8e308) in y's units; forecast "
            "fewer steps or rescale y (e.g. divide it by a large constant)."
        )
    return values


def _window(w, memory):
    """The last ``memory`` steps of ``w`` (m, c), zero-padded at the start."""
    out = np.zeros((memory, w.shape[1]))
    k = min(memory, len(w))
    if k:
        out[memory - k :] = w[len(w) - k :]
    return out


def _rows_from(F, start, n):
    """Rows ``start .. start + n - 1`` of ``F``, zero beyond its end."""
    out = np.zeros((n, F.shape[1]))
    k = max(0, min(n, len(F) - start))
    out[:k] = F[start : start + k]
    return out


def _first_features(design, windows, exog_rows):
    own = design.own_last(windows)
    if design.n_exog_features:
        return np.concatenate([own, exog_rows[:, 0]], axis=1)
    return own


def _recursive(design, windows, exog_rows, coef, intercept, n_steps, return_features=False):
    """Recursive forecasts of ``w`` (B, n_steps, c) from windows (B, memory, c).

    With ``return_features`` also the feature rows (B, n_steps, n_features) of every step.
    """
    B, H, c = windows.shape
    history = np.concatenate([windows, np.zeros((B, n_steps, c))], axis=1)
    rows = np.zeros((B, n_steps, design.n_features)) if return_features else None
    for i in range(n_steps):
        features = design.own_last(history[:, i : H + i])
        if design.n_exog_features:
            features = np.concatenate([features, exog_rows[:, i]], axis=1)
        if return_features:
            rows[:, i] = features
        history[:, H + i] = features @ coef.T + intercept
    return (history[:, H:], rows) if return_features else history[:, H:]


def _propagate(design, own_coef, forcing):
    """Response (B, n, c) of the fitted recursion of ``w`` to a forcing (B, n, c).

    ``d_i = own_coef @ own_features(d_{<i}) + forcing_i`` with ``d = 0`` before the first
    step: how a perturbation of each step's prediction travels through the recursion.
    """
    B, n_steps, c = forcing.shape
    H = design.memory
    history = np.zeros((B, H + n_steps, c))
    for i in range(n_steps):
        history[:, H + i] = design.own_last(history[:, i : H + i]) @ own_coef.T + forcing[:, i]
    return history[:, H:]


# ---------------------------------------------------------------------------- time index
def _check_time_index(index, where):
    """Refuse duplicated, unordered or gappy time indices with a clear ValueError."""
    if index.has_duplicates:
        duplicated = index[index.duplicated()][0]
        raise ValueError(f"{where} has duplicated time points (first: {duplicated}).")
    if not index.is_monotonic_increasing:
        raise ValueError(f"{where} must be sorted by time.")
    if len(index) < 3:
        return
    if isinstance(index, pd.PeriodIndex):
        steps = np.diff(index.asi8)
        if not (steps == index.freq.n).all():
            raise ValueError(
                f"{where} has gaps: its PeriodIndex skips time steps (first after "
                f"{index[int(np.argmax(steps != index.freq.n))]}). Fill the missing steps."
            )
    elif isinstance(index, pd.DatetimeIndex):
        freq = index.freq or pd.infer_freq(index)
        if freq is None:
            raise ValueError(
                f"{where} has a DatetimeIndex without a regular frequency (missing time "
                "steps?). Fill the missing steps (e.g. y.asfreq(freq)) or resample."
            )
    elif pd.api.types.is_numeric_dtype(index):
        steps = np.diff(np.asarray(index, dtype=float))
        if not np.allclose(steps, steps[0]):
            raise ValueError(
                f"{where} has an irregular numeric index (gaps); the time steps must be "
                "equally spaced."
            )


def _check_continuation(times, values, frame):
    """Refuse an update of one series that does not continue its fitted history.

    The one update rule of both forecasters: the new data must be finite, of fit's index
    type and frequency, agree with the history where they overlap, and continue it
    without a gap.

    Parameters
    ----------
    times : pandas.Index
        The fitted (regular) time index of the series.
    values : ndarray of shape (len(times), n_columns)
        The fitted values.
    frame : pandas.DataFrame
        The update of the series.

    Returns
    -------
    new : pandas.Index
        The time points of ``frame`` after ``times[-1]``.
    """
    _check_time_index(frame.index, "y in update")
    if not np.isfinite(frame.to_numpy(dtype=float)).all():
        raise ValueError("update: y contains NaN or infinite values; remove or fill them.")
    _check_same_kind(times, frame.index)
    old = frame.index[frame.index <= times[-1]]
    if len(old):
        stored = pd.DataFrame(values, index=times).reindex(old)
        given = frame.loc[old].to_numpy(dtype=float)
        if stored.isna().any().any() or not np.allclose(
            stored.to_numpy(), given, rtol=1e-12, atol=0
        ):
            raise ValueError(
                "update: y overlaps the fitted history with different values (or "
                "times before the first fitted one); the forecaster cannot revise "
                "the past. Refit with the corrected series."
            )
    new = frame.index[frame.index > times[-1]]
    if len(new) and not _is_successor(times, new[0]):
        raise ValueError(
            f"update: y continues at {new[0]}, but the next time step after the "
            f"cutoff {times[-1]} is expected (a gap of missing time steps). Fill "
            "the gap or refit."
        )
    if len(new) > 1:
        # gaps inside the new data: the continued history must stay regular
        _check_time_index(times[-2:].append(new), "y in update")
    return new


def _check_same_kind(fitted, new):
    """Refuse an update whose index type or frequency differs from fit's."""
    if type(fitted) is not type(new) and not (
        pd.api.types.is_integer_dtype(fitted) and pd.api.types.is_integer_dtype(new)
    ):
        raise ValueError(
            f"update: y has a {type(new).__name__}; the forecaster was fitted on a "
            f"{type(fitted).__name__}."
        )
    f_old, f_new = getattr(fitted, "freqstr", None), getattr(new, "freqstr", None)
    if isinstance(fitted, pd.DatetimeIndex):
        f_old = f_old or (pd.infer_freq(fitted) if len(fitted) >= 3 else None)
        f_new = f_new or (pd.infer_freq(new) if len(new) >= 3 else None)
        if f_new is None or f_old is None:
            return
    if f_old != f_new:
        raise ValueError(
            f"update: y has frequency {f_new!r}; the forecaster was fitted with frequency "
            f"{f_old!r}."
        )


def _steps_until(times, later):
    """Number of time steps from ``times[-1]`` to ``later`` on the grid of ``times``.

    Raises a ValueError when ``later`` is not on that grid (another frequency or phase).
    """
    last = times[-1]
    if isinstance(times, pd.PeriodIndex):
        if later.freq != times.freq:
            raise ValueError(
                f"the series have different frequencies ({times.freq}, {later.freq})."
            )
        n = (later.ordinal - last.ordinal) / times.freq.n
    elif isinstance(times, pd.DatetimeIndex):
        if later == last:
            return 0
        freq = _datetime_freq(times)
        if freq is None:
            raise ValueError(
                "the series end at different times and a series has no regular frequency "
                "to count the steps between them."
            )
        grid = pd.date_range(last, later, freq=freq)
        n = len(grid) - 1 if len(grid) and grid[-1] == later else np.nan
    else:
        step = times[-1] - times[-2] if len(times) >= 2 else 1
        n = (later - last) / step
    if not np.isfinite(n) or not np.isclose(n, round(n)):
        raise ValueError(
            f"the series end at {last} and {later}, which are not a whole number of time "
            "steps apart; the panel's series must share one time grid."
        )
    return int(round(n))


def _is_successor(times, first_new):
    """Whether ``first_new`` is the time step right after ``times[-1]``.

    A DatetimeIndex without a frequency (fewer than 3 points, none set) cannot tell; it
    is accepted.
    """
    if isinstance(times, pd.DatetimeIndex) and _datetime_freq(times) is None:
        return True
    try:
        return _steps_until(times, first_new) == 1
    except ValueError:
        return False


def _datetime_freq(times):
    """The frequency of a DatetimeIndex: its own, else inferred from 3 or more points."""
    return times.freq or (pd.infer_freq(times) if len(times) >= 3 else None)


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
    from .estimators import HOPERegressor, PTDSSMRegressor, STURegressor

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
                _check_continuation(history.index, history.to_numpy()[:, None], new.to_frame())
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
        from .estimators import HOPERegressor, STURegressor

        tiny = {"d_model": 4, "n_layers": 1, "max_epochs": 2, "random_state": 0}
        params = [{"estimator": HOPERegressor(**tiny), "window_length": 3}]
        return [{"estimator": STURegressor(**tiny), "window_length": 4}, *params]
