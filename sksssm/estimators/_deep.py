"""The shared skorch base of every deep sequence estimator.

Composition, not subclassing: a public estimator stores only its hyper-parameters; ``fit``
builds a :class:`~sksssm.nn.SequenceModel` (with the estimator's own sequence layer) and a
skorch ``NeuralNetRegressor`` / ``NeuralNetClassifier`` around it into ``net_``. Everything
scikit-learn's conventions ask of an estimator (validation, scaling, label encoding,
reproducibility, atomic fits) lives here, once.
"""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    check_random_state,
    column_or_1d,
)
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping, LRScheduler, ProgressBar
from skorch.dataset import ValidSplit

from .._validation import (
    check_option,
    check_positive_int,
    check_sequence_targets,
    check_sequences,
    from_btc,
    standardization,
)
from ..exceptions import TrainingDivergedError
from ..nn import SequenceModel
from ._base import fit_atomically

#: numpydoc text of the hyper-parameters every deep estimator shares; each public class
#: repeats them in its ``__init__`` signature (scikit-learn reads parameters from the
#: signature) and splices this text into its docstring, so they are documented once.
DEEP_PARAMETERS_DOC = """    d_model : int, default=32
        Width of the residual stream of the backbone.
    n_layers : int, default=2
        Number of stacked sequence layers (residual blocks).
    dropout : float, default=0.0
    norm : {"layer", "batch"}, default="layer"
        Normalisation before each sequence layer.
    pooling : {"mean", "last"}, default="last" for regressors, "mean" for classifiers
        How a sequence becomes one vector for sequence-to-one outputs: the last time step
        (which, the layers being causal, summarises the whole sequence; the natural choice
        for forecasting windows) or the mean over time.
    max_epochs : int, default=30
    batch_size : int, default=32
    lr : float, default=1e-2
        Learning rate (AdamW by default; the SSM parameters have their own).
    weight_decay : float, default=0.01
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
    lr_schedule : {"constant", "cosine"}, default="cosine"
        Cosine decay to zero over ``max_epochs`` after ``warmup_epochs`` of linear warm-up.
    warmup_epochs : int, default=1
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the samples and stop once the validation loss
        has not improved for ``patience`` epochs, restoring the best weights.
    validation_fraction : float, default=0.1
    patience : int, default=5
    device : str or torch.device, default="auto"
        "auto" uses CUDA when available, else the CPU; "cuda" without CUDA raises
        ``ValueError``. The device used is ``device_``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation split. Training
        runs inside ``torch.random.fork_rng``: the global torch RNG is left untouched.
    verbose : int, default=0
        0: silent; 1: one line per epoch (skorch's table); 2: also a progress bar per epoch.
    warm_start : bool, default=False
        Continue training the fitted network (same scaling and classes) on the next ``fit``.
"""

OPTIMIZERS = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}
LR_SCHEDULES = ("constant", "cosine")


