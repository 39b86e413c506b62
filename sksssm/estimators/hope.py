"""HOPE estimators: SSMs parameterized by their Markov parameters (Hankel operator)."""

from __future__ import annotations

import functools

from .._validation import POSITIVE_REAL, IntegerInterval
from ..nn.hope import HOPELayer
from ._deep import DeepClassifierBase, DeepRegressorBase
from ._deep_parameters import (
    DEEP_PARAMETER_CONSTRAINTS,
    DEEP_PARAMETERS_DOC,
    DT_RANGE_DOC,
    RETURN_SEQUENCES_DOC,
    SSM_LR_DOC,
)

HOPE_PARAMETERS_DOC = """    state_dim : int, default=64
        Number ``n`` of Markov parameters per channel: the memory window of each layer at
        ``dt = 1`` (no memory beyond ``n`` steps); smaller ``dt`` stretches it.
    train_dt : bool, default=False
        Learn the step sizes (frozen by default, as in the HOPE paper).
"""
# Shared with the other families: one name and one description per idea.
HOPE_PARAMETERS_DOC += DT_RANGE_DOC + SSM_LR_DOC


HOPE_PARAMETER_CONSTRAINTS = {
    **DEEP_PARAMETER_CONSTRAINTS,
    "state_dim": [IntegerInterval(1)],
    "dt_min": [POSITIVE_REAL],
    "dt_max": [POSITIVE_REAL],
    "train_dt": ["boolean"],
    "ssm_lr": [POSITIVE_REAL],
}


class _HOPELayers:
    """The HOPE sequence layer and its hyper-parameters, shared by both estimators."""

    def _check_layer_hyperparameters(self):
        if self.dt_min > self.dt_max:
            raise ValueError(
                f"dt_min={self.dt_min} is larger than dt_max={self.dt_max}; pass dt_min <= dt_max."
            )

    def _layer_factory(self, n_timesteps):
        return functools.partial(
            HOPELayer,
            state_dim=self.state_dim,
            dt_min=self.dt_min,
            dt_max=self.dt_max,
            train_dt=self.train_dt,
        )

    def _ssm_lr(self):
        return self.ssm_lr

    def hankel_singular_values(self):
        """Hankel singular values of every channel of every fitted layer.

        Returns
        -------
        list of ndarray of shape (d_model, state_dim)
            One array per layer: the singular values of each channel's Hankel matrix
            ``H[i, j] = h_{i+j-1}``, a picture of the memory it learned. With
            ``bidirectional_``, the causal (forward-in-time) layer of each block.
        """
        return [layer.hankel_singular_values() for layer in self._hope_layers()]

    def impulse_responses(self, n_timesteps):
        """Impulse responses ``(d_model, n_timesteps)`` of every channel of every layer
        (with ``bidirectional_``, of the causal, forward-in-time layer of each block)."""
        return [layer.impulse_response(n_timesteps) for layer in self._hope_layers()]

    def _hope_layers(self):
        from sklearn.utils.validation import check_is_fitted

        from ..nn import Bidirectional

        check_is_fitted(self, "net_")
        return [
            block.layer.forward_layer if isinstance(block.layer, Bidirectional) else block.layer
            for block in self.net_.module_.blocks
        ]


class HOPERegressor(_HOPELayers, DeepRegressorBase):
    """Regressor on a stack of HOPE layers (Yu, Mahoney & Erichson, ICLR 2025).

    Each layer is a bank of single-input single-output LTI systems, one per channel,
    parameterized by their Markov parameters ``h_1..h_n`` (the Hankel operator) and a step
    size; its convolution kernel is the transfer function sampled non-uniformly on the unit
    circle (see :func:`sksssm.ssm.hope_kernel`), applied causally by FFT.

    Parameters
    ----------
    %(hope_parameters)s
    %(return_sequences)s
    %(deep_parameters)s

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
    history_ : skorch.History
    device_ : torch.device
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import HOPERegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 32))
    >>> y = X[:, -5:].sum(axis=1)
    >>> reg = HOPERegressor(state_dim=16, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {**HOPE_PARAMETER_CONSTRAINTS, "return_sequences": ["boolean"]}

    def __init__(
        self,
        state_dim=64,
        *,
        dt_min=1e-3,
        dt_max=1e-1,
        train_dt=False,
        ssm_lr=1e-3,
        return_sequences=False,
        d_model=32,
        n_layers=2,
        dropout=0.0,
        norm="layer",
        input_scaling="channel",
        pooling="last",
        bidirectional="auto",
        max_epochs="auto",
        batch_size=32,
        lr=1e-2,
        weight_decay=0.01,
        optimizer="adamw",
        lr_schedule="cosine",
        warmup_epochs=1,
        early_stopping="auto",
        validation_fraction=0.1,
        patience=10,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.state_dim = state_dim
        self.dt_min = dt_min
        self.dt_max = dt_max
        self.train_dt = train_dt
        self.ssm_lr = ssm_lr
        self.return_sequences = return_sequences
        self.d_model = d_model
        self.n_layers = n_layers
        self.dropout = dropout
        self.norm = norm
        self.input_scaling = input_scaling
        self.pooling = pooling
        self.bidirectional = bidirectional
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
        self.callbacks = callbacks
        self.warm_start = warm_start


class HOPEClassifier(_HOPELayers, DeepClassifierBase):
    """Sequence classifier on a stack of HOPE layers (Yu, Mahoney & Erichson, ICLR 2025).

    Parameters
    ----------
    %(hope_parameters)s
    %(deep_parameters)s

    Attributes
    ----------
    classes_ : ndarray
    net_ : skorch.NeuralNetClassifier
    history_ : skorch.History
    device_ : torch.device
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import HOPEClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 24))
    >>> y = np.where(X[:, :4].sum(axis=1) > 0, "up", "down")
    >>> clf = HOPEClassifier(state_dim=16, max_epochs=5, random_state=0).fit(X, y)
    >>> sorted(clf.classes_.tolist())
    ['down', 'up']
    """

    _parameter_constraints = HOPE_PARAMETER_CONSTRAINTS

    def __init__(
        self,
        state_dim=64,
        *,
        dt_min=1e-3,
        dt_max=1e-1,
        train_dt=False,
        ssm_lr=1e-3,
        d_model=16,
        n_layers=2,
        dropout=0.0,
        norm="layer",
        input_scaling="channel",
        pooling="mean",
        bidirectional="auto",
        max_epochs="auto",
        batch_size=32,
        lr=1e-2,
        weight_decay=0.01,
        optimizer="adamw",
        lr_schedule="cosine",
        warmup_epochs=1,
        early_stopping="auto",
        validation_fraction=0.1,
        patience=10,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.state_dim = state_dim
        self.dt_min = dt_min
        self.dt_max = dt_max
        self.train_dt = train_dt
        self.ssm_lr = ssm_lr
        self.d_model = d_model
        self.n_layers = n_layers
        self.dropout = dropout
        self.norm = norm
        self.input_scaling = input_scaling
        self.pooling = pooling
        self.bidirectional = bidirectional
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
        self.callbacks = callbacks
        self.warm_start = warm_start


for _estimator in (HOPERegressor, HOPEClassifier):
    _estimator.__doc__ = _estimator.__doc__ % {
        "hope_parameters": HOPE_PARAMETERS_DOC.strip(),
        "deep_parameters": DEEP_PARAMETERS_DOC.strip(),
        "return_sequences": RETURN_SEQUENCES_DOC.strip(),
    }
