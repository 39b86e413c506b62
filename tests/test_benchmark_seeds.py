"""The seeds group of the classifier ablation (``benchmarks/_seeds.py``): its variants
and its summaries on made-up numbers."""

from itertools import combinations

import numpy as np
import pytest

seeds = pytest.importorskip("benchmarks._seeds")
variants_module = pytest.importorskip("benchmarks._classifier_ablation_variants")

N = 37
LABELS = list(seeds.SEED_VARIANTS)


def test_the_variants_are_the_default_at_each_seed():
    from sksssm import SpectralFilterClassifier

    assert variants_module.GROUPS["seeds"] is seeds.SEED_VARIANTS
    for label, seed in zip(LABELS, seeds.SEEDS, strict=True):
        model = variants_module.variant_factory(label)()
        expected = SpectralFilterClassifier(random_state=seed).get_params()
        assert model.get_params() == expected
    # the other variants keep the ablation's seed
    assert variants_module.variant_factory("+ rpv")().random_state == variants_module.SEED


def _column(wins, losses, step=0.02):
    """Accuracy ``0.8 + step`` on ``wins`` sets, ``0.8 - step`` on ``losses``."""
    return np.array([0.8 + step] * wins + [0.8 - step] * losses + [0.8] * (N - wins - losses))


def test_pairs_and_the_accuracy_conditions():
    # seed 1 beats seed 0 on 12 sets, loses on 4: mean +8 * 0.02 / 37 = +0.0043
    accuracy = np.column_stack([np.full(N, 0.8), _column(12, 4)])
    pairs = seeds.pair_comparisons(accuracy, LABELS[:2])
    assert [(p["a"], p["b"]) for p in pairs] == [("seed 0", "seed 1"), ("seed 1", "seed 0")]
    forward, backward = pairs[1], pairs[0]
    assert forward["gain"] == pytest.approx(8 * 0.02 / N)
    assert (forward["wins"], forward["draws"], forward["losses"]) == (12, 21, 4)
    assert forward["passes"] and not backward["passes"]
    assert backward["gain"] == pytest.approx(-forward["gain"])
    # 10/7: mean +0.0016 fails, wins 10 >= 7 + 3 holds
    weaker = seeds.pair_comparisons(np.column_stack([np.full(N, 0.8), _column(10, 7)]), LABELS[:2])
    assert not weaker[1]["gain_met"] and weaker[1]["wins_met"] and not weaker[1]["passes"]
    assert len(seeds.pair_comparisons(np.zeros((N, 5)), LABELS)) == 20


def test_mean_and_per_set_spreads():
    accuracy = np.array([[0.8, 0.9, 1.0, 0.8, 0.8], [0.5, 0.5, 0.5, 0.5, 0.5]])
    means, spread, sd = seeds.mean_spread(accuracy)
    np.testing.assert_allclose(means, [0.65, 0.7, 0.75, 0.65, 0.65])
    assert spread == pytest.approx(0.1)
    assert sd == pytest.approx(np.sqrt(np.sum((means - 0.68) ** 2) / 4))
    rows = seeds.per_set_spread(accuracy, ["varies", "steady"])
    assert [r[0] for r in rows] == ["varies", "steady"]
    assert rows[0][1] == pytest.approx(np.sqrt((3 * 0.06**2 + 0.04**2 + 0.14**2) / 4))
    assert rows[0][2] == pytest.approx(0.2) and rows[1][1:] == (0.0, 0.0)


def test_averaged_pair_gains_cover_every_split():
    means = np.array([0.80, 0.81, 0.83, 0.86, 0.90])
    gains = seeds.averaged_pair_gains(means[None, :])
    expected = []  # by brute force: every pair against every disjoint pair, once
    for pair in combinations(range(5), 2):
        for other in combinations([k for k in range(5) if k not in pair], 2):
            if pair < other:
                expected.append(abs(means[list(pair)].mean() - means[list(other)].mean()))
    assert len(gains) == len(expected) == 15
    np.testing.assert_allclose(sorted(np.abs(gains)), sorted(expected))


def test_section_text_counts_the_re_draws_that_pass():
    # seeds 1-4 identical; seed 0 loses 12 sets by 0.02 and wins 4: every "seed k over
    # seed 0" pair passes (4 of 20), no other
    accuracy = np.column_stack([_column(4, 12)] + [np.full(N, 0.8)] * 4)
    names = [f"set{k}" for k in range(N)]
    text = seeds.section_text(accuracy, names, LABELS, complete=True)
    assert "in **4 of 20** ordered pairs" in text
    assert "the mean condition alone in 4 of 20, the wins condition alone in 4 of 20" in text
    assert "| seed 0 - seed 1 | -0.0043 | 4/21/12 | seed 1 |" in text
    assert "| seed 1 - seed 2 | +0.0000 | 0/37/0 | neither |" in text
    assert f"{N - 16} of {N} sets have none" in text
    assert "Partial" not in text
    partial = seeds.section_text(accuracy[:5], names[:5], LABELS, complete=False)
    assert partial.startswith("**Partial: 5 sets so far.**")
