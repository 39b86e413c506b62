"""HOPE kernels (sksssm.ssm.hope) against an independent state-space simulation."""

import numpy as np
import pytest
import scipy.signal
import torch

from sksssm.ssm import hankel_singular_values, hope_kernel
from sksssm.ssm.hope import _relative_tail_bound, sampling_radius


def _shift_register(h):
    """Discrete realization of G(z) = sum_j h_j z^{-j}: x_{k+1} = S x_k + e_1 u_k, y = h x."""
    n = len(h)
    A = np.eye(n, k=-1)
    B = np.zeros((n, 1))
    B[0, 0] = 1.0
    return A, B, np.asarray(h)[None, :], np.zeros((1, 1))


def _to_continuous(A, B, C, D):
    """Realization of H(s) = G((1+s)/(1-s)) (inverse of the bilinear map z = (1+s)/(1-s))."""
    inv = np.linalg.inv(A + np.eye(len(A)))
    return inv @ (A - np.eye(len(A))), np.sqrt(2) * inv @ B, np.sqrt(2) * C @ inv, D - C @ inv @ B


def _impulse_response_by_simulation(h, dt, n_timesteps):
    A, B, C, D = _to_continuous(*_shift_register(h))
    # H(s / dt) = C (sI - dt A)^{-1} dt B + D: the time-rescaled continuous system.
    discrete = scipy.signal.cont2discrete((dt * A, dt * B, C, D), 2.0, method="bilinear")
    A_d, B_d, C_d, D_d = (np.asarray(m) for m in discrete[:4])
    x, response = np.zeros(len(h), dtype=complex), []
    for k in range(n_timesteps):
        u = 1.0 if k == 0 else 0.0
        response.append(C_d[0] @ x + D_d[0, 0] * u)
        x = A_d @ x + B_d[:, 0] * u
    return np.array(response)


def test_realization_helpers_are_consistent():
    h = np.array([1.0, -0.5, 0.25])
    A, B, C, D = _to_continuous(*_shift_register(h))
    s = 0.3j
    z = (1 + s) / (1 - s)
    G = sum(h_j * z ** -(j + 1) for j, h_j in enumerate(h))
    # A 3x3 solve: measured relative difference 1e-15.
    assert (C @ np.linalg.solve(s * np.eye(3) - A, B) + D)[0, 0] == pytest.approx(G, rel=1e-13)


@pytest.mark.parametrize("dt", [0.3, 0.7, 1.0, 2.5])
def test_kernel_is_the_impulse_response_of_the_rescaled_system(dt):
    rng = np.random.default_rng(0)
    h = rng.standard_normal(6) + 1j * rng.standard_normal(6)
    L = 300
    expected = _impulse_response_by_simulation(h, dt, L).real
    assert np.abs(expected[-20:]).max() < 1e-9  # decays within the window
    # The response decays within M = 2L samples, so R = 1 and the only error is FFT round-off,
    # a few eps ||h||_1 (measured 5.8e-16 to 9.4e-16; |kernel| <= 0.8 here).
    np.testing.assert_allclose(hope_kernel(h, dt, L), expected, rtol=0, atol=1e-13)


