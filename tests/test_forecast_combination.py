"""Per-series combination weights from the members' in-sample errors (issue 22).

Checked against independent computations: the members' forecasts from each in-sample
origin written out for a drift model (the models' member damped and shrunk by hand,
Theta by its least-squares line and SES level), their mean square errors, the GCV
form of the models' and the shrinkage toward the fixed weights; the forecast after the
series equals the combination of the members from origin ``n``, and the in-sample errors
of the intervals use the same weights.
"""

import numpy as np
import pandas as pd
import pytest

from sksssm.forecasting import SpectralForecaster
from sksssm.forecasting._combination import (
    MEMBERS,
    combine_members,
    fixed_weights,
    in_sample_weights,
    origin_members,
)
from sksssm.forecasting._intervals import final_in_sample_errors
from sksssm.forecasting._theta import fit_theta, theta_origin_forecasts

H = 3


def drift_forecaster(y, prior, damped_trend_weight=0.0):
    params = dict(sp=1, d=1, ar_order=0, n_filters=0, n_combined=1, log_transform=False,
                  damped_trend_weight=damped_trend_weight,
                  weight_prior_origins=prior)  # fmt: skip
    return SpectralForecaster(**params).fit(y, fh=np.arange(1, H + 1))


def written_out_members(f, z):
    """Models' member and Theta from every origin 3..n-1 of a drift model, by hand."""
    c = f._model.one_step["intercept"][0]
    n = len(z)
    origins = list(range(3, n))
    theta = theta_origin_forecasts(z, fit_theta(z), H, origins)
    h = np.arange(1, H + 1)
    models = []
    for o in origins:
        damping = max(1 - 5 / o, 0.5)
        model = z[o - 1] + np.cumsum(c * damping**h)
        drift = z[o - 1] + h * (z[o - 1] - z[0]) / (o - 1)
        w = o / (o + 10)
        models.append(w * model + (1 - w) * drift)
    return origins, np.array(models), theta


@pytest.mark.parametrize("prior", [0.0, 5.0, 50.0])
def test_weights_are_shrunk_inverse_in_sample_mse(prior):
    """Weights ``(1 - lam) (1/2, 1/2) + lam inverse-MSE``, ``lam = R^2 / (R^2 + P^2)``;
    the models' MSE divided by ``(1 - dof / n)^2``."""
    rng = np.random.default_rng(5)
    y = pd.Series(30 + np.cumsum(0.5 + rng.normal(size=24)))
    f = drift_forecaster(y, prior)
    z = f._panel.series()[0][0][:, 0]
    origins, models, theta = written_out_members(f, z)
    sq_models, sq_theta = [], []
    for o, m, t in zip(origins, models, theta, strict=True):
        k = min(H, len(z) - o)
        sq_models += list((z[o : o + k] - m[:k]) ** 2)
        sq_theta += list((z[o : o + k] - t[:k]) ** 2)
    one = f._model.one_step
    mse_models = np.mean(sq_models) / (1 - one["dof"] / one["n"]) ** 2
    mse_theta = np.mean(sq_theta)
    inverse = np.array([1 / mse_models, 1 / mse_theta])
    R = len(origins)
    lam = R**2 / (R**2 + prior**2)
    expected = (1 - lam) * np.array([0.5, 0.5]) + lam * inverse / inverse.sum()
    got = f._global.weights(H)
    assert got.shape == (1, len(MEMBERS))
    np.testing.assert_allclose(got[0], [*expected, 0.0], rtol=1e-9)
    np.testing.assert_allclose(in_sample_weights(f._global, H), got, rtol=1e-12)


