"""Plotting helpers (matplotlib is an optional dependency: ``pip install sksssm[plot]``).

Every function draws on the Axes given as ``ax`` (a new figure's Axes otherwise) and
returns that Axes, so the helpers compose into subplots.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._validation import check_positive_int

#: Default number of lags for impulse responses when the object does not fix one.
DEFAULT_IMPULSE_LENGTH = 256


def _get_axes(ax):
    """Return ``ax``, or the Axes of a new figure; the one place matplotlib is imported."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "sksssm.plotting needs matplotlib, which is not installed. Install it with "
            "`pip install sksssm[plot]` (or `pip install matplotlib`)."
        ) from exc
    if ax is None:
        _, ax = plt.subplots()
    return ax


# ---------------------------------------------------------------------- spectral filters
def plot_spectral_filters(n_timesteps, n_filters=6, *, hankel="Z", scaled=False, ax=None):
    """Plot the spectral filters (top eigenvectors of the STU Hankel matrix).

    Parameters
    ----------
    n_timesteps : int
        Sequence length L (the filters' length).
    n_filters : int, default=6
        Number of filters to draw (capped as in :func:`sksssm.spectral.spectral_filters`).
    hankel : {"Z", "L"}, default="Z"
        Which Hankel matrix (see :func:`sksssm.spectral.spectral_filters`).
    scaled : bool, default=False
        Draw ``phi_k * sigma_k**0.25`` (the filters the STU convolves with) instead of the
        unit eigenvectors ``phi_k``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sksssm.plotting import plot_spectral_filters
    >>> ax = plot_spectral_filters(128, n_filters=4)
    >>> len(ax.get_lines())
    4
    """
    from .spectral import spectral_filters

    sigma, phi = spectral_filters(n_timesteps, n_filters, hankel=hankel)
    if scaled:
        phi = phi * sigma**0.25
    ax = _get_axes(ax)
    for k in range(phi.shape[1]):
        ax.plot(phi[:, k], label=f"$k={k + 1}$, $\\sigma_k$={sigma[k]:.2g}")
    ax.set_xlabel("lag $s$")
    ax.set_ylabel(r"$\phi_k(s)\,\sigma_k^{1/4}$" if scaled else r"$\phi_k(s)$")
    ax.set_title(f"Spectral filters (Hankel {hankel!r}, L={n_timesteps})")
    ax.legend(fontsize="small")
    return ax


# ---------------------------------------------------------------------- impulse responses
def impulse_response(obj, n_timesteps=None, *, layer=0):
    """Impulse responses of a fitted estimator, a sequence layer, or a kernel array.

    Supported objects:

    - a closed-form :class:`~sksssm.SpectralFilterRegressor` fitted with
      ``return_sequences=True``: the response of each output to a unit impulse in each
      input, computed from ``coef_`` and ``filters_`` (output autoregression, if any,
      included);
    - a fitted deep estimator (HOPE, PTD; ``net_``): the responses of the channels of
      layer ``layer`` (its ``impulse_responses`` method where it has one);
    - a sequence layer with an ``impulse_response(n)`` method (:class:`sksssm.nn.HOPELayer`)
      or a ``kernel(n)`` method and feed-through ``D`` (:class:`sksssm.nn.DiagonalSSMConv`);
    - an array (numpy or torch) of shape ``(n_timesteps,)`` or ``(n_kernels, n_timesteps)``.

    Parameters
    ----------
    obj : estimator, torch module or array-like
    n_timesteps : int, optional
        Number of lags. Defaults to the filter length of a spectral regressor, the length
        of an array, and 256 otherwise.
    layer : int, default=0
        Which layer of a deep estimator.

    Returns
    -------
    responses : ndarray of shape (n_lines, n_timesteps)
        One row per (input, output) pair or per channel.
    labels : list of str
        A label for each row.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.plotting import impulse_response
    >>> responses, labels = impulse_response(0.5 ** np.arange(4))
    >>> responses.tolist(), labels
    ([[1.0, 0.5, 0.25, 0.125]], ['kernel 0'])
    """
    if n_timesteps is not None:
        n_timesteps = check_positive_int(n_timesteps, "n_timesteps")
    if hasattr(obj, "filters_") and hasattr(obj, "coef_"):
        return _spectral_regressor_response(obj, n_timesteps)
    if hasattr(obj, "net_"):
        return _deep_estimator_response(obj, n_timesteps, layer)
    if isinstance(obj, BaseEstimator):  # not fitted, or a model without a response
        check_is_fitted(obj)
        raise TypeError(
            f"{type(obj).__name__} has no impulse response: pass a fitted "
            "SpectralFilterRegressor (return_sequences=True), a HOPE or PTD estimator or "
            "layer, or a kernel array."
        )
    if hasattr(obj, "impulse_response") or hasattr(obj, "kernel"):
        return _layer_response(obj, n_timesteps or DEFAULT_IMPULSE_LENGTH, "channel")
    return _array_response(obj, n_timesteps)


