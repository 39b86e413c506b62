"""Tests of the diagonal SSM layers (S4-PTD conv, S5-PTD scan) and the parallel scan."""

import numpy as np
import pytest
import scipy.linalg
import torch

from sksssm.nn import SequenceModel, ssm_parameter_names
from sksssm.nn.diagonal import DiagonalSSMConv, DiagonalSSMScan, _conjugate_half
from sksssm.nn.scan import associative_scan_linear, sequential_scan_linear
from sksssm.ssm import block_diagonal_ptd, hippo_legs, perturb_then_diagonalize

INITS = ["ptd", "s4d-legs", "s4d-lin", "s4d-inv"]
FAST_PTD = {"method": "random"}
SSM_NAMES = {"ssm_log_lambda_real", "ssm_lambda_imag", "ssm_B", "ssm_log_dt"}


def _ptd_options(init):
    """FAST_PTD for the PTD initialisation; the layers refuse ptd_kwargs with the others."""
    return FAST_PTD if init == "ptd" else None


def _random_input(batch, length, channels, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch, length, channels, generator=generator, dtype=torch.float64)


def _layer_system(layer):
    """Continuous eigenvalues, B, C, D and dt of a layer, as numpy (complex128)."""
    with torch.no_grad():
        lam = (-torch.exp(layer.ssm_log_lambda_real) + 1j * layer.ssm_lambda_imag).numpy()
        B = torch.view_as_complex(layer.ssm_B.contiguous()).numpy()
        C = torch.view_as_complex(layer.C.contiguous()).numpy()
        return lam, B, C, layer.D.numpy(), torch.exp(layer.ssm_log_dt).numpy()


def _discretize_by_hand(lam, B, dt, method):
    """ZOH / bilinear written out independently of sksssm.ssm.discretize."""
    if method == "zoh":
        lam_bar = np.exp(lam * dt)
        return lam_bar, (lam_bar - 1) / lam * B
    return (1 + lam * dt / 2) / (1 - lam * dt / 2), dt / (1 - lam * dt / 2) * B


# --- associative scan ------------------------------------------------------------------
@pytest.mark.parametrize("length", [1, 2, 5, 16, 37])
@pytest.mark.parametrize("time_varying", [False, True])
def test_associative_scan_matches_sequential_loop(length, time_varying):
    gen = torch.Generator().manual_seed(length)
    shape = (3, length, 4)
    bu = torch.randn(*shape, dtype=torch.complex128, generator=gen)
    lam_shape = shape if time_varying else (4,)
    lam = 0.95 * torch.exp(2j * np.pi * torch.rand(lam_shape, dtype=torch.float64, generator=gen))
    expected = sequential_scan_linear(lam, bu)
    torch.testing.assert_close(associative_scan_linear(lam, bu), expected, rtol=1e-12, atol=1e-12)


def test_time_varying_lambda_with_fewer_axes_than_the_input_is_time_varying():
    # lambda (L, P) broadcasts against bu (B, L, P) along time: it used to be taken as
    # time invariant and squared in the doubling steps (an error of order 1).
    gen = torch.Generator().manual_seed(0)
    lam = torch.rand(16, 3, dtype=torch.float64, generator=gen)
    bu = torch.randn(2, 16, 3, dtype=torch.float64, generator=gen)
    expected = sequential_scan_linear(lam.expand(2, -1, -1), bu)
    torch.testing.assert_close(associative_scan_linear(lam, bu), expected, rtol=1e-12, atol=1e-12)


def test_associative_scan_real_and_gradients_match_loop():
    gen = torch.Generator().manual_seed(1)
    lam = (0.5 + 0.4 * torch.rand(3, dtype=torch.float64, generator=gen)).requires_grad_()
    bu = torch.randn(2, 11, 3, dtype=torch.float64, generator=gen).requires_grad_()
    weights = torch.randn(2, 11, 3, dtype=torch.float64, generator=gen)
    grads = []
    for scan in (associative_scan_linear, sequential_scan_linear):
        (scan(lam, bu) * weights).sum().backward()
        grads.append((lam.grad.clone(), bu.grad.clone()))
        lam.grad, bu.grad = None, None
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-10, atol=1e-12)


