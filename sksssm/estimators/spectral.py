"""The closed-form spectral filtering (STU) regressor."""

from __future__ import annotations

import copy
from functools import partial
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    HANKEL_KINDS,
    IntegerInterval,
    check_sequence_targets,
    check_sequences,
    from_btc,
)
from ..spectral import (
    QRAccumulator,
    SpectralDesign,
    accumulate_chunks,
    solve,
    stu_filters,
)
from ..spectral._dask import accumulate_dask, check_dask_inputs, is_dask_collection
from ..spectral._design import check_ar_order
from ._base import SequenceScoreMixin, fit_atomically
from ._channel_scaling import _check_normal_scale, _dask_scales, _stand_in, channel_scale
from ._regressor_rows import BlockRows, DesignRows

#: Memory budget (bytes) of one chunk of sequences with ``chunk_size="auto"``: the FFT
#: intermediates and the design block of the chunk (see ``SpectralDesign.bytes_per_sequence``).
AUTO_CHUNK_BYTES = 256 * 2**20
#: Direct input lags without output autoregression (``input_lags="auto"``, ``ar_order=0``).
DEFAULT_INPUT_LAGS = 3


def resolve_input_lags(input_lags, ar_order):
    """The number of direct input lags used: ``input_lags``, or the "auto" rule.

    "auto" is ``max(3, ar_order + 1)``: with ``ar_order = p`` the design then contains
    every ARX(p, p) model ``y_t = sum_{i=1}^p a_i y_{t-i} + sum_{j=0}^p b_j u_{t-j}``,
    which an order-``p`` linear system satisfies exactly (Cayley-Hamilton); fewer input
    lags leave the spectral filters to approximate the missing ``b_j``, which they
    cannot do exactly.

    Examples
    --------
    >>> resolve_input_lags("auto", 0), resolve_input_lags("auto", 16), resolve_input_lags(1, 16)
    (3, 17, 1)
    """
    if isinstance(input_lags, str):
        return max(DEFAULT_INPUT_LAGS, ar_order + 1)
    return int(input_lags)


