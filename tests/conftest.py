"""Shared fixtures: the data root every test reads, and a cache private to the test session.

Data are found where the product finds them (``benchmark.data.paths.data_roots``): ``--data-dir``
(a pytest option here), then ``$ECG_BENCH_DATA``, then the cache that ``python -m benchmark.data
download`` fills. When none holds PTB-XL, a synthetic PTB-XL in the same layout (``tests/synthetic.py``)
is written for the session, so the suite runs on a fresh clone; tests of facts of the real files
take ``real_data_root`` and are skipped, with the reason, when no real data is found.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
NO_REAL_DATA = ("needs the real data files (PTB-XL snapshot with cinc2021_samples/ and cpsc2018_raw_samples/): "
                "none found under --data-dir, $ECG_BENCH_DATA or the download cache")


def pytest_addoption(parser):
    parser.addoption("--data-dir", default=None,
                     help="ecg-automl-bench data root holding ptbxl/ (default: $ECG_BENCH_DATA, then the user cache)")


def pytest_configure(config):
    """Look for real data before any fixture points the environment at the test session's cache."""
    from benchmark.data.locate import find_dataset
    from benchmark.errors import DataError

    try:
        ptbxl = find_dataset("ptbxl", ["ptbxl_database.csv", "scp_statements.csv"], config.getoption("--data-dir"),
                             allow_download=False)
        config.ecg_real_data = ptbxl.parent
    except DataError:
        config.ecg_real_data = None


def pytest_report_header(config):
    root = config.ecg_real_data
    return f"ecg-automl-bench data: {root}" if root else "ecg-automl-bench data: synthetic PTB-XL (no real data found)"


@pytest.fixture(scope="session")
def real_data_root(pytestconfig) -> Path:
    """The real data root; tests that check facts of the real files are skipped without it."""
    if pytestconfig.ecg_real_data is None:
        pytest.skip(NO_REAL_DATA)
    return pytestconfig.ecg_real_data


@pytest.fixture(scope="session")
def data_root(pytestconfig, tmp_path_factory) -> Path:
    """The real data root, or a synthetic PTB-XL holding the stand-in's records."""
    if pytestconfig.ecg_real_data is not None:
        return pytestconfig.ecg_real_data
    from tests.synthetic import write_ptbxl

    return write_ptbxl(tmp_path_factory.mktemp("synthetic-data"))


@pytest.fixture(scope="session", autouse=True)
def _session_env(tmp_path_factory, data_root):
    """Every test sees the data root and a cache private to this test session."""
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
    from benchmark.data.cohorts import load_target

    return load_target("pe").with_signals()


def write_record(directory: Path, name: str, signal_mv: np.ndarray, fs: float, leads: list[str]) -> None:
    """Write a WFDB record (signal is (samples, leads) in mV)."""
    from tests.synthetic import write_record as write

    write(directory, name, signal_mv, fs, list(leads))


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
