"""A user's cohort (what the ``pe`` task loads) in the documented layout::

    DIR/labels.csv      record,patient_id,label[,split][,codes]
                        (label 0/1; split dev|test, optional; codes: the label codes of a
                        positive, ";"-separated, optional: the leaderboard then shows recall per code)
    DIR/<record>.hea    WFDB header (+ its signal file), any sampling rate, 12 leads in any order

``record`` is the WFDB record path relative to ``DIR`` without extension (sub-folders allowed).
Every problem is refused with one line naming the file and row: a cohort is never silently
shrunk.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.data.signals import Signal, read_wfdb
from benchmark.data.sources.base import Source, register_source
from benchmark.errors import DataError

REQUIRED = ("record", "patient_id", "label")
SPLIT_VALUES = {"dev": "dev", "train": "dev", "test": "test"}


@register_source
class Cohort(Source):
    name = "cohort"
    patient_namespace = "cohort"

    @property
    def label_names(self) -> list[str]:
        return ["label"]

    @property
    def labels_path(self) -> Path:
        return self.root / "labels.csv"

    def available(self) -> bool:
        return self.labels_path.is_file()

    def table(self) -> pd.DataFrame:
        if self._table is not None:
            return self._table
        path = self.labels_path
        if not path.is_file():
            raise DataError(f"{path}: labels file not found (expected columns {', '.join(REQUIRED)}[,split])")
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        except Exception as exc:
            raise DataError(f"{path}: unreadable CSV ({type(exc).__name__}: {exc})") from exc
        raw.columns = [c.strip() for c in raw.columns]
        for col in REQUIRED:
            if col not in raw.columns:
                raise DataError(f"{path}: missing column {col!r}")
        rows = []
        seen: set[str] = set()
        problems: list[str] = []  # every bad row, reported together (one round of fixes)
        for line, r in enumerate(raw.itertuples(index=False), start=2):
            r = r._asdict()
            rec = r["record"].strip()
            where = f"{path}:{line}"
            if not rec:
                problems.append(f"{where}: empty record id")
                continue
            if rec in seen:
                problems.append(f"{where}: duplicate record id {rec!r}")
                continue
            seen.add(rec)
            if not r["patient_id"].strip():
                problems.append(f"{where}: record {rec!r} has no patient_id")
            label = r["label"].strip()
            if label not in ("0", "1"):
                shown = label or "missing"
                problems.append(f"{where}: record {rec!r} has label {shown!r}; labels must be 0 or 1")
            if not (self.root / f"{rec}.hea").is_file():
                problems.append(f"{where}: record {rec!r} has no WFDB header {self.root / (rec + '.hea')}")
            row = {"record_id": rec, "patient_id": r["patient_id"].strip(), "label": label, "file": rec}
            if "codes" in raw.columns:  # optional: the label codes of a positive, ";"-separated (recall per code)
                row["codes"] = ";".join(c.strip() for c in r["codes"].split(";") if c.strip())
            if "split" in raw.columns:
                split = r["split"].strip().lower()
                if split not in SPLIT_VALUES:
                    problems.append(f"{where}: record {rec!r} has split {r['split']!r}; use dev or test")
                row["split"] = SPLIT_VALUES.get(split, split)
            rows.append(row)
        unlabeled = sorted(
            str(h.relative_to(self.root).with_suffix("")) for h in self.root.rglob("*.hea")
        )
        problems += [f"{self.root / (u + '.hea')}: record {u!r} has no row in {path}" for u in unlabeled if u not in seen]
        if len(problems) == 1:
            raise DataError(problems[0])
        if problems:
            raise DataError(f"{path}: {len(problems)} problems (fix all of them, then rerun): " + " | ".join(problems))
        if not rows:
            raise DataError(f"{path}: no records")
        self._table = pd.DataFrame(rows).astype({"label": int})
        return self._table

    def files(self, row: pd.Series) -> list[Path]:
        hea = self.root / f"{row['file']}.hea"
        files = [hea]
        names: set[str] = set()  # 12 signal lines usually name one file: one path for it, not 12
        try:
            for line in hea.read_text(errors="replace").splitlines()[1:]:
                if line.strip() and not line.startswith("#"):
                    fname = line.split()[0]
                    if fname not in names:
                        names.add(fname)
                        if (hea.parent / fname) not in files:
                            files.append(hea.parent / fname)
        except OSError:
            pass
        return files

    def read(self, row: pd.Series) -> Signal:
        return read_wfdb(self.root / row["file"])
