"""Synthetic sequence tasks used by the examples, tests and benchmarks.

Everything here is generated locally (no downloads); arrays use the public layouts of
``docs/design.md``: ``X`` ``(n_samples, n_channels, n_timesteps)``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ._validation import check_positive_int


def _check_sizes(**sizes):
    """The generators' integer sizes, each at least 1."""
    for name, value in sizes.items():
        check_positive_int(value, name)


def _check_real(value, name, *, low, high=np.inf):
    """A real number in ``[low, high]`` (the generators' moduli and noise levels)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise ValueError(f"{name} must be a real number in [{low}, {high}]; got {value!r}.")


def simulate_linear_system(A, B, C, D, U, x0=None):
    """Simulate ``x_{t+1} = A x_t + B u_t``, ``y_t = C x_t + D u_t`` from ``x_0 = 0``.

    Parameters
    ----------
    A : ndarray of shape (d_h, d_h)
    B : ndarray of shape (d_h, d_in)
    C : ndarray of shape (d_out, d_h)
    D : ndarray of shape (d_out, d_in)
    U : ndarray of shape (n_samples, d_in, n_timesteps)
    x0 : ndarray of shape (n_samples, d_h) or (d_h,), optional
        Initial state (one for all samples if 1D); zero by default.

    Returns
    -------
    Y : ndarray of shape (n_samples, d_out, n_timesteps)

    Examples
    --------
    >>> import numpy as np
    >>> A, B, C, D = [[0.5]], [[1.0]], [[1.0]], [[0.0]]
    >>> U = np.array([[[1.0, 0.0, 0.0, 0.0]]])  # an impulse
    >>> simulate_linear_system(A, B, C, D, U)[0, 0].tolist()
    [0.0, 1.0, 0.5, 0.25]
    """
    A, B, C, D = (np.atleast_2d(np.asarray(M, dtype=float)) for M in (A, B, C, D))
    U = np.asarray(U, dtype=float)
    if U.ndim != 3:
        raise ValueError(f"U must have shape (n_samples, d_in, n_timesteps); got shape {U.shape}.")
    n, d_in, T = U.shape
    d_h, d_out = A.shape[0], C.shape[0]
    expected = {"A": (d_h, d_h), "B": (d_h, d_in), "C": (d_out, d_h), "D": (d_out, d_in)}
    for name, M in zip("ABCD", (A, B, C, D), strict=True):
        if M.shape != expected[name]:
            raise ValueError(
                f"{name} must have shape {expected[name]} for a state of size {d_h}, "
                f"{d_in} inputs (U) and {d_out} outputs (C); got shape {M.shape}."
            )
    x = np.zeros((n, d_h)) if x0 is None else np.broadcast_to(x0, (n, d_h)).astype(float)
    Y = np.empty((n, C.shape[0], T))
    for t in range(T):
        Y[:, :, t] = x @ C.T + U[:, :, t] @ D.T
        x = x @ A.T + U[:, :, t] @ B.T
    return Y


def make_stu_system(
    n_samples=32,
    n_timesteps=1024,
    *,
    d_in=3,
    d_hidden=4,
    d_out=3,
    eigenvalue=0.9999,
    symmetric=False,
    noise=0.0,
    random_state=None,
):
    """The STU paper's marginally stable linear dynamical system, with random inputs.

    Following Agarwal et al. (2023): ``B``, ``C`` iid N(0, 1), ``D`` diagonal N(0, 1), ``A``
    diagonal with entries ``eigenvalue * (random sign)``; inputs iid N(0, 1). With
    ``symmetric=True`` ``A`` is instead a random symmetric matrix with eigenvalues
    uniform in ``[-eigenvalue, eigenvalue]``, the setting of the paper's error-vs-filters
    experiment.

    Parameters
    ----------
    n_samples, n_timesteps : int
    d_in, d_hidden, d_out : int
    eigenvalue : float, default=0.9999
        Spectral radius of ``A`` (marginal stability as it approaches 1).
    symmetric : bool, default=False
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the outputs ``y`` (not to ``y_clean``).
    random_state : int, RandomState instance or None

    Returns
    -------
    data : sklearn.utils.Bunch
        ``X`` (n, d_in, T), ``y`` (n, d_out, T), ``y_clean``, and the system ``A, B, C, D``.

    Examples
    --------
    >>> data = make_stu_system(n_samples=2, n_timesteps=16, random_state=0)
    >>> data.X.shape, data.y.shape
    ((2, 3, 16), (2, 3, 16))
    """
    _check_sizes(
        n_samples=n_samples, n_timesteps=n_timesteps, d_in=d_in, d_hidden=d_hidden, d_out=d_out
    )
    _check_real(eigenvalue, "eigenvalue", low=0.0)
    _check_real(noise, "noise", low=0.0)
    rng = check_random_state(random_state)
    if symmetric:
        Q, _ = np.linalg.qr(rng.normal(size=(d_hidden, d_hidden)))
        A = Q @ np.diag(rng.uniform(-eigenvalue, eigenvalue, d_hidden)) @ Q.T
    else:
        A = np.diag(eigenvalue * rng.choice([-1.0, 1.0], size=d_hidden))
    B = rng.normal(size=(d_hidden, d_in))
    C = rng.normal(size=(d_out, d_hidden))
    D = np.diag(rng.normal(size=min(d_out, d_in)))
    D = np.pad(D, ((0, d_out - D.shape[0]), (0, d_in - D.shape[1])))
    X = rng.normal(size=(n_samples, d_in, n_timesteps))
    y_clean = simulate_linear_system(A, B, C, D, X)
    y = y_clean + noise * rng.normal(size=y_clean.shape) if noise else y_clean.copy()
    return Bunch(X=X, y=y, y_clean=y_clean, A=A, B=B, C=C, D=D)


def make_rotation_system(
    n_samples=32, n_timesteps=1024, *, n_states=16, modulus=0.999, noise=0.0, random_state=None
):
    """A marginally stable SISO system of 2x2 rotation blocks, with random inputs.

    ``A`` is block diagonal with ``n_states // 2`` blocks ``modulus * [[cos w, -sin w],
    [sin w, cos w]]`` (frequencies ``w`` uniform in ``(0, pi)``): complex eigenvalues of
    modulus ``modulus`` that ring for about ``1 / (1 - modulus)`` steps. ``B``, ``C`` iid
    N(0, 1), ``D`` N(0, 1); inputs iid N(0, 1). An order-``n_states`` system, so an
    ARX(n_states, n_states) model is exact; its regression is ill-conditioned
    (``cond ~ 1e7`` for the defaults), the test case of exact least squares.

    Parameters
    ----------
    n_samples, n_timesteps : int
    n_states : int, default=16
        Even state dimension.
    modulus : float, default=0.999
        Modulus of every eigenvalue of ``A``.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to ``y`` (not to ``y_clean``).
    random_state : int, RandomState instance or None

    Returns
    -------
    data : sklearn.utils.Bunch
        ``X`` (n, 1, T), ``y`` (n, 1, T), ``y_clean``, and ``A, B, C, D``.

    Examples
    --------
    >>> import numpy as np
    >>> data = make_rotation_system(n_samples=2, n_timesteps=16, random_state=0)
    >>> data.X.shape, float(np.round(np.abs(np.linalg.eigvals(data.A)).max(), 6))
    ((2, 1, 16), 0.999)
    """
    _check_sizes(n_samples=n_samples, n_timesteps=n_timesteps, n_states=n_states)
    if n_states % 2:
        raise ValueError(f"n_states must be a positive even integer; got {n_states!r}.")
    _check_real(modulus, "modulus", low=0.0)
    _check_real(noise, "noise", low=0.0)
    rng = check_random_state(random_state)
    A = np.zeros((n_states, n_states))
    for i, w in enumerate(rng.uniform(0.05, np.pi - 0.05, n_states // 2)):
        c, s = np.cos(w), np.sin(w)
        A[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = modulus * np.array([[c, -s], [s, c]])
    B = rng.normal(size=(n_states, 1))
    C = rng.normal(size=(1, n_states))
    D = rng.normal(size=(1, 1))
    X = rng.normal(size=(n_samples, 1, n_timesteps))
    y_clean = simulate_linear_system(A, B, C, D, X)
    y = y_clean + noise * rng.normal(size=y_clean.shape) if noise else y_clean.copy()
    return Bunch(X=X, y=y, y_clean=y_clean, A=A, B=B, C=C, D=D)


def relative_mse(y_true, y_pred):
    """``||y_true - y_pred||^2 / ||y_true||^2``: the error measure of the STU paper.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape
        Targets and predictions; every entry counts (any shape, e.g. ``(n_samples,
        d_out, n_timesteps)``).

    Returns
    -------
    float
        0 for a perfect prediction, 1 for predicting zeros; ``inf`` (NaN for a zero
        error), with numpy's warning, when ``y_true`` is all zeros.

    Examples
    --------
    >>> relative_mse([1.0, 2.0], [1.0, 1.0])
    0.2
    """
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got {y_true.shape} and {y_pred.shape}."
        )
    return float(np.sum((y_true - y_pred) ** 2) / np.sum(y_true**2))
