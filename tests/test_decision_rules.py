"""Tests that pin the rules choosing a configuration (issue 25).

Each test asserts what a rule decides on data built to sit on one side of it (or on an
exact tie), so that changing the rule, not only its constant, makes a test fail.
``tools/rule_mutations.py`` applies one deliberate bug per rule and checks that these
tests catch every one.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.linear_model import Ridge

from sksssm.spectral._ridge import QRAccumulator, RidgeSolution, gcv_choice


# ------------------------------------------------------------- forecaster helpers
def _forecaster(**params):
    from sksssm.forecasting import SpectralForecaster

    # one model: these tests check the rules of a single configuration (no combination,
    # no damping, shrinkage toward the drift, Theta or damped trend)
    fixed = dict(ar_order=1, n_filters=0, alpha=1.0, log_transform=False, n_combined=1,
                 damping=1.0, drift_prior_length=0, theta_weight=0.0,
                 damped_trend_weight=0.0)  # fmt: skip
    return SpectralForecaster(**{**fixed, **params})


def _ar1(coefficient, n, seed):
    noise = np.random.default_rng(seed).normal(size=n)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = coefficient * x[t - 1] + noise[t]
    return x


def _monthly(values):
    index = pd.period_range("2000-01", periods=len(values), freq="M")
    return pd.Series(values, index=index)


# ------------------------------------------------------------ differencing (KPSS)
@pytest.mark.parametrize("seed", range(4))
def test_differencing_is_chosen_for_a_random_walk_not_for_an_ar1(seed):
    pytest.importorskip("sktime")
    walk = 10 + np.random.default_rng(seed).normal(size=100).cumsum()
    walk_fit = _forecaster(sp=1, seasonal_d=0, d="auto").fit(pd.Series(walk))
    assert walk_fit.d_ == 1
    ar_fit = _forecaster(sp=1, seasonal_d=0, d="auto").fit(pd.Series(10 + _ar1(0.5, 100, seed)))
    assert ar_fit.d_ == 0


def test_differencing_follows_the_5_percent_kpss_test_of_statsmodels():
    """The decision equals statsmodels' KPSS test at 5% (its own critical value)."""
    pytest.importorskip("sktime")
    kpss = pytest.importorskip("statsmodels.tsa.stattools").kpss
    import warnings

    for x in [_ar1(0.5, 100, 1), _ar1(0.9, 100, 2), _ar1(1.0, 100, 3), _ar1(0.97, 100, 4)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            statistic, _, _, critical = kpss(x, regression="c", nlags=int(3 * np.sqrt(100) / 13))
        fitted = _forecaster(sp=1, seasonal_d=0, d="auto").fit(pd.Series(10 + x))
        assert fitted.d_ == int(statistic > critical["5%"])


# ------------------------------------------------------------------- seasonality
def test_seasonal_difference_on_each_side_of_the_strength_threshold():
    """Seasonal strengths 0.66 and 0.61 sit on each side of auto.arima's 0.64."""
    pytest.importorskip("sktime")
    t = np.arange(72)
    noise = np.random.default_rng(7).normal(size=72)
    strong = _forecaster(sp=12, seasonal_d="auto", d=0).fit(
        pd.Series(10 + 1.40 * np.sin(2 * np.pi * t / 12) + noise)
    )
    weak = _forecaster(sp=12, seasonal_d="auto", d=0).fit(
        pd.Series(10 + 1.24 * np.sin(2 * np.pi * t / 12) + noise)
    )
    assert strong.seasonal_strength_ == pytest.approx(0.663, abs=0.005)
    assert weak.seasonal_strength_ == pytest.approx(0.612, abs=0.005)
    assert (strong.seasonal_d_, weak.seasonal_d_) == (1, 0)


def test_seasonal_difference_needs_three_seasons_of_data():
    pytest.importorskip("sktime")
    t = np.arange(36)
    y = 10 + 3 * np.sin(2 * np.pi * t / 12) + 0.1 * np.random.default_rng(0).normal(size=36)
    three = _forecaster(sp=12, seasonal_d="auto", d=0).fit(pd.Series(y))
    assert three.seasonal_d_ == 1 and three.seasonal_strength_ > 0.9
    short = _forecaster(sp=12, seasonal_d="auto", d=0).fit(pd.Series(y[:34]))
    assert short.seasonal_d_ == 0 and short.seasonal_strength_ is None


def test_seasonality_test_needs_three_seasons():
    from sksssm.forecasting import detect_seasonal_period, seasonality_test

    season = np.tile(np.random.default_rng(2).normal(size=12), 3)  # a 12-step profile
    assert seasonality_test(season, 12)
    assert not seasonality_test(season[:34], 12)  # 2.8 seasons
    monthly = pd.period_range("2000-01", periods=36, freq="M")
    assert detect_seasonal_period([season[:, None]], monthly) == 12
    assert detect_seasonal_period([season[:34, None]], monthly[:34]) == 1


def test_seasonality_test_is_the_bartlett_bound_on_each_side():
    """Series whose lag-12 autocorrelation sits 1% above and 1% below the 90% bound
    ``1.645 sqrt((1 + 2 sum_{k<12} r_k^2) / n)``, both computed here directly."""
    from sksssm.forecasting import seasonality_test

    def ratio(x, m):
        x = x - x.mean()
        r = np.array([x[k:] @ x[: len(x) - k] for k in range(1, m + 1)]) / (x @ x)
        return r[-1] / (1.645 * np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(x)))

    rng = np.random.default_rng(6)
    noise, profile = rng.normal(size=60), np.tile(rng.normal(size=12), 5)
    amplitudes = np.linspace(0.0, 1.0, 2001)
    ratios = np.array([ratio(noise + a * profile, 12) for a in amplitudes])
    above = amplitudes[(ratios > 1.0) & (ratios < 1.01)]
    below = amplitudes[(ratios < 1.0) & (ratios > 0.99)]
    assert above.size and below.size
    assert seasonality_test(noise + above[0] * profile, 12)
    assert not seasonality_test(noise + below[-1] * profile, 12)
    alternating = np.where(np.arange(48) % 2, 1.0, -1.0) + 0.3 * rng.normal(size=48)
    assert seasonality_test(alternating, 2)  # period 2 is a season


