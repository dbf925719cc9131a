"""Every source loads the real files with the documented counts and shapes."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from benchmark.data.signals import CANONICAL_LEADS, canonicalize, read_cpsc_mat, read_wfdb
from benchmark.data.sources import create_source, list_sources
from benchmark.errors import ConfigError, DataError


def test_registry_lists_and_rejects_unknown():
    assert {"ptbxl", "cpsc2018", "cohort"} <= set(list_sources())
    with pytest.raises(ConfigError, match="did you mean ptbxl"):
        create_source("ptbxll", "/tmp")


def test_ptbxl_all_987_records_load_as_12x1000(real_data_root):
    heads = sorted((real_data_root / "ptbxl" / "records100").glob("*/*.hea"))
    assert len(heads) == 987
    for hea in heads:
        sig = read_wfdb(hea.with_suffix(""))
        x, valid = canonicalize(sig, 100.0, 1000)
        assert x.shape == (12, 1000) and valid == 1000 and sig.fs == 100
        assert x.dtype == np.float32 and np.isfinite(x).all()


def test_ptbxl_metadata_and_superclass_counts(real_data_root):
    src = create_source("ptbxl", real_data_root / "ptbxl")
    table = src.table()
    assert len(table) == 649
    assert src.skipped == {"signal present but no metadata row": 338}
    counts = table[src.label_names].sum().to_dict()
    assert counts == {"NORM": 328, "MI": 123, "STTC": 161, "CD": 138, "HYP": 71}
    assert table["strat_fold"].value_counts().sort_index().tolist() == [76, 65, 42, 61, 56, 44, 66, 52, 98, 89]


def test_ptbxl_levels_and_likelihood(real_data_root):
    form = create_source("ptbxl", real_data_root / "ptbxl", level="rhythm")
    assert form.table()["SR"].sum() == 482 and form.table()["AFIB"].sum() == 49
    strict = create_source("ptbxl", real_data_root / "ptbxl", min_likelihood=100).table()
    assert strict["NORM"].sum() < 328  # some NORM statements have likelihood < 100
    with pytest.raises(ConfigError, match="label level"):
        create_source("ptbxl", real_data_root / "ptbxl", level="superclasses")


def test_cinc2021_records_resample_to_100hz(real_data_root):
    heads = sorted((real_data_root / "cinc2021_samples").glob("*.hea"))
    assert len(heads) == 50
    refused = []
    for hea in heads:
        sig = read_wfdb(hea.with_suffix(""))
        assert sig.fs == 500 and sig.data.shape == (12, 5000)
        x, valid = canonicalize(sig, 100.0, 1000, allow_flat=True)
        assert x.shape == (12, 1000) and valid == 1000 and np.isfinite(x).all()
        try:
            canonicalize(sig, 100.0, 1000)
        except DataError as exc:
            refused.append(str(exc))
    # two real records have three flat leads: loading them as cohort records is refused, by name
    assert refused == [f"{real_data_root / 'cinc2021_samples' / name}.hea: flat lead(s) V2, V4, V6 (no signal)"
                       for name in ("JS20004", "JS20008")]
    # polyphase resampling keeps the waveform: compare against a plain decimation of a smooth lead
    sig = read_wfdb(heads[0].with_suffix(""))
    x, _ = canonicalize(sig, 100.0, 1000)
    assert np.corrcoef(x[1, 10:-10], sig.data[1, ::5][10:-10])[0, 1] > 0.95


def test_cpsc_wfdb_layout_maps_snomed_to_nine_classes(real_data_root):
    src = create_source("cpsc2018", real_data_root / "cinc2021_samples")
    table = src.table()
    assert src.layout == "wfdb" and len(src.label_names) == 9
    counts = table[src.label_names].sum()
    assert counts["Normal"] == 15 and counts["PAC"] == 20 and counts["RBBB"] == 2 and counts["PVC"] == 5
    assert (table[src.label_names].sum(axis=1) >= 1).all()
    assert sum(src.skipped.values()) == 50 - len(table)


def test_cpsc_raw_mat_true_lengths(real_data_root):
    files = sorted((real_data_root / "cpsc2018_raw_samples").glob("*.mat"))
    assert len(files) == 10
    lengths = {f.stem: read_cpsc_mat(f).data.shape[1] for f in files}
    assert lengths["A1981"] == 7950 and lengths["A1980"] == 5000
    assert all(n >= 3000 for n in lengths.values())
    x, valid = canonicalize(read_cpsc_mat(files[1]), 100.0, 1000)
    assert valid == 1000 and x.shape == (12, 1000)  # 15.9 s: the first 10 s are kept


def test_cpsc_original_layout_with_reference(tmp_path, real_data_root):
    for f in (real_data_root / "cpsc2018_raw_samples").glob("*.mat"):
        shutil.copy(f, tmp_path / f.name)
    pd.DataFrame({"Recording": ["A1980", "A1981", "A1982"], "First_label": [1, 2, 5],
                  "Second_label": [None, 7, None], "Third_label": [None, None, None]}).to_csv(tmp_path / "REFERENCE.csv", index=False)
    src = create_source("cpsc2018", tmp_path)
    table = src.table().set_index("record_id")
    assert src.layout == "original" and len(table) == 3
    assert table.loc["A1981", ["AF", "PVC"]].tolist() == [1, 1] and table.loc["A1981", "Normal"] == 0
    assert src.read(src.table().iloc[1]).data.shape == (12, 7950)


def test_cohort_any_fs_and_lead_order(tmp_path, standin):
    from tests.conftest import make_cohort

    shuffled = list(reversed(CANONICAL_LEADS))
    shuffled = [lead.upper() if lead.startswith("a") else lead for lead in shuffled]  # AVR, AVL, AVF
    make_cohort(tmp_path, standin, n=4, positives=2, fs=500.0, leads=shuffled)
    src = create_source("cohort", tmp_path)
    table = src.table()
    x, _ = canonicalize(src.read(table.iloc[0]), 100.0, 1000)
    original = standin.X([standin.record_ids[0]])[0]
    # same leads in the same order after 100 -> 500 -> 100 Hz: each lead matches itself best
    corr = np.corrcoef(x[:, 20:-20], original[:, 20:-20])[:12, 12:]
    assert (np.diag(corr) > 0.97).all() and (corr.argmax(axis=1) == np.arange(12)).all()
