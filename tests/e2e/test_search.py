"""The main command: one joint search, resumable, several workers, faults recorded, test locked away."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

from benchmark.study.space import SpaceEntry, all_models, check_space, load_spaces
from benchmark.errors import ConfigError
from tests.conftest import REPO
from tests.searchutil import load, search

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def test_space_covers_every_family():
    spaces = load_spaces()
    deep = all_models("deep")
    baselines = all_models("baseline")
    assert {"resnet1d18", "xresnet1d50", "inceptiontime1d", "vgg16_1d", "alexnet1d", "lstm", "gru", "crnn",
            "transformer1d", "hsmnet", "s4d"} <= set(deep)
    assert {"minirocket", "multirocket", "rocket", "arsenal", "catch22_forest"} <= set(baselines)
    assert all(e.file.endswith(".py") for e in spaces.values())


def test_joint_space_is_conditional():
    from benchmark.study.budgets import get_budget
    from benchmark.study.space import suggest_config

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    seen_deep = seen_base = False
    for _ in range(40):
        trial = study.ask()
        config = suggest_config(trial, get_budget("small"), ["none", "ptbxl"]).to_dict()
        family = config["family"]
        assert all(k.split(".")[0] == family for k in trial.params if "." in k)
        if config["kind"] == "baseline":
            seen_base = True
            assert "crop_seconds" not in trial.params and "lr" not in trial.params
        else:
            seen_deep = True
            assert ("freeze_depth" in trial.params) == (config["pretrain"] != "none")
        study.tell(trial, 0.5)
    assert seen_deep and seen_base


@pytest.mark.parametrize("mistake,expected", [
    (lambda t, m: {"widht": t.suggest_int("widht", 1, 2)}, "parameter 'widht' is not an argument of resnet1d18"),
    (lambda t, m: {"width": t.suggest_categorical("width", [])}, "parameter 'width' has an empty choice list"),
    (lambda t, m: {"width": t.suggest_int("width", 64, 16)}, "parameter 'width' has low 64 > high 16"),
    (lambda t, m: {"width": t.suggest_int("w", 8, 16), "dropout": t.suggest_float("w", 0.0, 0.5)}, "parameter 'w' used twice"),
    (lambda t, m: {"lr": t.suggest_float("lr", 1e-4, 1e-2)}, "parameter 'lr' is a shared factor"),
])
def test_space_mistakes_fail_with_file_and_parameter(mistake, expected):
    entry = SpaceEntry("broken", ("resnet1d18",), "deep", mistake, "/plugins/broken_space.py")
    with pytest.raises(ConfigError) as info:
        check_space(entry)
    assert str(info.value).startswith("/plugins/broken_space.py: ") and expected in str(info.value)


@pytest.mark.slow
def test_smoke_search_has_deep_and_sktime_trials(tmp_path):
    started = time.time()
    proc = search(tmp_path, "--trials", "6")
    wall = time.time() - started
    study = load(tmp_path)
    done = study.get_trials(states=FINISHED)
    assert len(done) == 6
    kinds = {t.user_attrs["config"]["kind"] for t in done}
    assert kinds == {"deep", "baseline"}
    for t in study.get_trials(states=(TrialState.COMPLETE,)):
        folds = t.user_attrs["folds"]
        assert len(folds) == 3 and all(0 <= f["auroc"] <= 1 for f in folds)
        assert {"split_hash", "manifest_hash", "seed", "n_parameters", "fit_seconds"} <= set(t.user_attrs)
    assert "NOT A PE LABEL" in proc.stderr and "python -m benchmark.leaderboard" in proc.stdout
    # the local data hold PTB-XL but no labelled CPSC2018: those choices are dropped, with notices
    assert study.user_attrs["pretrain_choices"] == ["none", "random_frozen", "ptbxl"]
    assert "pretraining source cpsc2018 dropped" in proc.stderr and "pretraining source both dropped" in proc.stderr
    print(f"smoke search wall time: {wall:.0f}s")


def _wait_for_running(results: Path, min_number: int, timeout: float = 180, configured: bool = True) -> int:
    """A running trial; with ``configured``, one that has finished sampling its define-by-run
    configuration (it is training), so a kill cannot land between two suggestions."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            running = [t for t in load(results).get_trials(states=(TrialState.RUNNING,))
                       if t.number >= min_number and ("config" in t.user_attrs or not configured)]
        except Exception:
            running = []
        if running:
            return running[0].number
        time.sleep(0.2)
    raise AssertionError("no running trial appeared")


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path):
    models = ("--models", "minirocket,resnet1d18,vgg11_1d")
    search(tmp_path, "--trials", "4", *models)
    before = {t.number: (t.state, t.value, t.params) for t in load(tmp_path).trials}
    assert sum(s in FINISHED for s, _, _ in before.values()) == 4
    cmd = [sys.executable, "-m", "benchmark.search", "--task", "pe", "--budget", "smoke", "--results-dir", str(tmp_path),
           "--trials", "6", *models]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = _wait_for_running(tmp_path, len(before))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    search(tmp_path, "--trials", "6", *models)
    study = load(tmp_path)
    numbers = [t.number for t in study.trials]
    assert len(numbers) == len(set(numbers))
    for number, state in before.items():
        t = study.trials[number]
        assert (t.state, t.value, t.params) == state  # finished trials unchanged
    assert len(study.get_trials(states=FINISHED)) == 6
    assert study.trials[killed].state == TrialState.FAIL
    assert study.trials[killed].user_attrs["fail_reason"] == "worker died (heartbeat stale)"
    retried = [t for t in study.trials if t.system_attrs.get("failed_trial") == killed]
    assert retried and retried[0].params == study.trials[killed].params and retried[0].state in FINISHED


