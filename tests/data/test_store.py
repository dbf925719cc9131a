"""The signal store: warm reads never parse WFDB, corrupt entries are rebuilt, builds are atomic."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

import numpy as np
import pytest

from benchmark.data.sources import create_source
from benchmark.data.store import open_store
from benchmark.errors import DataError


def _ptbxl(data_root):
    src = create_source("ptbxl", data_root / "ptbxl")
    return src, src.table().iloc[:20][["record_id", "patient_id", "file"]]


def test_warm_open_reads_no_wfdb(tmp_path, data_root, monkeypatch):
    src, table = _ptbxl(data_root)
    cold = open_store(src, table, 100.0, root=tmp_path)
    monkeypatch.setattr(type(src), "read", lambda self, row: (_ for _ in ()).throw(AssertionError("parsed WFDB")))
    warm = open_store(src, table, 100.0, root=tmp_path)
    assert warm.path == cold.path
    assert np.array_equal(warm.take(list(table["record_id"])), cold.take(list(table["record_id"])))
    assert not warm.signals.flags.writeable  # shared read-only


def test_key_changes_with_preprocessing_and_files(tmp_path, data_root):
    src, table = _ptbxl(data_root)
    a = open_store(src, table, 100.0, root=tmp_path)
    b = open_store(src, table, 50.0, root=tmp_path)
    c = open_store(src, table.iloc[:10], 100.0, root=tmp_path)
    assert len({a.path, b.path, c.path}) == 3 and b.signals.shape == (20, 12, 500)


@pytest.mark.parametrize("damage", ["truncate", "flip", "flip_same_mtime", "meta"])
def test_corrupt_entry_is_detected_and_rebuilt(tmp_path, data_root, damage):
    src, table = _ptbxl(data_root)
    good = open_store(src, table, 100.0, root=tmp_path)
    expected = np.array(good.signals)
    sig = good.path / "signals.npy"
    del good
    if damage == "truncate":
        with open(sig, "r+b") as fh:
            fh.truncate(sig.stat().st_size // 2)
    elif damage.startswith("flip"):
        stat = sig.stat()
        raw = bytearray(sig.read_bytes())
        raw[-100] ^= 0xFF
        sig.write_bytes(bytes(raw))
        if damage == "flip_same_mtime":  # only the bytes changed: size and mtime are the same
            os.utime(sig, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            assert sig.stat().st_mtime_ns == stat.st_mtime_ns
    else:
        (sig.parent / "meta.json").write_text("{half")
    rebuilt = open_store(src, table, 100.0, root=tmp_path)
    assert np.array_equal(np.array(rebuilt.signals), expected)


def test_failed_build_leaves_good_entries_and_no_debris(tmp_path, data_root, monkeypatch):
    src, table = _ptbxl(data_root)
    good = open_store(src, table, 100.0, root=tmp_path)
    before = {p: p.read_bytes() for p in good.path.iterdir()}
    real_read = type(src).read

    def failing(self, row):
        if row["record_id"] == table["record_id"].iloc[5]:
            raise DataError(f"{row['file']}: corrupt")
        return real_read(self, row)

    monkeypatch.setattr(type(src), "read", failing)
    with pytest.raises(DataError, match="corrupt"):
        open_store(src, table, 50.0, root=tmp_path)  # another entry, fails half-way
    assert {p: p.read_bytes() for p in good.path.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no half-written folder


def _fail_on(monkeypatch, src, record_id, problem: str) -> None:
    """Make ``src`` fail to read one record, with the one-line problem a source reports."""
    real = type(src).read

    def read(self, row):
        if row["record_id"] == record_id:
            raise DataError(f"{row['file']}: {problem}")
        return real(self, row)

    monkeypatch.setattr(type(src), "read", read)


def test_drop_policy_lists_bad_records(tmp_path, data_root, monkeypatch):
    src, table = _ptbxl(data_root)
    bad_id = table["record_id"].iloc[3]
    _fail_on(monkeypatch, src, bad_id, "flat lead(s) V1 (no signal)")
    store = open_store(src, table, 100.0, on_bad="drop", root=tmp_path)
    assert list(store.dropped) == [bad_id] and len(store.index) == 19
    # the kept records' signals, closed up in small chunks, are those of a build without the bad one
    monkeypatch.setattr("benchmark.data.store.BUILD_CHUNK", 3)
    clean = open_store(src, table[table["record_id"] != bad_id], 100.0, root=tmp_path / "clean")
    chunked = open_store(src, table, 100.0, on_bad="drop", root=tmp_path / "chunked")
    assert list(chunked.index["record_id"]) == list(clean.index["record_id"])
    assert np.array_equal(np.asarray(chunked.signals), np.asarray(clean.signals))
    assert not list(chunked.path.glob("*.draft.npy"))


def test_validation_fingerprints_in_chunks_equal_one_pass(tmp_path, data_root, monkeypatch):
    from benchmark.data.duplicates import FINGERPRINT_LEAD, fingerprints
    from benchmark.data.store import check_records

    src, table = _ptbxl(data_root)
    monkeypatch.setattr("benchmark.data.store.BUILD_CHUNK", 6)  # 20 records: chunks of 6, 6, 6 and 2
    checked = check_records(src, table, 100.0, root=tmp_path)
    store = open_store(src, table, 100.0, root=tmp_path)
    whole = fingerprints(np.asarray(store.signals)[:, FINGERPRINT_LEAD, :], 100.0)
    assert checked.fingerprints.shape == whole.shape
    np.testing.assert_allclose(checked.fingerprints, whole, atol=1e-6)


def _race(args):
    data_root, root, counter = args
    from benchmark.data.sources.ptbxl import PTBXL

    real_read = PTBXL.read

    def counting(self, row):
        with open(counter, "a") as fh:
            fh.write(row["record_id"] + "\n")
        return real_read(self, row)

    PTBXL.read = counting
    src, table = _ptbxl(Path(data_root))
    store = open_store(src, table, 100.0, root=Path(root))
    return str(store.path), float(np.asarray(store.signals).sum())


def test_two_processes_build_once(tmp_path, data_root):
    counter = tmp_path / "reads.txt"
    with mp.get_context("spawn").Pool(2) as pool:
        results = pool.map(_race, [(str(data_root), str(tmp_path / "store"), str(counter))] * 2)
    assert results[0] == results[1]
    reads = counter.read_text().split()
    assert len(reads) == 20 == len(set(reads))  # every record decoded exactly once


class _Exploding:
    """Stands in for a store's index once the store is open: reading it again fails the test."""

    def __getitem__(self, key):
        raise AssertionError("the whole index was read again for one batch")

    def __len__(self):
        raise AssertionError("the whole index was read again for one batch")


