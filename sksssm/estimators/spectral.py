"""Spectral filtering (STU) estimators."""

from __future__ import annotations

import copy
import functools
import numbers

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    check_option,
    check_positive_int,
    check_sequence_targets,
    check_sequences,
    from_btc,
)
from ..nn import STULayer
from ..spectral import n_stu_features, stu_features, stu_features_last, stu_filters
from ..spectral._ridge import GramAccumulator, RidgeSolution
from ._base import fit_atomically
from ._deep import DEEP_PARAMETERS_DOC, DeepClassifierBase, DeepSequenceMixin

HANKELS = ("Z", "L")
SOLVERS = ("closed_form", "gradient")
#: Memory budget (bytes) for the features of one chunk of samples with chunk_size="auto".
AUTO_CHUNK_BYTES = 256 * 2**20


class SpectralFilterRegressor(DeepSequenceMixin, RegressorMixin, BaseEstimator):
    """Spectral Transform Unit (STU) regressor with an exact closed-form fit.

    Each input channel is convolved causally with the top ``n_filters`` eigenvectors of a
    fixed Hankel matrix (the spectral filters of Agarwal et al., 2023), in a positive and a
    negative (alternating-sign) branch; together with the last ``input_lags`` inputs and,
    optionally, the last ``ar_order`` outputs, these features enter a linear map. Only the
    linear map is learned, so the single-layer STU is convex: ``solver="closed_form"`` fits
    it exactly by ridge regression. The Gram matrices are accumulated over chunks of
    samples, so memory does not grow with the number of samples, and ``partial_fit``
    continues the same accumulation.

    Parameters
    ----------
    n_filters : int, default=24
        Number of spectral filters K. Capped, with a
        :class:`~sksssm.exceptions.SpectralFilterWarning`, at the number the sequence
        length supports (``n_filters_`` holds the value used).
    hankel : {"Z", "L"}, default="Z"
        Hankel matrix whose eigenvectors are the filters: "Z" from the STU paper, "L" its
        alternative from the paper's appendix.
    input_lags : int, default=3
        Number of direct input terms ``u_t, u_{t-1}, ...`` (0 for none).
    use_negative : bool, default=True
        Whether to include the negative branch (filters times ``(-1)^s``), needed for
        systems with negative eigenvalues.
    ar_order : int, default=0
        Output autoregression order (``return_sequences=True`` only): previous outputs
        ``y_{t-1}, ..., y_{t-ar_order}`` are features, teacher-forced in ``fit`` and fed
        back recursively in ``predict``.
    alpha : "auto" or float, default="auto"
        Ridge penalty. "auto" chooses it by generalized cross-validation computed from the
        accumulated Gram matrices (no second pass over the data).
    fit_intercept : bool, default=True
    return_sequences : bool, default=False
        False: one prediction per sequence (the last time step); ``y`` is ``(n_samples,)``
        or ``(n_samples, n_targets)``. True: sequence-to-sequence (system identification);
        ``y`` is ``(n_samples, n_timesteps)`` or ``(n_samples, n_outputs, n_timesteps)``
        and ``predict`` returns the same layout. Predictions are causal either way.
    solver : {"closed_form", "gradient"}, default="closed_form"
        "closed_form": the exact ridge fit described above (uses ``alpha``,
        ``fit_intercept``, ``ar_order``, ``chunk_size``). "gradient": a stack of
        ``n_layers`` STU layers in the shared deep backbone, trained through skorch (uses
        the deep-learning parameters below and ``use_tensordot``).
    chunk_size : int or "auto", default="auto"
        Number of sequences whose features are built at once. "auto" keeps each chunk's
        features under 256 MiB.
    use_tensordot : bool, default=False
        ``solver="gradient"`` only: the cheaper tensordot approximation of the STU layer
        (see :class:`sksssm.nn.STULayer`).
    %(deep_parameters)s
    Attributes
    ----------
    coef_ : ndarray of shape (n_features_stu,) or (n_targets, n_features_stu)
        Weights of the STU features, in the order of :func:`sksssm.spectral.stu_features`
        (positive branch, negative branch, input lags), then autoregressive terms.
    intercept_ : float or ndarray of shape (n_targets,)
    alpha_ : float
        The ridge penalty used.
    n_filters_ : int
        The number of filters used (see ``n_filters``).
    filters_ : ndarray of shape (filter_length, n_filters_)
        The scaled spectral filters; their length is the training sequence length.
    n_features_in_ : int
        ``X.shape[1]``: time steps for 2D X, channels for 3D X.
    net_ : skorch.NeuralNetRegressor
        ``solver="gradient"`` only: the trained network (``history_``, ``device_`` too).

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

    def __init__(
        self,
        n_filters=24,
        *,
        hankel="Z",
        input_lags=3,
        use_negative=True,
        ar_order=0,
        alpha="auto",
        fit_intercept=True,
        return_sequences=False,
        solver="closed_form",
        chunk_size="auto",
        use_tensordot=False,
        d_model=32,
        n_layers=2,
        dropout=0.0,
        norm="layer",
        pooling="last",
        max_epochs=30,
        batch_size=32,
        lr=1e-2,
        weight_decay=0.01,
        optimizer="adamw",
        lr_schedule="cosine",
        warmup_epochs=1,
        early_stopping=False,
        validation_fraction=0.1,
        patience=5,
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.n_filters = n_filters
        self.hankel = hankel
        self.input_lags = input_lags
        self.use_negative = use_negative
        self.ar_order = ar_order
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.return_sequences = return_sequences
        self.solver = solver
        self.chunk_size = chunk_size
        self.use_tensordot = use_tensordot
        self.d_model = d_model
        self.n_layers = n_layers
        self.dropout = dropout
        self.norm = norm
        self.pooling = pooling
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.warmup_epochs = warmup_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------------ public API
    def fit(self, X, y):
        """Fit the STU: exactly by ridge regression, or by gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        y : array-like
            See ``return_sequences`` for the layouts.

        Returns
        -------
        self : SpectralFilterRegressor
        """
        self._validate_hyperparameters()
        if self.solver == "gradient":
            return fit_atomically(self, SpectralFilterRegressor._fit_gradient, X, y)
        return fit_atomically(self, SpectralFilterRegressor._fit_closed_form, X, y, reset=True)

    @available_if(lambda est: est.solver == "closed_form")
    def partial_fit(self, X, y):
        """Add ``(X, y)`` to the accumulated statistics and re-solve exactly.

        The result equals one ``fit`` on all the data passed so far (up to round-off). The
        first call fixes the filters (their length is that call's sequence length).
        Available with ``solver="closed_form"`` (the gradient solver continues training
        with ``warm_start=True`` instead).

        Returns
        -------
        self : SpectralFilterRegressor
        """
        self._validate_hyperparameters()
        first_call = not hasattr(self, "accumulator_")
        return fit_atomically(
            self, SpectralFilterRegressor._fit_closed_form, X, y, reset=first_call
        )

    def predict(self, X):
        """Predict one value per sequence, or a whole output sequence.

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
        if self.solver_ == "gradient":
            return self._predict_regression(X)
        X_btc, _ = check_sequences(self, X, reset=False)
        if self.return_sequences:
            Y = self._predict_sequences(X_btc)
            return from_btc(Y, self.y_ndim_)
        coef, intercept = self._coef_matrix()
        Y = self._last_step_features(X_btc) @ coef.T + intercept
        return Y[:, 0] if self.y_ndim_ == 1 else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------------ fitting
    def _validate_hyperparameters(self):
        check_positive_int(self.n_filters, "n_filters")
        check_option(self.hankel, "hankel", HANKELS)
        check_positive_int(self.input_lags, "input_lags", minimum=0)
        check_positive_int(self.ar_order, "ar_order", minimum=0)
        check_option(self.solver, "solver", SOLVERS)
        if self.ar_order and not self.return_sequences:
            raise ValueError(
                "ar_order > 0 feeds back previous outputs and needs target sequences: set "
                "return_sequences=True, or ar_order=0."
            )
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            if not isinstance(self.alpha, numbers.Real) or not self.alpha >= 0:
                raise ValueError(f'alpha must be "auto" or a float >= 0; got {self.alpha!r}.')
        if not (isinstance(self.chunk_size, str) and self.chunk_size == "auto"):
            check_positive_int(self.chunk_size, "chunk_size")
        if self.solver == "gradient" and self.ar_order:
            raise ValueError(
                'ar_order > 0 is only available with solver="closed_form" (its exact fit '
                "teacher-forces the outputs); set ar_order=0 for the gradient solver."
            )

    def _fit_gradient(self, X, y):
        for name in ("coef_", "intercept_", "alpha_", "accumulator_", "gcv_scores_"):
            self.__dict__.pop(name, None)
        self._fit_deep(X, y)
        self.solver_ = "gradient"

    def _layer_factory(self, n_timesteps):
        # Stacked STU layers share the filters of the training length (cached).
        self.filters_ = stu_filters(n_timesteps, self.n_filters, self.hankel)
        self.n_filters_ = self.filters_.shape[1]
        return stu_layer_factory(self, n_timesteps)

    def _fit_closed_form(self, X, y, *, reset):
        self.__dict__.pop("net_", None)
        self.solver_ = "closed_form"
        X_btc, _ = check_sequences(self, X, reset=reset)
        Y, y_ndim = check_sequence_targets(self, y, X_btc, return_sequences=self.return_sequences)
        if reset:
            self.filters_ = stu_filters(X_btc.shape[1], self.n_filters, self.hankel)
            self.n_filters_ = self.filters_.shape[1]
            self.n_outputs_ = Y.shape[-1]
            self.y_ndim_ = y_ndim
            accumulator = GramAccumulator(self._n_design_columns(X_btc.shape[2]), Y.shape[-1])
        else:
            self._check_consistent_targets(Y, y_ndim)
            # A copy, so that a failure below leaves the fitted estimator untouched.
            accumulator = copy.deepcopy(self.accumulator_)
        for F, Y_rows in self._design_chunks(X_btc, Y):
            accumulator.update(F, Y_rows)
        self.accumulator_ = accumulator
        self._solve()

    def _check_consistent_targets(self, Y, y_ndim):
        if Y.shape[-1] != self.n_outputs_ or y_ndim != self.y_ndim_:
            raise ValueError(
                f"partial_fit got targets with {Y.shape[-1]} outputs (y.ndim={y_ndim}); the "
                f"first call had {self.n_outputs_} (y.ndim={self.y_ndim_}). Pass targets of "
                f"the same layout, or call fit to start again."
            )

    def _solve(self):
        solution = RidgeSolution(self.accumulator_, fit_intercept=self.fit_intercept)
        if isinstance(self.alpha, str):
            self.alpha_, self.gcv_scores_ = solution.best_alpha()
        else:
            self.alpha_ = float(self.alpha)
        coef, intercept = solution.coefficients(self.alpha_)
        single = self.y_ndim_ == 1 or (self.return_sequences and self.n_outputs_ == 1)
        self.coef_ = coef[0] if single else coef
        self.intercept_ = float(intercept[0]) if single else intercept

    def _n_design_columns(self, n_channels):
        n_input = n_stu_features(n_channels, self.n_filters_, self.input_lags, self.use_negative)
        return n_input + self.ar_order * self.n_outputs_

    def _chunk_length(self, X_btc):
        if self.chunk_size != "auto":
            return self.chunk_size
        n_columns = self._n_design_columns(X_btc.shape[2])
        bytes_per_sample = 8 * X_btc.shape[1] * max(n_columns, 1)
        return max(1, AUTO_CHUNK_BYTES // bytes_per_sample)

    def _design_chunks(self, X_btc, Y):
        """Yield ``(F, Y_rows)``: design rows and targets for chunks of sequences."""
        step = self._chunk_length(X_btc)
        for start in range(0, X_btc.shape[0], step):
            U, T = X_btc[start : start + step], Y[start : start + step]
            if not self.return_sequences:
                yield self._last_step_features(U), T
                continue
            F = self._input_features(U)
            if self.ar_order:
                F = np.concatenate([F, autoregressive_features(T, self.ar_order)], axis=2)
            yield F.reshape(-1, F.shape[2]), T.reshape(-1, T.shape[2])

    # ------------------------------------------------------------------ features
    def _input_features(self, U):
        return stu_features(
            U, self.filters_, input_lags=self.input_lags, use_negative=self.use_negative
        )

    def _last_step_features(self, U):
        return stu_features_last(
            U, self.filters_, input_lags=self.input_lags, use_negative=self.use_negative
        )

    def _coef_matrix(self):
        coef = np.atleast_2d(self.coef_)
        intercept = np.atleast_1d(self.intercept_)
        return coef, intercept

    def _predict_sequences(self, X_btc):
        coef, intercept = self._coef_matrix()
        F = self._input_features(X_btc)
        n_input = F.shape[2]
        Y = F @ coef[:, :n_input].T + intercept
        if self.ar_order:
            Y = feed_back_outputs(Y, coef[:, n_input:], self.ar_order)
        return Y


SpectralFilterRegressor.__doc__ = SpectralFilterRegressor.__doc__ % {
    "deep_parameters": DEEP_PARAMETERS_DOC.strip()
}


def stu_layer_factory(estimator, n_timesteps):
    """``d_model -> STULayer`` for an estimator's hyper-parameters and training length."""
    return functools.partial(
        STULayer,
        filter_length=n_timesteps,
        n_filters=estimator.n_filters_,
        hankel=estimator.hankel,
        input_lags=estimator.input_lags,
        use_negative=estimator.use_negative,
        use_tensordot=estimator.use_tensordot,
        init="normal",
    )


class SpectralFilterClassifier(DeepClassifierBase):
    """Sequence classifier on a stack of Spectral Transform Unit (STU) layers.

    Each layer convolves its inputs with fixed spectral filters (the top eigenvectors of a
    Hankel matrix, Agarwal et al., 2023) and learns only the mixing matrices; the layers
    sit in the shared deep backbone (encoder, residual blocks with GLU, pooling over time,
    linear head) and are trained through skorch.

    Parameters
    ----------
    n_filters : int, default=24
        Number of spectral filters per layer, capped at what the training length supports.
    hankel : {"Z", "L"}, default="Z"
    input_lags : int, default=3
    use_negative : bool, default=True
    use_tensordot : bool, default=False
        The cheaper tensordot approximation (see :class:`sksssm.nn.STULayer`).
    %(deep_parameters)s
    Attributes
    ----------
    classes_ : ndarray
        The class labels (any type; strings included).
    net_ : skorch.NeuralNetClassifier
    history_ : skorch.History
    device_ : torch.device
    n_filters_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import SpectralFilterClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 1, 32)
    >>> X = np.r_[np.sin(8 * t) + 0.1 * rng.normal(size=(20, 32)),
    ...           np.cos(8 * t) + 0.1 * rng.normal(size=(20, 32))]
    >>> y = np.repeat(["sin", "cos"], 20)
    >>> clf = SpectralFilterClassifier(n_filters=8, max_epochs=20, random_state=0).fit(X, y)
    >>> float(clf.score(X, y))
    1.0
    """

    _is_classifier = True

    def __init__(
        self,
        n_filters=24,
        *,
        hankel="Z",
        input_lags=3,
        use_negative=True,
        use_tensordot=False,
        d_model=32,
        n_layers=2,
        dropout=0.0,
        norm="layer",
        pooling="mean",
        max_epochs=30,
        batch_size=32,
        lr=1e-2,
        weight_decay=0.01,
        optimizer="adamw",
        lr_schedule="cosine",
        warmup_epochs=1,
        early_stopping=False,
        validation_fraction=0.1,
        patience=5,
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.n_filters = n_filters
        self.hankel = hankel
        self.input_lags = input_lags
        self.use_negative = use_negative
        self.use_tensordot = use_tensordot
        self.d_model = d_model
        self.n_layers = n_layers
        self.dropout = dropout
        self.norm = norm
        self.pooling = pooling
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.warmup_epochs = warmup_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def _check_layer_hyperparameters(self):
        check_positive_int(self.n_filters, "n_filters")
        check_option(self.hankel, "hankel", HANKELS)
        check_positive_int(self.input_lags, "input_lags", minimum=0)

    def _layer_factory(self, n_timesteps):
        self.filters_ = stu_filters(n_timesteps, self.n_filters, self.hankel)
        self.n_filters_ = self.filters_.shape[1]
        return stu_layer_factory(self, n_timesteps)


SpectralFilterClassifier.__doc__ = SpectralFilterClassifier.__doc__ % {
    "deep_parameters": DEEP_PARAMETERS_DOC.strip()
}


def autoregressive_features(Y, order):
    """Past outputs ``[y_{t-1}, ..., y_{t-order}]`` (zero before the start).

    Parameters
    ----------
    Y : ndarray of shape (n, t, c_out)
    order : int

    Returns
    -------
    ndarray of shape (n, t, order * c_out), lag-major.

    Examples
    --------
    >>> import numpy as np
    >>> autoregressive_features(np.arange(4.0).reshape(1, 4, 1), 2)[0, :, :].tolist()
    [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 1.0]]
    """
    n, t, c = Y.shape
    out = np.zeros((n, t, order * c))
    for lag in range(1, order + 1):
        out[:, lag:, (lag - 1) * c : lag * c] = Y[:, : t - lag, :]
    return out


def feed_back_outputs(Y_input, ar_coef, order):
    """Run the output recursion ``y_t = Y_input_t + sum_i A_i y_{t-i}`` over time.

    ``Y_input`` (n, t, c_out) holds the input-driven part of each prediction; ``ar_coef``
    (c_out, order * c_out) the autoregressive weights in the layout of
    :func:`autoregressive_features`. This is the recursive counterpart of the teacher
    forcing used in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> y = feed_back_outputs(np.ones((1, 4, 1)), np.array([[0.5]]), 1)
    >>> y[0, :, 0].tolist()
    [1.0, 1.5, 1.75, 1.875]
    """
    n, t, c = Y_input.shape
    Y = Y_input.copy()
    for step in range(t):
        for lag in range(1, min(order, step) + 1):
            Y[:, step] += Y[:, step - lag] @ ar_coef[:, (lag - 1) * c : lag * c].T
    return Y
