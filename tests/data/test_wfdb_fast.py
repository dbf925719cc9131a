"""The numpy reader of format-16 WFDB records gives exactly what wfdb gives, and leaves every other
case (another format, a truncated file, a missing field) to wfdb."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import wfdb

from benchmark.data.signals import read_format16, read_wfdb
from benchmark.errors import DataError
from tests.synthetic import LEADS, write_record


def _same_as_wfdb(base: Path) -> None:
    fast = read_format16(base)
    assert fast is not None
    ref = wfdb.rdrecord(str(base))
    assert np.array_equal(np.asarray(ref.p_signal).T, fast.data, equal_nan=True)
    assert fast.leads == list(ref.sig_name) and fast.fs == float(ref.fs)


def test_equals_wfdb_on_the_data_root(data_root):
    headers = sorted((data_root / "ptbxl").rglob("*.hea"))[:25]
    assert headers
    for hea in headers:
        _same_as_wfdb(hea.with_suffix(""))


def test_equals_wfdb_with_nan_offset_and_500_hz(tmp_path):
    rng = np.random.default_rng(0)
    signal = rng.normal(0, 0.5, (5000, 12))
    signal[100:110, 3] = np.nan  # stored as -32768, read as NaN
    write_record(tmp_path, "r1", signal, 500, LEADS)
    _same_as_wfdb(tmp_path / "r1")
    hea = tmp_path / "r1.hea"  # a baseline other than 0 and a gain without units
    hea.write_text(hea.read_text().replace("1000.0(0)/mV", "200.0(-7)"))
    _same_as_wfdb(tmp_path / "r1")
    assert np.isnan(read_format16(tmp_path / "r1").data[3, 100:110]).all()


def test_other_cases_go_to_wfdb(tmp_path):
    write_record(tmp_path, "r2", np.zeros((1000, 12)) + 0.1, 100, LEADS)
    hea = tmp_path / "r2.hea"
    text = hea.read_text()
    hea.write_text(text.replace(" 16 1000.0(0)/mV", " 212 1000.0(0)/mV"))
    assert read_format16(tmp_path / "r2") is None  # another format: wfdb's
    hea.write_text(text)
    dat = tmp_path / "r2.dat"
    dat.write_bytes(dat.read_bytes()[:-100])
    assert read_format16(tmp_path / "r2") is None  # truncated: wfdb names the problem
    with pytest.raises(DataError, match="r2.hea"):
        read_wfdb(tmp_path / "r2")
    assert read_format16(tmp_path / "missing") is None
