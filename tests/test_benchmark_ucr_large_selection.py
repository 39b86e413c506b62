"""The rules of ``benchmarks/ucr_large.py`` (``benchmarks/_ucr_large_rules.py``: the size
rule's subsample, the refit's basis and its penalty) on made-up rows, and the child
code of their models."""

import pytest

ul = pytest.importorskip("benchmarks.ucr_large")
rules = pytest.importorskip("benchmarks._ucr_large_rules")


def _rows(accuracy_pairs, time_pairs):
    results = {}
    for name, (a0, a1), (t0, t1) in zip(
        rules.UCR_SCALING, accuracy_pairs, time_pairs, strict=True
    ):
        results[f"{name} | {rules.SELECTION_PAIR[0]}"] = dict(accuracy=a0, fit_s=t0, predict_s=0.0)
        results[f"{name} | {rules.SELECTION_PAIR[1]}"] = dict(accuracy=a1, fit_s=t1, predict_s=0.0)
    return results


def test_no_verdict_until_every_set_has_both_rows():
    results = _rows([(0.8, 0.8)] * 4, [(10, 5)] * 4)
    del results[f"FordB | {rules.SELECTION_PAIR[1]}"]
    met, text = rules.selection_size_verdict(results)
    assert met is None and "FordB: no row for both models yet" in text


def test_the_rule_reads_mean_worst_set_and_total_time():
    met, text = rules.selection_size_verdict(_rows([(0.8, 0.797)] * 4, [(10, 8.5)] * 4))
    assert met, text
    assert "(a) mean accuracy difference -0.0030, worst set -0.0030 (met)" in text
    # one set losing more than 0.01 fails (a) even with a small mean loss
    pairs = [(0.8, 0.789), (0.8, 0.81), (0.8, 0.8), (0.8, 0.8)]
    met, text = rules.selection_size_verdict(_rows(pairs, [(10, 5)] * 4))
    assert not met and "worst set -0.0110 (not met)" in text
    # the total time, not each set's: 2 + 12 + 10 + 10 of 40 s
    met, text = rules.selection_size_verdict(
        _rows([(0.8, 0.8)] * 4, [(10, 2), (10, 12), (10, 10), (10, 10)])
    )
    assert met and "(b) time 0.85x (met)" in text
    met, text = rules.selection_size_verdict(_rows([(0.8, 0.8)] * 4, [(10, 9)] * 4))
    assert not met and "(b) time 0.90x (not met)" in text


def test_the_models_set_the_limit_in_their_process(monkeypatch):
    import sksssm.estimators._large_sets as large_sets

    # restored after the test, whatever the children's code sets
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", large_sets.SELECTION_SERIES)
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", large_sets.SUBSAMPLE_SERIES)
    for label, limit in zip(rules.SELECTION_PAIR, (2000, 1000), strict=True):
        code = ul.MODELS[label]
        assert f"large_sets.SELECTION_SERIES = {limit}\n" in code
        namespace = {}
        exec(code, namespace)  # what the child runs before loading the data
        assert large_sets.SELECTION_SERIES == large_sets.SUBSAMPLE_SERIES == limit
        assert namespace["model"].random_state == 0


def test_the_refit_basis_rule_reads_each_set():
    def rows(changes, times):
        results = {}
        for name, change, (t0, t1) in zip(rules.REFIT_BASIS_SETS, changes, times, strict=True):
            results[f"{name} | {rules.REFIT_BASIS_PAIR[0]}"] = dict(
                accuracy=0.8, fit_s=t0, predict_s=0
            )
            results[f"{name} | {rules.REFIT_BASIS_PAIR[1]}"] = dict(
                accuracy=0.8 + change, fit_s=t1, predict_s=0
            )
        return results

    assert rules.refit_basis_verdict(rows([0.001, -0.001], [(10, 9), (5, 4)]))[0]
    met, text = rules.refit_basis_verdict(rows([0.0, 0.002], [(10, 9), (5, 4)]))
    assert not met and "(+0.0020), time 5.0 -> 4.0 s (not met)" in text
    met, text = rules.refit_basis_verdict(rows([0.0, 0.0], [(10, 9), (5, 5)]))
    assert not met and text.endswith("Not met.")
    assert rules.refit_basis_verdict({})[0] is None
    code = ul.MODELS[rules.REFIT_BASIS_PAIR[1]]
    assert "loo_solvers.TALL_BASIS = 'qr'\n" in code