def _random_markov_parameters(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / np.sqrt(n)


def _relative_max_error(kernel, reference):
    return np.abs(np.asarray(kernel) - reference).max() / np.abs(reference).max()


@pytest.mark.parametrize("dt", [1e-3, 1e-2, 0.1, 1.0])
@pytest.mark.parametrize("length", [17, 128])
def test_short_kernel_is_not_aliased_by_a_slow_tail(dt, length):
    # With dt << 1 the response lasts ~n/dt >> 2L steps; sampling on the unit circle aliased
    # it (5-20% error at L = 17). Float64 reaches ~eps^(2/3) ~ 1e-10 (see hope_kernel).
    h = _random_markov_parameters(16, seed=5)
    reference = _impulse_response_by_simulation(h, dt, length).real  # exact, any length
    assert _relative_max_error(hope_kernel(h, dt, length), reference) < 1e-9
    h32 = torch.tensor(h, dtype=torch.complex64)
    kernel32 = hope_kernel(h32, torch.tensor(dt, dtype=torch.float32), length)
    assert kernel32.dtype == torch.float32
    # float64: measured 2e-15 (dt = 1) to 1.1e-10 (dt = 1e-3, L = 128), bound 1e-9.
    # float32: ~eps32^(2/3) ~ 2e-5 (measured 1.5e-6 to 1.3e-4), not 1e-2 as with aliasing.
    assert _relative_max_error(kernel32.numpy(), reference) < 3e-4


def test_short_kernel_is_a_prefix_of_the_long_kernel():
    h = _random_markov_parameters(32, seed=6)
    dt = np.array([1e-3, 3e-2, 0.5])
    long = hope_kernel(np.stack([h] * 3), dt, 4096)
    short = hope_kernel(np.stack([h] * 3), dt, 33)
    # Both kernels carry the eps^(2/3) error of the sampling radius (measured difference
    # 1.7e-11 of the maximum).
    np.testing.assert_allclose(short, long[:, :33], rtol=0, atol=1e-9 * np.abs(long).max())


@pytest.mark.parametrize("dt", [0.05, 0.2, 3.0])
def test_tail_bound_bounds_the_simulated_tail(dt):
    h = _random_markov_parameters(4, seed=7)
    n_samples = 64
    response = _impulse_response_by_simulation(h, dt, 1500).real
    tail = np.abs(response[n_samples:]).max() / np.abs(h).sum()
    log_bound = _relative_tail_bound(np.array(dt), len(h), n_samples)
    assert np.log(tail) <= log_bound <= 0.0
    # ... and it is not vacuous: measured slack e^4.7 (dt = 0.05, where the bound is the
    # trivial T = 1) to e^5.7; fail beyond e^8 (3000x).
    assert log_bound < np.log(tail) + 8


def test_sampling_radius_is_one_without_a_tail_and_grows_with_precision_loss():
    assert sampling_radius(1.0, 8, 64, 128) == 1.0  # FIR of memory 8 < M
    assert sampling_radius(0.9, 8, 1024, 2048) == 1.0  # decayed far below eps by M
    r64 = sampling_radius(1e-3, 8, 64, 128, dtype=np.float64)
    r32 = sampling_radius(1e-3, 8, 64, 128, dtype=torch.float32)
    # Worst case (T = 1): R^(M+L) = (M/L) / eps, the optimum of T R^-M + eps R^L.
    # exp(log(.) / 192) ** 192 round trip: measured relative difference 7e-15.
    assert r64 ** (128 + 64) == pytest.approx(2 / np.finfo(np.float64).eps, rel=1e-12)
    assert 1.0 < r32 < r64


def test_step_size_gradient_matches_finite_differences_of_the_simulation():
    h = _random_markov_parameters(5, seed=8)
    dt, step, length = 0.05, 1e-5, 32
    dt_t = torch.tensor(dt, dtype=torch.float64, requires_grad=True)
    weights = np.random.default_rng(9).standard_normal(length)
    (hope_kernel(torch.tensor(h), dt_t, length) @ torch.tensor(weights)).backward()
    responses = [
        _impulse_response_by_simulation(h, d, length).real for d in (dt + step, dt - step)
    ]
    expected = weights @ (responses[0] - responses[1]) / (2 * step)
    # Central differences: relative truncation ~ (step / dt)^2 = 4e-8 (derivatives in dt
    # scale like 1/dt), round-off of the simulation ~ eps / step ~ 1e-11; measured relative
    # difference 1.1e-7, bound 1e-5.
    assert dt_t.grad.item() == pytest.approx(expected, rel=1e-5)


def test_unit_step_is_the_fir_filter_h():
    h = np.random.default_rng(1).standard_normal(5) + 1j
    kernel = hope_kernel(h, 1.0, 12)
    # dt = 1: R = 1 and the Moebius map is the identity, so only FFT round-off (measured
    # 1.2e-15 and 8.9e-16 for |h| ~ 1).
    np.testing.assert_allclose(kernel[1:6], h.real, rtol=0, atol=1e-13)
    np.testing.assert_allclose(np.delete(kernel, np.s_[1:6]), 0.0, rtol=0, atol=1e-13)


def test_imaginary_part_of_h_does_not_change_the_kernel():
    h = np.random.default_rng(2).standard_normal(4)
    # Round-off only (measured 1.6e-15).
    np.testing.assert_allclose(
        hope_kernel(h + 3j, 0.4, 50), hope_kernel(h, 0.4, 50), rtol=0, atol=1e-13
    )


def test_smaller_dt_means_longer_memory():
    h = np.ones(4)
    kernels = {dt: hope_kernel(h, dt, 400) for dt in (0.5, 0.05)}
    for dt, kernel in kernels.items():  # both against the simulation (measured 7e-16, 2e-15)
        expected = _impulse_response_by_simulation(h, dt, 400).real
        np.testing.assert_allclose(kernel, expected, rtol=0, atol=1e-13 * np.abs(expected).max())
    # The pole a = (1 - dt) / (1 + dt): |a|^200 = 3^-200 at dt = 0.5 (tail at round-off,
    # measured 3.6e-16 of the maximum), 0.905^200 times a degree-3 polynomial at dt = 0.05
    # (measured 1.4e-5 of the maximum).
    tail = {dt: np.abs(k[200:]).max() / np.abs(k).max() for dt, k in kernels.items()}
    assert tail[0.5] < 1e-14
    assert tail[0.05] > 1e-6


def test_batched_torch_matches_numpy_and_is_differentiable():
    rng = np.random.default_rng(3)
    h = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5))
    dt = np.array([0.2, 1.0, 3.0])
    expected = np.stack([hope_kernel(h[i], dt[i], 64) for i in range(3)])
    # Same arithmetic per row (measured difference 0; |kernel| <= 3.5).
    np.testing.assert_allclose(hope_kernel(h, dt, 64), expected, rtol=0, atol=1e-13)
    h_t = torch.tensor(h, requires_grad=True)
    dt_t = torch.tensor(dt, requires_grad=True)
    kernel = hope_kernel(h_t, dt_t, 64)
    assert isinstance(kernel, torch.Tensor) and kernel.shape == (3, 64)
    # torch.fft vs numpy.fft in complex128 (measured 6.7e-16).
    np.testing.assert_allclose(kernel.detach().numpy(), expected, rtol=0, atol=1e-13)
    kernel.pow(2).sum().backward()
    assert torch.isfinite(dt_t.grad).all() and dt_t.grad[[0, 2]].abs().min() > 0
    assert h_t.grad.real.abs().max() > 0


