"""The budget's cost ceiling: a configuration above it is never sampled, and the space it leaves is
fixed for the life of a study (so Optuna's categorical lists never change under it)."""

from __future__ import annotations

import dataclasses

import optuna
import pytest

from benchmark.study.budgets import get_budget
from benchmark.study.ceiling import CostCeiling, enumerate_space
from benchmark.models.flops import forward_flops
from benchmark.study.space import space_for, suggest_config

MODELS = ["resnet1d18", "resnet1d34", "resnet1d50", "transformer1d", "minirocket"]
BUDGET = dataclasses.replace(get_budget("small"), crops=(1.0, 2.5), min_epochs=2, max_epochs=30)


def _ceiling(tflop: float) -> CostCeiling:
    return CostCeiling(tflop * 1e12, train_records=400, in_leads=12, fs=100, crops=BUDGET.crops,
                       min_epochs=BUDGET.min_epochs)


def _sample(ceiling, n: int, sampler) -> list[dict]:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    configs = []
    for _ in range(n):
        trial = study.ask()
        configs.append(suggest_config(trial, BUDGET, ["none"], MODELS, ceiling).to_dict())
        study.tell(trial, float(len(configs) % 7))  # any value: only the sampled space matters here
    return configs


def _flops(ceiling, config) -> int:
    return ceiling.trial_flops(config["model"], config["model_kwargs"], config["crop_seconds"], config["epochs"])


def test_no_sampled_configuration_is_above_the_ceiling():
    ceiling = _ceiling(0.5)
    # the space without the ceiling does hold configurations above it, so the check below can fail
    unbounded = [c for c in _sample(None, 60, optuna.samplers.RandomSampler(seed=0)) if c["kind"] == "deep"]
    assert max(_flops(ceiling, c) for c in unbounded) > ceiling.max_flops
    assert ceiling.removed(MODELS), "a 0.5 TFLOP ceiling must remove something from the resnet space"
    for sampler in (optuna.samplers.RandomSampler(seed=1), optuna.samplers.TPESampler(seed=2, n_startup_trials=5)):
        deep = [c for c in _sample(ceiling, 60, sampler) if c["kind"] == "deep"]
        assert deep and all(_flops(ceiling, c) <= ceiling.max_flops for c in deep)
        assert all(c["epochs"] >= BUDGET.min_epochs for c in deep)


def test_every_kept_combination_fits_at_the_longest_crop_and_removals_are_real_choices():
    ceiling = _ceiling(0.5)
    entry = space_for("resnet1d18")
    limits = ceiling.family(entry.family)
    assert limits.models and limits.removed
    kept = 0
    for model in limits.models:
        for assign, kwargs in enumerate_space(entry.fn, model)[0]:
            if all(v in limits.categorical.get(n, [v]) for n, v in assign.items()):
                kept += 1
                assert ceiling.trial_flops(model, kwargs, BUDGET.crops[-1], BUDGET.min_epochs) <= ceiling.max_flops
    assert kept > 0
    names = {r.split("=")[0] for r in limits.removed}
    assert names <= {"model", "resnet1d.width", "resnet1d.kernel_size"}


def test_a_ceiling_too_low_for_a_family_drops_its_models_and_keeps_baselines():
    ceiling = _ceiling(1e-6)
    assert ceiling.models(MODELS) == ["minirocket"]
    configs = _sample(ceiling, 5, optuna.samplers.RandomSampler(seed=0))
    assert {c["model"] for c in configs} == {"minirocket"}


def test_recurrent_modules_are_counted():
    """``FlopCounterMode`` counts 0 for the CPU LSTM kernel; the estimate must not call it free."""
    lstm = forward_flops("lstm", {"hidden": 64, "layers": 2, "bidirectional": True, "downsample": 4}, 12, 250)
    gru = forward_flops("gru", {"hidden": 64, "layers": 2, "bidirectional": True, "downsample": 4}, 12, 250)
    assert lstm > 0 and gru > 0
    assert lstm == pytest.approx(gru * 4 / 3, rel=0.05)  # 4 gates against 3, same shapes


def test_the_small_budget_states_a_ceiling_and_a_study_records_it():
    assert get_budget("small").max_train_tflop is not None
    assert get_budget("full").max_train_tflop is None
