"""The on-disk spectral filter cache (``$SKSSSM_CACHE_DIR``): validation, atomicity, links.

Every bad file must give a :class:`FilterCacheWarning`, be recomputed and rewritten (so the
next read is silent and needs no computation); processes sharing one directory must never
fail and must all return the same filters.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from sksssm.exceptions import FilterCacheWarning
from sksssm.spectral import _filters, spectral_filters

L_SMALL, K_SMALL = 120, 6  # dense eigh: milliseconds


@pytest.fixture(autouse=True)
def _fresh_memory_cache():
    _filters.eigenpairs.cache_clear()
    yield
    _filters.eigenpairs.cache_clear()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("SKSSSM_CACHE_DIR", str(directory))
    return directory


def _path(directory, n_timesteps=L_SMALL, k=K_SMALL, hankel="Z"):
    return Path(directory) / f"sksssm_spectral_{hankel}_L{n_timesteps}_K{k}.npz"


def _reference(n_timesteps=L_SMALL, k=K_SMALL, hankel="Z"):
    """Computed directly, bypassing every cache."""
    return _filters.dense_eigenpairs(n_timesteps, k, hankel)


def _forbid_computation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("should have been read from the disk cache")

    monkeypatch.setattr(_filters, "dense_eigenpairs", refuse)
    monkeypatch.setattr(_filters, "lanczos_eigenpairs", refuse)


def _assert_rewritten_and_valid(path, monkeypatch, n_timesteps=L_SMALL, k=K_SMALL, hankel="Z"):
    """The file at ``path`` is now a regular, valid file: read silently, nothing computed."""
    assert path.is_file() and not path.is_symlink()
    _filters.eigenpairs.cache_clear()
    with monkeypatch.context() as patch:
        _forbid_computation(patch)
        with warnings.catch_warnings():
            warnings.simplefilter("error", FilterCacheWarning)
            sigma, phi = _filters.eigenpairs(n_timesteps, k, hankel)
    reference_sigma, reference_phi = _reference(n_timesteps, k, hankel)
    np.testing.assert_array_equal(sigma, reference_sigma)
    np.testing.assert_array_equal(phi, reference_phi)


def _assert_equals_reference(result, n_timesteps=L_SMALL, k=K_SMALL, hankel="Z"):
    sigma, phi = result
    reference_sigma, reference_phi = _reference(n_timesteps, k, hankel)
    np.testing.assert_array_equal(sigma, reference_sigma)
    np.testing.assert_array_equal(phi, reference_phi)


def _plant(path, sigma, phi, *, meta=None, hankel="Z"):
    path.parent.mkdir(parents=True, exist_ok=True)
    if meta is None:
        meta = [_filters.CACHE_FORMAT_VERSION, phi.shape[0], phi.shape[1]]
    with open(path, "wb") as handle:
        np.savez(handle, sigma=sigma, phi=phi, meta=np.array(meta), hankel=np.array(hankel))


def test_round_trip_creates_directory_and_leaves_no_temporary_files(cache, monkeypatch):
    assert not cache.exists()
    _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    assert sorted(p.name for p in cache.iterdir()) == [_path(cache).name]
    _assert_rewritten_and_valid(_path(cache), monkeypatch)


def test_lanczos_result_round_trips(cache, monkeypatch):
    # Above DENSE_MAX_LENGTH: the residual check must accept ARPACK's eigenpairs too.
    n_timesteps = _filters.DENSE_MAX_LENGTH + 116
    sigma, phi = _filters.eigenpairs(n_timesteps, 10, "L")
    _filters.eigenpairs.cache_clear()
    _forbid_computation(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FilterCacheWarning)
        loaded_sigma, loaded_phi = _filters.eigenpairs(n_timesteps, 10, "L")
    np.testing.assert_array_equal(loaded_sigma, sigma)
    np.testing.assert_array_equal(loaded_phi, phi)


def test_roundoff_negative_tail_is_accepted(cache, monkeypatch):
    # All L eigenvalues: the tail is round-off, some of it below zero; still a valid file.
    sigma, _ = _filters.eigenpairs(48, 48, "Z")
    assert sigma[-1] < 0  # the case this test is about
    _assert_rewritten_and_valid(_path(cache, 48, 48), monkeypatch, 48, 48)


def test_truncated_file_is_recomputed_and_rewritten(cache, monkeypatch):
    _filters.eigenpairs(L_SMALL, K_SMALL, "Z")
    path = _path(cache)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _filters.eigenpairs.cache_clear()
    with pytest.warns(FilterCacheWarning, match="cannot be read") as caught:
        result = spectral_filters(L_SMALL, K_SMALL)
    assert [record.filename for record in caught] == [__file__]  # the caller's line
    _assert_equals_reference(result)
    _assert_rewritten_and_valid(path, monkeypatch)


def test_empty_file_is_recomputed(cache, monkeypatch):
    path = _path(cache)
    path.parent.mkdir()
    path.touch()
    with pytest.warns(FilterCacheWarning, match="cannot be read"):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(path, monkeypatch)


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda s, p: (np.zeros_like(s), np.zeros_like(p)), "not positive"),
        (lambda s, p: (s, np.where(np.arange(p.shape[0])[:, None] == 3, np.nan, p)), "finite"),
        (lambda s, p: (s[::-1].copy(), p), "descending"),
        (lambda s, p: (s, -p), "signs"),
        (lambda s, p: (s, 2 * p), "orthonormal"),
        (lambda s, p: (s * 1.5, p), "not eigenpairs"),
        (lambda s, p: (s.astype(np.float32), p), "float64"),
    ],
    ids=["zeros", "nan", "ascending", "signs", "scaled", "wrong-eigenvalues", "float32"],
)
def test_planted_bad_content_is_detected(cache, monkeypatch, corrupt, message):
    sigma, phi = corrupt(*_reference())
    _plant(_path(cache), sigma, phi)
    with pytest.warns(FilterCacheWarning, match=message):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(_path(cache), monkeypatch)


def test_planted_orthonormal_non_eigenvectors_are_detected(cache, monkeypatch):
    # Plausible in every cheap respect (shape, order, signs, orthonormality): only the
    # eigen-residual check can reject it.
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(L_SMALL, K_SMALL)))
    phi = _filters.fix_signs(q)
    sigma, _ = _reference()
    _plant(_path(cache), sigma, phi)
    with pytest.warns(FilterCacheWarning, match="not eigenpairs"):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(_path(cache), monkeypatch)


@pytest.mark.parametrize(
    "source, message",
    [
        ((L_SMALL, K_SMALL + 2, "Z"), "metadata"),  # wrong K
        ((L_SMALL + 1, K_SMALL, "Z"), "metadata"),  # wrong L
        ((L_SMALL, K_SMALL, "L"), "hankel"),  # wrong Hankel kind
    ],
    ids=["wrong-K", "wrong-L", "wrong-hankel"],
)
def test_file_for_another_request_is_detected(cache, monkeypatch, source, message):
    _filters.eigenpairs(*source)  # written under its own name
    os.replace(_path(cache, *source), _path(cache))  # now named as (L_SMALL, K_SMALL, Z)
    _filters.eigenpairs.cache_clear()
    with pytest.warns(FilterCacheWarning, match=message):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(_path(cache), monkeypatch)


@pytest.mark.parametrize("change", ["K", "L"])
def test_wrong_shapes_with_matching_metadata_are_detected(cache, monkeypatch, change):
    sigma, phi = _reference()
    if change == "K":
        sigma, phi = sigma[:-1], phi[:, :-1]
    else:
        phi = phi[:-1]
    _plant(_path(cache), sigma, phi, meta=[_filters.CACHE_FORMAT_VERSION, L_SMALL, K_SMALL])
    with pytest.warns(FilterCacheWarning, match="shapes"):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(_path(cache), monkeypatch)


def test_pickled_object_is_not_loaded(cache, monkeypatch):
    path = _path(cache)
    path.parent.mkdir()
    objects = np.array([{"not": "an array"}], dtype=object)
    with open(path, "wb") as handle:
        np.savez(handle, sigma=objects, phi=objects, meta=objects, hankel=objects)
    with pytest.warns(FilterCacheWarning, match="cannot be read"):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(path, monkeypatch)


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX links")
@pytest.mark.parametrize("target_exists", [True, False], ids=["to-file", "dangling"])
def test_symlink_is_never_followed(cache, tmp_path, monkeypatch, target_exists):
    # The link points at a *valid* cache file elsewhere: still not read, and not written.
    target = tmp_path / "elsewhere.npz"
    if target_exists:
        _filters.eigenpairs(L_SMALL, K_SMALL, "Z")
        os.replace(_path(cache), target)
        _filters.eigenpairs.cache_clear()
        before = target.read_bytes()
    cache.mkdir(exist_ok=True)
    _path(cache).symlink_to(target)
    with pytest.warns(FilterCacheWarning, match="symbolic link"):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(_path(cache), monkeypatch)  # a regular file replaced it
    if target_exists:
        assert target.read_bytes() == before
        assert not target.is_symlink()
    else:
        assert not target.exists()


def test_tilde_is_expanded_and_missing_directories_created(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # what expanduser reads on Windows
    monkeypatch.setenv("SKSSSM_CACHE_DIR", "~/deeper/cache")
    monkeypatch.chdir(tmp_path)
    _filters.eigenpairs(L_SMALL, K_SMALL, "Z")
    assert _path(tmp_path / "deeper" / "cache").is_file()
    assert not (tmp_path / "~").exists()  # no literal "~" directory in the working dir


def test_unusable_directory_only_warns(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SKSSSM_CACHE_DIR", str(blocker / "cache"))
    with pytest.warns(FilterCacheWarning, match="cannot be written"):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))


def test_unset_or_empty_variable_means_no_disk_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SKSSSM_CACHE_DIR", "")
    _filters.eigenpairs(L_SMALL, K_SMALL, "Z")
    monkeypatch.delenv("SKSSSM_CACHE_DIR")
    _filters.eigenpairs(L_SMALL + 1, K_SMALL, "Z")
    assert list(tmp_path.iterdir()) == []


def test_memory_cache_is_consulted_before_the_disk(cache, monkeypatch):
    first = _filters.eigenpairs(L_SMALL, K_SMALL, "Z")
    _path(cache).write_bytes(b"garbage")  # not looked at while the memory cache holds it
    with warnings.catch_warnings():
        warnings.simplefilter("error", FilterCacheWarning)
        again = _filters.eigenpairs(L_SMALL, K_SMALL, "Z")
    assert again[0] is first[0] and again[1] is first[1]
    assert not again[1].flags.writeable


# Requests of the concurrency test: dense (L <= 384) and Lanczos (L > 384), both kinds.
CONCURRENT_REQUESTS = [(64, 8, "Z"), (150, 6, "L"), (320, 12, "Z"), (450, 8, "L")]

CHILD = """
import hashlib, importlib.util, json, os, random, sys, time, types, warnings
from pathlib import Path
# Import sksssm.spectral._filters without running sksssm/__init__.py (which imports torch):
# a fifth of the start-up CPU per child; the module under test is the same.
package = types.ModuleType("sksssm")
package.__path__ = list(importlib.util.find_spec("sksssm").submodule_search_locations)
sys.modules["sksssm"] = package
from sksssm.spectral import _filters
assert "torch" not in sys.modules
warnings.simplefilter("error")  # any warning (a bad file read) fails the child
index, repeats, signal_dir = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
requests = json.loads(sys.argv[4])
(signal_dir / f"ready{index}").touch()
deadline = time.monotonic() + 120
while not (signal_dir / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.002)
rng = random.Random(index)
digests = {}
for _ in range(repeats):
    for n_timesteps, k, hankel in requests:
        _filters.eigenpairs.cache_clear()
        path = _filters._cache_file(n_timesteps, k, hankel)
        if rng.random() < 0.4:  # force rewrites that race with other processes' reads
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        sigma, phi = _filters.eigenpairs(n_timesteps, k, hankel)
        digest = hashlib.sha256(sigma.tobytes() + phi.tobytes()).hexdigest()
        digests.setdefault(f"{n_timesteps},{k},{hankel}", []).append(digest)