def test_hankel_singular_values_match_symmetric_eigenvalues():
    h = np.random.default_rng(4).standard_normal(6)
    n = len(h)
    H = np.array([[h[i + j] if i + j < n else 0.0 for j in range(n)] for i in range(n)])
    # H is real symmetric, so its singular values are |eigenvalues| (an eigh, not an SVD).
    expected = np.sort(np.abs(np.linalg.eigvalsh(H)))[::-1]
    sigma = hankel_singular_values(h)
    # Both backward stable: errors <= n eps sigma_1 (Weyl); measured 1.2 eps sigma_1.
    np.testing.assert_allclose(sigma, expected, rtol=0, atol=n * np.finfo(float).eps * sigma[0])


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"n_timesteps": 0}, "n_timesteps"),
        ({"oversampling": 1}, "oversampling"),
        ({"h": np.ones(0)}, "at least one Markov parameter"),
        ({"h": np.ones((2, 0))}, "at least one Markov parameter"),
    ],
)
def test_invalid_arguments_raise(bad, match):
    kwargs = {"h": np.ones(3), "dt": 1.0, "n_timesteps": 8, **bad}
    with pytest.raises(ValueError, match=match):
        hope_kernel(**kwargs)


@pytest.mark.parametrize("n", [1, 2, 5, 9, 10, 17])
def test_blockwise_polynomial_equals_the_direct_power_sum(n):
    # sum_j h_j B^j for j = 1..n: direct powers (numpy, float64) as the reference, for
    # orders that are and are not perfect squares (padding of the last block)
    from sksssm.ssm.hope import _polynomial_in

    rng = np.random.default_rng(n)
    h = rng.normal(size=(3, n)) + 1j * rng.normal(size=(3, n))
    factor = np.exp(1j * rng.uniform(0, 2 * np.pi, size=(3, 40))) * rng.uniform(0.5, 1, (3, 40))
    direct = sum(h[:, j - 1 : j] * factor**j for j in range(1, n + 1))
    # |B| <= 1 and |h_j| ~ 1: terms of size ~1, sums of n terms; round-off ~1e-15
    np.testing.assert_allclose(_polynomial_in(factor, h), direct, rtol=0, atol=1e-12)
    torch_value = _polynomial_in(torch.tensor(factor), torch.tensor(h))
    np.testing.assert_allclose(torch_value.numpy(), direct, rtol=0, atol=1e-12)
