"""The candidate weights and rules of ``benchmarks/m3_member_weights.py`` (no M3 data)."""

from types import SimpleNamespace

import numpy as np
import pytest

weights_bench = pytest.importorskip("benchmarks.m3_member_weights")
pytest.importorskip("sktime")

T, D = 0.5, 0.25
FIXED = np.array([(1 - T) * (1 - D), T * (1 - D), D])


@pytest.mark.parametrize("n, mse_theta, mse_damped", [(15, 1.0, 3.0), (63, 4.0, 0.5)])
def test_candidate_weights_are_convex_and_follow_their_rules(n, mse_theta, mse_damped):
    weights = weights_bench.candidate_weights(FIXED, n, mse_theta, mse_damped, T, D)
    assert set(weights) == (
        set(weights_bench.CANDIDATES)
        - set(weights_bench.ETS_CANDIDATES)
        - set(weights_bench.LONG_SERIES_CANDIDATES)
    )
    for w in weights.values():
        assert w.min() >= 0 and w.sum() == pytest.approx(1.0)
    hedge = FIXED[1] + FIXED[2]
    split = weights["hedges by in-sample MSE"]
    # Inverse-MSE split of the hedges: Theta / damped = MSE_damped / MSE_theta.
    assert split[0] == FIXED[0]
    assert split[1] / split[2] == pytest.approx(mse_damped / mse_theta)
    chosen = weights["hedge chosen by in-sample MSE"]
    better = 1 if mse_theta < mse_damped else 2
    assert chosen[better] == pytest.approx(hedge) and chosen[3 - better] == 0
    t_n = T * 50 / (50 + n)
    np.testing.assert_allclose(
        weights["theta weight 50/(50+n)"], [(1 - t_n) * (1 - D), t_n * (1 - D), D]
    )
    to_damped = weights["theta weight 50/(50+n) to damped trend"]
    np.testing.assert_allclose(to_damped[:2], [FIXED[0], t_n * (1 - D)])


def test_theta_weight_falls_with_the_length():
    theta = [
        weights_bench.candidate_weights(FIXED, n, 1.0, 1.0, T, D)["theta weight 50/(50+n)"][1]
        for n in (10, 50, 200)
    ]
    assert theta[0] > theta[1] > theta[2]
    assert theta[1] == pytest.approx(FIXED[1] / 2)  # halved at n = 50


def test_without_in_sample_errors_the_in_sample_rules_keep_the_fixed_weights():
    weights = weights_bench.candidate_weights(FIXED, 20, np.nan, 1.0, T, D)
    np.testing.assert_array_equal(weights["hedges by in-sample MSE"], FIXED)
    np.testing.assert_array_equal(weights["hedge chosen by in-sample MSE"], FIXED)


def _table(other, quarterly_geo, quarterly_smape, all_geo, all_smape=12.0):
    """A summary table: the default at 1 (sMAPE 10 / 12), a candidate at the given values."""
    table = {}
    for group in ("yearly", "quarterly", "monthly", "other", "all"):
        smape = 12.0 if group == "all" else 10.0
        table[group, "default"] = (1.0, smape, 1.0, 0.0, 0.0)
        table[group, "c"] = (1.0, smape, 1.0, 0.0, 0.0)
    table["other", "c"] = (other, 10.0, other, 0.0, 0.0)
    table["quarterly", "c"] = (quarterly_geo, quarterly_smape, 1.0, 0.0, 0.0)
    table["all", "c"] = (all_geo, all_smape, 1.0, 0.0, 0.0)
    return table, {g: 1 for g in ("yearly", "quarterly", "monthly", "other", "all")}


@pytest.mark.parametrize(
    "other, quarterly_geo, quarterly_smape, all_geo, passes",
    [
        (0.97, 1.004, 10.04, 0.999, True),
        (0.985, 1.0, 10.0, 0.99, False),  # "other" only 1.5% better
        (0.97, 1.006, 10.0, 0.99, False),  # quarterly geo-mean MASE 0.6% worse
        (0.97, 1.0, 10.06, 0.99, False),  # quarterly sMAPE 0.6% worse
        (0.97, 1.0, 10.0, 1.001, False),  # overall geo-mean MASE worse
    ],
)
def test_development_rule(other, quarterly_geo, quarterly_smape, all_geo, passes):
    table, sizes = _table(other, quarterly_geo, quarterly_smape, all_geo)
    assert weights_bench.development_rule(table, sizes, "c") is passes


