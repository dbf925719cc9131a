"""A loaded cohort: its label table, its identity, and signals opened only for the records a step needs.

The table (records, patients, labels) comes from metadata alone; signals are opened per record
set with :meth:`CohortData.with_signals`, so the search opens the dev records only and the locked
test is read by ``finalize`` alone. Reading a record outside the opened set raises.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from benchmark.data.sources.base import Source
from benchmark.data.lazy import LazySignals
from benchmark.data.store import RecordCheck, SignalStore, check_records, open_store
from benchmark.errors import DataError


def manifest_hash(table: pd.DataFrame, label_names: list[str], kind: str) -> str:
    """Identity of a cohort: which records, whose, with which labels (and fixed split, if any)."""
    cols = ["record_id", "patient_id", *label_names] + (["split"] if "split" in table.columns else [])
    canon = table[cols].astype(str).sort_values("record_id").to_csv(index=False)
    return hashlib.sha256(f"{kind}\n{canon}".encode()).hexdigest()


@dataclass
class CohortData:
    """Records of one cohort. ``table`` has ``record_id``, ``patient_id`` and the label columns."""

    name: str
    description: str
    table: pd.DataFrame
    label_names: list[str]
    source: Source
    fs: float
    seconds: float
    manifest_hash: str
    patient_namespace: str
    on_bad: str = "raise"
    is_standin: bool = False
    notices: list[str] = field(default_factory=list)
    store: SignalStore | None = None
    store_root: Path | None = None
    ensure_files: Callable[[pd.DataFrame], None] | None = field(default=None, repr=False)
    checked: RecordCheck | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.table = self.table.sort_values("record_id").reset_index(drop=True)
        self._row = pd.Series(np.arange(len(self.table)), index=self.table["record_id"].to_numpy())

    @property
    def record_ids(self) -> list[str]:
        return list(self.table["record_id"])

    def codes(self) -> dict[str, str]:
        """``{record_id: "CODE;CODE"}``: which label codes make each record positive, where the cohort
        says (an optional ``codes`` column; see :mod:`benchmark.leaderboard.codes`); ``{}`` otherwise."""
        if "codes" not in self.table.columns:
            return {}
        values = self.table["codes"].fillna("").astype(str)
        return dict(zip(self.table["record_id"], values)) if values.str.len().any() else {}

    def with_signals(self, ids: list[str] | None = None) -> "CohortData":
        """A copy whose signals are open for ``ids`` (default: all records)."""
        rows = self.table if ids is None else self.table[self.table["record_id"].isin(set(ids))]
        if ids is not None and len(rows) != len(set(ids)):
            raise DataError(f"{self.name}: {len(set(ids)) - len(rows)} requested records are not in the cohort")
        if self.ensure_files is not None:
            self.ensure_files(rows)
        store = open_store(self.source, rows, self.fs, self.seconds, on_bad=self.on_bad, root=self.store_root,
                           progress=True)
        return dataclasses.replace(self, store=store)

    def validate(self) -> "CohortData":
        """A copy whose every record (dev and locked test) was decoded and validated; no signal is
        kept, only content hashes and near-copy fingerprints. All bad records: one DataError."""
        if self.ensure_files is not None:
            self.ensure_files(self.table)
        checked = check_records(self.source, self.table, self.fs, self.seconds, root=self.store_root,
                                what=self.name, progress=True)
        return dataclasses.replace(self, checked=checked)

    def signal_identity(self) -> tuple[set[str], np.ndarray]:
        """(content hashes, near-copy fingerprints) of every validated record, else of the open ones
        (none when neither)."""
        if self.checked is not None:
            return set(self.checked.content_hashes), self.checked.fingerprints
        if self.store is None:
            return set(), np.zeros((0, 0), np.float32)
        from benchmark.data.duplicates import store_fingerprints

        return self.content_hashes(), store_fingerprints(self.store.signals, self.fs)

    def _store(self) -> SignalStore:
        if self.store is None:
            raise DataError(f"{self.name}: signals are not open (call with_signals first)")
        return self.store

    def open_ids(self) -> list[str]:
        """Records of the table whose signals are open, in table order."""
        opened = set(self._store().index["record_id"])
        return [r for r in self.record_ids if r in opened]

    def X(self, ids: list[str] | None = None) -> np.ndarray:
        """Signals (n, 12, T) float32, in ``ids`` order (default :meth:`open_ids`), in memory."""
        return self._store().take(self.open_ids() if ids is None else ids)

    def signals(self, ids: list[str] | None = None) -> LazySignals:
        """:meth:`X` left in the store's memmap until read (what a fit reads batch by batch)."""
        return self._store().lazy(self.open_ids() if ids is None else ids)

    def y(self, ids: list[str] | None = None) -> np.ndarray:
        """Labels: 1-D for one label column, else (n, n_labels); NaN marks an unknown label."""
        rows = self._rows(ids)
        y = rows[self.label_names].to_numpy(dtype=np.float32)
        return y[:, 0] if len(self.label_names) == 1 else y

    def groups(self, ids: list[str] | None = None) -> np.ndarray:
        return self._rows(ids)["patient_id"].astype(str).to_numpy()

    def _rows(self, ids: list[str] | None) -> pd.DataFrame:
        if ids is None:
            ids = self.open_ids() if self.store is not None else self.record_ids
        return self.table.iloc[self._row.loc[list(ids)].to_numpy()]

    def content_hashes(self) -> set[str]:
        """Content hashes of the records whose signals are open."""
        index = self._store().index
        return set(index.loc[index["record_id"].isin(set(self.record_ids)), "content_hash"])
