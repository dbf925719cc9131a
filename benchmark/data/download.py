"""PhysioNet downloads with resume and SHA-256 verification.

PhysioNet publishes ``SHA256SUMS.txt`` at each project's root; every file we fetch is checked
against it. A download goes to ``<file>.part`` first, resumes with an HTTP ``Range`` request after
an interruption, and is renamed into place only when its checksum matches: a corrupt file is
rejected and never replaces anything. ``ECG_BENCH_MIRROR`` (or ``base_url``) points at a mirror.

:data:`REMOTES` is the one list of the public datasets the benchmark uses: each is a pretraining
source (:mod:`benchmark.data.pools`), and PTB-XL also holds the public stand-in cohort.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmark.data.store import sha256_file
from benchmark.errors import DataError

PHYSIONET = "https://physionet.org/files/"
CHUNK = 1 << 16


@dataclass(frozen=True)
class Remote:
    project: str
    version: str
    prefix: str  # only files under this path; stripped locally
    folder: str  # local folder under the data root


REMOTES = {
    "ptbxl": Remote("ptb-xl", "1.0.3", "", "ptbxl"),
    "cpsc2018": Remote("challenge-2020", "1.0.2", "training/cpsc_2018/", "cpsc2018"),
}


def base_url(override: str | None = None) -> str:
    url = override or os.environ.get("ECG_BENCH_MIRROR") or PHYSIONET
    return url.rstrip("/") + "/"


def remote(name: str) -> Remote:
    if name not in REMOTES:
        raise DataError(f"unknown dataset {name!r} to download; known: {', '.join(REMOTES)}")
    return REMOTES[name]


def project_url(name: str, url: str | None = None) -> str:
    r = remote(name)
    return f"{base_url(url)}{r.project}/{r.version}/"


def reachable(name: str, url: str | None = None, timeout: float = 3.0) -> bool:
    """Whether the dataset's checksum list answers (no internet -> False, quickly)."""
    try:
        with urllib.request.urlopen(project_url(name, url) + "SHA256SUMS.txt", timeout=timeout) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def checksums(name: str, url: str | None = None, timeout: float = 30.0) -> dict[str, str]:
    """Local relative path -> SHA-256, for the files under the dataset's prefix."""
    r = remote(name)
    src = project_url(name, url) + "SHA256SUMS.txt"
    try:
        with urllib.request.urlopen(src, timeout=timeout) as resp:
            text = resp.read().decode()
    except (OSError, urllib.error.URLError) as exc:
        raise DataError(f"{src}: cannot fetch checksum list ({exc})") from exc
    sums = {}
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) == 2 and parts[1].lstrip("*").startswith(r.prefix):
            sums[parts[1].lstrip("*")[len(r.prefix):]] = parts[0].lower()
    return sums


def download_file(url: str, dest: Path, sha256: str, retries: int = 3, timeout: float = 30.0) -> None:
    """Fetch ``url`` to ``dest`` via ``dest.part``, resuming after interruptions; verify then rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    last_error: Exception | None = None
    for _ in range(retries + 1):
        offset = part.stat().st_size if part.exists() else 0
        request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                mode = "ab" if offset and resp.status == 206 else "wb"
                expected = int(resp.headers.get("Content-Length") or -1)
                received = 0
                with open(part, mode) as fh:
                    while block := resp.read(CHUNK):
                        fh.write(block)
                        received += len(block)
                if 0 <= received < expected:
                    raise ConnectionError(f"connection closed after {received} of {expected} bytes")
            last_error = None
            break
        except urllib.error.HTTPError as exc:
            if exc.code == 416:  # range not satisfiable: the part is already complete (or too long)
                last_error = None
                break
            raise DataError(f"{url}: HTTP {exc.code}") from exc
        except (OSError, urllib.error.URLError) as exc:  # interrupted: resume from what we have
            last_error = exc
    if last_error is not None:
        raise DataError(f"{url}: download interrupted ({last_error}); run the command again to resume")
    got = sha256_file(part)
    if got != sha256:
        part.unlink()
        raise DataError(f"{dest.name}: checksum mismatch (expected {sha256[:12]}…, got {got[:12]}…); file rejected")
    os.replace(part, dest)


def download(name: str, dest_root: Path, files: list[str] | None = None, url: str | None = None,
              progress: bool = True) -> list[Path]:
    """Download ``files`` (local relative paths; default all) of dataset ``name`` under
    ``dest_root/<folder>``; files already present with the right checksum are kept."""
    r = remote(name)
    sums = checksums(name, url)
    wanted = sorted(sums) if files is None else list(files)
    unknown = [f for f in wanted if f not in sums]
    if unknown:
        raise DataError(f"{name}: {len(unknown)} files not listed in SHA256SUMS.txt (first: {unknown[0]})")
    folder = Path(dest_root) / r.folder
    todo = [f for f in wanted if not ((folder / f).is_file() and sha256_file(folder / f) == sums[f])]
    from tqdm import tqdm

    bar = tqdm(todo, desc=f"downloading {name}", unit="file", file=sys.stderr,
               disable=not progress or not todo)
    for rel in bar:
        download_file(project_url(name, url) + r.prefix + rel, folder / rel, sums[rel])
    return [folder / f for f in wanted]