def test_seasonal_period_is_kept_when_half_of_the_series_vote_for_it():
    """Four series, the season passing the test in one or two of them."""
    from sksssm.forecasting import detect_seasonal_period, seasonality_test

    t = np.arange(72)
    rng = np.random.default_rng(11)
    seasonal = [np.sin(2 * np.pi * t / 12) + 0.2 * rng.normal(size=72) for _ in range(2)]
    plain = [rng.normal(size=72) for _ in range(3)]
    assert all(seasonality_test(s, 12) for s in seasonal)
    assert not any(seasonality_test(s, 12) for s in plain)
    monthly = pd.period_range("2000-01", periods=72, freq="M")
    one_of_four = [s[:, None] for s in seasonal[:1] + plain]
    two_of_four = [s[:, None] for s in seasonal + plain[:2]]
    assert detect_seasonal_period(one_of_four, monthly) == 1
    assert detect_seasonal_period(two_of_four, monthly) == 12


def test_every_channel_votes_for_the_seasonal_period():
    """Channels vote like series: the period of a two-column y does not depend on the
    order of its columns (it was decided by the first column alone)."""
    from sksssm.forecasting import SpectralForecaster, detect_seasonal_period

    t = np.arange(72)
    rng = np.random.default_rng(11)
    seasonal = np.sin(2 * np.pi * t / 12) + 0.2 * rng.normal(size=72)
    seasonal_2 = np.cos(2 * np.pi * t / 12) + 0.2 * rng.normal(size=72)
    plain = rng.normal(size=72)
    monthly = pd.period_range("2000-01", periods=72, freq="M")
    for columns in ([seasonal, plain], [plain, seasonal]):  # one of two channels: kept
        assert detect_seasonal_period([np.stack(columns, axis=1)], monthly) == 12
    assert detect_seasonal_period([np.stack([plain, seasonal, plain], axis=1)], monthly) == 1
    both = np.stack([seasonal, seasonal_2], axis=1)
    assert detect_seasonal_period([both], None) == detect_seasonal_period([both[:, ::-1]], None)
    y = pd.DataFrame({"a": 10 + seasonal, "b": 10 + np.cumsum(plain)}, index=monthly)
    forecasts = [SpectralForecaster().fit(y[cols], fh=[1, 2, 3]).predict()["a"].to_numpy()
                 for cols in (["a", "b"], ["b", "a"])]  # fmt: skip
    np.testing.assert_allclose(forecasts[0], forecasts[1], rtol=1e-10)


