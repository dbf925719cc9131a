"""The fit protocol of one trial: freezing levels, the random-frozen control, repeated (repeat, fold)
steps, multi-crop evaluation, the shared threshold rule, pruning power and reproduce's comparison."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import optuna
import pytest
import torch

from benchmark.study.budgets import get_budget
from benchmark.training.loop import Recipe
from benchmark.estimators.deep import DeepClassifier
from benchmark.estimators.base import MIN_THRESHOLD_POSITIVES, fit_threshold, out_of_fold_probs
from benchmark.models import create_model
from benchmark.study.config import TrialConfig
from benchmark.trial.objective import build_estimator, pretrain_spec
from benchmark.study.space import RANDOM_FROZEN, stage_count, suggest_config
from benchmark.transforms.crops import eval_offsets
from tests.conftest import REPO
from tests.training.test_training import planted


def _ctx(seed: int = 0):
    return SimpleNamespace(cohort=SimpleNamespace(fs=100.0), budget=get_budget("smoke"), device="cpu", seed=seed)


def _deep_configs(n: int = 80) -> list[TrialConfig]:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    out = []
    deep = ["resnet1d18", "vgg11_1d", "lstm", "transformer1d"]
    for _ in range(n):
        trial = study.ask()
        out.append(suggest_config(trial, get_budget("small"), ["none", RANDOM_FROZEN, "ptbxl"], deep))
        study.tell(trial, 0.5)
    return out


def test_unpretrained_trials_have_no_freezing_level():
    configs = _deep_configs()
    levels = {c.pretrain for c in configs}
    assert levels == {"none", RANDOM_FROZEN, "ptbxl"}
    for typed in configs:
        config = typed.to_dict()
        if config["pretrain"] == "none":
            assert config["freeze_depth"] is None and config["freeze_fraction"] is None
            model = build_estimator(typed, _ctx()).build_model(1)
            assert model.frozen_depth == 0 and all(p.requires_grad for p in model.parameters())
        else:
            n_stages = stage_count(config["model"], tuple(sorted(config["model_kwargs"].items())))
            assert isinstance(config["freeze_depth"], int) and 0 <= config["freeze_depth"] <= n_stages
            assert config["freeze_fraction"] == pytest.approx(config["freeze_depth"] / n_stages)
            if config["pretrain"] == RANDOM_FROZEN:
                assert config["freeze_depth"] >= 1  # depth 0 would be "none" again


def test_random_frozen_trains_only_above_random_frozen_stages():
    config = {"model": "resnet1d18", "family": "resnet1d", "kind": "deep", "model_kwargs": {"width": 8},
              "pretrain": RANDOM_FROZEN, "freeze_depth": 2, "freeze_fraction": 0.4, "epochs": 2, "crop_seconds": 2.5,
              "normalization": "zscore", "filter": "none", "lr": 1e-3, "weight_decay": 1e-2, "batch_size": 32,
              "loss": "bce", "focal_gamma": 2.0}
    typed = TrialConfig.from_dict(config, patience=2)
    assert pretrain_spec(typed, _ctx()) is None  # no checkpoint is made or loaded
    est = build_estimator(typed, _ctx(seed=4))
    assert est.init_checkpoint is None and est.freeze_depth == 2
    X, y = planted(60, 0, T=300)
    est.fit(X, y)
    torch.manual_seed(4)  # the estimator seeds torch the same way before building its model
    fresh = create_model("resnet1d18", n_classes=1, **config["model_kwargs"])
    trained, init = est.model_.stages, fresh.stages
    for i in range(len(trained)):
        same = all(torch.equal(a, b) for a, b in zip(trained[i].state_dict().values(), init[i].state_dict().values()))
        assert same == (i < 2), f"stage {i}"  # frozen: still the random init (weights and BN statistics)
        assert all(p.requires_grad == (i >= 2) for p in trained[i].parameters())


def test_repeated_cv_steps_are_monotone_with_a_seed_per_repeat(standin):
    from benchmark.data.splits import make_split
    from benchmark.study.context import SearchContext
    from benchmark.trial.objective import evaluate

    table = standin.table[["record_id", "patient_id", "label"]]
    split = make_split(table, 3, 0.2, 0, standin.manifest_hash, repeats=2)
    ctx = SearchContext("pe", standin, split, get_budget("smoke"), seed=5)
    config = {"model": "minirocket", "family": "rocket", "kind": "baseline", "normalization": "none",
              "model_kwargs": {"num_kernels": 84}, "threshold_from": "inner"}
    steps, rows = [], []
    result = evaluate(config, ctx, on_fold=lambda step, row: (steps.append(step), rows.append(row)))
    assert steps == list(range(6))
    assert [(r["repeat"], r["fold"]) for r in rows] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert {r["seed"] for r in rows if r["repeat"] == 0} == {5} and {r["seed"] for r in rows if r["repeat"] == 1} == {1005}
    for r in rows:
        train, evaluate_ids = split.fold(r["fold"], r["repeat"])
        assert (r["n_train"], r["n_eval"]) == (len(train), len(evaluate_ids))
    assert result["cv_auroc"] == pytest.approx(np.mean([r["auroc"] for r in rows]))
    assert result["warnings"] and str(MIN_THRESHOLD_POSITIVES) in result["warnings"][0]  # ~4 inner positives


def test_eval_windows_cover_the_whole_record():
    for length, crop in [(1000, 250), (1000, 500), (1000, 300), (1000, 1000), (5000, 250)]:
        offsets = eval_offsets(length, crop, math.ceil(length / crop))
        seen = np.zeros(length, bool)
        for o in offsets:
            seen[o:o + crop] = True
        assert seen.all(), (length, crop)


def test_multi_crop_evaluation_sees_the_whole_record():
    X, y = planted(60, 0)
    changed = X.copy()
    changed[:, :, -150:] = 5.0  # outside the centre 2.5 s window of a 10 s record
    for crops, differs in [("centre", False), ("cover", True)]:
        est = DeepClassifier(model="vgg11_1d", model_kwargs={"width": 8}, recipe=Recipe(epochs=1), crop_seconds=2.5,
                             normalization="none", eval_crops=crops, seed=0).fit(X, y)
        assert est._n_eval_crops(X.shape[-1]) == (4 if crops == "cover" else 1)
        moved = not np.allclose(est.predict_proba(X), est.predict_proba(changed))
        assert moved == differs, crops


class _PatientMemory:
    """Predicts 1 for a record whose patient (encoded in sample 0) it was trained on, else 0."""

    def __init__(self, threshold_from: str = "inner", threshold_rule: str = "youden", seed: int = 0):
        self.threshold_from, self.threshold_rule, self.seed = threshold_from, threshold_rule, seed

    def get_params(self, deep=False):
        return {"threshold_from": self.threshold_from, "threshold_rule": self.threshold_rule, "seed": self.seed}

    def set_params(self, **params):
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, X, y, groups=None):
        self.seen_ = set(X[:, 0, 0].tolist())
        return self

    def predict_proba(self, X):
        p = np.array([float(v in self.seen_) for v in X[:, 0, 0]])
        return np.column_stack([1 - p, p])


def test_out_of_fold_threshold_never_predicts_a_seen_patient():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(40), 2)  # two records per patient
    y = (groups % 4 == 0).astype(float)
    X = rng.normal(size=(80, 1, 5))
    X[:, 0, 0] = groups
    est = _PatientMemory(threshold_from="oof")
    assert not out_of_fold_probs(est, X, y, groups).any()  # every prediction by a model blind to its patient
    fit_threshold(est, X, y, groups, np.arange(10), np.zeros(10))
    assert est.threshold_positives_ == int(y.sum()) == 20  # the whole training part, not the inner split
    assert est.threshold_warning_ is None
    inner = _PatientMemory(threshold_from="inner")
    fit_threshold(inner, X, y, groups, np.arange(8), np.zeros(8))
    assert inner.threshold_positives_ == int(y[:8].sum()) and "rests on" in inner.threshold_warning_


def test_deep_and_baseline_share_the_threshold_protocol(monkeypatch):
    import benchmark.estimators.baselines as baselines
    import benchmark.estimators.base as estimators

    calls = []
    monkeypatch.setattr(estimators, "fit_threshold", lambda est, *a: calls.append(type(est).__name__) or
                        setattr(est, "threshold_", 0.5))
    X, y = planted(40, 0, T=300)
    DeepClassifier(model="vgg11_1d", model_kwargs={"width": 8}, recipe=Recipe(epochs=1), crop_seconds=2.5).fit(X, y)
    baselines.create_baseline("minirocket", num_kernels=84).fit(X, y)
    assert calls == ["DeepClassifier", "ThresholdedClassifier"]
    # one protocol: neither overrides the base class's fit, they implement its steps
    for cls in (DeepClassifier, baselines.ThresholdedClassifier):
        assert issubclass(cls, estimators.ECGClassifier) and "fit" not in vars(cls) and "_fit" in vars(cls)


def test_wilcoxon_pruner_prunes_from_four_steps():
    from scipy.stats import wilcoxon

    from benchmark.engines.optuna_engine import WILCOXON_P, make_pruner, wilcoxon_min_steps

    n = wilcoxon_min_steps()
    assert wilcoxon(-np.arange(1.0, n), alternative="less").pvalue >= WILCOXON_P  # n - 1 steps: cannot
    assert wilcoxon(-np.arange(1.0, n + 1), alternative="less").pvalue < WILCOXON_P
    readme = (REPO / "docs" / "protocol.md").read_text()
    for steps in (3, 4, 5):  # the numbers the protocol page states
        p = wilcoxon(-np.arange(1.0, steps + 1), alternative="less").pvalue
        assert p == pytest.approx(2.0 ** -steps) and f"{p:.4g} with {steps}" in readme
    assert f"prune from the {n}th step on" in readme
    study = optuna.create_study(direction="maximize", pruner=make_pruner("wilcoxon", 10))
    best = study.ask()
    for step in range(10):
        best.report(0.9, step)
    study.tell(best, 0.9)
    worse = study.ask()
    pruned_at = None
    for step in range(10):
        worse.report(0.5 - 0.01 * step, step)
        if worse.should_prune():
            pruned_at = step
            break
    assert pruned_at == n - 1  # after the n-th step, i.e. with 4 folds it can prune


def test_reproduce_compares_every_metric():
    from benchmark.reproduce import differences

    stored = [{"repeat": 0, "fold": 0, "auroc": 0.8, "sensitivity": 0.5, "specificity": float("nan"),
               "fit_seconds": 3.0, "predict_ms_per_record": 1.0, "threshold": 0.4}]
    same = [dict(stored[0], fit_seconds=9.0, predict_ms_per_record=2.0)]
    assert max(d[3] for d in differences(stored, same)) == 0.0  # NaN == NaN, wall time not compared
    other = [dict(stored[0], sensitivity=0.625)]
    worst = max(differences(stored, other), key=lambda d: d[3])
    assert worst[2] == "sensitivity" and worst[3] == pytest.approx(0.125)
    missing = [{k: v for k, v in stored[0].items() if k != "threshold"}]
    assert max(d[3] for d in differences(stored, missing)) == math.inf


def test_torch_settings_are_stored_and_applied():
    from benchmark.trial.objective import apply_torch_settings, torch_settings

    before = torch_settings()
    try:
        apply_torch_settings({**before, "num_threads": 1, "deterministic_algorithms": True})
        now = torch_settings()
        assert now["num_threads"] == 1 and now["deterministic_algorithms"] is True
    finally:
        apply_torch_settings(before)


@pytest.mark.slow
def test_search_with_repeats_stores_repeat_major_rows(tmp_path):
    """The CLI end to end: --repeats 2 makes a 2-repeat split file, pins the protocol in the study
    identity and the trial config, and stores 2 x 3 fold rows with their steps' metadata."""
    from tests.searchutil import load, search

    search(tmp_path, "--trials", "1", "--models", "minirocket", "--repeats", "2", "--threshold-from", "oof")
    assert (tmp_path / "pe" / "split-k3-r2-seed0.json").is_file()
    study = load(tmp_path)
    identity = study.user_attrs["identity"]
    assert (identity["repeats"], identity["threshold_from"], identity["eval_crops"]) == (2, "oof", "cover")
    trial = study.trials[0]
    rows = trial.user_attrs["folds"]
    assert [(r["repeat"], r["fold"]) for r in rows] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    dev = rows[0]["n_train"] + rows[0]["n_eval"]
    assert all(r["n_train"] + r["n_eval"] == dev for r in rows)
    assert all(r["threshold_positives"] >= 10 for r in rows)  # oof: every training positive, ~27 here
    assert trial.user_attrs["config"]["threshold_from"] == "oof" and "warnings" not in trial.user_attrs
    assert trial.user_attrs["torch"]["num_threads"] >= 1
    proc = search(tmp_path, "--trials", "2", "--models", "minirocket", check=False)  # budget default: 1 repeat
    assert proc.returncode == 2 and "repeats=2, not 1" in proc.stderr
