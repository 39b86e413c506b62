"""The streaming QR update: LAPACK ``tpqrt`` against ``geqrf`` on the stacked rows.

Every closed-form fit accumulates the triangular factor of its design chunk by chunk
(:class:`~sksssm.spectral._ridge.QRAccumulator`): the previous ``k x k`` factor stacked on
the new rows is factored again. ``geqrf`` treats the stack as a dense block; ``tpqrt``
keeps the factor triangular and reflects only the new rows into it (the same Householder
reflections). From :data:`~sksssm.spectral._lapack.TPQRT_MIN_COLUMNS` (96) columns the
library uses ``tpqrt``; below, ``geqrf``. This script measures both side by side in one
process, one thread, the library patched to use one or the other (``TPQRT_MIN_COLUMNS``
set to 1, 96 or above every width):

* one update of a ``k x k`` factor by ``m`` rows (best of repeats), ``geqrf`` against
  ``tpqrt`` at every width (where the threshold of 96 comes from);
* whole fits with ``geqrf`` at every width against the library's rule:
  ``SpectralFilterRegressor(return_sequences=True)`` fits on 256 random sequences of 3
  channels x 1,024 steps (the default, and ``ar_order=16``; best of 4, the two in turn),
  with the largest relative difference of the coefficients between the two;
* ``SpectralFilterClassifier()`` on a PenDigits-like shape (7,494 + 3,498 series, 2
  channels x 8 steps; ``benchmarks.clf_wide.wide_data``), whose features (1,671 and 3,341
  columns) are fewer than its series, so its ridge streams.

Run ``python -m benchmarks.qr_update`` (writes the section ``qr_update``) or ``--quick``
(small shapes, writes nothing).
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section

#: ``(k, m)``: columns of the factor and rows added.
UPDATE_SHAPES = (
    (32, 128),
    (64, 256),
    (96, 384),
    (128, 512),
    (256, 1024),
    (1024, 1024),
    (3341, 3331),
)
#: ``TPQRT_MIN_COLUMNS`` of each path: geqrf at every width, tpqrt at every width (one
#: update) and the library's rule (whole fits).
PATHS = {"geqrf": 10**9, "tpqrt": 1, "library": 96}


def _path(name):
    return mock.patch("sksssm.spectral._lapack.TPQRT_MIN_COLUMNS", PATHS[name])


def update_seconds(k, m, name, repeats):
    """Best time of one update of a ``k x k`` factor by ``m`` rows on path ``name``."""
    from sksssm.spectral._ridge import QRAccumulator

    rng = np.random.default_rng(0)
    F = rng.normal(size=(k + m, k - 2))
    Y = rng.normal(size=(k + m, 1))
    best = np.inf
    with _path(name):
        for _ in range(repeats):
            acc = QRAccumulator(k - 2, 1).update(F[:k], Y[:k])
            start = time.perf_counter()
            acc.update(F[k:], Y[k:])
            best = min(best, time.perf_counter() - start)
    return best


def regressor_rows(n_series, repeats):
    """``[model, geqrf s, tpqrt s, relative coefficient difference]``."""
    from sksssm import SpectralFilterRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_series, 3, 1024))
    y = np.cumsum(X, axis=2)[:, :1] * 0.01 + 0.1 * rng.normal(size=(n_series, 1, 1024))
    rows = []
    SpectralFilterRegressor(return_sequences=True).fit(X[:2], y[:2])  # the filter cache
    for params in ({}, {"ar_order": 16}):
        seconds, coefs = {"geqrf": np.inf, "library": np.inf}, {}
        for repeat in range(repeats):  # the two paths in turn, the order alternating
            for name in ("geqrf", "library")[:: 1 if repeat % 2 == 0 else -1]:
                with _path(name):
                    start = time.perf_counter()
                    model = SpectralFilterRegressor(return_sequences=True, **params).fit(X, y)
                    seconds[name] = min(seconds[name], time.perf_counter() - start)
                coefs[name] = model.coef_
        diff = np.abs(coefs["library"] - coefs["geqrf"]).max() / np.abs(coefs["geqrf"]).max()
        label = (f"SpectralFilterRegressor(return_sequences=True{_kwargs(params)}), "
                 f"{coefs['geqrf'].size} coefficients")  # fmt: skip
        rows.append([label, f"{seconds['geqrf']:.2f}", f"{seconds['library']:.2f}", f"{diff:.1e}"])
    return rows


def _kwargs(params):
    return "".join(f", {k}={v}" for k, v in params.items())


def classifier_row(shape):
    """``[model, geqrf s, tpqrt s, accuracy geqrf / tpqrt]`` of the streaming head."""
    from benchmarks.clf_wide import wide_data
    from sksssm import SpectralFilterClassifier

    X_train, y_train, X_test, y_test = wide_data(shape)
    seconds, accuracy = {}, {}
    for name in ("geqrf", "library"):
        with _path(name):
            start = time.perf_counter()
            clf = SpectralFilterClassifier(random_state=0).fit(X_train, y_train)
            accuracy[name] = float(np.mean(clf.predict(X_test) == y_test))
            seconds[name] = time.perf_counter() - start
    label = (f"SpectralFilterClassifier(), {shape[0]} ({shape[3]} + {shape[4]} series, "
             f"{shape[1]} x {shape[2]}), fit+predict")  # fmt: skip
    return [label, f"{seconds['geqrf']:.1f}", f"{seconds['library']:.1f}",
            f"accuracy {accuracy['geqrf']:.4f} / {accuracy['library']:.4f}"]  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small shapes; writes nothing")
    args = parser.parse_args(argv)
    shapes = UPDATE_SHAPES[:3] if args.quick else UPDATE_SHAPES
    with protocol.one_thread():
        updates = []
        for k, m in shapes:
            repeats = 3 if k >= 1024 else 20
            geqrf, tpqrt = (update_seconds(k, m, name, repeats) for name in ("geqrf", "tpqrt"))
            updates.append([k, m, f"{geqrf * 1e3:.2f}", f"{tpqrt * 1e3:.2f}",
                            f"{tpqrt / geqrf:.2f}"])  # fmt: skip
            print(updates[-1], flush=True)
        fits = regressor_rows(32 if args.quick else 256, 1 if args.quick else 4)
        shape = ("PenDigits-like", 2, 8, 7494, 3498)
        if args.quick:
            shape = ("small", 2, 8, 600, 100)
        fits.append(classifier_row(shape))
    body = "\n\n".join([
        __doc__.split("Run ``")[0].strip().replace("``", "`"),
        "### One update",
        markdown_table(["columns k", "rows added m", "geqrf [ms]", "tpqrt [ms]",
                        "tpqrt / geqrf"], updates),  # fmt: skip
        "### Whole fits (the regressor: best of 4, the two paths in turn, the order "
        "alternating; the coefficient difference is the largest over the largest "
        "coefficient)",
        markdown_table(["model", "geqrf [s]", "the library (tpqrt from 96 columns) [s]",
                        "difference"], fits),  # fmt: skip
    ])  # fmt: skip
    print(body)
    if not args.quick:
        write_section(
            "qr_update",
            body,
            command="python -m benchmarks.qr_update",
            title="Streaming QR update: tpqrt against geqrf",
        )


if __name__ == "__main__":
    main()
