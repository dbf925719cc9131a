"""Atomic file writes, the one way every module writes a file that another process may read.

A reader sees the old file or the new one, never half of one: the content goes to a temporary
file beside the target (unique per process and call, so concurrent writers never share one), and
is renamed over it (``os.replace``, atomic on POSIX within one file system). With
``replace=False`` the first writer wins (``os.link`` refuses an existing target): a racing worker
gets ``False`` and reads the winner's file instead.

Two writes are not single files and keep their own scheme: the signal store is built in a
temporary folder and swapped in whole (:mod:`benchmark.data.store`), and a download resumes its
``.part`` file before it is checked and renamed (:mod:`benchmark.data.download`).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable


def temporary_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A fresh hidden name in ``path``'s folder (same file system, so the rename is atomic)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}")


def write_atomically(path: str | Path, write: Callable[[Path], None], replace: bool = True,
                     suffix: str = ".tmp") -> bool:
    """Call ``write(tmp)`` and move ``tmp`` to ``path``; False when ``replace=False`` and ``path``
    already existed (the temporary file is removed; ``path`` is left as it was). ``suffix``: for
    writers that insist on an extension (``numpy.savez`` adds ``.npz`` otherwise)."""
    path = Path(path)
    tmp = temporary_beside(path, suffix)
    try:
        write(tmp)
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str, replace: bool = True) -> bool:
    """:func:`write_atomically` for a text file."""
    return write_atomically(path, lambda tmp: tmp.write_text(text), replace)
