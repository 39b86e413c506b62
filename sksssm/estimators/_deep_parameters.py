"""Hyper-parameters every deep estimator shares: their documentation, constraints and
the checks of values that ``_parameter_constraints`` cannot express (callbacks, device).

Each public deep estimator repeats these parameters in its ``__init__`` signature
(scikit-learn reads parameters from the signature), splices the documentation text into
its docstring and merges :data:`DEEP_PARAMETER_CONSTRAINTS` into its own constraints.
"""

from __future__ import annotations

from numbers import Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import Callback

from .._validation import IntegerInterval

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
        Learning rate (AdamW by default). In PTD and HOPE the SSM parameters have their
        own, ``ssm_lr``; the STU has no SSM parameters (its filters are fixed).
    weight_decay : float, default=0.01
    optimizer : {"adamw", "adam", "sgd"}, default="adamw"
    lr_schedule : {"constant", "cosine"}, default="cosine"
        Per optimizer step: linear warm-up, then cosine decay to zero over the steps of
        each ``fit`` call (a warm-started ``fit`` runs a fresh schedule).
    warmup_epochs : int, default=1
        Length of the warm-up in epochs, at most a tenth of the steps of the fit.
    early_stopping : bool or "auto", default="auto"
        Hold out ``ceil(validation_fraction * n_samples)`` samples (scikit-learn's
        ``ShuffleSplit``; stratified for classifiers), stop once the validation loss has
        not improved for ``patience`` epochs, and restore the weights of the best epoch.
        A stratified split needs every class on both sides: at least as many samples on
        each side as classes, and two samples per class. True: ``ValueError`` when the
        split is impossible (or leaves no training sample). "auto": on when the split is
        possible, the held-out part has at least 32 samples and, for classifiers, every
        class at least ``1 / validation_fraction`` samples; off otherwise.
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
        leaves the fitted model unchanged. Only the training parameters (``max_epochs``,
        ``batch_size``, ``lr``, ``ssm_lr`` (PTD, HOPE), ``weight_decay``, ``optimizer``,
        ``lr_schedule``, ``warmup_epochs``, ``early_stopping``, ``validation_fraction``,
        ``patience``, ``dropout``) may change between warm-started fits; another value of
        a parameter of the model (``d_model``, ``norm``, ``state_dim``, ...) raises
        ``ValueError``.
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

#: Constraints shared by every deep estimator (each class adds its own).
DEEP_PARAMETER_CONSTRAINTS = {
    "d_model": [IntegerInterval(1)],
    "n_layers": [IntegerInterval(1)],
    "dropout": [Interval(Real, 0.0, 1.0, closed="left")],
    "norm": [StrOptions({"layer", "batch"})],
    "input_scaling": [StrOptions({"channel", "series"})],
    "pooling": [StrOptions({"mean", "last"})],
    "bidirectional": ["boolean", StrOptions({"auto"})],
    "max_epochs": [IntegerInterval(1), StrOptions({"auto"})],
    "batch_size": [IntegerInterval(1)],
    "lr": [Interval(Real, 0.0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0.0, None, closed="left")],
    "optimizer": [StrOptions(set(OPTIMIZERS))],
    "lr_schedule": [StrOptions(set(LR_SCHEDULES))],
    "warmup_epochs": [IntegerInterval(0)],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [Interval(Real, 0.0, 1.0, closed="neither")],
    "patience": [IntegerInterval(1)],
    "device": [str, torch.device],  # resolved (and rejected if unusable) by resolve_device
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "callbacks": [list, None],  # items checked by check_callbacks
    "warm_start": ["boolean"],
}

#: Parameters of the training, not of the model: a warm-started fit may change them; every
#: other parameter (but the runtime ones: device, verbose, ...) must keep its fitted value.
TRAINING_PARAMETERS = (
    "max_epochs",
    "batch_size",
    "lr",
    "ssm_lr",
    "weight_decay",
    "optimizer",
    "lr_schedule",
    "warmup_epochs",
    "early_stopping",
    "validation_fraction",
    "patience",
    "dropout",
)

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