def test_seasonal_period_without_frequency_is_the_highest_autocorrelation_peak():
    """No index frequency: the candidate is the highest positive local peak of the detrended
    series' autocorrelation, recomputed here by a plain loop. Persistent series without
    a season (random walks, AR(1) 0.8), whose autocorrelation decays from lag 1, get no
    period (a later peak, if any, fails the test), though their largest autocorrelation
    past lag 1 is at lag 2 (the candidate of the earlier argmax rule, which then passed
    the test as if it were a season)."""
    from sksssm.forecasting import acf_peak, detect_seasonal_period, seasonality_test

    def detrended_acf(x, max_lag):
        t = np.arange(len(x))
        e = x - np.polyval(np.polyfit(t, x, 1), t)
        e = e - e.mean()
        return np.array([e[k:] @ e[: len(e) - k] for k in range(1, max_lag + 1)]) / (e @ e)

    def highest_peak(r):  # r[k - 1] is the lag-k autocorrelation
        best, value = 1, 0.0
        for k in range(2, len(r)):
            if r[k - 2] < r[k - 1] >= r[k] and r[k - 1] > value:
                best, value = k, r[k - 1]
        return best

    rng = np.random.default_rng(5)
    persistent = [rng.normal(size=80).cumsum() for _ in range(5)]
    persistent += [_ar1(0.8, 80, seed) for seed in range(5)]
    for x in persistent:
        r = detrended_acf(x, 27)
        assert acf_peak(r) == highest_peak(r)
        assert int(np.argmax(r[1:26])) + 2 == 2 and seasonality_test(x, 2)
        assert detect_seasonal_period([x[:, None]]) == 1
    t = np.arange(60)
    profile = np.array([1.0, -0.5, 0.8, -1.3])
    for seed in range(5):
        noise = np.random.default_rng(seed).normal(size=60)
        quarterly = 0.05 * t + profile[t % 4] + 0.3 * noise
        r = detrended_acf(quarterly, 21)
        assert highest_peak(r) == acf_peak(r) == 4
        assert detect_seasonal_period([quarterly[:, None]]) == 4


