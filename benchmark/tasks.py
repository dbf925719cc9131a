"""Tasks: a target cohort + label + sampling rate + metric, and the pretraining pools beside it.

- ``pe``: binary target. ``--cohort DIR`` loads a user's cohort (see
  :mod:`benchmark.data.sources.cohort`); without it, the shipped **public stand-in**: PTB-XL records
  fixed by ``benchmark/data/manifests/pe_standin_ptbxl.csv``, positive = right-heart-strain-like
  SCP codes. The stand-in is **not** a pulmonary-embolism label.
- ``ptbxl`` / ``cpsc2018``: multi-label pretraining pools, disjoint from the target cohort by
  patient (where ids are comparable) and by signal content.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.data.dataset import CohortData, manifest_hash
from benchmark.data.duplicates import FINGERPRINT_LEAD, NEAR_COPY_CORR, fingerprints, near_copies
from benchmark.data.locate import find_dataset, find_source_root
from benchmark.data.sources import Source, create_source
from benchmark.data.sources.ptbxl import has_any_code
from benchmark.errors import ConfigError, DataError

STANDIN_CODES = {"CRBBB", "IRBBB", "RVH", "RAO/RAE", "STACH", "SEHYP"}
STANDIN_NAME = "pe-standin-ptbxl"
STANDIN_NOTICE = ("PUBLIC STAND-IN, NOT A PE LABEL: PTB-XL records, positive = right-heart-strain-like "
                  "ECG codes (CRBBB, IRBBB, RVH, RAO/RAE, STACH, SEHYP); pass --cohort DIR for a real PE cohort")
TARGET_TASKS = ("pe",)
PRETRAIN_SOURCES = ("ptbxl", "cpsc2018")


@dataclass(frozen=True)
class TaskSpec:
    name: str
    kind: str  # "binary" or "multilabel"
    metric: str
    description: str


TASKS = {
    "pe": TaskSpec("pe", "binary", "auroc", "pulmonary embolism (or its public stand-in) from a 12-lead ECG"),
    "ptbxl": TaskSpec("ptbxl", "multilabel", "auroc", "PTB-XL diagnostic superclasses (pretraining)"),
    "cpsc2018": TaskSpec("cpsc2018", "multilabel", "auroc", "CPSC2018 9 rhythm/morphology classes (pretraining)"),
}


def get_task(name: str) -> TaskSpec:
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
    return TASKS[name]


def standin_manifest() -> pd.DataFrame:
    path = resources.files("benchmark.data") / "manifests" / "pe_standin_ptbxl.csv"
    with path.open() as fh:
        return pd.read_csv(fh, comment="#", dtype={"ecg_id": int, "patient_id": str, "label": int})


def _ptbxl_file(ecg_id: int, fs: float) -> str:
    folder, suffix = ("records100", "lr") if fs <= 100 else ("records500", "hr")
    return f"{folder}/{ecg_id // 1000 * 1000:05d}/{ecg_id:05d}_{suffix}"


def load_standin(data_dir: str | None = None, fs: float = 100.0, seconds: float = 10.0,
                 store_root: Path | None = None) -> CohortData:
    """The stand-in's table from PTB-XL metadata; signals are fetched/opened per record set."""
    manifest = standin_manifest()
    root = find_dataset("ptbxl", ["ptbxl_database.csv", "scp_statements.csv"], data_dir, what="stand-in metadata")
    source = create_source("ptbxl", root, fs=fs)
    table = source.table(require_signals=False)
    table = table[table["record_id"].isin(set(manifest["ecg_id"].astype(str)))].copy()
    table["label_db"] = table["scp_codes"].map(lambda codes: has_any_code(codes, STANDIN_CODES))
    merged = manifest.assign(record_id=manifest["ecg_id"].astype(str)).merge(
        table, on="record_id", how="left", suffixes=("", "_db"))
    if merged["patient_id_db"].isna().any():
        first = merged.loc[merged["patient_id_db"].isna(), "record_id"].iloc[0]
        raise DataError(f"{root / 'ptbxl_database.csv'}: stand-in record {first} has no metadata row")
    bad = merged[(merged["label"] != merged["label_db"]) | (merged["patient_id"] != merged["patient_id_db"])]
    if len(bad):
        raise DataError(f"{root / 'ptbxl_database.csv'}: record {bad['record_id'].iloc[0]} disagrees with the "
                        "stand-in manifest (another PTB-XL version?)")
    table = table.rename(columns={"label_db": "label"})[["record_id", "patient_id", "label", "file"]]

    return CohortData(STANDIN_NAME, STANDIN_NOTICE, table, ["label"], source, fs, seconds,
                      manifest_hash(table, ["label"], STANDIN_NAME), "ptbxl", is_standin=True,
                      store_root=store_root, ensure_files=EnsurePTBXLFiles(source, data_dir))


