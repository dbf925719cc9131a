"""PTB-XL in its PhysioNet layout: ``ptbxl_database.csv``, ``scp_statements.csv``, ``records100/``,
``records500/`` (Wagner et al., Scientific Data 2020; CC BY 4.0).

Labels follow the official aggregation through ``scp_statements.csv``: ``superclass``
(``diagnostic_class``), ``subclass`` (``diagnostic_subclass``), ``diagnostic`` (codes with
``diagnostic == 1``), ``form`` and ``rhythm``. A code counts when its likelihood is at least
``min_likelihood`` (0 = any likelihood, as in the benchmark of Strodthoff et al.).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from benchmark.data.signals import Signal, read_wfdb
from benchmark.data.sources.base import Source, register_source
from benchmark.errors import ConfigError, DataError

LEVELS = ("superclass", "subclass", "diagnostic", "form", "rhythm")


@register_source
class PTBXL(Source):
    name = "ptbxl"
    patient_namespace = "ptbxl"
    pretraining = True

    def __init__(self, root: str | Path, level: str = "superclass", min_likelihood: float = 0.0,
                 fs: float = 100.0):
        super().__init__(root, fs)
        if level not in LEVELS:
            raise ConfigError(f"ptbxl: unknown label level {level!r}; choose one of {', '.join(LEVELS)}")
        self.level = level
        self.min_likelihood = float(min_likelihood)
        self.resolution = "lr" if fs <= 100 else "hr"
        self._table_requires = True
        self._labels: list[str] | None = None
        self.missing: list[str] = []  # metadata rows whose signal files are absent

    # -- metadata ---------------------------------------------------------------------------
    def available(self) -> bool:
        return (self.root / "ptbxl_database.csv").is_file() and (self.root / "scp_statements.csv").is_file()

    def _statements(self) -> pd.DataFrame:
        path = self.root / "scp_statements.csv"
        try:
            return pd.read_csv(path, index_col=0)
        except Exception as exc:
            raise DataError(f"{path}: unreadable ({type(exc).__name__}: {exc})") from exc

    def code_map(self) -> dict[str, list[str]]:
        """SCP code -> the labels it maps to at this level."""
        st = self._statements()
        if self.level in ("superclass", "subclass"):
            col = "diagnostic_class" if self.level == "superclass" else "diagnostic_subclass"
            st = st[st["diagnostic"] == 1]
            return {code: [str(v)] for code, v in st[col].items() if isinstance(v, str)}
        st = st[st[self.level] == 1]
        return {code: [code] for code in st.index}

    @property
    def label_names(self) -> list[str]:
        if self._labels is None:
            self._labels = sorted({lab for labs in self.code_map().values() for lab in labs})
        return self._labels

    def table(self, require_signals: bool = True) -> pd.DataFrame:
        """Labelled records; with ``require_signals`` only those whose files are on disk."""
        if self._table is not None and self._table_requires == require_signals:
            return self._table
        self.skipped, self.missing = {}, []
        if not self.available():
            raise DataError(f"{self.root}: PTB-XL metadata (ptbxl_database.csv, scp_statements.csv) not found")
        db_path = self.root / "ptbxl_database.csv"
        try:
            db = pd.read_csv(db_path)
            codes = db["scp_codes"].map(ast.literal_eval)
        except Exception as exc:
            raise DataError(f"{db_path}: unreadable ({type(exc).__name__}: {exc})") from exc
        code_map = self.code_map()
        names = self.label_names
        rows = []
        file_col = f"filename_{self.resolution}"
        on_disk = self._records_on_disk()
        for r, scp in zip(db[["ecg_id", "patient_id", "strat_fold", file_col]].to_dict("records"), codes):
            fname = str(r[file_col])
            if fname not in on_disk:
                self.missing.append(fname)
                if require_signals:
                    continue
            on_disk.discard(fname)
            labels = dict.fromkeys(names, 0)
            for code, likelihood in scp.items():
                if likelihood >= self.min_likelihood:
                    for lab in code_map.get(code, []):
                        labels[lab] = 1
            rows.append({
                "record_id": str(int(r["ecg_id"])),
                "patient_id": str(int(r["patient_id"])),
                "strat_fold": int(r["strat_fold"]),
                "scp_codes": scp,
                "file": fname,
                **labels,
            })
        self._skip("signal present but no metadata row", len(on_disk))
        if require_signals:
            self._skip("metadata row but signal files missing", len(self.missing))
        table = pd.DataFrame(rows)
        if table.empty:
            table = pd.DataFrame(columns=["record_id", "patient_id", "strat_fold", "scp_codes", "file", *names])
        self._table, self._table_requires = table, require_signals
        return table

    def _records_on_disk(self) -> set[str]:
        folder = self.root / ("records100" if self.resolution == "lr" else "records500")
        if not folder.is_dir():
            return set()
        return {str(p.relative_to(self.root).with_suffix("")) for p in folder.glob("*/*.hea")}

    # -- signals ----------------------------------------------------------------------------
    def files(self, row: pd.Series) -> list[Path]:
        base = self.root / row["file"]
        return [base.with_suffix(".hea"), base.with_suffix(".dat")]

    def read(self, row: pd.Series) -> Signal:
        return read_wfdb(self.root / row["file"])


def has_any_code(scp_codes: dict, codes: set[str], min_likelihood: float = 0.0) -> int:
    """1 if any of ``codes`` is present at ``min_likelihood`` or more."""
    return int(any(c in codes and lk >= min_likelihood for c, lk in scp_codes.items()))

