"""The signal store: decoded, resampled float32 arrays on disk, opened as a read-only memmap.

One store entry holds one record set of one source at one sampling rate and length::

    <cache>/store/<source>-<fs>hz-<key16>/
        signals.npy   float32 (n_records, 12, n_samples)
        index.csv     record_id, valid_samples, content_hash (row i <-> signals[i])
        meta.json     key, shape, checksums, dropped records; written last

The key hashes the input files (path, size, mtime) and the preprocessing, so no trial parses WFDB
twice. Builds happen under a file lock in a temporary folder that is renamed into place only when
complete; a half-written or corrupt entry is detected on open and rebuilt; a failed build never
replaces a good entry. The store knows nothing of file formats: it calls ``source.read``.

Every open verifies ``signals.npy`` against the xxh3-64 checksum written at build time (bytes that
changed under an unchanged size and mtime are caught too). The cost is one pass over the memmap:
7 ms for the 14 MB stand-in, 0.23 s per page-cached GB (``scripts/bench_faults.py``).

:func:`check_records` decodes and validates every record of a cohort (the locked test included)
without keeping any signal: it lists every bad record in one error, and keeps only each record's
content hash and near-copy fingerprint (:mod:`benchmark.data.duplicates`), cached beside the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xxhash
from filelock import FileLock

from benchmark.atomic import write_atomically
from benchmark.data.duplicates import FINGERPRINT_LEAD, fingerprints
from benchmark.data.paths import cache_dir
from benchmark.data.signals import canonicalize
from benchmark.data.sources.base import Source
from benchmark.data.lazy import LazySignals
from benchmark.errors import DataError

STORE_VERSION = 1
BUILD_CHUNK = 1024  # records per step when closing up dropped slots or fingerprinting


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def xxh3_file(path: Path, chunk: int = 1 << 22) -> str:
    """Fast (non-cryptographic) checksum of a file, read in chunks (a memmap of the whole file would
    count every page in this process's memory): corruption detection, not security."""
    h = xxhash.xxh3_64()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def content_hash(array: np.ndarray) -> str:
    """Identity of a canonical signal: equal arrays give equal hashes across sources."""
    return hashlib.sha256(np.ascontiguousarray(array, dtype="<f4").data).hexdigest()[:32]  # its bytes, uncopied


def store_key(source: Source, table: pd.DataFrame, fs: float, seconds: float, on_bad: str) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([STORE_VERSION, source.name, float(fs), float(seconds), on_bad]).encode())
    for row in table.sort_values("record_id").to_dict("records"):
        h.update(str(row["record_id"]).encode() + b"\0")
        for f in source.files(row):
            try:
                st = f.stat()
                h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns};".encode())
            except OSError:
                h.update(f"{f.name}:missing;".encode())
    return h.hexdigest()


