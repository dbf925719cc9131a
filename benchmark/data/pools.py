"""Pretraining pools: multi-label public sources, disjoint from the target cohort by patient
(where ids are comparable) and by signal content.

A pretraining source is any registered source tagged ``pretraining``
(:func:`benchmark.data.sources.pretraining_sources`: PTB-XL and CPSC2018 here, or another package's,
local or downloadable); its files are found in a data root's ``<name>/`` folder. A pooled level
pools an explicit list of them (:data:`POOLS`: ``both`` is PTB-XL with CPSC2018, whatever else is
registered).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.data.dataset import CohortData, manifest_hash
from benchmark.data.lazy import LazySignals
from benchmark.data.duplicates import NEAR_COPY_CORR, near_copies, store_fingerprints
from benchmark.data.locate import find_source_root
from benchmark.data.sources import create_source, pretraining_sources
from benchmark.errors import ConfigError, DataError

# pooled pretraining levels: name (what studies store) -> the sources it pools, in this order; a
# level is offered only when every one of its sources is
POOLS: dict[str, tuple[str, ...]] = {"both": ("ptbxl", "cpsc2018")}


def pool_members(level: str) -> tuple[str, ...]:
    """The sources a pretraining level reads: a pool's list, or the source itself."""
    return POOLS.get(level, (level,))


def pretraining_pool(name: str, target: CohortData, data_dir: str | None = None,
                     store_root: Path | None = None) -> CohortData:
    """Source ``name`` minus every patient of ``target`` (same id namespace) and every record whose
    signal equals, or nearly copies (:mod:`benchmark.data.duplicates`), one of ``target``'s
    validated records (dev and locked test; else its open records)."""
    if name not in pretraining_sources():
        raise ConfigError(f"unknown pretraining source {name!r}; known: {', '.join(pretraining_sources())}")
    root = find_source_root(name, data_dir)
    source = create_source(name, root if root is not None else Path("/nonexistent"), fs=target.fs)
    if root is None or not source.available():
        raise DataError(f"pretraining source {name}: no labelled data found (looked in data roots for '{name}/')")
    table = source.table()
    notices = []
    if source.patient_namespace == target.patient_namespace:
        patients = set(target.table["patient_id"].astype(str))
        keep = ~table["patient_id"].astype(str).isin(patients)
        notices.append(f"{name}: excluded {int((~keep).sum())} records of {len(patients)} target patients")
        table = table[keep]
    if table.empty:
        raise DataError(f"pretraining source {name}: no records left after excluding the target cohort")
    labels = source.label_names
    pool = CohortData(name, f"pretraining pool {name}", table, labels, source, target.fs, target.seconds,
                      manifest_hash(table, labels, name), source.patient_namespace, on_bad="drop",
                      store_root=store_root).with_signals()
    if pool.store.dropped:
        notices.append(f"{name}: dropped {len(pool.store.dropped)} unreadable or invalid records "
                       f"(listed in {pool.store.path / 'meta.json'})")
    index = pool.store.index
    target_hashes, target_prints = target.signal_identity()
    same = index["content_hash"].isin(target_hashes).to_numpy()
    if same.any():
        notices.append(f"{name}: excluded {int(same.sum())} records whose signal equals a target record")
    near = np.zeros(len(index), dtype=bool)
    if len(target_prints):
        near = near_copies(store_fingerprints(pool.store.signals, pool.fs), target_prints) & ~same
    if near.any():
        notices.append(f"{name}: excluded {int(near.sum())} near-copies of target records (re-encoded or resampled: "
                       f"lead-II fingerprint correlation >= {NEAR_COPY_CORR})")
    same = same | near
    kept = table[table["record_id"].astype(str).isin(set(index.loc[~same, "record_id"]))]
    pool = dataclasses.replace(pool, table=kept, manifest_hash=manifest_hash(kept, labels, name), notices=notices)
    return pool


def union_pool(pools: list[CohortData]) -> tuple[LazySignals, np.ndarray, list[str]]:
    """Signals (left in the pools' stores) and a union multi-label matrix over several pools;
    labels a pool lacks are NaN."""
    names = sorted({n for p in pools for n in (f"{p.name}:{lab}" for lab in p.label_names)})
    Xs, Ys = [], []
    for p in pools:
        y = np.full((len(p.table), len(names)), np.nan, dtype=np.float32)
        own = p.y()
        own = own[:, None] if own.ndim == 1 else own
        for j, lab in enumerate(p.label_names):
            y[:, names.index(f"{p.name}:{lab}")] = own[:, j]
        Xs.append(p.signals())
        Ys.append(y)
    return LazySignals.concat(Xs), np.concatenate(Ys), names


@dataclass
class PretrainingData:
    """A pretraining source ready for the checkpoint cache: its identity, a loader, its pools."""

    digest: str
    pools: list[CohortData]
    notices: list[str]

    def load(self) -> tuple[LazySignals, np.ndarray, np.ndarray]:
        """(X, Y, groups); a union multi-label matrix (NaN = unknown) for several pools. ``X`` stays
        in the pools' stores: a pool larger than :data:`~benchmark.data.lazy.IN_MEMORY_BYTES` is read
        batch by batch while it trains."""
        if len(self.pools) == 1:
            pool = self.pools[0]
            return pool.signals(), pool.y(), np.array([f"{pool.name}:{g}" for g in pool.groups()])
        X, Y, _ = union_pool(self.pools)
        groups = np.concatenate([[f"{p.name}:{g}" for g in p.groups()] for p in self.pools])
        return X, Y, groups

    def content_hashes(self) -> set[str]:
        return set().union(*(p.content_hashes() for p in self.pools))


def pretraining_data(source: str, target: CohortData, data_dir: str | None = None,
                     store_root: Path | None = None) -> PretrainingData:
    """Pools for one pretraining level (a source, or a pool of :data:`POOLS`), disjoint from ``target``."""
    pools = [pretraining_pool(n, target, data_dir, store_root) for n in pool_members(source)]
    digest = hashlib.sha256("".join(p.manifest_hash for p in pools).encode()).hexdigest()
    return PretrainingData(digest, pools, [n for p in pools for n in p.notices])
