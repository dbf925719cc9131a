"""The ``mimic-pe`` task: MIMIC-IV-ECG with the MIMIC-IV-ECG-ICD labels, positive = any ICD-10 I26*
(pulmonary embolism) discharge code. Opt-in: the data are credentialed, so nothing is downloaded.

Options (``benchmark.cli.cohort_options.add_cohort_options``): the code source (``--mimic-codes``: hospital
discharge, ED discharge, or both as the benchmark's ``all`` label set), the ED subset
(``--mimic-ed-only``), patient-grouped case-control subsampling (``--max-negatives-per-positive K``,
:mod:`benchmark.data.casecontrol`) and the benchmark's own test folds as the locked test
(``--published-split``). Every option is part of the cohort's name and manifest hash, so a study,
its split and its leaderboard can only be read back with the options they were made with.

The label is a discharge code in an unselected ED/hospital population, not a CT-confirmed diagnosis
in patients suspected of PE; :data:`CAVEAT` says so wherever the cohort is shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmark.data.casecontrol import case_control
from benchmark.data.dataset import CohortData, manifest_hash
from benchmark.data.paths import data_roots
from benchmark.data.sources import create_source
from benchmark.data.sources.mimic import (ECG_FOLDER, LABEL_FILE, LABEL_FOLDER, RECORD_LIST,
                                          missing_files_message)
from benchmark.errors import DataError

TASK = "mimic-pe"
CASE_CONTROL_SEED = 0
CAVEAT = ("LABEL CAVEAT: positive = an ICD-10 I26* (pulmonary embolism) discharge code in an unselected "
          "ED/hospital population, not CT-confirmed PE among patients suspected of it; published anchors "
          "(Strodthoff et al. 2024, MIMIC-IV-ECG-ICD, S4 on the ECG alone, reports/Results_MIMIC_IV_ECG_ICD.csv "
          "of AI4HealthUOL/ECG-MIMIC): AUROC 0.750 [0.717, 0.780] on all test ECGs, 0.739 [0.691, 0.787] "
          "in the ED setting")


def find_root(data_dir: str | None) -> Path:
    """The first data root holding both ``mimic-iv-ecg/record_list.csv`` and the label table."""
    roots = data_roots(data_dir)
    records = [r / ECG_FOLDER / RECORD_LIST for r in roots]
    labels = [r / LABEL_FOLDER / LABEL_FILE for r in roots]
    for root, rec, lab in zip(roots, records, labels):
        if rec.is_file() and lab.is_file():
            return root
    if not any(p.is_file() for p in labels):
        raise DataError(missing_files_message(f"label table {LABEL_FILE}", labels))
    if not any(p.is_file() for p in records):
        raise DataError(missing_files_message(f"waveform list {RECORD_LIST}", records))
    raise DataError(missing_files_message(f"{RECORD_LIST} and {LABEL_FILE} under one data root", records + labels))


def published_split_column(fold, max_fold: float) -> np.ndarray:
    """``test`` for the benchmark's last two folds (``fold >= max_fold - 1``, ``max_fold`` over the
    whole label table, as its ``prepare_mimic_ecg`` picks its test set), else ``dev``."""
    fold = np.asarray(fold, dtype=float)
    if np.isnan(fold).any() or not np.isfinite(max_fold):
        raise DataError(f"{LABEL_FILE}: {int(np.isnan(fold).sum())} kept records have no 'fold'; "
                        "--published-split needs it")
    return np.where(fold >= max_fold - 1, "test", "dev")


def cohort_name(codes: str, ed_only: bool, max_negatives: int | None, published_split: bool) -> str:
    """``mimic-pe:codes=all,ed-only,case-control-K=10-seed=0,published-split`` (no brackets: the
    name is printed through rich, which would read them as markup)."""
    parts = [f"codes={codes}"] + (["ed-only"] if ed_only else [])
    if max_negatives is not None:
        parts.append(f"case-control-K={max_negatives}-seed={CASE_CONTROL_SEED}")
    if published_split:
        parts.append("published-split")
    return f"{TASK}:{','.join(parts)}"


def load_mimic_pe(data_dir: str | None = None, fs: float = 100.0, seconds: float = 10.0,
                  store_root: Path | None = None, codes: str = "all", ed_only: bool = False,
                  max_negatives_per_positive: int | None = None, published_split: bool = False) -> CohortData:
    root = find_root(data_dir)
    source = create_source("mimic-iv-ecg", root, fs=fs, codes=codes, ed_only=ed_only)
    table = source.table().copy()
    if published_split:  # before subsampling: the published folds are those of the whole table
        table["split"] = published_split_column(table["fold"], source.max_fold)
    if max_negatives_per_positive is not None:
        table = case_control(table, max_negatives_per_positive, CASE_CONTROL_SEED)
    table = table.drop(columns=["fold"])
    name = cohort_name(codes, ed_only, max_negatives_per_positive, published_split)
    description = f"MIMIC-IV-ECG + MIMIC-IV-ECG-ICD labels ({root}), {name[len(TASK) + 1:]}. {CAVEAT}"
    return CohortData(name, description, table, ["label"], source, fs, seconds,
                      manifest_hash(table, ["label"], name), source.patient_namespace,
                      notices=[CAVEAT], store_root=store_root)