# ---------------------------------------------------------------------- intervals
def test_interval_is_the_textbook_random_walk_with_drift_interval():
    """d = 1 with only an intercept (the drift): the forecast is ``y_T + h mu`` and the
    interval ``y_T + h mu +- kappa t_nu sqrt(sigma^2 h + s^2 h^2 / m)``, ``nu = 4 + n_h / h``
    from the ``n_h`` in-sample ``h``-step errors. The differences alternate in sign, so the
    in-sample h-step errors are smaller than the ``sigma sqrt(h)`` the recursion implies:
    that h-step error is the floor the model's width must follow; the final calibration
    on those same in-sample errors then narrows it."""
    pytest.importorskip("sktime")
    m = 30
    noise = np.random.default_rng(0).normal(size=m)
    w = 0.3 + np.where(np.arange(m) % 2, 1.0, -1.0) + 0.1 * noise
    y = pd.Series(np.concatenate([[5.0], 5.0 + np.cumsum(w)]))
    f = _forecaster(sp=1, seasonal_d=0, d=1, ar_order=0, alpha=1e-10).fit(y)
    assert (f.d_, f.ar_order_, f.n_filters_, f.fit_intercept_) == (1, 0, 0, True)
    loc, scale = f._panel.scaling[None][0][0], f._panel.scaling[None][1][0]
    # Independent computation, in the forecaster's standardized units.
    wz = np.diff((y.to_numpy() - loc) / scale)
    drift = wz.mean()
    s2 = np.sum((wz - drift) ** 2) / (m - 1)  # the drift's estimation variance: s^2 / m
    # One-step in-sample errors: every difference after the first (one lag of history),
    # in the GCV form (RSS / n) / (1 - dof / n)^2 of the forecaster's error scale.
    errors = wz[1:] - drift
    n_errors = len(errors)
    sigma = np.sqrt(np.mean(errors**2)) / (1 - 1 / n_errors)
    h = np.arange(1, 7)
    spread = np.sqrt(sigma**2 * h + s2 * h**2 / m)
    # Scaled by the final forecast's in-sample errors (the drift line from every origin
    # o >= 3), in units of that spread, winsorized at 3, with 4 pseudo-ratios of 1, the
    # origin a points before the last (o = m) weighing exp(-a / 20).
    z = (y.to_numpy() - loc) / scale
    pairs = [(o, k) for o in range(3, m + 1) for k in h if o + k - 1 <= m]
    ratios = [(z[o + k - 1] - z[o - 1] - k * drift) / spread[k - 1] for o, k in pairs]
    weights = np.exp(-np.array([m - o for o, _ in pairs]) / 20)
    ratios = np.clip(ratios, -3, 3)
    kappa = np.sqrt((4 + np.sum(weights * ratios**2)) / (4 + np.sum(weights)))
    # Student-t with 4 + n_h / h dof: n_h = m - h - 1 in-sample h-step errors.
    half = stats.t.ppf(0.95, 4 + (m - h - 1) / h) * kappa * spread * scale
    mean = f.predict(fh=list(h)).to_numpy()
    interval = f.predict_interval(fh=list(h), coverage=0.9).to_numpy()
    np.testing.assert_allclose(mean, y.iloc[-1] + h * drift * scale, rtol=1e-9)
    # Measured agreement ~1e-15 relative.
    np.testing.assert_allclose(interval[:, 1] - mean, half, rtol=1e-9)
    np.testing.assert_allclose(mean - interval[:, 0], half, rtol=1e-9)


def test_error_scale_falls_back_to_the_differences_without_enough_errors():
    """An AR(2) with intercept (3 parameters) needs more than 4 (= 3 + 1) in-sample
    one-step errors: with 4 it uses them (GCV form of their mean square), with 3 the
    spread of the differences (a random walk's one-step error)."""
    pytest.importorskip("sktime")
    from sksssm.forecasting._intervals import error_scale

    y = pd.Series(5 + np.random.default_rng(3).normal(size=6))
    for n in (6, 5):
        f = _forecaster(sp=1, seasonal_d=0, d=0, ar_order=2, alpha=1e-10).fit(y.iloc[:n])
        assert f.stability_ == "none"  # the least-squares AR(2) is stable here
        z = (y.to_numpy()[:n] - f._panel.scaling[None][0][0]) / f._panel.scaling[None][1][0]
        sigma, nu = error_scale(f._model, *f._panel.series(), 1, f.strategies_)
        n_errors = n - 2
        if n_errors > 3:
            A = np.column_stack([np.ones(n_errors), z[1:-1], z[:-2]])
            rss = np.sum((z[2:] - A @ np.linalg.lstsq(A, z[2:], rcond=None)[0]) ** 2)
            expected = np.sqrt(rss / n_errors) / (1 - 3 / n_errors)
        else:
            expected = np.sqrt(np.mean(np.diff(z) ** 2))
        assert sigma[0, 0] == pytest.approx(expected, rel=1e-6)
        assert nu == pytest.approx(max(n_errors - 3, 1), rel=1e-6)


