"""Tests of the HOPE layer."""

import numpy as np
import pytest
import torch

from sksssm.nn import SequenceModel, ssm_parameter_names
from sksssm.nn.hope import HOPELayer
from sksssm.ssm import hope_kernel


def _random_input(batch, length, channels, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch, length, channels, generator=generator, dtype=torch.float64)


def _layer_numpy(layer):
    with torch.no_grad():
        h = torch.view_as_complex(layer.ssm_h.contiguous()).numpy()
        return h, torch.exp(layer.ssm_log_dt).numpy(), layer.D.numpy()


@pytest.mark.parametrize("length", [1, 10, 57])
def test_output_equals_direct_convolution_with_hope_kernel(length):
    layer = HOPELayer(3, 8, random_state=0, dtype=torch.float64)
    h, dt, D = _layer_numpy(layer)
    kernel = hope_kernel(h, dt, length)  # numpy path of the maths module
    u = _random_input(2, length, 3)
    y = layer(u)
    assert y.dtype == torch.float64
    u = u.numpy()
    expected = np.empty_like(u)
    for b in range(2):
        for c in range(3):
            expected[b, :, c] = np.convolve(u[b, :, c], kernel[c])[:length] + D[c] * u[b, :, c]
    np.testing.assert_allclose(y.detach().numpy(), expected, atol=1e-10)


def test_layer_is_causal():
    layer = HOPELayer(2, 16, dt_min=0.01, dt_max=0.5, random_state=1, dtype=torch.float64)
    u = _random_input(1, 40, 2)
    v = u.clone()
    v[:, 25:] += 5.0
    y_u, y_v = layer(u), layer(v)
    torch.testing.assert_close(y_u[:, :25], y_v[:, :25], rtol=0, atol=1e-12)
    assert (y_u[:, 25:] - y_v[:, 25:]).abs().max() > 1e-3


def test_at_unit_step_the_impulse_response_is_h_with_memory_n():
    n, length = 6, 15
    layer = HOPELayer(3, n, random_state=2, dtype=torch.float64)
    with torch.no_grad():
        layer.ssm_log_dt.zero_()  # dt = 1
    h, _, D = _layer_numpy(layer)
    response = layer.impulse_response(length)
    expected = np.zeros((3, length))
    expected[:, 0] = D
    expected[:, 1 : n + 1] = h.real  # G(z) = sum_j h_j z^{-j}: h_j at lag j, FIR of memory n
    np.testing.assert_allclose(response, expected, atol=1e-12)
    # ... and it is what the layer outputs for a unit impulse.
    impulse = torch.zeros(1, length, 3, dtype=torch.float64)
    impulse[:, 0] = 1.0
    np.testing.assert_allclose(layer(impulse)[0].detach().numpy().T, response, atol=1e-12)


def test_hankel_singular_values_match_dense_svd():
    layer = HOPELayer(2, 7, random_state=3)
    h, _, _ = _layer_numpy(layer)
    sigma = layer.hankel_singular_values()
    assert sigma.shape == (2, 7)
    for c in range(2):
        hankel = np.zeros((7, 7), dtype=complex)
        for i in range(7):
            for j in range(7 - i):
                hankel[i, j] = h[c, i + j]
        np.testing.assert_allclose(sigma[c], np.linalg.svd(hankel, compute_uv=False), rtol=1e-5)


@pytest.mark.parametrize("train_dt", [False, True])
def test_train_dt_toggles_the_step_size_gradient(train_dt):
    layer = HOPELayer(4, 8, train_dt=train_dt, random_state=4)
    parameter_names = {name for name, _ in layer.named_parameters()}
    assert "ssm_log_dt" in layer.state_dict()
    assert ("ssm_log_dt" in parameter_names) is train_dt
    assert set(ssm_parameter_names(layer)) == ({"ssm_h", "ssm_log_dt"} if train_dt else {"ssm_h"})
    layer(torch.randn(2, 20, 4)).square().sum().backward()
    assert layer.ssm_h.grad is not None and layer.D.grad is not None
    if train_dt:
        assert layer.ssm_log_dt.grad is not None and layer.ssm_log_dt.grad.abs().sum() > 0
    else:
        assert not layer.ssm_log_dt.requires_grad


