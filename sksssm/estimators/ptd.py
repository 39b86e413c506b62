"""PTD estimators: S4-PTD / S5-PTD diagonal SSMs (perturb-then-diagonalize)."""

from __future__ import annotations

import functools

from sklearn.utils._param_validation import StrOptions

from .._validation import DISCRETIZATIONS, POSITIVE_REAL, SSM_INITS, IntegerInterval
from ..nn.diagonal import DiagonalSSMConv, DiagonalSSMScan
from ._deep import DeepClassifierBase, DeepRegressorBase
from ._deep_parameters import (
    DEEP_PARAMETER_CONSTRAINTS,
    DEEP_PARAMETERS_DOC,
    DT_RANGE_DOC,
    RETURN_SEQUENCES_DOC,
    SSM_LR_DOC,
)

MODES = ("s4", "s5")
PTD_METHODS = ("optimize", "random")

PTD_PARAMETERS_DOC = """    state_dim : int, default=64
        State size N of each diagonal SSM (even: eigenvalues come in conjugate pairs).
    mode : {"s4", "s5"}, default="s4"
        "s4": S4-PTD, one single-input single-output SSM per channel, applied as a long
        convolution by FFT. "s5": S5-PTD, one multi-input multi-output SSM per layer,
        applied by a parallel scan (block-diagonal initialisation, ``n_blocks`` blocks).
    init : {"ptd", "s4d-legs", "s4d-lin", "s4d-inv"}, default="ptd"
        Eigenvalues (and input matrix) of the initial SSM: perturb-then-diagonalize of
        HiPPO-LegS, or the S4D baselines.
    discretization : {"zoh", "bilinear"}, default="zoh"
    n_blocks : int, default=1
        ``mode="s5"`` only: number of diagonal blocks of the PTD initialisation.
    ptd_method : {"optimize", "random"}, default="optimize"
        How the perturbation is chosen (see :func:`sksssm.ssm.perturb_then_diagonalize`):
        optimised for a well-conditioned eigenbasis (the paper), or random (fast).
    ptd_max_norm : float, default=3e-3
        Size bound of the perturbation relative to ``||A||_2``.
"""
# Shared with the other families: one name and one description per idea.
PTD_PARAMETERS_DOC += DT_RANGE_DOC + SSM_LR_DOC


PTD_PARAMETER_CONSTRAINTS = {
    **DEEP_PARAMETER_CONSTRAINTS,
    "state_dim": [IntegerInterval(2)],
    "mode": [StrOptions(set(MODES))],
    "init": [StrOptions(set(SSM_INITS))],
    "discretization": [StrOptions(set(DISCRETIZATIONS))],
    "dt_min": [POSITIVE_REAL],
    "dt_max": [POSITIVE_REAL],
    "n_blocks": [IntegerInterval(1)],
    "ptd_method": [StrOptions(set(PTD_METHODS))],
    "ptd_max_norm": [POSITIVE_REAL],
    "ssm_lr": [POSITIVE_REAL],
}


class _PTDLayers:
    """The diagonal SSM layer and its hyper-parameters, shared by both estimators."""

    def _check_layer_hyperparameters(self):
        if self.state_dim % 2:
            raise ValueError(
                f"state_dim must be even (eigenvalues come in conjugate pairs); got "
                f"{self.state_dim}."
            )
        if self.dt_min > self.dt_max:
            raise ValueError(
                f"dt_min={self.dt_min} is larger than dt_max={self.dt_max}; pass dt_min <= dt_max."
            )
        if self.mode == "s5" and self.state_dim % (2 * self.n_blocks):
            raise ValueError(
                f"mode='s5' splits state_dim={self.state_dim} into n_blocks={self.n_blocks} "
                f"blocks of even size; choose state_dim divisible by 2 * n_blocks."
            )

    def _layer_factory(self, n_timesteps):
        options = dict(
            state_dim=self.state_dim,
            init=self.init,
            discretization=self.discretization,
            dt_min=self.dt_min,
            dt_max=self.dt_max,
            # The layers refuse PTD options with an S4D initialisation (unused there).
            ptd_kwargs=(
                {"method": self.ptd_method, "max_norm": self.ptd_max_norm}
                if self.init == "ptd"
                else None
            ),
        )
        if self.mode == "s5":
            return functools.partial(DiagonalSSMScan, n_blocks=self.n_blocks, **options)
        return functools.partial(DiagonalSSMConv, **options)

    def _ssm_lr(self):
        return self.ssm_lr


class PTDSSMClassifier(_PTDLayers, DeepClassifierBase):
    """Sequence classifier on S4-PTD / S5-PTD layers (Yu et al., ICLR 2024).

    HiPPO-LegS, the matrix behind S4's long memory, cannot be diagonalized stably (its
    eigenvector matrix has condition number above 1e10 already at N = 16). PTD perturbs it
    slightly and then diagonalizes, giving diagonal SSMs that converge to HiPPO strongly
    (transfer functions stay close), unlike S4D's weak convergence, and are therefore
    robust to high-frequency perturbations of the input.

    Parameters
    ----------
    %(ptd_parameters)s
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
    >>> from sksssm import PTDSSMClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 1, 32)
    >>> X = np.r_[np.sin(8 * t) + 0.1 * rng.normal(size=(20, 32)),
    ...           np.cos(8 * t) + 0.1 * rng.normal(size=(20, 32))]
    >>> y = np.repeat(["sin", "cos"], 20)
    >>> clf = PTDSSMClassifier(state_dim=16, max_epochs=10, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = PTD_PARAMETER_CONSTRAINTS

    def __init__(
        self,
        state_dim=64,
        *,
        mode="s4",
        init="ptd",
        discretization="zoh",
        dt_min=1e-3,
        dt_max=1e-1,
        n_blocks=1,
        ptd_method="optimize",
        ptd_max_norm=3e-3,
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
        self.mode = mode
        self.init = init
        self.discretization = discretization
        self.dt_min = dt_min
        self.dt_max = dt_max
        self.n_blocks = n_blocks
        self.ptd_method = ptd_method
        self.ptd_max_norm = ptd_max_norm
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


class PTDSSMRegressor(_PTDLayers, DeepRegressorBase):
    """Regressor on S4-PTD / S5-PTD layers (Yu et al., ICLR 2024).

    Parameters
    ----------
    %(ptd_parameters)s
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
    >>> from sksssm import PTDSSMRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 32))
    >>> y = X[:, -5:].sum(axis=1)
    >>> reg = PTDSSMRegressor(state_dim=16, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {**PTD_PARAMETER_CONSTRAINTS, "return_sequences": ["boolean"]}

    def __init__(
        self,
        state_dim=64,
        *,
        mode="s4",
        init="ptd",
        discretization="zoh",
        dt_min=1e-3,
        dt_max=1e-1,
        n_blocks=1,
        ptd_method="optimize",
        ptd_max_norm=3e-3,
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
        self.mode = mode
        self.init = init
        self.discretization = discretization
        self.dt_min = dt_min
        self.dt_max = dt_max
        self.n_blocks = n_blocks
        self.ptd_method = ptd_method
        self.ptd_max_norm = ptd_max_norm
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


for _estimator in (PTDSSMClassifier, PTDSSMRegressor):
    _estimator.__doc__ = _estimator.__doc__ % {
        "ptd_parameters": PTD_PARAMETERS_DOC.strip(),
        "deep_parameters": DEEP_PARAMETERS_DOC.strip(),
        "return_sequences": RETURN_SEQUENCES_DOC.strip(),
    }
