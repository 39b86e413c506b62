"""The shared skorch base of every deep sequence estimator.

Composition, not subclassing: a public estimator stores only its hyper-parameters; ``fit``
builds a :class:`~sksssm.nn.SequenceModel` (with the estimator's own sequence layer) and a
skorch ``NeuralNetRegressor`` / ``NeuralNetClassifier`` around it into ``net_``.

- :class:`DeepSequenceMixin` holds what every deep estimator shares: parameter
  constraints, the training budget, scaling of the inputs, the learning-rate schedule,
  warm starts, divergence checks and prediction.
- :class:`DeepRegressorBase` and :class:`DeepClassifierBase` hold what differs: targets
  (standardized values or encoded labels), the loss, the output layer, stratification.

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
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_random_state
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping, ProgressBar
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
from ._base import fit_atomically, fitted_attributes

#: numpydoc text of the hyper-parameters every deep estimator shares; each public class
#: repeats them in its ``__init__`` signature (scikit-learn reads parameters from the
#: signature) and splices this text into its docstring, so they are documented once.
DEEP_PARAMETERS_DOC = """    d_model : int, default=32 for regressors, 16 for classifiers
        Width of the residual stream of the backbone. Classifiers default to 16: on the
        deep benchmark subset it kept their accuracy at about two thirds of the time;
        the STU network's system identification needs 32 (``benchmarks/sysid.py``).
    n_layers : int, default=2
        Number of stacked sequence layers (residual blocks).
    dropout : float, default=0.0
    norm : {"layer", "batch"}, default="layer"
        Normalisation before each sequence layer.
    input_scaling : {"channel", "series"}, default="channel"
        How X is standardized before the network. "channel": one mean and scale per
        channel, over all valid steps of the training series (amplitudes differ between
        series as in the data). "series": each series and channel first to mean 0 and
        standard deviation 1 over its own valid steps, at fit and predict (the network
        sees shapes only; for data whose amplitudes span orders of magnitude, such as
        PLAID, at the cost of the amplitude information, which JapaneseVowels needs).
    pooling : {"mean", "last"}, default="last" for regressors, "mean" for classifiers
        How a sequence becomes one vector for sequence-to-one outputs: the last time step
        or the mean over time.
    bidirectional : bool or "auto", default="auto"
        Each sequence layer also runs backwards in time (two layers, outputs added), so
        every time step sees the whole sequence. "auto": on for classifiers and
        sequence-to-one regressors, off (causal) for ``return_sequences=True``.
    max_epochs : int or "auto", default="auto"
        Passes over the training data. "auto" counts optimizer steps instead:
        ``n_steps = clip(2**23 / (batch_size * n_timesteps), 200, 600)`` and
        ``max_epochs_ = max(1, ceil(n_steps / batches_per_epoch))``: enough updates for
        small data, a bounded time for large data (at least one epoch).
        ``n_timesteps`` is the mean series length without the NaN end padding.
    batch_size : int, default=32
    lr : float, default=1e-2
        Learning rate (AdamW by default; the SSM parameters have their own).
    weight_decay : float, default=0.01
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
    lr_schedule : {"constant", "cosine"}, default="cosine"
        Per optimizer step: linear warm-up, then cosine decay to zero over the steps of
        each ``fit`` call (a warm-started ``fit`` runs a fresh schedule).
    warmup_epochs : int, default=1
        Length of the warm-up in epochs, at most a tenth of the steps of the fit.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the samples (stratified for classifiers),
        stop once the validation loss has not improved for ``patience`` epochs, and
        restore the weights of the best epoch. "auto": on when the held-out part has at
        least 32 samples (and, for classifiers, every class at least ``1 /
        validation_fraction`` samples); off otherwise.
    validation_fraction : float, default=0.1
    patience : int, default=10
    device : str or torch.device, default="auto"
        "auto" uses CUDA when available, else the CPU; "cpu", "cuda" or "cuda:N"
        otherwise ("cuda" without CUDA raises ``ValueError``). The device used is
        ``device_``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation split, through
        a ``torch.Generator`` of this estimator's own: torch's global RNG is neither used
        nor changed, so fits in parallel threads equal the serial fit.
    verbose : int, default=0
        0: silent; 1: one line per epoch (skorch's table); 2: also a progress bar per epoch.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (``Callback`` instances or ``(name, callback)`` pairs),
        appended to the built-in ones (learning-rate schedule, divergence check, early
        stopping, progress display). They are used as given, as skorch does (each ``fit``
        re-initializes them); the fitted ones are in ``net_.callbacks_``.
    warm_start : bool, default=False
        The next ``fit`` continues from the fitted weights (same scaling and classes),
        with a fresh optimizer and learning-rate schedule; a failed warm-started fit
        leaves the fitted model unchanged.
"""

#: numpydoc text of ``ssm_lr``, shared by every estimator whose layers have SSM parameters.
SSM_LR_DOC = """    ssm_lr : float, default=1e-3
        Learning rate of the SSM parameters (those named ``ssm_*``: eigenvalues, input
        matrices, step sizes, Markov parameters), which get no weight decay (as in S4, S5
        and HOPE); every other weight uses ``lr`` and ``weight_decay``.
"""

#: numpydoc text of ``return_sequences``, shared by the deep regressors.
RETURN_SEQUENCES_DOC = """    return_sequences : bool, default=False
        True: sequence-to-sequence regression (causal unless ``bidirectional=True``),
        ``y`` of shape ``(n_samples, n_timesteps)`` or ``(n_samples, n_outputs,
        n_timesteps)``.
"""

#: numpydoc text of ``dt_min, dt_max``, shared by the families with learned step sizes.
DT_RANGE_DOC = """    dt_min, dt_max : float, default=1e-3, 1e-1
        Step sizes are initialised log-uniformly in ``[dt_min, dt_max]`` (one per channel;
        one per state in S5-PTD, ``mode="s5"``).
"""

OPTIMIZERS = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}
LR_SCHEDULES = ("constant", "cosine")
#: Budget of ``max_epochs="auto"``: time steps processed (batch_size * n_timesteps per
#: optimizer step), and the range of the resulting number of optimizer steps.
AUTO_TOKEN_BUDGET = 2**23
AUTO_MIN_STEPS, AUTO_MAX_STEPS = 200, 600
#: ``early_stopping="auto"`` needs at least this many held-out samples.
AUTO_MIN_VALIDATION = 32

#: Constraints shared by every deep estimator (each class adds its own).
DEEP_PARAMETER_CONSTRAINTS = {
    "d_model": [Interval(Integral, 1, None, closed="left")],
    "n_layers": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0.0, 1.0, closed="left")],
    "norm": [StrOptions({"layer", "batch"})],
    "input_scaling": [StrOptions({"channel", "series"})],
    "pooling": [StrOptions({"mean", "last"})],
    "bidirectional": ["boolean", StrOptions({"auto"})],
    "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "lr": [Interval(Real, 0.0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0.0, None, closed="left")],
    "optimizer": [StrOptions(set(OPTIMIZERS))],
    "lr_schedule": [StrOptions(set(LR_SCHEDULES))],
    "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [Interval(Real, 0.0, 1.0, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "device": [str, torch.device],  # resolved (and rejected if unusable) by resolve_device
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "callbacks": [list, None],  # items checked by check_callbacks
    "warm_start": ["boolean"],
}

#: Names of the built-in callbacks (skorch's defaults and ours): not for user callbacks.
BUILT_IN_CALLBACKS = (
    "epoch_timer",
    "train_loss",
    "valid_loss",
    "valid_acc",
    "print_log",
    "stop_on_non_finite_loss",
    "lr_schedule",
    "early_stopping",
    "progress_bar",
)


def check_callbacks(callbacks):
    """``callbacks`` as skorch ``(name, callback)`` pairs, or an error naming the fix.

    Examples
    --------
    >>> from skorch.callbacks import EpochScoring
    >>> [name for name, _ in check_callbacks([("r2", EpochScoring("r2"))])]
    ['r2']
    """
    pairs = []
    for item in callbacks or []:
        name, callback = item if isinstance(item, tuple) and len(item) == 2 else (None, item)
        if not isinstance(callback, Callback) or not isinstance(name, str | None):
            raise TypeError(
                f"callbacks must hold skorch Callback instances or (name, Callback) pairs; "
                f"got {item!r}. Wrap your code in a skorch.callbacks.Callback subclass."
            )
        name = type(callback).__name__ if name is None else name
        if name in BUILT_IN_CALLBACKS:
            raise ValueError(
                f"callback name {name!r} is taken by a built-in callback "
                f"({', '.join(BUILT_IN_CALLBACKS)}); give yours another name: ('my_name', "
                f"callback)."
            )
        pairs.append((name, callback))
    return pairs


_SUPPORTED_DEVICES = ("cpu", "cuda")


def resolve_device(device):
    """Turn ``device`` ("auto", "cpu", "cuda", "cuda:1", torch.device) into a torch device.

    "auto" picks CUDA when available. Asking for CUDA without it, or for a device type
    other than CPU and CUDA (``"meta"``, ``"mps"``, ...), raises ``ValueError``.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f'device must be "auto", "cpu", "cuda" or "cuda:N"; got {device!r}.'
        ) from exc
    if resolved.type not in _SUPPORTED_DEVICES:
        raise ValueError(
            f'device={device!r} is not supported: the deep estimators train on "cpu" or '
            f'"cuda" (devices of type {resolved.type!r} cannot hold trained weights). Use '
            f'device="auto", "cpu" or "cuda".'
        )
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine "
            f'(torch {torch.__version__}). Use device="cpu" or device="auto".'
        )
    return resolved


