"""benchmarks/qr_update.py: each path runs the LAPACK routine it is named after."""

import pytest

from benchmarks import qr_update
from sksssm.spectral import _lapack, _ridge


@pytest.mark.parametrize(("path", "geqrf_calls"), [("geqrf", 2), ("tpqrt", 0)])
def test_paths_use_their_routine(monkeypatch, path, geqrf_calls):
    calls = []
    original = _lapack.geqrf_factor

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    for module in (_ridge, _lapack):  # update() and stacked_factor() call it
        monkeypatch.setattr(module, "geqrf_factor", counted)
    seconds = qr_update.update_seconds(40, 60, path, repeats=1)  # a first and a second update
    assert seconds > 0 and len(calls) == geqrf_calls
    assert _lapack.TPQRT_MIN_COLUMNS == 96  # restored
