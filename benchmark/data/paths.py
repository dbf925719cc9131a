"""Where data and caches live: ``--data-dir`` > ``ECG_BENCH_DATA`` > a per-user cache directory."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Per-user cache (signal store, checkpoints, downloads): ``ECG_BENCH_CACHE`` or XDG cache."""
    env = os.environ.get("ECG_BENCH_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "ecg-automl-bench"


def data_roots(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Data roots in priority order; the last one is the download cache."""
    roots: list[Path] = []
    if data_dir:
        roots.append(Path(data_dir).expanduser())
    env = os.environ.get("ECG_BENCH_DATA")
    if env:
        roots.append(Path(env).expanduser())
    roots.append(cache_dir() / "data")
    seen: list[Path] = []
    for root in roots:
        if root not in seen:
            seen.append(root)
    return seen


def download_root() -> Path:
    """Where on-demand downloads go."""
    return cache_dir() / "data"
