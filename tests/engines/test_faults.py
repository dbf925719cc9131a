"""Faults (issue 13): a crash mid-write, a dead worker, concurrent commands, silent corruption."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from benchmark.engines.storage import STALE_REASON, RepairingJournalStorage, fail_stale_trials
from tests.searchutil import load, search

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def _journal_with_trials(path: Path, n: int) -> list[float]:
    study = optuna.create_study(study_name="s", storage=RepairingJournalStorage(path), direction="maximize")
    for i in range(n):
        study.add_trial(optuna.trial.create_trial(params={"x": float(i)},
                                                  distributions={"x": optuna.distributions.FloatDistribution(0, 10)},
                                                  value=i / 10))
    return [i / 10 for i in range(n)]


def test_torn_tail_is_moved_aside_and_appends_stay_clean(tmp_path):
    path = tmp_path / "study.journal"
    values = _journal_with_trials(path, 3)
    raw = path.read_bytes()
    path.write_bytes(raw[:-30])  # a crash cut the last operation (the creation of trial 2)
    fragment = raw[raw.rstrip(b"\n").rfind(b"\n") + 1:-30]
    study = optuna.load_study(study_name="s", storage=RepairingJournalStorage(path))
    study.enqueue_trial({"x": 9.0})  # the next command appends
    study = optuna.load_study(study_name="s", storage=RepairingJournalStorage(path))
    assert [t.value for t in study.trials[:2]] == values[:2]  # every complete operation kept
    assert len(study.trials) == 3 and study.trials[2].state == TrialState.WAITING  # the new operation reads
    assert (tmp_path / "study.journal.torn").read_bytes() == fragment + b"\n"  # moved, not deleted
    for line in path.read_bytes().splitlines():
        json.loads(line)  # no line glued to a fragment


def test_a_glued_line_from_an_old_crash_does_not_stop_reads(tmp_path):
    """A journal damaged before the repair existed: fragment + the next operation on one line."""
    path = tmp_path / "study.journal"
    _journal_with_trials(path, 3)
    lines = path.read_bytes().splitlines(keepends=True)
    glued = lines[-2][: len(lines[-2]) // 2] + lines[-1]  # trial 1 torn, trial 2's creation glued on
    path.write_bytes(b"".join(lines[:-2]) + glued)
    with pytest.warns(UserWarning, match="torn fragment"):
        study = optuna.load_study(study_name="s", storage=RepairingJournalStorage(path))
    assert [t.value for t in study.trials] == [0.0, 0.2]  # the torn operation is lost, the glued one kept


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_dead_worker_trial_is_failed_with_a_reason_and_retried(tmp_path):
    storage = RepairingJournalStorage(tmp_path / "study.journal")
    study = optuna.create_study(study_name="s", storage=storage)
    trial = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
    beat = {"time": __import__("time").time(), "host": __import__("socket").gethostname(), "pid": _dead_pid()}
    storage.set_trial_system_attr(trial._trial_id, "heartbeat", beat)
    trial.set_user_attr("plan", {"stage": "search"})
    trial.set_user_attr("folds", [{"fold": 0}])
    trial.set_user_attr("predictions.0.0", "AAAA")
    fail_stale_trials(study, storage)
    dead, retry = study.trials
    assert dead.state == TrialState.FAIL and dead.user_attrs["fail_reason"] == STALE_REASON
    assert retry.state == TrialState.WAITING and retry.system_attrs["failed_trial"] == dead.number
    assert "fail_reason" not in retry.user_attrs  # the retry does not inherit the death
    assert retry.user_attrs == {"plan": {"stage": "search"}}  # its plan, none of the dead run's results
    # nor the dead process's heartbeat: the retry must not be judged stale the moment it starts
    assert "heartbeat" not in retry.system_attrs
    fail_stale_trials(study, storage)
    assert study.trials[1].state == TrialState.WAITING


@pytest.mark.slow
def test_truncated_real_journal_next_search_keeps_every_trial(tmp_path):
    """`truncate -s -30 results/pe/study.journal`, then the same command: the reported repro."""
    models = ("--models", "minirocket")
    search(tmp_path, "--trials", "2", *models)
    journal = tmp_path / "pe" / "study.journal"
    subprocess.run(["truncate", "-s", "-30", str(journal)], check=True)
    before = {t.number: t.value for t in load(tmp_path).get_trials(states=(TrialState.COMPLETE,))}
    assert before  # Optuna's own reader skips the torn line
    proc = search(tmp_path, "--trials", "3", *models)
    assert "torn last line" in proc.stderr
    study = load(tmp_path)
    assert all(study.trials[n].value == v for n, v in before.items())  # every complete trial kept
    assert len(study.get_trials(states=FINISHED)) == 3  # and new trials appended cleanly
    assert (journal.parent / "study.journal.torn").stat().st_size > 0
    for line in journal.read_bytes().splitlines():
        json.loads(line)
    proc = subprocess.run([sys.executable, "-m", "benchmark.leaderboard", "--task", "pe", "--results-dir", str(tmp_path),
                           "--out", str(tmp_path / "board")], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.slow
def test_trials_is_a_study_total_across_concurrent_commands(tmp_path):
    """Two `search --trials 3` commands on one journal: 3 finished trials in all, not 6 (at most
    one more: the other command's trial in flight when the third finished)."""
    from tests.conftest import REPO

    search(tmp_path, "--trials", "1", "--models", "minirocket")  # the study and split exist: no creation race
    cmd = [sys.executable, "-m", "benchmark.search", "--task", "pe", "--budget", "smoke", "--results-dir", str(tmp_path),
           "--trials", "3", "--models", "minirocket"]
    procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=600) == 0, proc.stderr.read()[-2000:]
    finished = len(load(tmp_path).get_trials(states=FINISHED))
    assert 3 <= finished <= 3 + 1
