"""STU network estimators: stacked Spectral Transform Unit layers trained by gradient.

The convex, closed-form one-layer STU is :class:`~sksssm.SpectralFilterRegressor` (and
the closed-form :class:`~sksssm.SpectralFilterClassifier`); the estimators here are the
*deep* STU of Agarwal et al. (2023): ``n_layers`` STU layers in the shared backbone of
:mod:`sksssm.estimators._deep`, trained through skorch, plus a linear STU path from the
inputs straight to the outputs.

Why the network fits (issue 12): the stacked layers use unit-norm spectral filters (the
paper's ``sigma ** (1/4)`` scaling spreads the feature scales over three decades at
``L = 1024``); the linear path sees the inputs *and a constant channel*, so it contains
the one-layer STU even though the inputs are centred (for a marginally stable system the
input mean drives an output drift that a convolution of centred inputs cannot produce);
and the head starts at zero, so the untrained network is that linear path and the stack
learns the nonlinear rest.
"""

from __future__ import annotations

import functools

from sklearn.utils._param_validation import StrOptions

from .._validation import HANKEL_KINDS, IntegerInterval
from ..nn import STULayer, STUSkip
from ..spectral import stu_filters
from ._deep import DeepClassifierBase, DeepRegressorBase
from ._deep_parameters import (
    DEEP_PARAMETER_CONSTRAINTS,
    DEEP_PARAMETERS_DOC,
    RETURN_SEQUENCES_DOC,
)

__all__ = ["STUClassifier", "STURegressor", "stu_layer_factory"]

STU_PARAMETERS_DOC = """    n_filters : int, default=24
        Number of spectral filters K per layer, capped (with a
        :class:`~sksssm.exceptions.SpectralFilterWarning`) at what the training length
        supports; ``n_filters_`` holds the number used.
    hankel : {"Z", "L"}, default="Z"
        Hankel matrix whose eigenvectors are the filters.
    input_lags : int, default=3
        Direct input terms ``u_t, ..., u_{t - input_lags + 1}`` of every STU layer.
    use_negative : bool, default=True
        Include the negative (alternating-sign) branch, for negative eigenvalues.
    use_tensordot : bool, default=True
        The stacked layers use the tensordot form of :class:`sksssm.nn.STULayer` (one
        combined kernel per channel after an input projection; ``d_model`` convolutions
        instead of ``d_model * 2K``). The linear path always uses full mixing matrices.
    linear_skip : bool, default=True
        Add a linear STU from the inputs (and a constant channel) to the outputs; the
        network then contains the convex one-layer STU (see :class:`sksssm.nn.STUSkip`).
        For a classifier its outputs are the classes at every time step, so its cost
        grows with the number of classes times the length (the user guide's "Where the
        fit time goes"): with hundreds of classes and long series pass False.
"""

STU_PARAMETER_CONSTRAINTS = {
    **DEEP_PARAMETER_CONSTRAINTS,
    "n_filters": [IntegerInterval(1)],
    "hankel": [StrOptions(set(HANKEL_KINDS))],
    "input_lags": [IntegerInterval(0)],
    "use_negative": ["boolean"],
    "use_tensordot": ["boolean"],
    "linear_skip": ["boolean"],
}


def stu_layer_factory(estimator, n_timesteps):
    """``d_model -> STULayer`` for an estimator's hyper-parameters and training length.

    Examples
    --------
    >>> from sksssm import STURegressor
    >>> reg = STURegressor(n_filters=4)
    >>> reg.n_filters_ = 4
    >>> layer = stu_layer_factory(reg, 16)(8)
    >>> layer.filters.shape, layer.filter_scaling
    (torch.Size([16, 4]), 'unit')
    """
    return functools.partial(
        STULayer,
        filter_length=n_timesteps,
        n_filters=estimator.n_filters_,
        hankel=estimator.hankel,
        input_lags=estimator.input_lags,
        use_negative=estimator.use_negative,
        use_tensordot=estimator.use_tensordot,
        filter_scaling="unit",
        init="normal",
    )


