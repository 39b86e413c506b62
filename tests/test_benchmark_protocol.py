"""Pure functions of the benchmark protocol (no corpus data needed)."""

import numpy as np
import pytest

protocol = pytest.importorskip("benchmarks.protocol")


def test_ranks_best_is_one_and_ties_share_the_mean():
    scores = np.array([[0.9, 0.8, 0.8], [0.5, 0.7, 0.6]])
    np.testing.assert_allclose(protocol.ranks(scores), [[1, 2.5, 2.5], [3, 1, 2]])
    np.testing.assert_allclose(protocol.ranks(scores, higher_is_better=False)[1], [1, 3, 2])


def test_wins_draws_losses_counts_each_direction():
    ours, theirs = [0.9, 0.5, 0.7, 0.1], [0.8, 0.5, 0.9, 0.1]
    assert protocol.wins_draws_losses(ours, theirs) == (1, 2, 1)
    assert protocol.wins_draws_losses(ours, theirs, higher_is_better=False) == (1, 2, 1)
    assert protocol.wins_draws_losses([1.0, 2.0], [3.0, 3.0], higher_is_better=False) == (2, 0, 0)


def test_mase_against_a_hand_computed_seasonal_scale():
    y_train = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 8.0])  # period 2: |4-1|,|3-2|,|5-4|,|8-3|
    scale = np.mean([3.0, 1.0, 1.0, 5.0])
    y_test, y_pred = np.array([7.0, 9.0]), np.array([6.0, 12.0])
    assert protocol.mase(y_train, y_test, y_pred, 2) == pytest.approx(2.0 / scale)
    with pytest.raises(ValueError, match="zero"):
        protocol.mase(np.ones(5), y_test, y_pred, 1)


def test_smape_matches_its_definition():
    value = protocol.smape([100.0, 50.0], [110.0, 50.0])
    assert value == pytest.approx(np.mean([200 * 10 / 210, 0.0]))


def test_summary_rows_and_wilcoxon():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 0.9, size=20)
    scores = np.column_stack([base + 0.05, base])
    rows = protocol.summary(scores, ["ours", "anchor"], "ours")
    assert rows[0][2] == "1.00" and rows[1][3] == "20/0/0"
    assert float(rows[1][4]) < 1e-4
    assert np.isnan(protocol.wilcoxon_p(base, base))


def test_warm_up_slice_keeps_type_layout_and_at_most_two_cases_per_class():
    X = np.asfortranarray(np.arange(60, dtype=np.float64).reshape(10, 1, 6))
    y = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
    X_fit, y_fit, X_predict = protocol.warm_up_slice(X, y, X[::-1])
    assert y_fit.tolist() == [0, 0, 1, 1, 2, 2]
    assert X_fit.dtype == X.dtype and X_fit.shape[1:] == X.shape[1:]
    assert X_fit.flags.c_contiguous and X_predict.flags.c_contiguous
    np.testing.assert_array_equal(X_fit[2], X[3])
    np.testing.assert_array_equal(X_predict, X[::-1][:5])


# ------------------------------------------------------------------- the anchor cache
anchor_cache = pytest.importorskip("benchmarks.anchor_cache")


def _filled_cache(directory):
    cache = anchor_cache.AnchorCache("UCR", "ROCKET", "spec A", directory=directory)
    cache.put("Coffee", {"accuracy": 1.0}, 0.7)
    cache.put("GestureMidAirD1", None, None)  # does not apply (unequal lengths)
    cache.save()
    return cache


def test_cache_round_trip(tmp_path):
    written = _filled_cache(tmp_path)
    back = anchor_cache.read(
        "UCR", "ROCKET", ["Coffee", "GestureMidAirD1"], spec="spec A", directory=tmp_path
    )
    assert back.results == {
        "Coffee": {"scores": {"accuracy": 1.0}, "seconds": 0.7},
        "GestureMidAirD1": {"scores": None, "seconds": None},
    }
    assert back.versions == written.versions and "numpy" in back.versions
    assert back.date == written.date and back.machine == written.machine
    assert written.date in back.provenance()


def test_cache_refuses_another_corpus_or_spec(tmp_path):
    import json

    path = _filled_cache(tmp_path).path
    with pytest.raises(ValueError, match="spec"):
        anchor_cache.read("UCR", "ROCKET", ["Coffee"], spec="spec B", directory=tmp_path)
    record = json.loads(path.read_text())
    record["corpus"] = "M3"
    path.write_text(json.dumps(record))
    with pytest.raises(ValueError, match="corpus 'M3'"):
        anchor_cache.read("UCR", "ROCKET", ["Coffee"], spec="spec A", directory=tmp_path)