def test_associative_scan_is_log_depth_not_a_loop_over_time():
    # A closed form for constant lambda and unit input: x_k = (1 - lam^(k+1)) / (1 - lam).
    lam = torch.tensor([0.9 + 0.1j], dtype=torch.complex128)
    k = torch.arange(1000, dtype=torch.float64)[:, None]
    expected = (1 - lam ** (k + 1)) / (1 - lam)
    out = associative_scan_linear(lam, torch.ones(1000, 1, dtype=torch.complex128))
    torch.testing.assert_close(out, expected, rtol=1e-10, atol=1e-10)


# --- S4-PTD convolution layer -----------------------------------------------------------
def _simulate_conv_layer(layer, u):
    """Loop over time on each channel's discretized diagonal system."""
    lam, B, C, D, dt = _layer_system(layer)
    lam_bar, B_bar = _discretize_by_hand(lam, B, dt[:, None], layer.discretization)
    u = u.numpy()
    x = np.zeros((u.shape[0],) + lam.shape, dtype=complex)
    y = np.empty_like(u)
    for k in range(u.shape[1]):
        x = lam_bar * x + B_bar * u[:, k, :, None]
        y[:, k] = 2 * np.real((C * x).sum(-1)) + D * u[:, k]
    return y


@pytest.mark.parametrize("discretization", ["zoh", "bilinear"])
@pytest.mark.parametrize("init", ["ptd", "s4d-inv"])
@pytest.mark.parametrize("length", [1, 9, 40])
def test_conv_layer_equals_state_space_simulation(discretization, init, length):
    layer = DiagonalSSMConv(
        3, 16, init=init, discretization=discretization, dt_min=0.01, dt_max=0.5,
        ptd_kwargs=_ptd_options(init), random_state=0, dtype=torch.float64,
    )  # fmt: skip
    u = _random_input(2, length, 3)
    y = layer(u)
    assert y.dtype == torch.float64
    # float64 FFT convolution against a float64 recursion: measured error ~6e-14 (issue
    # 14); 1e-11 leaves ~100x for other BLAS/FFT builds and still fails for any real bug.
    np.testing.assert_allclose(
        y.detach().numpy(), _simulate_conv_layer(layer, u), rtol=1e-11, atol=1e-11
    )


def test_conv_layer_ptd_modes_reproduce_the_perturbed_real_system():
    # Kept modes (one per pair, real modes with half weight) must give the kernel of the
    # real system (A + E, B_legs) with a real output vector c mapped to c V.
    A, B = hippo_legs(12)
    res = perturb_then_diagonalize(A, B, method="random")
    keep, weight = _conjugate_half(res.eigenvalues)
    c = np.random.default_rng(0).standard_normal(12)
    A_bar = scipy.linalg.expm(0.1 * (A + res.E))
    dense = [c @ np.linalg.matrix_power(A_bar, k) @ B for k in range(6)]
    lam_bar = np.exp(0.1 * res.eigenvalues[keep])
    half = [2 * np.real(((c @ res.V[:, keep]) * weight * res.B_tilde[keep] * lam_bar**k).sum())
            for k in range(6)]  # fmt: skip
    np.testing.assert_allclose(half, dense, rtol=1e-8, atol=1e-8)


# --- S5-PTD scan layer ------------------------------------------------------------------
def _simulate_scan_layer(layer, u):
    lam, B, C, D, dt = _layer_system(layer)
    lam_bar, B_bar = _discretize_by_hand(lam[:, None], B, dt[:, None], layer.discretization)
    u = u.numpy()
    x = np.zeros((u.shape[0], len(lam)), dtype=complex)
    y = np.empty_like(u)
    for k in range(u.shape[1]):
        x = lam_bar[:, 0] * x + u[:, k] @ B_bar.T
        y[:, k] = 2 * np.real(x @ C.T) + D * u[:, k]
    return y


