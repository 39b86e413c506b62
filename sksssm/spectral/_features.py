"""Causal FFT convolutions and the STU feature map (numpy, float64)."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.fft
from sklearn.utils._param_validation import Interval, validate_params


def _as_float_array(x, name: str, ndim: int, layout: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}D {layout}, got shape {x.shape}.")
    if np.iscomplexobj(x):
        raise ValueError(f"{name} must be real, got dtype {x.dtype}.")
    return x.astype(np.float64, copy=False)


@validate_params(
    {
        "u": ["array-like"],
        "filters": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def causal_convolve(u, filters) -> np.ndarray:
    """Causal convolution of every channel with every filter, by zero-padded FFT.

    ``out[:, t, c, k] = sum_{s=0}^{min(t, L_f - 1)} filters[s, k] * u[:, t - s, c]``.
    The FFT length is at least ``n_timesteps + L_f - 1``, so the circular convolution
    equals the linear one (nothing wraps around from the end to the start).

    Parameters
    ----------
    u : array-like of shape (n_samples, n_timesteps, n_channels)
        Input sequences (batch, time, channels).
    filters : array-like of shape (filter_length, n_filters)
        Filters; ``filter_length`` may differ from ``n_timesteps`` (only the first
        ``n_timesteps`` taps can reach an output).

    Returns
    -------
    ndarray of shape (n_samples, n_timesteps, n_channels, n_filters), float64

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import causal_convolve
    >>> u = np.array([1.0, 2.0, 3.0]).reshape(1, 3, 1)
    >>> causal_convolve(u, np.array([[1.0], [10.0]]))[0, :, 0, 0]
    array([ 1., 12., 23.])
    """
    u = _as_float_array(u, "u", 3, "(n_samples, n_timesteps, n_channels)")
    filters = _as_float_array(filters, "filters", 2, "(filter_length, n_filters)")
    n_timesteps = u.shape[1]
    filters = filters[:n_timesteps]  # taps beyond the sequence never reach an output
    n_fft = scipy.fft.next_fast_len(n_timesteps + filters.shape[0] - 1, real=True)
    u_spectrum = scipy.fft.rfft(u, n_fft, axis=1)  # (n, F, c)
    filter_spectrum = scipy.fft.rfft(filters, n_fft, axis=0)  # (F, K)
    product = u_spectrum[..., None] * filter_spectrum[None, :, None, :]
    return scipy.fft.irfft(product, n_fft, axis=1)[:, :n_timesteps]


def _shift_in_time(x: np.ndarray, lag: int) -> np.ndarray:
    """``x`` delayed by ``lag`` steps along axis 1, zeros before the start."""
    shifted = np.zeros_like(x)
    if lag < x.shape[1]:
        shifted[:, lag:] = x[:, : x.shape[1] - lag]
    return shifted


def _check_input_lags(input_lags) -> int:
    if isinstance(input_lags, bool | np.bool_) or not isinstance(input_lags, numbers.Integral):
        raise ValueError(f"input_lags must be a non-negative integer, got {input_lags!r}.")
    if input_lags < 0:
        raise ValueError(f"input_lags must be a non-negative integer, got {input_lags}.")
    return int(input_lags)


@validate_params(
    {
        "n_channels": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_filters": [Interval(numbers.Integral, 0, None, closed="left")],
        "input_lags": [Interval(numbers.Integral, 0, None, closed="left")],
        "use_negative": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def n_stu_features(
    n_channels: int, n_filters: int, input_lags: int = 3, use_negative: bool = True
) -> int:
    """Number of features :func:`stu_features` returns.

    ``n_channels * n_filters`` per spectral branch (one, or two with the negative branch)
    plus ``n_channels * input_lags`` direct terms.

    Parameters
    ----------
    n_channels : int
        Input channels ``c``.
    n_filters : int
        Filters ``K`` (after any capping).
    input_lags : int, default=3
        Direct terms per channel.
    use_negative : bool, default=True
        Whether the negative branch is included.

    Returns
    -------
    int

    Examples
    --------
    >>> from sksssm.spectral import n_stu_features
    >>> n_stu_features(2, 24, input_lags=3, use_negative=True)
    102
    """
    n_branches = 2 if use_negative else 1
    return n_channels * (n_branches * n_filters + input_lags)


#: The arguments of :func:`stu_features` and :func:`stu_features_last`.
_STU_FEATURE_PARAMETERS = {
    "u": ["array-like"],
    "filters": ["array-like"],
    "input_lags": [Interval(numbers.Integral, 0, None, closed="left")],
    "use_negative": ["boolean"],
}


@validate_params(_STU_FEATURE_PARAMETERS, prefer_skip_nested_validation=True)
def stu_features(u, filters, *, input_lags: int = 3, use_negative: bool = True) -> np.ndarray:
    """Spectral (STU) features of the past inputs plus short direct input lags.

    For each time ``t``, channel ``c`` and filter ``k``:

    - positive branch: ``sum_{s>=0} filters[s, k] * u[:, t - 1 - s, c]`` (the *past*
      inputs, as in the STU paper);
    - negative branch: the same with ``filters[s, k] * (-1)^s``;
    - direct terms: ``u[:, t - j, c]`` for ``j = 0, ..., input_lags - 1`` (zero before
      the start).

    Every feature at time ``t`` depends only on inputs at times ``<= t``.

    Parameters
    ----------
    u : array-like of shape (n_samples, n_timesteps, n_channels)
        Input sequences (batch, time, channels).
    filters : array-like of shape (filter_length, n_filters)
        Spectral filters, typically :func:`~sksssm.spectral.stu_filters`.
    input_lags : int, default=3
        Number of direct terms per channel (``0`` for none).
    use_negative : bool, default=True
        Whether to include the negative (alternating-sign) branch.

    Returns
    -------
    ndarray of shape (n_samples, n_timesteps, n_features), float64
        Feature order: positive branch at index ``c * K + k``, then (if ``use_negative``)
        the negative branch at ``c * K + k`` of the next block, then the direct terms at
        ``c * input_lags + j``. ``n_features`` is :func:`n_stu_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import stu_features, stu_filters
    >>> u = np.random.default_rng(0).standard_normal((2, 50, 3))
    >>> stu_features(u, stu_filters(50, 4)).shape
    (2, 50, 33)
    """
    input_lags = _check_input_lags(input_lags)
    u = _as_float_array(u, "u", 3, "(n_samples, n_timesteps, n_channels)")
    filters = _as_float_array(filters, "filters", 2, "(filter_length, n_filters)")
    bank = _filter_bank(filters, use_negative)
    # Convolving the past is convolving u and delaying the result by one step.
    spectral = _shift_in_time(causal_convolve(u, bank), 1)  # (n, t, c, n_branches * K)
    lags = np.zeros(u.shape + (input_lags,))
    for j in range(input_lags):
        lags[..., j] = _shift_in_time(u, j)
    return _assemble(spectral, lags, filters.shape[1])


@validate_params(_STU_FEATURE_PARAMETERS, prefer_skip_nested_validation=True)
def stu_features_last(u, filters, *, input_lags: int = 3, use_negative: bool = True):
    """The features of the last time step only: ``stu_features(u, filters)[:, -1]``.

    Computed directly as dot products of the reversed past with the filters (``O(t K c)``
    per sequence, no FFT of every step), for sequence-to-one regression.

    Parameters
    ----------
    u : array of shape (n_samples, n_timesteps, n_channels)
    filters : array of shape (filter_length, n_filters)
    input_lags : int, default=3
    use_negative : bool, default=True

    Returns
    -------
    features : ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import stu_features, stu_features_last, stu_filters
    >>> u = np.random.default_rng(0).normal(size=(2, 40, 3))
    >>> filters = stu_filters(40, 5)
    >>> bool(np.allclose(stu_features_last(u, filters), stu_features(u, filters)[:, -1]))
    True
    """
    input_lags = _check_input_lags(input_lags)
    u = _as_float_array(u, "u", 3, "(n_samples, n_timesteps, n_channels)")
    filters = _as_float_array(filters, "filters", 2, "(filter_length, n_filters)")
    return _stu_features_last(u, filters, input_lags, use_negative)


def _stu_features_last(u, filters, input_lags, use_negative):
    """:func:`stu_features_last` on checked float arrays (the per-step recursions' path)."""
    bank = _filter_bank(filters, use_negative)
    past = u[:, -2::-1, :][:, : bank.shape[0], :]  # u_{t-1}, u_{t-2}, ...
    spectral = np.einsum("nmc,mk->nck", past, bank[: past.shape[1]])
    recent = u[:, ::-1, :][:, :input_lags, :]  # u_t, u_{t-1}, ... (fewer if t is short)
    lags = np.zeros((u.shape[0], u.shape[2], input_lags))
    lags[:, :, : recent.shape[1]] = np.swapaxes(recent, 1, 2)
    return _assemble(spectral[:, None], lags[:, None], filters.shape[1])[:, 0]


def _filter_bank(filters, use_negative):
    """The filters of every branch side by side: ``[filters, filters * (-1)^s]``."""
    if not use_negative:
        return filters
    alternating = np.where(np.arange(filters.shape[0]) % 2 == 0, 1.0, -1.0)
    return np.concatenate([filters, filters * alternating[:, None]], axis=1)


def _assemble(spectral, lags, n_filters):
    """Features in the documented order from ``spectral`` (n, t, c, n_branches * K) and
    ``lags`` (n, t, c, input_lags): branch-major blocks, channel-major within a block."""
    n_samples, n_timesteps, n_channels, width = spectral.shape
    branches = spectral.reshape(n_samples, n_timesteps, n_channels, width // n_filters, n_filters)
    blocks = [
        branches[..., b, :].reshape(n_samples, n_timesteps, -1) for b in range(width // n_filters)
    ]
    blocks.append(lags.reshape(n_samples, n_timesteps, -1))
    return np.concatenate(blocks, axis=-1)


@validate_params(
    {"Y": ["array-like"], "order": [Interval(numbers.Integral, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
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
    >>> from sksssm.spectral import autoregressive_features
    >>> autoregressive_features(np.arange(4.0).reshape(1, 4, 1), 2)[0, :, :].tolist()
    [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 1.0]]
    """
    return _autoregressive_features(_as_float_array(Y, "Y", 3, "(n, t, c_out)"), order)


def _autoregressive_features(Y, order):
    """:func:`autoregressive_features` without argument checks (the forecast loop's path)."""
    n, t, c = Y.shape
    out = np.zeros((n, t, order * c))
    for lag in range(1, min(order, t - 1) + 1):
        out[:, lag:, (lag - 1) * c : lag * c] = Y[:, : t - lag, :]
    return out


@validate_params(
    {
        "Y_input": ["array-like"],
        "ar_coef": ["array-like"],
        "order": [Interval(numbers.Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def feed_back_outputs(Y_input, ar_coef, order):
    """Run the output recursion ``y_t = Y_input_t + sum_i A_i y_{t-i}`` over time.

    This is the free-run counterpart of the teacher forcing used in fitting: each step's
    past outputs are the recursion's own earlier values (zero before the start).

    Parameters
    ----------
    Y_input : array-like of shape (n, t, c_out)
        The input-driven part of each prediction (features times their weights, plus
        the intercept).
    ar_coef : array-like of shape (c_out, order * c_out)
        The autoregressive weights, in the column layout of
        :func:`autoregressive_features` (lag-major: the ``c_out`` outputs at lag 1,
        then at lag 2, ...).
    order : int
        Number of past outputs ``p`` in the recursion.

    Returns
    -------
    ndarray of shape (n, t, c_out)
        The outputs ``y`` of the recursion, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import feed_back_outputs
    >>> y = feed_back_outputs(np.ones((1, 4, 1)), np.array([[0.5]]), 1)
    >>> y[0, :, 0].tolist()
    [1.0, 1.5, 1.75, 1.875]
    """
    Y_input = np.asarray(Y_input, dtype=np.float64)
    ar_coef = np.asarray(ar_coef, dtype=np.float64)
    n, t, c = Y_input.shape
    if ar_coef.shape != (c, order * c):
        raise ValueError(
            f"ar_coef must have shape (c_out, order * c_out) = ({c}, {order * c}) for "
            f"Y_input with {c} output channel(s) and order {order}; got {ar_coef.shape}."
        )
    Y = Y_input.copy()
    # A_i stacked so that one matrix product per step applies every lag at once.
    ar_matrix = ar_coef.reshape(c, order, c).transpose(1, 2, 0).reshape(order * c, c)
    history = np.zeros((n, order * c))  # [y_{t-1}, ..., y_{t-order}], lag-major
    for step in range(t):
        Y[:, step] += history @ ar_matrix
        history = np.concatenate([Y[:, step], history[:, : (order - 1) * c]], axis=1)
    return Y
