"""Tests of the STU layer (sksssm.nn.stu) against the numpy STU feature map."""

import copy
import io
import pickle

import numpy as np
import pytest
import torch

from sksssm.exceptions import SpectralFilterWarning
from sksssm.nn import SequenceModel, STULayer, STUSkip, ssm_parameter_names
from sksssm.spectral import stu_features, stu_filters

D_MODEL, FILTER_LENGTH, N_FILTERS = 3, 40, 6


def make_layer(dtype=torch.float64, seed=0, **kwargs):
    torch.manual_seed(seed)
    kwargs = {"init": "normal", "dtype": dtype, **kwargs}
    return STULayer(D_MODEL, FILTER_LENGTH, N_FILTERS, **kwargs)


def effective_matrices(layer):
    """Full mixing matrices (K, O, C) per branch, including the tensordot restriction."""
    if not layer.use_tensordot:
        branches = [layer.m_pos, layer.m_neg] if layer.use_negative else [layer.m_pos]
        return [m.detach().numpy() for m in branches]
    proj = layer.input_proj.detach().numpy()
    combos = [layer.w_pos, layer.w_neg] if layer.use_negative else [layer.w_pos]
    # M_k = diag(W[k]) P, the documented tensordot restriction.
    return [w.detach().numpy()[:, :, None] * proj[None] for w in combos]


def numpy_reference(layer, u):
    """Independent computation: stu_features (numpy) times the stacked mixing matrices."""
    filters = stu_filters(layer.filter_length, N_FILTERS, layer.hankel)
    features = stu_features(
        u, filters, input_lags=layer.input_lags, use_negative=layer.use_negative
    )
    # stu_features orders each block by c * K + k (c * input_lags + j for the lags).
    blocks = [m.transpose(2, 0, 1).reshape(-1, D_MODEL) for m in effective_matrices(layer)]
    blocks.append(layer.m_lags.detach().numpy().transpose(2, 0, 1).reshape(-1, D_MODEL))
    return features @ np.concatenate(blocks, axis=0)


@pytest.mark.parametrize("use_tensordot", [False, True])
@pytest.mark.parametrize(("use_negative", "input_lags"), [(True, 3), (False, 0), (True, 1)])
@pytest.mark.parametrize("n_steps", [FILTER_LENGTH, 25, 70])
def test_layer_matches_numpy_stu_features(use_tensordot, use_negative, input_lags, n_steps):
    layer = make_layer(
        use_tensordot=use_tensordot, use_negative=use_negative, input_lags=input_lags
    )
    u = np.random.default_rng(1).standard_normal((2, n_steps, D_MODEL))
    out = layer(torch.from_numpy(u)).detach().numpy()
    expected = numpy_reference(layer, u)
    assert out.shape == (2, n_steps, D_MODEL)
    assert np.max(np.abs(out - expected)) < 1e-10 * np.max(np.abs(expected))


def test_float32_layer_matches_numpy_to_float32_precision():
    layer = make_layer(dtype=torch.float32)
    u = np.random.default_rng(2).standard_normal((2, FILTER_LENGTH, D_MODEL))
    out = layer(torch.from_numpy(u).float())
    assert out.dtype == torch.float32
    expected = numpy_reference(layer, u)
    assert np.max(np.abs(out.detach().numpy() - expected)) < 1e-5 * np.max(np.abs(expected))


@pytest.mark.parametrize("use_tensordot", [False, True])
def test_layer_is_causal(use_tensordot):
    layer = make_layer(use_tensordot=use_tensordot)
    u = torch.randn(2, 50, D_MODEL, dtype=torch.float64)
    perturbed = u.clone()
    perturbed[:, 30:] += torch.randn(2, 20, D_MODEL, dtype=torch.float64)
    before, after = layer(u), layer(perturbed)
    assert torch.allclose(before[:, :30], after[:, :30], atol=1e-12)
    assert not torch.allclose(before[:, 30:], after[:, 30:])


def test_features_are_of_the_past_only_lags_see_the_present():
    layer = make_layer(input_lags=0)
    u = torch.zeros(1, 10, D_MODEL, dtype=torch.float64)
    u[0, 4] = 1.0
    out = layer(u)
    assert out[0, :5].abs().max() < 1e-14  # an impulse at t=4 reaches the output at t=5
    assert out[0, 5].abs().max() > 1e-6


def test_shorter_input_equals_prefix_of_longer_input():
    layer = make_layer()
    u = torch.randn(2, 60, D_MODEL, dtype=torch.float64)
    assert torch.allclose(layer(u[:, :17]), layer(u)[:, :17], atol=1e-12)


