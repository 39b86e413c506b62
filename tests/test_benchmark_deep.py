"""Summaries of the deep benchmarks (issue 23) on hand-made results (no data, no training)."""

import pytest

deep_corpus = pytest.importorskip("benchmarks.deep_corpus")
deep_defaults = pytest.importorskip("benchmarks.deep_defaults")

CNN, RESNET = deep_corpus.CNN, deep_corpus.RESNET
METHODS = [*deep_corpus.DEEP, CNN, RESNET]


def _results():
    # (accuracy, seconds) per set and method; PTD beats both anchors on both sets,
    # STU loses to both, HOPE ties the CNN on "a" and loses on "b".
    ptd, hope, stu = deep_corpus.DEEP
    accuracy = {
        "a": {ptd: 0.9, hope: 0.7, stu: 0.5, CNN: 0.7, RESNET: 0.8},
        "b": {ptd: 0.8, hope: 0.4, stu: 0.3, CNN: 0.6, RESNET: 0.5},
    }
    seconds = {
        "PTDSSMClassifier": 2.0,
        "HOPEClassifier": 4.0,
        "STUClassifier": 8.0,
        CNN: 1.0,
        RESNET: 4.0,
    }
    return {s: {m: (accuracy[s][m], seconds[m]) for m in METHODS} for s in accuracy}


def test_summary_ranks_counts_and_time_ratios():
    rows = {row[0]: row for row in deep_corpus.summary_rows(_results(), METHODS)}
    ptd, hope, stu = rows["PTDSSMClassifier"], rows["HOPEClassifier"], rows["STUClassifier"]
    # mean accuracy, mean rank among five (PTD first on both sets)
    assert ptd[1:3] == ["0.850", "1.00"]
    # HOPE: rank 3.5 on "a" (tie with the CNN), 4 on "b"; CNN: 3.5 and 2
    assert hope[2] == "3.75" and rows[CNN][2] == "2.75"
    assert ptd[3:5] == ["2/0/0", "2/0/0"] and hope[3] == "0/1/1" and stu[4] == "0/0/2"
    # totals over the two sets and ratios to the CNN (2 s) and the ResNet (8 s)
    assert ptd[5:8] == ["4", "2.00", "0.50"] and stu[5:8] == ["16", "8.00", "2.00"]
    # issue 23's two targets: rank ahead of the CNN, time at most 3x the CNN's
    assert ptd[8:] == ["yes", "yes"] and hope[8:] == ["no", "no"] and stu[8:] == ["no", "no"]
    assert rows[CNN][3] == "-" and rows[RESNET][4] == "-"


def test_configuration_rows_rank_against_the_cnn_alone():
    results = _results()
    cnn = {s: results[s][CNN] for s in results}
    per_config = {("HOPEClassifier", "x"): {s: results[s]["HOPEClassifier"] for s in results}}
    (hope, anchor) = deep_defaults.configuration_rows(per_config, cnn)
    # tie on "a" (rank 1.5), loss on "b" (rank 2): mean 1.75; 8 s against the CNN's 2 s
    assert hope == ["HOPEClassifier", "x", "0.550", "1.75", "0/1/1", "8", "4.00"]
    assert anchor[0] == "CNN anchor" and anchor[2] == "0.650"


def test_unequal_length_report_gives_time_relative_to_the_cnn():
    deep_unequal = pytest.importorskip("benchmarks.deep_unequal")
    methods = [*deep_corpus.DEEP, CNN]
    results = {"JV": {m: (0.5, 2.0) for m in methods}}
    results["JV"][CNN] = (0.75, 4.0)
    body = deep_unequal.report_body(results, {"JV": "10/20, C=2, L=5-9"}, methods)
    assert (
        "| JV | 10/20, C=2, L=5-9 | 0.500 (2.0 s) | 0.500 (2.0 s) | 0.500 (2.0 s) | 0.750" in body
    )
    assert "| JV | 0.50 | 0.50 | 0.50 | 1.00 |" in body


@pytest.mark.slow  # a fresh interpreter imports the exported library (about 10 s)
def test_levers_export_holds_the_library_of_that_commit(tmp_path):
    # The "before" commit pads to the next power of two: its exported fft_size says so.
    import subprocess
    import sys

    deep_levers = pytest.importorskip("benchmarks.deep_levers")
    label, before = deep_levers.REVISIONS[0]
    try:
        source = deep_levers.export(before, tmp_path)
    except subprocess.CalledProcessError:
        pytest.skip(f"commit {before} is not in this checkout's history")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import sksssm.nn.fftconv as f; "
        "assert f.__file__.startswith(sys.argv[1]); print(f.fft_size(257, 257))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(source)], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "1024"


def test_plaid_scaling_helpers_normalize_valid_steps_and_measure_the_spread():
    import numpy as np

    from sksssm.estimators._deep import standardize_each_series

    scaling = pytest.importorskip("benchmarks.deep_plaid_scaling")
    # Series 0: amplitude 100; series 1: amplitude 0.01, padded after 3 steps.
    X = np.array([[[0.0, 100.0, 0.0, 100.0]], [[1.0, 1.01, 1.0, np.nan]]])
    # The estimators' input_scaling="series" (time-major layout).
    X_btc = np.moveaxis(X, 1, 2)
    Z = np.moveaxis(standardize_each_series(X_btc, ~np.isnan(X_btc[..., 0])), 2, 1)
    assert np.isnan(Z[1, 0, 3]) and not np.isnan(Z[:, :, :3]).any()
    np.testing.assert_allclose(np.nanmean(Z, axis=2), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.nanstd(Z, axis=2), 1.0)
    below_001, below_01, per_class = scaling.scaled_spread(X, np.array([0, 1]))
    # Global scale: std of the 7 valid values, about 48; series 1 spreads 0.0047 / 48.
    values = X[~np.isnan(X)]
    expected = np.std([1.0, 1.01, 1.0]) / np.std(values)
    np.testing.assert_allclose(per_class[1], expected, rtol=1e-9)
    assert (below_001, below_01) == (0.5, 0.5)
