"""One atomic write: a reader sees the old file or the new one; with replace=False the first writer wins."""

from __future__ import annotations

import pytest

from benchmark.atomic import write_atomically, write_text


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "table.csv"
    write_text(path, "old\n")

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(path, broken)
    assert path.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]


def test_replace_or_first_writer_wins(tmp_path):
    path = tmp_path / "split.json"
    assert write_text(path, "first", replace=False)
    assert not write_text(path, "second", replace=False)
    assert path.read_text() == "first"
    assert write_text(path, "third") and path.read_text() == "third"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["split.json"]


def test_no_module_writes_its_own_temporary_and_rename():
    """The tmp + rename write lives in benchmark.atomic only (the store's folder swap and the
    download's resumable part are the stated exceptions)."""
    import re

    from tests.conftest import REPO

    allowed = {"atomic.py", "store.py", "download.py"}
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "benchmark").rglob("*.py")
                 if p.name not in allowed and re.search(r"os\.replace\(|os\.link\(|tempfile\.mkstemp", p.read_text())]
    assert offenders == []
