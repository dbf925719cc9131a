"""The synthetic PTB-XL the suite falls back on is read by the product as the stand-in, in every
session (also where real data are present, so CI keeps the fresh-clone path honest)."""

from __future__ import annotations

import numpy as np


def test_synthetic_ptbxl_loads_as_the_standin(tmp_path, monkeypatch, pytestconfig, data_root):
    from benchmark.data.cohorts import load_target, standin_manifest
    from benchmark.data.pools import pretraining_pool
    from tests.synthetic import write_ptbxl

    # without real data the session already runs on the synthetic folder; with it, write one here
    root = write_ptbxl(tmp_path / "data") if pytestconfig.ecg_real_data else data_root
    monkeypatch.setenv("ECG_BENCH_DATA", str(root))
    monkeypatch.setenv("ECG_BENCH_CACHE", str(tmp_path / "cache"))
    cohort = load_target("pe", data_dir=str(root)).with_signals()
    manifest = standin_manifest()
    # the product's own manifest check passed: same ids, patients and labels as the shipped manifest
    assert sorted(cohort.table["record_id"].astype(int)) == sorted(manifest["ecg_id"])
    assert (len(cohort.table), int(cohort.table["label"].sum()), cohort.table["patient_id"].nunique()) == (300, 41, 286)
    X = cohort.X()
    assert X.shape == (300, 12, 1000) and np.isfinite(X).all() and (np.ptp(X, axis=-1) > 0.1).all()
    pool = pretraining_pool("ptbxl", cohort)
    assert len(pool.table) > 0 and not set(pool.table["patient_id"]) & set(cohort.table["patient_id"])
    # positives differ from negatives where the generator put the rSR' (V1), so models can learn the label
    y = cohort.y().astype(bool)
    v1_slope = np.abs(np.diff(X[:, 6], axis=-1)).mean(axis=-1)
    assert v1_slope[y].mean() > v1_slope[~y].mean()
