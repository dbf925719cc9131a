"""The :class:`Source` contract and its registry (a :class:`benchmark.registry.Registry` of classes by
``name``, in registration order: :mod:`benchmark.data.sources` imports the built-ins in the order
the pretraining sources are offered in)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import pandas as pd

from benchmark.data.signals import Signal
from benchmark.registry import Registry

_SOURCES: Registry[type["Source"]] = Registry("data source", list_known=True)


class Source(ABC):
    """A dataset on disk.

    Contract:
    - :meth:`table` returns one row per usable record with at least ``record_id`` (str, unique),
      ``patient_id`` (str) and the columns in :attr:`label_names`; records that cannot be used
      (no metadata, no label) are left out and counted in :attr:`skipped` (reason -> count).
    - :meth:`files` lists the files a row is read from (for cache keys and downloads).
    - :meth:`read` decodes one row into a :class:`~benchmark.data.signals.Signal` or raises
      :class:`~benchmark.errors.DataError` naming the file.

    :func:`benchmark.testing.check_source` checks the contract.
    """

    name: ClassVar[str]
    #: patient ids of this source live in this namespace; only equal namespaces are comparable
    patient_namespace: ClassVar[str]
    #: a labelled dataset a backbone may be pretrained on (a tag, in sktime's manner): its table
    #: labels every record with :attr:`label_names` (0/1, multi-label allowed), and its files are
    #: found in a data root's ``<name>/`` folder (the download folder for a PhysioNet dataset,
    #: :data:`benchmark.data.download.REMOTES`). The search offers each such source whose data are
    #: present as a pretraining level, in registration order (:func:`pretraining_sources`).
    pretraining: ClassVar[bool] = False

    def __init__(self, root: str | Path, fs: float = 100.0):
        """``fs``: the rate the caller will resample to (a source that decodes at it may use it)."""
        self.root = Path(root)
        self.skipped: dict[str, int] = {}
        self._table: pd.DataFrame | None = None  # the table, once read

    @property
    @abstractmethod
    def label_names(self) -> list[str]:
        """Label columns of :meth:`table`."""

    @abstractmethod
    def available(self) -> bool:
        """Whether the files this source needs to build its table are present."""

    @abstractmethod
    def table(self) -> pd.DataFrame:
        """One row per usable record (see class docstring)."""

    @abstractmethod
    def files(self, row: pd.Series) -> list[Path]:
        """Files that hold ``row``'s signal."""

    @abstractmethod
    def read(self, row: pd.Series) -> Signal:
        """Decode ``row``'s signal."""

    def _skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count


def register_source(cls: type[Source]) -> type[Source]:
    """Class decorator: make a source creatable by its ``name``."""
    return _SOURCES.register(cls.name, cls)


def list_sources() -> list[str]:
    return sorted(_SOURCES.names())


def pretraining_sources() -> tuple[str, ...]:
    """The sources tagged :attr:`Source.pretraining`, in registration order: the order the search
    offers them in (its sampler draws by index, so this order is part of every seeded study)."""
    return tuple(name for name, cls in _SOURCES.items() if cls.pretraining)


def source_class(name: str) -> type[Source]:
    return _SOURCES.get(name)


def create_source(name: str, root: str | Path, **kwargs) -> Source:
    return _SOURCES.get(name)(root, **kwargs)
