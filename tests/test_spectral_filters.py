"""Tests of the Hankel matrices and spectral filters against dense computations."""

import warnings

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from sksssm.exceptions import SpectralFilterWarning
from sksssm.spectral import (
    _filters,
    hankel_matrix,
    hankel_operator,
    max_usable_filters,
    spectral_filters,
    stu_filters,
)

EPS = np.finfo(np.float64).eps


def _entry(i, j, hankel):
    """The paper's formula for one entry, 1-based indices, written out independently."""
    if hankel == "Z":
        return 2.0 / ((i + j) ** 3 - (i + j))
    return ((-1) ** (i + j - 2) + 1) * 8.0 / ((i + j + 3) * (i + j - 1) * (i + j + 1))


def _dense_top(n_timesteps, k, hankel):
    """Reference: full dense eigh (numpy's LAPACK syevd, not the library's call), top k."""
    sigma, phi = _dense_all(n_timesteps, hankel)
    return sigma[:k], phi[:, :k]


def _dense_all(n_timesteps, hankel):
    """All eigenpairs by numpy's dense eigh, descending."""
    sigma, phi = np.linalg.eigh(hankel_matrix(n_timesteps, hankel))
    return sigma[::-1], phi[:, ::-1]


def _align_signs(phi, reference):
    return phi * np.sign(np.sum(phi * reference, axis=0))


@pytest.fixture(autouse=True)
def _fresh_cache():
    _filters.eigenpairs.cache_clear()
    yield
    _filters.eigenpairs.cache_clear()


@pytest.mark.parametrize("hankel", ["Z", "L"])
def test_hankel_matrix_matches_formula(hankel):
    n = 7
    expected = np.array([[_entry(i, j, hankel) for j in range(1, n + 1)] for i in range(1, n + 1)])
    # The same closed form evaluated twice: measured identical; 1e-15 allows ~4 ulp.
    np.testing.assert_allclose(hankel_matrix(n, hankel), expected, rtol=1e-15)


def test_hankel_matrices_are_positive_semidefinite():
    for hankel in ("Z", "L"):
        sigma = scipy.linalg.eigvalsh(hankel_matrix(12, hankel))
        # PSD in exact arithmetic; a computed eigenvalue is off by at most ~eps ||H|| (Weyl),
        # so none may be below -10 eps sigma_1 (measured minima +1.4e-17 and +6.6e-9).
        assert sigma.min() > -10 * EPS * sigma.max() and sigma.max() > 0.3


@pytest.mark.parametrize("bad", ["z", "Z_L", None, 1])
def test_invalid_hankel_names_options(bad):
    # validate_params (as the estimators' _parameter_constraints) names both options
    options = r"The 'hankel' parameter of {} must be a str among \{{'[ZL]', '[ZL]'\}}"
    with pytest.raises(ValueError, match=options.format("hankel_matrix")):
        hankel_matrix(4, bad)
    with pytest.raises(ValueError, match=options.format("spectral_filters")):
        spectral_filters(4, 2, hankel=bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "8", True])
def test_invalid_n_timesteps(bad):
    with pytest.raises(ValueError, match="n_timesteps"):
        spectral_filters(bad, 2)


@pytest.mark.parametrize("bad", [0, -1, 2.0, 1.5, None, True])
def test_invalid_n_filters(bad):
    # validate_params, or (True, an int to Python) the function's own check
    message = r"n_filters.* must be (an int in the range \[1|a positive)"
    with pytest.raises(ValueError, match=message):
        spectral_filters(32, bad)


@pytest.mark.parametrize("hankel", ["Z", "L"])
@pytest.mark.parametrize("n_timesteps", [1, 2, 7, 300, 1001])
def test_fft_matvec_equals_dense(n_timesteps, hankel):
    rng = np.random.default_rng(n_timesteps)
    dense = hankel_matrix(n_timesteps, hankel)
    operator = hankel_operator(n_timesteps, hankel)
    v = rng.standard_normal(n_timesteps)
    block = rng.standard_normal((n_timesteps, 3))
    # FFT round-off is a few eps times ||H||_inf ||v||_inf (measured <= 2.8e-16 of that
    # scale for L <= 1001, 35x below the bound).
    scale = np.abs(dense).sum(axis=1).max() * np.abs(block).max()
    np.testing.assert_allclose(operator.matvec(v), dense @ v, atol=1e-14 * scale, rtol=0)
    np.testing.assert_allclose(operator @ block, dense @ block, atol=1e-14 * scale, rtol=0)


