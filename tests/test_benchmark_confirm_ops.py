"""The confirm-ops group of the classifier ablation (``benchmarks/_confirm_ops.py``) and
the seed confirmation it shares with confirm-raw-std
(``benchmarks/_seed_confirmation.py``): its variants, its rule on made-up numbers and
the wiring of ``--confirm-ops`` (with ``--bundled``) on synthetic data."""

import pytest

co = pytest.importorskip("benchmarks._confirm_ops")
crs = pytest.importorskip("benchmarks._confirm_raw_std")
variants_module = pytest.importorskip("benchmarks._classifier_ablation_variants")
ablation = pytest.importorskip("benchmarks.classifier_ablation")


def test_the_variants_are_each_seed_base_and_candidate():
    from sksssm import SpectralFilterClassifier
    from sksssm.spectral._segment_stats import STATISTICS

    assert variants_module.GROUPS["confirm_ops"] is co.CONFIRM_OPS
    assert list(co.CONFIRM_OPS) == [
        f"{kind} {seed}" for seed in (1, 2, 3, 4) for kind in ("base", "ops")
    ]
    # the base is the defaults of the run, named: the library's statistics then
    assert co.PREVIOUS_STATISTICS == STATISTICS
    for seed in co.SEEDS:
        base = variants_module.variant_factory(f"base {seed}")()
        expected = SpectralFilterClassifier(random_state=seed, statistics=STATISTICS)
        assert base.get_params() == expected.get_params()
        candidate = variants_module.variant_factory(f"ops {seed}")()
        assert candidate.statistics == STATISTICS + ("mpv", "mipv", "lspv")
        assert candidate.random_state == seed
    # the labels of the two confirmation groups do not collide in ALL_VARIANTS
    assert not set(co.CONFIRM_OPS) & set(crs.CONFIRM_RAW_STD)
    for label, change in {**co.CONFIRM_OPS, **crs.CONFIRM_RAW_STD}.items():
        assert variants_module.ALL_VARIANTS[label] == change


def _results(gains, ratios, n=37, group=None):
    """Made-up ``{set: {variant: (accuracy, seconds)}}``: at seed ``s`` the candidate is
    ``gains[s]`` above the base on every set and takes ``ratios[s]`` of its time
    (``group``: a :class:`SeedConfirmation`, default confirm-ops')."""
    group = co.GROUP if group is None else group
    results = {f"set{k}": {} for k in range(n)}
    for i, seed in enumerate(group.seeds):
        for row in results.values():
            row[group.default_label(seed)] = (0.8, 1.0)
            row[group.candidate_label(seed)] = (0.8 + gains[i], ratios[i])
    return results


def test_the_rule_reads_its_own_thresholds():
    verdict = co.GROUP.development_verdict
    met, words = verdict(_results([0.006] * 4, [1.5] * 4))
    assert met, words
    assert words == (
        "(a) mean difference +0.0060 (met), (b) positive at 4 of 4 seeds (met), "
        "(c) time 1.50x (met): met."
    )
    assert "(a) mean difference +0.0059 (not met)" in verdict(_results([0.0059] * 4, [1] * 4))[1]
    # all four seeds positive: three are not enough here (two were for raw+std)
    met, words = verdict(_results([0.01, 0.01, 0.01, -0.001], [1.0] * 4))
    assert not met and "(b) positive at 3 of 4 seeds (not met)" in words
    # the raw+std group keeps its own rule (3 of 4 seeds)
    assert crs.GROUP.development_verdict(_raw_std_results([0.01] * 3 + [-0.001]))[0]
    met, words = verdict(_results([0.01] * 4, [1.5, 1.5, 1.5, 1.58]))
    assert not met and "(c) time 1.52x (not met)" in words
    assert co.GROUP.bundled_verdict(_results([-0.003] * 4, [1.5] * 4, n=7))[0]
    met, words = co.GROUP.bundled_verdict(_results([0.0] * 4, [1.51] * 4, n=7))
    assert not met and "time 1.51x (not met)" in words


