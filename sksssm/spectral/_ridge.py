"""Exact ridge regression by streaming QR: the solver of every closed-form estimator.

The closed-form STU fit is a ridge regression whose design matrix (features at every time
step of every sequence) can be far larger than memory. It is never squared: the normal
equations ``F'F w = F'y`` square the condition number of ``F``, which is fatal for
systems with poles near the unit circle (``cond(F) ~ 1e7`` becomes ``1e14``). Instead the
triangular factor ``R`` of the augmented matrix ``M = [1 | F | Y]`` is accumulated chunk
by chunk (Householder QR): stacking the previous factor on the new rows and re-factoring
gives the factor of all rows seen so far, and two factors merge by one more QR of the two
stacked. Chunking, ``partial_fit`` and parallel (Dask) blocks therefore give the same
answer up to round-off. From :data:`~._lapack.TPQRT_MIN_COLUMNS` columns the stacked QR is
LAPACK's ``tpqrt``, which keeps the previous factor triangular instead of re-factoring it
as a dense block (``geqrf``): the same Householder reflections, measured 1.6-5.6x faster at
128 to 3,341 columns on one thread (:func:`~._lapack.stacked_factor`).

Everything ridge needs follows from ``R`` and the row count:

- the column of ones makes the rows of ``R`` after the first the factor of the *centred*
  ``[F - mean, Y - mean]`` (Householder's first reflection removes the mean), and the
  first row holds ``sqrt(n) * mean``;
- the feature scales used for standardization (column root-mean-square over all rows,
  after centring) are column norms of that factor divided by ``sqrt(n)``, so they do not
  depend on how the rows were chunked;
- with ``L_F D^-1 = U S V'`` (SVD of the standardized feature block of the factor) and
  ``c = U' L_Y``, every penalty's weights, residual sum of squares and effective degrees
  of freedom follow from ``S`` and ``c`` alone, so the penalty is chosen by generalized
  cross-validation (GCV, Golub, Heath & Wahba 1979) without a second pass.

Memory: the factor has at most ``1 + n_features + n_targets`` rows, and fewer while fewer
rows have been seen (it is trapezoidal when features outnumber rows, as in
classification with many pooled features).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    validate_parameter_constraints,
    validate_params,
)

from .._validation import check_positive_int, is_constant
from ._gcv import gcv_choice, gcv_score_table, shrinkage
from ._lapack import EPS as _EPS
from ._lapack import geqrf_factor, stacked_factor, stacked_rows, uses_tpqrt
from ._lapack import svd as _svd

#: Default GCV grid, relative to the largest squared singular value of the standardized
#: design; 0 (least squares with a round-off rank cut-off) is always a candidate as well.
RELATIVE_ALPHAS = np.logspace(-15, 1, 33)
#: The penalties a ridge solution takes (:func:`~sksssm.spectral.solve`'s ``alpha``
#: constraint, beside ``"auto"``).
ALPHA_CONSTRAINT = Interval(Real, 0, None, closed="left")


def _check_alpha(alpha, caller):
    """Refuse a penalty outside :data:`ALPHA_CONSTRAINT` (negative, NaN, ``"auto"``) with
    the message :func:`~sksssm.spectral.solve` gives. Not ``validate_params`` on the
    methods: about 60 us a call, more than a small solution's coefficients, of which a
    forecaster's search computes many per series; the usual number passes in a few
    hundred nanoseconds."""
    if isinstance(alpha, Real) and alpha >= 0:  # NaN compares False: refused below
        return
    validate_parameter_constraints(
        {"alpha": [ALPHA_CONSTRAINT]}, {"alpha": alpha}, caller_name=caller
    )


@validate_params(
    {"A": ["array-like"], "overwrite": ["boolean"]}, prefer_skip_nested_validation=True
)
def triangular_factor(A, *, overwrite=False):
    """The ``R`` of a QR decomposition of ``A``: ``min(m, k)`` rows, upper trapezoidal.

    Householder QR (LAPACK ``geqrf``) without forming ``Q``. ``R' R = A' A`` up to
    round-off, but ``R`` is computed without squaring ``A``.

    Parameters
    ----------
    A : ndarray of shape (m, k)
    overwrite : bool, default=False
        Let LAPACK work in ``A`` (no copy when ``A`` is Fortran-ordered float64).

    Returns
    -------
    R : ndarray of shape (min(m, k), k)

    Examples
    --------
    >>> import numpy as np
    >>> A = np.random.default_rng(0).normal(size=(50, 3))
    >>> R = triangular_factor(A)
    >>> R.shape, bool(np.allclose(R.T @ R, A.T @ A))
    ((3, 3), True)
    """
    return geqrf_factor(np.asarray(A, dtype=np.float64), overwrite=overwrite)


class QRAccumulator:
    """Streaming triangular factor of ``[1 | F | Y]`` for exact least squares.

    Parameters
    ----------
    n_features : int
        Columns of the design ``F``.
    n_targets : int
        Columns of the targets ``Y``.

    Attributes
    ----------
    n_rows_ : int
        Rows seen so far.
    shift_ : ndarray of shape (n_features + n_targets,)
        A reference value (the mean of the first rows seen) subtracted from every row
        before factoring, so that large offsets do not cost digits; the column of ones
        absorbs it exactly.
    R_ : ndarray of shape (min(n_rows_, 1 + n_features + n_targets), 1 + n_features + n_targets)
        Triangular factor of the shifted ``[1 | F | Y]``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> F, Y = rng.normal(size=(100, 3)), rng.normal(size=(100, 2))
    >>> one = QRAccumulator(3, 2).update(F, Y)
    >>> halves = QRAccumulator(3, 2).update(F[:60], Y[:60])
    >>> halves.merge(QRAccumulator(3, 2).update(F[60:], Y[60:])).n_rows_
    100
    >>> gram = lambda acc: acc.centred_factor()[0].T @ acc.centred_factor()[0]
    >>> bool(np.allclose(gram(one), gram(halves)))
    True
    >>> bool(np.allclose(halves.means()[0], F.mean(axis=0)))
    True
    """

    def __init__(self, n_features, n_targets):
        self.n_features = check_positive_int(n_features, "n_features", minimum=0)
        self.n_targets = check_positive_int(n_targets, "n_targets")
        self.n_rows_ = 0
        self.shift_ = np.zeros(self.n_features + self.n_targets)
        self.R_ = np.zeros((0, 1 + self.n_features + self.n_targets))

    def update(self, F, Y):
        """Add rows to the factor.

        Parameters
        ----------
        F : array-like of shape (m, n_features)
            Design rows (finite).
        Y : array-like of shape (m, n_targets) or (m,)
            Their targets (finite); 1D for one target.

        Returns
        -------
        QRAccumulator
            ``self``, updated.
        """
        F, Y = self._check_rows(F, Y)
        m, p = F.shape
        if m == 0:
            return self
        if self.n_rows_ == 0:
            # The column means (np.mean's sum and division, without its dispatch).
            self.shift_ = np.concatenate([np.add.reduce(F, axis=0), np.add.reduce(Y, axis=0)]) / m
        # One Fortran-ordered array of the rows [1 | F - s | Y - s] (below R_old where
        # geqrf factors both), factored in place: the only copy of the rows (the memory
        # budget of a chunk counts it once)
        tpqrt = uses_tpqrt(len(self.R_), m, 1 + p + self.n_targets)
        r = 0 if tpqrt else len(self.R_)
        work = stacked_rows(self.R_[:r], m)
        work[r:, 0] = 1.0
        np.subtract(F, self.shift_[:p], out=work[r:, 1 : 1 + p])
        np.subtract(Y, self.shift_[p:], out=work[r:, 1 + p :])
        if tpqrt:
            self.R_ = stacked_factor(self.R_, work)
        else:
            self.R_ = geqrf_factor(work, overwrite=True)
        self.n_rows_ += m
        return self

    def merge(self, other):
        """Add every row ``other`` has seen (exactly, by one more QR).

        Parameters
        ----------
        other : QRAccumulator
            An accumulator of the same ``n_features`` and ``n_targets``; not changed.

        Returns
        -------
        QRAccumulator
            ``self``, updated: the factor of the rows of both.
        """
        if (other.n_features, other.n_targets) != (self.n_features, self.n_targets):
            raise ValueError(
                f"cannot merge a factor of {other.n_features} features and {other.n_targets} "
                f"targets into one of {self.n_features} and {self.n_targets}."
            )
        if other.n_rows_ == 0:
            return self
        if self.n_rows_ == 0:
            self.shift_ = other.shift_.copy()
        # other's rows are [1, Z - s_o]; in this shift they are [1, Z - s_o + (s_o - s)]:
        # add (s_o - s) times the column of ones to every other column.
        R_other = other.R_.copy()
        R_other[:, 1:] += np.outer(R_other[:, 0], other.shift_ - self.shift_)
        self.R_ = stacked_factor(self.R_, np.asfortranarray(R_other))
        self.n_rows_ += other.n_rows_
        return self

    def _check_rows(self, F, Y):
        F = np.asarray(F, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if Y.ndim == 1:
            Y = Y[:, np.newaxis]
        if F.ndim != 2 or F.shape[1] != self.n_features:
            raise ValueError(f"F must have shape (m, {self.n_features}); got {F.shape}.")
        if Y.shape != (F.shape[0], self.n_targets):
            raise ValueError(f"Y must have shape ({F.shape[0]}, {self.n_targets}); got {Y.shape}.")
        if not (np.isfinite(F).all() and np.isfinite(Y).all()):
            raise ValueError(
                "the design or the targets contain NaN or infinite values (the inputs may "
                "overflow float64 once filtered: rescale them)."
            )
        return F, Y

    def means(self):
        """Column means of ``F`` and ``Y`` over every row seen.

        Returns
        -------
        feature_mean : ndarray of shape (n_features,)
            Zeros before any row is seen.
        target_mean : ndarray of shape (n_targets,)
            Zeros before any row is seen.
        """
        if self.n_rows_ == 0:
            return np.zeros(self.n_features), np.zeros(self.n_targets)
        mean = self.shift_ + self.R_[0, 1:] / self.R_[0, 0]
        return mean[: self.n_features], mean[self.n_features :]

    def centred_factor(self, fit_intercept=True):
        """Factor ``L`` of ``[F, Y]`` centred (``fit_intercept``) or raw: ``L'L = M'M``.

        Parameters
        ----------
        fit_intercept : bool, default=True
            True: the factor of the centred columns (each minus its mean over the rows);
            False: of the raw columns.

        Returns
        -------
        L_F : ndarray of shape (k, n_features)
            The feature columns of one triangular factor (``k`` at most
            ``1 + n_features + n_targets``).
        L_Y : ndarray of shape (k, n_targets)
            Its target columns.
        """
        p = self.n_features
        if fit_intercept:
            L = self.R_[1:, 1:]
        else:
            # Undo the shift (add it back through the column of ones), drop the ones
            # column, and re-triangularize: [F, Y] = Q R[:, 1:] with Q orthonormal.
            raw = self.R_[:, 1:] + np.outer(self.R_[:, 0], self.shift_)
            L = geqrf_factor(raw)
        return L[:, :p], L[:, p:]


def standardized_factor(L_F, n_rows, feature_mean):
    """The ridge core's standardization of a factor: ``(L_F / scale, scale)``.

    Each feature column is divided by its root mean square over the ``n_rows`` rows;
    a constant column is zeroed (scale 1), so that it gets no weight. A column is
    constant by the library's one rule (:func:`~sksssm._validation.is_constant`) against
    the larger of the largest root mean square (the rounding of the factor) and the
    column's own absolute mean (the rounding of its level): a column that repeats one
    value, e.g. from identical training series, is centred only to round-off and must not
    be fitted as unit-variance noise.

    Parameters
    ----------
    L_F : ndarray of shape (..., k, n_features)
        Feature columns of the (centred) triangular factor.
    n_rows : int or ndarray of shape (...,)
        Rows the factor holds.
    feature_mean : ndarray of shape (..., n_features)
        Mean of each column.

    Returns
    -------
    standardized : ndarray of shape (..., k, n_features)
    scale : ndarray of shape (..., n_features)

    Examples
    --------
    >>> import numpy as np
    >>> L_F = np.array([[2.0, 1e-16], [0.0, 0.0]])  # a varying and a round-off column
    >>> standardized, scale = standardized_factor(L_F, 1, np.array([0.0, 1.15]))
    >>> standardized.tolist(), scale.tolist()
    ([[1.0, 0.0], [0.0, 0.0]], [2.0, 1.0])
    """
    # np.linalg.norm(L_F, axis=-2), without its dispatch (a forecaster's search makes
    # tens of small solutions per series).
    rms = np.sqrt(np.add.reduce(L_F * L_F, axis=-2)) / np.sqrt(np.maximum(n_rows, 1))[..., None]
    reference = np.maximum(rms.max(axis=-1, keepdims=True, initial=0.0), np.abs(feature_mean))
    constant = is_constant(rms, reference)
    if not constant.any():  # the usual case: no copy to zero
        return L_F / rms[..., None, :], rms
    scale = np.where(constant, 1.0, rms)
    return np.where(constant[..., None, :], 0.0, L_F / scale[..., None, :]), scale


class RidgeSolution:
    """Ridge coefficients for any penalty from one SVD of the streamed factor.

    The penalty acts on the coefficients of *standardized* features (each column divided
    by its root-mean-square over the training rows, after centring when
    ``fit_intercept``), as with ``make_pipeline(StandardScaler(), Ridge())``: ``alpha`` is
    then scale-free. With ``L_F D^-1 = U diag(s) V'`` and ``c = U' L_Y``, the weights are
    ``w(alpha) = V diag(s / (s^2 + alpha)) c``, the residual sum of squares is
    ``||L_Y||^2 - ||c||^2 + sum (alpha / (s^2 + alpha))^2 c^2`` and the effective degrees of
    freedom ``sum s^2 / (s^2 + alpha)`` (plus one for the intercept); GCV is
    ``(RSS / n) / (1 - dof / n)^2``. ``alpha = 0`` is least squares with singular values
    below ``max(shape) * eps * s_max`` cut off (numpy's ``lstsq`` rule).

    Parameters
    ----------
    accumulator : QRAccumulator
        May hold no rows (a forecaster's direct horizon beyond a short series, whose
        model is then the intercept-only one); :func:`~sksssm.spectral.solve` refuses that.
    fit_intercept : bool, default=True
        Fit an intercept: the features and targets are centred (their means over the
        rows), and the intercept is the target mean minus the weighted feature means.

    Attributes
    ----------
    scale : ndarray of shape (n_features,)
        The standardization scale of each feature (1 for constant columns).
    s : ndarray
        Singular values of the standardized factor, descending.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(200, 4))
    >>> y = F @ [1.0, -2.0, 0.0, 0.5] + 3.0
    >>> acc = QRAccumulator(4, 1).update(F, y[:, None])
    >>> coef, intercept = RidgeSolution(acc, fit_intercept=True).coefficients(0.0)
    >>> (np.round(coef.ravel(), 10) + 0.0).tolist(), round(float(intercept[0]), 10)
    ([1.0, -2.0, 0.0, 0.5], 3.0)
    """

    def __init__(self, accumulator, fit_intercept=True):
        self.fit_intercept = bool(fit_intercept)
        self.accumulator = accumulator
        self.n_rows = accumulator.n_rows_
        L_F, L_Y = accumulator.centred_factor(self.fit_intercept)
        standardized, self.scale = standardized_factor(L_F, self.n_rows, accumulator.means()[0])
        if L_F.shape[1]:
            U, self.s, self.Vt = _svd(standardized)
        else:  # intercept-only (or empty) model: no direction to fit
            U, self.s, self.Vt = np.zeros((len(L_F), 0)), np.zeros(0), np.zeros((0, 0))
        self.c = U.T @ L_Y  # (rank, n_targets)
        # The part of the targets no penalty can explain, computed as a residual (not as a
        # difference of sums of squares, which cancels digits when the fit is near exact).
        self.unexplained = float(np.add.reduce(((L_Y - U @ self.c) ** 2).ravel()))
        s_max = self.s[0] if self.s.size else 0.0
        self.cutoff = max(L_F.shape) * _EPS * s_max
        self._s2 = self.s**2
        below_cutoff = self.s <= self.cutoff
        self._dropped = below_cutoff.astype(float)  # at alpha = 0
        # Each direction's squared targets (summed over the targets), for the test of
        # repeated rows and for every GCV score.
        c2 = np.add.reduce(self.c * self.c, axis=1)
        self.repeated = self._repeated_directions(below_cutoff, c2)
        # What every GCV score needs (the directions kept, their squared targets).
        self._n_repeated = int(self.repeated.sum())
        self._kept = ~self.repeated
        self._c2 = c2[self._kept]

    def _repeated_directions(self, below_cutoff, c2):
        """Directions of the factor that are zero in the features and in the targets.

        A repeated observation (the same features and the same targets as another row)
        adds such a direction: it changes neither the fit nor any residual. GCV must not
        count it as a residual degree of freedom; otherwise, with more features than
        rows, the interpolating fit (zero residual, and a residual dof that only the
        duplicates supply) scores 0 and wins, whatever the data. GCV then treats repeated
        rows as one observation, as leaving out all copies would.
        """
        target_norm = np.sqrt(np.add.reduce((self.c * self.c).ravel()) + self.unexplained)
        tolerance = 1e-10 * max(target_norm, 1e-300)
        return below_cutoff & (np.sqrt(c2) <= tolerance)

    def _shrinkage(self, alpha):
        """``alpha / (s^2 + alpha)`` (1 minus the filter factors), without cancellation.

        At ``alpha = 0``: 0 above the round-off cut-off, 1 below (those directions dropped).
        ``alpha`` a scalar gives one value per direction; an array of penalties gives one
        row per penalty.
        """
        return shrinkage(self._s2, self._dropped, np.asarray(alpha, dtype=float)[..., None])

    def coefficients(self, alpha):
        """The ridge weights and intercept at the penalty ``alpha``.

        Parameters
        ----------
        alpha : float
            Penalty ``>= 0`` on the standardized features; :meth:`best_alpha` chooses
            one by GCV.

        Returns
        -------
        coef : ndarray of shape (n_targets, n_features)
            Weights in original units (constant features get 0).
        intercept : ndarray of shape (n_targets,)
            Zeros without ``fit_intercept``.
        """
        _check_alpha(alpha, "RidgeSolution.coefficients")
        factors = 1.0 - self._shrinkage(alpha)
        inverse = np.divide(factors, self.s, out=np.zeros_like(self.s), where=factors > 0)
        coef = (self.Vt.T @ (inverse[:, None] * self.c)).T / self.scale
        feature_mean, target_mean = self.accumulator.means()
        if self.fit_intercept:
            intercept = target_mean - coef @ feature_mean
        else:
            intercept = np.zeros(coef.shape[0])
        return coef, intercept

    def gcv_scores(self, alphas):
        """Generalized cross-validation score of each penalty in ``alphas`` (lower is better).

        The residual sum of squares and the residual degrees of freedom ``n - dof`` are
        both sums of non-negative terms, so the score stays accurate as the fit approaches
        interpolation (more features than rows), where ``1 - dof / n`` would cancel.
        Repeated rows count once (see :meth:`_repeated_directions`).

        Parameters
        ----------
        alphas : array-like of float
            Penalties ``>= 0``.

        Returns
        -------
        ndarray of shape (n_alphas,)
            ``(RSS / n) / (1 - dof / n)^2`` for each penalty; ``inf`` where no residual
            degree of freedom is left.
        """
        return gcv_score_table([self], np.asarray(alphas, dtype=float).reshape(1, -1))[0]

    def _gcv_terms(self):
        """What a GCV score needs: ``(s^2, dropped at alpha 0, c^2)`` of the directions
        kept, the unexplained sum of squares, the rows counted and the residual rows
        without a direction (:func:`gcv_score_table`)."""
        n = self.n_rows - self._n_repeated
        rows_without_direction = n - self.fit_intercept - (len(self.s) - self._n_repeated)
        kept = self._kept
        return (self._s2[kept], self._dropped[kept], self._c2, self.unexplained, n,
                rows_without_direction)  # fmt: skip

    def alpha_grid(self):
        """0, then penalties spanning round-off to strong shrinkage, relative to ``s_max^2``.

        Without features (an intercept-only model) no penalty changes anything: ``[0]``.

        Returns
        -------
        ndarray of shape (34,) or (1,)
            ``0`` followed by ``s_max^2 * logspace(-15, 1, 33)`` (``s_max`` the largest
            singular value of the standardized factor).
        """
        if not self.s.size:
            return np.array([0.0])
        scale = self.s[0] ** 2 if self.s.size and self.s[0] > 0 else 1.0
        return np.concatenate([[0.0], scale * RELATIVE_ALPHAS])

    def best_alpha(self, alphas=None):
        """Return ``(alpha, scores)``: the GCV-minimizing penalty of ``alphas``.

        Among penalties whose scores tie with the minimum to 1e-9 relative (a flat GCV
        curve, where round-off alone would decide), the largest is taken, so the choice
        does not depend on how the rows were chunked
        (:func:`~sksssm.spectral._gcv.gcv_choice`). When no penalty leaves residual
        degrees of freedom GCV is undefined; the largest penalty is returned.

        Parameters
        ----------
        alphas : array-like of float or None, default=None
            Candidate penalties ``>= 0``; None: :meth:`alpha_grid`.

        Returns
        -------
        alpha : float
            The chosen penalty.
        scores : ndarray of shape (n_alphas,)
            The GCV score of each candidate (:meth:`gcv_scores`).
        """
        alphas = self.alpha_grid() if alphas is None else np.asarray(alphas, dtype=float)
        scores = self.gcv_scores(alphas)
        return float(alphas[gcv_choice(alphas, scores)]), scores

    def dof(self, alpha):
        """Effective degrees of freedom at ``alpha``: ``sum s^2 / (s^2 + alpha)`` (+ intercept).

        At ``alpha = 0`` the first sum is the numerical rank (directions above the
        round-off cut-off).

        Parameters
        ----------
        alpha : float
            Penalty ``>= 0`` on the standardized features.

        Returns
        -------
        float
            Effective degrees of freedom, the intercept counting one with
            ``fit_intercept``.

        Examples
        --------
        >>> import numpy as np
        >>> F = np.random.default_rng(0).normal(size=(30, 3))
        >>> acc = QRAccumulator(3, 1).update(F, F[:, :1])
        >>> RidgeSolution(acc).dof(0.0)
        4.0
        """
        _check_alpha(alpha, "RidgeSolution.dof")
        return float(np.sum(1.0 - self._shrinkage(alpha))) + self.fit_intercept

    def intercept_only(self):
        """The model without features: zero weights, and the target mean as intercept.

        Returns
        -------
        coef : ndarray of shape (n_targets, n_features)
            Zeros.
        intercept : ndarray of shape (n_targets,)
            The target means (zeros without ``fit_intercept``).
        """
        n_targets = self.accumulator.n_targets
        target_mean = self.accumulator.means()[1]
        intercept = target_mean if self.fit_intercept else np.zeros(n_targets)
        return np.zeros((n_targets, self.accumulator.n_features)), intercept

    def parameter_directions(self, alpha, coefficients_used=True):
        """Directions ``(d_coef, d_intercept)`` whose outer products sum to the covariance.

        The coefficients at ``alpha`` are linear in the targets:
        ``coef' = D^-1 V diag(f / s) c`` (``f`` the filter factors, ``c = U' L_Y``), and
        the intercept is the target mean minus ``coef @ feature_mean``. With noise
        covariance ``Sigma`` across targets (estimated from the residuals with
        ``n - dof`` degrees of freedom), ``Cov(vec(coef, intercept))`` is the sum over
        the returned directions ``k`` of ``vec(d_k) vec(d_k)'``: one per singular
        direction and column of ``Sigma^(1/2)``, plus ``Sigma^(1/2) / sqrt(n)`` for the
        target mean. The shrinkage bias of a penalized fit is not part of it.
        ``coefficients_used=False`` describes :meth:`intercept_only` (the mean's
        directions only, residuals of the mean).

        Parameters
        ----------
        alpha : float
            The penalty of the coefficients described (``>= 0``).
        coefficients_used : bool, default=True
            False: the directions of :meth:`intercept_only` instead.

        Returns
        -------
        d_coef : ndarray of shape (n_directions, n_targets, n_features)
        d_intercept : ndarray of shape (n_directions, n_targets)
        """
        acc = self.accumulator
        n_targets, n_features = acc.n_targets, acc.n_features
        use_coef = coefficients_used and self.s.size > 0
        _, L_Y = acc.centred_factor(self.fit_intercept)
        residual = L_Y.T @ L_Y
        if use_coef:
            f = 1.0 - self._shrinkage(alpha)
            residual = residual - self.c.T @ ((2 * f - f**2)[:, None] * self.c)
        dof = self.dof(alpha) if use_coef else float(self.fit_intercept)
        eigenvalues, vectors = np.linalg.eigh(residual / max(self.n_rows - dof, 1.0))
        noise_root = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))  # (targets, roots)
        d_coef = np.zeros((0, n_targets, n_features))
        if use_coef:
            gain = np.divide(f, self.s, out=np.zeros_like(f), where=f > 0)
            basis = ((self.Vt.T * gain).T / self.scale)[gain > 0]  # (rank, n_features)
            d_coef = np.einsum("tr,kp->rktp", noise_root, basis).reshape(-1, n_targets, n_features)
        if not self.fit_intercept:
            return d_coef, np.zeros(d_coef.shape[:2])
        d_intercept = -d_coef @ acc.means()[0]
        d_coef = np.concatenate([d_coef, np.zeros((n_targets, n_targets, n_features))])
        mean_directions = noise_root.T / np.sqrt(max(self.n_rows, 1))
        return d_coef, np.concatenate([d_intercept, mean_directions])