print(json.dumps(digests))
"""


def test_concurrent_processes_never_fail_and_agree(tmp_path, monkeypatch):
    """Several real processes fill and refill one cache directory at once."""
    n_processes, repeats = 4, 6
    cache, signals = tmp_path / "shared cache", tmp_path / "signals"
    signals.mkdir()
    monkeypatch.setenv("SKSSSM_CACHE_DIR", str(cache))  # this process reads it at the end
    env = dict(os.environ, SKSSSM_CACHE_DIR=str(cache), PYTHONWARNINGS="")
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    arguments = [str(repeats), str(signals), json.dumps(CONCURRENT_REQUESTS)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(index), *arguments],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(n_processes)
    ]
    try:
        deadline = time.monotonic() + 120
        while not all((signals / f"ready{i}").exists() for i in range(n_processes)):
            assert all(child.poll() is None for child in children), "a child exited early"
            assert time.monotonic() < deadline, "children did not start"
            time.sleep(0.01)
        (signals / "go").touch()  # all start at once
        outputs = [child.communicate(timeout=240) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (_stdout, stderr) in zip(children, outputs, strict=True):
        assert child.returncode == 0, stderr
        assert stderr.strip() == "", stderr  # no warning (e.g. a partial file was read)
    results = [json.loads(stdout) for stdout, _ in outputs]
    for n_timesteps, k, hankel in CONCURRENT_REQUESTS:
        key = f"{n_timesteps},{k},{hankel}"
        digests = {digest for result in results for digest in result[key]}
        assert sum(len(result[key]) for result in results) == n_processes * repeats
        assert len(digests) == 1, f"processes disagree on {key}"
        # ... and agree with this process's own computation (bitwise, same algorithm and
        # single-threaded BLAS there; allow round-off here in case threads differ).
        _filters.eigenpairs.cache_clear()
        sigma, phi = _filters.eigenpairs(n_timesteps, k, hankel)  # reads the shared file
        assert hashlib.sha256(sigma.tobytes() + phi.tobytes()).hexdigest() in digests
        compute = (
            _filters.dense_eigenpairs
            if n_timesteps <= _filters.DENSE_MAX_LENGTH
            else _filters.lanczos_eigenpairs
        )
        fresh_sigma, fresh_phi = compute(n_timesteps, k, hankel)
        # Round-off between thread counts is ~1e-15 (relative); 1e-12 leaves a margin.
        np.testing.assert_allclose(sigma, fresh_sigma, rtol=1e-12, atol=1e-12 * sigma[0])
        np.testing.assert_allclose(phi, fresh_phi, atol=1e-10)
    leftovers = [p.name for p in cache.iterdir() if not p.name.endswith(".npz")]
    assert leftovers == [], "temporary files left behind"


@pytest.mark.parametrize(
    "keep",
    [np.arange(K_SMALL, 2 * K_SMALL), np.r_[0, 2 : K_SMALL + 1]],
    ids=["pairs-K+1..2K", "second-pair-skipped"],
)
def test_genuine_eigenpairs_that_are_not_the_top_k_are_detected(cache, monkeypatch, keep):
    # Real eigenpairs of the right Hankel matrix, orthonormal, descending, signs fixed:
    # only the check against the top of the spectrum can tell they are not the top K.
    sigma, phi = _filters.dense_eigenpairs(L_SMALL, 2 * K_SMALL, "Z")
    _plant(_path(cache), sigma[keep].copy(), np.ascontiguousarray(phi[:, keep]))
    with pytest.warns(FilterCacheWarning, match=f"not the top {K_SMALL} eigenpairs"):
        _assert_equals_reference(_filters.eigenpairs(L_SMALL, K_SMALL, "Z"))
    _assert_rewritten_and_valid(_path(cache), monkeypatch)
