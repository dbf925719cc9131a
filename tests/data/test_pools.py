"""Pretraining pools never share a patient or a signal with the target cohort."""

from __future__ import annotations

import pytest

from benchmark.data.cohorts import load_cohort, standin_manifest
from benchmark.data.pools import pretraining_pool
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


def test_pool_excludes_re_encoded_copies_of_cohort_records(tmp_path, standin, real_data_root):  # CinC 2021 samples
    """A user cohort holding PTB-XL pool records re-written at 500 Hz with another gain and offset
    (no signal is equal any more) and unrelated recordings (Georgia, CinC 2021): the copies leave
    the pool with a notice that counts them; every other pool record stays."""
    import numpy as np
    from scipy.signal import resample_poly

    from benchmark.data.signals import CANONICAL_LEADS, read_wfdb
    from tests.conftest import write_record

    before = pretraining_pool("ptbxl", _unrelated_cohort(tmp_path / "unrelated", real_data_root).validate())
    copied = before.record_ids[5:11]
    rows = []
    for i, (rid, x) in enumerate(zip(copied, before.X(copied))):
        sig = resample_poly(x.astype(np.float64), 5, 1, axis=1) * 1.7 + 0.3  # 500 Hz, other gain and offset
        write_record(tmp_path / "c", f"copy{rid}", sig.T, 500.0, list(CANONICAL_LEADS))
        rows.append(f"copy{rid},p{i},{i % 2}")
    for i, hea in enumerate(sorted((real_data_root / "cinc2021_samples").glob("E*.hea"))[:6]):
        sig = read_wfdb(hea.with_suffix(""))
        write_record(tmp_path / "c", hea.stem, sig.data.T, sig.fs, sig.leads)
        rows.append(f"{hea.stem},q{i},{i % 2}")
    (tmp_path / "c" / "labels.csv").write_text("record,patient_id,label\n" + "\n".join(rows) + "\n")
    cohort = load_cohort(tmp_path / "c").validate()
    assert not set(cohort.checked.content_hashes) & before.content_hashes()  # no exact copy left
    pool = pretraining_pool("ptbxl", cohort)
    assert set(before.record_ids) - set(pool.record_ids) == set(copied)  # copies out, the rest kept
    assert any(f"excluded {len(copied)} near-copies" in n for n in pool.notices)


def _unrelated_cohort(directory, data_root):
    """A one-record cohort that shares nothing with PTB-XL (a Georgia recording): the full pool."""
    from benchmark.data.signals import read_wfdb
    from tests.conftest import write_record

    hea = sorted((data_root / "cinc2021_samples").glob("E*.hea"))[-1]
    sig = read_wfdb(hea.with_suffix(""))
    write_record(directory, "g", sig.data.T, sig.fs, sig.leads)
    (directory / "labels.csv").write_text("record,patient_id,label\ng,g,1\n")
    return load_cohort(directory)


def test_near_copy_blocks_shrink_with_the_targets_and_find_the_same(monkeypatch):
    import numpy as np

    import benchmark.data.duplicates as duplicates

    rng = np.random.default_rng(0)
    targets = rng.standard_normal((500, 40)).astype(np.float32)
    candidates = np.concatenate([rng.standard_normal((300, 40)).astype(np.float32), targets[[3, 77, 499]]])
    targets /= np.linalg.norm(targets, axis=1, keepdims=True)
    candidates /= np.linalg.norm(candidates, axis=1, keepdims=True)
    one_block = duplicates.near_copies(candidates, targets, chunk=4096)
    monkeypatch.setattr(duplicates, "BLOCK_VALUES", 500 * 7)  # 7 candidates a block
    assert np.array_equal(duplicates.near_copies(candidates, targets), one_block)
    assert one_block.sum() == 3 and one_block[-3:].all()


def test_near_copies_read_the_targets_a_block_at_a_time(monkeypatch):
    """The targets (a cohort check's memory-mapped fingerprints, 4 KB a record) are read
    TARGET_ROWS rows at a time, never copied whole; the hits are those of one block."""
    import numpy as np

    import benchmark.data.duplicates as duplicates

    rng = np.random.default_rng(1)
    targets = rng.standard_normal((500, 40)).astype(np.float32)
    targets /= np.linalg.norm(targets, axis=1, keepdims=True)
    candidates = np.concatenate([rng.standard_normal((300, 40)).astype(np.float32), targets[[0, 63, 64, 499]]])
    candidates /= np.linalg.norm(candidates, axis=1, keepdims=True)
    one_block = duplicates.near_copies(candidates, targets)
    reads = []

    class Targets:  # records every read of the targets
        def __len__(self):
            return len(targets)

        def __getitem__(self, key):
            reads.append(key)
            return targets[key]

    monkeypatch.setattr(duplicates, "TARGET_ROWS", 64)
    assert np.array_equal(duplicates.near_copies(candidates, Targets()), one_block)
    assert one_block.sum() == 4 and one_block[-4:].all()
    assert len(reads) == 8 and all(isinstance(k, slice) and k.stop - k.start <= 64 for k in reads)
