"""Synthetic PTB-XL for tests on a machine without downloaded data.

:func:`write_ptbxl` writes a folder in PTB-XL's PhysioNet layout (``ptbxl_database.csv``,
``scp_statements.csv``, ``records100/<bucket>/<id>_lr.{hea,dat}``) holding every record of the
shipped stand-in manifest (same ecg ids, patient ids and labels, so the product loads it as the
stand-in and its manifest check passes) plus a few records of other patients for the PTB-XL
pretraining pool. The signals are made-up ECG-like beats, NOT real recordings: positives carry an
rSR' (right-bundle-branch-like) complex in V1-V2 and a faster rate, so a model can learn the label,
but no number computed on them says anything about real ECGs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FS = 100
SECONDS = 10
POOL_RECORDS = 60  # pretraining-pool records (patients outside the stand-in)
POSITIVE_CODES = ("IRBBB", "CRBBB", "STACH", "RVH")
NEGATIVE_CODES = ("NORM", "IMI", "NDT", "LVH")

# A subset of the official scp_statements.csv: enough for the superclass, rhythm and stand-in labels.
STATEMENTS = pd.DataFrame(
    [
        ("NORM", "normal ECG", 1.0, None, None, "NORM", "NORM"),
        ("IMI", "inferior myocardial infarction", 1.0, None, None, "MI", "IMI"),
        ("NDT", "non-diagnostic T abnormalities", 1.0, 1.0, None, "STTC", "STTC"),
        ("IRBBB", "incomplete right bundle branch block", 1.0, None, None, "CD", "IRBBB"),
        ("CRBBB", "complete right bundle branch block", 1.0, None, None, "CD", "CRBBB"),
        ("RVH", "right ventricular hypertrophy", 1.0, None, None, "HYP", "RVH"),
        ("LVH", "left ventricular hypertrophy", 1.0, None, None, "HYP", "LVH"),
        ("SEHYP", "septal hypertrophy", 1.0, None, None, "HYP", "SEHYP"),
        ("RAO/RAE", "right atrial overload/enlargement", 1.0, None, None, "HYP", "RAO/RAE"),
        ("SR", "sinus rhythm", None, None, 1.0, None, None),
        ("STACH", "sinus tachycardia", None, None, 1.0, None, None),
    ],
    columns=["code", "description", "diagnostic", "form", "rhythm", "diagnostic_class", "diagnostic_subclass"],
).set_index("code")
STATEMENTS.index.name = None

LEADS = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]
# Typical QRS amplitude (mV) per lead of a normal beat, and the sign of the T wave.
_QRS = np.array([0.8, 1.2, 0.5, -0.9, 0.3, 0.8, -0.6, -0.3, 0.6, 1.2, 1.3, 1.0])
_T = np.array([0.2, 0.3, 0.1, -0.2, 0.1, 0.2, 0.1, 0.3, 0.35, 0.3, 0.25, 0.2])


def _gauss(t: np.ndarray, centres: np.ndarray, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((t[None, :] - centres[:, None]) / width) ** 2).sum(axis=0)


def ecg(rng: np.random.Generator, positive: bool, fs: float = FS) -> np.ndarray:
    """One 10 s, 12-lead ECG-like signal in mV, shape (samples, 12), sampled at ``fs``."""
    t = np.arange(int(round(fs * SECONDS))) / fs
    rate = rng.uniform(70, 120) if positive else rng.uniform(55, 100)
    beats = np.arange(rng.uniform(0, 0.6), SECONDS, 60.0 / rate) + rng.normal(0, 0.01, 1)
    scale = rng.uniform(0.7, 1.3, 12)
    p = _gauss(t, beats - 0.16, 0.025)
    qrs = _gauss(t, beats, 0.018)
    tw = _gauss(t, beats + 0.28, 0.05)
    sig = (0.1 * p[:, None] + qrs[:, None] * _QRS + tw[:, None] * _T) * scale
    if positive and rng.random() < 0.8:  # a late R' in V1-V2: right-bundle-branch-like
        r_prime = _gauss(t, beats + 0.06, 0.02) * rng.uniform(0.05, 0.4)
        sig[:, 6] += r_prime
        sig[:, 7] += 0.6 * r_prime
    sig += 0.1 * np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t + rng.uniform(0, 6.3))[:, None]  # baseline wander
    sig += rng.normal(0, 0.05, sig.shape)
    return sig


def write_record(directory: Path, name: str, signal_mv: np.ndarray, fs: float = FS, leads: list[str] = LEADS) -> None:
    """A WFDB record (``signal_mv`` is (samples, leads) in mV), format 16 at 1000 adu/mV as PTB-XL
    stores it, NaN as WFDB's invalid sample; written directly because ``wfdb.wrsamp`` costs about
    0.15 s per record. ``wfdb.rdrecord`` reads it back to within 0.5 uV."""
    directory.mkdir(parents=True, exist_ok=True)
    scaled = np.round(np.asarray(signal_mv, dtype=np.float64) * 1000.0)
    digital = np.where(np.isnan(scaled), -32768, scaled).astype("<i2")
    (directory / f"{name}.dat").write_bytes(digital.tobytes())
    checksums = digital.astype(np.int64).sum(axis=0) % 65536
    lines = [f"{name} {len(leads)} {fs:g} {len(digital)}"]
    lines += [f"{name}.dat 16 1000.0(0)/mV 16 0 {digital[0, j]} {checksums[j]} 0 {lead}" for j, lead in enumerate(leads)]
    (directory / f"{name}.hea").write_text("\n".join(lines) + "\n")


def write_ptbxl(root: Path, seed: int = 0) -> Path:
    """Write the synthetic PTB-XL folder ``root/ptbxl``; returns ``root`` (a data root)."""
    from benchmark.data.cohorts import standin_manifest

    rng = np.random.default_rng(seed)
    folder = root / "ptbxl"
    manifest = standin_manifest()
    rows = []
    pool_ids = 2000 + np.arange(POOL_RECORDS)
    pool_patients = 90000 + np.arange(POOL_RECORDS) // 2
    records = [(int(e), int(p), int(lab), 1 + i % 5) for i, (e, p, lab) in
               enumerate(manifest[["ecg_id", "patient_id", "label"]].itertuples(index=False))]
    records += [(int(e), int(p), int(i % 3 == 0), 6 + i % 5) for i, (e, p) in enumerate(zip(pool_ids, pool_patients))]
    for ecg_id, patient, label, fold in records:
        codes = {str(rng.choice(POSITIVE_CODES if label else NEGATIVE_CODES)): 100.0, "SR": 0.0}
        stem = f"{ecg_id:05d}_lr"
        bucket = f"records100/{ecg_id // 1000 * 1000:05d}"
        write_record(folder / bucket, stem, ecg(rng, bool(label)))
        rows.append({"ecg_id": ecg_id, "patient_id": float(patient), "scp_codes": str(codes), "strat_fold": fold,
                     "filename_lr": f"{bucket}/{stem}", "filename_hr": f"{bucket.replace('100', '500')}/{ecg_id:05d}_hr"})
    pd.DataFrame(rows).to_csv(folder / "ptbxl_database.csv", index=False)
    STATEMENTS.to_csv(folder / "scp_statements.csv")
    return root
