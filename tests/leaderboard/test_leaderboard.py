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
import benchmark

from benchmark.leaderboard.stats import wilson_interval
from tests.conftest import REPO
from tests.searchutil import load, search
from tests.e2e.test_search import _standin_copy

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
    printed = " ".join(proc.stdout.split())  # the terminal may wrap the notes
    assert "selection score" in printed and "Nadeau-Bengio" in printed and "locked test" in printed
    study = load(root / "results")
    identity = study.user_attrs["identity"]
    for name in ("leaderboard.meta.json", "leaderboard.json", "index.html"):
        text = (out / name).read_text()
        assert "pe-standin-ptbxl" in text and identity["manifest_hash"] in text and identity["split_hash"] in text
        assert benchmark.__version__ in text
    table = pd.read_csv(out / "leaderboard.csv")  # plain CSV: the identity is in leaderboard.meta.json
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    # the table ranks anchor and search trials; an ablation cell runs on other folds (the answer table)
    assert len(table) == len([t for t in complete if t.user_attrs["plan"]["stage"] != "ablation"]) < len(complete)
    for _, row in table.iterrows():
        folds = [f["auroc"] for f in study.trials[int(row["trial"])].user_attrs["folds"]]
        assert row["auroc_mean"] == pytest.approx(np.mean(folds), abs=1e-12)
        assert row["auroc_std"] == pytest.approx(np.std(folds, ddof=1), abs=1e-12)
        assert row["folds"] == len(folds)
    assert list(table["auroc_mean"]) == sorted(table["auroc_mean"], reverse=True)
    payload = json.loads((out / "leaderboard.json").read_text())["meta"]
    assert payload["counts"]["complete"] == len(complete) and "NOT A PE LABEL" in payload["description"]
    pd.testing.assert_frame_equal(pd.read_json(out / "leaderboard.json", orient="table"),
                                  pd.read_csv(out / "leaderboard.csv", dtype=payload["dtypes"]), rtol=1e-12)
    assert "Nadeau-Bengio" in payload["interval_method"] and "selection score" in payload["selection_score"]
    ranking = payload["family_ranking"]
    # the ranking compares the families with a complete random draw (equal budget) and lists the rest
    ranked, unranked = ranking["families"], ranking["families_without_a_complete_draw"]
    assert not set(ranked) & set(unranked)
    assert set(ranked) | set(unranked) == set(pd.read_csv(out / "families.csv")["family"])
    assert (out / "cd_diagram.svg").exists() == (ranking["nemenyi_p"] is not None)
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
    """Search and table ran with the test files intact but never decoded them into their data (spy);
    then with the test files removed the table still works and finalize fails naming a test record.

    The one permitted read of locked-test files outside finalize is the up-front validation of every
    record (issue 13), which keeps hashes and fingerprints only: the spy counts its reads apart."""
    import benchmark.data.dataset as dataset
    import benchmark.data.signals as signals
    from benchmark.cli.experiment import context_from_study
    from benchmark.leaderboard.finalize import finalize
    from benchmark.leaderboard.study import open_stored_study
    from benchmark.leaderboard.table import leaderboard

    root, data = smoke
    monkeypatch.setenv("ECG_BENCH_DATA", str(data))
    monkeypatch.setenv("ECG_BENCH_CACHE", str(root / "fresh-cache"))  # nothing pre-decoded: every read is visible
    opened: list[str] = []
    validated: list[str] = []
    validating = [False]
    real = signals.read_wfdb
    monkeypatch.setattr(signals, "read_wfdb",
                        lambda path: ((validated if validating[0] else opened).append(Path(path).name), real(path))[1])
    real_check = dataset.check_records

    def check(*a, **k):
        validating[0] = True
        try:
            result = real_check(*a, **k)
        finally:
            validating[0] = False
        # validation keeps ids, hashes and lead-II fingerprints (for near-copy pool exclusion), never signals
        assert set(vars(result)) == {"record_ids", "content_hashes", "fingerprints"}
        return result

    monkeypatch.setattr(dataset, "check_records", check)
    import benchmark.data.sources.ptbxl as ptbxl_module

    monkeypatch.setattr(ptbxl_module, "read_wfdb", signals.read_wfdb)
    study, _ = open_stored_study("pe", root / "results", None, None)
    args = Namespace(task="pe", data_dir=None, cohort=None, fs=100.0, folds=None, test_fraction=0.2, split_seed=0,
                     results_dir=str(root / "results"))
    ctx, split_data = context_from_study(study, args)
    leaderboard(study)
    test_files = {f"{int(r):05d}_lr" for r in ctx.split.test_ids()}
    assert opened and not set(opened) & test_files  # dev records decoded, not one test record
    assert test_files <= set(validated)  # ... while every test record was validated up front
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