def plot_impulse_response(obj, n_timesteps=None, *, layer=0, max_lines=8, ax=None):
    """Plot impulse responses: what an input spike at time 0 does to each output.

    Parameters
    ----------
    obj : estimator, torch module or array-like
        Anything :func:`impulse_response` accepts: a closed-form
        :class:`~sksssm.SpectralFilterRegressor` (``return_sequences=True``), a fitted
        HOPE or PTD estimator, a HOPE or diagonal SSM layer, or a kernel array.
    n_timesteps : int, optional
        Number of lags (see :func:`impulse_response`).
    layer : int, default=0
        Which layer of a deep estimator.
    max_lines : int, default=8
        Draw at most this many responses (the first ones), to keep the plot readable.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sksssm.plotting import plot_impulse_response
    >>> kernels = np.stack([0.9 ** np.arange(50), -(0.7 ** np.arange(50))])
    >>> ax = plot_impulse_response(kernels)
    >>> len(ax.get_lines())
    2
    """
    responses, labels = impulse_response(obj, n_timesteps, layer=layer)
    ax = _get_axes(ax)
    for response, label in zip(responses[:max_lines], labels[:max_lines], strict=True):
        ax.plot(response, label=label)
    ax.set_xlabel("lag")
    ax.set_ylabel("impulse response")
    ax.set_title(f"Impulse response ({type(obj).__name__})")
    if len(labels) > 1:
        ax.legend(fontsize="small")
    return ax


def _spectral_regressor_response(reg, n_timesteps):
    if not getattr(reg, "return_sequences_", False):
        raise ValueError(
            "The impulse response of a SpectralFilterRegressor needs return_sequences=True "
            "(a sequence-to-one model has no response over time)."
        )
    n_timesteps = n_timesteps or reg.filters_.shape[0]
    n_inputs = reg.n_channels_
    # The fitted model is affine in its inputs, so its impulse response is its prediction
    # for a unit impulse minus its prediction for zero input (the intercept's response).
    # 2D X fixes the sequence length at predict; the model is causal, so the response to
    # a longer impulse sequence, truncated, is the response to a shorter one.
    length = reg.n_features_in_ if reg.X_ndim_ == 2 else n_timesteps
    if n_timesteps > length:
        raise ValueError(
            f"This SpectralFilterRegressor was fitted on 2D X of {length} time steps, so its "
            f"response is defined for at most {length} steps; got n_timesteps={n_timesteps}."
        )
    impulses = np.zeros((n_inputs, n_inputs, length))
    impulses[np.arange(n_inputs), np.arange(n_inputs), 0] = 1.0
    if reg.X_ndim_ == 2:
        impulses = impulses[:, 0, :]
    Y = reg.predict(impulses) - reg.predict(np.zeros_like(impulses))
    Y = Y.reshape(n_inputs, -1, length)[:, :, :n_timesteps]  # (input, output, time)
    responses = Y.reshape(-1, n_timesteps)
    labels = [f"in {i} -> out {j}" for i in range(n_inputs) for j in range(Y.shape[1])]
    return responses, labels


