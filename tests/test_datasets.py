"""The synthetic data generators: simulation against scipy, and their input checks."""

import numpy as np
import pytest
from scipy import signal

from sksssm.datasets import make_rotation_system, make_stu_system, simulate_linear_system


def test_simulation_matches_scipy_dlsim_from_an_initial_state():
    rng = np.random.default_rng(0)
    A = 0.5 * rng.normal(size=(3, 3))
    B, C, D = rng.normal(size=(3, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 2))
    U = rng.normal(size=(1, 2, 20))
    x0 = rng.normal(size=3)
    _, y_scipy, _ = signal.dlsim((A, B, C, D, 1), U[0].T, x0=x0)
    np.testing.assert_allclose(simulate_linear_system(A, B, C, D, U, x0=x0)[0], y_scipy.T)


@pytest.mark.parametrize(
    ("shapes", "match"),
    [
        ({"B": (3, 1)}, "B must have shape"),
        ({"C": (2, 4)}, "C must have shape"),
        ({"D": (1, 1)}, "D must have shape"),
        ({"A": (3, 2)}, "A must have shape"),
    ],
)
def test_simulation_names_a_matrix_of_the_wrong_shape(shapes, match):
    sizes = {"A": (3, 3), "B": (3, 2), "C": (2, 3), "D": (2, 2)} | shapes
    matrices = {name: np.ones(shape) for name, shape in sizes.items()}
    with pytest.raises(ValueError, match=match):
        simulate_linear_system(**matrices, U=np.ones((1, 2, 5)))


def test_simulation_refuses_inputs_without_a_channel_axis():
    with pytest.raises(ValueError, match=r"U must have shape \(n_samples, d_in"):
        simulate_linear_system([[0.5]], [[1.0]], [[1.0]], [[0.0]], np.ones((2, 5)))


@pytest.mark.parametrize(
    ("make", "params", "match"),
    [
        (make_stu_system, {"n_samples": -1}, "n_samples must be an integer >= 1"),
        (make_stu_system, {"n_timesteps": 2.5}, "n_timesteps must be an integer"),
        (make_stu_system, {"d_hidden": 0}, "d_hidden must be an integer >= 1"),
        (make_stu_system, {"noise": -0.1}, "noise must be a real number"),
        (make_stu_system, {"eigenvalue": float("nan")}, "eigenvalue must be a real number"),
        (make_rotation_system, {"n_states": 3}, "n_states must be a positive even"),
        (make_rotation_system, {"n_states": 0}, "n_states must be an integer >= 1"),
        (make_rotation_system, {"modulus": -1.0}, "modulus must be a real number"),
        (make_rotation_system, {"n_samples": 0}, "n_samples must be an integer >= 1"),
    ],
)
def test_generators_refuse_bad_sizes_and_levels(make, params, match):
    with pytest.raises(ValueError, match=match):
        make(**{"n_timesteps": 8, **params})