@pytest.mark.parametrize("discretization", ["zoh", "bilinear"])
@pytest.mark.parametrize("init", ["ptd", "s4d-lin"])
@pytest.mark.parametrize("length", [1, 13, 50])
def test_scan_layer_equals_state_space_simulation(discretization, init, length):
    layer = DiagonalSSMScan(
        3, 8, n_blocks=2, init=init, discretization=discretization, dt_min=0.01, dt_max=0.5,
        ptd_kwargs=_ptd_options(init), random_state=1, dtype=torch.float64,
    )  # fmt: skip
    u = _random_input(2, length, 3, seed=1)
    y = layer(u)
    assert y.dtype == torch.float64
    np.testing.assert_allclose(y.detach().numpy(), _simulate_scan_layer(layer, u), atol=1e-8)


def _real_solution(matrix, rhs):
    """Real X with matrix @ X = rhs (complex), by least squares on real and imaginary parts."""
    stacked = np.vstack([matrix.real, matrix.imag])
    return np.linalg.lstsq(stacked, np.vstack([rhs.real, rhs.imag]), rcond=None)[0]


def test_scan_layer_ptd_init_is_the_real_block_diagonal_system():
    """With one dt for all modes, the layer is the ZOH of a real system (A + E, B, C)."""
    P, H, J, dt = 8, 3, 2, 0.05
    layer = DiagonalSSMScan(H, P, n_blocks=J, ptd_kwargs=FAST_PTD, random_state=2,
                            dtype=torch.float64)  # fmt: skip
    with torch.no_grad():
        layer.ssm_log_dt.fill_(np.log(dt))
    res = block_diagonal_ptd(P, J, **FAST_PTD)
    _, B_tilde, C_tilde, D, _ = _layer_system(layer)
    A = (res.V * res.eigenvalues) @ res.V_inv
    assert np.abs(A.imag).max() < 1e-10
    A = A.real
    # The real B and C the layer was built from, recovered from the kept modes.
    keep, weight = _conjugate_half(res.eigenvalues)
    rows = weight[:, None] * res.V_inv[keep]
    B_real = _real_solution(rows, B_tilde)
    cols = res.V[:, keep]
    C_real = _real_solution(cols.T, C_tilde.T).T
    np.testing.assert_allclose(rows @ B_real, B_tilde, atol=1e-10)
    np.testing.assert_allclose(C_real @ cols, C_tilde, atol=1e-10)
    A_bar = scipy.linalg.expm(A * dt)
    B_bar = np.linalg.solve(A, (A_bar - np.eye(P)) @ B_real)
    u = _random_input(2, 20, H, seed=3)
    x = np.zeros((2, P))
    expected = np.empty(u.shape)
    for k in range(u.shape[1]):
        x = x @ A_bar.T + u[:, k].numpy() @ B_bar.T
        expected[:, k] = x @ C_real.T + D * u[:, k].numpy()
    np.testing.assert_allclose(layer(u).detach().numpy(), expected, atol=1e-8)


# --- properties shared by both layers -------------------------------------------------------
def _build(kind, init="ptd", **kwargs):
    cls = DiagonalSSMConv if kind == "conv" else DiagonalSSMScan
    return cls(4, 8, init=init, ptd_kwargs=_ptd_options(init), random_state=0, **kwargs)


@pytest.mark.parametrize("kind", ["conv", "scan"])
def test_layers_are_causal(kind):
    layer = _build(kind, dtype=torch.float64)
    u = _random_input(1, 30, 4)
    v = u.clone()
    v[:, 17:] += 10.0 * _random_input(1, 13, 4, seed=5)
    y_u, y_v = layer(u), layer(v)
    torch.testing.assert_close(y_u[:, :17], y_v[:, :17], rtol=0, atol=1e-12)
    assert (y_u[:, 17:] - y_v[:, 17:]).abs().max() > 1e-3