@pytest.mark.slow
def test_two_workers_share_one_journal_study(tmp_path):
    search(tmp_path, "--trials", "4", "--n-workers", "2", "--models", "minirocket,vgg11_1d")
    study = load(tmp_path)
    done = study.get_trials(states=FINISHED)
    assert len(done) == 4 and len(study.trials) == 4  # none lost, none extra
    assert len({t.number for t in study.trials}) == 4


@pytest.mark.slow
def test_failed_trial_recorded_and_study_goes_on(tmp_path, monkeypatch):
    """A trial that raises is FAIL with its reason; the study continues (in-process engine run)."""
    from benchmark.study.budgets import get_budget
    from benchmark.engines import optuna_engine
    from benchmark.engines.storage import make_storage
    from benchmark.cli.experiment import load_experiment_data
    from benchmark.study.context import SearchContext
    from benchmark.training.loop import FitError
    import benchmark.engines.optuna_engine as engine

    args = Namespace(task="pe", data_dir=None, cohort=None, fs=100.0, folds=None, test_fraction=0.2, split_seed=0,
                     results_dir=str(tmp_path))
    data = load_experiment_data(args, folds=3)
    ctx = SearchContext("pe", data.cohort.with_signals(data.split.dev_ids()), data.split, get_budget("smoke"),
                        models=["minirocket", "vgg11_1d"])
    real = engine.evaluate

    def flaky(config, ctx, *callbacks):
        if config.model == "vgg11_1d":
            raise FitError("non-finite training loss (nan) at epoch 0; lower the learning rate")
        return real(config, ctx, *callbacks)

    monkeypatch.setattr(engine, "evaluate", flaky)
    storage = make_storage(None, tmp_path / "s.journal")
    study = optuna_engine.run(ctx, storage, optuna_engine.EngineOptions(3, "t", "none"))
    failed = study.get_trials(states=(TrialState.FAIL,))
    assert failed and all("non-finite training loss" in t.user_attrs["fail_reason"] for t in failed)
    assert len(study.get_trials(states=FINISHED)) == 3


def _standin_copy(data_root: Path, dest: Path) -> Path:
    from benchmark.data.cohorts import standin_manifest

    (dest / "ptbxl" / "records100" / "00000").mkdir(parents=True)
    for name in ("ptbxl_database.csv", "scp_statements.csv"):
        shutil.copy(data_root / "ptbxl" / name, dest / "ptbxl" / name)
    for ecg_id in standin_manifest()["ecg_id"]:
        for ext in (".hea", ".dat"):
            shutil.copy(data_root / "ptbxl" / f"records100/00000/{ecg_id:05d}_lr{ext}", dest / "ptbxl" / f"records100/00000/{ecg_id:05d}_lr{ext}")
    return dest


