"""The pre-registered rule of ``benchmarks/reg_channels.py`` on made-up rows, and its
synthetic tasks against their definitions."""

import math

import numpy as np
import pytest

reg_channels = pytest.importorskip("benchmarks.reg_channels")


def _row(default_rmse, auto_rmse, default_seconds=10.0, auto_seconds=5.0):
    """A made-up cell: each variant's RMSE the same at the 3 seeds, its total time."""
    return {
        "task": "level",
        "shape": (3, 144, 200, 100),
        "default": ([default_rmse] * 3, default_seconds),
        "auto": ([auto_rmse] * 3, auto_seconds),
        "minirocket": (0.5, 1.0),
    }


def test_auto_passes_on_the_thresholds():
    # ratios 1.05 and 1.01^2 / 1.05: geometric mean exactly 1.01, worst exactly 1.05; 0.75x
    rows = [_row(1.0, 1.05, 10.0, 7.5), _row(1.0, 1.01**2 / 1.05, 10.0, 7.5)]
    checks = reg_channels.rule_checks(rows)
    assert checks["geometric_ratio"] == pytest.approx(1.01)
    assert checks["worst_ratio"] == pytest.approx(1.05)
    assert checks["time_ratio"] == pytest.approx(0.75)
    assert checks["passes"]
    assert "Outcome: auto passes" in reg_channels.verdict(rows)


@pytest.mark.parametrize(
    ("rows", "failed"),
    [
        ([_row(1.0, 1.02), _row(1.0, 1.001)], "a"),  # geometric mean 1.0105
        ([_row(1.0, 1.06), _row(1.0, 0.95)], "b"),  # geometric mean 1.0035, one cell 1.06
        ([_row(1.0, 1.0, 10.0, 7.6), _row(1.0, 1.0, 10.0, 7.6)], "c"),  # 0.76x
    ],
)
def test_each_condition_can_fail(rows, failed):
    checks = reg_channels.rule_checks(rows)
    assert [k for k in "abc" if not checks[k]] == [failed] and not checks["passes"]
    assert "default stays 64" in reg_channels.verdict(rows)


def test_ratios_are_of_the_means_over_seeds_and_time_of_the_totals():
    row = _row(1.0, 1.0, 30.0, 3.0)
    row["default"] = ([0.2, 0.4, 0.6], 30.0)  # mean 0.4
    row["auto"] = ([0.5, 0.3, 0.4], 3.0)  # mean 0.4
    other = _row(0.5, 0.25, 10.0, 9.0)  # ratio 0.5
    checks = reg_channels.rule_checks([row, other])
    assert checks["worst_ratio"] == pytest.approx(1.0)
    assert checks["geometric_ratio"] == pytest.approx(np.sqrt(0.5))
    assert checks["time_ratio"] == pytest.approx(12.0 / 40.0)


def test_rule_is_quoted_and_cells_are_fixed():
    assert reg_channels.RULE.startswith('"Pre-registered rule (issue 21, session 41')
    assert "at most 1.01" in reg_channels.RULE and "exceeds 1.05" in reg_channels.RULE
    assert "at most 0.75x" in reg_channels.RULE
    cells = reg_channels.cells()
    assert len(cells) == 14 and ("coupling", (8, 240, 300, 300)) not in cells
    assert ("level", (8, 240, 300, 300)) in cells and ("bump", (24, 144, 95, 42)) in cells


def test_targets_are_standardized_signal_plus_noise():
    X_train, y_train, X_test, y_test = reg_channels.make_cell("level", (3, 50, 300, 100), 0)
    assert X_train.shape == (300, 3, 50) and X_test.shape == (100, 3, 50)
    X, y = np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test])
    signal = X[:, 0, -20:].mean(-1) + 0.5 * X[:, -1].std(-1)
    noise = y - (signal - signal.mean()) / signal.std()
    assert 0.08 < noise.std() < 0.12 and abs(noise.mean()) < 0.03