def _deep_estimator_response(est, n_timesteps, layer):
    n_timesteps = n_timesteps or DEFAULT_IMPULSE_LENGTH
    n_layers = len(est.net_.module_.blocks)
    if (
        isinstance(layer, bool)
        or not isinstance(layer, numbers.Integral)
        or not (0 <= layer < n_layers)
    ):
        raise ValueError(
            f"layer must be an integer in [0, {n_layers}) for this {type(est).__name__} "
            f"of {n_layers} layers; got {layer!r}."
        )
    if hasattr(est, "impulse_responses"):
        responses = est.impulse_responses(n_timesteps)[layer]
        return np.asarray(responses), [f"channel {c}" for c in range(len(responses))]
    module = est.net_.module_.blocks[layer].layer
    if hasattr(module, "forward_layer"):
        # A bidirectional layer: the causal (forward-in-time) half has the impulse response;
        # the other half is the same kind of response run on the reversed sequence.
        return _layer_response(module.forward_layer, n_timesteps, "forward channel")
    return _layer_response(module, n_timesteps, "channel")


def _layer_response(module, n_timesteps, prefix):
    import torch

    with torch.no_grad():
        if hasattr(module, "impulse_response"):
            responses = np.asarray(module.impulse_response(n_timesteps))
        elif hasattr(module, "kernel") and hasattr(module, "D"):
            kernel = module.kernel(n_timesteps).detach().clone()
            kernel[:, 0] += module.D.detach()
            responses = kernel.cpu().double().numpy()
        else:
            raise TypeError(
                f"{type(module).__name__} has no impulse response: pass a fitted "
                "SpectralFilterRegressor, a HOPE/PTD estimator or layer, or a kernel array."
            )
    return responses, [f"{prefix} {c}" for c in range(len(responses))]


def _array_response(kernel, n_timesteps):
    if hasattr(kernel, "detach"):  # a torch tensor
        kernel = kernel.detach().cpu().numpy()
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim not in (1, 2):
        raise ValueError(
            f"A kernel array must have shape (n_timesteps,) or (n_kernels, n_timesteps); "
            f"got shape {kernel.shape}."
        )
    kernel = np.atleast_2d(kernel)[:, :n_timesteps]
    return kernel, [f"kernel {k}" for k in range(kernel.shape[0])]


# ---------------------------------------------------------------------- transfer functions
def transfer_function_magnitudes(N=64, frequencies=None, *, random_state=0):
    """``|G(i omega)|`` of HiPPO-LegS, its S4D-LegS and its PTD diagonal approximations.

    All three share ``B`` (HiPPO-LegS's) and a random output vector ``C``; S4D-LegS drops
    the rank-one part of HiPPO (:func:`sksssm.ssm.hippo_legs_nplr`) and PTD diagonalizes a
    slightly perturbed HiPPO (:func:`sksssm.ssm.perturb_then_diagonalize`).

    Parameters
    ----------
    N : int, default=64
        State dimension.
    frequencies : ndarray, optional
        Angular frequencies ``omega``; default 400 points log-spaced over ``[1e-2, 1e4]``.
    random_state : int, default=0
        Seed of ``C``.

    Returns
    -------
    frequencies : ndarray of shape (M,)
    magnitudes : dict of str to ndarray of shape (M,)

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.plotting import transfer_function_magnitudes
    >>> omega, mags = transfer_function_magnitudes(8, np.logspace(-1, 1, 5))
    >>> sorted(mags)
    ['HiPPO-LegS', 'PTD', 'S4D-LegS']
    """
    from .ssm import (
        hippo_legs,
        hippo_legs_nplr,
        perturb_then_diagonalize,
        transfer_function,
        transfer_function_dense,
    )

    omega = np.logspace(-2, 4, 400) if frequencies is None else np.asarray(frequencies)
    A, B = hippo_legs(N)
    C = np.random.default_rng(random_state).standard_normal(N)
    S, _, _ = hippo_legs_nplr(N)
    ptd = perturb_then_diagonalize(A, B, C)
    s = 1j * omega
    magnitudes = {
        "HiPPO-LegS": transfer_function_dense(A, B, C, s),
        "S4D-LegS": transfer_function_dense(S, B, C, s),
        "PTD": transfer_function(ptd.eigenvalues, ptd.B_tilde, ptd.C_tilde, s),
    }
    return omega, {name: np.abs(G) for name, G in magnitudes.items()}


