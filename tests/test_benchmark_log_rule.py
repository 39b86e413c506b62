"""The candidates and the rule of ``benchmarks/m3_log_rule.py`` (issue 22, session 39)."""

import numpy as np
import pytest
from scipy import stats

log_rule = pytest.importorskip("benchmarks.m3_log_rule")

DEFAULT, L, A = log_rule.DEFAULT, log_rule.LIKELIHOOD, log_rule.ALL_LOGS


def _gaussian_log_likelihood(x):
    """Log-likelihood of iid normal values at their maximum-likelihood mean and sd."""
    return float(stats.norm.logpdf(x, loc=x.mean(), scale=x.std()).sum())


@pytest.mark.parametrize("lag", [1, 4])
def test_likelihood_gain_is_the_box_cox_profile_difference(lag):
    y = np.array([3.0, 4.5, 4.0, 6.0, 7.5, 7.0, 9.0, 12.0, 11.0, 14.0, 16.5, 15.0])
    levels = _gaussian_log_likelihood(y[lag:] - y[:-lag])
    logs = _gaussian_log_likelihood(np.log(y[lag:]) - np.log(y[:-lag])) - np.log(y[lag:]).sum()
    assert log_rule.log_likelihood_gain(y, lag) == pytest.approx(logs - levels, rel=1e-10)
    # Scale-free: both likelihoods move by -N log c.
    assert log_rule.log_likelihood_gain(1e6 * y, lag) == pytest.approx(logs - levels, rel=1e-8)


def test_likelihood_decides_each_way():
    rng = np.random.default_rng(0)
    t = np.arange(40)
    growth = np.exp(0.08 * t + np.cumsum(0.05 * rng.normal(size=40)))  # spread ~ level
    additive = 10 + 2 * t + np.cumsum(rng.normal(size=40))  # constant spread
    assert log_rule.prefers_log_likelihood([growth[:, None]], 1)
    assert not log_rule.prefers_log_likelihood([additive[:, None]], 1)
    assert not log_rule.prefers_log_likelihood([growth[:, None] - 2], 1)  # not positive
    # The pooled panel follows the larger likelihood gain.
    gains = [log_rule.log_likelihood_gain(x, 1) for x in (growth, additive)]
    assert log_rule.prefers_log_likelihood([growth[:, None], additive[:, None]], 1) == (
        sum(gains) > 0
    )


def test_chi_variation_matches_a_simulation():
    draws = np.sqrt(np.random.default_rng(1).chisquare(1, size=400_000))
    assert log_rule.chi_variation(1) == pytest.approx(draws.std() / draws.mean(), rel=0.01)
    assert log_rule.chi_variation(1) == pytest.approx(np.sqrt(np.pi / 2 - 1), rel=1e-12)


def test_guerrero_can_tell_only_where_the_levels_vary_enough():
    flat = 100 + np.tile([1.0, -1.0], 9)  # block means equal: v = 0
    steep = np.exp(0.3 * np.arange(18))  # block means vary far more than 0.756
    assert not log_rule.guerrero_can_tell(flat, 1)
    assert log_rule.guerrero_can_tell(steep, 1)
    # Where it cannot tell, candidate G takes logs whatever Guerrero's vote.
    assert log_rule.prefers_log_unless_guerrero_tells([flat[:, None]], 1)
    assert log_rule.prefers_log_when_positive([flat[:, None]], 1)
    assert not log_rule.prefers_log_when_positive([flat[:, None] - 100], 1)


BASE = {
    "yearly": (74.0, 90.0, 20.0, 2.0, 15.0),  # outside at both levels
    "quarterly": (80.0, 95.0, 9.0, 1.0, 9.0),
    "all": (78.0, 93.0, 11.0, 1.0, 12.0),
}


def _table(rows):
    return {(group, method): values for method, groups in rows.items()
            for group, values in groups.items()}  # fmt: skip


def test_a_candidate_within_every_tolerance_passes():
    better = {"yearly": (74.5, 90.5, 20.0, 1.99, 15.07),
              "quarterly": (82.9, 92.1, 9.0, 1.004, 9.0),
              "all": (79.0, 93.5, 11.2, 0.999, 12.0)}  # fmt: skip
    assert log_rule.rule_failures(_table({DEFAULT: BASE, L: better}), L) == []


def test_each_condition_fails_on_its_own():
    worse = {"yearly": (73.9, 90.0, 20.0, 1.9, 15.08), "quarterly": (83.1, 95.0, 9.0, 1.006, 9.0),
             "all": (78.0, 93.0, 11.23, 1.0, 12.0)}  # fmt: skip
    assert log_rule.rule_failures(_table({DEFAULT: BASE, A: worse}), A) == [
        "yearly sMAPE",
        "quarterly geo-mean MASE",
        "all geo-mean MASE",  # equal is not better
        "yearly 80% coverage",
        "quarterly 80% coverage",
        "all MSIS",
    ]
