"""Few training series per class: choose by leave-one-out, or take the fixed model?

With one training series per class the classifier cannot score any series and takes a
fixed model (``ppv`` features, middle penalty; ``benchmarks/clf_singletons.py``). An
exploratory run (session 43, not counted: 26 development sets cut to ``k`` training
series per class, seeds 0-2, the fixed model with temperature 1) suggested that the
leave-one-out choice among its candidates (12 feature sets and representations x 17
penalties) is noisier than the fixed model up to about two series per class: mean
accuracy 0.5510 fixed against 0.5349 chosen at two per class (W/D/L 45/6/27), 0.6350
against 0.6440 at four (30/6/42). The candidate: the fixed model whenever the median
class has at most ``FEW_SERIES_PER_CLASS`` training series (its temperature still
fitted on the series leave-one-out can score). The counted run (``4e9d7b5``) set a
library constant ``FEW_SERIES_PER_CLASS``; the candidate failed, the constant was
removed, and :func:`few_series_rule` now plays the candidate by replacing the library's
:func:`~sksssm.estimators._pooled_selection.selects_by_loo` (the same model: the rerun
reproduced every cell).

Regimes ``two`` and ``three``: the 26 development sets with at least four classes
(``benchmarks.clf_singletons.regime_sets``), each class cut to 2 (3) training series
drawn with ``numpy.random.default_rng([seed, crc32(set name), k])``, fresh seeds 10,
11, 12 (also the classifier's ``random_state``; none of the exploratory draws), the
test split capped at 300 series (``benchmarks.clf_singletons.test_rows``). Variants:
``default`` (``FEW_SERIES_PER_CLASS = 0``: leave-one-out chooses whenever a series can
be scored) and ``fixed`` (``FEW_SERIES_PER_CLASS = k``).

Pre-registered rule (verbatim, :data:`RULE`):

"Pre-registered rule (issue 21, session 43, fixed before the counted run): if in regime
`two` the mean accuracy of `fixed` over the cells (set, seed) is at least `default`'s +
0.005, FEW_SERIES_PER_CLASS becomes 2, and 3 if in regime `three` `fixed` is also at
least `default`'s + 0.005; otherwise it stays 0. No development set's official split is
affected (only Fungi has a median class of at most 4 training series, and it has one
per class)."

Usage::

    python -m benchmarks.clf_few_series --write   # the counted run: the section
    python -m benchmarks.clf_few_series --quick   # 3 sets, one seed, writes nothing
"""

from __future__ import annotations

import argparse
import time
import zlib
from unittest import mock

import numpy as np

from benchmarks import protocol
from benchmarks.clf_singletons import capped_sets, means, per_set_table, publish, regime_sets, wins

#: The rule, as quoted in the docstring.
RULE = '"Pre-registered rule' + __doc__.split('"Pre-registered rule')[1].split('"')[0] + '"'
SEEDS = (10, 11, 12)
REGIMES = {"two": 2, "three": 3}
#: Smallest mean accuracy gain of ``fixed`` that adopts it.
MIN_GAIN = 0.005


def draw_training(y, k, rng):
    """Indices of ``k`` training series of each class (all of a smaller class)."""
    keep = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        keep.extend(rng.choice(members, min(k, len(members)), replace=False))
    return np.sort(np.asarray(keep))


def few_series_rule(few):
    """The candidate's ``selects_by_loo``: leave-one-out chooses when some series can be
    scored and the median class has more than ``few`` training series."""
    from sksssm.estimators._class_targets import scored_series

    def selects_by_loo(encoded):
        counts = np.unique(encoded, return_counts=True)[1]
        return bool(scored_series(encoded).any()) and np.median(counts) > few

    return selects_by_loo


def accuracy(few, X_train, y_train, X_test, y_test, seed):
    """Test accuracy with ``FEW_SERIES_PER_CLASS = few`` (:func:`few_series_rule`)."""
    from sksssm import SpectralFilterClassifier

    rule = few_series_rule(few)
    with mock.patch("sksssm.estimators._pooled_selection.selects_by_loo", rule):
        clf = SpectralFilterClassifier(random_state=seed).fit(X_train, y_train)
    return float(np.mean(clf.predict(X_test) == y_test))


def run_regime(k, names, seeds):
    """``{(set, seed): {"default": accuracy, "fixed": accuracy}}`` at ``k`` per class."""
    cells = {}
    for name, seed, X_train, y_train, X_test, y_test in capped_sets(names, seeds):
        rng = np.random.default_rng([seed, zlib.crc32(name.encode()), k])
        keep = draw_training(y_train, k, rng)
        data = (X_train[keep], y_train[keep], X_test, y_test, seed)
        cells[name, seed] = {"default": accuracy(0, *data), "fixed": accuracy(k, *data)}
        print(k, name, seed, cells[name, seed], flush=True)
    return cells


def verdict(results):
    """``(FEW_SERIES_PER_CLASS by the rule, lines)`` from ``{regime: cells}``."""
    few, lines = 0, []
    for regime, k in REGIMES.items():
        m = means(results[regime])
        met = m["fixed"] >= m["default"] + MIN_GAIN
        lines.append(
            f"- Regime `{regime}`: `fixed` {m['fixed']:.4f} against `default` "
            f"{m['default']:.4f} (W/D/L {wins(results[regime], 'fixed', 'default')}): "
            + ("met." if met else "not met.")
        )
        if not met:
            break
        few = k
    lines.append(f"- Outcome: `FEW_SERIES_PER_CLASS = {few}`.")
    return few, lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write the section")
    parser.add_argument("--quick", action="store_true", help="3 sets, one seed, no write")
    args = parser.parse_args(argv)
    names, seeds = regime_sets(), SEEDS
    if args.quick:
        names, seeds = ["Beef", "Car", "FaceFour"], SEEDS[:1]
    start = time.perf_counter()
    with protocol.one_thread():
        results = {regime: run_regime(k, names, seeds) for regime, k in REGIMES.items()}
    _, lines = verdict(results)
    body = "\n\n".join([
        __doc__.split("Usage::")[0].strip().replace("``", "`"),
        "### Outcome",
        "\n".join(lines),
        *[part for regime, k in REGIMES.items() for part in (
            f"### Regime `{regime}` ({k} training series per class)",
            per_set_table(results[regime], ["default", "fixed"]),
        )],
        f"Fit+predict of every cell, one thread: {time.perf_counter() - start:.0f} s.",
    ])  # fmt: skip
    publish(body, args, "clf_few_series", "few training series per class")


if __name__ == "__main__":
    main()
