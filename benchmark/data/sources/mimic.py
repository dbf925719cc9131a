"""MIMIC-IV-ECG waveforms with the MIMIC-IV-ECG-ICD discharge-diagnosis labels, in PhysioNet's layout.

    DATA_ROOT/mimic-iv-ecg/record_list.csv                         subject_id, study_id, file_name, ecg_time, path
    DATA_ROOT/mimic-iv-ecg/files/pNNNN/pNNNNNNNN/sNNNNNNNN/<study_id>.hea (+ .dat)   WFDB, 12 leads, 500 Hz, 10 s
    DATA_ROOT/mimic-iv-ecg-ext-icd-labels/records_w_diag_icd10.csv  one row per ECG (study_id, subject_id, codes...)

Where each name comes from (nothing here is guessed):

- ``record_list.csv`` and its columns ``subject_id, study_id, file_name, ecg_time, path`` (``path`` is
  ``files/p1000/p10000032/s40689238/40689238``, relative to the dataset root, without extension):
  MIMIC-IV-ECG v1.0, https://physionet.org/content/mimic-iv-ecg/1.0/ ("Files"). The patient is
  ``subject_id`` (the MIMIC-IV patient); ``study_id`` names one ECG.
- ``records_w_diag_icd10.csv``: written by ``src/full_preprocessing.py`` (step 3) of
  AI4HealthUOL/ECG-MIMIC (Strodthoff, Lopez Alcaraz & Haverkamp, EHJ Digital Health 2024) and published
  as MIMIC-IV-ECG-Ext-ICD, https://physionet.org/content/mimic-iv-ecg-ext-icd-labels/1.0.1/. Its code
  columns ``ed_diag_ed``, ``all_diag_hosp`` and ``all_diag_all`` hold Python list literals of ICD-10
  codes (``src/mimic_ecg_preprocessing.py`` reads them with ``eval``); the label-set names of that file
  map to them as ``hosp -> all_diag_hosp`` (hospital discharge diagnoses), ``ed -> ed_diag_ed`` (ED
  discharge diagnoses), ``all -> all_diag_all`` (the hospital ones when present, else the ED ones).
  ``ecg_taken_in_ed`` / ``ecg_taken_in_ed_or_hosp`` select the ED subset and the benchmark's population;
  ``fold`` is the fold of the manuscript's experiments (``utils/folds.npy``), whose last two folds are
  the test set (``prepare_mimic_ecg``: ``fold >= max_fold - 1``); ``strat_fold`` (20 stratified folds)
  is "not used in experiments, but provided for convenience" and is not read here.

As in ``prepare_mimic_ecg``, a record is kept when it was taken in the ED or hospital (in the ED, with
``ed_only``) and has at least one code in the chosen column; its label is 1 when any code starts with
``I26`` (pulmonary embolism). The benchmark's "first ECG of a stay" restriction of its test subset is
not applied.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.data.signals import Signal, read_wfdb
from benchmark.data.sources.base import Source, register_source
from benchmark.errors import ConfigError, DataError

ECG_FOLDER = "mimic-iv-ecg"
LABEL_FOLDER = "mimic-iv-ecg-ext-icd-labels"
RECORD_LIST = "record_list.csv"
LABEL_FILE = "records_w_diag_icd10.csv"
RECORD_COLUMNS = ("subject_id", "study_id", "path")
CODE_COLUMNS = {"hosp": "all_diag_hosp", "ed": "ed_diag_ed", "all": "all_diag_all"}
LABEL_COLUMNS = ("study_id", "subject_id", "ecg_taken_in_ed", "ecg_taken_in_ed_or_hosp")
PE_PREFIX = "I26"
ECG_URL = "https://physionet.org/content/mimic-iv-ecg/1.0/"
LABEL_URL = "https://physionet.org/content/mimic-iv-ecg-ext-icd-labels/1.0.1/"


def _flag(values: pd.Series) -> np.ndarray:
    """A CSV boolean column (``True``/``False`` as pandas writes it, or 1/0) as a bool array."""
    return values.astype(str).str.strip().str.lower().isin(("true", "1", "1.0")).to_numpy()


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(has any code, has an I26* code) of a column of list literals such as ``['I2699', 'R0602']``.

    Read as text, not evaluated: a code is a quoted token, so ``I26`` right after a quote is a code
    that starts with it."""
    text = values.fillna("").astype(str)
    has_any = text.str.contains(r"['\"]\s*[A-Za-z0-9]", regex=True).to_numpy()
    has_pe = text.str.contains(r"['\"]\s*" + PE_PREFIX, regex=True).to_numpy()
    return has_any, has_pe


