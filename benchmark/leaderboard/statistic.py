"""The contract of a leaderboard statistic: one module, one registration (in the manner of sktime's
benchmark analysers).

A statistic reads only what is stored (the study's trials, fold rows and held-out predictions, the
finalized locked-test results), so adding one never re-runs a trial::

    from benchmark import Statistic, register_statistic

    @register_statistic
    class MeanPrediction(Statistic):
        name = "mean_prediction"                      # the file: <out>/mean_prediction.csv
        title = "Mean held-out probability per trial"  # the page's heading
        method = "mean of the stored out-of-fold probabilities (no reference needed)"

        def compute(self, inputs):                    # -> a DataFrame, one row per whatever it describes
            ...

``python -m benchmark.leaderboard`` writes every registered statistic's frame to ``<name>.csv``,
its method into ``leaderboard.meta.json`` (``statistics``) and a table with its title and method to
the page, after the locked test. An empty frame writes nothing. Floats are rounded like every other
table (:data:`benchmark.leaderboard.files.SIGNIFICANT` digits), so a study always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from benchmark.registry import Registry


@dataclass
class Inputs:
    """What a statistic may read: the study, its CV table (rank order), the finalized locked-test
    results and the folder they were finalized into (``finalized/<study>/``)."""

    study: object
    table: pd.DataFrame
    finalized: list[dict] = field(default_factory=list)
    finalized_dir: Path | None = None


class Statistic:
    """Subclass, set :attr:`name`, :attr:`title` and :attr:`method`, implement :meth:`compute`."""

    name: str = ""
    title: str = ""
    method: str = ""  # how it is computed, named with a reference (shown on the page and in the metadata)
    columns: dict = {}  # optional labels and definitions: {column: benchmark.leaderboard.columns.Column}

    def compute(self, inputs: Inputs) -> pd.DataFrame:
        raise NotImplementedError


_STATISTICS: Registry[type[Statistic]] = Registry("leaderboard statistic", list_known=True)


def register_statistic(cls: type[Statistic]) -> type[Statistic]:
    """Register a :class:`Statistic` subclass under its ``name`` (a decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Statistic)):
        raise TypeError(f"register_statistic takes a Statistic subclass, got {cls!r}")
    for attr in ("name", "title", "method"):
        if not getattr(cls, attr):
            raise TypeError(f"statistic {cls.__name__}: set its {attr!r}")
    return _STATISTICS.register(cls.name, cls)


def statistics() -> list[Statistic]:
    """One instance of every registered statistic, in registration order."""
    import benchmark.leaderboard.codes  # noqa: F401 - the built-in statistics register on import

    return [cls() for cls in _STATISTICS.values()]


def compute_all(inputs: Inputs) -> dict[str, tuple[Statistic, pd.DataFrame]]:
    """``{name: (statistic, frame)}`` of every registered statistic with a non-empty frame."""
    out = {}
    for stat in statistics():
        frame = stat.compute(inputs)
        if frame is not None and len(frame):
            out[stat.name] = (stat, frame)
    return out