@pytest.mark.slow
def test_locked_test_records_are_never_read(tmp_path, data_root, monkeypatch):
    from benchmark.trial.objective import evaluate
    from benchmark.search import build_parser, prepare

    def cv(data_dir: Path) -> list:
        monkeypatch.setenv("ECG_BENCH_CACHE", str(data_dir / "cache"))
        args = build_parser().parse_args(["--budget", "smoke", "--data-dir", str(data_dir),
                                          "--results-dir", str(data_dir / "results")])
        ctx, _, data = prepare(args)
        configs = [
            {"model": "minirocket", "kind": "baseline", "family": "rocket", "normalization": "zscore",
             "model_kwargs": {"num_kernels": 500, "C": 1.0}},
            {"model": "vgg11_1d", "kind": "deep", "family": "vgg1d", "model_kwargs": {"width": 8}, "normalization": "zscore",
             "crop_seconds": 2.5, "filter": "bandpass", "pretrain": "none", "freeze_depth": 0, "lr": 1e-3,
             "weight_decay": 1e-2, "batch_size": 32, "loss": "bce", "focal_gamma": 2.0, "epochs": 2},
        ]
        assert ctx.cohort.open_ids() == data.split.dev_ids()  # validated, then dropped: no test signal here
        return [evaluate(c, ctx)["folds"] for c in configs], data.split.test_ids()

    clean = _standin_copy(data_root, tmp_path / "clean")
    first, test_ids = cv(clean)
    changed = _standin_copy(data_root, tmp_path / "changed")
    for ecg_id in test_ids:  # every locked-test record gets other (valid) samples
        dat = changed / "ptbxl" / f"records100/00000/{int(ecg_id):05d}_lr.dat"
        samples = np.frombuffer(dat.read_bytes(), dtype="<i2").reshape(-1, 12)
        dat.write_bytes(np.roll(samples, 37, axis=0).tobytes())  # same values, shifted in time
    second, _ = cv(changed)
    from benchmark.trial.objective import TIMING_KEYS

    strip = lambda runs: [[{k: v for k, v in f.items() if k not in TIMING_KEYS} for f in folds] for folds in runs]  # noqa: E731
    assert strip(first) == strip(second)


def _plugin(tmp_path: Path, space_body: str) -> Path:
    pkg = tmp_path / "plugin"
    (pkg / "plugnet").mkdir(parents=True)
    (pkg / "plugnet" / "__init__.py").write_text('''
import torch
from torch import nn
from benchmark.models import StagedModel, register_model


class PlugNet(StagedModel):
    def __init__(self, n_classes, in_leads, width, dropout):
        super().__init__(width, n_classes, dropout)
        self.stages.append(nn.Sequential(nn.Conv1d(in_leads, width, 7, padding=3), nn.ReLU()))

    def features(self, x):
        return self.stages[0](x).mean(-1)


@register_model(family="plugnet")
def plugnet(n_classes: int = 1, in_leads: int = 12, width: int = 8, dropout: float = 0.0):
    return PlugNet(n_classes, in_leads, width, dropout)
''')
    (pkg / "plugnet" / "space.py").write_text("import plugnet\nfrom benchmark.study.space import register_space\n\n\n"
                                              "@register_space('plugnet', models=['plugnet'])\ndef space(trial, model):\n"
                                              f"    {space_body}\n")
    dist = pkg / "plugnet-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plugnet\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[ecg_automl_bench.search_spaces]\nplugnet = plugnet.space\n")
    return pkg


