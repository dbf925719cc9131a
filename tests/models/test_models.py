"""Every registered model passes the plugin authors' kit (benchmark.testing.check_model): builds,
forward/backward at its minimum length and longer, stages + head, freezing, head swap."""

from __future__ import annotations

import pytest
import torch

from benchmark.errors import ConfigError
from benchmark.models import create_model, list_models, model_info
from benchmark.testing import check_model_forward, parametrize_with_checks

MODELS = list_models()


def test_registry_has_the_paper_families():
    families = {model_info(n).family for n in MODELS}
    assert {"resnet1d", "xresnet1d", "inception", "vgg1d", "alexnet1d", "rnn", "crnn", "transformer", "hsmnet",
            "s4d"} <= families
    assert {"resnet1d18", "resnet1d34", "resnet1d50", "vgg11_1d", "vgg16_1d", "lstm", "gru"} <= set(MODELS)
    with pytest.raises(ConfigError, match="did you mean resnet1d18"):
        create_model("resnet1d81")
    with pytest.raises(ConfigError, match="no parameter 'widht'"):
        create_model("resnet1d18", widht=3)


# built from each space's first values (the smallest widths), at min_length, 250 and 1000 samples
@parametrize_with_checks(models=MODELS)
def test_model_conforms(check):
    check()


@pytest.mark.slow
@pytest.mark.parametrize("name", MODELS)
def test_forward_at_10_s_500_hz(name):
    check_model_forward(name, lengths=[5000])  # GRU and CRNN take 15-35 s of CPU here


def test_every_model_accepts_the_shortest_search_crop():
    assert all(model_info(n).min_length <= 250 for n in MODELS)  # 2.5 s at 100 Hz


def test_frozen_bn_statistics_do_not_move():
    model = create_model("resnet1d18", width=16)
    model.freeze(2)
    model.train()
    stats = model.stages[0][0][1].running_mean.clone()
    model(torch.randn(4, 12, 250) * 5 + 3)
    assert torch.equal(stats, model.stages[0][0][1].running_mean)


# ------------------------------------------------------------------------------ min_length in the space
def test_min_length_removes_models_that_cannot_take_the_shortest_crop():
    import optuna

    from benchmark.study.budgets import BUDGETS, get_budget
    from benchmark.study.space import searchable_models, suggest_config

    full = get_budget("full")  # crops from 1 s: 50 samples at 50 Hz, below alexnet1d's 64
    assert model_info("alexnet1d").min_length == 64
    at_50 = searchable_models(None, full, fs=50.0)
    assert "alexnet1d" not in at_50 and {"lstm", "resnet1d18", "minirocket"} <= set(at_50)
    assert set(searchable_models(None, full)) - set(at_50) == {"alexnet1d"}
    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
    suggest_config(trial, full, ["none"], fs=50.0)
    assert "alexnet1d" not in trial.distributions["model"].choices
    for budget in BUDGETS.values():  # at 100 Hz (the shortest crop 1 s, 100 samples) every model fits
        assert searchable_models(None, budget, fs=100.0) == searchable_models(None, budget)


def test_family_is_declared_once_with_the_model():
    from benchmark.study.space import load_spaces

    for family, entry in load_spaces().items():
        if entry.kind == "deep":
            assert {model_info(m).family for m in entry.models} == {family}