def test_cache_refuses_a_missing_set_and_a_missing_file(tmp_path):
    _filled_cache(tmp_path)
    with pytest.raises(ValueError, match="lacks 1 of the 2 .*Beef"):
        anchor_cache.read("UCR", "ROCKET", ["Coffee", "Beef"], spec="spec A", directory=tmp_path)
    with pytest.raises(FileNotFoundError, match="--refresh-anchors"):
        anchor_cache.read("UCR", "CNN", ["Coffee"], spec="spec A", directory=tmp_path)


# ----------------------------------------------------------- critical-difference diagram
cd_diagram = pytest.importorskip("benchmarks.cd_diagram")

#: q_0.05 of the Nemenyi test for k = 2..10 methods (Demšar 2006, JMLR 7, Table 5a).
DEMSAR_Q05 = [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164]


@pytest.mark.parametrize("n_sets", [10, 37])
def test_nemenyi_cd_matches_the_published_formula_and_table(n_sets):
    for k, q in zip(range(2, 11), DEMSAR_Q05, strict=True):
        published = q * np.sqrt(k * (k + 1) / (6 * n_sets))
        assert cd_diagram.nemenyi_cd(k, n_sets) == pytest.approx(published, rel=6e-4)
    with pytest.raises(ValueError, match="k >= 2"):
        cd_diagram.nemenyi_cd(1, 10)


def test_holm_steps_down_and_stops_at_the_first_kept_hypothesis():
    # sorted: 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2 -> stop (0.04 kept too)
    rejected = cd_diagram.holm_reject([0.01, 0.04, 0.03, 0.005])
    assert rejected.tolist() == [True, False, False, True]
    assert cd_diagram.holm_reject([np.nan, 0.001]).tolist() == [False, True]


def test_cliques_are_maximal_runs_in_rank_order():
    ranks = np.array([2.0, 1.0, 3.0, 4.0])  # order by rank: 1, 0, 2, 3
    different = np.zeros((4, 4), dtype=bool)
    for i, j in [(1, 2), (1, 3), (0, 3)]:
        different[i, j] = different[j, i] = True
    assert cd_diagram.cliques(ranks, different) == [(1, 0), (0, 2), (2, 3)]
    assert cd_diagram.cliques(ranks, np.zeros((4, 4), bool)) == [(1, 0, 2, 3)]
    assert cd_diagram.cliques(ranks, ~np.eye(4, dtype=bool)) == []


def test_nemenyi_decisions_follow_the_rank_gap(tmp_path):
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 0.9, size=30)
    scores = np.column_stack([base + 0.1, base + 0.09, base, base - 0.2])
    scores += rng.normal(0, 0.01, scores.shape)
    diagram = cd_diagram.CriticalDifference.from_scores(scores, list("abcd"), test="nemenyi")
    gap = np.abs(diagram.mean_ranks[:, None] - diagram.mean_ranks[None, :])
    np.testing.assert_array_equal(diagram.different, gap >= cd_diagram.nemenyi_cd(4, 30))
    assert not diagram.different[0, 1] and diagram.different[0, 3]
    diagram.plot(tmp_path / "cd.png")
    assert (tmp_path / "cd.png").stat().st_size > 0


def test_sources_sentence_names_live_and_stored_methods():
    sentence = anchor_cache.sources_sentence(
        ["ours", "Naive", "AutoETS"], {"AutoETS": "read from `x.json`"}
    )
    assert sentence == (
        "Where the numbers come from: run live in this run: ours, Naive; "
        "AutoETS: read from `x.json`."
    )


def test_baseline_estimator_imports_the_other_version_and_restores_this_one(tmp_path):
    import shutil
    import sys
    from pathlib import Path

    import sksssm
    import sksssm.forecasting  # noqa: F401 - loaded, to check it is restored

    shutil.copytree(
        Path(sksssm.__file__).parent, tmp_path / "sksssm", ignore=shutil.ignore_patterns("*.pyc")
    )
    ours = sys.modules["sksssm.forecasting"]
    other = protocol.baseline_estimator(tmp_path, "sksssm.forecasting", "SpectralForecaster")
    assert Path(other._fit.__code__.co_filename).is_relative_to(tmp_path)
    assert sys.modules["sksssm.forecasting"] is ours  # this version is back
    assert other is not ours.SpectralForecaster


def test_baseline_estimator_refuses_a_directory_without_the_package(tmp_path):
    with pytest.raises(RuntimeError, match="no sksssm package"):
        protocol.baseline_estimator(tmp_path, "sksssm", "SpectralFilterClassifier")
