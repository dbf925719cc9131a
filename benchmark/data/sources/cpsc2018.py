"""CPSC2018 (Liu et al., 2018) in either distribution, as 9-class multi-label data.

- original: MATLAB files with a struct ``ECG`` (``data`` 12×N at 500 Hz, 1000/mV) plus
  ``REFERENCE.csv`` (``Recording,First_label,Second_label,Third_label``, classes 1-9);
- WFDB / PhysioNet-CinC: ``.hea`` + ``.mat`` records whose header has ``# Dx: <SNOMED-CT codes>``,
  mapped to the 9 CPSC classes with the CinC equivalences (RBBB/CRBBB, PAC/SVPB, PVC/VPB).

CPSC publishes no patient ids: each record is its own patient.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.data.signals import Signal, read_cpsc_mat, read_wfdb
from benchmark.data.sources.base import Source, register_source
from benchmark.errors import DataError

CLASSES = ["Normal", "AF", "I-AVB", "LBBB", "RBBB", "PAC", "PVC", "STD", "STE"]  # REFERENCE codes 1..9
SNOMED = {
    "426783006": "Normal", "164889003": "AF", "270492004": "I-AVB",
    "164909002": "LBBB", "733534002": "LBBB",
    "59118001": "RBBB", "713427006": "RBBB",
    "284470004": "PAC", "63593006": "PAC",
    "164884008": "PVC", "427172004": "PVC", "17338001": "PVC",
    "429622005": "STD", "164931005": "STE",
}


def header_dx(hea: Path) -> list[str]:
    """SNOMED codes from a header's ``# Dx:`` comment (empty if none)."""
    try:
        text = hea.read_text(errors="replace")
    except OSError as exc:
        raise DataError(f"{hea}: unreadable header ({exc.strerror})") from exc
    for line in text.splitlines():
        body = line.lstrip("#").strip()
        if body.lower().startswith("dx:"):
            return [c.strip() for c in body[3:].split(",") if c.strip()]
    return []


@register_source
class CPSC2018(Source):
    name = "cpsc2018"
    patient_namespace = "cpsc2018"
    pretraining = True

    @property
    def label_names(self) -> list[str]:
        return list(CLASSES)

    @property
    def layout(self) -> str | None:
        if not self.root.is_dir():
            return None
        if next(self.root.rglob("*.hea"), None) is not None:
            return "wfdb"
        if (self.root / "REFERENCE.csv").is_file():
            return "original"
        return None

    def available(self) -> bool:
        return self.layout is not None

    def table(self) -> pd.DataFrame:
        if self._table is not None:
            return self._table
        layout = self.layout
        if layout is None:
            raise DataError(f"{self.root}: no CPSC2018 labels found (neither WFDB headers with '# Dx:' nor REFERENCE.csv)")
        rows = self._wfdb_rows() if layout == "wfdb" else self._original_rows()
        self._table = pd.DataFrame(rows, columns=["record_id", "patient_id", "file", "format", *CLASSES])
        return self._table

    def _row(self, record_id: str, file: str, fmt: str, labels: set[str]) -> dict:
        return {"record_id": record_id, "patient_id": record_id, "file": file, "format": fmt,
                **{c: int(c in labels) for c in CLASSES}}

    def _wfdb_rows(self) -> list[dict]:
        rows = []
        for hea in sorted(self.root.rglob("*.hea")):
            labels = {SNOMED[c] for c in header_dx(hea) if c in SNOMED}
            if not labels:
                self._skip("no CPSC class among the header's Dx codes")
                continue
            rows.append(self._row(hea.stem, str(hea.relative_to(self.root).with_suffix("")), "wfdb", labels))
        return rows

    def _original_rows(self) -> list[dict]:
        ref_path = self.root / "REFERENCE.csv"
        try:
            ref = pd.read_csv(ref_path, dtype=str)
        except Exception as exc:
            raise DataError(f"{ref_path}: unreadable ({type(exc).__name__})") from exc
        if "Recording" not in ref.columns:
            raise DataError(f"{ref_path}: missing column 'Recording'")
        label_cols = [c for c in ("First_label", "Second_label", "Third_label") if c in ref.columns]
        rows = []
        for _, r in ref.iterrows():
            rec = str(r["Recording"]).strip()
            labels = set()
            for col in label_cols:
                value = r[col]
                if isinstance(value, str) and value.strip():
                    code = int(float(value))
                    if not 1 <= code <= 9:
                        raise DataError(f"{ref_path}: record {rec}: label {code} is not a CPSC class 1-9")
                    labels.add(CLASSES[code - 1])
            if not (self.root / f"{rec}.mat").is_file():
                self._skip("REFERENCE row but .mat file missing")
                continue
            rows.append(self._row(rec, f"{rec}.mat", "original", labels))
        return rows

    def files(self, row: pd.Series) -> list[Path]:
        if row["format"] == "original":
            return [self.root / row["file"]]
        base = self.root / row["file"]
        return [base.with_suffix(".hea"), base.with_suffix(".mat")]

    def read(self, row: pd.Series) -> Signal:
        if row["format"] == "original":
            return read_cpsc_mat(self.root / row["file"])
        return read_wfdb(self.root / row["file"])
