"""``python -m benchmark.data describe`` for people and scripts."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def _describe(*args):
    return subprocess.run([sys.executable, "-m", "benchmark.data", "describe", *args],
                          capture_output=True, text=True, cwd=REPO)


def test_describe_json(tmp_path):
    proc = _describe("--task", "pe", "--json", "--results-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert {"records", "patients", "positives", "fs", "split_hash", "manifest_hash", "folds", "test"} <= set(info)
    assert (info["records"], info["patients"], info["positives"], info["fs"]) == (300, 286, 41, 100.0)
    assert sum(f["records"] for f in info["folds"]) + info["test"]["records"] == 300
    assert sum(f["positives"] for f in info["folds"]) + info["test"]["positives"] == 41
    assert info["is_standin"] and "NOT A PE LABEL" in info["description"]
    again = json.loads(_describe("--task", "pe", "--json", "--results-dir", str(tmp_path)).stdout)
    assert again["split_hash"] == info["split_hash"]


def test_describe_table_and_unknown_task(tmp_path):
    proc = _describe("--results-dir", str(tmp_path))
    assert proc.returncode == 0 and "locked test" in proc.stdout and "NOT A PE LABEL" in proc.stdout
    bad = _describe("--task", "pee", "--results-dir", str(tmp_path))
    assert bad.returncode == 2 and bad.stderr.strip() == "error: unknown task 'pee'; known: pe, mimic-pe, ptbxl, cpsc2018"