def test_none_keeps_the_fixed_weights_and_a_large_prior_approaches_them():
    rng = np.random.default_rng(6)
    y = pd.Series(50 + np.cumsum(0.3 + rng.normal(size=40)))
    fixed = drift_forecaster(y, None, damped_trend_weight=0.25)._global
    np.testing.assert_allclose(fixed.weights(H)[0], [0.375, 0.375, 0.25])
    np.testing.assert_allclose(fixed_weights(fixed), [0.375, 0.375, 0.25])
    large = drift_forecaster(y, 1e6, damped_trend_weight=0.25)._global.weights(H)[0]
    np.testing.assert_allclose(large, [0.375, 0.375, 0.25], atol=1e-6)
    free = drift_forecaster(y, 0.0, damped_trend_weight=0.25)._global.weights(H)[0]
    assert free.sum() == pytest.approx(1.0) and np.all(free > 0)
    assert not np.allclose(free, [0.375, 0.375, 0.25], atol=1e-3)


@pytest.mark.parametrize("sp", [1, 4])
def test_forecast_is_the_weighted_members_from_origin_n(sp):
    """The forecast after the series is the combination, with the series' own weights,
    of every member run from origin ``n`` (the in-sample machinery at ``o = n``)."""
    rng = np.random.default_rng(sp)
    n = 48
    y = pd.Series(20 + np.cumsum(0.2 + rng.normal(size=n)) + 2 * np.resize([1, -1, 2, -2], n))
    f = SpectralForecaster(sp=sp, log_transform=False).fit(y, fh=np.arange(1, 5))
    g = f._global
    _, members = g.origin_members(4)  # the in-sample origins, cached
    _, last = origin_members(g, 4, [[n]])
    weights = g.weights(4)
    z_path = combine_members(last, weights)[0]
    expected = f._panel.to_original(0, z_path)[:, 0]
    np.testing.assert_allclose(f.predict().to_numpy(), expected, rtol=1e-10)
    # The intervals' in-sample errors use the same per-series weights.
    z = f._panel.series()[0][0]
    origins, forecasts = g.origin_members(4)
    errors = final_in_sample_errors(g, 4)[0]
    for row, o in enumerate(origins[0]):
        k = min(4, n - o)
        combined = sum(weights[0, m] * forecasts[m, row] for m in range(3) if weights[0, m] > 0)
        np.testing.assert_allclose(errors[row, :k], z[o : o + k] - combined[:k], rtol=1e-9)
    if sp == 4:  # with a season: no damped-trend member
        assert weights[0, 2] == 0 and members.shape[0] == len(MEMBERS)


def test_with_exogenous_data_one_member_keeps_its_weight():
    rng = np.random.default_rng(9)
    X = pd.DataFrame({"x": rng.normal(size=60)})
    y = pd.Series(10 + np.cumsum(rng.normal(size=60)) + X["x"].to_numpy())
    f = SpectralForecaster(sp=1).fit(y, X=X, fh=[1, 2])
    np.testing.assert_allclose(f._global.weights(2), [[1.0, 0.0, 0.0]])


def test_negative_prior_is_refused():
    y = pd.Series(np.arange(30.0) + np.sin(np.arange(30)))
    with pytest.raises(ValueError, match="weight_prior_origins"):
        SpectralForecaster(weight_prior_origins=-1).fit(y, fh=[1])


@pytest.mark.parametrize("member_weight", ["theta_weight", "damped_trend_weight"])
def test_no_theta_or_damped_trend_with_exogenous_data(member_weight):
    """Both members ignore ``X``, so with ``X`` their weight changes nothing."""
    rng = np.random.default_rng(0)
    y = pd.Series(20 + 0.5 * np.arange(50) + np.cumsum(rng.normal(size=50)))
    X = pd.DataFrame({"x": np.sin(np.arange(53))})
    forecasts = [
        SpectralForecaster(sp=1, **{member_weight: w})
        .fit(y, X=X.iloc[:50], fh=[1, 2, 3])
        .predict(X=X.iloc[50:].set_index(pd.RangeIndex(50, 53)))
        .to_numpy()
        for w in (0.0, 0.5)
    ]
    np.testing.assert_array_equal(forecasts[0], forecasts[1])
