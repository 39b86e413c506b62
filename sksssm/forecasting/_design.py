"""The linear design of a configuration and its stable ridge solution.

A configuration (:class:`Configuration`: differencing, AR order, spectral filters,
intercept) defines the feature map :class:`ForecastDesign`; one exact ridge regression
(:class:`~sksssm.spectral._ridge.RidgeSolution` of a streamed QR factor) per model maps
the features to the target, made stable by :func:`solve_stable`. The recursions here
(:func:`recursive_forecast`, :func:`propagate`) run the fitted map forward.
"""

from __future__ import annotations

import copy
import functools

import numpy as np

from ..spectral import causal_convolve, stu_filters
from ..spectral._features import (  # unchecked: once per candidate or forecast step
    _assemble,
    _autoregressive_features,
    _filter_bank,
    _shift_in_time,
)
from ..spectral._gcv import gcv_choice

#: A fitted recursion is accepted when its companion spectral radius is at most this.
MAX_SPECTRAL_RADIUS = 1.0


def difference_polynomial(d, seasonal_d, sp):
    """Coefficients of ``(1 - B)^d (1 - B^sp)^D`` in increasing powers of ``B``."""
    poly = np.array([1.0])
    for _ in range(d):
        poly = np.convolve(poly, [1.0, -1.0])
    for _ in range(seasonal_d):
        seasonal = np.zeros(sp + 1)
        seasonal[0], seasonal[sp] = 1.0, -1.0
        poly = np.convolve(poly, seasonal)
    return poly


def difference(z, poly):
    """``w_t = sum_j poly[j] z_{t+q-j}`` for the ``n - q`` steps with a full past."""
    q = len(poly) - 1
    n = len(z)
    return sum(poly[j] * z[q - j : n - j] for j in range(q + 1))


def integrate(z_last, w_path, poly):
    """Undo differencing: ``z_t = w_t - sum_{j>=1} poly[j] z_{t-j}``.

    ``z_last`` (B, q, c) holds the last ``q`` levels before the path, ``w_path`` (B, h, c).
    """
    q = len(poly) - 1
    if q == 0:
        return w_path
    path = np.concatenate([z_last, np.zeros_like(w_path)], axis=1)
    for i in range(w_path.shape[1]):
        t = q + i
        path[:, t] = w_path[:, i] - sum(poly[j] * path[:, t - j] for j in range(1, q + 1))
    return path[:, q:]


def stu_rows(u, filters, input_lags, use_negative):
    """``stu_features(u[None], filters, ...)[0]`` of a float64 ``u`` (m, c), unchecked.

    The same computation as :func:`~sksssm.spectral.stu_features` without its argument
    validation (a configuration search builds tens of designs per series).
    """
    u = u[None]
    bank = _filter_bank(filters, use_negative)
    spectral = _shift_in_time(causal_convolve.__wrapped__(u, bank), 1)
    lags = np.zeros(u.shape + (input_lags,))
    for j in range(input_lags):
        lags[..., j] = _shift_in_time(u, j)
    return _assemble(spectral, lags, filters.shape[1])[0]


