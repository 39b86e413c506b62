"""The rule on the size rule's subsample (``benchmarks/ucr_large.py``,
``SELECTION_RULE``) on made-up rows, and the child code of its two models."""

import pytest

ul = pytest.importorskip("benchmarks.ucr_large")


def _rows(accuracy_pairs, time_pairs):
    results = {}
    for name, (a0, a1), (t0, t1) in zip(ul.UCR_SCALING, accuracy_pairs, time_pairs, strict=True):
        results[f"{name} | {ul.SELECTION_PAIR[0]}"] = dict(accuracy=a0, fit_s=t0, predict_s=0.0)
        results[f"{name} | {ul.SELECTION_PAIR[1]}"] = dict(accuracy=a1, fit_s=t1, predict_s=0.0)
    return results


def test_no_verdict_until_every_set_has_both_rows():
    results = _rows([(0.8, 0.8)] * 4, [(10, 5)] * 4)
    del results[f"FordB | {ul.SELECTION_PAIR[1]}"]
    met, text = ul.selection_size_verdict(results)
    assert met is None and "FordB: no row for both models yet" in text


def test_the_rule_reads_mean_worst_set_and_total_time():
    met, text = ul.selection_size_verdict(_rows([(0.8, 0.797)] * 4, [(10, 8.5)] * 4))
    assert met, text
    assert "(a) mean accuracy difference -0.0030, worst set -0.0030 (met)" in text
    # one set losing more than 0.01 fails (a) even with a small mean loss
    pairs = [(0.8, 0.789), (0.8, 0.81), (0.8, 0.8), (0.8, 0.8)]
    met, text = ul.selection_size_verdict(_rows(pairs, [(10, 5)] * 4))
    assert not met and "worst set -0.0110 (not met)" in text
    # the total time, not each set's: 2 + 12 + 10 + 10 of 40 s
    met, text = ul.selection_size_verdict(
        _rows([(0.8, 0.8)] * 4, [(10, 2), (10, 12), (10, 10), (10, 10)])
    )
    assert met and "(b) time 0.85x (met)" in text
    met, text = ul.selection_size_verdict(_rows([(0.8, 0.8)] * 4, [(10, 9)] * 4))
    assert not met and "(b) time 0.90x (not met)" in text


def test_the_models_set_the_limit_in_their_process(monkeypatch):
    import sksssm.estimators._large_sets as large_sets

    # restored after the test, whatever the children's code sets
    monkeypatch.setattr(large_sets, "SELECTION_SERIES", large_sets.SELECTION_SERIES)
    monkeypatch.setattr(large_sets, "SUBSAMPLE_SERIES", large_sets.SUBSAMPLE_SERIES)
    for label, limit in zip(ul.SELECTION_PAIR, (2000, 1000), strict=True):
        code = ul.MODELS[label]
        assert f"large_sets.SELECTION_SERIES = {limit}\n" in code
        namespace = {}
        exec(code, namespace)  # what the child runs before loading the data
        assert large_sets.SELECTION_SERIES == large_sets.SUBSAMPLE_SERIES == limit
        assert namespace["model"].random_state == 0


def test_the_refit_basis_rule_reads_each_set():
    def rows(changes, times):
        results = {}
        for name, change, (t0, t1) in zip(ul.REFIT_BASIS_SETS, changes, times, strict=True):
            results[f"{name} | {ul.REFIT_BASIS_PAIR[0]}"] = dict(
                accuracy=0.8, fit_s=t0, predict_s=0
            )
            results[f"{name} | {ul.REFIT_BASIS_PAIR[1]}"] = dict(
                accuracy=0.8 + change, fit_s=t1, predict_s=0
            )
        return results

    assert ul.refit_basis_verdict(rows([0.001, -0.001], [(10, 9), (5, 4)]))[0]
    met, text = ul.refit_basis_verdict(rows([0.0, 0.002], [(10, 9), (5, 4)]))
    assert not met and "(+0.0020), time 5.0 -> 4.0 s (not met)" in text
    met, text = ul.refit_basis_verdict(rows([0.0, 0.0], [(10, 9), (5, 5)]))
    assert not met and text.endswith("Not met.")
    assert ul.refit_basis_verdict({})[0] is None
    code = ul.MODELS[ul.REFIT_BASIS_PAIR[1]]
    assert "ridge_loo.TALL_BASIS = 'qr'\n" in code