def test_take_reads_the_index_once_not_once_a_batch(tmp_path, data_root):
    """A training epoch takes one batch at a time: the id -> row map is built on the first take
    and reused, so a batch costs its own size, not the store's (a 100,000-record store rebuilt a
    100,000-entry lookup for every batch of 64)."""
    src, table = _ptbxl(data_root)
    store = open_store(src, table, 100.0, root=tmp_path)
    ids = list(table["record_id"])
    row = {r: i for i, r in enumerate(store.index["record_id"])}
    first = store.take(ids[5:9])
    store.index = _Exploding()
    assert np.array_equal(store.take(ids[5:9]), first)
    assert np.array_equal(store.take(ids[::-1][:3]), np.asarray(store.signals)[[row[r] for r in ids[::-1][:3]]])
    with pytest.raises(DataError, match="not in the store"):
        store.take(["no-such-record"])


def test_check_fingerprints_are_memory_mapped_and_pickled_by_path(tmp_path, data_root):
    """The cohort check's fingerprints (4 KB a record) are a memmap of the cached check, fresh or
    cached, and travel to search workers by path: no worker holds its own copy."""
    import pickle

    from benchmark.data.store import check_records

    src, table = _ptbxl(data_root)
    fresh = check_records(src, table, 100.0, root=tmp_path)
    cached = check_records(src, table, 100.0, root=tmp_path)
    for checked in (fresh, cached):
        assert isinstance(checked.fingerprints, np.memmap) and not checked.fingerprints.flags.writeable
    assert np.array_equal(fresh.fingerprints, cached.fingerprints) and fresh.record_ids == cached.record_ids
    blob = pickle.dumps(cached)
    assert len(blob) < cached.fingerprints.nbytes / 4  # ids, hashes and a path, not the matrix
    back = pickle.loads(blob)
    assert isinstance(back.fingerprints, np.memmap) and np.array_equal(back.fingerprints, cached.fingerprints)
    assert back.record_ids == cached.record_ids and back.content_hashes == cached.content_hashes


def test_check_written_before_fingerprints_existed_is_made_again(tmp_path, data_root):
    """A cache of the older format (fingerprints inside the .npz, no .npy beside it) is checked again."""
    from benchmark.data.store import check_records

    src, table = _ptbxl(data_root)
    first = check_records(src, table, 100.0, root=tmp_path)
    (prints,) = tmp_path.glob("*.checked.fingerprints.npy")
    prints.unlink()
    again = check_records(src, table, 100.0, root=tmp_path)
    assert prints.is_file() and np.array_equal(np.asarray(again.fingerprints), np.asarray(first.fingerprints))


def test_failed_check_leaves_no_fingerprint_file(tmp_path, data_root, monkeypatch):
    from benchmark.data.store import check_records

    src, table = _ptbxl(data_root)
    bad = table["record_id"].iloc[7]
    _fail_on(monkeypatch, src, bad, "broken")
    with pytest.raises(DataError, match="1 of 20 records are bad"):
        check_records(src, table, 100.0, root=tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_store_fingerprints_in_chunks_equal_one_pass(tmp_path, data_root):
    from benchmark.data.duplicates import FINGERPRINT_LEAD, fingerprints, store_fingerprints

    src, table = _ptbxl(data_root)
    store = open_store(src, table, 100.0, root=tmp_path)
    whole = fingerprints(np.asarray(store.signals)[:, FINGERPRINT_LEAD, :], 100.0)
    np.testing.assert_allclose(store_fingerprints(store.signals, 100.0, chunk=6), whole, atol=1e-6)