def auto_steps(batch_size, n_timesteps):
    """Optimizer steps of ``max_epochs="auto"`` (see the module docstring).

    Examples
    --------
    >>> auto_steps(32, 1024), auto_steps(32, 150), auto_steps(32, 100_000)
    (256, 600, 200)
    """
    steps = AUTO_TOKEN_BUDGET // (batch_size * n_timesteps)
    return int(min(max(steps, AUTO_MIN_STEPS), AUTO_MAX_STEPS))


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


class StepSchedule(Callback):
    """Learning-rate multiplier per optimizer step: linear warm-up, cosine decay to zero.

    The schedule restarts at every ``fit`` (``on_train_begin``) from the learning rates
    the optimizer was built with, so a warm-started fit trains at the full rate.

    Examples
    --------
    >>> schedule = StepSchedule(total_steps=10, warmup_steps=2)
    >>> [round(schedule.factor(s), 3) for s in (0, 1, 2, 6, 10)]
    [0.5, 1.0, 1.0, 0.5, 0.0]
    """

    def __init__(self, total_steps, warmup_steps, cosine=True):
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps
        self.cosine = cosine

    def factor(self, step):
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        if not self.cosine:
            return 1.0
        span = max(self.total_steps - self.warmup_steps, 1)
        progress = min((step - self.warmup_steps) / span, 1.0)
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    def on_train_begin(self, net, **kwargs):
        self.base_lrs_ = [group["lr"] for group in net.optimizer_.param_groups]
        self.step_ = 0
        self._apply(net)

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.step_ += 1
            self._apply(net)

    def _apply(self, net):
        factor = self.factor(self.step_)
        for group, base in zip(net.optimizer_.param_groups, self.base_lrs_, strict=True):
            group["lr"] = base * factor


