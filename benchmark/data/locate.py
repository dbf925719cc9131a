"""Finding a dataset's files among the data roots, downloading what is missing when possible."""

from __future__ import annotations

from pathlib import Path

from benchmark.data import download
from benchmark.data.paths import data_roots, download_root
from benchmark.errors import DataError


def find_dataset(name: str, needed: list[str], data_dir: str | None = None, what: str = "",
                 allow_download: bool = True) -> Path:
    """The first root whose ``<folder>`` holds every file in ``needed``.

    When none does and PhysioNet (or ``ECG_BENCH_MIRROR``) answers, just those files are
    downloaded into the per-user cache; otherwise one line says where we looked and what to run.
    """
    folder = download.remote(name).folder
    roots = data_roots(data_dir)
    for root in roots:
        if all((root / folder / f).is_file() for f in needed):
            return root / folder
    if allow_download and download.reachable(name):
        download.download(name, download_root(), needed)
        return download_root() / folder
    looked = ", ".join(str(r / folder) for r in roots)
    missing = next(f for f in needed if not any((r / folder / f).is_file() for r in roots)) if needed else "?"
    raise DataError(
        f"{name}: {what or 'required'} files not found (e.g. {missing}) under {looked}, and PhysioNet is not "
        f"reachable; run `python -m benchmark.data download {name} --dest DIR` where it is, then pass "
        f"--data-dir DIR or set ECG_BENCH_DATA"
    )


def find_source_root(name: str, data_dir: str | None = None) -> Path | None:
    """The first root holding the source's folder at all (for pretraining pools), or None: a
    PhysioNet dataset's download folder, else a folder named as the source (a local-only source)."""
    folder = download.REMOTES[name].folder if name in download.REMOTES else name
    for root in data_roots(data_dir):
        if (root / folder).is_dir():
            return root / folder
    return None