def test_coupling_target_is_the_lagged_correlation_of_the_increments():
    # the increments of channel 1 are rho x channel 0's three steps earlier + independent
    X, rho = reg_channels.coupling(40, 3, 4000, np.random.default_rng(1))
    d0, d1 = np.diff(X[:, 0], axis=-1), np.diff(X[:, 1], axis=-1)
    estimated = [np.corrcoef(a[4:-3], b[7:])[0, 1] for a, b in zip(d0, d1, strict=True)]
    np.testing.assert_allclose(estimated, rho, atol=0.1)


def test_oscillation_and_bump_put_their_signal_where_said():
    rng = np.random.default_rng(2)
    X, frequency = reg_channels.oscillation(6, 3, 400, rng)
    walks = reg_channels.random_walks(6, 3, 400, np.random.default_rng(2))
    sines = (X - walks)[np.arange(6), np.arange(6) % 3]
    assert np.count_nonzero(X - walks) == sines.size  # nothing added elsewhere
    assert np.allclose(sines.std(-1), np.sqrt(0.5), atol=0.05)  # amplitude 1
    peaks = [np.argmax(np.abs(np.fft.rfft(s))) / 400 for s in sines]
    np.testing.assert_allclose(peaks, frequency, atol=1 / 400)
    X, height = reg_channels.bump(5, 4, 24, np.random.default_rng(3))
    added = X - reg_channels.random_walks(5, 4, 24, np.random.default_rng(3))
    for row, h in zip(added, height, strict=True):
        assert np.count_nonzero(row) == 20 and np.allclose(row[row != 0], h)


def test_report_writes_the_tables(monkeypatch):
    written = {}
    monkeypatch.setattr(
        reg_channels, "write_section", lambda name, body, **kw: written.update({name: body})
    )
    rows = [_row(0.5, 0.5, 10.0, 5.0), {**_row(0.4, 0.42), "shape": (24, 144, 95, 42)}]
    reg_channels.report(rows, "python -m benchmarks.reg_channels --write", 1.0)
    body = written["reg_channels"]
    assert reg_channels.RULE in body and "Synthetic data only" in body
    assert "| coupling" not in body and "| level | 95/42, 24 x 144 | 3 | 0.4000 | 0.4200 |" in body
    assert "| 1.0500 |" in body and "ratio 1.0247 (a: <= 1.01, not met)" in body
    assert "Outcome: auto fails" in body


# group sqrt (session 42): the candidate ceil(64 / sqrt(c)) against the default


def _sqrt_row(default_rmse, sqrt_rmse, default_seconds=10.0, sqrt_seconds=5.0, shape=None):
    """A made-up cell of group ``sqrt``."""
    row = _row(default_rmse, 0.0, default_seconds)
    del row["auto"]
    return {
        **row,
        "shape": shape or row["shape"],
        "sqrt": ([sqrt_rmse] * 3, sqrt_seconds),
    }


def test_sqrt_passes_on_the_thresholds():
    rows = [_sqrt_row(1.0, 1.05, 10.0, 7.5), _sqrt_row(1.0, 1.01**2 / 1.05, 10.0, 7.5)]
    checks = reg_channels.rule_checks(rows, "sqrt")
    assert checks["geometric_ratio"] == pytest.approx(1.01)
    assert checks["worst_ratio"] == pytest.approx(1.05)
    assert checks["time_ratio"] == pytest.approx(0.75)
    assert checks["passes"]
    assert "Outcome: sqrt passes: the default becomes" in reg_channels.verdict(rows, "sqrt")


