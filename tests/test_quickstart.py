"""The README's main job, ``python -m sksssm.quickstart``."""

import pytest

from sksssm import quickstart


def test_print_table(capsys):
    quickstart.print_table([("task", "model", "metric", "0.5", 1.234)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["task", "model", "metric", "value", "fit", "time", "[s]"]
    assert lines[2].split() == ["task", "model", "metric", "0.5", "1.23"]


@pytest.mark.slow
def test_quickstart_runs_and_writes_figure(tmp_path):
    pytest.importorskip("sktime")
    pytest.importorskip("matplotlib")
    path = tmp_path / "summary.png"
    rows = quickstart.main(["--output", str(path)])
    assert path.stat().st_size > 10_000
    results = {(task.split()[0], model): float(value) for task, model, _, value, _ in rows}
    assert results[("system", "STU closed form (ridge + GCV)")] < 1e-6
    assert (
        results[("forecasting", "SpectralForecaster")] < results[("forecasting", "seasonal naive")]
    )