@pytest.mark.parametrize("hankel", ["Z", "L"])
def test_fft_matvec_of_complex_vectors_keeps_the_imaginary_part(hankel):
    # The imaginary part was dropped, with numpy's ComplexWarning only.
    rng = np.random.default_rng(0)
    dense, operator = hankel_matrix(17, hankel), hankel_operator(17, hankel)
    block = rng.standard_normal((17, 3)) + 1j * rng.standard_normal((17, 3))
    v = block[:, 0]
    atol = 1e-14 * np.abs(dense).sum(axis=1).max() * np.abs(block).max()  # as for real ones
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        np.testing.assert_allclose(operator @ v, dense @ v, atol=atol, rtol=0)
        np.testing.assert_allclose(operator.rmatvec(v), dense @ v, atol=atol, rtol=0)
        np.testing.assert_allclose(operator @ block, dense @ block, atol=atol, rtol=0)


def _check_against_dense(n_timesteps, hankel, sigma, phi):
    all_sigma, all_phi = _dense_all(n_timesteps, hankel)
    k = len(sigma)
    ref_sigma, ref_phi = all_sigma[:k], all_phi[:, :k]
    # Weyl: both computations are backward stable, so each eigenvalue is within a few
    # eps sigma_1 of the true one, whatever its size (measured <= 4.6e-16 sigma_1 = 2 eps).
    np.testing.assert_allclose(sigma, ref_sigma, rtol=0, atol=100 * EPS * ref_sigma[0])
    # Davis-Kahan: an eigenvector is determined to eps sigma_1 / gap_k, gap_k the distance of
    # sigma_k to the rest of the spectrum (the tail eigenvalues cluster near 0, so this is
    # the real limit). Measured errors 0.5-4.1x this quantity; fail beyond 100x.
    gaps = np.array([np.abs(np.delete(all_sigma, i) - all_sigma[i]).min() for i in range(k)])
    aligned = _align_signs(phi, ref_phi)
    errors = np.linalg.norm(aligned - ref_phi, axis=0)
    assert (errors <= 100 * EPS * ref_sigma[0] / gaps).all()
    # The promise of docs/user_guide/spectral.md: usable scaled filters phi sigma^(1/4)
    # within 1e-6 of dense eigh (measured <= 6.1e-8 for Z, <= 5.4e-9 for Z_L).
    scaled_error = np.abs(aligned * sigma**0.25 - ref_phi * ref_sigma**0.25).max()
    assert scaled_error <= 1e-6


