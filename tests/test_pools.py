"""Pretraining pools never share a patient or a signal with the target cohort."""

from __future__ import annotations

import pytest

from benchmark.data.paths import cache_dir
from benchmark.tasks import load_cohort, pretraining_pool, standin_manifest
from benchmark.errors import DataError


def test_standin_matches_manifest_and_is_labelled_not_pe(standin):
    manifest = standin_manifest()
    assert len(standin.table) == len(manifest) == 300
    assert int(standin.table["label"].sum()) == int(manifest["label"].sum()) == 41
    assert standin.is_standin and "NOT A PE LABEL" in standin.description
    assert standin.X().shape == (300, 12, 1000)


def test_standin_and_ptbxl_pool_share_no_patient_or_record(standin, data_root):
    from benchmark.data.sources import create_source

    pool = pretraining_pool("ptbxl", standin)
    every = create_source("ptbxl", data_root / "ptbxl").table()
    others = every[~every["patient_id"].isin(set(standin.table["patient_id"]))]
    assert len(pool.table) == len(others) > 0  # every record of another patient (349 in the real snapshot)
    assert not set(pool.table["patient_id"]) & set(standin.table["patient_id"])
    assert not set(pool.table["record_id"]) & set(standin.table["record_id"])
    assert not pool.content_hashes() & standin.content_hashes()
    assert pool.y().shape == (len(others), 5)


def test_pool_excludes_equal_signals_across_id_namespaces(tmp_path, standin):
    """A user cohort made of PTB-XL pool records: ids are not comparable, content is."""
    from tests.conftest import write_record

    pool = pretraining_pool("ptbxl", standin)
    ids = pool.record_ids[:12]
    X = pool.X(ids)
    rows = []
    for i, (rid, x) in enumerate(zip(ids, X)):
        from benchmark.data.signals import CANONICAL_LEADS

        write_record(tmp_path, f"c{rid}", x.T.astype("float64"), 100.0, list(CANONICAL_LEADS))
        rows.append(f"c{rid},p{i},{int(i < 6)}")
    (tmp_path / "labels.csv").write_text("record,patient_id,label\n" + "\n".join(rows) + "\n")
    cohort = load_cohort(tmp_path).with_signals()
    shrunk = pretraining_pool("ptbxl", cohort)
    overlap = set(ids) - set(shrunk.record_ids)
    assert overlap == set(ids)  # every copied record was recognised by its signal and excluded
    assert any("signal equals" in n for n in shrunk.notices)


def test_absent_source_reported_unavailable(standin):
    with pytest.raises(DataError, match="pretraining source cpsc2018: no labelled data"):
        pretraining_pool("cpsc2018", standin)
