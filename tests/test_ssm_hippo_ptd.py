"""HiPPO-LegS, PTD, S4D baselines, transfer functions and discretization (sksssm.ssm)."""

import numpy as np
import pytest
import scipy.linalg
import torch

from sksssm.ssm import (
    block_diagonal_ptd,
    discretize,
    hippo_legs,
    hippo_legs_nplr,
    perturb_then_diagonalize,
    s4d_init,
    transfer_function,
    transfer_function_dense,
    vandermonde_kernel,
)
from sksssm.ssm.ptd import eigenvector_condition_number


def _reconstruction_error(A, res):
    return np.linalg.norm(A + res.E - (res.V * res.eigenvalues) @ res.V_inv) / np.linalg.norm(A)


def test_hippo_legs_matches_definition():
    N = 7
    A, B = hippo_legs(N)
    for n in range(N):
        assert B[n] == pytest.approx(np.sqrt(2 * n + 1))
        for k in range(N):
            expected = -np.sqrt((2 * n + 1) * (2 * k + 1)) if n > k else 0.0
            expected = -(n + 1.0) if n == k else expected
            assert A[n, k] == pytest.approx(expected)


def test_nplr_form_is_normal_plus_rank_one():
    A, B = hippo_legs(9)
    S, P, B2 = hippo_legs_nplr(9)
    np.testing.assert_allclose(S - np.outer(P, P), A, atol=1e-12)
    np.testing.assert_allclose(S + S.T, -np.eye(9), atol=1e-12)
    np.testing.assert_allclose(S @ S.T, S.T @ S, atol=1e-10)  # normal
    np.testing.assert_array_equal(B, B2)


@pytest.mark.parametrize("N", [16, 24, 32])
def test_unperturbed_hippo_is_ill_conditioned(N):
    A, _ = hippo_legs(N)
    res = perturb_then_diagonalize(A, method="none")
    assert res.condition_number > 1e10
    np.testing.assert_allclose(np.sort(res.eigenvalues.real), -np.arange(N, 0, -1), rtol=1e-6)


def _check_ptd(N):
    A, B = hippo_legs(N)
    C = np.random.default_rng(1).standard_normal(N)
    res = perturb_then_diagonalize(A, B, C)
    assert res.condition_number <= 1e3
    assert eigenvector_condition_number(res.V) == pytest.approx(res.condition_number)
    assert np.linalg.norm(res.E, 2) / np.linalg.norm(A, 2) <= 0.1
    assert res.eigenvalues.real.max() < 0
    assert _reconstruction_error(A, res) < 1e-12
    np.testing.assert_allclose(res.V @ res.B_tilde, B, atol=1e-10)
    np.testing.assert_allclose(res.C_tilde, C @ res.V, atol=1e-12)
    # The eigenvalues are those of the real matrix A + E: a conjugate-closed set.
    lam = res.eigenvalues
    np.testing.assert_allclose(np.sort(lam.imag), np.sort(-lam.imag), atol=1e-8)


@pytest.mark.parametrize("N", [16, 32, 64])
def test_ptd_is_well_conditioned_small_and_stable(N):
    _check_ptd(N)


@pytest.mark.slow
def test_ptd_is_well_conditioned_small_and_stable_n128():
    _check_ptd(128)


def test_ptd_cache_returns_independent_copies():
    A, _ = hippo_legs(16)
    first = perturb_then_diagonalize(A)
    first.E[:] = 0.0
    second = perturb_then_diagonalize(A)
    assert np.abs(second.E).max() > 0
    np.testing.assert_array_equal(second.eigenvalues, perturb_then_diagonalize(A).eigenvalues)


def test_random_ptd_reflects_unstable_modes_exactly():
    # A relative perturbation of 1e-3 makes HiPPO-LegS unstable; the reflected result must
    # still be an exact decomposition of A + E.
    A, _ = hippo_legs(128)
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(A.shape)
    raw = np.linalg.eigvals(A + 1e-3 * np.linalg.norm(A, 2) * noise / np.linalg.norm(noise, 2))
    res = perturb_then_diagonalize(A, method="random", max_norm=1e-3)
    assert raw.real.max() > 0  # the premise
    assert res.eigenvalues.real.max() < 0
    assert _reconstruction_error(A, res) < 1e-10


def test_block_diagonal_ptd_diagonalizes_block_hippo():
    res = block_diagonal_ptd(12, 3, method="random")
    A_block = scipy.linalg.block_diag(*[hippo_legs(4)[0]] * 3)
    assert _reconstruction_error(A_block, res) < 1e-12
    np.testing.assert_allclose(res.V @ res.B_tilde, np.tile(hippo_legs(4)[1], 3), atol=1e-10)


def test_s4d_legs_is_the_normal_part_of_hippo():
    N = 10
    S, _, B = hippo_legs_nplr(N)
    lam, B_tilde = s4d_init(N, "legs")
    expected = np.linalg.eigvals(S)
    np.testing.assert_allclose(lam, expected[np.argsort(expected.imag)], atol=1e-10)
    s = 1j * np.logspace(-1, 2, 7)
    # V unitary and B real: B^T (sI - S)^{-1} B = sum |B_tilde_n|^2 / (s - lambda_n).
    np.testing.assert_allclose(
        transfer_function(lam, B_tilde, B_tilde.conj(), s),
        transfer_function_dense(S, B, B, s),
        rtol=1e-10,
    )


