"""Exact ridge regression from streamed sufficient statistics.

The closed-form STU fit is a ridge regression whose design matrix (spectral features at
every time step of every sequence) can be far larger than memory. Ridge only needs the
row count, the means and the centred Gram matrices ``F'F``, ``F'Y`` and ``Y'Y``; these are
accumulated chunk by chunk (Chan et al.'s pairwise update, so that a large mean does not
cancel digits), and the penalty can be chosen by generalized cross-validation (GCV) from the
same statistics, with no second pass over the data.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

#: Default GCV grid, relative to the largest eigenvalue of the centred Gram matrix.
RELATIVE_ALPHAS = np.logspace(-15, 1, 33)


class GramAccumulator:
    """Streaming sufficient statistics of a linear regression.

    Parameters
    ----------
    n_features, n_targets : int

    Attributes
    ----------
    n_rows_ : int
        Rows seen so far.
    feature_mean_, target_mean_ : ndarray
    ff_, fy_, yy_ : ndarray
        Centred Gram matrices ``(F - mean)'(F - mean)`` etc.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> F, Y = rng.normal(size=(100, 3)), rng.normal(size=(100, 2))
    >>> acc = GramAccumulator(3, 2)
    >>> acc.update(F[:60], Y[:60]).update(F[60:], Y[60:]).n_rows_
    100
    >>> bool(np.allclose(acc.ff_, np.cov(F.T, bias=True) * 100))
    True
    """

    def __init__(self, n_features, n_targets):
        self.n_rows_ = 0
        self.feature_mean_ = np.zeros(n_features)
        self.target_mean_ = np.zeros(n_targets)
        self.ff_ = np.zeros((n_features, n_features))
        self.fy_ = np.zeros((n_features, n_targets))
        self.yy_ = np.zeros((n_targets, n_targets))

    def update(self, F, Y):
        """Add the rows ``F`` (n, n_features) with targets ``Y`` (n, n_targets)."""
        n_new = F.shape[0]
        if n_new == 0:
            return self
        f_mean, y_mean = F.mean(axis=0), Y.mean(axis=0)
        Fc, Yc = F - f_mean, Y - y_mean
        n_old, n_total = self.n_rows_, self.n_rows_ + n_new
        df, dy = f_mean - self.feature_mean_, y_mean - self.target_mean_
        weight = n_old * n_new / n_total
        self.ff_ += Fc.T @ Fc + weight * np.outer(df, df)
        self.fy_ += Fc.T @ Yc + weight * np.outer(df, dy)
        self.yy_ += Yc.T @ Yc + weight * np.outer(dy, dy)
        self.feature_mean_ += df * (n_new / n_total)
        self.target_mean_ += dy * (n_new / n_total)
        self.n_rows_ = n_total
        return self

    def gram(self, fit_intercept):
        """Return ``(FF, FY, YY)``: centred if ``fit_intercept`` else raw (about zero)."""
        if fit_intercept:
            return self.ff_, self.fy_, self.yy_
        n, fm, ym = self.n_rows_, self.feature_mean_, self.target_mean_
        return (
            self.ff_ + n * np.outer(fm, fm),
            self.fy_ + n * np.outer(fm, ym),
            self.yy_ + n * np.outer(ym, ym),
        )


class RidgeSolution:
    """Ridge coefficients for any penalty from one eigendecomposition of the Gram matrix.

    The penalty acts on the coefficients of *standardized* features (each column divided
    by its root-mean-square over the training rows, after centring when
    ``fit_intercept``), as with ``make_pipeline(StandardScaler(), Ridge())``: ``alpha`` is
    then scale-free, and the Gram matrix is far better conditioned (spectral features
    differ in scale by ``(sigma_1 / sigma_K)^(1/4)``), so chunked and one-pass fits agree
    to round-off. In the standardized coordinates, with ``F'F = V diag(s) V'`` and
    ``c = V'F'y``, the ridge weights are
    ``w(alpha) = V diag(1 / (s + alpha)) c``, the residual sum of squares is
    ``y'y - sum c^2 (s + 2 alpha) / (s + alpha)^2`` and the effective degrees of freedom are
    ``sum s / (s + alpha)``; GCV is ``(RSS / n) / (1 - dof / n)^2`` (Golub, Heath & Wahba,
    1979).

    Parameters
    ----------
    accumulator : GramAccumulator
    fit_intercept : bool

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(200, 4))
    >>> y = F @ [1.0, -2.0, 0.0, 0.5] + 3.0
    >>> acc = GramAccumulator(4, 1).update(F, y[:, None])
    >>> coef, intercept = RidgeSolution(acc, fit_intercept=True).coefficients(1e-12)
    >>> (np.round(coef.ravel(), 6) + 0.0).tolist(), round(float(intercept[0]), 6)
    ([1.0, -2.0, 0.0, 0.5], 3.0)
    """

    def __init__(self, accumulator, fit_intercept=True):
        self.fit_intercept = fit_intercept
        self.accumulator = accumulator
        ff, fy, self.yy = accumulator.gram(fit_intercept)
        rms = np.sqrt(np.diag(ff) / max(accumulator.n_rows_, 1))
        # Constant (or all-zero) columns are left unscaled: they get zero weight anyway.
        self.scale = np.where(rms > 1e-12 * max(rms.max(initial=0.0), 1e-300), rms, 1.0)
        ff = ff / np.outer(self.scale, self.scale)
        fy = fy / self.scale[:, None]
        s, self.V = linalg.eigh(ff)
        # Round-off makes eigenvalues of a singular Gram matrix slightly negative.
        self.s = np.clip(s, 0.0, None)
        self.c = self.V.T @ fy

    def coefficients(self, alpha):
        """Return ``(coef, intercept)``: ``coef`` (n_targets, n_features)."""
        s = self.s + alpha
        inverse = np.divide(1.0, s, out=np.zeros_like(s), where=s > 0)
        coef = (self.V @ (inverse[:, None] * self.c)).T / self.scale
        acc = self.accumulator
        if self.fit_intercept:
            intercept = acc.target_mean_ - coef @ acc.feature_mean_
        else:
            intercept = np.zeros(coef.shape[0])
        return coef, intercept

    def gcv_scores(self, alphas):
        """Generalized cross-validation score of each penalty in ``alphas`` (lower is better)."""
        n = self.accumulator.n_rows_
        scores = np.empty(len(alphas))
        c2 = (self.c**2).sum(axis=1)
        total = np.trace(self.yy)
        for i, alpha in enumerate(alphas):
            denominator = (self.s + alpha) ** 2
            explained = np.divide(
                c2 * (self.s + 2 * alpha),
                denominator,
                out=np.zeros_like(c2),
                where=denominator > 0,
            )
            rss = max(total - explained.sum(), 0.0)
            dof = np.divide(self.s, self.s + alpha, out=np.zeros_like(c2), where=self.s > 0)
            dof = dof.sum() + self.fit_intercept
            scores[i] = (rss / n) / (1.0 - dof / n) ** 2 if dof < n else np.inf
        return scores

    def alpha_grid(self):
        """Penalties spanning round-off to strong shrinkage, relative to ``max(s)``."""
        scale = self.s.max() if self.s.size and self.s.max() > 0 else 1.0
        return scale * RELATIVE_ALPHAS

    def best_alpha(self, alphas=None):
        """Return ``(alpha, scores)``: the GCV-minimizing penalty of ``alphas``."""
        alphas = self.alpha_grid() if alphas is None else np.asarray(alphas, dtype=float)
        scores = self.gcv_scores(alphas)
        if not np.isfinite(scores).any():
            # Fewer rows than parameters: GCV is undefined; shrink the most.
            return float(alphas.max()), scores
        return float(alphas[np.nanargmin(np.where(np.isfinite(scores), scores, np.nan))]), scores
