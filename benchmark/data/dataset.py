"""A loaded cohort: its label table aligned with signals in the store, plus its identity."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark.data.store import SignalStore


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
    store: SignalStore
    fs: float
    seconds: float
    manifest_hash: str
    patient_namespace: str
    is_standin: bool = False
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.table = self.table.sort_values("record_id").reset_index(drop=True)
        self._row = pd.Series(np.arange(len(self.table)), index=self.table["record_id"].to_numpy())

    @property
    def record_ids(self) -> list[str]:
        return list(self.table["record_id"])

    def X(self, ids: list[str] | None = None) -> np.ndarray:
        """Signals (n, 12, T) float32, in ``ids`` order."""
        return self.store.take(self.record_ids if ids is None else ids)

    def y(self, ids: list[str] | None = None) -> np.ndarray:
        """Labels: 1-D for one label column, else (n, n_labels); NaN marks an unknown label."""
        rows = self.table if ids is None else self.table.iloc[self._row.loc[list(ids)].to_numpy()]
        y = rows[self.label_names].to_numpy(dtype=np.float32)
        return y[:, 0] if len(self.label_names) == 1 else y

    def groups(self, ids: list[str] | None = None) -> np.ndarray:
        rows = self.table if ids is None else self.table.iloc[self._row.loc[list(ids)].to_numpy()]
        return rows["patient_id"].astype(str).to_numpy()

    def content_hashes(self) -> set[str]:
        return set(self.store.index["content_hash"])
