"""Pruning inside a trial (the epoch x fold fidelity) and the per-trial wall-clock cap."""

from __future__ import annotations

from argparse import Namespace

import optuna
import pytest
from optuna.trial import TrialState

from benchmark.study.fidelity import epoch_step, fold_step, max_resource


def test_steps_are_monotone_epochs_of_fold_zero_then_folds():
    E, n = 3, 4
    steps = [epoch_step(0, e, E) for e in range(E)] + [fold_step(k, E) for k in range(n)]
    assert steps == list(range(E + n)) and max(steps) < max_resource(n, E)
    assert epoch_step(1, 0, E) is None  # later folds' epochs are not compared with fold 0's


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    from benchmark.study.budgets import get_budget
    from benchmark.cli.experiment import load_experiment_data
    from benchmark.study.context import SearchContext

    args = Namespace(task="pe", data_dir=None, cohort=None, fs=100.0, folds=None, test_fraction=0.2, split_seed=0,
                     results_dir=str(tmp_path_factory.mktemp("fid")))
    data = load_experiment_data(args, folds=3)
    return SearchContext("pe", data.cohort.with_signals(data.split.dev_ids()), data.split, get_budget("smoke"),
                         models=["transformer1d"])


def _run(ctx, tmp_path, monkeypatch, pruner, **options):
    from benchmark.engines import optuna_engine
    from benchmark.engines.storage import make_storage

    monkeypatch.setattr(optuna_engine, "make_pruner", lambda name, max_steps, ctx=None: pruner)
    storage = make_storage(None, tmp_path / "s.journal")
    return optuna_engine.run(ctx, storage, optuna_engine.EngineOptions(1, "t", "median", **options))


def test_epoch_level_prune_inside_the_first_fold(ctx, tmp_path, monkeypatch):
    """A pruner that fires at the second epoch stops the trial inside fold 0: no fold is stored."""
    study = _run(ctx, tmp_path, monkeypatch, optuna.pruners.ThresholdPruner(lower=2.0, n_warmup_steps=1))
    [trial] = study.get_trials(states=(TrialState.PRUNED,))
    assert trial.user_attrs["pruned_at"] == {"step": 1, "fold": 0, "epoch": 1}
    assert trial.user_attrs.get("folds", []) == []  # nothing finished, nothing stored
    assert sorted(trial.intermediate_values) == [0, 1]


@pytest.mark.slow  # trains several folds: 30-60 s of CPU
def test_fold_level_prune_stores_exactly_the_finished_folds(ctx, tmp_path, monkeypatch):
    E = ctx.budget.max_epochs
    study = _run(ctx, tmp_path, monkeypatch, optuna.pruners.ThresholdPruner(lower=2.0, n_warmup_steps=E + 1))
    [trial] = study.get_trials(states=(TrialState.PRUNED,))
    assert trial.user_attrs["pruned_at"] == {"step": E + 1, "repeat": 0, "fold": 1, "fold_index": 1}
    assert [f["fold"] for f in trial.user_attrs["folds"]] == [0, 1]
    assert trial.intermediate_values[fold_step(1, E)] == trial.user_attrs["folds"][1]["auroc"]
    for row in trial.user_attrs["folds"]:  # cost is stored with every finished fold
        assert row["forward_flops_per_record"] > 0 and row["predict_ms_per_record"] > 0


def test_trial_timeout_stops_a_slow_trial_with_its_reason(ctx, tmp_path, monkeypatch):
    study = _run(ctx, tmp_path, monkeypatch, optuna.pruners.NopPruner(), trial_timeout=0.01, max_attempts_factor=1)
    [trial] = study.get_trials(states=(TrialState.FAIL,))
    reason = trial.user_attrs["fail_reason"]
    assert reason.startswith("TrialTimeout: trial timeout: over --trial-timeout 0.01 s, stopped in fold 0 after epoch 0")
    assert not study.get_trials(states=(TrialState.COMPLETE,))


@pytest.mark.parametrize("value", ["0", "-5", "nan"])
def test_bad_trial_timeout_is_one_line(tmp_path, value):
    from tests.searchutil import search

    proc = search(tmp_path, "--trials", "1", "--trial-timeout", value, check=False)
    assert proc.returncode == 2 and "--trial-timeout" in proc.stderr and "Traceback" not in proc.stderr
