"""Downloads against a local HTTP server on 127.0.0.1 serving real files from ../shared/data."""

from __future__ import annotations

import hashlib
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmark.data import download as dl
from benchmark.data.locate import find_dataset
from benchmark.errors import DataError

FILES = ["ptbxl_database.csv", "scp_statements.csv", "records100/00000/00001_lr.hea", "records100/00000/00001_lr.dat",
         "records100/00000/00002_lr.hea", "records100/00000/00002_lr.dat"]


class RangeHandler(SimpleHTTPRequestHandler):
    """Static files with ``Range`` support; ``cut`` makes the first GET of a path stop half-way."""

    cut: set[str] = set()
    ranges: list[str] = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            return self.send_error(404)
        data = path.read_bytes()
        start = 0
        header = self.headers.get("Range")
        if header:
            self.ranges.append(f"{self.path} {header}")
            start = int(header.split("=")[1].split("-")[0])
            if start >= len(data):
                return self.send_error(416)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path in self.cut:
            self.cut.discard(self.path)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)  # connection drops mid-file
            return
        self.wfile.write(body)


@pytest.fixture
def mirror(tmp_path, data_root, monkeypatch):
    """A PhysioNet-shaped mirror of a few PTB-XL files with a SHA256SUMS.txt."""
    root = tmp_path / "mirror"
    project = root / "ptb-xl" / "1.0.3"
    sums = []
    for rel in FILES:
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_root / "ptbxl" / rel, project / rel)
        sums.append(f"{hashlib.sha256((project / rel).read_bytes()).hexdigest()}  {rel}")
    (project / "SHA256SUMS.txt").write_text("\n".join(sums) + "\n")
    RangeHandler.cut, RangeHandler.ranges = set(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(RangeHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    monkeypatch.setenv("ECG_BENCH_MIRROR", url)
    yield project
    server.shutdown()


def test_normal_download_verifies(mirror, tmp_path):
    paths = dl.download("ptbxl", tmp_path / "dest", progress=False)
    assert len(paths) == len(FILES)
    for rel in FILES:
        assert (tmp_path / "dest" / "ptbxl" / rel).read_bytes() == (mirror / rel).read_bytes()
    assert not list((tmp_path / "dest").rglob("*.part"))


def test_interrupted_download_resumes(mirror, tmp_path):
    RangeHandler.cut = {"/ptb-xl/1.0.3/ptbxl_database.csv"}
    dl.download("ptbxl", tmp_path / "dest", ["ptbxl_database.csv"], progress=False)
    assert (tmp_path / "dest" / "ptbxl" / "ptbxl_database.csv").read_bytes() == (mirror / "ptbxl_database.csv").read_bytes()
    assert any(r.startswith("/ptb-xl/1.0.3/ptbxl_database.csv bytes=") for r in RangeHandler.ranges)


def test_partial_file_from_earlier_run_is_resumed(mirror, tmp_path):
    dest = tmp_path / "dest" / "ptbxl" / "scp_statements.csv"
    dest.parent.mkdir(parents=True)
    full = (mirror / "scp_statements.csv").read_bytes()
    done = len(full) // 2
    dest.with_name(dest.name + ".part").write_bytes(full[:done])
    dl.download("ptbxl", tmp_path / "dest", ["scp_statements.csv"], progress=False)
    assert dest.read_bytes() == full
    assert RangeHandler.ranges == [f"/ptb-xl/1.0.3/scp_statements.csv bytes={done}-"]


def test_corrupted_file_rejected(mirror, tmp_path):
    target = mirror / "records100/00000/00001_lr.dat"
    raw = bytearray(target.read_bytes())
    raw[10] ^= 0xFF
    target.write_bytes(bytes(raw))  # served bytes no longer match SHA256SUMS.txt
    with pytest.raises(DataError, match="00001_lr.dat: checksum mismatch"):
        dl.download("ptbxl", tmp_path / "dest", ["records100/00000/00001_lr.dat"], progress=False)
    assert not list((tmp_path / "dest").rglob("00001_lr.dat*"))


def test_missing_records_are_fetched_on_first_use(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("ECG_BENCH_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("ECG_BENCH_CACHE", str(tmp_path / "cache"))
    root = find_dataset("ptbxl", FILES[:4])
    assert root == tmp_path / "cache" / "data" / "ptbxl"
    assert (root / "records100/00000/00001_lr.dat").is_file() and not (root / "records100/00000/00002_lr.dat").exists()


def test_unreachable_gives_one_line_with_command(tmp_path, monkeypatch):
    monkeypatch.setenv("ECG_BENCH_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("ECG_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ECG_BENCH_MIRROR", "http://127.0.0.1:9/")
    with pytest.raises(DataError) as info:
        find_dataset("ptbxl", FILES, what="stand-in cohort")
    msg = str(info.value)
    assert "ptbxl" in msg and str(tmp_path / "empty" / "ptbxl") in msg
    assert "python -m benchmark.data download ptbxl" in msg and "\n" not in msg
