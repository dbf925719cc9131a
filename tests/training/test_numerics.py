"""Mixed-precision policy and non-finite results: a number that is not finite never becomes a score."""

from __future__ import annotations

from argparse import Namespace

import numpy as np
import pytest
import torch
from optuna.trial import TrialState

from benchmark.training.loop import Recipe, AmpPolicy, FitError, amp_policy
from benchmark.training.metrics import NonFinitePredictions, binary_metrics


@pytest.mark.parametrize("capability, expected", [
    ((9, 0), AmpPolicy(True, torch.bfloat16, scaler=False)),   # H100
    ((8, 0), AmpPolicy(True, torch.bfloat16, scaler=False)),   # A100
    ((7, 5), AmpPolicy(True, torch.float16, scaler=True)),     # T4: no bfloat16 tensor cores
    ((6, 0), AmpPolicy(True, torch.float16, scaler=True)),     # P100
])
def test_autocast_prefers_bfloat16_where_supported(capability, expected):
    assert amp_policy("cuda:0", True, capability) == expected


def test_no_autocast_on_cpu_or_when_disabled():
    assert amp_policy("cpu", True, (9, 0)) == AmpPolicy(False)
    assert not amp_policy("cuda", False, (9, 0)).enabled


def test_non_finite_predictions_are_refused():
    with pytest.raises(NonFinitePredictions, match="1 of 3 predicted probabilities are not finite"):
        binary_metrics(np.array([0, 1, 0]), np.array([0.1, np.nan, 0.2]), 0.5)


class _NanHead(torch.nn.Module):
    def forward(self, x):
        return torch.full((x.shape[0], 1), float("nan"))


def test_loop_stops_on_non_finite_validation_predictions(monkeypatch):
    """A network whose forward overflows only at evaluation (as float16 did on a GPU) is a FitError
    naming the cause, not sklearn's 'Input contains NaN'."""
    from benchmark.estimators.deep import DeepClassifier
    from benchmark.training import loop

    real = loop.predict_probs
    monkeypatch.setattr(loop, "predict_probs", lambda *a, **k: real(*a, **k) * np.nan)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 12, 300)).astype(np.float32)
    y = (np.arange(40) % 3 == 0).astype(np.float32)
    with pytest.raises(FitError, match="non-finite validation predictions"):
        DeepClassifier(model="vgg11_1d", model_kwargs={"width": 8}, recipe=Recipe(epochs=1), crop_seconds=2.5).fit(X, y)


@pytest.mark.slow  # runs trials through the engine: 30-60 s of CPU
def test_nan_prediction_trial_is_fail_with_one_line_reason(tmp_path, monkeypatch):
    """Through the engine: the trial is stored as FAIL with a one-line reason and the study goes on."""
    from benchmark.study.budgets import get_budget
    from benchmark.engines import optuna_engine
    from benchmark.engines.storage import make_storage
    from benchmark.estimators.deep import DeepClassifier
    from benchmark.cli.experiment import load_experiment_data
    from benchmark.study.context import SearchContext

    def nan_proba(self, X):
        return np.full((len(X), 2), np.nan)

    monkeypatch.setattr(DeepClassifier, "predict_proba", nan_proba)
    args = Namespace(task="pe", data_dir=None, cohort=None, fs=100.0, folds=None, test_fraction=0.2, split_seed=0,
                     results_dir=str(tmp_path))
    data = load_experiment_data(args, folds=3)
    ctx = SearchContext("pe", data.cohort.with_signals(data.split.dev_ids()), data.split, get_budget("smoke"),
                        models=["transformer1d"])
    study = optuna_engine.run(ctx, make_storage(None, tmp_path / "s.journal"), optuna_engine.EngineOptions(1, "t", "none"))
    failed = study.get_trials(states=(TrialState.FAIL,))
    assert failed, "a NaN-predicting trial must not be COMPLETE"
    reason = failed[0].user_attrs["fail_reason"]
    assert "not finite" in reason and "\n" not in reason
    assert not study.get_trials(states=(TrialState.COMPLETE,))


def test_workers_spread_over_visible_gpus():
    from benchmark.engines.optuna_engine import worker_device

    assert [worker_device("cuda", w, n_gpus=2) for w in range(4)] == ["cuda:0", "cuda:1", "cuda:0", "cuda:1"]
    assert [worker_device("cuda", w, n_gpus=1) for w in range(3)] == ["cuda:0"] * 3  # 3 workers share one GPU
    assert worker_device("cuda:1", 0, n_gpus=2) == "cuda:1" and worker_device("cpu", 3) == "cpu"
