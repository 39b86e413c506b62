"""The paired bootstrap of benchmarks/tser.py against direct computations."""

import numpy as np

from benchmarks.tser import paired_interval


def test_identical_models_differ_by_exactly_zero():
    errors = np.random.default_rng(0).exponential(size=40)
    assert paired_interval(errors, errors.copy(), n_resamples=200) == (0.0, 0.0)


def test_interval_is_the_percentiles_of_the_resampled_differences():
    rng = np.random.default_rng(1)
    a, b = rng.exponential(size=30), rng.exponential(size=30)
    rows = np.random.default_rng(7).integers(0, 30, (500, 30))
    direct = [np.sqrt(a[r].mean()) - np.sqrt(b[r].mean()) for r in rows]
    expected = np.percentile(direct, [2.5, 97.5])
    np.testing.assert_allclose(paired_interval(a, b, n_resamples=500, seed=7), expected)


def test_a_clearly_worse_model_is_told_apart_and_noise_is_not():
    rng = np.random.default_rng(2)
    reference = rng.normal(size=200) ** 2
    low, high = paired_interval(4 * reference, reference, n_resamples=2000)
    assert low > 0  # twice the error on every series: RMSE doubles
    noisy = rng.permutation(reference)  # the same errors, unpaired: no systematic gap
    low, high = paired_interval(noisy, reference, n_resamples=2000)
    assert low < 0 < high