class PaddedMSELoss(torch.nn.MSELoss):
    """Mean squared error over the targets that are not NaN (the padded steps of
    ``return_sequences=True``); without NaN targets it is ``torch.nn.MSELoss``."""

    def forward(self, input, target):
        observed = ~torch.isnan(target)
        return super().forward(input[observed], target[observed])


def _diverged_message(what, net_lr):
    return (
        f"training diverged: {what}. Lower the learning rate (lr={net_lr}), or check the "
        f"scale of the inputs."
    )


class StopOnNonFiniteLoss(Callback):
    """Abort training with a clear error as soon as a batch or epoch loss is not finite."""

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        key = "train_loss" if training else "valid_loss"
        loss = net.history[-1, "batches", -1].get(key)
        if loss is not None and not math.isfinite(loss):
            raise TrainingDivergedError(
                _diverged_message(f"the {key} is {loss} at epoch {len(net.history)}", net.lr)
            )

    def on_epoch_end(self, net, **kwargs):
        for key in ("train_loss", "valid_loss"):
            loss = net.history[-1].get(key)
            if loss is not None and not math.isfinite(loss):
                raise TrainingDivergedError(
                    _diverged_message(f"the {key} of epoch {len(net.history)} is {loss}", net.lr)
                )


class DeepSequenceMixin:
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
        X_btc, ndim, valid = self._check_padded_sequences(X, reset=not continue_training)
        if continue_training:
            self._check_input_layout(X_btc, ndim)
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
        with np.errstate(over="ignore"):
            X_t = self._scale_inputs(X_btc, valid).astype(np.float32)
        if np.isinf(X_t).any():  # NaN marks the padding, and only the padding
            raise ValueError(
                "X, scaled by the statistics of the first fit (warm_start), exceeds the "
                "float32 range the network trains in. Pass X on the scale of the first fit, "
                "or set warm_start=False to refit the scaling."
            )
        seed = _seed_from(self.random_state)
        early_stopping = self._resolve_early_stopping(X_btc.shape[0], targets)
        n_train = X_btc.shape[0] - (
            _n_validation(X_btc.shape[0], self.validation_fraction) if early_stopping else 0
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
        _check_trained(net, X_t[:256])
        self.net_ = net
        self.device_ = device
        self.max_epochs_ = max_epochs
        self.early_stopping_ = early_stopping
        self.history_ = net.history
        self.n_epochs_ = len(net.history)
        return self

    def _check_padded_sequences(self, X, *, reset):
        """``(X_btc, ndim, valid)``: validated ``X`` and its ``(n, t)`` mask of valid steps.

        NaN is accepted as end padding only (:func:`sksssm.spectral.sequence_lengths`).
        """
        X_btc, ndim = check_sequences(self, X, reset=reset, allow_nan=True)
        lengths = _lengths_naming_the_offender(X_btc)
        return X_btc, ndim, np.arange(X_btc.shape[1]) < lengths[:, np.newaxis]

    def _check_input_layout(self, X_btc, ndim):
        if ndim != self.x_ndim_ or X_btc.shape[2] != self.n_channels_:
            layout = (
                "(n_samples, n_timesteps)"
                if self.x_ndim_ == 2
                else (f"(n_samples, {self.n_channels_}, n_timesteps)")
            )
            raise ValueError(
                f"{type(self).__name__} was fitted on {self.x_ndim_}D X of layout {layout}; "
                f"got an array of shape {_public_shape(X_btc, ndim)}. Pass X in the layout "
                f"used in fit."
            )

    def _resolve_bidirectional(self):
        if self.bidirectional == "auto":
            return not self._sequence_outputs()
        return bool(self.bidirectional)

    def _resolve_early_stopping(self, n_samples, targets):
        if self.early_stopping != "auto":
            if self.early_stopping:
                self._check_validation_split(n_samples)
            return bool(self.early_stopping)
        if _n_validation(n_samples, self.validation_fraction) < AUTO_MIN_VALIDATION:
            return False
        if self._stratify:
            counts = np.bincount(targets)
            if counts.min() * self.validation_fraction < 1:
                return False
        return True

    def _check_validation_split(self, n_samples):
        n_valid = _n_validation(n_samples, self.validation_fraction)
        if n_valid < 1 or n_samples - n_valid < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction}"
                f" of {n_samples} samples, which leaves no validation or no training data. "
                f"Increase validation_fraction, pass more samples, or set early_stopping=False."
            )

    def _resolve_max_epochs(self, n_train, n_timesteps):
        if self.max_epochs != "auto":
            return int(self.max_epochs)
        n_batches = math.ceil(n_train / self.batch_size)
        return max(1, math.ceil(auto_steps(self.batch_size, n_timesteps) / n_batches))

    def _scale_inputs(self, X_btc, valid):
        return (self._each_series(X_btc, valid) - self.x_mean_) / self.x_scale_

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
            batch_size=self.batch_size,
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

    # ------------------------------------------------------------------ save / load
    def save_params(self, f_params):
        """Save the fitted model to ``f_params`` for :meth:`load_params`.

        The file holds the network's weights (``net_.module_.state_dict()``), its training
        history and the fitted attributes that prediction needs (input and target
        scaling, classes, layout), written with :func:`torch.save`.

        Parameters
        ----------
        f_params : str, path-like or file object

        Returns
        -------
        self
        """
        check_is_fitted(self, "net_")
        fitted = {
            name: getattr(self, name)
            for name in fitted_attributes(self)
            if name not in ("net_", "history_")
        }
        saved = {
            "estimator": type(self).__name__,
            "hyperparameters": self._model_hyperparameters(),
            "fitted": fitted,
            "module": self.net_.module_.state_dict(),
            "history": self.net_.history,
        }
        torch.save(saved, f_params)
        return self

    def load_params(self, f_params):
        """Load a model saved by :meth:`save_params` into this estimator.

        The estimator needs the class and the hyper-parameters of the saved one (a freshly
        constructed one will do: ``PTDSSMClassifier(**params).load_params(path)``; only
        ``device``, ``verbose``, ``callbacks``, ``random_state`` and ``warm_start`` may
        differ, otherwise ``ValueError``); it is
        then fitted, on this estimator's ``device``, and predicts exactly as the saved
        one. A failed load leaves the estimator unchanged. The file is unpickled: load
        only files you trust.

        Parameters
        ----------
        f_params : str, path-like or file object

        Returns
        -------
        self
        """
        return fit_atomically(self, type(self)._load_saved, f_params)

    def _load_saved(self, f_params):
        saved = torch.load(f_params, map_location="cpu", weights_only=False)
        if not isinstance(saved, dict) or saved.get("estimator") != type(self).__name__:
            found = saved.get("estimator") if isinstance(saved, dict) else type(saved).__name__
            raise ValueError(
                f"{f_params!r} does not hold a {type(self).__name__} saved by save_params "
                f"(found {found!r}). Load it into the class that saved it."
            )
        ours, theirs = self._model_hyperparameters(), saved["hyperparameters"]
        differ = ", ".join(
            f"{k}={theirs.get(k)}" for k in sorted(ours) if ours[k] != theirs.get(k)
        )
        if differ:
            raise ValueError(
                f"the saved model has other hyper-parameters than this {type(self).__name__}"
                f" ({differ}). Construct it with the saved model's get_params()."
            )
        for name, value in saved["fitted"].items():
            setattr(self, name, value)
        device = resolve_device(self.device)
        net = self._build_net(device, 0, max_epochs=1, n_train=1, early_stopping=False)
        net.initialize()
        try:
            net.module_.load_state_dict(saved["module"])
        except RuntimeError as exc:
            raise ValueError(
                f"the saved weights do not fit this {type(self).__name__} (saved by another "
                f"version of sksssm?): {exc}"
            ) from exc
        net.history = saved["history"]
        self.net_, self.history_, self.device_ = net, net.history, device
        return self

    #: Hyper-parameters a saved model need not share with the estimator it is loaded into.
    _RUNTIME_PARAMETERS = ("device", "verbose", "callbacks", "random_state", "warm_start")

    def _model_hyperparameters(self):
        """Hyper-parameters (as text) that :meth:`load_params` requires to match."""
        params = self.get_params(deep=False)
        return {k: repr(v) for k, v in params.items() if k not in self._RUNTIME_PARAMETERS}

    # ------------------------------------------------------------------ predict
    def _forward(self, X):
        """Network outputs for ``X`` (float64 numpy), computed batch by batch, and the
        ``(n, t)`` mask of valid (not padded) steps of ``X``.

        Training runs in float32; inference runs on a float64 copy of the trained network,
        so a prediction does not depend on which other samples share its batch (float32
        matrix kernels round differently for different batch sizes).
        """
        check_is_fitted(self, "net_")
        X_btc, ndim, valid = self._check_padded_sequences(X, reset=False)
        self._check_input_layout(X_btc, ndim)
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


