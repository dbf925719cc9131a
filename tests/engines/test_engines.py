"""Beyond one machine: the Ray Tune engine and a real PostgreSQL study store feed one leaderboard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

from tests.conftest import REPO
from tests.searchutil import load, search
from tests.e2e.test_search import _one_line_error, _wait_for_running

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
MODELS = ("--models", "minirocket,vgg11_1d")


def postgres_url() -> str:
    url = os.environ.get("ECG_BENCH_POSTGRES_URL")
    if not url:
        if os.environ.get("ECG_BENCH_REQUIRE_POSTGRES"):
            pytest.fail("ECG_BENCH_POSTGRES_URL is not set although .ci/run started a server")
        pytest.skip("no PostgreSQL server: .ci/run starts one and sets ECG_BENCH_POSTGRES_URL")
    return url


def _ray_stop() -> None:
    subprocess.run([sys.executable, "-m", "ray.scripts.scripts", "stop", "--force"], capture_output=True)


def _check_leaderboard_reads(study: optuna.Study) -> None:
    from benchmark.leaderboard.table import leaderboard

    table = leaderboard(study)
    assert not table.empty and table["model"].notna().all()
    for _, row in table.iterrows():
        folds = [f["auroc"] for f in study.trials[int(row["trial"])].user_attrs["folds"]]
        assert row["auroc_mean"] == pytest.approx(np.mean(folds)) and row["folds"] == len(folds)


@pytest.mark.slow
def test_ray_engine_feeds_the_same_leaderboard(tmp_path):
    try:
        search(tmp_path / "ray", "--engine", "ray", "--trials", "4", *MODELS)
    finally:
        _ray_stop()
    search(tmp_path / "optuna", "--trials", "4", *MODELS)
    for engine in ("ray", "optuna"):
        study = load(tmp_path / engine)
        done = study.get_trials(states=FINISHED)
        assert len(done) == 4, engine
        # a trial pruned inside its first fold (epoch-level fidelity) has finished, and stores, no fold
        assert all(len(t.user_attrs["folds"]) == 3 for t in study.get_trials(states=(TrialState.COMPLETE,)))
        assert all(len(t.user_attrs.get("folds", [])) < 3 for t in study.get_trials(states=(TrialState.PRUNED,)))
        assert {"config", "seed", "split_hash", "manifest_hash"} <= set(done[0].user_attrs)
        _check_leaderboard_reads(study)


@pytest.mark.slow
def test_ray_kill_and_resume(tmp_path):
    cmd = [sys.executable, "-m", "benchmark.search", "--task", "pe", "--budget", "smoke", "--results-dir", str(tmp_path),
           "--engine", "ray", "--trials", "4", "--max-concurrent", "1", *MODELS]
    try:
        search(tmp_path, "--engine", "ray", "--trials", "2", "--max-concurrent", "1", *MODELS)
        before = {t.number: (t.state, t.value, t.params) for t in load(tmp_path).trials}
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        killed = _wait_for_running(tmp_path, len(before), configured=False)  # Ray samples a whole config at once
        time.sleep(4)  # Ray saves its experiment state every 2 s
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _ray_stop()
        search(tmp_path, "--engine", "ray", "--trials", "4", "--max-concurrent", "1", *MODELS)
    finally:
        _ray_stop()
    study = load(tmp_path)
    for number, state in before.items():
        t = study.trials[number]
        assert (t.state, t.value, t.params) == state
    assert len(study.get_trials(states=FINISHED)) >= 4
    assert len({t.number for t in study.trials}) == len(study.trials)
    assert study.trials[killed].state in FINISHED  # the interrupted trial was re-run with its parameters


@pytest.mark.slow
def test_ray_bad_inputs(tmp_path):
    proc = search(tmp_path, "--engine", "ray", "--address", "127.0.0.1:9", "--trials", "1", *MODELS, check=False)
    _one_line_error(proc, "--address 127.0.0.1:9", "cannot connect")
    _ray_stop()
    proc = search(tmp_path, "--engine", "ray", "--gpus-per-trial", "0.5", "--trials", "1", *MODELS, check=False)
    _one_line_error(proc, "--gpus-per-trial 0.5", "no GPU")
    _ray_stop()
    proc = search(tmp_path, "--device", "cuda", "--trials", "1", check=False)
    _one_line_error(proc, "--device cuda", "no CUDA device")


@pytest.mark.slow
def test_postgres_two_workers_three_trials_each(tmp_path):
    url = postgres_url()
    name = f"pe-pg-{os.getpid()}-{int(time.time())}"
    cmd = [sys.executable, "-m", "benchmark.search", "--task", "pe", "--budget", "smoke", "--results-dir", str(tmp_path),
           "--storage", url, "--study", name, "--trials", "6", "--worker-trials", "3", *MODELS]
    procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        if p.returncode != 0:  # pytest.fail: an assertion's message is cut in the middle, where the error is
            pytest.fail(f"worker exit {p.returncode}; its stderr ends:\n{err[-3000:]}")
    from benchmark.engines.storage import make_storage

    study = optuna.load_study(study_name=name, storage=make_storage(url, tmp_path / "unused"))
    done = study.get_trials(states=FINISHED)
    assert len(done) == 6 and len(study.trials) == 6  # none lost, none duplicated
    assert len({t.number for t in study.trials}) == 6
    # a trial pruned inside its first fold (epoch-level fidelity) has finished, and stores, no fold
    assert all(t.user_attrs.get("folds") for t in done if t.state == TrialState.COMPLETE)
    _check_leaderboard_reads(study)


def test_postgres_bad_url_and_password(tmp_path):
    url = postgres_url()
    wrong = url.replace("://bench:bench@", "://bench:wrongpass@")
    proc = search(tmp_path, "--storage", wrong, "--trials", "1", *MODELS, check=False)
    _one_line_error(proc, "bench:***@", "cannot open")
    assert "wrongpass" not in proc.stderr
    proc = search(tmp_path, "--storage", url.rsplit("/", 1)[0] + "/no_such_db", "--trials", "1", *MODELS, check=False)
    _one_line_error(proc, "no_such_db", "cannot open")


# ------------------------------------------------------------------------------ engines own their options
def _search_cli(argv: list[str], capsys) -> tuple[int, str]:
    from benchmark.search import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("engine,option,value,owner", [
    ("ray", "--pruner", "wilcoxon", "optuna"),
    ("ray", "--n-workers", "4", "optuna"),
    ("ray", "--sampler", "random", "optuna"),
    ("ray", "--timeout", "60", "optuna"),
    ("ray", "--trial-timeout", "60", "optuna"),
    ("ray", "--worker-trials", "3", "optuna"),
    ("ray", "--ablation-families", "0", "optuna"),
    ("ray", "--random-per-family", "1", "optuna"),
    ("ray", "--pruner", "family", "optuna"),  # given with its default value: still ignored, still refused
    ("optuna", "--max-concurrent", "2", "ray"),
    ("optuna", "--gpus-per-trial", "1", "ray"),
    ("optuna", "--address", "10.0.0.5:6379", "ray"),
])
def test_an_option_the_engine_would_ignore_is_refused_in_one_line(engine, option, value, owner, tmp_path, capsys):
    results = tmp_path / "results"
    code, err = _search_cli(["--task", "pe", "--budget", "smoke", "--trials", "1", "--results-dir", str(results),
                             "--engine", engine, option, value], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert err == f"error: --engine {engine} ignores {option} (an option of --engine {owner}); leave it out\n"
    assert not results.exists()  # refused before anything is read or written


def test_defaults_of_another_engine_are_never_refused():
    from benchmark.engines.base import get_engine
    from benchmark.search import build_parser

    args = build_parser().parse_args(["--engine", "optuna"])
    get_engine("optuna").validate(args)
    assert args.given_options == frozenset()
    assert build_parser().parse_args(["--prun", "median", "--n-w", "2"]).given_options == {"pruner", "n_workers"}


def test_each_engine_declares_its_options_and_help_groups_them():
    from benchmark.engines.base import engine_options
    from benchmark.engines.optuna_engine import OptunaEngine
    from benchmark.engines.ray_engine import RayEngine
    from benchmark.search import build_parser

    optuna_options = set(engine_options(OptunaEngine()).values())
    ray_options = set(engine_options(RayEngine()).values())
    assert {"--pruner", "--sampler", "--n-workers", "--timeout", "--trial-timeout", "--worker-trials"} <= optuna_options
    assert ray_options == {"--address", "--cpus-per-trial", "--gpus-per-trial", "--max-concurrent"}
    text = build_parser().format_help()
    optuna_group, ray_group = text.index("options of --engine optuna:"), text.index("options of --engine ray:")
    assert optuna_group < text.index("--n-workers", optuna_group) < ray_group < text.index("--max-concurrent", ray_group)


def test_an_option_two_engines_declare_is_added_once_and_refused_by_neither(monkeypatch):
    import argparse

    from benchmark.engines import base
    from benchmark.registry import Registry

    class A(base.Engine):
        name = "a"

        def add_arguments(self, parser):
            parser.add_argument("--shared", type=int, default=1)
            parser.add_argument("--only-a", default=None)

        def run(self, ctx, storage, args):
            raise NotImplementedError

    class B(A):
        name = "b"

        def add_arguments(self, parser):
            parser.add_argument("--shared", type=int, default=2, help="b's")

    monkeypatch.setattr(base, "_ENGINES", Registry("--engine"))
    base.register_engine(A)
    base.register_engine(B)
    parser = argparse.ArgumentParser()
    dests = base.add_engine_arguments(parser)
    assert dests == {"shared", "only_a"}

    def parsed(*argv):
        args = parser.parse_args(list(argv))
        setattr(args, base.GIVEN, base.given_options(parser, list(argv), dests))
        return args

    assert parsed().shared == 1  # the first declaration's default
    B().validate(parsed("--shared", "3"))
    with pytest.raises(base.ConfigError, match="--engine b ignores --only-a"):
        B().validate(parsed("--only-a", "x"))


# ------------------------------------------------------------------------------ one trial reporter
def test_the_trial_reporter_gives_both_engines_the_same_steps_and_attributes():
    from benchmark.engines.base import Step, TrialReporter
    from benchmark.study.fidelity import fold_step

    stored: dict = {}
    steps: list[Step] = []
    reporter = TrialReporter(3, stored.update, steps.append)
    reporter.on_epoch(0, 0, {"val_auroc": 0.6})
    reporter.on_epoch(0, 1, {"val_auroc": float("nan")})  # not reported
    reporter.on_epoch(1, 0, {"val_auroc": 0.7})  # later folds' epochs are not reported
    reporter.on_predictions(0, 0, np.array([0.25, 0.75]))
    row = {"repeat": 0, "fold": 0, "auroc": 0.8, "fit_seconds": 1.0, "predict_ms_per_record": 2.0, "n_parameters": 10,
           "forward_flops_per_record": 5.0, "threshold_positives": 99}
    reporter.on_fold(0, row)
    reporter.on_fold(1, {**row, "fold": 1, "auroc": 0.6})
    assert [(s.step, s.value, s.is_fold) for s in steps] == [(0, 0.6, False), (fold_step(0, 3), 0.8, True),
                                                              (fold_step(1, 3), 0.6, True)]
    assert steps[0].where == {"fold": 0, "epoch": 0}
    assert steps[2].where == {"repeat": 0, "fold": 1, "fold_index": 1} and steps[2].cv_auroc == pytest.approx(0.7)
    assert [f["auroc"] for f in stored["folds"]] == [0.8, 0.6] and stored["fit_seconds"] == 2.0
    assert "cv_auroc" not in stored and "warnings" not in stored and "predictions.0.0" in stored


# ------------------------------------------------------------------------------ storage on public APIs
def test_a_heartbeat_is_renewed_while_a_trial_runs_and_judged_by_its_age(tmp_path):
    import socket

    from benchmark.engines.storage import Heartbeat, RepairingJournalStorage, fail_stale_trials, is_stale

    storage = RepairingJournalStorage(tmp_path / "study.journal")
    study = optuna.create_study(study_name="s", storage=storage)
    trial = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
    with Heartbeat(storage, "s", trial.number, interval=0.05):
        first = study.trials[0].system_attrs["heartbeat"]
        time.sleep(0.3)
        assert study.trials[0].system_attrs["heartbeat"]["time"] > first["time"]
        assert fail_stale_trials(study, storage) == []  # alive, on this host
    assert first["pid"] == os.getpid() and first["host"] == socket.gethostname()
    now = time.time()
    assert not is_stale(None, now, "h") and not is_stale({"time": now, "host": "other", "pid": 1}, now, "h")
    assert is_stale({"time": now - 60, "host": "other", "pid": 1}, now, "h")
    assert fail_stale_trials(study, storage, grace=0) == [0]  # its worker stopped beating
    assert study.trials[0].state == TrialState.FAIL and study.trials[1].state == TrialState.WAITING


def test_the_journal_reader_numbers_operations_not_lines(tmp_path):
    """A bad line inside a journal gets no number: reads that resume (and other processes) stay in step."""
    import warnings

    from benchmark.engines.storage import RepairingJournalStorage

    path = tmp_path / "study.journal"
    study = optuna.create_study(study_name="s", storage=RepairingJournalStorage(path), direction="maximize")
    study.enqueue_trial({"x": 1.0})
    with open(path, "ab") as f:
        f.write(b'{"not an operation": 1}\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        live = optuna.load_study(study_name="s", storage=RepairingJournalStorage(path))  # reads the bad line
        study.enqueue_trial({"x": 2.0})  # the writer reads it too, then appends after it
        assert len(live.trials) == 2  # the resumed read finds the new operation
        study.enqueue_trial({"x": 3.0})
        assert len(live.trials) == 3 and len(study.trials) == 3
    assert sum("not a journal operation" in str(w.message) for w in caught) == 2  # once per reader, never again
    with pytest.warns(UserWarning, match="line 3 is not a journal operation"):
        again = optuna.load_study(study_name="s", storage=RepairingJournalStorage(path)).trials
    assert [t.state for t in again] == [TrialState.WAITING] * 3