def plot_transfer_function(N=64, frequencies=None, *, random_state=0, ax=None):
    """Plot ``|G(i omega)|`` of HiPPO-LegS against its S4D-LegS and PTD approximations.

    PTD's diagonal system stays uniformly close to HiPPO-LegS (strong convergence), while
    S4D-LegS departs from it (weak convergence only); see
    :func:`transfer_function_magnitudes` for the systems compared.

    Parameters
    ----------
    N : int, default=64
        State dimension.
    frequencies : ndarray, optional
        Angular frequencies (default 400 points over ``[1e-2, 1e4]``).
    random_state : int, default=0
        Seed of the shared output vector ``C``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sksssm.plotting import plot_transfer_function
    >>> ax = plot_transfer_function(N=8)
    >>> [line.get_label() for line in ax.get_lines()]
    ['HiPPO-LegS', 'S4D-LegS', 'PTD']
    """
    omega, magnitudes = transfer_function_magnitudes(N, frequencies, random_state=random_state)
    ax = _get_axes(ax)
    styles = {"HiPPO-LegS": "-", "S4D-LegS": "--", "PTD": ":"}
    for name, magnitude in magnitudes.items():
        ax.loglog(omega, magnitude, styles[name], label=name, linewidth=1.5)
    ax.set_xlabel(r"frequency $\omega$")
    ax.set_ylabel(r"$|G(i\omega)|$")
    ax.set_title(f"Transfer functions, N={N}")
    ax.legend()
    return ax


