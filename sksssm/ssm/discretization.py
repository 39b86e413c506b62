"""Discretization of diagonal LTI systems and their Vandermonde convolution kernels.

Both functions are (numpy|torch): they accept numpy arrays or torch tensors and return the
type they were given (differentiable with tensors).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int
from ._array import arange, as_array, namespace, to_complex

DISCRETIZATION_METHODS = ("zoh", "bilinear")


def discretize(eigenvalues, B, dt, method: str = "zoh"):
    """Discretize the diagonal system ``x' = diag(eigenvalues) x + B u`` with step ``dt``.

    - ``"zoh"`` (zero-order hold): ``lambda_bar = exp(lambda dt)``,
      ``B_bar = (lambda_bar - 1) / lambda * B``.
    - ``"bilinear"``: ``lambda_bar = (1 + lambda dt/2) / (1 - lambda dt/2)``,
      ``B_bar = dt / (1 - lambda dt/2) * B`` (S4's convention: Tustin's map of the
      state matrix, without the feedthrough that textbook Tustin, e.g.
      ``scipy.signal.cont2discrete(..., "bilinear")``, adds to ``y = C x``).

    (numpy|torch). Shapes broadcast: e.g. ``eigenvalues (N,)``, ``B (N,)`` and
    ``dt (H, 1)`` give ``(H, N)`` outputs, one system per channel.

    Parameters
    ----------
    eigenvalues : array of shape (..., N), complex
        Continuous-time eigenvalues (non-zero for ``"zoh"``).
    B : array of shape (..., N)
        Input vector in the eigenbasis.
    dt : float or array broadcastable against ``eigenvalues``
        Step size(s), positive.
    method : {"zoh", "bilinear"}, default="zoh"

    Returns
    -------
    lambda_bar : array of shape (..., N), complex
    B_bar : array of shape (..., N), complex

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import discretize
    >>> lam_bar, B_bar = discretize(np.array([-0.5 + 1j]), np.array([1.0]), 0.1)
    >>> bool(np.allclose(lam_bar, np.exp(0.1 * (-0.5 + 1j))))
    True
    """
    if method not in DISCRETIZATION_METHODS:
        raise ValueError(f"method must be one of {DISCRETIZATION_METHODS}; got {method!r}.")
    xp = namespace(eigenvalues, B, dt)
    B = as_array(B, eigenvalues)
    dt = as_array(dt, eigenvalues)
    dt_lambda = eigenvalues * dt
    if method == "zoh":
        lambda_bar = xp.exp(dt_lambda)
        return lambda_bar, (lambda_bar - 1) / eigenvalues * B
    denominator = 1 - dt_lambda / 2
    return (1 + dt_lambda / 2) / denominator, dt / denominator * B


def vandermonde_kernel(
    lambda_bar, B_bar, C, n_timesteps: int, *, conjugate_pairs: bool = False, log_lambda_bar=None
):
    """Real convolution kernel of a discrete diagonal system.

    ``K[l] = Re(sum_n C_n B_bar_n lambda_bar_n ** l)`` for ``l = 0, ..., n_timesteps - 1``,
    computed as a Vandermonde product. Convention (as in S4): with ``x_{-1} = 0``,

        x_k = lambda_bar * x_{k-1} + B_bar * u_k,    y_k = Re(C x_k),

    so ``y_k = sum_{j <= k} K[k - j] u_j`` (``K[0] = Re(C B_bar)``, no extra delay).
    With ``conjugate_pairs=True`` the kernel is doubled, ``2 Re(...)``: the modes given
    stand for themselves *and* their complex conjugates (the S4D convention of keeping
    only the ``N/2`` eigenvalues with positive imaginary part).

    (numpy|torch). ``lambda_bar``, ``B_bar`` and ``C`` broadcast against each other on
    their leading axes; the last axis (``N``) is summed over.

    Parameters
    ----------
    lambda_bar : array of shape (..., N), complex, non-zero
    B_bar : array of shape (..., N)
    C : array of shape (..., N)
    n_timesteps : int
        Kernel length ``L``.
    conjugate_pairs : bool, default=False
        Double the kernel for implicit conjugate modes.
    log_lambda_bar : array of shape (..., N), complex, optional
        ``log(lambda_bar)`` when it is known exactly (ZOH: ``dt * eigenvalues``). Pass it
        for trainable systems: strongly damped modes underflow ``lambda_bar`` in float32,
        and the gradient of ``log(lambda_bar)`` is then infinite.

    Returns
    -------
    kernel : array of shape (..., n_timesteps), real

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.ssm import vandermonde_kernel
    >>> vandermonde_kernel(np.array([0.5]), np.array([1.0]), np.array([2.0]), 4)
    array([2.  , 1.  , 0.5 , 0.25])
    """
    n_timesteps = check_positive_int(n_timesteps, "n_timesteps")
    xp = namespace(lambda_bar, B_bar, C)
    lambda_bar = to_complex(lambda_bar)
    weights = as_array(C, lambda_bar) * as_array(B_bar, lambda_bar)
    exponents = arange(n_timesteps, lambda_bar)
    # lambda^l = exp(l log lambda): one vectorised (..., N, L) Vandermonde matrix. A known
    # log (ZOH: dt * eigenvalue) avoids log(lambda_bar) of an underflowed lambda_bar, whose
    # derivative 1 / lambda_bar is infinite in float32 for strongly damped modes.
    # Lag 0 is 1 whatever lambda: exp(0 * log 0) would be exp(nan) for a mode whose
    # lambda_bar underflowed to 0 (discretize of a strongly damped mode); its later lags
    # are exp(-inf) = 0, so numpy's warnings about log(0) say nothing wrong.
    with np.errstate(divide="ignore", invalid="ignore"):
        if log_lambda_bar is None:
            log_lambda_bar = xp.log(lambda_bar)
        log_lambda = as_array(log_lambda_bar, lambda_bar)[..., None]
        powers = xp.concatenate([xp.ones_like(log_lambda), xp.exp(log_lambda * exponents[1:])], -1)
    kernel = xp.real((weights[..., None] * powers).sum(-2))
    return 2 * kernel if conjugate_pairs else kernel
