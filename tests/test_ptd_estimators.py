"""PTDSSMClassifier / PTDSSMRegressor: initialisation reaching the fitted layers, fast modes."""

import numpy as np
import pytest
import torch

from sksssm import PTDSSMClassifier
from sksssm.ssm import (
    discretize,
    hippo_legs,
    perturb_then_diagonalize,
    s4d_init,
    vandermonde_kernel,
)

STATE_DIM = 8
# ssm_lr this small freezes the eigenvalues to float32 precision during a short fit, while
# lr (3e-3, for the other parameters) would move them visibly: the fitted layers must show
# exactly the requested initialisation, and the SSM parameter group must get ssm_lr.
PTD_MAX_NORM = 3e-3  # the estimators' default ptd_max_norm
FROZEN_SSM = dict(
    ssm_lr=1e-12, d_model=4, n_layers=1, max_epochs=1, batch_size=8, random_state=0,
    bidirectional=False,  # one layer per block: blocks[0].layer is the SSM layer
)  # fmt: skip


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 16))
    return X, (X[:, -4:].sum(axis=1) > 0).astype(int)


def _expected_eigenvalues(init, mode, n_blocks):
    """The initial eigenvalues (one per conjugate pair), computed from sksssm.ssm directly."""
    if init == "ptd":
        A, _ = hippo_legs(STATE_DIM)
        lam = perturb_then_diagonalize(A, method="random", max_norm=PTD_MAX_NORM).eigenvalues
        return lam[lam.imag >= 0]  # the layer keeps one of each pair (and real modes)
    block = STATE_DIM // n_blocks if mode == "s5" else STATE_DIM
    lam, _ = s4d_init(block, init.removeprefix("s4d-"), half=True)
    return np.tile(lam, n_blocks if mode == "s5" else 1)


def _sorted(values):
    return values[np.lexsort((values.real, np.round(values.imag, 4)))]


@pytest.mark.parametrize("init", ["ptd", "s4d-legs", "s4d-lin", "s4d-inv"])
@pytest.mark.parametrize(("mode", "n_blocks"), [("s4", 1), ("s5", 2)])
def test_fitted_layers_hold_the_requested_initialisation(data, init, mode, n_blocks):
    if init == "ptd" and mode == "s5":
        pytest.skip("block PTD is compared with block_diagonal_ptd in test_nn_diagonal.py")
    X, y = data
    clf = PTDSSMClassifier(
        STATE_DIM, init=init, mode=mode, n_blocks=n_blocks, ptd_method="random", **FROZEN_SSM
    ).fit(X, y)
    layer = clf.net_.module_.blocks[0].layer
    fitted = layer.eigenvalues().detach().to(torch.complex128).numpy()
    expected = _expected_eigenvalues(init, mode, n_blocks)
    rows = fitted if fitted.ndim == 2 else fitted[None]  # s4: one system per channel
    for row in rows:
        np.testing.assert_allclose(_sorted(row), _sorted(expected), rtol=1e-5, atol=1e-5)


def test_fast_mode_gradients_are_finite_and_match_float64():
    # A mode with Re(lambda) dt = -100: lambda_bar underflows in float32, so the kernel
    # must use the exact log(lambda_bar) = lambda dt (what DiagonalSSMConv passes for ZOH;
    # PTD at state_dim=64 has Re(lambda) ~ -1000). Reference: the same gradient in float64,
    # where lambda_bar = e^-100 is representable.
    grads = []
    for dtype in (torch.complex64, torch.complex128):
        lam = torch.tensor([-1000.0 + 3j, -0.5 + 1j], dtype=dtype, requires_grad=True)
        ones = torch.ones(2, dtype=dtype)
        lambda_bar, B_bar = discretize(lam, ones, 0.1, "zoh")
        kernel = vandermonde_kernel(lambda_bar, B_bar, ones, 8, log_lambda_bar=lam * 0.1)
        kernel.sum().backward()
        grads.append(lam.grad.to(torch.complex128))
    assert torch.isfinite(torch.view_as_real(grads[0])).all()
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-4, atol=1e-7)
