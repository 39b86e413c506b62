"""STURegressor / STUClassifier: the stacked STU network on the deep base (issue 12)."""

import warnings

import numpy as np
import pytest
import torch

from sksssm import STUClassifier, STURegressor
from sksssm.datasets import make_stu_system, relative_mse, simulate_linear_system
from sksssm.exceptions import SpectralFilterWarning
from sksssm.nn import STULayer, STUSkip
from sksssm.spectral import stu_features, stu_filters

TINY = dict(n_filters=4, d_model=8, n_layers=1, max_epochs=3, batch_size=16, random_state=0)


def test_layers_use_unit_norm_filters_spanning_the_papers_features():
    # The stacked layers use phi_k (unit norm) instead of phi_k sigma_k^(1/4): the same
    # span, scales within round-off of 1 (float32 buffer: ~1e-7).
    layer = STULayer(2, 64, 8, filter_scaling="unit")
    norms = layer.filters.norm(dim=0)
    torch.testing.assert_close(norms, torch.ones_like(norms), rtol=1e-5, atol=0)
    paper = stu_filters(64, 8, "Z")
    ratio = paper / layer.filters.double().numpy()
    np.testing.assert_allclose(ratio, ratio[:1].repeat(64, 0), rtol=1e-4)


def test_skip_path_is_the_one_layer_stu_with_a_constant_channel():
    # STUSkip(x) with mixing weights W equals the closed-form feature map
    # (sksssm.spectral.stu_features, computed independently in float64 numpy) of [x, 1]
    # times W: same filters, branches and lags.
    rng = np.random.default_rng(0)
    skip = STUSkip(2, 1, filter_length=32, n_filters=4, input_lags=2, dtype=torch.float64)
    with torch.no_grad():
        for weight in (skip.stu.m_pos, skip.stu.m_neg, skip.stu.m_lags):
            weight.copy_(torch.from_numpy(rng.normal(size=weight.shape)))
    x = rng.normal(size=(3, 32, 2))
    out = skip(torch.from_numpy(x)).detach().numpy()[..., 0]
    u = np.concatenate([x, np.ones((3, 32, 1))], axis=2)
    features = stu_features(u, skip.stu.filters.numpy(), input_lags=2, use_negative=True)
    K = 4
    w = torch.cat([skip.stu.m_pos, skip.stu.m_neg], 0)[:, 0, :].detach().numpy()  # (2K, C)
    lags = skip.stu.m_lags[:, 0, :].detach().numpy()  # (lags, C)
    # stu_features layout: positive block (index c * K + k), negative block, then lags
    # (c * input_lags + j).
    coef = np.concatenate([w[:K].T.ravel(), w[K:].T.ravel(), lags.T.ravel()])
    assert features.shape[-1] == 3 * (2 * K + 2)
    np.testing.assert_allclose(out, features @ coef, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("estimator", [STURegressor(**TINY), STUClassifier(**TINY)])
def test_defaults_resolved_at_fit(estimator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2, 16))
    y = (X[:, 0, -3:].sum(axis=1) > 0).astype(int)
    estimator.fit(X, y)
    assert estimator.bidirectional_ is True  # sequence-to-one: bidirectional
    assert estimator.n_filters_ == 4 and estimator.filters_.shape == (16, 4)
    assert estimator.max_epochs_ == 3 and estimator.early_stopping_ is False
    assert estimator.net_.module_.skip is not None


def test_sequence_outputs_are_causal_by_default():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(8, 1, 20))
    reg = STURegressor(return_sequences=True, **TINY).fit(X, np.cumsum(X, axis=2))
    assert reg.bidirectional_ is False
    X2 = X.copy()
    X2[:, :, 12:] += 5.0
    np.testing.assert_allclose(reg.predict(X2)[:, :, :12], reg.predict(X)[:, :, :12], atol=1e-10)


def test_set_params_after_fit_changes_nothing_until_refit():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(16, 20))
    reg = STURegressor(**TINY).fit(X, X[:, -1])
    before = reg.predict(X)
    reg.set_params(return_sequences=True, n_filters=8, bidirectional=False)
    np.testing.assert_array_equal(reg.predict(X), before)


@pytest.mark.slow  # ~4 s CPU, over 10 s wall on a loaded 2-core machine
def test_classifier_learns_a_long_memory_task():
    # The label is the sign of the first sample; 64 steps of noise follow. A causal
    # model must carry it over the whole sequence; the bidirectional default sees it.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(192, 64)) * 0.3
    y = np.where(rng.random(192) > 0.5, "pos", "neg")
    X[:, 0] = np.where(y == "pos", 2.0, -2.0)
    clf = STUClassifier(n_filters=8, d_model=16, n_layers=1, max_epochs=60, random_state=0)
    clf.fit(X[:128], y[:128])
    # A perfect rule exists (the sign of X[:, 0]); chance is 0.5.
    assert clf.score(X[128:], y[128:]) >= 0.9


@pytest.mark.slow
def test_defaults_fit_the_stu_papers_system():
    # Issue 12: STURegressor(return_sequences=True) with defaults reaches relative MSE
    # <= 1e-3 on the STU paper's system (measured 1.8e-4 on new input sequences). Its
    # time is measured by the benchmark (`python -m benchmarks.sysid`), not here: a CPU
    # time bound failed on a slower machine (113 CPU s on an Intel Xeon against 90).
    data = make_stu_system(random_state=0)
    X_new = np.random.default_rng(1).normal(size=(8, 3, 1024))
    y_new = simulate_linear_system(data.A, data.B, data.C, data.D, X_new)
    reg = STURegressor(return_sequences=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        reg.fit(data.X, data.y)
    assert relative_mse(y_new, reg.predict(X_new)) <= 1e-3


@pytest.mark.slow
def test_lr_3e_2_fits_the_seed_the_defaults_miss():
    # Issue 23: with the defaults (lr=1e-2) seed 3 of `python -m benchmarks.sysid
    # --stu-seeds` ends at 2.1e-3; the documented setting lr=3e-2 reached 1.2e-4 there
    # (5 of 5 seeds at or below 1e-3). Same data and split as the benchmark.
    data = make_stu_system(40, 1024, random_state=3)
    reg = STURegressor(return_sequences=True, lr=3e-2, device="cpu", random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        reg.fit(data.X[:32], data.y_clean[:32])
    assert relative_mse(data.y_clean[32:], reg.predict(data.X[32:])) <= 1e-3


def test_warm_start_on_sequences_of_another_length_keeps_the_filters():
    # 3D X may change length between fits; a warm start continues the network built for
    # the first length (its filter buffers), instead of failing to load its weights.
    rng = np.random.default_rng(4)
    reg = STURegressor(warm_start=True, **TINY).fit(rng.normal(size=(16, 1, 20)), np.ones(16))
    reg.fit(rng.normal(size=(16, 1, 30)), np.ones(16))
    assert reg.n_timesteps_ == 20 and reg.n_epochs_ == 2 * TINY["max_epochs"]
    assert reg.net_.module_.skip.stu.filters.shape[0] == 20