class ForecastDesign:
    """The feature map of one configuration: AR lags, spectral features, exogenous terms.

    Column order: ``w_{t-1}`` (all channels), ..., ``w_{t-p}``; then
    :func:`~sksssm.spectral.stu_features` of the past of ``w`` (positive and, with
    ``use_negative``, alternating-sign branch); then ``stu_features`` of the exogenous
    ``e`` with its ``exog_lags`` direct terms ``e_t, e_{t-1}, ...``.
    """

    def __init__(self, p, filters, use_negative, n_channels, n_exog, exog_lags):
        self.p = p
        self.filters = filters  # (L_f, K) or None
        self.K = 0 if filters is None else filters.shape[1]
        self.use_negative = use_negative
        self.n_channels = n_channels
        self.n_exog = n_exog
        self.exog_lags = exog_lags if n_exog else 0
        branches = 2 if use_negative else 1
        self.n_own = n_channels * (p + branches * self.K)
        self.n_exog_features = n_exog * (branches * self.K + self.exog_lags)
        self.n_features = self.n_own + self.n_exog_features
        self.memory = max(p, 0 if filters is None else filters.shape[0], 1)

    @functools.cached_property
    def bank(self):
        """Both branches' filters side by side (the forecast steps' spectral features)."""
        return None if self.filters is None else _filter_bank(self.filters, self.use_negative)

    def _spectral(self, u, input_lags):
        if self.K == 0:
            lags = np.zeros((len(u), u.shape[1], input_lags))
            for j in range(input_lags):
                lags[j:, :, j] = u[: len(u) - j]
            return lags.reshape(len(u), -1)
        return stu_rows(u, self.filters, input_lags, self.use_negative)

    def own(self, w, spectral=None):
        """Rows for every step of ``w`` (m, c): AR lags and spectral features of the past.

        ``spectral``: the spectral block :meth:`own_spectral` of ``w``, if computed already
        (it does not depend on the AR order).
        """
        lags = _autoregressive_features(w[None], self.p)[0]
        if self.K == 0:
            return lags
        spectral = self.own_spectral(w) if spectral is None else spectral
        return np.concatenate([lags, spectral], axis=1)

    def own_spectral(self, w):
        """The spectral columns of :meth:`own` (m, branches K c)."""
        return self._spectral(w, 0)

    def exog(self, e):
        """Rows for every step of ``e`` (m, n_exog)."""
        if not self.n_exog:
            return np.zeros((len(e), 0))
        return self._spectral(e, self.exog_lags)

    def own_last(self, window):
        """Own features of the step after ``window`` (B, H, c): its last values are the past."""
        B, H, c = window.shape
        # The features of a placeholder step after the window (only its past is used).
        # Its lags w_{t-1} .. w_{t-p} (zero before the window): the last row of
        # _autoregressive_features of the padded window, without the other rows.
        lags = np.zeros((B, self.p * c))
        for lag in range(1, min(self.p, H) + 1):
            lags[:, (lag - 1) * c : lag * c] = window[:, H - lag]
        if self.K == 0:
            return lags
        # _stu_features_last of the window and a placeholder step (its past is the
        # window, latest first), with the bank built once: (B, c, branches K) ...
        past = window[:, ::-1, :][:, : self.bank.shape[0], :]
        spectral = np.swapaxes(past, 1, 2) @ self.bank[: past.shape[1]]
        # ... in the documented order: branch-major blocks, channel-major within a block.
        spectral = spectral.reshape(B, c, -1, self.K).transpose(0, 2, 1, 3).reshape(B, -1)
        return np.concatenate([lags, spectral], axis=1)

    def recursion(self, coef):
        """Effective autoregression ``w_t = sum_j A_j w_{t-j} + ...``: A (memory, c, c).

        Obtained by passing unit impulses through :meth:`own_last`, so it is exactly the
        linear map the forecasts use.
        """
        c, H = self.n_channels, self.memory
        impulses = np.zeros((H * c, H, c))
        for j in range(H):
            for ch in range(c):
                impulses[j * c + ch, H - 1 - j, ch] = 1.0
        features = self.own_last(impulses)  # (H c, n_own)
        A = features @ coef[:, : self.n_own].T  # (H c, c): row (lag j+1, input ch)
        return A.reshape(H, c, c).transpose(0, 2, 1)  # A[j][target, input]


#: :func:`_real_root_outside` looks for real roots beyond ``1 + UNSTABLE_MARGIN``.
UNSTABLE_MARGIN = 1e-6


