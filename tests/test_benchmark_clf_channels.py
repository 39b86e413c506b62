"""The pre-registered rule of ``benchmarks/clf_channels.py`` on made-up rows."""

import math

import pytest

clf_channels = pytest.importorskip("benchmarks.clf_channels")

REAL = ("EOG2", "BasicMotions", "JapaneseVowels")


def _row(name, accuracies, seconds, real=True, channels=2):
    """A made-up row: ``accuracies[v]`` the mean accuracy of variant ``v`` (the same at
    each of 5 seeds on a real set, one seed on a synthetic one), ``seconds[v]`` its total
    time; MiniRocket 1 s."""
    row = {"name": name, "shape": "", "channels": channels, "real": real}
    for variant in clf_channels.VARIANTS:
        row[variant] = ([accuracies[variant]] * (5 if real else 1), seconds[variant])
    row["minirocket"] = (0.9, 1.0)
    return row


def _rows(auto_accuracies, sqrt_accuracies, auto_seconds, sqrt_seconds):
    """Three real sets (default accuracy 0.9, 10 s each) and two synthetic ones (default
    10 s each); the candidates' accuracies per real set and their times everywhere."""
    real = [
        _row(name, {"default": 0.9, "auto": a, "sqrt": s}, {"default": 10.0,
             "auto": auto_seconds, "sqrt": sqrt_seconds})
        for name, a, s in zip(REAL, auto_accuracies, sqrt_accuracies, strict=True)
    ]  # fmt: skip
    seconds = {"default": 10.0, "auto": auto_seconds, "sqrt": sqrt_seconds}
    synthetic = [_row(f"s{c}", dict.fromkeys(seconds, 1.0), seconds, False) for c in (6, 10)]
    return real, real + synthetic


def _outcome(*args):
    real, rows = _rows(*args)
    checks = {c: clf_channels.candidate_checks(real, rows, c) for c in clf_channels.CANDIDATES}
    return clf_channels.decision(checks), checks


def test_auto_passes_on_the_thresholds():
    # mean change exactly -0.005, worst set exactly -0.02 (sets -0.02, +0.005, 0), 0.75x
    outcome, checks = _outcome((0.88, 0.905, 0.9), (0.9, 0.9, 0.9), 7.5, 9.0)
    assert checks["auto"]["mean_delta"] == pytest.approx(-0.005)
    assert checks["auto"]["worst_delta"] == pytest.approx(-0.02)
    assert checks["auto"]["time_ratio"] == pytest.approx(0.75)
    assert outcome == "auto"
    verdict = clf_channels.verdict(*_rows((0.88, 0.905, 0.9), (0.9,) * 3, 7.5, 9.0))
    assert "Outcome: auto passes" in verdict


@pytest.mark.parametrize(
    ("auto_accuracies", "auto_seconds", "failed"),
    [
        ((0.89, 0.89, 0.9), 5.0, "a"),  # mean -0.0067
        ((0.875, 0.91, 0.91), 5.0, "b"),  # mean -0.0017, one set -0.025
        ((0.9, 0.9, 0.9), 7.6, "c"),  # 0.76x
    ],
)
def test_each_condition_can_fail_auto_and_sqrt_then_decides(auto_accuracies, auto_seconds, failed):
    outcome, checks = _outcome(auto_accuracies, (0.9, 0.9, 0.9), auto_seconds, 7.0)
    assert not checks["auto"][failed] and not checks["auto"]["passes"]
    assert [k for k in "abc" if not checks["auto"][k]] == [failed]
    assert checks["sqrt"]["passes"] and outcome == "sqrt"


def test_neither_passes():
    outcome, checks = _outcome((0.9,) * 3, (0.9,) * 3, 8.0, 9.0)
    assert outcome == "none" and not any(checks[c]["passes"] for c in checks)
    real, rows = _rows((0.9,) * 3, (0.9,) * 3, 8.0, 9.0)
    assert "default stays 32" in clf_channels.verdict(real, rows)


def test_time_counts_the_synthetic_shapes_and_accuracy_does_not():
    real, rows = _rows((0.9,) * 3, (0.9,) * 3, 10.0, 10.0)
    for row in rows[3:]:  # synthetic: candidates far faster, their accuracy meaningless
        row["auto"] = ([0.0], 0.0)
    checks = clf_channels.candidate_checks(real, rows, "auto")
    assert checks["time_ratio"] == pytest.approx(30.0 / 50.0)
    assert checks["mean_delta"] == 0.0 and checks["passes"]


def test_mixtures_of_each_variant():
    assert [clf_channels.n_mixtures(v, 6) for v in clf_channels.VARIANTS] == [32, "auto", 14]
    assert clf_channels.n_mixtures("sqrt", 2) == math.ceil(32 / 2**0.5) == 23
    assert clf_channels.n_mixtures("sqrt", 1) == 32


def test_the_rule_is_quoted_whole():
    rule = clf_channels.RULE
    assert rule.startswith('"Pre-registered rule (issue 21, session 41')
    assert rule.endswith('are not rerun."')
    assert "at least the default's - 0.005" in rule and "more than 0.02" in rule
    assert "at most 0.75x the default's" in rule


def test_the_table_reads_the_rows():
    real, rows = _rows((0.88, 0.905, 0.9), (0.9,) * 3, 7.5, 9.0)
    text = clf_channels.table(rows)
    assert "| EOG2 |  | auto | auto = 16 | 0.8800 | 7.5 | 1.5x |" in text
    assert "| s6 |  | default | 32 | - | 10.0 | 10.0x |" in text
    assert "Total time: default 50.0 s; auto 37.5 s; sqrt 45.0 s; MiniRocket 5.0 s." in text