# --------------------------------------------------------------------- GCV ties
def test_gcv_choice_takes_the_largest_penalty_among_ties():
    alphas = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    assert gcv_choice(alphas, np.array([2.0, 1.0, 1.0, 3.0, 1.0 + 1e-6])) == 2
    assert gcv_choice(alphas, np.array([2.0, 1.0, 1.0 + 1e-12, 3.0, 5.0])) == 2  # round-off
    assert gcv_choice(alphas[::-1], np.array([1.0, 3.0, 1.0, 1.0, 2.0])) == 0
    assert gcv_choice(alphas, np.full(5, np.inf)) == 4
    assert gcv_choice(alphas, np.array([0.0, 0.0, 1.0, 0.0, 2.0])) == 3  # exact fits tie
    assert gcv_choice(alphas, np.array([np.inf, 2.0, np.nan, 2.0, np.inf])) == 3


@pytest.mark.parametrize("chunk", [1, 7, 40])
def test_ridge_gcv_tie_goes_to_the_largest_penalty_whatever_the_chunking(chunk):
    """Penalties far below the spectrum change the fit only by round-off, which differs
    with the chunking: their GCV scores tie and the largest of them is chosen."""
    rng = np.random.default_rng(3)
    F = rng.normal(size=(40, 3))
    Y = F @ rng.normal(size=(3, 2)) + rng.normal(size=(40, 2))
    acc = QRAccumulator(3, 2)
    for start in range(0, 40, chunk):
        acc.update(F[start : start + chunk], Y[start : start + chunk])
    solution = RidgeSolution(acc)
    alphas = np.array([1e-14, 0.0, 1e-13, 1e-15]) * solution.s[0] ** 2
    alpha, scores = solution.best_alpha(alphas)
    np.testing.assert_allclose(scores, scores[1], rtol=1e-9)
    assert alpha == alphas[2]
    # Without features nothing is shrunk: every penalty ties exactly.
    acc = QRAccumulator(2, 2).update(np.zeros((40, 2)), Y)
    alpha, scores = RidgeSolution(acc).best_alpha(np.array([0.5, 2.0, 0.1]))
    assert alpha == 2.0 and scores[0] == scores[1] == scores[2]


def test_forecaster_gcv_tie_goes_to_the_largest_penalty():
    """The forecaster's penalty search applies the same rule (``gcv_choice``)."""
    pytest.importorskip("sktime")
    from sksssm.forecasting._design import solve_stable

    class TiedSolution:
        def alpha_grid(self):
            return np.array([0.0, 0.1, 1.0, 10.0, 100.0])

        def gcv_scores(self, alphas):
            return np.array([2.0, 1.0, 1.0, 1.0, 3.0])

        def coefficients(self, alpha):
            return np.zeros((1, 1)), np.zeros(1)

    coef, intercept, alpha, score, rule = solve_stable(TiedSolution(), "auto", None, False)
    assert (alpha, score, rule) == (10.0, 1.0, "none")