def resolve_device(device):
    """Turn ``device`` ("auto", "cpu", "cuda", "cuda:1", torch.device) into a torch device.

    "auto" picks CUDA when available. Asking for CUDA without it raises ``ValueError``.

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
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine "
            f'(torch {torch.__version__}). Use device="cpu" or device="auto".'
        )
    return resolved


class WarmupCosine:
    """Learning-rate multiplier: linear warm-up, then cosine decay to zero (picklable).

    Examples
    --------
    >>> schedule = WarmupCosine(warmup_epochs=2, max_epochs=10)
    >>> [round(schedule(e), 3) for e in (0, 1, 2, 10)]
    [0.5, 1.0, 1.0, 0.0]
    """

    def __init__(self, warmup_epochs, max_epochs):
        self.warmup_epochs = warmup_epochs
        self.max_epochs = max_epochs

    def __call__(self, epoch):
        if epoch < self.warmup_epochs:
            return (epoch + 1) / self.warmup_epochs
        span = max(self.max_epochs - self.warmup_epochs, 1)
        progress = min((epoch - self.warmup_epochs) / span, 1.0)
        return 0.5 * (1.0 + math.cos(math.pi * progress))


class StopOnNonFiniteLoss(Callback):
    """Abort training with a clear error as soon as a batch loss is NaN or infinite."""

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        loss = net.history[-1, "batches", -1].get("train_loss" if training else "valid_loss")
        if loss is not None and not math.isfinite(loss):
            raise TrainingDivergedError(
                f"training diverged: the {'training' if training else 'validation'} loss is "
                f"{loss} at epoch {len(net.history)}. Lower the learning rate (lr="
                f"{net.lr}), or check the input scale."
            )


class DeepSequenceMixin:
    """Training and prediction through skorch, shared by every deep estimator.

    Subclasses define ``_layer_factory(self, n_timesteps)`` (returning
    ``layer_factory(d_model) -> nn.Module``), ``_is_classifier``, and ``_ssm_lr()`` (the
    learning rate of parameters named ``ssm_*``, or None).
    """

    _is_classifier = False

    # ------------------------------------------------------------------ validation
    def _check_deep_hyperparameters(self):
        for name in ("d_model", "n_layers", "max_epochs", "batch_size"):
            check_positive_int(getattr(self, name), name)
        check_positive_int(self.patience, "patience")
        check_positive_int(self.warmup_epochs, "warmup_epochs", minimum=0)
        check_option(self.optimizer, "optimizer", tuple(OPTIMIZERS))
        check_option(self.lr_schedule, "lr_schedule", LR_SCHEDULES)
        check_option(self.norm, "norm", ("layer", "batch"))
        check_option(self.pooling, "pooling", ("mean", "last"))
        _check_real(self.lr, "lr", low=0.0, low_open=True)
        _check_real(self.weight_decay, "weight_decay", low=0.0)
        _check_real(self.dropout, "dropout", low=0.0, high=1.0)
        _check_real(self.validation_fraction, "validation_fraction", low=0.0, high=1.0)
        return resolve_device(self.device)

    # ------------------------------------------------------------------ fit
    def _fit_deep(self, X, y):
        device = self._check_deep_hyperparameters()
        continue_training = self.warm_start and hasattr(self, "net_")
        X_btc, _ = check_sequences(self, X, reset=not continue_training)
        # warm_start continues with the scaling (and classes) the net was trained with.
        targets = self._encode_targets(y, X_btc, refit=not continue_training)
        if not continue_training:
            self._fit_input_scaling(X_btc)
        X_t = self._scale_inputs(X_btc)
        seed = _seed_from(self.random_state)
        with _forked_torch_rng(device, seed):
            if continue_training:
                self.net_.partial_fit(X_t, targets)
            else:
                self.net_ = self._build_net(X_btc, device, seed)
                self.net_.fit(X_t, targets)
        self.device_ = device
        self.history_ = self.net_.history
        self.n_epochs_ = len(self.history_)
        return self

    def _encode_targets(self, y, X_btc, refit=True):
        if self._is_classifier:
            if y is None:
                raise ValueError(
                    f"{type(self).__name__} requires y to be passed, but the target y is None."
                )
            y = np.asarray(y)
            if y.ndim != 1 and not (y.ndim == 2 and y.shape[1] == 1):
                raise ValueError(
                    f"y must be 1D (one label per sequence); got shape {y.shape}. "
                    f"Multi-output classification is not supported."
                )
            y = column_or_1d(y, warn=True)  # a column vector warns, as in scikit-learn
            check_classification_targets(y)
            check_consistent_length(X_btc, y)
            if refit:
                classes = np.unique(y)
                if len(classes) < 2:
                    raise ValueError(
                        f"{type(self).__name__} needs at least 2 classes to train; y holds "
                        f"only 1 class ({classes[0]!r})."
                    )
                self.classes_ = classes
            unseen = np.setdiff1d(y, self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y contains labels {unseen.tolist()} not seen in the first fit; "
                    f"warm_start keeps the classes {self.classes_.tolist()}."
                )
            return np.searchsorted(self.classes_, y).astype(np.int64)
        Y, self.y_ndim_ = check_sequence_targets(
            self, y, X_btc, return_sequences=self._returns_sequences()
        )
        if refit:
            self.y_mean_, self.y_scale_ = standardization(Y, axis=(0, 1) if Y.ndim == 3 else 0)
            self.n_outputs_ = Y.shape[-1]
        elif Y.shape[-1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[-1]} outputs; the first fit had {self.n_outputs_} "
                f"(warm_start continues the same model)."
            )
        return ((Y - self.y_mean_) / self.y_scale_).astype(np.float32)

    def _returns_sequences(self):
        return bool(getattr(self, "return_sequences", False))

    def _fit_input_scaling(self, X_btc):
        # Sequence models do not train on unscaled data: standardize each channel.
        self.x_mean_, self.x_scale_ = standardization(X_btc, axis=(0, 1))

    def _scale_inputs(self, X_btc):
        return ((X_btc - self.x_mean_) / self.x_scale_).astype(np.float32)

    def _build_net(self, X_btc, device, seed):
        n_outputs = len(self.classes_) if self._is_classifier else self.n_outputs_
        module = SequenceModel(
            X_btc.shape[2],
            n_outputs,
            self._layer_factory(X_btc.shape[1]),
            d_model=self.d_model,
            n_layers=self.n_layers,
            dropout=self.dropout,
            norm=self.norm,
            pooling=None if self._returns_sequences() else self.pooling,
        )
        net_class = NeuralNetClassifier if self._is_classifier else NeuralNetRegressor
        criterion = torch.nn.CrossEntropyLoss if self._is_classifier else torch.nn.MSELoss
        return net_class(
            module=module,
            criterion=criterion,
            optimizer=OPTIMIZERS[self.optimizer],
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            optimizer__param_groups=self._param_groups(),
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            train_split=self._train_split(X_btc.shape[0], seed),
            callbacks=self._callbacks(),
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

    def _train_split(self, n_samples, seed):
        if not self.early_stopping:
            return None
        n_valid = int(round(self.validation_fraction * n_samples))
        if n_valid < 1 or n_samples - n_valid < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction}"
                f" of {n_samples} samples, which leaves no validation or no training data. "
                f"Increase validation_fraction, pass more samples, or set early_stopping=False."
            )
        return ValidSplit(
            self.validation_fraction, stratified=self._is_classifier, random_state=seed
        )

    def _callbacks(self):
        callbacks = [("stop_on_non_finite_loss", StopOnNonFiniteLoss())]
        if self.lr_schedule == "cosine":
            schedule = WarmupCosine(self.warmup_epochs, self.max_epochs)
            callbacks.append(
                ("lr_schedule", LRScheduler(torch.optim.lr_scheduler.LambdaLR, lr_lambda=schedule))
            )
        if self.early_stopping:
            callbacks.append(
                ("early_stopping", EarlyStopping(patience=self.patience, load_best=True))
            )
        if self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        return callbacks

    # ------------------------------------------------------------------ predict
    def _forward(self, X):
        """Network outputs for ``X`` (float64 numpy), computed batch by batch.

        Training runs in float32; inference runs on a float64 copy of the trained network,
        so a prediction does not depend on which other samples share its batch (float32
        matrix kernels round differently for different batch sizes).
        """
        check_is_fitted(self, "net_")
        X_btc, _ = check_sequences(self, X, reset=False)
        X_scaled = (X_btc - self.x_mean_) / self.x_scale_
        module = copy.deepcopy(self.net_.module_).to(torch.float64).eval()
        # The parameters' device, not device_: a CUDA model unpickled on a CPU-only
        # machine has been moved to the CPU by skorch.
        device = next(module.parameters()).device
        outputs = []
        with torch.no_grad():
            for start in range(0, len(X_scaled), self.net_.batch_size):
                batch = torch.from_numpy(X_scaled[start : start + self.net_.batch_size])
                outputs.append(module(batch.to(device)).cpu())
        return torch.cat(outputs).numpy()

    def _predict_regression(self, X):
        Y = self._forward(X) * self.y_scale_ + self.y_mean_
        if self._returns_sequences():
            return from_btc(Y, self.y_ndim_)
        return Y[:, 0] if self.y_ndim_ == 1 else Y

    def _predict_proba(self, X):
        logits = self._forward(X)
        return torch.softmax(torch.from_numpy(logits), dim=1).numpy()


class DeepRegressorBase(DeepSequenceMixin, RegressorMixin, BaseEstimator):
    """Base of the deep regressors: ``fit``/``predict`` through :class:`DeepSequenceMixin`.

    Subclasses write ``__init__`` (their own and the shared hyper-parameters),
    ``_layer_factory`` and ``_check_layer_hyperparameters``.
    """

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
        self._check_layer_hyperparameters()
        return fit_atomically(self, type(self)._fit_deep, X, y)

    def predict(self, X):
        """Predict, in the layout of the ``y`` given to ``fit`` (float64)."""
        return self._predict_regression(X)

    def _check_layer_hyperparameters(self):
        """Validate the family's own hyper-parameters (ValueError naming the fix)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