@dataclass
class SignalStore:
    """A built store entry. ``signals`` is a read-only memmap; ``index`` aligns with its rows."""

    path: Path
    signals: np.ndarray
    index: pd.DataFrame
    meta: dict = field(repr=False)

    def __getstate__(self) -> dict:  # pickled by path: worker processes reopen the memmap
        state = dict(self.__dict__)
        state.pop("_lookup", None)
        if isinstance(self.signals, np.memmap):
            state["signals"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.signals is None:
            self.signals = np.load(self.path / "signals.npy", mmap_mode="r")

    @property
    def dropped(self) -> dict[str, str]:
        return self.meta.get("dropped", {})

    def positions(self, record_ids) -> np.ndarray:
        """Rows of ``record_ids`` in ``signals``. The id -> row map is built once per store, so a
        batch costs its own size, not the store's (a training epoch calls this once a batch)."""
        lookup = self.__dict__.get("_lookup")
        if lookup is None:
            lookup = self.__dict__["_lookup"] = dict(zip(self.index["record_id"], range(len(self.index))))
        missing = [r for r in record_ids if r not in lookup]
        if missing:
            raise DataError(f"{self.path}: records not in the store: {missing[:5]}")
        return np.fromiter((lookup[r] for r in record_ids), dtype=np.int64, count=len(record_ids))

    def lazy(self, record_ids) -> LazySignals:
        """Signals of ``record_ids`` (in that order), left in the memmap until a batch is read."""
        return LazySignals(self.signals, self.positions(record_ids))

    def take(self, record_ids) -> np.ndarray:
        """Signals of ``record_ids`` (in that order) as an in-memory float32 array."""
        return self.lazy(record_ids).read()


def _entry_dir(root: Path, source: Source, fs: float, key: str) -> Path:
    return root / f"{source.name}-{int(round(fs))}hz-{key[:16]}"


def _try_open(path: Path, key: str) -> tuple[SignalStore | None, str]:
    """Open a complete, intact entry; otherwise return (None, why)."""
    meta_path, sig_path, idx_path = path / "meta.json", path / "signals.npy", path / "index.csv"
    if not path.is_dir():
        return None, "absent"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None, "meta.json missing or unreadable (half-written build)"
    if meta.get("key") != key or meta.get("version") != STORE_VERSION:
        return None, "key mismatch"
    if "signals_xxh3" not in meta:
        return None, "made by an older version without the per-open checksum"
    try:
        if sha256_file(idx_path) != meta["index_sha256"]:
            return None, "index.csv checksum mismatch"
        if sig_path.stat().st_size != meta["signals_size"]:
            return None, "signals.npy has the wrong size (truncated?)"
        if xxh3_file(sig_path) != meta["signals_xxh3"]:
            return None, "signals.npy checksum mismatch (its bytes changed)"
        signals = np.load(sig_path, mmap_mode="r")
        index = pd.read_csv(idx_path, dtype={"record_id": str, "content_hash": str})
    except (OSError, ValueError, KeyError) as exc:
        return None, f"unreadable ({type(exc).__name__})"
    if list(signals.shape) != meta["shape"] or len(index) != meta["shape"][0]:
        return None, "shape mismatch"
    return SignalStore(path, signals, index, meta), "ok"


def _npy_header(shape: tuple[int, ...]) -> bytes:
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _build(tmp: Path, source: Source, table: pd.DataFrame, fs: float, n_samples: int, key: str,
           on_bad: str, progress: bool) -> None:
    """Decode every row and append it to ``signals.npy`` with plain writes (not through a memmap,
    whose written pages would count in this process's memory), so memory stays one record deep
    whatever the cohort's size. The header is written for every row and rewritten for the kept
    ones at the end (same length, or the data are copied behind a new one in chunks)."""
    tmp.mkdir(parents=True)
    rows = table.sort_values("record_id").to_dict("records")
    kept: list[dict] = []
    dropped: dict[str, str] = {}
    iterator = iter(rows)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, total=len(rows), desc=f"decoding {source.name}", file=sys.stderr,
                        disable=not sys.stderr.isatty())
    sig_path = tmp / "signals.npy"
    header = _npy_header((len(rows), 12, n_samples))
    with open(sig_path, "wb") as fh:
        fh.write(header)
        for row in iterator:
            try:
                array, valid = canonicalize(source.read(row), fs, n_samples)
            except DataError as exc:
                if on_bad == "raise":
                    raise
                dropped[str(row["record_id"])] = str(exc)
                continue
            fh.write(np.ascontiguousarray(array, dtype="<f4").data)  # the array's buffer: no bytes copy
            kept.append({"record_id": str(row["record_id"]), "valid_samples": valid,
                         "content_hash": content_hash(array)})
    if len(kept) != len(rows):
        final = _npy_header((len(kept), 12, n_samples))
        if len(final) == len(header):
            with open(sig_path, "r+b") as fh:
                fh.write(final)
        else:  # the header changed length: copy the data behind the new one
            draft = tmp / "signals.draft.npy"
            os.replace(sig_path, draft)
            with open(draft, "rb") as src, open(sig_path, "wb") as dst:
                src.seek(len(header))
                dst.write(final)
                shutil.copyfileobj(src, dst, BUILD_CHUNK * 12 * n_samples * 4)
            draft.unlink()
    pd.DataFrame(kept, columns=["record_id", "valid_samples", "content_hash"]).to_csv(tmp / "index.csv", index=False)
    st = sig_path.stat()
    meta = {
        "version": STORE_VERSION, "key": key, "source": source.name, "fs": fs, "n_samples": n_samples,
        "shape": [len(kept), 12, n_samples], "signals_size": st.st_size, "signals_xxh3": xxh3_file(sig_path),
        "index_sha256": sha256_file(tmp / "index.csv"), "dropped": dropped,
    }
    (tmp / "meta.json.part").write_text(json.dumps(meta, indent=1))
    os.replace(tmp / "meta.json.part", tmp / "meta.json")


def open_store(source: Source, table: pd.DataFrame, fs: float, seconds: float = 10.0,
               on_bad: str = "raise", root: Path | None = None, progress: bool = False) -> SignalStore:
    """Open the store entry for ``table``'s records, building it once if needed.

    ``on_bad="raise"`` refuses a bad record (target cohorts); ``"drop"`` leaves it out and lists it
    in ``meta["dropped"]`` (public pretraining pools).
    """
    if on_bad not in ("raise", "drop"):
        raise ValueError(on_bad)
    root = Path(root) if root is not None else cache_dir() / "store"
    key = store_key(source, table, fs, seconds, on_bad)
    path = _entry_dir(root, source, fs, key)
    store, _ = _try_open(path, key)
    if store is not None:
        return store
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        store, why = _try_open(path, key)  # another process may have built it meanwhile
        if store is not None:
            return store
        if why != "absent":
            print(f"signal store {path.name}: {why}; rebuilding", file=sys.stderr)
        tmp = root / f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            _build(tmp, source, table, fs, int(round(seconds * fs)), key, on_bad, progress)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        trash = None
        if path.exists():
            trash = root / f".{path.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(path, trash)
        os.replace(tmp, path)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
        store, why = _try_open(path, key)
        if store is None:
            raise DataError(f"{path}: store entry unreadable right after building ({why})")
        return store