@pytest.mark.parametrize("kind", ["conv", "scan"])
@pytest.mark.parametrize("init", INITS)
def test_init_variants_build_and_run(kind, init):
    layer = _build(kind, init=init)
    eigenvalues = layer.eigenvalues()
    assert (eigenvalues.real < 0).all()
    assert layer.n_modes >= 4 and layer.ssm_lambda_imag.shape[-1] == layer.n_modes
    y = layer(torch.randn(2, 10, 4))
    assert y.shape == (2, 10, 4) and y.dtype == torch.float32 and torch.isfinite(y).all()


@pytest.mark.parametrize("kind", ["conv", "scan"])
def test_ssm_prefixed_parameters_are_exactly_the_ssm_ones(kind):
    layer = _build(kind)
    assert set(ssm_parameter_names(layer)) == SSM_NAMES
    assert {name for name, _ in layer.named_parameters()} == SSM_NAMES | {"C", "D"}
    # Every parameter is trained: gradients reach all of them.
    layer(torch.randn(2, 12, 4)).square().sum().backward()
    for name, param in layer.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


@pytest.mark.parametrize("kind", ["conv", "scan"])
def test_layers_follow_input_length(kind):
    layer = _build(kind, dtype=torch.float64)
    long = _random_input(1, 64, 4)
    # A prefix gives the prefix of the output: any length, same system.
    torch.testing.assert_close(layer(long[:, :23]), layer(long)[:, :23], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kind", ["conv", "scan"])
def test_training_in_sequence_model_reduces_loss(kind):
    torch.manual_seed(0)
    cls = DiagonalSSMConv if kind == "conv" else DiagonalSSMScan
    model = SequenceModel(
        1, 1, lambda d: cls(d, 8, ptd_kwargs=FAST_PTD, random_state=0),
        d_model=8, n_layers=1, pooling=None,
    )  # fmt: skip
    u = torch.randn(16, 48, 1)
    target = torch.cumsum(u, dim=1) / 7.0  # a long-memory (integrating) causal system
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(u), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize(
    "kwargs",
    [{"state_dim": 7}, {"init": "hippo"}, {"discretization": "euler"}, {"dt_min": 0.0}],
)
def test_invalid_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        DiagonalSSMConv(4, **{"state_dim": 8, **kwargs})


@pytest.mark.parametrize("kind", ["conv", "scan"])
def test_step_sizes_must_be_finite(kind):
    # dt_max=inf used to give log dt = inf and a NaN output (the estimators refuse it).
    cls = DiagonalSSMConv if kind == "conv" else DiagonalSSMScan
    for dt_min, dt_max in [(1e-3, float("inf")), (float("inf"), float("inf"))]:
        with pytest.raises(ValueError, match="need 0 < dt_min <= dt_max < inf"):
            cls(4, 8, init="s4d-lin", dt_min=dt_min, dt_max=dt_max)


@pytest.mark.parametrize("kind", ["conv", "scan"])
def test_dtype_must_be_float32_or_float64(kind):
    cls = DiagonalSSMConv if kind == "conv" else DiagonalSSMScan
    for dtype in (torch.float16, torch.bfloat16, torch.complex64, torch.int64):
        with pytest.raises(ValueError, match="dtype must be torch.float32 or torch.float64"):
            cls(4, 8, init="s4d-lin", dtype=dtype)
    for dtype, expected in [(None, torch.get_default_dtype()), (torch.float64, torch.float64)]:
        layer = cls(4, 8, init="s4d-lin", dtype=dtype)
        assert {param.dtype for param in layer.parameters()} == {expected}


@pytest.mark.parametrize("kind", ["conv", "scan"])
@pytest.mark.parametrize("init", ["s4d-legs", "s4d-lin", "s4d-inv"])
def test_ptd_kwargs_only_with_the_ptd_init(kind, init):
    cls = DiagonalSSMConv if kind == "conv" else DiagonalSSMScan
    with pytest.raises(ValueError, match=f"ptd_kwargs only applies to init='ptd'.*'{init}'"):
        cls(4, 8, init=init, ptd_kwargs=FAST_PTD)
    assert cls(4, 8, init=init, ptd_kwargs=None).init == init


def test_scan_blocks_must_split_state_evenly():
    with pytest.raises(ValueError, match="n_blocks"):
        DiagonalSSMScan(4, 8, n_blocks=3)
    with pytest.raises(ValueError, match="expected input"):
        DiagonalSSMScan(4, 8, init="s4d-lin")(torch.randn(2, 5, 3))


def test_conv_layer_impulse_response_from_the_shared_kernel_base():
    # KernelConvLayer.impulse_response (kernel + D at lag 0) against the state-space
    # recursion driven by a unit impulse in every channel (float64: round-off ~1e-14).
    from sksssm.nn import KernelConvLayer

    layer = DiagonalSSMConv(
        3, 8, init="s4d-lin", dt_min=0.05, dt_max=0.5, random_state=0, dtype=torch.float64
    )
    assert isinstance(layer, KernelConvLayer)
    assert set(layer.ssm_parameter_names()) == {
        "ssm_log_lambda_real", "ssm_lambda_imag", "ssm_B", "ssm_log_dt"
    }  # fmt: skip
    impulse = torch.zeros(1, 12, 3, dtype=torch.float64)
    impulse[0, 0, :] = 1.0
    expected = _simulate_conv_layer(layer, impulse)[0].T
    np.testing.assert_allclose(layer.impulse_response(12), expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("length", [1, 2, 7, 64, 1000])
def test_blocked_vandermonde_kernel_equals_the_direct_product(length):
    # The blockwise kernel (l = j + P k, two real GEMMs) against sksssm.ssm's direct
    # Vandermonde product, float64: both are one exp per power, so they agree to
    # round-off (measured ~1e-15 relative to the kernel's scale).
    from sksssm.nn.diagonal import blocked_vandermonde_kernel
    from sksssm.ssm import vandermonde_kernel

    rng = np.random.default_rng(length)
    lam = torch.tensor(-np.exp(rng.normal(size=(3, 5))) + 1j * rng.normal(size=(3, 5)) * 10)
    log_lam = lam * 0.05
    w = torch.tensor(rng.normal(size=(3, 5)) + 1j * rng.normal(size=(3, 5)))
    expected = vandermonde_kernel(
        torch.exp(log_lam), w, torch.ones_like(w), length, log_lambda_bar=log_lam
    )
    got = blocked_vandermonde_kernel(w, log_lam, length)
    scale = float(expected.abs().max())
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12 * scale)


def test_blocked_kernel_gradients_finite_for_strongly_damped_modes():
    # Re(lambda dt) = -100 underflows every power beyond lag 0 in float32; the gradient
    # must stay finite (exp of an exact exponent, no log of an underflowed value).
    from sksssm.nn.diagonal import blocked_vandermonde_kernel

    z = torch.tensor([[-100.0 + 0.3j, -0.01 + 0.1j]], dtype=torch.complex64, requires_grad=True)
    w = torch.ones(1, 2, dtype=torch.complex64)
    blocked_vandermonde_kernel(w, z, 50).sum().backward()
    assert torch.isfinite(torch.view_as_real(z.grad)).all()


def test_ptd_modes_are_cached_and_returned_as_fresh_copies():
    from sksssm.nn.diagonal import _cached_ptd_modes, _ptd_modes

    options = {"method": "random", "max_norm": 3e-3}
    first, B_first = _ptd_modes(16, options)
    expected, B_expected = first.copy(), B_first.copy()
    first[:] = 0.0  # a caller that modifies its arrays must not change later layers
    B_first[:] = 0.0
    again, B_again = _ptd_modes(16, options)
    np.testing.assert_array_equal(again, expected)
    np.testing.assert_array_equal(B_again, B_expected)
    # The cached result is the uncached computation.
    fresh, B_fresh = _cached_ptd_modes.__wrapped__(16, tuple(sorted(options.items())))
    np.testing.assert_array_equal(fresh, expected)
    np.testing.assert_array_equal(B_fresh, B_expected)