class _STULayers:
    """The STU layer, its filters and the linear path, shared by both estimators."""

    def _layer_factory(self, n_timesteps):
        # Stacked STU layers share the filters of the training length (cached).
        self.filters_ = stu_filters(n_timesteps, self.n_filters, self.hankel)
        self.n_filters_ = self.filters_.shape[1]
        return stu_layer_factory(self, n_timesteps)

    def _skip_path(self, d_input, d_output, n_timesteps):
        if not self.linear_skip:
            return None
        return functools.partial(
            STUSkip,
            d_input,
            d_output,
            n_timesteps,
            n_filters=self.n_filters_,
            hankel=self.hankel,
            input_lags=self.input_lags,
            use_negative=self.use_negative,
            filter_scaling="unit",
        )


class STURegressor(_STULayers, DeepRegressorBase):
    """Regressor on a stack of Spectral Transform Unit layers, trained by gradient.

    Each layer convolves its inputs with fixed spectral filters (the top eigenvectors of
    a Hankel matrix, Agarwal et al., 2023) and learns only the mixing matrices; the
    layers sit in the shared deep backbone (encoder, residual blocks with GLU, final norm,
    linear head) next to a linear STU path from the inputs to the outputs. For the exact,
    convex one-layer fit use :class:`~sksssm.SpectralFilterRegressor`.

    Parameters
    ----------
    %(stu_parameters)s
    %(return_sequences)s
    %(deep_parameters)s

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
    history_ : skorch.History
    device_ : torch.device
    n_filters_ : int
    filters_ : ndarray of shape (n_timesteps, n_filters_)
        The paper's filters of the training length (the layers use them normalised).
    max_epochs_, n_epochs_ : int
        Epochs planned (``max_epochs`` resolved) and run.
    bidirectional_, early_stopping_ : bool
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import STURegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 24))
    >>> y = X[:, -5:].sum(axis=1)
    >>> reg = STURegressor(n_filters=4, d_model=8, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {**STU_PARAMETER_CONSTRAINTS, "return_sequences": ["boolean"]}

    def __init__(
        self,
        n_filters=24,
        *,
        hankel="Z",
        input_lags=3,
        use_negative=True,
        use_tensordot=True,
        linear_skip=True,
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
        self.n_filters = n_filters
        self.hankel = hankel
        self.input_lags = input_lags
        self.use_negative = use_negative
        self.use_tensordot = use_tensordot
        self.linear_skip = linear_skip
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


class STUClassifier(_STULayers, DeepClassifierBase):
    """Sequence classifier on a stack of Spectral Transform Unit layers.

    Each layer convolves its inputs with fixed spectral filters (the top eigenvectors of
    a Hankel matrix, Agarwal et al., 2023) and learns only the mixing matrices; the layers
    sit in the shared deep backbone (encoder, residual blocks with GLU, pooling over time,
    linear head), bidirectional by default, and are trained through skorch. For the
    closed-form spectral classifier use :class:`~sksssm.SpectralFilterClassifier`.

    Parameters
    ----------
    %(stu_parameters)s
    %(deep_parameters)s

    Attributes
    ----------
    classes_ : ndarray
        The class labels (any type; strings included).
    net_ : skorch.NeuralNetClassifier
    history_ : skorch.History
    device_ : torch.device
    n_filters_ : int
    max_epochs_, n_epochs_ : int
    bidirectional_, early_stopping_ : bool
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm import STUClassifier
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 1, 32)
    >>> X = np.r_[np.sin(8 * t) + 0.1 * rng.normal(size=(20, 32)),
    ...           np.cos(8 * t) + 0.1 * rng.normal(size=(20, 32))]
    >>> y = np.repeat(["sin", "cos"], 20)
    >>> clf = STUClassifier(n_filters=8, d_model=8, max_epochs=20, random_state=0).fit(X, y)
    >>> float(clf.score(X, y))
    1.0
    """

    _parameter_constraints = STU_PARAMETER_CONSTRAINTS

    def __init__(
        self,
        n_filters=24,
        *,
        hankel="Z",
        input_lags=3,
        use_negative=True,
        use_tensordot=True,
        linear_skip=True,
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
        self.n_filters = n_filters
        self.hankel = hankel
        self.input_lags = input_lags
        self.use_negative = use_negative
        self.use_tensordot = use_tensordot
        self.linear_skip = linear_skip
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


for _estimator in (STURegressor, STUClassifier):
    _estimator.__doc__ = _estimator.__doc__ % {
        "stu_parameters": STU_PARAMETERS_DOC.strip(),
        "deep_parameters": DEEP_PARAMETERS_DOC.strip(),
        "return_sequences": RETURN_SEQUENCES_DOC.strip(),
    }