@dataclass(frozen=True)
class RecordCheck:
    """What validating a cohort keeps of its records: ids, content hashes, near-copy fingerprints.

    ``fingerprints`` is a read-only memmap of the cached check (4 KB a record: 400 MB for 100,000
    records), pickled by path like the store's signals, so search workers share its pages instead
    of each holding a copy."""

    record_ids: list[str]
    content_hashes: list[str]
    fingerprints: np.ndarray

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        prints = self.fingerprints
        if isinstance(prints, np.memmap) and prints.filename and prints.shape[0] == len(self.record_ids):
            state["fingerprints"] = Path(prints.filename)
        return state

    def __setstate__(self, state: dict) -> None:
        if isinstance(state["fingerprints"], Path):
            state = {**state, "fingerprints": np.load(state["fingerprints"], mmap_mode="r")}
        for name, value in state.items():
            object.__setattr__(self, name, value)


def _open_check(path: Path, prints_path: Path, key: str) -> RecordCheck | None:
    """The cached check of ``key``, its fingerprints memory-mapped; None when absent, stale or torn."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            ids, hashes = list(z["record_ids"]), list(z["content_hashes"])
        prints = np.load(prints_path, mmap_mode="r")
    except (OSError, ValueError, KeyError):
        return None  # absent or unreadable (or an older cache that kept the fingerprints inside): check again
    if prints.ndim != 2 or prints.shape[0] != len(ids) or prints.dtype != np.float32:
        return None
    return RecordCheck(ids, hashes, prints)


def check_records(source: Source, table: pd.DataFrame, fs: float, seconds: float = 10.0,
                  root: Path | None = None, what: str = "cohort", progress: bool = False) -> RecordCheck:
    """Decode and validate every record of ``table`` (nothing is kept but hashes and fingerprints).

    Every bad record is listed in ONE :class:`DataError`, so one round of fixes suffices. A passed
    check is cached beside the store (keyed like a store entry: the input files and the
    preprocessing), so later commands do not decode again; a failed check writes nothing. The
    fingerprints are written as they are computed (``<entry>.checked.fingerprints.npy``, before
    the ``.checked.npz`` that makes the check count) and come back memory-mapped: memory stays one
    chunk of records deep whatever the cohort's size.
    """
    root = Path(root) if root is not None else cache_dir() / "store"
    key = store_key(source, table, fs, seconds, "check")
    path = _entry_dir(root, source, fs, key).with_suffix(".checked.npz")
    prints_path = path.with_name(path.name[:-len(".npz")] + ".fingerprints.npy")
    cached = _open_check(path, prints_path, key)
    if cached is not None:
        return cached
    n_samples = int(round(seconds * fs))
    rows = table.sort_values("record_id").to_dict("records")
    iterator = iter(rows)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, total=len(rows), desc=f"checking {what}", file=sys.stderr,
                        disable=not sys.stderr.isatty())
    problems: list[str] = []
    ids, hashes, leads = [], [], []
    width = fingerprints(np.zeros((1, n_samples)), fs).shape[1]
    root.mkdir(parents=True, exist_ok=True)
    def write_prints(tmp: Path) -> None:
        nonlocal leads
        with open(tmp, "wb") as fh:  # plain writes: written pages do not stay in this process
            fh.write(_npy_header((len(rows), width)))
            for row in iterator:
                try:
                    array, _ = canonicalize(source.read(row), fs, n_samples)
                except DataError as exc:
                    problems.append(str(exc))
                    continue
                ids.append(str(row["record_id"]))
                hashes.append(content_hash(array))
                leads.append(array[FINGERPRINT_LEAD])
                if len(leads) == BUILD_CHUNK:  # fingerprint as we go: no lead is kept at the cohort's rate
                    fh.write(fingerprints(np.stack(leads), fs).astype("<f4").tobytes())
                    leads = []
            if leads and not problems:
                fh.write(fingerprints(np.stack(leads), fs).astype("<f4").tobytes())
        if problems:
            raise DataError(f"{what}: {len(problems)} of {len(rows)} records are bad (fix all of them, then rerun; "
                            f"nothing was written): " + " | ".join(problems))

    write_atomically(prints_path, write_prints)
    write_atomically(path, lambda tmp: np.savez(tmp, key=np.array(key), record_ids=np.array(ids),
                                                 content_hashes=np.array(hashes)), suffix=".tmp.npz")
    checked = _open_check(path, prints_path, key)
    if checked is None:
        raise DataError(f"{path}: record check unreadable right after writing it")
    return checked