@pytest.mark.parametrize(
    "other, quarterly_geo, quarterly_smape, all_geo, all_smape, passes",
    [
        (0.999, 1.004, 10.04, 1.0, 12.0, True),
        (1.0, 1.0, 10.0, 0.99, 11.9, False),  # "other" not better
        (0.9, 1.0, 10.0, 1.001, 11.9, False),  # overall geo-mean MASE worse
        (0.9, 1.0, 10.0, 0.99, 12.01, False),  # overall sMAPE worse
        (0.9, 1.006, 10.0, 0.99, 11.9, False),  # quarterly geo-mean MASE 0.6% worse
        (0.9, 1.0, 10.06, 0.99, 11.9, False),  # quarterly sMAPE 0.6% worse
    ],
)
def test_confirmation_rule(other, quarterly_geo, quarterly_smape, all_geo, all_smape, passes):
    table, sizes = _table(other, quarterly_geo, quarterly_smape, all_geo, all_smape)
    assert weights_bench.confirmation_rule(table, sizes, "c") is passes


def test_series_forecasts_recombine_the_default_only_for_a_trend_without_season():
    rng = np.random.default_rng(0)
    t = np.arange(60.0)
    trend = SimpleNamespace(y=100 + 2 * t + np.cumsum(rng.normal(0, 1, 60)), horizon=8)
    forecasts, acts = weights_bench.series_forecasts(trend, weights_bench.CANDIDATES)
    # series_forecasts itself checks that the default's weights give predict()'s forecast.
    assert acts
    assert all(f.shape == (8,) and np.isfinite(f).all() for f in forecasts.values())
    assert not np.allclose(forecasts["theta weight 50/(50+n)"], forecasts["default"])
    flat = SimpleNamespace(y=10 + rng.normal(0, 1, 60), horizon=8)  # stationary: d_ = 0
    forecasts, acts = weights_bench.series_forecasts(flat, weights_bench.CANDIDATES)
    assert not acts
    for name in weights_bench.CANDIDATES:
        np.testing.assert_array_equal(forecasts[name], forecasts["default"])


def _trend(n, seed=0):
    rng = np.random.default_rng(seed)
    y = 100 + 2 * np.arange(n) + np.cumsum(rng.normal(0, 1, n))
    return SimpleNamespace(y=y, horizon=8)


def test_ets_candidates_act_only_from_51_points():
    assert weights_bench.MIN_ETS_LENGTH == 51  # 10 errors per parameter, damped Holt's 5
    ets = list(weights_bench.ETS_CANDIDATES)
    short, short_acting = weights_bench.series_forecasts(_trend(50), weights_bench.CANDIDATES)
    assert "theta weight 50/(50+n)" in short_acting  # all three members are used
    assert not short_acting & set(ets)
    for name in ets:  # bit-identical to predict()'s forecast
        np.testing.assert_array_equal(short[name], short["default"])
    long, long_acting = weights_bench.series_forecasts(_trend(51), ets)
    assert long_acting == set(ets)
    for name in ets:
        assert np.isfinite(long[name]).all()
        # The choice is the default's member since session 38 (fit_trend_member).
        adopted = name == "ETS AICc choice, m >= 10k"
        assert np.allclose(long[name], long["default"], rtol=1e-12) is adopted


def test_long_series_hedge_candidates_act_only_from_51_points():
    gated = weights_bench.LONG_SERIES_CANDIDATES
    everywhere = list(gated.values())
    short, short_acting = weights_bench.series_forecasts(_trend(50), weights_bench.CANDIDATES)
    assert set(everywhere) <= short_acting and not short_acting & set(gated)
    for name, whole in gated.items():  # the default's forecast, bit for bit
        np.testing.assert_array_equal(short[name], short["default"])
        assert not np.allclose(short[whole], short["default"])
    long, long_acting = weights_bench.series_forecasts(_trend(51), weights_bench.CANDIDATES)
    assert set(gated) <= long_acting
    for name, whole in gated.items():  # the session-37 candidate's forecast
        np.testing.assert_array_equal(long[name], long[whole])
        assert not np.allclose(long[name], long["default"])


def test_ets_members_replace_the_damped_trend_with_the_aicc_member():
    from benchmarks.m3_ets_member import aicc_member

    rng = np.random.default_rng(1)
    z = np.cumsum(rng.normal(0.1, 1, 60))
    after = rng.normal(size=(3, 1, 4, 1))
    members = weights_bench.ets_members(after, FIXED, z, weights_bench.CANDIDATES)
    assert set(members) == set(weights_bench.ETS_CANDIDATES)
    weights_only, weights = members["ETS AICc weights, m >= 10k"]
    np.testing.assert_array_equal(weights_only[:2], after[:2])  # models and Theta kept
    np.testing.assert_allclose(weights_only[2, 0, :, 0], aicc_member(z, 4))
    np.testing.assert_array_equal(weights, FIXED)
    chosen, _ = members["ETS AICc choice, m >= 10k"]
    np.testing.assert_allclose(chosen[2, 0, :, 0], aicc_member(z, 4, choose=True))
    _, both = members["ETS AICc weights in place of Theta and damped trend, m >= 10k"]
    np.testing.assert_allclose(both, [FIXED[0], 0.0, FIXED[1] + FIXED[2]])
    assert weights_bench.ets_members(after, FIXED, z[:50], weights_bench.CANDIDATES) == {}