def missing_files_message(what: str, looked: list[Path]) -> str:
    where = ", ".join(str(p) for p in looked)
    return (f"mimic-pe: {what} not found (looked for {where}); download MIMIC-IV-ECG ({ECG_URL}) into "
            f"DATA_ROOT/{ECG_FOLDER}/ and the MIMIC-IV-ECG-ICD labels {LABEL_FILE} ({LABEL_URL}, credentialed) "
            f"into DATA_ROOT/{LABEL_FOLDER}/, then pass --data-dir DATA_ROOT or set ECG_BENCH_DATA")


@register_source
class MimicIVECG(Source):
    """``root`` is a data root holding both folders. ``codes``: ``hosp``, ``ed`` or ``all``."""

    name = "mimic-iv-ecg"
    patient_namespace = "mimic-iv"

    def __init__(self, root: str | Path, fs: float = 100.0, codes: str = "all", ed_only: bool = False):
        super().__init__(root, fs)
        if codes not in CODE_COLUMNS:
            raise ConfigError(f"--mimic-codes {codes!r}: choose {', '.join(CODE_COLUMNS)}")
        self.codes, self.ed_only = codes, bool(ed_only)
        self.max_fold = float("nan")  # the largest published fold of the whole label table

    @property
    def label_names(self) -> list[str]:
        return ["label"]

    @property
    def ecg_root(self) -> Path:
        return self.root / ECG_FOLDER

    @property
    def labels_path(self) -> Path:
        return self.root / LABEL_FOLDER / LABEL_FILE

    def available(self) -> bool:
        return (self.ecg_root / RECORD_LIST).is_file() and self.labels_path.is_file()

    def _read_csv(self, path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
        if not path.is_file():
            raise DataError(missing_files_message(path.name, [path]))
        try:
            head = pd.read_csv(path, nrows=0).columns
        except Exception as exc:
            raise DataError(f"{path}: unreadable CSV ({type(exc).__name__}: {exc})") from exc
        missing = [c for c in columns if c not in head]
        if missing:
            raise DataError(f"{path}: missing column {missing[0]!r} (expected {', '.join(columns)})")
        return pd.read_csv(path, usecols=list(columns), dtype=str, keep_default_na=False)

    def table(self) -> pd.DataFrame:
        """Every kept record: ``record_id`` (study_id), ``patient_id`` (subject_id), ``label``,
        ``file`` (the WFDB path under ``mimic-iv-ecg/``) and the published ``fold``."""
        if self._table is not None:
            return self._table
        code_column = CODE_COLUMNS[self.codes]
        labels = self._read_csv(self.labels_path, LABEL_COLUMNS + (code_column, "fold"))
        records = self._read_csv(self.ecg_root / RECORD_LIST, RECORD_COLUMNS)
        if labels["study_id"].duplicated().any():
            raise DataError(f"{self.labels_path}: study_id {labels.loc[labels['study_id'].duplicated(), 'study_id'].iloc[0]} "
                            "appears twice")
        merged = labels.merge(records, on="study_id", how="left", suffixes=("", "_records"))
        unknown = merged["path"].isna()
        if unknown.any():
            raise DataError(f"{self.labels_path}: study_id {merged.loc[unknown, 'study_id'].iloc[0]} has no row in "
                            f"{self.ecg_root / RECORD_LIST} ({int(unknown.sum())} such rows; another MIMIC-IV-ECG version?)")
        other = merged["subject_id"] != merged["subject_id_records"]
        if other.any():
            row = merged[other].iloc[0]
            raise DataError(f"{self.labels_path}: study_id {row['study_id']} belongs to subject {row['subject_id']} "
                            f"here and to {row['subject_id_records']} in {RECORD_LIST}")
        population = _flag(merged["ecg_taken_in_ed" if self.ed_only else "ecg_taken_in_ed_or_hosp"])
        has_any, has_pe = _codes(merged[code_column])
        keep = population & has_any
        self._skip("not taken in the ED" if self.ed_only else "not taken in the ED or hospital", int((~population).sum()))
        self._skip(f"no code in {code_column}", int((population & ~has_any).sum()))
        kept = merged[keep]
        # of every row, as prepare_mimic_ecg takes it before selecting a subset
        self.max_fold = pd.to_numeric(merged["fold"], errors="coerce").max()
        self._table = pd.DataFrame({
            "record_id": kept["study_id"].str.strip().to_numpy(),
            "patient_id": kept["subject_id"].str.strip().to_numpy(),
            "label": has_pe[keep].astype(int),
            "file": kept["path"].str.strip().to_numpy(),
            "fold": pd.to_numeric(kept["fold"], errors="coerce").to_numpy(),
        })
        if self._table.empty:
            raise DataError(f"{self.labels_path}: no record left (taken in the "
                            f"{'ED' if self.ed_only else 'ED or hospital'} with a code in {code_column})")
        return self._table

    def files(self, row: pd.Series) -> list[Path]:
        base = self.ecg_root / row["file"]
        return [base.with_name(base.name + ".hea"), base.with_name(base.name + ".dat")]

    def read(self, row: pd.Series) -> Signal:
        return read_wfdb(self.ecg_root / row["file"])
