"""Shared fixtures: the real data under ``../shared/data`` (or ``$ECG_BENCH_DATA``) and a private cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def _data_root() -> Path:
    env = os.environ.get("ECG_BENCH_DATA")
    root = Path(env) if env else REPO.parent / "shared" / "data"
    if not (root / "ptbxl" / "ptbxl_database.csv").is_file():
        raise RuntimeError(f"real test data not found at {root}: set ECG_BENCH_DATA")
    return root


@pytest.fixture(scope="session")
def data_root() -> Path:
    return _data_root()


@pytest.fixture(scope="session", autouse=True)
def _session_env(tmp_path_factory, data_root):
    """Every test sees the real data and a cache private to this test session."""
    cache = tmp_path_factory.mktemp("cache")
    old = {k: os.environ.get(k) for k in ("ECG_BENCH_DATA", "ECG_BENCH_CACHE", "ECG_BENCH_MIRROR")}
    os.environ["ECG_BENCH_DATA"] = str(data_root)
    os.environ["ECG_BENCH_CACHE"] = str(cache)
    os.environ["ECG_BENCH_MIRROR"] = "http://127.0.0.1:9/"  # nothing listens: tests never reach PhysioNet
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def standin():
    from benchmark.tasks import load_target

    return load_target("pe").with_signals()


def write_record(directory: Path, name: str, signal_mv: np.ndarray, fs: float, leads: list[str]) -> None:
    """Write a WFDB record (signal is (samples, leads) in mV)."""
    import wfdb

    directory.mkdir(parents=True, exist_ok=True)
    wfdb.wrsamp(name, fs=fs, units=["mV"] * len(leads), sig_name=list(leads), p_signal=signal_mv,
                fmt=["16"] * len(leads), adc_gain=[1000.0] * len(leads), baseline=[0] * len(leads),
                write_dir=str(directory))


def make_cohort(directory: Path, standin, n: int = 40, positives: int = 16, fs: float = 100.0,
                leads: list[str] | None = None) -> pd.DataFrame:
    """A small cohort directory made of real stand-in signals, in the documented layout."""
    from scipy.signal import resample_poly

    from benchmark.data.signals import CANONICAL_LEADS

    leads = leads or list(CANONICAL_LEADS)
    upper = [c.upper() for c in CANONICAL_LEADS]
    order = [upper.index(lead.upper()) if lead.upper() in upper else i for i, lead in enumerate(leads)]
    ids = standin.record_ids[:n]
    X = standin.X(ids)
    rows = []
    for i, (rid, x) in enumerate(zip(ids, X)):
        sig = x[order].astype(np.float64)
        if fs != 100.0:
            sig = resample_poly(sig, int(fs), 100, axis=1)
        write_record(directory / "records", f"r{rid}", sig.T, fs, leads)
        rows.append({"record": f"records/r{rid}", "patient_id": f"p{i // 2}", "label": int(i % (n // positives) == 0)})
    table = pd.DataFrame(rows)
    table.to_csv(directory / "labels.csv", index=False)
    return table
