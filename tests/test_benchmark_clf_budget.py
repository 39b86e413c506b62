"""The pre-registered rule of ``benchmarks/clf_budget.py`` on made-up rows, and its
stacking check on made-up splits."""

import numpy as np
import pytest

clf_budget = pytest.importorskip("benchmarks.clf_budget")


def _row(name, default, candidate, seconds=(10.0, 5.0), real=True):
    """A made-up row: each variant's accuracy (the same at every seed) and total time."""
    n = len(clf_budget.SEEDS) if real else 1
    return {
        "name": name,
        "shape": "",
        "real": real,
        "default": ([default] * n, seconds[0]),
        "candidate": ([candidate] * n, seconds[1]),
        "minirocket": (0.9, 1.0),
    }


def _rows(candidate_accuracies, real_seconds=(10.0, 5.0), synthetic_seconds=(10.0, 5.0)):
    """Real sets (default accuracy 0.9) and two synthetic shapes."""
    real = [_row(f"r{i}", 0.9, a, real_seconds) for i, a in enumerate(candidate_accuracies)]
    synthetic = [_row(f"s{i}", 1.0, 1.0, synthetic_seconds, real=False) for i in range(2)]
    return real, real + synthetic


def test_the_rule_quoted_has_its_thresholds():
    assert "0.005" in clf_budget.RULE and "0.02" in clf_budget.RULE
    assert "0.6x" in clf_budget.RULE and "random_state 0, 1 and 2" in clf_budget.RULE
    assert (clf_budget.MAX_MEAN_DROP, clf_budget.MAX_SET_DROP) == (0.005, 0.02)
    assert clf_budget.MAX_TIME_RATIO == 0.6 and clf_budget.SEEDS == (0, 1, 2)


def test_a_candidate_as_accurate_and_half_the_time_passes():
    real, rows = _rows([0.9, 0.91, 0.89])
    checks = clf_budget.checks(real, rows)
    assert checks["passes"] and checks["time_ratio"] == pytest.approx(0.5)
    assert "passes: the default becomes" in clf_budget.verdict(real, rows)


def test_a_mean_drop_beyond_the_margin_fails_a():
    real, rows = _rows([0.893, 0.893, 0.893])  # -0.007 everywhere
    checks = clf_budget.checks(real, rows)
    assert not checks["a"] and checks["b"] and checks["c"] and not checks["passes"]
    assert "fails: the default stays" in clf_budget.verdict(real, rows)


def test_one_set_far_below_fails_b_even_when_the_mean_is_fine():
    real, rows = _rows([0.875, 0.92, 0.92])  # -0.025 on one set, mean +0.005
    checks = clf_budget.checks(real, rows)
    assert checks["a"] and not checks["b"] and not checks["passes"]


def test_exactly_on_the_thresholds_passes():
    real, rows = _rows([0.88, 0.9, 0.905], real_seconds=(10.0, 6.0), synthetic_seconds=(10, 6))
    checks = clf_budget.checks(real, rows)  # mean -0.005, worst -0.02, time 0.6
    assert checks["a"] and checks["b"] and checks["c"] and checks["passes"]


def test_time_counts_the_synthetic_shapes_too():
    # real sets at 0.5x, synthetic ones at 1x: (3 x 5 + 2 x 10) / 50 = 0.7 > 0.6
    real, rows = _rows([0.9, 0.9, 0.9], synthetic_seconds=(10.0, 10.0))
    checks = clf_budget.checks(real, rows)
    assert checks["time_ratio"] == pytest.approx(0.7) and not checks["c"]
    assert clf_budget.checks(real, real)["c"]  # the real sets alone would pass


def _split(labels, lengths, width=6):
    """A made-up one-channel UCR split: ``(X, y, X, y)``, NaN beyond each length."""
    X = np.ones((len(labels), 1, width))
    X[np.arange(width)[None, None, :] >= np.asarray(lengths)[:, None, None]] = np.nan
    return X, np.asarray(labels), X.copy(), np.asarray(labels)


def test_stacking_check():
    same = [_split([0, 1, 1], [6, 4, 5]), _split([0, 1, 1], [6, 4, 5])]
    assert clf_budget.stack_problem(same) is None
    shuffled = [_split([0, 1, 1], [6, 4, 5]), _split([1, 0, 1], [6, 4, 5])]
    assert "labels differ at 2 of 3" in clf_budget.stack_problem(shuffled)
    lengths = [_split([0, 1, 1], [6, 4, 5]), _split([0, 1, 1], [6, 5, 5])]
    assert "lengths differ for 1 of 3" in clf_budget.stack_problem(lengths)


def test_a_failed_stack_is_dropped(monkeypatch):
    corpus = pytest.importorskip("benchmarks.corpus")
    files = {"A": _split([0, 1], [6, 6]), "B": _split([1, 0], [6, 6])}
    monkeypatch.setattr(corpus, "load_ucr", files.__getitem__)
    monkeypatch.setitem(clf_budget.STACKS, "AB", ("A", "B"))
    data, problem = clf_budget.load_stack("AB")
    assert data is None and "labels differ" in problem
    files["B"] = _split([0, 1], [6, 6])
    data, problem = clf_budget.load_stack("AB")
    assert problem is None and data[0].shape == (2, 2, 6)