# ---------------------------------------------------------------------- classifier
# temperatures about 5.5 and 0.65 (one above and one below 1)
@pytest.mark.parametrize(("noise", "seed"), [(1.0, 4), (2.0, 1)])
def test_probabilities_are_calibrated_on_the_leave_one_out_decisions(noise, seed):
    """``temperature_`` minimizes the log-loss of the leave-one-out decisions, each one
    computed here by refitting sklearn's Ridge without that series."""
    from sksssm.estimators.spectral_classifier import SpectralFilterClassifier

    rng = np.random.default_rng(seed)
    y = np.repeat(["a", "b", "c"], 14)
    freq = np.select([y == "a", y == "b"], [0.05, 0.1], 0.2)[:, None, None]
    phase = rng.uniform(0, 6, size=(42, 2, 1))
    X = np.sin(2 * np.pi * freq * np.arange(32) + phase) + rng.normal(0, noise, (42, 2, 32))
    # the linear ridge's leave-one-out (the kernel head's: tests/test_kernel_ridge.py)
    clf = SpectralFilterClassifier(
        n_filters=4, normalise="loo", random_state=0, kernel="linear"
    ).fit(X, y)
    from sksssm.spectral import pooled_features

    X_btc = (np.swapaxes(X, 1, 2) - clf.x_location_) / clf.x_scale_
    F = (pooled_features(X_btc, clf.pooling_) - clf.feature_mean_) / clf.feature_scale_
    F = F[:, clf.feature_mask_]
    encoded = np.searchsorted(clf.classes_, y)
    targets = np.where(encoded[:, None] == np.arange(3), 1.0, -1.0)
    loo = np.empty_like(targets)
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        loo[i] = Ridge(alpha=clf.alpha_).fit(F[keep], targets[keep]).predict(F[i : i + 1])[0]

    np.testing.assert_allclose(clf.loo_decisions_, loo, rtol=1e-6, atol=1e-8)

    def log_loss(tau):
        return -log_softmax(tau * loo, axis=1)[np.arange(len(y)), encoded].mean()

    direct = minimize_scalar(
        log_loss, bounds=(1e-3, 1e4), method="bounded", options={"xatol": 1e-8}
    )
    assert abs(np.log(direct.x)) > 0.1  # the fitted temperature is not 1 here
    assert clf.temperature_ == pytest.approx(direct.x, rel=1e-3)
    assert log_loss(clf.temperature_) == pytest.approx(direct.fun, rel=1e-9)


@pytest.mark.parametrize("order", [("first", "second"), ("second", "first")])
def test_leave_one_out_tie_goes_to_the_first_candidate(order):
    """Two feature sets with equal Gram matrices (one adds zero columns) tie exactly."""
    from sksssm.estimators._class_targets import one_vs_all_targets
    from sksssm.spectral._ridge_loo import select_ridge_by_loo

    rng = np.random.default_rng(9)
    F = rng.normal(size=(12, 20))
    F[:, 10:15] = 0.0
    F -= F.mean(axis=0)
    masks = {"first": np.arange(20) < 10, "second": np.arange(20) < 15}
    candidates = [(name, masks[name]) for name in order]
    targets = one_vs_all_targets(np.arange(12) % 3, 3)
    fit = select_ridge_by_loo(F, targets, np.logspace(-3, 3, 7), candidates)
    assert fit.name == order[0]


# ----------------------------------------------------------------------- deep base
def test_validation_split_keeps_every_class():
    """Early stopping (auto) holds out 10%: on only when every class can be in it."""
    from sksssm import HOPEClassifier

    rng = np.random.default_rng(5)
    X = rng.normal(size=(330, 12))
    y = np.where(X[:, -3:].sum(axis=1) > 0, "a", "b")
    params = dict(state_dim=4, d_model=8, n_layers=1, max_epochs=1, batch_size=64)
    rare = y.copy()
    rare[:1] = "rare"  # one series: no split can put it in both parts
    clf = HOPEClassifier(**params, random_state=0).fit(X, rare)
    assert not clf.early_stopping_ and "valid_loss" not in clf.history_[-1]
    enough = y.copy()
    enough[:10] = "rare"  # 10% of 10: one validation series of the class
    clf = HOPEClassifier(**params, random_state=0).fit(X, enough)
    assert clf.early_stopping_ and "valid_loss" in clf.history_[-1]
