"""Deep SSM classifiers on series of unequal length: JapaneseVowels and PLAID (issue 23).

Both sets ship with sktime (no download) and hold series of different lengths, which
every model here takes as NaN-padded ``(n, channels, time)`` arrays (the deep
classifiers mask the padding: statistics, pooling and the reversed direction of the
bidirectional layers see each series' own steps only). Models: ``PTDSSMClassifier``,
``HOPEClassifier`` and ``STUClassifier`` with their defaults (``random_state=0``),
``HOPEClassifier(input_scaling="series")`` (each series standardized on its own),
``SpectralFilterClassifier()``, MiniRocket for unequal lengths
(:class:`benchmarks._classification_models.MiniRocketVariable`) and the CNN anchor
(:class:`benchmarks._classification_models.CNN`, 600 steps, masked pooling). Protocol:
:mod:`benchmarks.protocol` (official train/test split, seed 0, one thread, fit+predict
seconds, every model warmed up once untimed on a tiny padded set).

Usage::

    python -m benchmarks.deep_unequal            # both sets, writes the section
    python -m benchmarks.deep_unequal --quick    # JapaneseVowels only, nothing written
"""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.classification import CNN as CNNAnchor
from benchmarks.classification import MiniRocketVariable, describe, load
from benchmarks.deep_corpus import CNN, DEEP, SEED, run_model

SETS = ("JapaneseVowels", "PLAID")
MINIROCKET, SPECTRAL = "MiniRocket (variable length)", "SpectralFilterClassifier"
#: The opt-in per-series input scaling, on one deep classifier (the PLAID diagnosis).
HOPE_SERIES = 'HOPEClassifier, input_scaling="series"'


def model_factories():
    """Name -> factory of every model of the table."""
    import sksssm

    out = {name: partial(getattr(sksssm, name), random_state=SEED) for name in DEEP}
    out[HOPE_SERIES] = partial(sksssm.HOPEClassifier, input_scaling="series", random_state=SEED)
    out[SPECTRAL] = sksssm.SpectralFilterClassifier
    out[MINIROCKET] = MiniRocketVariable
    out[CNN] = CNNAnchor
    return out


def warm_up_all(factories):
    """One untimed fit+predict of each model on 8 NaN-padded series of 12 to 20 steps."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2, 20)), np.arange(8) % 2
    X[::2, :, 12:] = np.nan
    for factory in factories.values():
        protocol.warm_up(lambda factory=factory: factory().fit(X, y).predict(X))


def report_body(results, shapes, methods):
    """The section's Markdown: per set, accuracy (seconds) of every model, and time / CNN."""
    rows = [
        [name, shapes[name], *(f"{res[m][0]:.3f} ({res[m][1]:.1f} s)" for m in methods)]
        for name, res in results.items()
    ]
    ratios = [
        [name, *(f"{res[m][1] / res[CNN][1]:.2f}" for m in methods)]
        for name, res in results.items()
    ]
    return "\n\n".join(
        [
            f"Unequal-length sets shipped with sktime: {', '.join(results)}. Series are "
            "NaN-padded at the end; every model takes them as they are. Defaults (seed 0), "
            "official train/test split, one thread, every model warmed up once per run on a "
            "tiny padded set; cells: test accuracy (fit+predict seconds). Shape: train/test "
            "series, channels C, range of the training lengths L. MiniRocket: sktime's "
            "`MiniRocketMultivariateVariable` + `RidgeClassifierCV`; CNN: the 600-step anchor "
            "of the corpus section, pooling over the valid steps. "
            f"{HOPE_SERIES}: the opt-in per-series standardization (each series and channel "
            "to mean 0, standard deviation 1 over its valid steps); every other deep model "
            'uses the default per-channel scaling. `max_epochs="auto"` sizes the budget by '
            "the mean true length (PLAID: 600 optimizer steps).",
            markdown_table(["data set", "train/test, C, L", *methods], rows),
            "Fit+predict time relative to the CNN anchor on the same set:",
            markdown_table(["data set", *methods], ratios),
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="JapaneseVowels only, no file")
    args = parser.parse_args(argv)
    planned = SETS[:1] if args.quick else SETS
    factories = model_factories()
    methods = list(factories)
    results, shapes = {}, {}
    with protocol.one_thread():
        warm_up_all(factories)
        for name in planned:
            data = load(name)
            shapes[name] = describe(data[0], data[2])
            results[name] = {}
            for method, factory in factories.items():
                results[name][method] = run_model(factory, data)
                print(name, method, results[name][method], flush=True)
            body = report_body(results, shapes, methods)
            if not args.quick:
                write_section(
                    "deep_unequal",
                    body,
                    command="python -m benchmarks.deep_unequal",
                    title="Deep SSM classifiers on series of unequal length",
                )
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