def _penalty_rows(accuracy_pairs, time_pairs, shape_seconds):
    results = {}
    pairs = zip(rules.UCR_SCALING, accuracy_pairs, time_pairs, strict=True)
    for name, (a0, a1), (t0, t1) in pairs:
        results[f"{name} | {rules.REFIT_PENALTY_PAIR[0]}"] = dict(
            accuracy=a0, fit_s=t0, predict_s=0
        )
        results[f"{name} | {rules.REFIT_PENALTY_PAIR[1]}"] = dict(
            accuracy=a1, fit_s=t1, predict_s=0
        )
    key = f"{rules.REFIT_PENALTY_SHAPE} | {rules.REFIT_PENALTY_PAIR[1]}"
    if shape_seconds == "timeout":
        results[key] = dict(error="over 1800 s")
    elif shape_seconds is not None:
        results[key] = dict(accuracy=1.0, fit_s=shape_seconds, predict_s=0.0)
    return results


def test_the_refit_penalty_rule_reads_accuracy_time_and_the_shape():
    met, text = rules.refit_penalty_verdict(_penalty_rows([(0.8, 0.797)] * 4, [(10, 8)] * 4, 899))
    assert met, text
    assert (
        "(b) time 0.80x (met)" in text
        and "(c) InsectWingbeat-like (synthetic): 899.0 s (met): met." in text
    )
    met, text = rules.refit_penalty_verdict(_penalty_rows([(0.8, 0.8)] * 4, [(10, 8.1)] * 4, 10))
    assert not met and "(b) time 0.81x (not met)" in text and text.endswith(": not met.")
    met, text = rules.refit_penalty_verdict(_penalty_rows([(0.8, 0.8)] * 4, [(10, 5)] * 4, 901))
    assert not met and "901.0 s (not met): not met." in text
    met, text = rules.refit_penalty_verdict(
        _penalty_rows([(0.8, 0.8)] * 4, [(10, 5)] * 4, "timeout")
    )
    assert not met and "over 1800 s (not met)" in text
    met, text = rules.refit_penalty_verdict(_penalty_rows([(0.8, 0.8)] * 4, [(10, 5)] * 4, None))
    assert met is None and "no row yet" in text


def test_the_refit_penalty_models_set_the_constant_in_their_process(monkeypatch):
    import sksssm.estimators._large_sets as large_sets

    monkeypatch.setattr(large_sets, "REFIT_PENALTY", large_sets.REFIT_PENALTY)
    for label, choice in zip(rules.REFIT_PENALTY_PAIR, ("loo", "subsample"), strict=True):
        namespace = {}
        exec(ul.MODELS[label], namespace)
        assert large_sets.REFIT_PENALTY == choice
        assert namespace["model"].random_state == 0
    assert "wide_data(('InsectWingbeat-like', 200, 22, 25000, 25000))" in ul._load(
        rules.REFIT_PENALTY_SHAPE
    )


def test_the_refit_auto_rule_reads_the_shape_and_reports_minirocket():
    key = f"{rules.REFIT_PENALTY_SHAPE} | "
    assert rules.refit_auto_verdict({})[0] is None
    rows = {key + rules.REFIT_AUTO_MODEL: dict(fit_s=500.0, predict_s=100.0)}
    met, text = rules.refit_auto_verdict(rows)
    assert met and text.endswith("600.0 s (met).")
    rows[key + "MiniRocket"] = dict(fit_s=200.0, predict_s=50.0)
    met, text = rules.refit_auto_verdict(rows)
    assert met and "MiniRocket: 250.0 s, so 2.4x its time." in text
    rows[key + rules.REFIT_AUTO_MODEL] = dict(fit_s=900.0, predict_s=1.0)
    assert not rules.refit_auto_verdict(rows)[0]
    rows[key + rules.REFIT_AUTO_MODEL] = dict(error="over 1800 s")
    assert rules.refit_auto_verdict(rows) == (
        False,
        f"{rules.REFIT_PENALTY_SHAPE}: over 1800 s: not met.",
    )
