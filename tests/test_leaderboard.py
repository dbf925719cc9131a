"""The leaderboard: every number from a stored run, reproducible, the locked test opened by finalize only."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO
from tests.searchutil import load, search
from tests.test_search import _standin_copy

pytestmark = pytest.mark.slow  # every test here reads a smoke study that a search writes first


def cli(module: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, data_root):
    """A smoke study on a private copy of the stand-in's files (so tests may damage them)."""
    import os

    root = tmp_path_factory.mktemp("lb")
    data = _standin_copy(data_root, root / "data")
    env = {"ECG_BENCH_DATA": str(data)}
    old = os.environ.get("ECG_BENCH_DATA")
    os.environ["ECG_BENCH_DATA"] = str(data)
    try:
        search(root / "results", "--trials", "4", "--models", "minirocket,vgg11_1d,resnet1d18", env=env)
        yield root, data
    finally:
        os.environ["ECG_BENCH_DATA"] = old or ""


def test_table_files_and_numbers_come_from_stored_folds(smoke):
    root, data = smoke
    out = root / "board"
    proc = cli("benchmark.leaderboard", "--task", "pe", "--results-dir", str(root / "results"), "--out", str(out),
               env={"ECG_BENCH_DATA": str(data)})
    assert proc.returncode == 0, proc.stderr
    assert "CV AUROC" in proc.stdout and "NOT A PE LABEL" in proc.stdout
    study = load(root / "results")
    identity = study.user_attrs["identity"]
    for name in ("leaderboard.meta.json", "leaderboard.json", "index.html"):
        text = (out / name).read_text()
        assert "pe-standin-ptbxl" in text and identity["manifest_hash"] in text and identity["split_hash"] in text
        assert "0.1.0" in text
    table = pd.read_csv(out / "leaderboard.csv")  # plain CSV: the identity is in leaderboard.meta.json
    assert len(table) == len([t for t in study.trials if t.state.name == "COMPLETE"])
    for _, row in table.iterrows():
        folds = [f["auroc"] for f in study.trials[int(row["trial"])].user_attrs["folds"]]
        assert row["auroc_mean"] == pytest.approx(np.mean(folds), abs=1e-12)
        assert row["auroc_std"] == pytest.approx(np.std(folds, ddof=1), abs=1e-12)
        assert row["folds"] == len(folds)
    assert list(table["auroc_mean"]) == sorted(table["auroc_mean"], reverse=True)
    payload = json.loads((out / "leaderboard.json").read_text())["meta"]
    assert payload["counts"]["complete"] == len(table) and "NOT A PE LABEL" in payload["description"]
    pd.testing.assert_frame_equal(pd.read_json(out / "leaderboard.json", orient="table"),
                                  pd.read_csv(out / "leaderboard.csv", dtype=payload["dtypes"]), rtol=1e-12)
    html = (out / "index.html").read_text()
    assert "Optimization history" in html and "Plotly.newPlot" in html
    board = html.split('<div class="scroll"><table class=\'board\'>', 1)[1].split("</thead>", 1)[0]
    headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", board)]
    assert "CV AUROC" in headers and not [h for h in headers if "_" in h]  # readable, in a scroll container
    assert '<script src="http' not in html and len(html) > 1_000_000  # plotly.js inlined: no network needed