@pytest.mark.parametrize(
    ("rows", "failed"),
    [
        ([_sqrt_row(1.0, 1.02), _sqrt_row(1.0, 1.001)], "a"),  # geometric mean 1.0105
        ([_sqrt_row(1.0, 1.06), _sqrt_row(1.0, 0.95)], "b"),  # one cell 1.06
        ([_sqrt_row(1.0, 1.0, 10.0, 7.6), _sqrt_row(1.0, 1.0, 10.0, 7.6)], "c"),  # 0.76x
    ],
)
def test_each_condition_can_fail_for_sqrt(rows, failed):
    checks = reg_channels.rule_checks(rows, "sqrt")
    assert [k for k in "abc" if not checks[k]] == [failed] and not checks["passes"]
    assert "sqrt fails: the default stays 64." in reg_channels.verdict(rows, "sqrt")


def test_sqrt_rule_is_quoted_with_the_same_thresholds():
    rule = reg_channels.RULE_SQRT
    assert rule.startswith('"Pre-registered rule (issue 21, session 42') and rule.endswith('."')
    assert "ceil(64 / sqrt(c))" in rule and "--seed 1" in rule and "14 synthetic" in rule
    assert "at most 1.01" in rule and "exceeds 1.05" in rule and "at most 0.75x" in rule
    assert reg_channels.RULE.startswith('"Pre-registered rule (issue 21, session 41')
    assert reg_channels.GROUPS["sqrt"] == ("default", "sqrt")


def test_candidates_resolve_their_shares():
    # ceil(64 / sqrt(c)) and ceil(64 / c), written out, at the benchmark's channels
    assert [reg_channels.candidate_mixtures("sqrt", c) for c in (1, 3, 8, 9, 24)] == [
        64, 37, 23, 22, 14,
    ]  # fmt: skip
    assert [reg_channels.candidate_mixtures("auto", c) for c in (1, 3, 8, 9, 24)] == [
        64, 22, 8, 8, 3,
    ]  # fmt: skip
    assert reg_channels.model("default", 2, 24).get_params()["n_mixtures"] == 64
    candidate = reg_channels.model("sqrt", 2, 24).get_params()
    assert candidate["n_mixtures"] == 14 and candidate["random_state"] == 2


def test_sqrt_share_against_floats_and_its_defining_inequalities():
    for c in range(1, 3000):
        m = reg_channels.sqrt_share(c)
        assert m == math.ceil(64 / math.sqrt(c))
        assert (m - 1) ** 2 * c < 64**2 <= m**2 * c
    # the perfect squares, where a float root could round either way
    assert [reg_channels.sqrt_share(c) for c in (4, 16, 64, 4096, 4097)] == [32, 16, 8, 1, 1]


def test_a_fresh_draw_gives_other_data_and_draw_zero_the_old():
    shape = (3, 50, 20, 10)
    old = reg_channels.make_cell("bump", shape, 1)
    rng = np.random.default_rng([1, list(reg_channels.TASKS).index("bump"), *shape])
    X, _ = reg_channels.bump(30, 3, 50, rng)
    np.testing.assert_array_equal(old[0], X[:20])  # draw 0: session 41's key
    fresh = reg_channels.make_cell("bump", shape, 1, draw=1)
    assert not np.allclose(fresh[0], old[0])
    np.testing.assert_array_equal(fresh[0], reg_channels.make_cell("bump", shape, 1, 1)[0])


def test_report_sqrt_writes_its_own_section(monkeypatch):
    written = {}
    monkeypatch.setattr(
        reg_channels, "write_section", lambda name, body, **kw: written.update({name: body})
    )
    rows = [_sqrt_row(0.5, 0.5, 10.0, 5.0), _sqrt_row(0.4, 0.41, shape=(24, 144, 95, 42))]
    command = "python -m benchmarks.reg_channels --group sqrt --seed 1 --write"
    reg_channels.report_sqrt(rows, command, 1.0, 1)
    body = written["reg_channels_sqrt"]
    assert reg_channels.RULE_SQRT in body and "`--seed 1`" in body
    assert "| level | 95/42, 24 x 144 | 14 | 0.4000 | 0.4100 | 1.0250 |" in body
    assert "Outcome: sqrt passes" not in body and "(c: <= 0.75, met)" in body
