"""Classes with one training series: what leave-one-out may score (issue 21, accuracy).

Left out, the only training series of its class has no class to be assigned to: its
leave-one-out residuals measure how far the model shrinks every class's decision, which
the largest penalty always wins. On UCR's Fungi (18 classes, one training series each)
``SpectralFilterClassifier()`` chose the largest penalty (1e5) and scored 0.855 on the
test split; any penalty up to 1e3 gives 1.000. Three development sets have such classes
(Fungi: all 18; DiatomSizeReduction: 1 of 4; FiftyWords: 1 of 50), and held-out sets may
have more (resamples of sets with few series per class).

The change (:func:`~sksssm.estimators._class_targets.scored_series`): the leave-one-out
scores, the representation's choice and the temperature average only over the series
whose class has another training series; when no series has (every class one series),
nothing can be scored and a fixed fallback is used
(:func:`~sksssm.estimators._pooled_selection._choices`: a feature set without the
cross-channel block, at one penalty).

Two regimes, derived from the 26 development sets with at least four classes (drawn
with ``numpy.random.default_rng([seed, crc32(set name)])``, seeds 0, 1, 2, which are
also the classifier's ``random_state``), each test split capped at 300 series (one draw
per set, the same for every variant and seed):

* ``half``: a random half (rounded down) of the classes keep one training series, the
  others all of theirs. Variants: ``main`` (every series scored: the behaviour before
  the change) and ``exclusion`` (the change; the library's fallback only on Fungi, whose
  classes all have one series already: ``all/middle`` in the counted run of ``8e78fbb``
  (0.919, 0.919, 0.914), ``ppv_only/middle`` from ``e70230f`` on (1.000); without
  Fungi ``exclusion`` 0.5278 against ``main`` 0.5219, W/D/L 28/35/12).
* ``one``: one training series per class. Variants: ``main`` and six fallbacks, a feature
  set (``all``, every feature: the first candidate; ``ppv_only``) times a penalty of the
  default grid ``logspace(-3, 5, 17)`` (``smallest`` 1e-3, ``middle`` 10, ``largest``
  1e5).

Pre-registered rule (verbatim, :data:`RULE`):

"Pre-registered rule (issue 21, session 43, fixed before the counted run): over the
cells (set, seed) of regime `half`, `exclusion` is adopted if its mean accuracy is at
least `main`'s; otherwise nothing changes. If it is adopted, the fallback for one series
per class is, of the six, the one with the highest mean accuracy over the cells of
regime `one` (ties: the order all/middle, all/smallest, all/largest, ppv_only/middle,
ppv_only/smallest, ppv_only/largest), adopted if that mean is above `main`'s; else with
one series per class every series is scored, as before. The official splits of Fungi,
DiatomSizeReduction and FiftyWords are reported, and do not gate."

Usage::

    python -m benchmarks.clf_singletons --write   # the counted run: the section
    python -m benchmarks.clf_singletons --quick   # smoke run: 3 sets, seed 0, writes nothing
"""

from __future__ import annotations

import argparse
import contextlib
import time
import zlib
from unittest import mock

import numpy as np

from benchmarks import protocol
from benchmarks._report import markdown_table, write_section
from benchmarks.corpus import UCR_DEVELOPMENT, load_ucr

#: The rule, as quoted in the docstring.
RULE = '"Pre-registered rule' + __doc__.split('"Pre-registered rule')[1].split('"')[0] + '"'
SEEDS = (0, 1, 2)
#: Test series per set (a fixed draw), to bound the run's time.
MAX_TEST = 300
#: Fewest classes of a set in the regimes (one series per class: at least 4 series).
MIN_CLASSES = 4
#: Fallback penalties of the variants, on the default grid ``logspace(-3, 5, 17)``.
PENALTIES = {"middle": None, "smallest": np.min, "largest": np.max}
FALLBACKS = [(f, p) for f in ("all", "ppv_only") for p in PENALTIES]
#: The development sets whose official training split has classes of one series.
AFFECTED = ("Fungi", "DiatomSizeReduction", "FiftyWords")
MODULES = (
    "sksssm.estimators._class_targets",
    "sksssm.estimators._pooled_selection",
    "sksssm.estimators.spectral_classifier",
)


