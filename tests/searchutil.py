"""Helpers for tests that run the search CLI and read its study."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import optuna

from tests.conftest import REPO


def search(results: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    import os

    cmd = [sys.executable, "-m", "benchmark.search", "--task", "pe", "--budget", "smoke", "--results-dir", str(results), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"search failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return proc


def load(results: Path, name: str = "pe-smoke") -> optuna.Study:
    from benchmark.engines.storage import make_storage

    storage = make_storage(None, results / "pe" / "study.journal")
    return optuna.load_study(study_name=name, storage=storage)