def _real_root_outside(a):
    """Whether ``z^H = sum_j a_j z^(H-j)`` has a real root beyond ``+-(1 + margin)``.

    ``P(z) = z^H - sum_j a_j z^(H-j)`` grows without bound, so ``P(r) < 0`` at
    ``r = 1 + UNSTABLE_MARGIN`` puts a root in ``(r, inf)`` (and likewise at ``-r``): the
    recursion is unstable, far beyond the round-off of the eigenvalue test (which would
    find a radius above ``1 + 1e-9``). A sufficient test only: False decides nothing.
    """
    j = np.arange(1, len(a) + 1)
    r = 1.0 + UNSTABLE_MARGIN
    powers = r ** -j.astype(float)
    tolerance = 1.0 + 1e-12 * float(np.abs(a) @ powers)  # the round-off of the sums
    return bool(a @ powers > tolerance or a @ (powers * (-1.0) ** j) > tolerance)


def spectral_radius(A):
    """Spectral radius of the companion matrix of ``w_t = sum_j A[j-1] w_{t-j}``.

    Parameters
    ----------
    A : ndarray of shape (memory, c, c)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(spectral_radius(np.array([[[1.2]], [[-0.5]]])), 6)  # roots of z^2-1.2z+0.5
    0.707107
    """
    H, c, _ = A.shape
    if H == 0 or not np.any(A):
        return 0.0
    # Trailing all-zero lags do not change the non-zero roots.
    H = int(np.flatnonzero(A.reshape(H, -1).any(axis=1))[-1]) + 1
    companion = np.zeros((H * c, H * c))
    companion[:c] = np.concatenate(list(A[:H]), axis=1)
    companion[c:, :-c] = np.eye((H - 1) * c)
    return float(np.max(np.abs(np.linalg.eigvals(companion))))


@functools.lru_cache(maxsize=256)
def configuration_filters(filter_length, K, hankel):
    """:func:`~sksssm.spectral.stu_filters` (read-only), kept per ``(length, K, hankel)``.

    Every fit builds a configuration per filter count; the filters depend on these three
    numbers only, and the checked call costs more than a short series' whole design.
    """
    filters = stu_filters(filter_length, K, hankel)
    filters.flags.writeable = False
    return filters


class Configuration:
    """One candidate configuration: differencing, AR order, spectral filters, intercept."""

    def __init__(self, sp, d, seasonal_d, p, K, filter_length, use_negative, hankel):
        self.sp, self.d, self.seasonal_d, self.p, self.K = sp, d, seasonal_d, p, K
        self.poly = difference_polynomial(d, seasonal_d, sp)
        self.q = len(self.poly) - 1
        self.fit_intercept = d + seasonal_d <= 1
        self.filter_length = filter_length
        self.filters = configuration_filters(filter_length, K, hankel) if K else None
        self.use_negative = use_negative

    def variant(self, p, fit_intercept):
        """A copy with another AR order and intercept (same filters)."""
        other = copy.copy(self)
        other.p, other.fit_intercept = p, fit_intercept
        return other

    def design(self, n_channels, n_exog, exog_lags):
        return ForecastDesign(
            self.p, self.filters, self.use_negative, n_channels, n_exog, exog_lags
        )


def solve_stable(solution, alpha, design, check_stability, return_radius=False):
    """Coefficients at ``alpha`` ("auto": GCV), made stable along the documented rule.

    Parameters
    ----------
    solution : RidgeSolution
    alpha : "auto" or float
        "auto" takes the GCV choice of the solution's grid (:func:`gcv_choice`: ties go
        to the largest penalty); a number starts there.
    design : ForecastDesign
    check_stability : bool
        Whether the fitted recursion must be stable (the one-step model).
    return_radius : bool, default=False
        Also return the companion spectral radius of the returned coefficients where the
        stability check computed it (else None).

    Returns
    -------
    coef, intercept : ndarray
    alpha, gcv : float
    rule : {"none", "more_penalty", "mean"}
        "more_penalty": the penalty was increased along the grid until the recursion
        was stable; "mean": none was, the model is the target mean
        (:meth:`RidgeSolution.intercept_only`).
    radius : float or None
        Only with ``return_radius``.
    """
    alphas = solution.alpha_grid()
    if isinstance(alpha, str):
        scores = solution.gcv_scores(alphas)
        start = gcv_choice(alphas, scores)
    else:
        alphas = np.concatenate([[float(alpha)], alphas[alphas > float(alpha)]])
        scores = solution.gcv_scores(alphas)
        start = 0
    order = [start] + [i for i in np.argsort(alphas) if alphas[i] > alphas[start]]
    for rank, i in enumerate(order):
        coef, intercept = solution.coefficients(alphas[i])
        stable, radius = (True, None) if not check_stability else _stability(design, coef)
        if stable:
            rule = "none" if rank == 0 else "more_penalty"
            out = coef, intercept, float(alphas[i]), float(scores[i]), rule
            return (*out, radius) if return_radius else out
    coef, intercept = solution.intercept_only()
    out = coef, intercept, float(alphas[-1]), float(scores[-1]), "mean"
    return (*out, 0.0) if return_radius else out