class DeepRegressorBase(DeepSequenceMixin, RegressorMixin, BaseEstimator):
    """Base of the deep regressors: standardized targets, mean squared error.

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
        Y = out * self.y_scale_ + self.y_mean_
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
            self.y_mean_, self.y_scale_ = standardization(Y[valid] if Y.ndim == 3 else Y, axis=0)
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


def _n_validation(n_samples, fraction):
    return int(round(fraction * n_samples))


def _public_shape(X_btc, ndim):
    n, t, c = X_btc.shape
    return (n, t) if ndim == 2 else (n, c, t)


def _check_trained(net, X_sample):
    """Raise ``TrainingDivergedError`` unless the weights and outputs are finite.

    Batch losses are computed *before* each update, so the last update can still blow the
    weights up (``lr=1e8``): check the weights, then the outputs on a few training samples.
    """
    module = net.module_
    for name, parameter in module.named_parameters():
        if not torch.isfinite(parameter).all():
            raise TrainingDivergedError(
                _diverged_message(f"parameter {name!r} is not finite after training", net.lr)
            )
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            device = next(module.parameters()).device
            out = module(torch.from_numpy(X_sample).to(device))
    finally:
        module.train(was_training)
    if not torch.isfinite(out).all():
        raise TrainingDivergedError(
            _diverged_message("the trained network outputs non-finite values", net.lr)
        )


def _seed_from(random_state):
    """A concrete integer seed: from an int, a RandomState, or fresh entropy for None."""
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def _seeded(layer_factory, generator):
    """``layer_factory`` whose every layer gets its own seed drawn from ``generator``."""

    def build(d_model):
        return layer_factory(d_model, random_state=draw_seed(generator))

    return build
