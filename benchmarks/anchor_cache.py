"""Stored results of slow anchors that do not depend on sksssm's code (issue 20).

ROCKET, MultiRocket-Hydra and the CNN on the UCR corpus, and AutoETS on M3, take most of
a corpus run's time, and their results do not change when sksssm does. They are run once
and stored as committed JSON under ``benchmarks/results/``, one file per anchor and
corpus (``<corpus>__<anchor>.json``), holding per data set (or series) the scores and the
fit+predict seconds, and how the run was made: date, commit, machine description (with
the load average) and library versions. The section scripts read these files, so a
rerun on a new commit only times sksssm and the fast anchors live; their
``--refresh-anchors`` option reruns the stored anchors and rewrites the files.

A file is read only for the corpus and the anchor specification it was written for, and
only when it holds every data set asked for: otherwise :func:`read` raises a
``ValueError`` that names the fix. A run that fills a file saves it after every data
set, so an interrupted run keeps what it measured.

API (also for other corpus scripts)::

    cache = AnchorCache("UCR", "ROCKET", spec="RocketClassifier(random_state=0)")
    cache.put("Coffee", {"accuracy": 1.0}, seconds=3.2)   # then cache.save()
    stored = read("UCR", "ROCKET", ["Coffee"], spec="RocketClassifier(random_state=0)")
    stored.results["Coffee"]  # -> {"scores": {"accuracy": 1.0}, "seconds": 3.2}
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from benchmarks._report import ROOT, git_revision, machine_description

RESULTS_DIR = ROOT / "benchmarks" / "results"
#: Distributions whose versions are stored with every file (those installed).
VERSIONED = ("numpy", "scipy", "scikit-learn", "sktime", "numba", "statsmodels", "torch")


def library_versions(names=VERSIONED) -> dict[str, str]:
    """Installed versions of ``names`` (distributions not installed are left out)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def cache_path(corpus: str, anchor: str, directory: Path | None = None) -> Path:
    """``<directory>/<corpus>__<anchor>.json``, names reduced to ``[A-Za-z0-9_-]``."""

    def slug(text):
        return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")

    return Path(directory or RESULTS_DIR) / f"{slug(corpus)}__{slug(anchor)}.json"


@dataclass
class AnchorCache:
    """The stored results of one anchor on one corpus, filled data set by data set.

    Parameters
    ----------
    corpus, anchor : str
        What was run on what (e.g. ``"M3"``, ``"AutoETS"``).
    spec : str
        How the anchor was configured (e.g. ``"AutoETS(auto=True, sp=..., n_jobs=1)"``);
        a file written for another spec is refused by :func:`read`.
    versions : dict, optional
        Library versions of the interpreter that ran the anchor (default: this one's).
    directory : Path, optional
        Where the file lives (default :data:`RESULTS_DIR`).
    """

    corpus: str
    anchor: str
    spec: str
    versions: dict = field(default_factory=library_versions)
    directory: Path | None = None
    results: dict = field(default_factory=dict)
    date: str | None = None
    commit: str | None = None
    machine: str | None = None
    load_average: list | None = None

    def __post_init__(self):
        if self.commit is None:  # the code that runs the anchor: HEAD when the run starts
            self.commit = git_revision()

    @property
    def path(self) -> Path:
        return cache_path(self.corpus, self.anchor, self.directory)

    def put(self, key: str, scores: dict[str, float] | None, seconds: float | None) -> None:
        """Record one data set's (or series') scores and fit+predict seconds.

        ``scores=None`` (and ``seconds=None``) records that the anchor does not apply to
        this data set (e.g. an equal-length method on unequal lengths).
        """
        if scores is not None:
            scores = {k: float(v) for k, v in scores.items()}
        self.results[key] = {"scores": scores, "seconds": seconds}

    def save(self) -> Path:
        """Write the file, stamped now with date, machine and load average.

        The commit is the one checked out when this object was created (the run's start).
        """
        self.date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.machine = machine_description()
        self.load_average = [round(x, 2) for x in os.getloadavg()]
        record = {
            "corpus": self.corpus,
            "anchor": self.anchor,
            "spec": self.spec,
            "date": self.date,
            "commit": self.commit,
            "machine": self.machine,
            "load_average": self.load_average,
            "versions": self.versions,
            "results": self.results,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(record, indent=1, sort_keys=False) + "\n")
        temporary.replace(self.path)  # never leave a half-written file
        return self.path

    def provenance(self) -> str:
        """One line for the benchmark page: where these numbers come from."""
        versions = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return (
            f"read from `{path}`"
            f" (run {self.date} at commit `{self.commit}`; {versions}; "
            f"load average {self.load_average[0]:.1f} when saved)"
        )


def sources_sentence(methods, sources) -> str:
    """Where each method's numbers come from, for the benchmark page.

    ``sources`` maps the stored anchors of the run to :meth:`AnchorCache.provenance` (or
    to a note that they ran live); every other method of ``methods`` ran live.
    """
    live = [m for m in methods if m not in sources]
    parts = [f"run live in this run: {', '.join(live)}"] if live else []
    parts += [f"{m}: {sources[m]}" for m in methods if m in sources]
    return "Where the numbers come from: " + "; ".join(parts) + "."


def read(corpus, anchor, keys, *, spec, directory=None) -> AnchorCache:
    """The stored results of ``anchor`` on ``corpus``, checked to cover every key.

    Raises
    ------
    FileNotFoundError
        If nothing is stored for this anchor and corpus.
    ValueError
        If the file was written for another corpus, anchor or spec, or lacks some keys.
    """
    path = cache_path(corpus, anchor, directory)
    if not path.exists():
        raise FileNotFoundError(
            f"No stored {anchor} results for {corpus} ({path}); run the section script "
            "with --refresh-anchors to create them."
        )
    record = json.loads(path.read_text())
    for name, expected in (("corpus", corpus), ("anchor", anchor), ("spec", spec)):
        if record.get(name) != expected:
            raise ValueError(
                f"{path} holds {name} {record.get(name)!r}, not {expected!r}: it was written "
                "for another run; rerun with --refresh-anchors to replace it."
            )
    missing = [key for key in keys if key not in record["results"]]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise ValueError(
            f"{path} lacks {len(missing)} of the {len(keys)} data sets asked for ({shown}); "
            "rerun with --refresh-anchors to complete it."
        )
    return AnchorCache(
        corpus,
        anchor,
        spec,
        versions=record["versions"],
        directory=directory,
        results=record["results"],
        date=record["date"],
        commit=record["commit"],
        machine=record["machine"],
        load_average=record["load_average"],
    )
