"""The closed-form STU model: its design rows, its exact fit, and its predictions.

One place for the model that :class:`~sksssm.SpectralFilterRegressor`, the plots and the
forecaster share. At time ``t`` the features of a sequence ``u`` (inputs, ``c`` channels)
and, with output autoregression, of its outputs ``y`` are

- the spectral features of the past inputs, positive and alternating-sign branch
  (:func:`~sksssm.spectral.stu_features`);
- the direct input terms ``u_t, ..., u_{t - input_lags + 1}``;
- the past outputs ``y_{t-1}, ..., y_{t - ar_order}``: teacher-forced (observed) when
  fitting, fed back (predicted) when predicting in free run.

With ``ar_order = p`` and ``input_lags >= p + 1`` the model contains every ARX(p, p)
model, ``y_t = sum_i a_i y_{t-i} + sum_{j=0}^{p} b_j u_{t-j}``, which is exact for an
order-``p`` linear system (Cayley-Hamilton); the spectral features then carry what a
truncated model misses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params

from .._validation import IntegerInterval, check_positive_int
from ._features import (
    _stu_features_last,
    autoregressive_features,
    feed_back_outputs,
    n_stu_features,
    stu_features,
)
from ._ridge import ALPHA_CONSTRAINT, QRAccumulator, RidgeSolution

#: Bytes of float64 working memory per (time step x channel x filter) of one chunk, from
#: the FFT convolution's intermediates: the complex spectrum product (about 2 * 16 bytes
#: per step for an FFT of length ~2t), the real inverse transform (2 * 8) and the delayed
#: copy (8); see :meth:`SpectralDesign.bytes_per_sequence`.
_FFT_BYTES_PER_TAP = 64
#: Bytes per design column of one time step: the assembled features, the targets and
#: the augmented block handed to LAPACK (each 8 bytes), with a margin.
_DESIGN_BYTES_PER_COLUMN = 40


@dataclass(frozen=True)
class SpectralDesign:
    """Feature map of the closed-form STU for fixed filters and lags.

    Parameters
    ----------
    filters : ndarray of shape (filter_length, n_filters)
        Scaled spectral filters (:func:`~sksssm.spectral.stu_filters`).
    input_lags : int
        Direct input terms per channel.
    use_negative : bool
        Whether the alternating-sign branch is included.
    ar_order : int, default=0
        Output autoregression order (sequence targets only).

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import SpectralDesign, stu_filters
    >>> rng = np.random.default_rng(0)
    >>> u = rng.normal(size=(8, 200, 1))
    >>> y = u.copy()
    >>> for t in range(1, 200):  # y_t = 0.9 y_{t-1} + u_t
    ...     y[:, t] = 0.9 * y[:, t - 1] + u[:, t]
    >>> design = SpectralDesign(stu_filters(200, 8), input_lags=2, use_negative=True, ar_order=1)
    >>> coef, intercept, alpha = design.fit(u, y)
    >>> bool(np.abs(design.predict_sequences(u, coef, intercept) - y).max() < 1e-8)
    True
    """

    filters: np.ndarray
    input_lags: int
    use_negative: bool
    ar_order: int = 0

    def __post_init__(self):
        filters = np.asarray(self.filters)
        if filters.ndim != 2 or filters.shape[1] == 0 or np.iscomplexobj(filters):
            raise ValueError(
                f"filters must be a real 2D array (filter_length, n_filters) with at least "
                f"one filter, got shape {filters.shape}; for one filter pass "
                f"filters[:, None]."
            )
        filters = filters.astype(np.float64)
        if not np.isfinite(filters).all():
            raise ValueError("filters contain NaN or infinite values; pass finite filters.")
        object.__setattr__(self, "filters", filters)  # frozen: validated once, here
        for name in ("input_lags", "ar_order"):
            object.__setattr__(
                self, name, check_positive_int(getattr(self, name), name, minimum=0)
            )

    def n_columns(self, n_channels, n_outputs):
        """Number of design columns for ``n_channels`` inputs and ``n_outputs`` outputs.

        Parameters
        ----------
        n_channels : int
            Input channels ``c``.
        n_outputs : int
            Output channels ``q`` (they add ``ar_order * n_outputs`` columns).

        Returns
        -------
        int
            The input features (:func:`~sksssm.spectral.n_stu_features`) plus the
            autoregressive columns; the intercept is not counted.
        """
        n_input = n_stu_features(
            n_channels, self.filters.shape[1], self.input_lags, self.use_negative
        )
        return n_input + self.ar_order * n_outputs

    def bytes_per_sequence(self, n_timesteps, n_channels, n_outputs, *, sequence_rows=True):
        """Upper estimate of the working memory one sequence of a chunk needs.

        Counts the FFT intermediates of the convolution and the assembled design block.
        Sequence-to-one rows need the last step only (no FFT; direct dot products).

        Parameters
        ----------
        n_timesteps : int
            Time steps ``t`` of the sequence.
        n_channels : int
            Input channels ``c``.
        n_outputs : int
            Output channels ``q``.
        sequence_rows : bool, default=True
            True: one design row per time step (:meth:`sequence_rows`); False: one row
            per sequence, its last step (:meth:`last_features`).

        Returns
        -------
        int
            Bytes, an upper estimate (used to size the chunks of sequences).
        """
        n_columns = self.n_columns(n_channels, n_outputs) + n_outputs + 1
        if not sequence_rows:
            return 8 * n_columns * 4 + 8 * n_timesteps * n_channels
        n_branches = 2 if self.use_negative else 1
        taps = n_channels * n_branches * self.filters.shape[1]
        per_step = _FFT_BYTES_PER_TAP * taps + _DESIGN_BYTES_PER_COLUMN * n_columns
        return int(n_timesteps * per_step)

    # ------------------------------------------------------------------ design rows
    def input_features(self, U):
        """Spectral features and direct lags at every step.

        Parameters
        ----------
        U : ndarray of shape (n, t, c)
            Input sequences.

        Returns
        -------
        ndarray of shape (n, t, n_input_columns)
            :func:`~sksssm.spectral.stu_features` with this design's filters, lags and
            branches.
        """
        return stu_features(
            U, self.filters, input_lags=self.input_lags, use_negative=self.use_negative
        )

    def last_features(self, U):
        """The input features of the last step only.

        Parameters
        ----------
        U : ndarray of shape (n, t, c)
            Input sequences.

        Returns
        -------
        ndarray of shape (n, n_input_columns)
            ``input_features(U)[:, -1]``, computed by direct dot products (no FFT).
        """
        return _stu_features_last(U, self.filters, self.input_lags, self.use_negative)

    def sequence_rows(self, U, Y):
        """Teacher-forced design rows of every step: ``(F (n*t, p), Y (n*t, q))``.

        Parameters
        ----------
        U : ndarray of shape (n, t, c)
            Input sequences.
        Y : ndarray of shape (n, t, q)
            Observed outputs, aligned with ``U``; their past values are the
            autoregressive columns (with ``ar_order``).

        Returns
        -------
        F : ndarray of shape (n * t, n_columns)
            Design rows: the input features, then the autoregressive columns.
        Y_rows : ndarray of shape (n * t, q)
            The targets of those rows.
        """
        check_targets(U, Y)
        F = self.input_features(U)
        if self.ar_order:
            F = np.concatenate([F, autoregressive_features(Y, self.ar_order)], axis=2)
        return F.reshape(-1, F.shape[2]), Y.reshape(-1, Y.shape[2])

    # ------------------------------------------------------------------ fit
    def fit(self, U, Y, *, alpha="auto", fit_intercept=True, chunk_length=None):
        """Exact ridge fit of sequence targets ``Y`` (n, t, q) on inputs ``U`` (n, t, c).

        ``ar_order`` must be below ``t``
        (:func:`~sksssm.spectral._design.check_ar_order`).

        Parameters
        ----------
        U : ndarray of shape (n, t, c)
            Input sequences.
        Y : ndarray of shape (n, t, q)
            Target sequences, aligned with ``U``.
        alpha : float >= 0 or "auto", default="auto"
            Ridge penalty on the standardized features; "auto" chooses it by GCV (see
            :class:`~sksssm.spectral.RidgeSolution`).
        fit_intercept : bool, default=True
            Fit an intercept (the features and targets are centred).
        chunk_length : int or None, default=None
            Sequences per chunk of the streaming QR; None: all in one chunk. The result
            does not depend on it beyond round-off.

        Returns
        -------
        coef : ndarray of shape (q, n_columns)
            Weights in the column order of :meth:`sequence_rows`, in original units.
        intercept : ndarray of shape (q,)
            Zeros without ``fit_intercept``.
        alpha : float
            The penalty used.
        """
        check_targets(U, Y)
        check_ar_order(self.ar_order, U.shape[1])
        accumulator = QRAccumulator(self.n_columns(U.shape[2], Y.shape[2]), Y.shape[2])
        accumulate_chunks(
            self.sequence_rows, U, Y, accumulator, chunk_length=chunk_length or U.shape[0]
        )
        return solve(accumulator, alpha=alpha, fit_intercept=fit_intercept)[:3]

    # ------------------------------------------------------------------ predict
    def predict_sequences(self, U, coef, intercept):
        """Free-run predictions ``(n, t, q)``: past outputs are the model's own predictions.

        Parameters
        ----------
        U : ndarray of shape (n, t, c)
            Input sequences.
        coef : ndarray of shape (q, n_columns)
            Weights in the column order of :meth:`sequence_rows` (as :meth:`fit`
            returns).
        intercept : ndarray of shape (q,)
            One per output channel.

        Returns
        -------
        ndarray of shape (n, t, q)
            With ``ar_order``, each step's past outputs are the model's own earlier
            predictions (:func:`~sksssm.spectral.feed_back_outputs`).
        """
        F = self.input_features(U)
        n_input = F.shape[2]
        Y = F @ coef[:, :n_input].T + intercept
        if self.ar_order:
            Y = feed_back_outputs(Y, coef[:, n_input:], self.ar_order)
        return Y

    def predict_teacher_forced(self, U, Y, coef, intercept):
        """One-step-ahead predictions given the observed past outputs ``Y``.

        Parameters
        ----------
        U : ndarray of shape (n, t, c)
            Input sequences.
        Y : ndarray of shape (n, t, q)
            Observed outputs, aligned with ``U`` (only their past enters each step).
        coef : ndarray of shape (q, n_columns)
            Weights in the column order of :meth:`sequence_rows`.
        intercept : ndarray of shape (q,)
            One per output channel.

        Returns
        -------
        ndarray of shape (n, t, q)
            The prediction of each step from the inputs up to it and the observed
            outputs before it (teacher forcing).
        """
        F, _ = self.sequence_rows(U, Y)
        return (F @ coef.T + intercept).reshape(Y.shape[0], Y.shape[1], -1)


def check_targets(U, Y, *, sequences=True):
    """Refuse targets ``Y`` that do not belong to the inputs ``U`` (n, t, c_in).

    ``sequences``: ``Y`` must be (n, t, c_out), one target per input step (teacher-forced
    rows); otherwise only one target row per sequence (``Y`` (n, ...)), as a generic
    ``rows`` map of :func:`accumulate_chunks` needs. Unchecked, extra target sequences
    were ignored and rows of different counts reached the accumulator.
    """
    u_shape, y_shape = np.shape(U), np.shape(Y)
    if sequences:
        match = len(u_shape) == len(y_shape) == 3 and u_shape[:2] == y_shape[:2]
        layout = "Y (n, t, c_out) aligned with U (n, t, c_in)"
    else:
        match = u_shape[:1] == y_shape[:1]
        layout = "one target row of Y per sequence of U"
    if not match:
        raise ValueError(
            f"U of shape {u_shape} and Y of shape {y_shape} do not match: pass {layout}."
        )


def check_ar_order(ar_order, n_timesteps):
    """Refuse an output autoregression at least as long as the sequences.

    Its oldest past outputs would lie before every sequence's start: columns of zeros,
    fitted as zero coefficients without a word.
    """
    if ar_order >= n_timesteps:
        raise ValueError(
            f"ar_order={ar_order} needs sequences longer than {ar_order} time steps; the "
            f"sequences have {n_timesteps}. Use ar_order <= {n_timesteps - 1}, or longer "
            f"sequences."
        )


@validate_params(
    {
        "rows": [callable],
        "U": ["array-like"],
        "Y": ["array-like"],
        "accumulator": [HasMethods(["update"])],
        "chunk_length": [IntegerInterval(1)],
        "scales": [tuple],
    },
    prefer_skip_nested_validation=True,
)
def accumulate_chunks(rows, U, Y, accumulator, *, chunk_length, scales=(1.0, 1.0)):
    """Add ``rows(U_chunk, Y_chunk)`` to ``accumulator`` chunk of sequences by chunk.

    The one streaming loop of the closed-form fit: each chunk is divided by ``scales``,
    never a copy of the whole data, so memory stays bounded by the chunk.

    Parameters
    ----------
    rows : callable
        ``rows(U_chunk, Y_chunk) -> (F, Y_rows)``: the design rows of a chunk of
        (scaled) sequences and their targets (e.g.
        :meth:`SpectralDesign.sequence_rows`).
    U : ndarray of shape (n, ...)
        Input sequences (any layout ``rows`` takes), sliced along the first axis.
    Y : ndarray of shape (n, ...)
        Targets, one entry per sequence of ``U`` along the first axis.
    accumulator : QRAccumulator
        Any object with an ``update(F, Y_rows)`` method; updated in place.
    chunk_length : int
        Sequences per chunk (at least 1).
    scales : tuple of float, default=(1.0, 1.0)
        ``(u_scale, y_scale)``: each chunk of ``U`` and ``Y`` is divided by them.

    Returns
    -------
    QRAccumulator
        ``accumulator``, with every chunk's rows added.
    """
    check_targets(U, Y, sequences=False)
    u_scale, y_scale = scales
    for start in range(0, U.shape[0], chunk_length):
        chunk = slice(start, start + chunk_length)
        accumulator.update(*rows(U[chunk] / u_scale, Y[chunk] / y_scale))
    return accumulator


@validate_params(
    {
        "accumulator": [QRAccumulator],
        "alpha": [StrOptions({"auto"}), ALPHA_CONSTRAINT],
        "fit_intercept": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def solve(accumulator, *, alpha="auto", fit_intercept=True):
    """Ridge solution of an accumulated factor: ``(coef, intercept, alpha, gcv_scores)``.

    Parameters
    ----------
    accumulator : QRAccumulator
        The factor of the rows, with at least one row.
    alpha : float >= 0 or "auto", default="auto"
        Penalty on the standardized features (:class:`RidgeSolution`); "auto" picks the
        GCV minimizer of
        :meth:`RidgeSolution.alpha_grid <sksssm.spectral.RidgeSolution.alpha_grid>`.
    fit_intercept : bool, default=True
        Fit an intercept (centred features and targets); False: the raw rows.

    Returns
    -------
    coef : ndarray of shape (n_targets, n_features)
        Weights in original units.
    intercept : ndarray of shape (n_targets,)
        Zeros without ``fit_intercept``.
    alpha : float
        The penalty used.
    gcv_scores : ndarray of shape (n_alphas,) or None
        With ``alpha="auto"``, the GCV score of each grid value; otherwise None.

    Examples
    --------
    >>> import numpy as np
    >>> from sksssm.spectral import QRAccumulator, solve
    >>> F = np.random.default_rng(0).normal(size=(50, 2))
    >>> acc = QRAccumulator(2, 1).update(F, F @ [[2.0], [-1.0]])
    >>> coef, intercept, alpha, _ = solve(acc)
    >>> np.round(coef, 8).tolist(), alpha
    ([[2.0, -1.0]], 0.0)
    """
    if not accumulator.n_rows_:  # zero coefficients and an infinite GCV score, else
        raise ValueError("no rows accumulated: update the accumulator first.")
    solution = RidgeSolution(accumulator, fit_intercept=fit_intercept)
    scores = None
    if isinstance(alpha, str):
        alpha, scores = solution.best_alpha()
    coef, intercept = solution.coefficients(float(alpha))
    return coef, intercept, float(alpha), scores