# ---------------------------------------------------------------------- training history
def plot_history(estimator_or_history, *, ax=None):
    """Plot the training (and validation) loss per epoch of a deep estimator.

    Parameters
    ----------
    estimator_or_history : estimator, skorch History or list of dict
        A fitted deep estimator (its ``history_``), or a history: one dict per epoch with
        ``"train_loss"`` and optionally ``"valid_loss"``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sksssm.plotting import plot_history
    >>> history = [{"epoch": 1, "train_loss": 1.0, "valid_loss": 1.2},
    ...            {"epoch": 2, "train_loss": 0.5, "valid_loss": 0.8}]
    >>> ax = plot_history(history)
    >>> [line.get_label() for line in ax.get_lines()]
    ['training loss', 'validation loss']
    """
    if isinstance(estimator_or_history, BaseEstimator):
        check_is_fitted(estimator_or_history)
        if not hasattr(estimator_or_history, "history_"):
            raise TypeError(
                f"{type(estimator_or_history).__name__} has no training history (it is "
                "not trained by epochs); pass a fitted deep estimator (STU, PTD, HOPE) or "
                "a history."
            )
    history = getattr(estimator_or_history, "history_", estimator_or_history)
    epochs = [row.get("epoch", i + 1) for i, row in enumerate(history)]
    ax = _get_axes(ax)
    for key, label in (("train_loss", "training loss"), ("valid_loss", "validation loss")):
        values = [row.get(key, np.nan) for row in history]
        if np.isfinite(np.asarray(values, dtype=float)).any():
            ax.plot(epochs, values, marker="o", markersize=3, label=label)
    if not ax.get_lines():
        raise ValueError(
            "The history has no 'train_loss' or 'valid_loss' entries; pass a fitted deep "
            "estimator (STURegressor, PTD, HOPE) or its history_."
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title("Training history")
    ax.legend()
    return ax


# ---------------------------------------------------------------------- forecasts
def plot_forecast(y_train, y_pred, y_test=None, intervals=None, *, ax=None):
    """Plot a forecast with its history, the truth and prediction intervals.

    Parameters
    ----------
    y_train : pandas.Series or array-like
        The series the forecaster was fitted on.
    y_pred : pandas.Series or array-like
        Point forecasts. Arrays are placed right after ``y_train``.
    y_test : pandas.Series or array-like, optional
        The held-out truth.
    intervals : pandas.DataFrame, optional
        Prediction intervals as returned by sktime's ``predict_interval``: columns
        ``(variable, coverage, "lower"/"upper")`` (or ``(coverage, "lower"/"upper")``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when None.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sksssm.plotting import plot_forecast
    >>> ax = plot_forecast(np.arange(10.0), np.arange(10.0, 13.0), y_test=[10.5, 11, 12])
    >>> [line.get_label() for line in ax.get_lines()]
    ['training', 'test', 'forecast']
    """
    if any(hasattr(y, "predict") for y in (y_train, y_pred)):
        raise TypeError(
            "plot_forecast takes the series, not a forecaster: plot_forecast(y_train, "
            "forecaster.predict(fh), y_test, forecaster.predict_interval(fh))."
        )
    for name, y in (("y_train", y_train), ("y_pred", y_pred), ("y_test", y_test)):
        if y is not None and np.ndim(y) == 2 and np.shape(y)[1] != 1:
            raise ValueError(
                f"plot_forecast draws one series; {name} has {np.shape(y)[1]} columns. "
                "Plot each variable on its own, e.g. plot_forecast(y_train[c], y_pred[c], ...)."
            )
    x_train, train = _series_xy(y_train)
    next_x = len(train) + np.arange(len(np.asarray(y_pred)))
    ax = _get_axes(ax)
    ax.plot(x_train, train, color="0.3", label="training")
    if y_test is not None:
        ax.plot(*_series_xy(y_test, default_x=next_x), color="k", label="test")
    x_pred, pred = _series_xy(y_pred, default_x=next_x)
    ax.plot(x_pred, pred, color="C1", label="forecast")
    for coverage, lower, upper in _interval_bounds(intervals):
        ax.fill_between(
            x_pred, lower, upper, color="C1", alpha=0.25, label=f"{coverage:.0%} interval"
        )
    ax.set_xlabel("time")
    ax.legend()
    return ax


def _series_xy(y, default_x=None):
    """x and y values to plot; a pandas PeriodIndex becomes timestamps."""
    index = y.index if hasattr(y, "iloc") else None  # pandas objects only
    values = np.asarray(y, dtype=float).ravel()
    if index is None:
        x = np.arange(len(values)) if default_x is None else default_x
    elif hasattr(index, "to_timestamp"):
        x = index.to_timestamp()
    else:
        x = np.asarray(index)
    return x, values


def _interval_bounds(intervals):
    """Yield ``(coverage, lower, upper)`` from a sktime ``predict_interval`` frame."""
    if intervals is None:
        return
    columns = intervals.columns
    if columns.nlevels < 2:
        raise ValueError(
            "intervals must have (coverage, 'lower'/'upper') column levels, as returned by "
            f"sktime's predict_interval; got columns {list(columns)}."
        )
    coverages = dict.fromkeys(column[-2] for column in columns)
    for coverage in coverages:
        lower = intervals[[c for c in columns if c[-2] == coverage and c[-1] == "lower"][0]]
        upper = intervals[[c for c in columns if c[-2] == coverage and c[-1] == "upper"][0]]
        yield float(coverage), lower.to_numpy(float), upper.to_numpy(float)