@pytest.mark.parametrize("hankel", ["Z", "L"])
@pytest.mark.parametrize("n_timesteps", [64, 200, 512, 1024])
def test_filters_match_dense_eigh(n_timesteps, hankel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        sigma, phi = spectral_filters(n_timesteps, 24, hankel)
    _check_against_dense(n_timesteps, hankel, sigma, phi)


@pytest.mark.parametrize("hankel", ["Z", "L"])
def test_lanczos_matches_dense_at_small_length(hankel):
    # Below DENSE_MAX_LENGTH the public path is dense; check the Lanczos path there too.
    sigma, phi = _filters.lanczos_eigenpairs(150, 16, hankel)
    _check_against_dense(150, hankel, sigma, phi)


@pytest.mark.parametrize("hankel", ["Z", "L"])
@pytest.mark.parametrize(
    # L = 2048 runs by default (measured 1.2 s each with one thread); 4096 takes ~10 s.
    "n_timesteps",
    [2048, pytest.param(4096, marks=pytest.mark.slow)],
)
def test_filters_match_dense_eigh_long(n_timesteps, hankel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        sigma, phi = spectral_filters(n_timesteps, 24, hankel)
    _check_against_dense(n_timesteps, hankel, sigma, phi)


@pytest.mark.parametrize("hankel", ["Z", "L"])
@pytest.mark.parametrize("n_timesteps", [300, 1024, 2**15])
def test_eigen_equation_residual(n_timesteps, hankel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        sigma, phi = spectral_filters(n_timesteps, 24, hankel)
    operator = hankel_operator(n_timesteps, hankel)
    residual = np.linalg.norm(operator @ phi - phi * sigma, axis=0)
    # Backward error of a few eps sigma_1 (measured <= 7.7e-16 sigma_1 = 3.5 eps, up to
    # L = 2^15), and orthonormal to O(K eps) (measured <= 1.9e-15).
    assert residual.max() < 100 * EPS * sigma[0]
    np.testing.assert_allclose(phi.T @ phi, np.eye(len(sigma)), rtol=0, atol=1e-13)


def test_sign_convention_largest_entry_positive():
    for n_timesteps in (50, 1000):
        _, phi = spectral_filters(n_timesteps, 10, "L")
        largest = phi[np.argmax(np.abs(phi), axis=0), np.arange(phi.shape[1])]
        assert (largest > 0).all()


def test_capping_warns_and_names_value():
    n_timesteps = 1024
    with pytest.warns(SpectralFilterWarning) as record:
        sigma, phi = spectral_filters(n_timesteps, 32)
    used = len(sigma)
    assert used < 32 and phi.shape == (n_timesteps, used)
    message = str(record[0].message)
    assert "n_filters=32" in message and f"n_filters={used}" in message
    # The cap is the count of dense eigenvalues above 80 * sqrt(L) * eps * sigma_1.
    dense, _ = _dense_top(n_timesteps, n_timesteps, "Z")
    assert used == np.count_nonzero(dense > 80 * dense[0] * np.sqrt(n_timesteps) * EPS)
    assert used == max_usable_filters(n_timesteps)
    with pytest.warns(SpectralFilterWarning):
        assert np.isfinite(stu_filters(n_timesteps, 32)).all()


def test_capping_at_sequence_length():
    with pytest.warns(SpectralFilterWarning, match="n_filters=10 reduced to n_filters=5"):
        sigma, phi = spectral_filters(5, 10, "L")
    assert sigma.shape == (5,) and phi.shape == (5, 5)


def test_no_warning_when_uncapped():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpectralFilterWarning)
        sigma, _ = spectral_filters(1024, max_usable_filters(1024))
    assert (sigma > 0).all()


@settings(max_examples=40, deadline=None)
@given(
    n_timesteps=st.integers(1, 120),
    n_filters=st.integers(1, 60),
    hankel=st.sampled_from(["Z", "L"]),
)
def test_filters_never_nan(n_timesteps, n_filters, hankel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpectralFilterWarning)
        sigma, phi = spectral_filters(n_timesteps, n_filters, hankel)
        filters = stu_filters(n_timesteps, n_filters, hankel)
    used = len(sigma)
    assert 1 <= used <= min(n_filters, n_timesteps)
    assert phi.shape == filters.shape == (n_timesteps, used)
    assert np.isfinite(filters).all() and (sigma > 0).all()
    assert (np.diff(sigma) <= 0).all()


def test_cache_returns_equal_read_only_arrays():
    sigma, phi = spectral_filters(600, 8)
    again_sigma, again_phi = spectral_filters(600, 8)
    np.testing.assert_array_equal(sigma, again_sigma)
    np.testing.assert_array_equal(phi, again_phi)
    with pytest.raises(ValueError, match="read-only"):
        phi[0, 0] = 1.0
    with pytest.raises(ValueError):
        sigma.flags.writeable = True
    filters = stu_filters(600, 8)
    filters[:] = 0.0  # a fresh array: writable, and the cache is untouched
    np.testing.assert_allclose(stu_filters(600, 8), phi * sigma**0.25, rtol=1e-15)


def test_recomputation_is_bitwise_deterministic():
    first = _filters.lanczos_eigenpairs(700, 12, "Z")
    second = _filters.lanczos_eigenpairs(700, 12, "Z")
    np.testing.assert_array_equal(first[1], second[1])


def test_disk_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("SKSSSM_CACHE_DIR", str(tmp_path))
    sigma, phi = spectral_filters(500, 6, "L")
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("should have been read from the disk cache")

    _filters.eigenpairs.cache_clear()
    monkeypatch.setattr(_filters, "lanczos_eigenpairs", refuse)
    monkeypatch.setattr(_filters, "dense_eigenpairs", refuse)
    loaded_sigma, loaded_phi = spectral_filters(500, 6, "L")
    np.testing.assert_array_equal(loaded_sigma, sigma)
    np.testing.assert_array_equal(loaded_phi, phi)
    assert not loaded_phi.flags.writeable