@dataclass
class EnsurePTBXLFiles:
    """Make sure the signal files of some PTB-XL rows are on disk (downloading just those)."""

    source: Source
    data_dir: str | None

    def __call__(self, rows: pd.DataFrame) -> None:
        needed = ["ptbxl_database.csv", "scp_statements.csv"]
        for f in rows["file"]:
            needed += [f + ".hea", f + ".dat"]
        found = find_dataset("ptbxl", needed, self.data_dir, what="stand-in cohort")
        if found != self.source.root:  # downloaded into the cache: read from there
            self.source.root = found


def load_cohort(directory: str | Path, fs: float = 100.0, seconds: float = 10.0,
                store_root: Path | None = None) -> CohortData:
    source = create_source("cohort", directory, fs=fs)
    table = source.table()
    name = f"cohort:{Path(directory).resolve().name}"
    return CohortData(name, f"user cohort {Path(directory).resolve()}", table, ["label"], source, fs, seconds,
                      manifest_hash(table, ["label"], "cohort"), "cohort", store_root=store_root)


def load_target(task: str = "pe", data_dir: str | None = None, cohort: str | Path | None = None,
                fs: float = 100.0, seconds: float = 10.0, store_root: Path | None = None) -> CohortData:
    """The target cohort of ``task`` (table and identity; open signals with ``with_signals``)."""
    spec = get_task(task)
    if spec.name not in TARGET_TASKS:
        raise ConfigError(f"task {task!r} is a pretraining task; target tasks: {', '.join(TARGET_TASKS)}")
    if cohort is not None:
        return load_cohort(cohort, fs, seconds, store_root)
    return load_standin(data_dir, fs, seconds, store_root)


def pretraining_pool(name: str, target: CohortData, data_dir: str | None = None,
                     store_root: Path | None = None) -> CohortData:
    """Source ``name`` minus every patient of ``target`` (same id namespace) and every record whose
    signal equals, or nearly copies (:mod:`benchmark.data.duplicates`), one of ``target``'s
    validated records (dev and locked test; else its open records)."""
    if name not in PRETRAIN_SOURCES:
        raise ConfigError(f"unknown pretraining source {name!r}; known: {', '.join(PRETRAIN_SOURCES)}")
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
        near = near_copies(fingerprints(pool.store.signals[:, FINGERPRINT_LEAD, :], pool.fs), target_prints) & ~same
    if near.any():
        notices.append(f"{name}: excluded {int(near.sum())} near-copies of target records (re-encoded or resampled: "
                       f"lead-II fingerprint correlation >= {NEAR_COPY_CORR})")
    same = same | near
    kept = table[table["record_id"].astype(str).isin(set(index.loc[~same, "record_id"]))]
    pool = dataclasses.replace(pool, table=kept, manifest_hash=manifest_hash(kept, labels, name), notices=notices)
    return pool


def union_pool(pools: list[CohortData]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Signals and a union multi-label matrix over several pools; labels a pool lacks are NaN."""
    names = sorted({n for p in pools for n in (f"{p.name}:{lab}" for lab in p.label_names)})
    Xs, Ys = [], []
    for p in pools:
        y = np.full((len(p.table), len(names)), np.nan, dtype=np.float32)
        own = p.y()
        own = own[:, None] if own.ndim == 1 else own
        for j, lab in enumerate(p.label_names):
            y[:, names.index(f"{p.name}:{lab}")] = own[:, j]
        Xs.append(p.X())
        Ys.append(y)
    return np.concatenate(Xs), np.concatenate(Ys), names


@dataclass
class PretrainingData:
    """A pretraining source ready for the checkpoint cache: its identity, a loader, its pools."""

    digest: str
    pools: list[CohortData]
    notices: list[str]

    def load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(X, Y, groups); a union multi-label matrix (NaN = unknown) for several pools."""
        if len(self.pools) == 1:
            pool = self.pools[0]
            return pool.X(), pool.y(), np.array([f"{pool.name}:{g}" for g in pool.groups()])
        X, Y, _ = union_pool(self.pools)
        groups = np.concatenate([[f"{p.name}:{g}" for g in p.groups()] for p in self.pools])
        return X, Y, groups

    def content_hashes(self) -> set[str]:
        return set().union(*(p.content_hashes() for p in self.pools))


def pretraining_data(source: str, target: CohortData, data_dir: str | None = None,
                     store_root: Path | None = None) -> PretrainingData:
    """Pools for ``ptbxl``, ``cpsc2018`` or ``both``, disjoint from ``target``."""
    names = list(PRETRAIN_SOURCES) if source == "both" else [source]
    pools = [pretraining_pool(n, target, data_dir, store_root) for n in names]
    digest = hashlib.sha256("".join(p.manifest_hash for p in pools).encode()).hexdigest()
    return PretrainingData(digest, pools, [n for p in pools for n in p.notices])