def every_series(encoded):
    """``scored_series`` before the change: every series scored."""
    return np.ones(len(encoded), dtype=bool)


@contextlib.contextmanager
def variant(name):
    """The library patched to behave as the variant ``name`` (``"main"``,
    ``"exclusion"`` or ``"feature set/penalty"``)."""
    with contextlib.ExitStack() as stack:
        if name == "main":
            for module in MODULES:
                stack.enter_context(mock.patch(f"{module}.scored_series", every_series))
        elif name != "exclusion":
            feature_set, penalty = name.split("/")
            module = "sksssm.estimators._pooled_selection"
            stack.enter_context(mock.patch(f"{module}.FALLBACK_FEATURE_SET", feature_set))
            if PENALTIES[penalty] is not None:
                chosen = PENALTIES[penalty]
                stack.enter_context(
                    mock.patch(f"{module}.fallback_penalty", lambda a: float(chosen(a)))
                )
        yield


def regime_sets():
    """The development sets with at least :data:`MIN_CLASSES` classes."""
    names = []
    for name in UCR_DEVELOPMENT:
        _, y_train, _, _ = load_ucr(name)
        if len(np.unique(y_train)) >= MIN_CLASSES:
            names.append(name)
    return names


def draw_training(y, regime, rng):
    """Indices of the training series kept in ``regime`` (``"one"`` or ``"half"``)."""
    classes = np.unique(y)
    reduced = classes if regime == "one" else rng.permutation(classes)[: len(classes) // 2]
    keep = []
    for label in classes:
        members = np.flatnonzero(y == label)
        keep.extend(rng.choice(members, 1) if label in reduced else members)
    return np.sort(np.asarray(keep))


def test_rows(name, n_test):
    """A fixed draw of at most :data:`MAX_TEST` test series of set ``name``."""
    if n_test <= MAX_TEST:
        return np.arange(n_test)
    rng = np.random.default_rng([zlib.crc32(name.encode()), 1])
    return np.sort(rng.choice(n_test, MAX_TEST, replace=False))


def accuracy(name, X_train, y_train, X_test, y_test, seed):
    """Test accuracy of ``SpectralFilterClassifier(random_state=seed)`` under the variant
    ``name``."""
    from sksssm import SpectralFilterClassifier

    with variant(name):
        clf = SpectralFilterClassifier(random_state=seed).fit(X_train, y_train)
    return float(np.mean(clf.predict(X_test) == y_test))


def capped_sets(names, seeds):
    """``(name, seed, X_train, y_train, X_test, y_test)`` of each set and seed, the test
    split cut to :func:`test_rows`."""
    for name in names:
        X_train, y_train, X_test, y_test = load_ucr(name)
        rows = test_rows(name, len(y_test))
        for seed in seeds:
            yield name, seed, X_train, y_train, X_test[rows], y_test[rows]


def run_regime(regime, names, seeds, variants):
    """``{(set, seed): {variant: accuracy}}`` of one regime."""
    cells = {}
    for name, seed, X_train, y_train, X_test, y_test in capped_sets(names, seeds):
        rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        keep = draw_training(y_train, regime, rng)
        cells[name, seed] = {
            v: accuracy(v, X_train[keep], y_train[keep], X_test, y_test, seed) for v in variants
        }
        print(regime, name, seed, cells[name, seed], flush=True)
    return cells


def means(cells):
    """``{variant: mean accuracy over the cells}``."""
    variants = next(iter(cells.values()))
    return {v: float(np.mean([cell[v] for cell in cells.values()])) for v in variants}


def wins(cells, candidate, baseline="main"):
    """Wins/draws/losses of ``candidate`` against ``baseline`` over the cells."""
    diff = np.array([cell[candidate] - cell[baseline] for cell in cells.values()])
    return f"{int((diff > 0).sum())}/{int((diff == 0).sum())}/{int((diff < 0).sum())}"


def verdict(half, one):
    """``(exclusion adopted, fallback adopted or None, lines)`` by :data:`RULE`."""
    half_means, one_means = means(half), means(one)
    adopted = half_means["exclusion"] >= half_means["main"]
    lines = [
        f"- Regime `half`: `exclusion` {half_means['exclusion']:.4f} against `main` "
        f"{half_means['main']:.4f} (W/D/L {wins(half, 'exclusion')}): "
        + ("adopted." if adopted else "not adopted; nothing changes.")
    ]
    fallback = None
    if adopted:
        names = ["/".join(f) for f in FALLBACKS]
        best = max(names, key=lambda v: (one_means[v], -names.index(v)))
        if one_means[best] > one_means["main"]:
            fallback = best
        lines.append(
            f"- Regime `one`: best fallback `{best}` {one_means[best]:.4f} against `main` "
            f"{one_means['main']:.4f} (W/D/L {wins(one, best)}): "
            + ("adopted." if fallback else "not adopted; every series scored, as before.")
        )
    return adopted, fallback, lines


def per_set_table(cells, variants):
    """Mean accuracy over the seeds of each set and variant."""
    names = list(dict.fromkeys(name for name, _ in cells))
    rows = []
    for name in names:
        own = [cell for (n, _), cell in cells.items() if n == name]
        rows.append([name] + [f"{np.mean([c[v] for c in own]):.3f}" for v in variants])
    overall = means(cells)
    rows.append(["mean"] + [f"**{overall[v]:.4f}**" for v in variants])
    return markdown_table(["set"] + [f"`{v}`" for v in variants], rows)


def library_fallback():
    """The library's fallback, as the variants are named (``"feature set/penalty"``)."""
    from sksssm.estimators._pooled_selection import FALLBACK_FEATURE_SET

    return f"exclusion, fallback {FALLBACK_FEATURE_SET}/middle"


def official_rows(seeds):
    """``[set, main, exclusion]`` on the official splits of :data:`AFFECTED`."""
    rows = []
    for name in AFFECTED:
        X_train, y_train, X_test, y_test = load_ucr(name)
        row = [name]
        for v in ("main", "exclusion"):
            scores = [accuracy(v, X_train, y_train, X_test, y_test, s) for s in seeds]
            row.append(" ".join(f"{a:.3f}" for a in scores))
        rows.append(row)
    return rows


def report(half, one, official, elapsed):
    """The section's Markdown."""
    _, _, lines = verdict(half, one)
    one_variants = ["main"] + ["/".join(f) for f in FALLBACKS]
    return "\n\n".join([
        __doc__.split("Usage::")[0].strip().replace("``", "`"),
        "### Outcome",
        "\n".join(lines),
        "### Regime `half` (a random half of the classes keep one training series)",
        per_set_table(half, ["main", "exclusion"]),
        "### Regime `one` (one training series per class)",
        per_set_table(one, one_variants),
        "### The official splits of the affected development sets (random_state 0, 1, 2)",
        markdown_table(["set", "main", f"the library ({library_fallback()})"], official),
        f"Fit+predict of every cell, one thread: {elapsed:.0f} s.",
    ])  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write the section")
    parser.add_argument("--quick", action="store_true", help="3 sets, seed 0, no write")
    args = parser.parse_args(argv)
    names = regime_sets()
    seeds = SEEDS
    if args.quick:
        names, seeds = ["Beef", "Car", "FaceFour"], (0,)
    start = time.perf_counter()
    with protocol.one_thread():
        half = run_regime("half", names, seeds, ["main", "exclusion"])
        one = run_regime("one", names, seeds, ["main"] + ["/".join(f) for f in FALLBACKS])
        official = official_rows(seeds)
    body = report(half, one, official, time.perf_counter() - start)
    publish(body, args, "clf_singletons", "classes with one training series")


def publish(body, args, section, subject):
    """Print ``body``; with ``--write`` (not ``--quick``) write it as ``section``."""
    print(body)
    if args.write and not args.quick:
        write_section(
            section,
            body,
            command=f"python -m benchmarks.{section} --write",
            title=f"SpectralFilterClassifier: {subject}",
        )


if __name__ == "__main__":
    main()