def test_step_sizes_are_log_uniform_in_range():
    layer = HOPELayer(200, 4, dt_min=1e-3, dt_max=1e-1, random_state=5)
    dt = torch.exp(layer.ssm_log_dt).numpy()
    assert dt.min() >= 1e-3 * (1 - 1e-6) and dt.max() <= 1e-1 * (1 + 1e-6)
    # log-uniform: log10(dt) has mean -2 (standard error ~0.04 for 200 draws).
    assert abs(np.log10(dt).mean() + 2.0) < 0.2


def test_variable_lengths_and_dtypes():
    # A prefix of the input gives the prefix of the output, in float64 to round-off.
    layer = HOPELayer(3, 8, dt_min=0.5, dt_max=1.0, oversampling=4, random_state=6)
    assert layer(torch.randn(2, 5, 3)).dtype == torch.float32
    long = _random_input(1, 50, 3)
    layer = layer.double()
    assert layer(long).dtype == torch.float64
    torch.testing.assert_close(layer(long[:, :17]), layer(long)[:, :17], rtol=1e-8, atol=1e-8)


def test_output_at_t_does_not_depend_on_the_sequence_length():
    # Slow responses (dt down to 1e-3, memory ~n/dt >> L) used to alias into short kernels.
    layer = HOPELayer(3, 16, dt_min=1e-3, dt_max=1e-2, random_state=7, dtype=torch.float64)
    u = _random_input(2, 400, 3)
    y_long = layer(u)
    for length in (9, 64):
        torch.testing.assert_close(layer(u[:, :length]), y_long[:, :length], rtol=0, atol=1e-8)


def test_training_in_sequence_model_reduces_loss():
    torch.manual_seed(0)
    # dt in [0.1, 1]: memory of tens of steps, as a 5-step delay on L = 48 needs (with the
    # default dt >= 1e-3 most channels respond over thousands of steps, nearly flat here).
    model = SequenceModel(
        1,
        1,
        lambda d: HOPELayer(d, 16, dt_min=0.1, dt_max=1.0, random_state=0),
        d_model=8,
        n_layers=1,
        pooling=None,
    )
    u = torch.randn(8, 48, 1)
    target = torch.nn.functional.pad(u, (0, 0, 5, 0))[:, :48]  # a 5-step delay
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(u), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="state_dim"):
        HOPELayer(4, 0)
    with pytest.raises(ValueError, match="oversampling"):
        HOPELayer(4, 8, oversampling=1)
    with pytest.raises(ValueError, match="dt_min"):
        HOPELayer(4, 8, dt_min=0.5, dt_max=0.1)
    with pytest.raises(ValueError, match="expected input"):
        HOPELayer(4, 8)(torch.randn(2, 5, 3))


def test_step_sizes_must_be_finite():
    # dt_max=inf used to give log dt = inf and a NaN output (HOPERegressor refuses it).
    with pytest.raises(ValueError, match="need 0 < dt_min <= dt_max < inf"):
        HOPELayer(4, 8, dt_max=float("inf"))


def test_dtype_must_be_float32_or_float64():
    for dtype in (torch.float16, torch.bfloat16, torch.complex64):
        with pytest.raises(ValueError, match="dtype must be torch.float32 or torch.float64"):
            HOPELayer(4, 8, dtype=dtype)
    assert HOPELayer(4, 8, dtype=torch.float64).ssm_h.dtype == torch.float64
    assert HOPELayer(4, 8).ssm_h.dtype == torch.get_default_dtype()


def test_train_dt_must_be_a_boolean():
    # scikit-learn's "boolean" rule, as HOPERegressor's train_dt: bool or numpy bool.
    for value in ("no", 0):
        with pytest.raises(ValueError, match="'train_dt' parameter of HOPELayer"):
            HOPELayer(4, 8, train_dt=value)
    assert HOPELayer(4, 8, train_dt=np.True_).train_dt is True
