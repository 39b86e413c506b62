"""The training schedule of the deep estimators: the ``max_epochs="auto"`` budget, the
early-stopping split, the learning-rate schedule, the padded loss and the divergence
check (skorch callbacks).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from skorch.callbacks import Callback

from ..exceptions import TrainingDivergedError

#: Budget of ``max_epochs="auto"``: time steps processed (batch_size * n_timesteps per
#: optimizer step), and the range of the resulting number of optimizer steps.
AUTO_TOKEN_BUDGET = 2**23
AUTO_MIN_STEPS, AUTO_MAX_STEPS = 200, 600
#: ``early_stopping="auto"`` needs at least this many held-out samples.
AUTO_MIN_VALIDATION = 32


def n_validation(n_samples, fraction):
    """Samples held out by skorch's ``ValidSplit(fraction)``: scikit-learn's
    ``ShuffleSplit`` rounds up.

    Examples
    --------
    >>> n_validation(20, 0.02), n_validation(20, 0.1), n_validation(20, 0.96)
    (1, 2, 20)
    """
    return math.ceil(fraction * n_samples)


def validation_split_problem(n_samples, fraction, classes, targets):
    """Why skorch's ``ValidSplit`` cannot hold out ``fraction`` of the samples, or None.

    ``ValidSplit`` (with a fraction) splits by scikit-learn's ``ShuffleSplit``, or
    ``StratifiedShuffleSplit`` for classifiers: it holds out ``ceil(fraction *
    n_samples)`` samples, and a stratified split needs at least as many samples on each
    side as there are classes, and two samples in every class.

    Parameters
    ----------
    n_samples : int
    fraction : float
    classes : ndarray or None
        The classifier's ``classes_`` (a stratified split); None for a regressor.
    targets : ndarray of int
        The encoded classes of the samples (read only when ``classes`` is given).

    Examples
    --------
    >>> import numpy as np
    >>> validation_split_problem(20, 0.96, None, None)
    '20 held out leave no sample to train on'
    >>> validation_split_problem(20, 0.25, np.array(["a", "b"]), np.arange(20) % 2) is None
    True
    """
    n_valid = n_validation(n_samples, fraction)
    n_train = n_samples - n_valid
    if n_train < 1:
        return f"{n_valid} held out leave no sample to train on"
    if classes is None:
        return None
    counts = np.bincount(targets, minlength=len(classes))
    present = np.flatnonzero(counts)  # a warm start may see a subset of the classes
    smallest = present[np.argmin(counts[present])]
    if counts[smallest] < 2 or min(n_train, n_valid) < len(present):
        return (
            f"a split stratified by class puts each of the {len(present)} classes on "
            f"both sides: it needs at least {len(present)} samples on each side (here "
            f"{n_train} training, {n_valid} validation) and 2 in every class (class "
            f"counts {counts[smallest]} to {counts.max()}, the smallest class "
            f"{classes.tolist()[smallest]!r})"
        )
    return None


def auto_steps(batch_size, n_timesteps):
    """Optimizer steps of ``max_epochs="auto"`` (see the module docstring).

    Examples
    --------
    >>> auto_steps(32, 1024), auto_steps(32, 150), auto_steps(32, 100_000)
    (256, 600, 200)
    """
    steps = AUTO_TOKEN_BUDGET // (batch_size * n_timesteps)
    return int(min(max(steps, AUTO_MIN_STEPS), AUTO_MAX_STEPS))


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


def check_trained(net, X_sample):
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