@pytest.mark.parametrize("kind", ["legs", "lin", "inv"])
def test_s4d_half_kernel_doubles_to_full_kernel(kind):
    N, dt = 8, 0.1
    full = vandermonde_kernel(*discretize(*s4d_init(N, kind), dt), np.ones(N), 32)
    half_lam, half_B = s4d_init(N, kind, half=True)
    half = vandermonde_kernel(
        *discretize(half_lam, half_B, dt), np.ones(N // 2), 32, conjugate_pairs=True
    )
    np.testing.assert_allclose(half, full, atol=1e-10)


def test_s4d_lin_inv_formulas():
    n = np.arange(4)
    np.testing.assert_allclose(s4d_init(8, "lin", half=True)[0], -0.5 + 1j * np.pi * n)
    np.testing.assert_allclose(
        s4d_init(8, "inv", half=True)[0], -0.5 + 1j * 8 / np.pi * (8 / (2 * n + 1) - 1)
    )


def _relative_sup_error(G_approx, G):
    return np.abs(G_approx - G).max() / np.abs(G).max()


@pytest.mark.parametrize("N", [16, 32])
def test_ptd_transfer_function_converges_strongly_s4d_weakly(N):
    A, B = hippo_legs(N)
    C = np.random.default_rng(0).standard_normal(N)
    omega = np.logspace(-2, 4, 200)
    G = transfer_function_dense(A, B, C, 1j * omega)
    res = perturb_then_diagonalize(A, B, C)
    ptd_error = _relative_sup_error(
        transfer_function(res.eigenvalues, res.B_tilde, res.C_tilde, 1j * omega), G
    )
    S, _, _ = hippo_legs_nplr(N)
    s4d_error = np.abs(transfer_function_dense(S, B, C, 1j * omega) - G) / np.abs(G).max()
    assert ptd_error < 0.3
    assert s4d_error.max() > 10 * ptd_error
    # S4D-LegS's error does not vanish at high frequency (relative to |G(i omega)|).
    high = omega > 10 * N
    assert (s4d_error[high] * np.abs(G).max() / np.abs(G[high])).min() > 1e-2


def test_transfer_function_diagonal_matches_dense():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 6)) - 3 * np.eye(6)
    B, C = rng.standard_normal(6), rng.standard_normal(6)
    lam, V = np.linalg.eig(A)
    s = 1j * np.linspace(0.1, 10, 5)
    np.testing.assert_allclose(
        transfer_function(lam, np.linalg.solve(V, B), C @ V, s),
        transfer_function_dense(A, B, C, s),
        rtol=1e-9,
    )


@pytest.mark.parametrize("method", ["zoh", "bilinear"])
def test_discretize_against_dense_formulas(method):
    rng = np.random.default_rng(2)
    lam = -rng.uniform(0.1, 2, 5) + 1j * rng.uniform(-5, 5, 5)
    B = rng.standard_normal(5) + 0j
    dt = 0.3
    lam_bar, B_bar = discretize(lam, B, dt, method=method)
    A = np.diag(lam)
    if method == "zoh":  # exact integral of exp(A t) B over one step
        M = scipy.linalg.expm(np.block([[A, B[:, None]], [np.zeros((1, 6))]]) * dt)
        A_bar, B_dense = M[:5, :5], M[:5, 5]
    else:
        inv = np.linalg.inv(np.eye(5) - A * dt / 2)
        A_bar, B_dense = inv @ (np.eye(5) + A * dt / 2), inv @ B * dt
    np.testing.assert_allclose(np.diag(A_bar), lam_bar, rtol=1e-12)
    np.testing.assert_allclose(B_dense, B_bar, rtol=1e-10)


def test_vandermonde_kernel_matches_simulation():
    rng = np.random.default_rng(3)
    lam_bar = 0.95 * np.exp(1j * rng.uniform(-1, 1, 4))
    B_bar, C = rng.standard_normal(4) + 1j * rng.standard_normal(4), rng.standard_normal(4)
    u = rng.standard_normal(40)
    x, y = np.zeros(4, dtype=complex), []
    for u_k in u:  # x_k = lam_bar x_{k-1} + B_bar u_k, y_k = Re(C x_k)
        x = lam_bar * x + B_bar * u_k
        y.append((C @ x).real)
    K = vandermonde_kernel(lam_bar, B_bar, C, 40)
    np.testing.assert_allclose(np.convolve(u, K)[:40], y, atol=1e-10)


def test_torch_matches_numpy_and_is_differentiable():
    lam, B = s4d_init(8, "lin")
    dt = np.array([[0.05], [0.2]])
    expected = vandermonde_kernel(*discretize(lam, B, dt), np.ones(8), 16)
    lam_t = torch.tensor(lam, requires_grad=True)
    dt_t = torch.tensor(dt, requires_grad=True)
    kernel = vandermonde_kernel(
        *discretize(lam_t, torch.tensor(B), dt_t), torch.ones(8, dtype=torch.complex128), 16
    )
    assert isinstance(kernel, torch.Tensor) and kernel.shape == (2, 16)
    np.testing.assert_allclose(kernel.detach().numpy(), expected, atol=1e-12)
    kernel.pow(2).sum().backward()
    assert torch.isfinite(dt_t.grad).all() and dt_t.grad.abs().min() > 0
    assert lam_t.grad is not None