class SpectralFilterRegressor(SequenceScoreMixin, RegressorMixin, BaseEstimator):
    """Spectral Transform Unit (STU) regressor with an exact closed-form fit.

    Each input channel is convolved causally with the top ``n_filters`` eigenvectors of a
    fixed Hankel matrix (the spectral filters of Agarwal et al., 2023), in a positive and a
    negative (alternating-sign) branch; together with the last ``input_lags`` inputs and,
    optionally, the last ``ar_order`` outputs, these features enter a linear map. Only the
    linear map is learned, so the single-layer STU is convex and is fitted exactly by ridge
    regression: the triangular factor of the design is accumulated by streaming QR over
    chunks of sequences (never the normal equations, which square the condition number),
    the penalty is chosen by generalized cross-validation from the same factor, and
    ``partial_fit`` (or a Dask array, see the user guide) continues the same factor. The
    model of :class:`~sksssm.spectral.SpectralDesign`. For the gradient-trained, stacked
    STU network see :class:`~sksssm.STURegressor`.

    Parameters
    ----------
    n_filters : int, default=24
        Number of spectral filters K. Capped, with a
        :class:`~sksssm.exceptions.SpectralFilterWarning`, at the number the sequence
        length supports (``n_filters_`` holds the value used).
    hankel : {"Z", "L"}, default="Z"
        Hankel matrix whose eigenvectors are the filters: "Z" from the STU paper, "L" its
        alternative from the paper's appendix.
    input_lags : int or "auto", default="auto"
        Number of direct input terms ``u_t, u_{t-1}, ...`` (0 for none). "auto":
        ``max(3, ar_order + 1)``, so that with output autoregression the model contains
        the ARX structure that makes an order-``ar_order`` linear system exact.
    use_negative : bool, default=True
        Whether to include the negative branch (filters times ``(-1)^s``), needed for
        systems with negative eigenvalues.
    ar_order : int, default=0
        Output autoregression order (``return_sequences=True`` only): previous outputs
        ``y_{t-1}, ..., y_{t-ar_order}`` are features, teacher-forced in ``fit`` and fed
        back recursively (free run) in ``predict``. Must be below the sequence length.
    alpha : "auto" or float >= 0, default="auto"
        Ridge penalty on standardized features (0: least squares). "auto" chooses it by
        generalized cross-validation (no second pass over the data).
    fit_intercept : bool, default=True
    return_sequences : bool, default=False
        False: one prediction per sequence, from the STU features of the last time step (a
        linear functional of the whole causal past: the model of sktime's
        ``make_reduction`` windows, and of a linear system's output at the end); ``y`` is
        ``(n_samples,)`` or ``(n_samples, n_targets)``. For targets that depend on the
        shape of a series rather than linearly on its past, use
        :class:`~sksssm.SpectralFilterSequenceRegressor`. True: sequence-to-sequence
        (system identification); ``y`` is ``(n_samples, n_timesteps)`` or
        ``(n_samples, n_outputs, n_timesteps)`` and ``predict`` returns the same layout.
        Predictions are causal either way.
    chunk_size : int or "auto", default="auto"
        Number of sequences featurized at once (in ``fit``, ``partial_fit`` and
        ``predict``). "auto" keeps each chunk's working memory (FFT intermediates and
        design block) under 256 MiB.

    Attributes
    ----------
    coef_ : ndarray of shape (n_columns,) or (n_targets, n_columns)
        Weights, in original units, of the columns of
        :meth:`SpectralDesign.sequence_rows <sksssm.spectral.SpectralDesign.sequence_rows>`:
        positive branch, negative branch, input lags, then autoregressive terms.
    intercept_ : float or ndarray of shape (n_targets,)
    alpha_ : float
        The ridge penalty used.
    gcv_scores_ : ndarray or None
        GCV score of each candidate penalty (``alpha="auto"``).
    n_filters_ : int
        The number of filters used (see ``n_filters``).
    input_lags_ : int
        The number of input lags used (see ``input_lags``).
    filters_ : ndarray of shape (filter_length, n_filters_)
        The scaled spectral filters; their length is the training sequence length (of
        the first ``partial_fit`` call).
    design_ : SpectralDesign
        The fitted feature map (filters, lags, autoregression order).
    rows_ : DesignRows
        The regression rows of the design (the sequence targets' or the last step's).
    n_features_in_ : int
        ``X.shape[1]``: time steps for 2D X, channels for 3D X.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import SpectralFilterRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 64))
    >>> y = X @ 0.9 ** np.arange(64)[::-1]  # a decaying linear memory of the inputs
    >>> reg = SpectralFilterRegressor(n_filters=16).fit(X, y)
    >>> bool(reg.score(X, y) > 0.999)
    True
    """

    _parameter_constraints: dict = {
        "n_filters": [IntegerInterval(1)],
        "hankel": [StrOptions(set(HANKEL_KINDS))],
        "input_lags": [IntegerInterval(0), StrOptions({"auto"})],
        "use_negative": ["boolean"],
        "ar_order": [IntegerInterval(0)],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "fit_intercept": ["boolean"],
        "return_sequences": ["boolean"],
        "chunk_size": [IntegerInterval(1), StrOptions({"auto"})],
    }

    def __init__(
        self,
        n_filters=24,
        *,
        hankel="Z",
        input_lags="auto",
        use_negative=True,
        ar_order=0,
        alpha="auto",
        fit_intercept=True,
        return_sequences=False,
        chunk_size="auto",
    ):
        self.n_filters = n_filters
        self.hankel = hankel
        self.input_lags = input_lags
        self.use_negative = use_negative
        self.ar_order = ar_order
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.return_sequences = return_sequences
        self.chunk_size = chunk_size

    # ------------------------------------------------------------------ public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the STU exactly by ridge regression.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        y : array-like
            See ``return_sequences`` for the layouts.

        Returns
        -------
        self : SpectralFilterRegressor
        """
        return fit_atomically(self, SpectralFilterRegressor._fit, X, y, first_call=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """Add ``(X, y)`` to the accumulated factor and re-solve exactly.

        The result equals one ``fit`` on all the data passed so far (up to round-off). The
        first call fixes the configuration: the filters (their length is that call's
        sequence length), the lags, and the scaling; later calls must pass data of the
        same layout and keep the same hyper-parameters (call ``fit`` to start again).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
            A chunk of training sequences, in the layout of the first call (2D X: the
            same number of time steps).
        y : array-like
            Its targets, in the layout of the first call (see ``return_sequences``).

        Returns
        -------
        self : SpectralFilterRegressor
        """
        first_call = not hasattr(self, "accumulator_")
        return fit_atomically(self, SpectralFilterRegressor._fit, X, y, first_call=first_call)

    def predict(self, X):
        """Predict one value per sequence, or a whole output sequence (free run).

        Uses the configuration stored at fit time (``set_params`` after ``fit`` has no
        effect until the next ``fit``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
            For 3D X the length may differ from the training length.

        Returns
        -------
        y_pred : ndarray
            The layout of the ``y`` passed to ``fit``.
        """
        check_is_fitted(self)
        X_btc = self._check_predict_input(X)
        coef, intercept = np.atleast_2d(self.coef_), np.atleast_1d(self.intercept_)
        if self.return_sequences_:
            # in chunks of sequences, the fit's memory budget: the (n, t, features) design
            # of every sequence at once took about 170 times the input's memory
            step = self._chunk_length(X_btc.shape[1])
            parts = [
                self.design_.predict_sequences(X_btc[start : start + step], coef, intercept)
                for start in range(0, len(X_btc), step)  # check_sequences: n >= 1
            ]
            return from_btc(np.concatenate(parts), self.y_ndim_)
        Y = self.rows_.features(X_btc) @ coef.T + intercept
        return Y[:, 0] if self.y_ndim_ == 1 else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------------ fitting
    def _fit(self, X, y, *, first_call):
        on_dask = is_dask_collection(X) or is_dask_collection(y)
        if on_dask:
            X, y = check_dask_inputs(X, y)
            # Validate shapes on zero-memory stand-ins; the data stay on the workers.
            X_btc, X_ndim = check_sequences(self, _stand_in(X), reset=first_call)
            Y, y_ndim = check_sequence_targets(
                self, _stand_in(y), X_btc, return_sequences=self._return_sequences(first_call)
            )
        else:
            X_btc, X_ndim = check_sequences(self, X, reset=first_call)
            Y, y_ndim = check_sequence_targets(
                self, y, X_btc, return_sequences=self._return_sequences(first_call)
            )
        if first_call:
            if on_dask:
                scales = _dask_scales(X, y, self.return_sequences)
            else:
                scales = channel_scale(X_btc), channel_scale(Y)
            self._configure(X_btc, Y, X_ndim, y_ndim, scales)
            accumulator = QRAccumulator(self.rows_.n_columns, self.n_outputs_)
        else:
            self._check_same_configuration(X_ndim)
            self._check_consistent_targets(Y, y_ndim)
            # A copy, so that a failure below leaves the fitted estimator untouched.
            accumulator = copy.deepcopy(self.accumulator_)
        if on_dask:
            width = (accumulator.n_features, accumulator.n_targets)
            block_rows = BlockRows(self.rows_, self.x_scale_, self.y_scale_)
            block_factor = accumulate_dask(
                X,
                y,
                block_rows,
                partial(QRAccumulator, *width),
                samples_per_call=self._chunk_length(X_btc.shape[1]),  # the same memory budget
            )
            accumulator.merge(block_factor)
        else:
            accumulate_chunks(
                self.rows_,
                X_btc,
                Y,
                accumulator,
                chunk_length=self._chunk_length(X_btc.shape[1]),
                scales=(self.x_scale_, self.y_scale_),
            )
        self.accumulator_ = accumulator
        self._solve()

    def _return_sequences(self, first_call):
        return self.return_sequences if first_call else self.return_sequences_

    def _configure(self, X_btc, Y, X_ndim, y_ndim, scales):
        """Fix everything ``predict`` and ``partial_fit`` rely on (first call only)."""
        n_timesteps = X_btc.shape[1]
        if self.ar_order and not self.return_sequences:
            raise ValueError(
                "ar_order > 0 feeds back previous outputs and needs target sequences: set "
                "return_sequences=True, or ar_order=0."
            )
        check_ar_order(self.ar_order, n_timesteps)
        self.fitted_params_ = self.get_params()
        self.return_sequences_ = bool(self.return_sequences)
        self.X_ndim_, self.y_ndim_ = X_ndim, y_ndim
        self.n_outputs_ = Y.shape[-1]
        self.n_channels_ = X_btc.shape[2]
        self.x_scale_, self.y_scale_ = scales
        _check_normal_scale(self.x_scale_, "X")
        _check_normal_scale(self.y_scale_, "y")
        self.filters_ = stu_filters(n_timesteps, self.n_filters, self.hankel)
        self.n_filters_ = self.filters_.shape[1]
        self.input_lags_ = resolve_input_lags(self.input_lags, self.ar_order)
        self.design_ = SpectralDesign(
            self.filters_, self.input_lags_, bool(self.use_negative), int(self.ar_order)
        )
        self.rows_ = DesignRows(
            self.design_, self.return_sequences_, self.n_channels_, self.n_outputs_
        )

    def _check_same_configuration(self, X_ndim):
        # alpha, fit_intercept and chunk_size do not enter the accumulated factor.
        free = {"alpha", "fit_intercept", "chunk_size"}
        changed = [
            name
            for name, value in self.get_params().items()
            if name not in free and value != self.fitted_params_[name]
        ]
        if changed:
            raise ValueError(
                f"partial_fit continues the model of the first call, but {changed} changed "
                f"since (set_params). Call fit to start again with the new values."
            )
        if X_ndim != self.X_ndim_:
            raise ValueError(
                f"partial_fit got {X_ndim}D X; the first call had {self.X_ndim_}D X. Pass "
                f"the same layout, or call fit to start again."
            )

    def _check_consistent_targets(self, Y, y_ndim):
        if Y.shape[-1] != self.n_outputs_ or y_ndim != self.y_ndim_:
            raise ValueError(
                f"partial_fit got targets with {Y.shape[-1]} outputs (y.ndim={y_ndim}); the "
                f"first call had {self.n_outputs_} (y.ndim={self.y_ndim_}). Pass targets of "
                f"the same layout, or call fit to start again."
            )

    def _solve(self):
        coef, intercept, self.alpha_, self.gcv_scores_ = solve(
            self.accumulator_,
            alpha=self.alpha,
            fit_intercept=self.fit_intercept,
        )
        coef, intercept = self._to_original_units(coef, intercept)
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
            raise ValueError(
                f"the model's coefficients in the units of X and y overflow float64 (largest "
                f"magnitude per channel: X {self.x_scale_.tolist()}, y "
                f"{self.y_scale_.tolist()}); rescale X or y towards 1 (e.g. multiply X by "
                f"1e100) and fit again."
            )
        single = self.y_ndim_ == 1 or (self.return_sequences_ and self.n_outputs_ == 1)
        self.coef_ = coef[0] if single else coef
        self.intercept_ = float(intercept[0]) if single else intercept

    def _to_original_units(self, coef, intercept):
        """Weights for unscaled data (the fit saw ``X / x_scale_`` and ``Y / y_scale_``)."""
        n_channels, n_outputs = self.n_channels_, self.n_outputs_
        n_input = self.design_.n_columns(n_channels, n_outputs) - self.design_.ar_order * n_outputs
        n_branches = (n_input // n_channels - self.input_lags_) // self.n_filters_
        channels = np.arange(n_channels)
        spectral_channel = np.tile(np.repeat(channels, self.n_filters_), n_branches)
        lag_channel = np.repeat(channels, self.input_lags_)
        input_channel = np.concatenate([spectral_channel, lag_channel])
        ar_output = np.tile(np.arange(n_outputs), self.design_.ar_order)
        column_scale = np.concatenate([self.x_scale_[input_channel], self.y_scale_[ar_output]])
        coef = coef * self.y_scale_[:, None] / column_scale
        return coef, intercept * self.y_scale_

    def _chunk_length(self, n_timesteps):
        if self.chunk_size != "auto":
            return int(self.chunk_size)
        return max(1, AUTO_CHUNK_BYTES // max(self.rows_.bytes_per_sequence(n_timesteps), 1))

    def _check_predict_input(self, X):
        X_btc, _ = check_sequences(self, X, reset=False, fitted_ndim=self.X_ndim_)
        return X_btc
