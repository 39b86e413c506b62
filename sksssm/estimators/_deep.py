"""The shared skorch base of every deep sequence estimator.

Composition, not subclassing: a public estimator stores only its hyper-parameters; ``fit``
builds a :class:`~sksssm.nn.SequenceModel` (with the estimator's own sequence layer) and a
skorch ``NeuralNetRegressor`` / ``NeuralNetClassifier`` around it into ``net_``.

- :class:`DeepSequenceMixin` holds what every deep estimator shares: parameter
  constraints, the training budget, scaling of the inputs, the learning-rate schedule,
  warm starts, divergence checks and prediction.
- :class:`DeepRegressorBase` and :class:`DeepClassifierBase` hold what differs: targets
  (standardized values or encoded labels), the loss, the output layer, stratification.

The shared hyper-parameters (documentation, constraints, callback and device checks) live
in :mod:`._deep_parameters`, the training schedule and divergence checks in
:mod:`._deep_training`, saving and loading in :mod:`._deep_persistence`.

Training budget (``max_epochs="auto"``)
    Training is counted in optimizer steps, not epochs, so that small data sets get
    enough updates and large ones a bounded time:
    ``n_steps = clip(2**23 / (batch_size * n_timesteps), 200, 600)`` (a budget of about
    8.4 million time steps processed, at least 200 and at most 600 steps), and
    ``max_epochs_ = max(1, ceil(n_steps / batches_per_epoch))``. ``n_timesteps`` is the
    mean length of the series, NaN end padding excluded. The learning rate
    follows a linear warm-up and a cosine decay over the steps of *this* ``fit`` call.

Unequal lengths (NaN padding)
    ``X`` may hold series of different lengths, each padded with NaN at its end (every
    channel NaN from the series' length on: :func:`sksssm.sktime.to_padded_numpy3d`'s
    layout). The standardization statistics ignore the padding, the network feeds the
    padded steps to its layers as zeros and pools over each series' valid steps (see
    :class:`~sksssm.nn.SequenceModel`). A NaN *inside* a series (a missing step) is
    refused with a ``ValueError`` (:func:`sksssm.spectral.sequence_lengths`, the rule
    every sksssm estimator uses): fill or interpolate missing steps first. With
    ``return_sequences=True`` the targets are padded exactly like ``X`` (NaN at the padded
    steps, finite elsewhere); the loss ignores the padded steps and ``predict`` returns
    NaN there.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils.validation import check_is_fitted, check_random_state
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import EarlyStopping, ProgressBar
from skorch.dataset import ValidSplit

from .._validation import (
    check_class_labels,
    check_sequence_targets,
    check_sequences,
    from_btc,
    standardization,
)
from ..exceptions import TrainingDivergedError
from ..nn import SequenceModel, draw_seed
from ..nn.backbone import make_generator
from ..spectral import sequence_lengths
from ._base import SequenceScoreMixin, fit_atomically
from ._channel_scaling import centre_and_scale
from ._deep_parameters import (
    OPTIMIZERS,
    TRAINING_PARAMETERS,
    check_callbacks,
    resolve_device,
)
from ._deep_persistence import DeepPersistenceMixin
from ._deep_training import (
    AUTO_MIN_VALIDATION,
    PaddedMSELoss,
    StepSchedule,
    StopOnNonFiniteLoss,
    auto_steps,
    check_trained,
    n_validation,
    validation_split_problem,
)


def _lengths_naming_the_offender(X_btc):
    """:func:`~sksssm.spectral.sequence_lengths`, whose errors also name the first series
    that breaks its rule (a NaN inside a series, too short, infinite values).

    The rule stays in one place: on an error each series is checked alone, which costs
    nothing on valid input.
    """
    try:
        return sequence_lengths(X_btc)
    except ValueError as error:
        for index in range(X_btc.shape[0]):
            try:
                sequence_lengths(X_btc[index : index + 1])
            except ValueError:
                raise ValueError(f"{error} The first offending series is X[{index}].") from None
        raise


class DeepSequenceMixin(DeepPersistenceMixin):
    """Training and prediction through skorch, shared by every deep estimator.

    Subclasses define ``_layer_factory(self, n_timesteps)`` (returning
    ``layer_factory(d_model, random_state=seed) -> nn.Module``), optionally ``_ssm_lr()``
    (the learning rate of parameters named ``ssm_*``), ``_skip_path(d_input, d_output,
    n_timesteps)`` (a factory ``random_state -> module`` of a linear input-to-output path,
    or None) and ``_check_layer_hyperparameters()`` (checks across parameters that
    ``_parameter_constraints`` cannot express). The regressor and classifier bases define
    the target handling (``_prepare_targets``, ``_n_net_outputs``, ``_net_class``,
    ``_criterion``, ``_stratify``, ``_sequence_outputs``).
    """

    #: NaN-padded unequal-length series are accepted (read by the sktime adapters). The
    #: scikit-learn tag ``allow_nan`` stays False: NaN is end padding, not a missing value
    #: anywhere (scikit-learn's checks would put one inside a series).
    _sksssm_unequal_length = True

    # ------------------------------------------------------------------ fit
    def _fit_deep(self, X, y):
        self._check_layer_hyperparameters()
        check_callbacks(self.callbacks)
        device = resolve_device(self.device)
        continue_training = self.warm_start and hasattr(self, "net_")
        if continue_training:
            self._check_same_model()
        X_btc, ndim, valid = self._check_padded_sequences(X, reset=not continue_training)
        # warm_start continues with the scaling (and classes) the net was trained with.
        targets = self._prepare_targets(y, X_btc, valid, refit=not continue_training)
        if not continue_training:
            # Statistics of the valid steps only: padding is no data.
            self.input_scaling_ = self.input_scaling
            self.x_mean_, self.x_scale_ = standardization(
                self._each_series(X_btc, valid)[valid], axis=0
            )
            self.x_ndim_, self.n_channels_ = ndim, X_btc.shape[2]
            # The length the layers are built for (STU filters); kept by warm starts.
            self.n_timesteps_ = X_btc.shape[1]
            self.bidirectional_ = self._resolve_bidirectional()
        X_scaled = self._scale_inputs(X_btc, valid)  # refuses a float64 overflow
        with np.errstate(over="ignore"):
            X_t = X_scaled.astype(np.float32)
        if np.isinf(X_t).any():  # NaN marks the padding, and only the padding
            raise ValueError(
                "X, scaled by the statistics of the first fit (warm_start), exceeds the "
                "float32 range the network trains in. Pass X on the scale of the first fit, "
                "or set warm_start=False to refit the scaling."
            )
        seed = _seed_from(self.random_state)
        early_stopping = self._resolve_early_stopping(X_btc.shape[0], targets)
        n_train = X_btc.shape[0] - (
            n_validation(X_btc.shape[0], self.validation_fraction) if early_stopping else 0
        )
        # The budget counts the steps of data, not the padding: the mean true length.
        max_epochs = self._resolve_max_epochs(n_train, _mean_length(valid))
        net = self._build_net(device, seed, max_epochs, n_train, early_stopping)
        net.initialize()
        if continue_training:
            # A new net around a copy of the fitted weights: the fitted net_ is never
            # trained in place, so a failed fit cannot change it.
            net.module_.load_state_dict(self.net_.module_.state_dict())
            net.history = copy.deepcopy(self.net_.history)
        net.partial_fit(X_t, targets)
        check_trained(net, X_t[:256])
        self.net_ = net
        self.device_ = device
        self.max_epochs_ = max_epochs
        self.early_stopping_ = early_stopping
        self.history_ = net.history
        self.n_epochs_ = len(net.history)
        # Those in effect: a warm-started fit may have changed the training parameters
        # (_check_same_model has kept the others), and save_params writes these.
        self.model_hyperparameters_ = self._model_hyperparameters()
        return self

    def _check_same_model(self):
        """A warm start continues the fitted model: only training parameters may change."""
        fitted = self.model_hyperparameters_
        changed = self._changed_hyperparameters(fitted, ignore=TRAINING_PARAMETERS)
        if changed:
            was = ", ".join(f"{k}={fitted.get(k)!r}" for k in changed)
            now = ", ".join(f"{k}={getattr(self, k)!r}" for k in changed)
            raise ValueError(
                f"warm_start=True continues the fitted model, built with {was}, but this "
                f"{type(self).__name__} has {now}. Set warm_start=False to train a new "
                f"model, or set them back: only the training parameters "
                f"({', '.join(TRAINING_PARAMETERS)}) may change between warm-started fits."
            )

    def _check_padded_sequences(self, X, *, reset):
        """``(X_btc, ndim, valid)``: validated ``X`` and its ``(n, t)`` mask of valid steps.

        NaN is accepted as end padding only (:func:`sksssm.spectral.sequence_lengths`).
        """
        # Not reset: X must have the layout of the fit (2D or 3D, and its channels).
        fitted_ndim = None if reset else self.x_ndim_
        X_btc, ndim = check_sequences(
            self, X, reset=reset, allow_nan=True, fitted_ndim=fitted_ndim
        )
        lengths = _lengths_naming_the_offender(X_btc)
        return X_btc, ndim, np.arange(X_btc.shape[1]) < lengths[:, np.newaxis]

    def _resolve_bidirectional(self):
        if self.bidirectional == "auto":
            return not self._sequence_outputs()
        return bool(self.bidirectional)

    def _resolve_early_stopping(self, n_samples, targets):
        problem = validation_split_problem(
            n_samples,
            self.validation_fraction,
            self.classes_ if self._stratify else None,
            targets,
        )
        if self.early_stopping != "auto":
            if self.early_stopping and problem:
                raise ValueError(
                    f"early_stopping=True holds out validation_fraction="
                    f"{self.validation_fraction} of the {n_samples} samples, but {problem}. "
                    f"Change validation_fraction, pass more samples, or set "
                    f"early_stopping=False."
                )
            return bool(self.early_stopping)
        if problem or n_validation(n_samples, self.validation_fraction) < AUTO_MIN_VALIDATION:
            return False
        if self._stratify:  # every class at least 1 / validation_fraction samples
            counts = np.bincount(targets)
            return bool(counts[counts > 0].min() * self.validation_fraction >= 1)
        return True

    def _resolve_max_epochs(self, n_train, n_timesteps):
        if self.max_epochs != "auto":
            return int(self.max_epochs)
        n_batches = math.ceil(n_train / self.batch_size)
        return max(1, math.ceil(auto_steps(self.batch_size, n_timesteps) / n_batches))

    def _scale_inputs(self, X_btc, valid):
        """``X_btc`` standardized as the training series were; ``ValueError`` where finite
        values overflow float64 doing so (:func:`~._channel_scaling.centre_and_scale`)."""
        with np.errstate(over="ignore"):  # an overflow is refused by centre_and_scale
            each = self._each_series(X_btc, valid)
        return centre_and_scale(each, self.x_mean_, self.x_scale_)

    def _each_series(self, X_btc, valid):
        """``X_btc`` with ``input_scaling_="series"`` applied (as given for "channel")."""
        if self.input_scaling_ == "channel":
            return X_btc
        return standardize_each_series(X_btc, valid)

    def _skip_path(self, d_input, d_output, n_timesteps):
        return None

    def _build_net(self, device, seed, max_epochs, n_train, early_stopping):
        """The skorch net; every random draw (weights, dropout, shuffling, validation
        split) comes from generators seeded by ``seed``, never from torch's global RNG."""
        generator = make_generator(seed)
        n_outputs = self._n_net_outputs()
        layer_factory = self._layer_factory(self.n_timesteps_)
        skip = self._skip_path(self.n_channels_, n_outputs, self.n_timesteps_)
        module = SequenceModel(
            self.n_channels_,
            n_outputs,
            _seeded(layer_factory, generator),
            d_model=self.d_model,
            n_layers=self.n_layers,
            dropout=self.dropout,
            norm=self.norm,
            pooling=None if self._sequence_outputs() else self.pooling,
            bidirectional=self.bidirectional_,
            skip=None if skip is None else skip(random_state=draw_seed(generator)),
            generator=generator,
        )
        train_split = None
        if early_stopping:
            train_split = ValidSplit(
                self.validation_fraction, stratified=self._stratify, random_state=seed
            )
        n_steps = max_epochs * math.ceil(n_train / self.batch_size)
        return self._net_class(
            module=module,
            criterion=self._criterion,
            optimizer=OPTIMIZERS[self.optimizer],
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            optimizer__param_groups=self._param_groups(),
            max_epochs=max_epochs,
            # torch's BatchSampler refuses numpy integers (GridSearchCV over np.array([16, 32])).
            batch_size=int(self.batch_size),
            iterator_train__shuffle=True,
            # The loaders draw their shuffles (and a base seed) from these, not the global RNG.
            iterator_train__generator=make_generator(draw_seed(generator)),
            iterator_valid__generator=make_generator(draw_seed(generator)),
            train_split=train_split,
            callbacks=self._callbacks(n_steps, n_train, early_stopping),
            device=str(device),
            verbose=int(self.verbose >= 1),
            warm_start=False,
        )

    def _param_groups(self):
        ssm_lr = self._ssm_lr()
        if ssm_lr is None:
            return []
        return [("*ssm_*", {"lr": ssm_lr, "weight_decay": 0.0})]

    def _ssm_lr(self):
        return None

    def _callbacks(self, n_steps, n_train, early_stopping):
        callbacks = [("stop_on_non_finite_loss", StopOnNonFiniteLoss())]
        warmup = min(self.warmup_epochs * math.ceil(n_train / self.batch_size), n_steps // 10)
        callbacks.append(
            ("lr_schedule", StepSchedule(n_steps, warmup, cosine=self.lr_schedule == "cosine"))
        )
        if early_stopping:
            callbacks.append(
                ("early_stopping", EarlyStopping(patience=self.patience, load_best=True))
            )
        if self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        return callbacks + check_callbacks(self.callbacks)

    def _check_layer_hyperparameters(self):
        """Checks across hyper-parameters (single values: ``_parameter_constraints``)."""

    # ------------------------------------------------------------------ predict
    def _forward(self, X):
        """Network outputs for ``X`` (float64 numpy), computed batch by batch, and the
        ``(n, t)`` mask of valid (not padded) steps of ``X``.

        Training runs in float32; inference runs on a float64 copy of the trained network,
        so a prediction does not depend on which other samples share its batch (float32
        matrix kernels round differently for different batch sizes).
        """
        check_is_fitted(self, "net_")
        X_btc, _, valid = self._check_padded_sequences(X, reset=False)
        X_scaled = self._scale_inputs(X_btc, valid)
        module = copy.deepcopy(self.net_.module_).to(torch.float64).eval()
        # The parameters' device, not device_: a CUDA model unpickled on a CPU-only
        # machine has been moved to the CPU by skorch.
        device = next(module.parameters()).device
        outputs = []
        with torch.no_grad():
            for start in range(0, len(X_scaled), self.net_.batch_size):
                batch = torch.from_numpy(X_scaled[start : start + self.net_.batch_size])
                outputs.append(module(batch.to(device)).cpu())
        out = torch.cat(outputs).numpy()
        if not np.isfinite(out).all():
            raise TrainingDivergedError(
                f"{type(self).__name__} produced non-finite outputs for this X: the trained "
                f"weights or these inputs are out of range. Refit with a lower learning rate "
                f"(lr={self.lr}) or pass inputs on the scale of the training data."
            )
        return out, valid


class DeepRegressorBase(DeepSequenceMixin, SequenceScoreMixin, RegressorMixin, BaseEstimator):
    """Base of the deep regressors: standardized targets, mean squared error; an output
    whose training targets are constant (:func:`~sksssm._validation.is_constant`) is
    predicted as that constant.

    Subclasses write ``__init__`` (their own and the shared hyper-parameters, including
    ``return_sequences``), ``_parameter_constraints`` and ``_layer_factory``.
    """

    _net_class = NeuralNetRegressor
    _criterion = PaddedMSELoss
    _stratify = False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        y : array-like
            ``(n_samples,)`` or ``(n_samples, n_targets)``; with ``return_sequences=True``
            ``(n_samples, n_timesteps)`` or ``(n_samples, n_outputs, n_timesteps)``.

        Returns
        -------
        self
        """
        return fit_atomically(self, type(self)._fit_deep, X, y)

    def predict(self, X):
        """Predict, in the layout of the ``y`` given to ``fit`` (float64)."""
        out, valid = self._forward(X)
        Y = np.where(self.y_constant_, self.y_mean_, out * self.y_scale_ + self.y_mean_)
        if self.return_sequences_:
            Y[~valid] = np.nan  # predictions are padded like X
            return from_btc(Y, self.y_ndim_)
        return Y[:, 0] if self.y_ndim_ == 1 else Y

    def _sequence_outputs(self):
        # The configuration of the fit in progress or of the fitted model.
        return bool(self.__dict__.get("return_sequences_", self.return_sequences))

    def _n_net_outputs(self):
        return self.n_outputs_

    def _prepare_targets(self, y, X_btc, valid, refit=True):
        if refit:
            self.return_sequences_ = bool(self.return_sequences)
        Y, y_ndim = check_sequence_targets(
            self, y, X_btc, return_sequences=self.return_sequences_, padding=~valid
        )
        if refit:
            self.y_ndim_ = y_ndim
            values = Y[valid] if Y.ndim == 3 else Y
            # A constant column is predicted as its constant, not by the network: its unit
            # scale is in the target's own units, where the PTD and HOPE heads' outputs
            # (of order 1e-4 to 1: they do not start at zero) would swamp a 1e-8.
            self.y_mean_, self.y_scale_, self.y_constant_ = standardization(
                values, axis=0, return_constant=True
            )
            self.n_outputs_ = Y.shape[-1]
        elif Y.shape[-1] != self.n_outputs_ or y_ndim != self.y_ndim_:
            raise ValueError(
                f"y has {Y.shape[-1]} outputs (y.ndim={y_ndim}); the first fit had "
                f"{self.n_outputs_} (y.ndim={self.y_ndim_}). warm_start continues the same "
                f"model: pass targets of the same layout, or set warm_start=False."
            )
        return ((Y - self.y_mean_) / self.y_scale_).astype(np.float32)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


class DeepClassifierBase(DeepSequenceMixin, ClassifierMixin, BaseEstimator):
    """Base of the deep classifiers: labels of any type, cross-entropy, ``predict_proba``."""

    _net_class = NeuralNetClassifier
    _criterion = torch.nn.CrossEntropyLoss
    _stratify = True

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on sequences ``X`` with labels ``y`` (any type).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        return fit_atomically(self, type(self)._fit_deep, X, y)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        logits, _ = self._forward(X)
        return torch.softmax(torch.from_numpy(logits), dim=1).numpy()

    def predict(self, X):
        """The most probable class of each sequence."""
        check_is_fitted(self, "net_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _sequence_outputs(self):
        return False

    def _n_net_outputs(self):
        return len(self.classes_)

    def _prepare_targets(self, y, X_btc, valid, refit=True):
        # A warm-started fit may see a subset of the classes of the first fit.
        y = check_class_labels(self, y, len(X_btc), min_classes=2 if refit else 1)
        if refit:
            self.classes_ = np.unique(y)
        unseen = np.setdiff1d(y, self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} not seen in the first fit; "
                f"warm_start keeps the classes {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def standardize_each_series(X_btc, valid):
    """Each series and channel of ``(n, t, c)`` ``X_btc`` to mean 0, standard deviation 1
    over its valid steps (``valid``: ``(n, t)`` mask); padded steps stay NaN, a constant
    channel of a series becomes 0 (:func:`~sksssm._validation.standardization`).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[1.0], [3.0], [np.nan]], [[10.0], [10.0], [40.0]]])
    >>> standardize_each_series(X, ~np.isnan(X[..., 0]))[..., 0]
    array([[-1.        ,  1.        ,         nan],
           [-0.70710678, -0.70710678,  1.41421356]])
    """
    out = np.full_like(X_btc, np.nan)
    for index, steps in enumerate(valid):
        mean, scale = standardization(X_btc[index, steps], axis=0)
        out[index, steps] = (X_btc[index, steps] - mean) / scale
    return out


def _mean_length(valid):
    """Mean number of valid (unpadded) steps per series, at least 1, of a ``(n, t)`` mask.

    Examples
    --------
    >>> import numpy as np
    >>> _mean_length(np.array([[True, True, True, True], [True, True, False, False]]))
    3
    """
    return max(1, round(float(valid.sum(axis=1).mean())))


def _seed_from(random_state):
    """A concrete integer seed: from an int, a RandomState, or fresh entropy for None."""
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def _seeded(layer_factory, generator):
    """``layer_factory`` whose every layer gets its own seed drawn from ``generator``."""

    def build(d_model):
        return layer_factory(d_model, random_state=draw_seed(generator))

    return build
