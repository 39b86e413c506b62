"""The run count ``rpv`` (runs of steps above each ``ppv`` threshold over the valid
length) against loops over each series' valid steps: the kernel, both precisions, the
standardized representation, and the classifier's streaming and Dask paths."""

import numpy as np
import pytest
from _synthetic import noisy_waves

from sksssm import SpectralFilterClassifier
from sksssm.estimators._large_sets import uses_streaming_head
from sksssm.spectral import STATISTICS
from sksssm.spectral._segment_stats import _pool, _run_count, _threshold_statistic


def _runs(flags):
    """Runs of ``True`` in ``flags``, step by step: a run starts where the previous step
    is not above."""
    runs, before = 0, False
    for flag in flags:
        runs += bool(flag) and not before
        before = bool(flag)
    return runs


@pytest.mark.parametrize("t", [1, 2, 3, 17, 70_000])
def test_run_count_equals_a_loop(t):
    rng = np.random.default_rng(t)
    above = rng.random((3, 2, t)) < rng.uniform(0.05, 0.95, size=(3, 2, 1))
    above[0, 0] = True  # one run of the whole row
    above[0, 1] = False  # none
    found = _run_count(above)
    assert found.shape == (3, 2)
    for i, j in np.ndindex(3, 2):
        assert found[i, j] == _runs(above[i, j])


def _direct_rpv(z, b):
    return _runs(z > b) / len(z)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lengths", [[25, 25, 25], [25, 11, 1]])
def test_rpv_counts_the_runs_over_the_valid_steps(lengths, dtype):
    """Padding (NaN after each length, as the responses are) never starts a run."""
    rng = np.random.default_rng(4)
    lengths = np.array(lengths)
    Z = np.cumsum(rng.normal(size=(3, 2, 4, 25)), axis=-1).astype(dtype)  # runs of any length
    valid = (np.arange(25) < lengths[:, None])[:, None, None, :]
    Z = np.where(valid, Z, np.nan).astype(dtype)
    bias = rng.normal(size=(2, 4)).astype(dtype)[..., None]
    count = lengths[:, None, None].astype(dtype)
    found = _threshold_statistic("rpv", Z, bias, valid, count)
    for i, j, k in np.ndindex(3, 2, 4):
        z = Z[i, j, k, : lengths[i]]
        assert found[i, j, k] == pytest.approx(_direct_rpv(z, bias[j, k, 0]), rel=1e-6)


@pytest.mark.parametrize("lengths", [[30, 30, 30], [30, 17, 9]])
def test_rpv_of_the_standardized_responses(lengths):
    """With ``spread``, ``Z / spread > b`` is taken as ``Z > b * spread``: the run counts
    of the divided responses, compared here directly."""
    rng = np.random.default_rng(5)
    lengths = np.array(lengths)
    Z = np.cumsum(rng.normal(size=(3, 2, 5, 30)), axis=-1)
    spread = rng.uniform(0.5, 4.0, size=(3, 2, 1, 1))
    biases = np.sort(rng.normal(scale=2.0, size=(3, 2, 5)), axis=0)
    groups = [np.arange(5)]
    pooled = _pool(Z, lengths, ("ppv", "rpv"), biases, groups, spread=spread)
    rpv = pooled[:, 3 * 2 * 5 :].reshape(3, 3, 2, 5)  # (series, threshold, channel, response)
    divided = Z / spread
    for i, q, j, k in np.ndindex(3, 3, 2, 5):
        z = divided[i, j, k, : lengths[i]]
        assert rpv[i, q, j, k] == pytest.approx(_direct_rpv(z, biases[q, j, k]), abs=1e-12)


#: Few columns, so that a few hundred series outnumber them: the streaming head (three
#: ppv thresholds; with the default's five the features outnumber 200 series).
SMALL = dict(
    n_filters=2,
    n_mixtures=0,
    statistics=("mean", "ppv", "rpv"),
    quantiles=(0.1, 0.5, 0.9),
    normalise="loo",
    random_state=0,
)


def test_the_classifier_pools_rpv_on_the_streaming_path():
    X, y = noisy_waves(300, seed=2)
    clf = SpectralFilterClassifier(**SMALL)
    assert uses_streaming_head(clf, X[:200], y[:200])
    clf.fit(X[:200], y[:200])
    labels = clf.pooling_.column_statistics()
    assert (labels == "rpv").sum() == (labels == "ppv").sum() > 0  # one per ppv column
    assert np.mean(clf.predict(X[200:]) == y[200:]) > 0.8


def test_the_streaming_fit_with_rpv_on_dask_equals_numpy():
    da = pytest.importorskip("dask.array")
    X, y = noisy_waves(300, seed=1)
    assert uses_streaming_head(SpectralFilterClassifier(**SMALL), X[:200], y[:200])
    in_memory = SpectralFilterClassifier(**SMALL).fit(X[:200], y[:200])
    on_dask = SpectralFilterClassifier(**SMALL).fit(da.from_array(X[:200], chunks=70), y[:200])
    np.testing.assert_allclose(
        on_dask.decision_function(X[200:]), in_memory.decision_function(X[200:]), atol=1e-9
    )


def test_statistics_plus_rpv_adds_one_block_per_threshold():
    """``STATISTICS + ("rpv",)`` on the two-head classifier: in each head, as many
    ``rpv`` columns as ``ppv`` ones, the others unchanged (every block kept:
    ``block_selection="off"``)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 1, 24))
    y = np.repeat([0, 1], 10)
    X[y == 1, 0, 12:] += 2.0
    options = {"n_filters": 2, "n_mixtures": 2, "random_state": 0, "block_selection": "off"}
    plain = SpectralFilterClassifier(**options).fit(X, y)
    runs = SpectralFilterClassifier(statistics=STATISTICS + ("rpv",), **options).fit(X, y)
    assert len(runs.estimators_) == len(plain.estimators_) == 2
    for head, head_runs in zip(plain.estimators_, runs.estimators_, strict=True):
        before = head.pooling_.column_statistics()
        after = head_runs.pooling_.column_statistics()
        assert (after == "rpv").sum() == (before == "ppv").sum() > 0
        np.testing.assert_array_equal(after[after != "rpv"], before)
    assert runs.score(X, y) > 0.9
