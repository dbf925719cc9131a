"""The target cohort of a task: a user's cohort directory, or the shipped public stand-in.

- ``--cohort DIR`` loads a user's cohort (see :mod:`benchmark.data.sources.cohort`).
- ``--task mimic-pe``: MIMIC-IV-ECG with the MIMIC-IV-ECG-ICD labels (see :mod:`benchmark.data.mimic`;
  opt-in, credentialed data, never downloaded).
- Without either, the **public stand-in**: PTB-XL records fixed by
  ``benchmark/data/manifests/pe_standin_ptbxl.csv``, positive = right-heart-strain-like SCP codes.
  The stand-in is **not** a pulmonary-embolism label.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from benchmark.data.dataset import CohortData, manifest_hash
from benchmark.data.locate import find_dataset
from benchmark.data.sources import Source, create_source, pretraining_sources
from benchmark.data.sources.ptbxl import has_any_code
from benchmark.errors import ConfigError, DataError

TARGET_TASKS = ("pe", "mimic-pe")
STANDIN_CODES = {"CRBBB", "IRBBB", "RVH", "RAO/RAE", "STACH", "SEHYP"}
STANDIN_NAME = "pe-standin-ptbxl"
STANDIN_NOTICE = ("PUBLIC STAND-IN, NOT A PE LABEL: PTB-XL records, positive = right-heart-strain-like "
                  "ECG codes (CRBBB, IRBBB, RVH, RAO/RAE, STACH, SEHYP); pass --cohort DIR for a real PE cohort")


def check_task(task: str) -> None:
    """``task`` must be a target task; a pretraining source or an unknown name is one line."""
    if task in TARGET_TASKS:
        return
    if task in pretraining_sources():
        raise ConfigError(f"task {task!r} is a pretraining task; target tasks: {', '.join(TARGET_TASKS)}")
    raise ConfigError(f"unknown task {task!r}; known: {', '.join(TARGET_TASKS + pretraining_sources())}")


def standin_manifest() -> pd.DataFrame:
    path = resources.files("benchmark.data") / "manifests" / "pe_standin_ptbxl.csv"
    with path.open() as fh:
        return pd.read_csv(fh, comment="#", dtype={"ecg_id": int, "patient_id": str, "label": int})


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
    # which stand-in codes make a record positive (recall per code: benchmark.leaderboard.codes)
    table["codes"] = table["scp_codes"].map(lambda codes: ";".join(sorted(c for c in codes if c in STANDIN_CODES)))
    table = table.rename(columns={"label_db": "label"})[["record_id", "patient_id", "label", "file", "codes"]]

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
                fs: float = 100.0, seconds: float = 10.0, store_root: Path | None = None,
                task_options: dict | None = None) -> CohortData:
    """The target cohort of ``task`` (table and identity; open signals with ``with_signals``).
    ``task_options``: the ``mimic-pe`` options (:func:`benchmark.data.mimic.load_mimic_pe`)."""
    check_task(task)
    if task == "mimic-pe":
        from benchmark.data.mimic import load_mimic_pe

        if cohort is not None:
            raise ConfigError("--cohort is for --task pe; --task mimic-pe reads MIMIC-IV-ECG from the data roots")
        return load_mimic_pe(data_dir, fs, seconds, store_root, **(task_options or {}))
    if cohort is not None:
        return load_cohort(cohort, fs, seconds, store_root)
    return load_standin(data_dir, fs, seconds, store_root)