class DeepClassifierBase(DeepSequenceMixin, ClassifierMixin, BaseEstimator):
    """Base of the deep classifiers: labels of any type, ``predict_proba``."""

    _is_classifier = True

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
        self._check_layer_hyperparameters()
        return fit_atomically(self, type(self)._fit_deep, X, y)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        return self._predict_proba(X)

    def predict(self, X):
        """The most probable class of each sequence."""
        check_is_fitted(self, "net_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _check_layer_hyperparameters(self):
        """Validate the family's own hyper-parameters (ValueError naming the fix)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def _check_real(value, name, *, low=None, high=None, low_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high
    if not ok:
        bounds = f"{'(' if low_open else '['}{low}, {high if high is not None else 'inf'})"
        raise ValueError(f"{name} must be a real number in {bounds}; got {value!r}.")
    return float(value)


def _seed_from(random_state):
    """A concrete integer seed: from an int, a RandomState, or fresh entropy for None."""
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


class _forked_torch_rng:
    """Run inside ``torch.random.fork_rng`` (seeded if ``seed`` is given), so the caller's
    global torch RNG is untouched."""

    def __init__(self, device, seed=None):
        devices = [device] if device.type == "cuda" else []
        self._fork = torch.random.fork_rng(devices=devices)
        self._seed = seed

    def __enter__(self):
        self._fork.__enter__()
        if self._seed is not None:
            torch.manual_seed(self._seed)
        return self

    def __exit__(self, *exc):
        return self._fork.__exit__(*exc)