@pytest.mark.slow
def test_plugin_model_joins_the_search(tmp_path):
    pkg = _plugin(tmp_path, 'return {"width": trial.suggest_categorical("width", [4, 8])}')
    env = {"PYTHONPATH": f"{pkg}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    search(tmp_path / "r", "--trials", "1", "--models", "plugnet", env=env)
    trial = load(tmp_path / "r").trials[0]
    assert trial.state == TrialState.COMPLETE and trial.params["model"] == "plugnet"
    assert "plugnet.width" in trial.params and len(trial.user_attrs["folds"]) == 3
    # the stored configuration is rebuilt after the search too: reproduce, then finalize
    results = str(tmp_path / "r")
    cli = lambda *a: subprocess.run([sys.executable, "-m", *a, "--task", "pe", "--results-dir", results],  # noqa: E731
                                    capture_output=True, text=True, cwd=REPO, env={**os.environ, **env})
    proc = cli("benchmark.reproduce", "--trial", "0")
    assert proc.returncode == 0 and "plugnet" not in proc.stderr, proc.stderr[-2000:]
    proc = cli("benchmark.leaderboard", "finalize", "--out", str(tmp_path / "tables"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(next((tmp_path / "r" / "pe" / "finalized").rglob("trial-0.json")).read_text())["config"]["model"] == "plugnet"
    assert not subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout.count("plugnet")
    assert not subprocess.run(["git", "status", "--porcelain", "leaderboard"], cwd=REPO, capture_output=True,
                              text=True).stdout  # the committed tables are untouched


def _one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and all(f in lines[0] for f in fragments), proc.stderr[-2000:]


def test_space_file_typo_is_one_line(tmp_path):
    pkg = _plugin(tmp_path, 'return {"widht": trial.suggest_categorical("widht", [4, 8])}')
    env = {"PYTHONPATH": f"{pkg}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = search(tmp_path / "r", "--trials", "1", env=env, check=False)
    _one_line_error(proc, str(pkg / "plugnet" / "space.py"), "'widht'")


@pytest.mark.parametrize("args,fragments", [
    (("--task", "pee"), ("unknown task 'pee'",)),
    (("--models", "resnet1d81"), ("unknown model 'resnet1d81'", "resnet1d18")),
    (("--budget", "huge"), ("unknown budget 'huge'",)),
    (("--trials", "0"), ("--trials must be at least 1",)),
    (("--engine", "spark"), ("unknown --engine 'spark'",)),
    (("--storage", "foo://bar"), ("unsupported scheme 'foo'",)),
    (("--storage", "postgresql://bench:secret@127.0.0.1:1/bench"), ("postgresql://bench:***@127.0.0.1:1/bench", "cannot open")),
])
def test_bad_input_one_line(tmp_path, args, fragments):
    proc = search(tmp_path, "--trials", "1", *args, check=False)
    _one_line_error(proc, *fragments)
    assert "secret" not in proc.stderr


@pytest.mark.slow
def test_existing_study_with_other_split_is_untouched(tmp_path):
    search(tmp_path, "--trials", "1", "--models", "minirocket")
    journal = tmp_path / "pe" / "study.journal"
    before = journal.read_bytes()
    proc = search(tmp_path, "--trials", "2", "--models", "minirocket", "--split-seed", "1", check=False)
    _one_line_error(proc, "study 'pe-smoke' exists with split_hash")
    assert journal.read_bytes() == before


@pytest.mark.slow
def test_sigint_stops_cleanly_and_requeues(tmp_path):
    """Ctrl-C inside a trial: exit 130, finished trials untouched, the interrupted trial FAIL and
    queued again with its parameters. Smoke trials last seconds, so the command aims far beyond
    the trials it will reach (it is still running when the signal lands), and the interrupted trial
    is the one stored as interrupted; a signal that lands between two trials interrupts none, and
    the test then tries again (at most 3 times)."""
    models = ("--models", "minirocket,vgg11_1d")
    search(tmp_path, "--trials", "2", *models)
    before = {t.number: (t.state, t.value) for t in load(tmp_path).trials}
    cmd = [sys.executable, "-m", "benchmark.search", "--task", "pe", "--budget", "smoke", "--results-dir", str(tmp_path),
           "--trials", "200", *models]
    for _ in range(3):
        # a suite started in the background (nohup ... &) hands its children SIGINT ignored, and a
        # Python started so never raises KeyboardInterrupt: give the command the default handler
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        _wait_for_running(tmp_path, len(before))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130 and "interrupted: finished trials are saved" in err, err[-2000:]
        study = load(tmp_path)
        hit = [t for t in study.trials if t.state == TrialState.FAIL and "Ctrl-C" in t.user_attrs.get("fail_reason", "")]
        if hit:
            break
    assert len(hit) == 1, "no trial was interrupted in 3 tries"
    assert all((study.trials[n].state, study.trials[n].value) == s for n, s in before.items())
    interrupted = hit[0].number
    queued = [t for t in study.trials if t.state == TrialState.WAITING and t.user_attrs.get("retry_of") == interrupted]
    assert queued and queued[0].system_attrs["fixed_params"] == study.trials[interrupted].params


@pytest.mark.slow
def test_search_on_a_user_cohort(tmp_path, standin):
    """The path a PE user takes: --cohort DIR (500 Hz WFDB, own labels) through search and leaderboard."""
    from tests.conftest import make_cohort

    make_cohort(tmp_path / "cohort", standin, n=60, positives=20, fs=500.0)
    search(tmp_path / "r", "--cohort", str(tmp_path / "cohort"), "--trials", "1", "--models", "minirocket")
    study = load(tmp_path / "r")
    trial = study.trials[0]
    assert trial.state == TrialState.COMPLETE and study.user_attrs["identity"]["cohort"] == "cohort:cohort"
    assert trial.user_attrs["manifest_hash"] == study.user_attrs["identity"]["manifest_hash"]
    proc = subprocess.run([sys.executable, "-m", "benchmark.leaderboard", "--task", "pe", "--results-dir",
                           str(tmp_path / "r"), "--out", str(tmp_path / "board")], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0 and "NOT A PE LABEL" not in proc.stdout