def _raw_std_results(gains):
    results = {f"set{k}": {} for k in range(37)}
    for i, seed in enumerate(crs.SEEDS):
        for row in results.values():
            row[crs.GROUP.default_label(seed)] = (0.8, 1.0)
            row[crs.GROUP.candidate_label(seed)] = (0.8 + gains[i], 1.0)
    return results


def test_the_section_names_the_base_and_the_candidate():
    body = co.development_body(_results([0.007] * 4, [1.2] * 4), complete=True, page="")
    assert body.startswith(co.RULE)
    assert "`ops s` against `base s`" in body
    assert "| seed | default mean accuracy | default seconds | ops mean accuracy |" in body
    assert "**Conditions (a)-(c):** (a) mean difference +0.0070 (met)" in body


def test_both_runs_write_their_parts(synthetic_runs):
    assert ablation.main(["--confirm-ops", "--quick"]) == 0
    assert ablation.main(["--confirm-ops", "--bundled"]) == 0
    text = synthetic_runs.read_text()
    assert text.count(f"<!-- BEGIN {co.SECTION} -->") == 1
    assert co.RULE in text and co.COMMAND in text
    assert "2 sets so far: no verdict" in text
    assert "**Condition (d):** (d) accuracy" in text
    assert "ops 4" in text and "base 4" in text


def test_the_kernel_group_is_each_seed_linear_then_auto():
    ck = pytest.importorskip("benchmarks._confirm_kernel")
    assert variants_module.GROUPS["confirm_kernel"] is ck.CONFIRM_KERNEL
    assert list(ck.CONFIRM_KERNEL) == [
        f"{kind} {seed}" for seed in (1, 2, 3, 4) for kind in ("linear", "kernel")
    ]
    for seed in ck.SEEDS:
        assert variants_module.variant_factory(f"linear {seed}")().kernel == "linear"
        candidate = variants_module.variant_factory(f"kernel {seed}")()
        assert (candidate.kernel, candidate.random_state) == ("auto", seed)
    assert not set(ck.CONFIRM_KERNEL) & (set(co.CONFIRM_OPS) | set(crs.CONFIRM_RAW_STD))
    met, words = ck.GROUP.development_verdict(_results([0.004] * 4, [1.3] * 4, group=ck.GROUP))
    assert met, words
    met, words = ck.GROUP.development_verdict(_results([0.004] * 4, [1.31] * 4, group=ck.GROUP))
    assert not met and "(c) time 1.31x (not met)" in words


def test_the_combination_group_is_each_seed_tempered_then_mean():
    cc = pytest.importorskip("benchmarks._confirm_combination")
    ck = pytest.importorskip("benchmarks._confirm_kernel")
    assert variants_module.GROUPS["confirm_combination"] is cc.CONFIRM_COMBINATION
    assert list(cc.CONFIRM_COMBINATION) == [
        f"{kind} {seed}" for seed in (5, 6, 7, 8) for kind in ("tempered", "mean")
    ]
    for seed in cc.SEEDS:
        default = variants_module.variant_factory(f"tempered {seed}")()
        assert default.head_combination == "tempered"
        candidate = variants_module.variant_factory(f"mean {seed}")()
        assert (candidate.head_combination, candidate.random_state) == ("mean", seed)
    others = set(co.CONFIRM_OPS) | set(crs.CONFIRM_RAW_STD) | set(ck.CONFIRM_KERNEL)
    assert not set(cc.CONFIRM_COMBINATION) & others
    verdict = cc.GROUP.development_verdict
    assert verdict(_results([0.0033] * 4, [1.1] * 4, group=cc.GROUP))[0]
    met, words = verdict(_results([0.0032] * 4, [1.0] * 4, group=cc.GROUP))
    assert not met and "(a) mean difference +0.0032 (not met)" in words
