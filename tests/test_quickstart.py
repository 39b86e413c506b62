"""The README's main job, ``python -m sksssm.quickstart``."""

import pytest

from sksssm import quickstart


def test_print_table(capsys):
    quickstart.print_table([("task", "model", "metric", "0.5", 1.234)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["task", "model", "metric", "value", "fit", "time", "[s]"]
    assert lines[2].split() == ["task", "model", "metric", "0.5", "1.23"]


def _results(rows):
    return {(task.split()[0], model): float(value) for task, model, _, value, _ in rows}


def check_closed_form_results(results):
    assert results[("system", "SpectralFilterRegressor (closed form)")] < 1e-6
    # GunPoint: 1-NN scores 0.913; the closed-form classifier must beat it.
    assert (
        results[("classification", "SpectralFilterClassifier (closed form)")]
        > results[("classification", "1-NN (anchor)")]
    )
    assert (
        results[("forecasting", "SpectralForecaster")]
        < results[("forecasting", "seasonal naive (anchor)")]
    )


def test_fast_quickstart_runs_and_writes_figure(tmp_path):
    pytest.importorskip("sktime")
    pytest.importorskip("matplotlib")
    path = tmp_path / "summary.png"
    rows = quickstart.main(["--fast", "--output", str(path)])
    assert path.stat().st_size > 10_000
    check_closed_form_results(_results(rows))


@pytest.mark.slow
def test_full_quickstart(tmp_path):
    pytest.importorskip("sktime")
    pytest.importorskip("matplotlib")
    rows = quickstart.main(["--output", str(tmp_path / "summary.png")])
    results = _results(rows)
    check_closed_form_results(results)
    # The STU network with its defaults fits the linear system (issue 12's target).
    assert results[("system", "STURegressor (gradient)")] < 1e-3
