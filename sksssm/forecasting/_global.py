"""Global fits: one set of models for every series of a panel, in memory or on Dask.

:class:`GlobalModels` configures and fits the ``n_combined`` GCV-best models on all
series of a :class:`~._panel.Panel` at once (each series standardized by itself, the QR
factors of their design rows summed), and runs them forward. The factors are built by
:func:`._search.accumulate` in this process, or by :class:`DaskFactors` on Dask workers
(``backend="dask"``): merging streamed QR factors is exact, so both give the same model
up to round-off.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from functools import partial

import numpy as np

from .._validation import check_positive_int
from ..spectral._dask import _import_dask, reduce_factors
from ._combination import (
    combine_members,
    fit_channels,
    fitted_paths,
    in_sample_weights,
    member_paths,
    origin_members,
)
from ._damped_trend import fit_trend_member
from ._intervals import (
    backtest_calibration,
    error_scale,
    final_in_sample_errors,
    forecast_spread,
    in_sample_calibration,
    in_sample_dof,
)
from ._model import SpectralModel
from ._search import accumulate, choose_differencing, select_configurations
from ._theta import fit_theta

#: Where the global QR factors are built: this process (None) or Dask workers.
BACKENDS = (None, "dask")
#: ``backend_params`` of ``backend="dask"`` and their defaults.
DASK_PARAMS = {"series_per_block": 500, "split_every": 8}
#: Largest memory the search may spend keeping columns shared between its candidates
#: (:func:`._search.series_rows`): the differenced series and the spectral columns of
#: every filter count, about 30 values per step and channel.
SEARCH_CACHE_BYTES = 64 * 2**20


def check_fit(params, panel, has_exog):
    """Refuse a fit the forecaster cannot make, naming the fix.

    Parameters
    ----------
    params : SpectralForecaster
    panel : Panel
    has_exog : bool
    """
    if params.backend is not None and params.panel != "global":
        raise ValueError(
            f"backend={params.backend!r} distributes one global fit: pass panel='global' "
            "(the default is 'local'), or with panel='local' parallelize sktime's "
            "per-series fits instead: set_config(**{'backend:parallel': 'dask'})."
        )
    # The panel itself refused series shorter than MIN_LENGTH (naming them).
    n_min = panel.min_length()
    if has_exog and max(panel.lags) > 0:
        raise ValueError(
            "with exogenous X every series of the panel must end at the same time "
            "point; the series end at different times. Align the series or use "
            "panel='local'."
        )
    if params.sp is not None and params.sp > 1 and params.sp >= n_min:
        raise ValueError(
            f"sp={params.sp} is as long as the shortest series ({n_min} time steps), so no "
            "season can be seen. Pass a shorter period, or sp=None to detect it."
        )
    if params.sp is not None and params.seasonal_d == 1 and n_min <= params.sp + 1:
        raise ValueError(
            f"seasonal_d=1 with sp={params.sp} needs more than {params.sp + 1} time steps; "
            f"got {n_min}. Use seasonal_d=0 or a longer series."
        )


def panel_factor(backend, backend_params, z, e):
    """The factor builder of ``backend``: :func:`accumulate` or a :class:`DaskFactors`.

    Parameters
    ----------
    backend : None or "dask"
    backend_params : dict or None
        Only with ``backend="dask"``: keys of :data:`DASK_PARAMS` (integers >= 1, and
        ``split_every >= 2``).
    z, e : list of ndarray, list of ndarray or None
        The standardized series and exogenous data (:meth:`Panel.series`).
    """
    if backend is None:
        if backend_params:
            raise ValueError(
                f"backend_params={backend_params!r} is used only with backend='dask'; "
                "pass backend='dask' or drop backend_params."
            )
        return accumulate
    params = {**DASK_PARAMS, **(backend_params or {})}
    unknown = sorted(set(params) - set(DASK_PARAMS))
    if unknown:
        raise ValueError(
            f"backend_params has unknown keys {unknown}; the Dask backend takes "
            f"{sorted(DASK_PARAMS)}."
        )
    for name, smallest in (("series_per_block", 1), ("split_every", 2)):
        check_positive_int(params[name], f"backend_params[{name!r}]", minimum=smallest)
    return DaskFactors(z, e, params["series_per_block"], params["split_every"])


def search_cache(z, e):
    """A new column cache for :func:`accumulate` on ``z, e``, or None when too large.

    The cache holds the differenced series and their spectral and exogenous columns
    (about 30 values per step and channel), at most :data:`SEARCH_CACHE_BYTES`.
    """
    n_values = 30 * sum(s.size for s in z) + (0 if e is None else sum(x.size for x in e))
    return {} if 8 * n_values <= SEARCH_CACHE_BYTES else None


#: Worker side: the column caches of the series blocks this process has factored, by
#: block key, least recently used first; at most :data:`WORKER_CACHED_BLOCKS` of them.
_WORKER_CACHES = OrderedDict()
_WORKER_CACHES_LOCK = threading.Lock()
#: Blocks whose column caches a worker process keeps (each bounded by
#: :data:`SEARCH_CACHE_BYTES`, about 6 MiB for 500 series of 48 steps).
WORKER_CACHED_BLOCKS = 8


def worker_cache(block_key, z, e):
    """The column cache of block ``block_key`` in this process (None: too large).

    The candidates of a search factor the same blocks one after the other; keeping a
    block's differenced series and spectral columns lets each candidate reuse them, as
    the in-process search does (:func:`search_cache`).
    """
    with _WORKER_CACHES_LOCK:
        if block_key in _WORKER_CACHES:
            _WORKER_CACHES.move_to_end(block_key)
            return _WORKER_CACHES[block_key]
        cache = search_cache(z, e)
        if cache is not None:
            _WORKER_CACHES[block_key] = cache
            while len(_WORKER_CACHES) > WORKER_CACHED_BLOCKS:
                _WORKER_CACHES.popitem(last=False)
        return cache


def _factor_series_block(config, design, block, start, horizon, block_key):
    """Worker side: the factor of one block of series (:func:`accumulate`)."""
    z_block, e_block = block
    cache = worker_cache(block_key, z_block, e_block)
    return accumulate(config, design, z_block, e_block, start, horizon, cache)


class DaskFactors:
    """The global QR factors of a panel's design, built and merged on Dask workers.

    A drop-in for :func:`._search.accumulate` on the series it was made with. The series
    are split into blocks of ``series_per_block`` and persisted once (on the workers of a
    ``distributed`` client, if one is active; else Dask's default scheduler computes in
    this process). Each call factors every block with :func:`accumulate` on a worker and
    merges the factors in a tree (:func:`~sksssm.spectral._dask.reduce_factors`); only
    factors (at most ``(1 + features + channels)`` squared) travel back. Each worker
    keeps the columns of its recent blocks (:func:`worker_cache`) for the next
    candidate of the search.

    Parameters
    ----------
    z, e : list of ndarray, list of ndarray or None
    series_per_block, split_every : int
    """

    def __init__(self, z, e, series_per_block, split_every):
        dask, _ = _import_dask()
        self.z, self.e, self.split_every = z, e, split_every
        run = uuid.uuid4().hex
        starts = range(0, len(z), series_per_block)
        self.block_keys = [f"sksssm-series-block-{run}-{i}" for i in starts]
        blocks = [
            dask.delayed(
                (z[i : i + series_per_block], None if e is None else e[i : i + series_per_block]),
                traverse=False, name=key,
            )
            for i, key in zip(starts, self.block_keys, strict=True)
        ]  # fmt: skip
        self.blocks = dask.persist(*blocks)

    def __call__(self, config, design, z, e, start, horizon=1):
        if z is not self.z or e is not self.e:
            raise RuntimeError("DaskFactors factors only the series it was made with.")
        dask, _ = _import_dask()
        factor = dask.delayed(_factor_series_block, pure=True)
        factors = [factor(config, design, block, start, horizon, key)
                   for block, key in zip(self.blocks, self.block_keys, strict=True)]  # fmt: skip
        return reduce_factors(factors, self.split_every)


class GlobalModels:
    """The ``n_combined`` GCV-best models of a panel, fitted on all of its series.

    Parameters
    ----------
    params : SpectralForecaster
        The hyperparameters (``d``, ``seasonal_d``, ``ar_order``, ..., ``backend``).
    panel : Panel
        Standardized (and with its exogenous data, if any).
    sp : int
        The seasonal period.
    n_horizons : int
        1 for the recursive model only; more fits direct models too.

    Attributes
    ----------
    models : list of SpectralModel
        Best first.
    strategies : list of list of str
        Per model, "recursive" or "direct" per fitted horizon (set by :meth:`solve`).
    seasonal_strength, kpss : float or None
    """

    def __init__(self, params, panel, sp, n_horizons):
        self.panel, self.params = panel, params
        self.sp, self.damping = sp, params.damping
        self.drift_prior_length = params.drift_prior_length
        self.theta_weight = params.theta_weight
        self.damped_trend_weight = params.damped_trend_weight
        self.weight_prior_origins = params.weight_prior_origins
        z, e = panel.series()
        factor = panel_factor(params.backend, params.backend_params, z, e)
        d, D, self.seasonal_strength, self.kpss = choose_differencing(
            z, sp, params.d, params.seasonal_d
        )
        self.d = d
        # Columns shared by the candidates and the final fits (in this process, bounded).
        cache = search_cache(z, e)
        configs, _ = select_configurations(
            params, z, e, d, D, sp, params.n_combined, factor=factor, cache=cache
        )
        n_exog = 0 if e is None else e[0].shape[1]
        # The final fit uses every row whose lags are observed (GCV compared the
        # candidates on the rows common to all of them).
        self.models = [
            SpectralModel(c, z[0].shape[1], n_exog, params.exog_lags, c.p, n_horizons).fit(
                z, e, factor=factor, cache=cache
            )
            for c in configs
        ]
        # Per series, the length through which the factors hold its rows (add_rows).
        self.factored_lengths = [len(s) for s in z]
        self.strategies, self.error_scales, self._origins = [], {}, {}
        # The Theta and damped-trend members depend on the training series only: fitted
        # once, here (on first use if their weight is set after the fit).
        self._members = {}
        for name in ("theta", "damped_trend"):
            if self.uses(name):
                self.member_fits(name)

    def uses(self, name):
        """Whether the forecast averages in the "theta" or "damped_trend" member.

        Neither with exogenous data (they ignore ``X``); the damped trend only for a
        trend without a season (``sp = 1`` and ``d = 1``: a stationary series, ``d = 0``,
        keeps its mean).
        """
        if self.panel.e is not None:
            return False
        if name == "theta":
            return bool(self.theta_weight)
        return bool(self.damped_trend_weight) and self.sp == 1 and self.d == 1

    def member_fits(self, name):
        """The fits of the "theta" or "damped_trend" member on the standardized series."""
        if name not in self._members:
            z = self.panel.series()[0]
            fit_one = partial(fit_theta, sp=self.sp) if name == "theta" else fit_trend_member
            self._members[name] = fit_channels(z, fit_one)
        return self._members[name]

    def series_changed(self):
        """Forget what depends on the series' values (after an update extends them)."""
        self.error_scales, self._members, self._origins = {}, {}, {}

    @property
    def best(self):
        """The best configuration's model (attributes and interval widths)."""
        return self.models[0]

    def solve(self, alpha, strategy):
        """Solve every model at ``alpha`` and choose its strategies."""
        series = self.panel.series()
        self.strategies = [model.solve(alpha).choose_strategies(strategy, *series)
                           for model in self.models]  # fmt: skip
        self.error_scales = {}  # per number of steps: (scale, dof), computed on demand
        self._origins = {}  # per number of steps: in-sample member forecasts and weights

    def add_rows(self):
        """Continue every factor with the rows of the series that grew since their rows
        were last added (also over updates made without ``update_params``)."""
        z, e = self.panel.series()
        grown = {i: n for i, n in enumerate(self.factored_lengths) if len(z[i]) > n}
        for model in self.models:
            model.add_rows(z, e, grown)
        self.factored_lengths = [len(s) for s in z]

    def _exog_future(self, X, n_steps, model, cutoff):
        """``model``'s exogenous feature rows of the next ``n_steps``: (n_series, n, f)."""
        if self.panel.e is None:  # no exogenous data: no time index to build
            return None
        e_all = self.panel.exog_through(X, self.panel.future_index(n_steps, cutoff))
        if e_all is None:
            return None
        return np.stack([model.future_exog_rows(e, n_steps) for e in e_all])

    def future_path(self, X, n_steps, cutoff):
        """Standardized level forecasts (n_series, n_steps, c) after the cutoff.

        The mean of the models' forecasts (forecast combination), damped and shrunk
        toward the drift without a season, averaged with the classical Theta forecast
        of each standardized series and, for a trend without a season, with its
        damped-trend forecast (:meth:`uses`), by the series' member weights
        (:meth:`weights`). A series ending
        ``lag`` steps before the cutoff is forecast ``lag + n_steps`` steps ahead; the
        first ``lag`` steps (before the cutoff) are dropped.
        """
        lags = self.panel.lags
        path = combine_members(self.future_members(X, n_steps + max(lags), cutoff),
                               self.weights(n_steps + max(lags)))  # fmt: skip
        return np.stack([path[i, lag : lag + n_steps] for i, lag in enumerate(lags)])

    def future_members(self, X, n_steps, cutoff):
        """Every member's forecast (len(MEMBERS), n_series, n_steps, c) after each
        series' own end (:func:`._combination.member_paths`; NaN for a member not used).
        """
        z, _ = self.panel.series()
        paths = []
        for model, strategies in zip(self.models, self.strategies, strict=True):
            exog = self._exog_future(X, n_steps, model, cutoff)
            windows, z_last = model.origins_batch(z, [[len(s)] for s in z])
            paths.append(model.forecast(windows, z_last, exog, n_steps, strategies))
        return member_paths(
            self, paths, z, lambda name, length: fitted_paths(self.member_fits(name), length)
        )

    def weights(self, n_steps):
        """Per-series member weights (n_series, 3) of an ``n_steps`` forecast.

        :func:`._combination.in_sample_weights`: the fixed weights of ``theta_weight``
        and ``damped_trend_weight`` moved toward each series' members with the smaller
        in-sample errors up to ``n_steps`` ahead (``weight_prior_origins``); computed
        once per ``n_steps``.
        """
        key = ("weights", *self._origin_key(n_steps))
        if key not in self._origins:
            scored = None if self.weight_prior_origins is None else self.origin_members(n_steps)
            self._origins[key] = in_sample_weights(self, n_steps, scored)
        return self._origins[key]

    def origin_members(self, n_steps):
        """:func:`._combination.origin_members` at ``n_steps``, computed once."""
        key = self._origin_key(n_steps)
        if key not in self._origins:
            self._origins[key] = origin_members(self, n_steps)
        return self._origins[key]

    def _origin_key(self, n_steps):
        """Cache key: ``n_steps`` and the predict-time parameters the members read."""
        return (n_steps, self.damping, self.drift_prior_length, self.theta_weight,
                self.damped_trend_weight, self.weight_prior_origins)  # fmt: skip

    def model_spread(self, steps, X, cutoff):
        """The models' error scales (n_series, len(steps), c) of ``steps`` and the t dof.

        The in-sample ``h``-step error and the estimation error
        (:func:`._intervals.forecast_spread`), times the factor from the final
        forecast's in-sample errors (:func:`._intervals.in_sample_calibration`), before
        the backtest calibration; the dof (n_series, len(steps), 1) per horizon
        (:func:`._intervals.in_sample_dof`).
        """
        lags = self.panel.lags
        n_steps = int(steps.max()) + max(lags)
        z, e = self.panel.series()
        if n_steps not in self.error_scales:
            self.error_scales[n_steps] = error_scale(self.best, z, e, n_steps,
                                                     self.strategies[0])  # fmt: skip
        error, nu = self.error_scales[n_steps]
        exog = self._exog_future(X, n_steps, self.best, cutoff)
        spread = forecast_spread(self.best, z, exog, error)
        key = ("in_sample", n_steps)
        if key not in self.error_scales:
            errors = final_in_sample_errors(self, n_steps)
            self.error_scales[key] = in_sample_calibration(errors, spread)
            self.error_scales[("in_sample_dof", n_steps)] = in_sample_dof(errors, n_steps, nu)
        dof = self.error_scales[("in_sample_dof", n_steps)]
        spread = spread * self.error_scales[key]
        at = [steps - 1 + lag for lag in lags]
        return (np.stack([spread[i, k] for i, k in enumerate(at)]),
                np.stack([dof[k] for k in at])[:, :, None])  # fmt: skip

    def spread(self, steps, X, cutoff):
        """Calibrated error scales (n_series, len(steps), c) of ``steps``, the t dof
        (n_series, len(steps), 1).

        :meth:`model_spread` times the factor of rolling-origin refits
        (:func:`._intervals.backtest_calibration`, computed once per number of steps).
        """
        spread, nu = self.model_spread(steps, X, cutoff)
        n_steps = int(steps.max()) + max(self.panel.lags)
        key = ("calibration", n_steps)
        if key not in self.error_scales:
            # nu None: kept (the in-sample dof per horizon) without an admissible origin.
            self.error_scales[key] = backtest_calibration(self, self.params, n_steps,
                                                          cutoff, None)  # fmt: skip
        kappa, backtest_nu = self.error_scales[key]
        if backtest_nu is not None:
            nu = np.full_like(nu, backtest_nu)
        return spread * kappa, nu