def test_reproduce_matches_stored_folds(smoke):
    root, data = smoke
    study = load(root / "results")
    deep = next(t for t in study.trials if t.state.name == "COMPLETE" and t.user_attrs["config"]["kind"] == "deep")
    proc = cli("benchmark.reproduce", "--task", "pe", "--results-dir", str(root / "results"), "--trial", str(deep.number),
               env={"ECG_BENCH_DATA": str(data)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reproduced" in proc.stdout and "NOT reproduced" not in proc.stdout
    assert proc.stdout.startswith("notice: PUBLIC STAND-IN, NOT A PE LABEL")


def test_only_finalize_opens_the_locked_test(smoke, monkeypatch):
    """Search and table ran with the test files intact but never read them (spy); then with the test
    files removed the table still works and finalize fails naming a test record."""
    import benchmark.data.signals as signals
    from benchmark.experiment import context_from_study
    from benchmark.leaderboard.finalize import finalize
    from benchmark.leaderboard.study import open_stored_study
    from benchmark.leaderboard.table import leaderboard

    root, data = smoke
    monkeypatch.setenv("ECG_BENCH_DATA", str(data))
    monkeypatch.setenv("ECG_BENCH_CACHE", str(root / "fresh-cache"))  # nothing pre-decoded: every read is visible
    opened: list[str] = []
    real = signals.read_wfdb
    monkeypatch.setattr(signals, "read_wfdb", lambda path: (opened.append(Path(path).name), real(path))[1])
    import benchmark.data.sources.ptbxl as ptbxl_module

    monkeypatch.setattr(ptbxl_module, "read_wfdb", signals.read_wfdb)
    study, _ = open_stored_study("pe", root / "results", None, None)
    args = Namespace(task="pe", data_dir=None, cohort=None, fs=100.0, folds=None, test_fraction=0.2, split_seed=0,
                     results_dir=str(root / "results"))
    ctx, split_data = context_from_study(study, args)
    leaderboard(study)
    test_files = {f"{int(r):05d}_lr" for r in ctx.split.test_ids()}
    assert opened and not set(opened) & test_files  # dev records decoded, not one test record
    opened.clear()
    finalize(study, ctx, split_data, root / "results", top=1)
    assert set(opened) == test_files  # finalize opened exactly the locked test
    removed = data / "ptbxl" / "records100" / "00000" / f"{sorted(test_files)[0]}.hea"
    removed.rename(removed.with_suffix(".away"))
    try:
        monkeypatch.setenv("ECG_BENCH_CACHE", str(root / "fresh-cache-2"))
        assert not leaderboard(study).empty
        proc = cli("benchmark.leaderboard", "finalize", "--task", "pe", "--results-dir", str(root / "results"), "--top", "1",
                   "--force", env={"ECG_BENCH_DATA": str(data), "ECG_BENCH_CACHE": str(root / "fresh-cache-3")})
        assert proc.returncode == 2 and removed.name in proc.stderr
    finally:
        removed.with_suffix(".away").rename(removed)


def test_finalize_reuses_and_force_keeps_history(smoke):
    root, data = smoke
    env = {"ECG_BENCH_DATA": str(data)}
    args = ("finalize", "--task", "pe", "--results-dir", str(root / "results"), "--top", "1")
    shutil.rmtree(root / "results" / "pe" / "finalized", ignore_errors=True)
    first = cli("benchmark.leaderboard", *args, env=env)
    assert first.returncode == 0 and "(evaluated)" in first.stdout, first.stderr
    again = cli("benchmark.leaderboard", *args, env=env)
    assert "(reused)" in again.stdout and again.stdout.split("(")[0] == first.stdout.split("(")[0]
    forced = cli("benchmark.leaderboard", *args, "--force", env=env)
    assert "(evaluated)" in forced.stdout
    history = list((root / "results" / "pe" / "finalized" / "pe-smoke" / "history").glob("*.json"))
    assert len(history) == 1
    stored = json.loads(next((root / "results" / "pe" / "finalized" / "pe-smoke").glob("trial-*.json")).read_text())
    lo, hi = stored["auroc_ci"]
    assert lo <= stored["test"]["auroc"] <= hi and stored["test_records"] == 60


def test_bad_study_and_empty_study(smoke, tmp_path):
    root, data = smoke
    bad = cli("benchmark.leaderboard", "--task", "pe", "--results-dir", str(root / "results"), "--study", "nope")
    assert bad.returncode == 2 and bad.stderr.startswith("error: study 'nope' not found") and bad.stderr.count("\n") == 1
    missing = cli("benchmark.leaderboard", "--task", "pe", "--results-dir", str(tmp_path))
    assert missing.returncode == 2 and "no study storage" in missing.stderr
    import optuna

    from benchmark.engines.storage import make_storage

    storage = make_storage(None, tmp_path / "pe" / "study.journal")
    optuna.create_study(study_name="pe-empty", storage=storage)
    empty = cli("benchmark.leaderboard", "--task", "pe", "--results-dir", str(tmp_path), "--study", "pe-empty")
    assert empty.returncode == 2 and "has no completed trial" in empty.stderr and empty.stderr.count("\n") == 1


def test_html_renders_in_headless_chromium(smoke, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
    root, data = smoke
    out = root / "board-shot"
    cli("benchmark.leaderboard", "--task", "pe", "--results-dir", str(root / "results"), "--out", str(out),
        env={"ECG_BENCH_DATA": str(data)})
    shot = tmp_path / "page.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1200,2000", "--virtual-time-budget=5000", (out / "index.html").as_uri()],
                   capture_output=True, timeout=120)
    from PIL import Image

    image = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert image.std() > 10 and (image < 128).mean() > 0.005  # text and plots, not a blank page