def test_zero_init_is_the_zero_map_and_tensordot_shapes():
    layer = STULayer(4, 32, 5, init="zeros")
    assert layer(torch.randn(3, 32, 4)).abs().max() == 0
    assert layer.m_pos.shape == layer.m_neg.shape == (5, 4, 4)
    assert layer.m_lags.shape == (3, 4, 4)
    tensordot = STULayer(4, 32, 5, use_tensordot=True, use_negative=False)
    assert tensordot.w_pos.shape == (5, 4) and tensordot.w_neg is None
    assert tensordot.input_proj.shape == (4, 4)
    assert tensordot(torch.randn(3, 20, 4)).shape == (3, 20, 4)
    assert ssm_parameter_names(layer) == []


def test_n_filters_is_capped_with_a_warning():
    with pytest.warns(SpectralFilterWarning) as caught:
        layer = STULayer(2, 8, 24)
    assert layer.filters.shape[0] == 8 and layer.filters.shape[1] < 24
    assert layer.m_pos.shape[0] == layer.filters.shape[1]
    # attributed to the caller's line, not to sksssm or a scikit-learn wrapper
    assert [record.filename for record in caught] == [__file__]


def test_estimator_warnings_name_the_callers_line():
    import numpy as np

    from sksssm import SpectralFilterRegressor

    X = np.random.default_rng(0).normal(size=(6, 1, 10))
    with pytest.warns(SpectralFilterWarning) as caught:
        SpectralFilterRegressor(return_sequences=True).fit(X, X)  # 24 filters, 10 steps
    assert {record.filename for record in caught} == {__file__}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"d_model": 0}, "d_model"),
        ({"filter_length": 0}, "filter_length"),
        ({"n_filters": 0}, "n_filters"),
        ({"input_lags": -1}, "input_lags"),
        ({"init": "ones"}, "init"),
        ({"hankel": "Q"}, "hankel"),
        ({"use_tensordot": "no"}, "'use_tensordot' parameter of STULayer"),
        ({"use_negative": "no"}, "'use_negative' parameter of STULayer"),
        ({"use_negative": 1}, "'use_negative' parameter of STULayer"),
    ],
)
def test_invalid_arguments(kwargs, match):
    args = {"d_model": 2, "filter_length": 16, "n_filters": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        STULayer(**args)


def test_reset_parameters_and_stu_skip_check_their_arguments():
    layer = make_layer()
    before = {name: p.detach().clone() for name, p in layer.named_parameters()}
    with pytest.raises(ValueError, match="init must be one of"):
        layer.reset_parameters("Zeros")
    for name, param in layer.named_parameters():
        assert torch.equal(param, before[name]), name  # untouched
    for d_input in (-1, 0):
        with pytest.raises(ValueError, match=f"d_input must be an integer >= 1; got {d_input}"):
            STUSkip(d_input, 2, 16)
    with pytest.raises(ValueError, match="d_output must be an integer >= 1; got 0"):
        STUSkip(2, 0, 16)
    # numpy booleans pass the flags' rule (scikit-learn's "boolean", as the estimators)
    assert STULayer(2, 8, 4, use_negative=np.False_).m_neg is None


def _sign_flipped_state(layer, k=0):
    """The state of the same model with eigenvector ``k`` negated (filter and weights)."""
    state = {name: value.clone() for name, value in layer.state_dict().items()}
    state["filters"][:, k] *= -1
    for name in ("w_pos", "w_neg") if layer.use_tensordot else ("m_pos", "m_neg"):
        state[name][k] *= -1
    return state


@pytest.mark.parametrize("use_tensordot", [False, True])
def test_load_state_dict_into_a_used_layer_uses_the_loaded_filters(use_tensordot):
    source = make_layer(use_tensordot=use_tensordot)
    u = torch.randn(2, 30, D_MODEL, dtype=torch.float64)
    expected = source(u)
    np.testing.assert_allclose(  # the source against the independent numpy reference
        expected.detach().numpy(), numpy_reference(source, u.numpy()), rtol=0, atol=1e-10
    )
    target = make_layer(use_tensordot=use_tensordot, seed=1)
    target(u)  # fills the spectrum cache with the filters before the load
    target.load_state_dict(_sign_flipped_state(source))
    assert torch.equal(target.filters[:, 0], -source.filters[:, 0])
    torch.testing.assert_close(target(u), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("use_tensordot", [False, True])
def test_training_after_an_inference_mode_pass(use_tensordot):
    # A validation pass under torch.inference_mode must not leave inference tensors in
    # the spectrum cache (they cannot be saved for backward).
    u = torch.randn(2, 16, D_MODEL, dtype=torch.float64)
    layer, fresh = make_layer(use_tensordot=use_tensordot), make_layer(use_tensordot=use_tensordot)
    with torch.inference_mode():
        torch.testing.assert_close(layer(u), fresh(u.clone()).detach(), rtol=0, atol=0)
    assert not layer._spectrum_cache
    layer(u).square().mean().backward()
    fresh(u).square().mean().backward()
    for (name, param), other in zip(layer.named_parameters(), fresh.parameters(), strict=True):
        torch.testing.assert_close(param.grad, other.grad, rtol=0, atol=0, msg=name)
    assert layer._spectrum_cache  # cached outside inference mode


@pytest.mark.parametrize("use_tensordot", [False, True])
@pytest.mark.parametrize(
    ("layer_dtype", "input_dtype"),
    [(torch.float32, torch.float64), (torch.float64, torch.float32)],
)
def test_input_of_another_dtype_is_computed_in_the_input_dtype(
    use_tensordot, layer_dtype, input_dtype
):
    layer = make_layer(dtype=layer_dtype, use_tensordot=use_tensordot)
    u = torch.randn(2, 30, D_MODEL, dtype=torch.float64)
    out = layer(u.to(input_dtype))
    assert out.dtype == input_dtype
    # The same as the layer converted to the input's dtype (weights and filters cast).
    converted = copy.deepcopy(layer).to(input_dtype)
    torch.testing.assert_close(out, converted(u.to(input_dtype)), rtol=0, atol=0)
    # Differentiable: the gradients reach the weights, in their own dtype.
    out.square().sum().backward()
    for name, param in layer.named_parameters():
        assert param.grad is not None and param.grad.dtype == layer_dtype, name
        assert param.grad.abs().sum() > 0, name


def test_state_dict_round_trip_keeps_the_filters():
    layer = make_layer()
    assert "filters" in layer.state_dict()
    buffer = io.BytesIO()
    torch.save(layer.state_dict(), buffer)
    other = make_layer(seed=1)
    buffer.seek(0)
    other.load_state_dict(torch.load(buffer))
    u = torch.randn(2, 30, D_MODEL, dtype=torch.float64)
    assert torch.equal(other(u), layer(u))


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
def test_deepcopy_and_pickle_drop_the_spectrum_cache(clone):
    layer = make_layer()
    u = torch.randn(2, 30, D_MODEL, dtype=torch.float64)
    expected = layer(u)
    assert layer._spectrum_cache  # filled by the call
    copied = clone(layer)
    assert copied._spectrum_cache == {}
    assert torch.equal(copied(u), expected)


def test_dtype_conversion_refreshes_the_cache():
    layer = make_layer(dtype=torch.float32)
    layer(torch.randn(1, 20, D_MODEL))
    layer.double()
    out = layer(torch.randn(1, 20, D_MODEL, dtype=torch.float64))
    assert out.dtype == torch.float64
    assert all(key[3] == torch.float64 for key in layer._spectrum_cache)


def test_tiny_training_loop_decreases_loss():
    # Identify a causal system (a damped oscillator) from input/output sequences.
    torch.manual_seed(0)
    u = torch.randn(8, 32, 1)
    y = torch.zeros_like(u)
    state = torch.zeros(8, 2)
    transition = torch.tensor([[0.9, -0.3], [0.3, 0.9]])
    for t in range(32):
        state = state @ transition.T + torch.cat([u[:, t], torch.zeros(8, 1)], dim=1)
        y[:, t] = state[:, :1]
    model = SequenceModel(1, 1, lambda d: STULayer(d, 32, 6), d_model=8, n_layers=1, pooling=None)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(25):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(u), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize(("dtype", "tolerance"), [(torch.float16, 2e-3), (torch.bfloat16, 1.6e-2)])
def test_half_precision_layer_matches_numpy_to_its_precision(dtype, tolerance):
    # The filters' spectrum is computed in float32 (torch has no bfloat16 FFT), like the
    # convolution's operands; the output keeps the layer's dtype. Tolerance: two units
    # of the dtype's machine epsilon (float16 1e-3, bfloat16 7.8e-3).
    layer = make_layer(dtype=torch.float32).to(dtype)
    u = torch.from_numpy(np.random.default_rng(3).standard_normal((2, FILTER_LENGTH, D_MODEL)))
    out = layer(u.to(dtype))
    assert out.dtype == dtype
    u_seen = u.to(dtype).double().numpy()  # the input and weights as rounded to dtype
    expected = numpy_reference(layer.double(), u_seen)
    error = np.max(np.abs(out.double().detach().numpy() - expected))
    assert error < tolerance * np.max(np.abs(expected))
