"""Checks of command-line values that every command shares. Each failure is one
:class:`~benchmark.errors.ConfigError` line naming the option (exit code 2), raised before anything
is read or written. Nothing here creates a file or a folder: a path is checked by walking up to its
nearest existing ancestor."""

from __future__ import annotations

import math
import os
from pathlib import Path

from benchmark.data.signals import MIN_FS
from benchmark.errors import ConfigError

#: target sampling rates (``--fs``, Hz) the product can use: from the lowest rate a recording may
#: have (below it a 10 s ECG keeps too few samples for the models' minimum input and the 0.5-40 Hz
#: band) to 1 kHz (beyond it a 12-lead ECG holds no more information, and the store grows tenfold
#: over 100 Hz for nothing).
FS_RANGE = (MIN_FS, 1000.0)


def check_fs(fs: float, option: str = "--fs") -> float:
    low, high = FS_RANGE
    if not (isinstance(fs, (int, float)) and math.isfinite(fs) and low <= fs <= high):
        raise ConfigError(f"{option} {fs:g} Hz is outside the rates this benchmark uses ({low:g}-{high:g} Hz)")
    return float(fs)


def check_at_least(value: int | float | None, minimum: int | float, option: str) -> None:
    """``value`` (when given) is finite and at least ``minimum``."""
    if value is None:
        return
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= minimum):
        raise ConfigError(f"{option} must be at least {minimum:g}, got {value:g}")


def check_positive(value: float | None, option: str) -> None:
    """``value`` (when given) is finite and above zero."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{option} must be a positive number of seconds, got {value:g}")


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if p.exists():
            return p
    return Path(".")


def check_dir(path: str | Path | None, option: str) -> None:
    """``path`` is a folder this process may create or write into (it need not exist yet)."""
    if path is None:
        return
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{option} {path}: is a file, not a folder")
    _check_writable_ancestor(path, path, option)


def check_file(path: str | Path, option: str) -> None:
    """``path`` is a file this process may create or append to (it need not exist yet)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError(f"{option} {path}: is a folder, not a file")
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(f"{option} {path}: file is not writable")
    _check_writable_ancestor(path.parent, path, option)


def _check_writable_ancestor(folder: Path, path: Path, option: str) -> None:
    """The nearest existing ancestor of ``folder`` is a writable folder (``path`` is what the
    message names)."""
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise ConfigError(f"{option} {path}: {existing} is a file, so no folder can be made there")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {path}: folder {existing} is not writable")