def test_finalize_reuses_and_force_keeps_history(smoke, tmp_path):
    """One pre-chosen configuration by default; the same request reuses it; a second look at the
    locked test is refused without --force and counted with it; every output carries the stand-in
    notice and the count; finalize refreshes the page."""
    root, data = smoke
    env = {"ECG_BENCH_DATA": str(data)}
    out = tmp_path / "board"
    # options before the subcommand are honoured (issue 14 item 4)
    args = ("--task", "pe", "--results-dir", str(root / "results"), "--out", str(out), "finalize")
    shutil.rmtree(root / "results" / "pe" / "finalized", ignore_errors=True)
    first = cli("benchmark.leaderboard", *args, env=env)
    assert first.returncode == 0 and "(evaluated)" in first.stdout, first.stderr
    assert first.stdout.count("(evaluated)") == 1 and "NOT A PE LABEL" in first.stdout
    assert "1 configuration(s) in total have seen it" in first.stdout
    page = (out / "index.html").read_text()
    assert "Not finalized yet" not in page and "1 configuration(s) in total have seen it" in page
    assert "1 configuration(s)" in json.loads((out / "leaderboard.meta.json").read_text())["locked_test"]
    again = cli("benchmark.leaderboard", *args, env=env)
    assert "(reused)" in again.stdout and again.stdout.split("(")[0] == first.stdout.split("(")[0]
    second_look = cli("benchmark.leaderboard", *args, "--top", "2", env=env)
    assert second_look.returncode == 2 and "--force" in second_look.stderr and second_look.stderr.count("\n") == 1
    forced = cli("benchmark.leaderboard", *args, "--force", env=env)
    assert "(evaluated)" in forced.stdout and "opened 2 time(s), 1 of them forced" in forced.stdout
    folder = root / "results" / "pe" / "finalized" / "pe-smoke"
    assert len(list((folder / "history").glob("*.json"))) == 1
    assert len((folder / "locked_test_log.jsonl").read_text().splitlines()) == 2
    stored = json.loads(next(folder.glob("trial-*.json")).read_text())
    assert stored["is_standin"] and "NOT A PE LABEL" in stored["notice"] and stored["locked_test_configurations_seen"] == 1
    for name in ("auroc", "auprc", "sensitivity", "specificity"):
        lo, hi = stored[f"{name}_ci"]
        assert lo <= stored["test"][name] <= hi
    from benchmark.data.splits import load_split

    split = load_split(next((root / "results" / "pe").glob("split-*.json")))
    assert stored["test_records"] == len(split.test_ids()) and 0 < stored["test_patients"] <= stored["test_records"]
    assert stored["sensitivity_ci"] == pytest.approx(list(wilson_interval(stored["true_positives"],
                                                                          stored["test_positives"])))


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


def test_readers_find_the_study_through_the_storage_variable(tmp_path, monkeypatch):
    """With no journal under --results-dir, the reading commands open $ECG_BENCH_STORAGE (as search
    does), rather than saying there is no storage."""
    import optuna

    from benchmark.engines.storage import make_storage
    from benchmark.errors import ConfigError
    from benchmark.leaderboard.study import open_stored_study

    journal = tmp_path / "elsewhere" / "study.journal"
    made = optuna.create_study(study_name="pe-shared", storage=make_storage(None, journal), direction="maximize")
    made.set_user_attr("identity", {"task": "pe"})
    empty = tmp_path / "results"
    with pytest.raises(ConfigError, match="no study storage at .*or set \\$ECG_BENCH_STORAGE"):
        open_stored_study("pe", empty, None, None)
    monkeypatch.setenv("ECG_BENCH_STORAGE", f"journal:{journal}")
    study, _ = open_stored_study("pe", empty, None, None)
    assert study.study_name == "pe-shared" and not (empty / "pe" / "study.journal").exists()


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