def is_stable(design, coef):
    """Whether the fitted recursion's companion spectral radius is at most 1."""
    return _stability(design, coef)[0]


def _stability(design, coef):
    """``(is_stable(design, coef), spectral radius or None where not needed)``.

    When ``sum_j ||A_j||_inf <= 1`` no root of the recursion lies outside the unit
    circle (``|z| > 1`` would give ``|z|^H < |z|^H sum_j ||A_j||``), so the eigenvalues
    are computed only where that bound does not settle it.
    """
    if design.n_own == 0:
        return True, 0.0
    A = design.recursion(coef)
    if not np.isfinite(A).all():
        return False, spectral_radius(A)
    if np.abs(A).sum(axis=2).max(axis=1).sum() <= MAX_SPECTRAL_RADIUS:
        return True, None
    if A.shape[1] == 1 and _real_root_outside(A[:, 0, 0]):
        return False, None
    radius = spectral_radius(A)
    return bool(np.isfinite(radius) and radius <= MAX_SPECTRAL_RADIUS + 1e-9), radius


def window(w, memory):
    """The last ``memory`` steps of ``w`` (m, c), zero-padded at the start."""
    out = np.zeros((memory, w.shape[1]))
    k = min(memory, len(w))
    if k:
        out[memory - k :] = w[len(w) - k :]
    return out


def rows_from(F, start, n):
    """Rows ``start .. start + n - 1`` of ``F``, zero beyond its end."""
    out = np.zeros((n, F.shape[1]))
    k = max(0, min(n, len(F) - start))
    out[:k] = F[start : start + k]
    return out


def first_features(design, windows, exog_rows):
    own = design.own_last(windows)
    if design.n_exog_features:
        return np.concatenate([own, exog_rows[:, 0]], axis=1)
    return own


def recursive_forecast(
    design, windows, exog_rows, coef, intercept, n_steps, return_features=False
):
    """Recursive forecasts of ``w`` (B, n_steps, c) from windows (B, memory, c).

    With ``return_features`` also the feature rows (B, n_steps, n_features) of every step.
    """
    B, H, c = windows.shape
    history = np.concatenate([windows, np.zeros((B, n_steps, c))], axis=1)
    rows = np.zeros((B, n_steps, design.n_features)) if return_features else None
    for i in range(n_steps):
        features = design.own_last(history[:, i : H + i])
        if design.n_exog_features:
            features = np.concatenate([features, exog_rows[:, i]], axis=1)
        if return_features:
            rows[:, i] = features
        history[:, H + i] = features @ coef.T + intercept
    return (history[:, H:], rows) if return_features else history[:, H:]


def propagate(design, own_coef, forcing):
    """Response (B, n, c) of the fitted recursion of ``w`` to a forcing (B, n, c).

    ``d_i = own_coef @ own_features(d_{<i}) + forcing_i`` with ``d = 0`` before the first
    step: how a perturbation of each step's prediction travels through the recursion.
    """
    B, n_steps, c = forcing.shape
    H = design.memory
    history = np.zeros((B, H + n_steps, c))
    for i in range(n_steps):
        history[:, H + i] = design.own_last(history[:, i : H + i]) @ own_coef.T + forcing[:, i]
    return history[:, H:]
