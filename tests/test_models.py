"""Every registered model: any length at or above its minimum, stages + head, freezing, head swap."""

from __future__ import annotations

import pytest
import torch

from benchmark.errors import ConfigError
from benchmark.models import create_model, list_models, model_info

MODELS = list_models()
# small widths keep the test quick; the architecture (stages, blocks) is unchanged
SMALL = {"width": 16, "nf": 8, "hidden": 16, "d_model": 32}


def small(name: str, **kw):
    params = __import__("benchmark.models", fromlist=["model_params"]).model_params(name)
    return create_model(name, **{k: v for k, v in SMALL.items() if k in params}, **kw)


# The fast suite runs forward/backward at every length for these (one cheap model per family, about
# 1-5 s of CPU each); the deeper, wider and slow-recurrent ones (GRU and CRNN take 15-35 s of CPU at
# 10 s x 500 Hz) run in the full suite. Every model's stages and head tests below run in both.
FAST = {"resnet1d18", "xresnet1d18", "inceptiontime1d", "vgg11_1d", "alexnet1d", "lstm", "transformer1d", "hsmnet",
        "s4d"}
BY_COST = [name if name in FAST else pytest.param(name, marks=pytest.mark.slow) for name in MODELS]


def test_registry_has_the_paper_families():
    families = {model_info(n).family for n in MODELS}
    assert {"resnet1d", "xresnet1d", "inception", "vgg1d", "alexnet1d", "rnn", "crnn", "transformer", "hsmnet",
            "s4d"} <= families
    assert {"resnet1d18", "resnet1d34", "resnet1d50", "vgg11_1d", "vgg16_1d", "lstm", "gru"} <= set(MODELS)
    with pytest.raises(ConfigError, match="did you mean resnet1d18"):
        create_model("resnet1d81")
    with pytest.raises(ConfigError, match="no parameter 'widht'"):
        create_model("resnet1d18", widht=3)


@pytest.mark.parametrize("name", BY_COST)
def test_forward_backward_any_length(name):
    torch.manual_seed(0)
    model = small(name, n_classes=3)
    assert model_info(name).min_length <= 250
    for T in (250, 500, 1000, 5000):  # 2.5 / 5 / 10 s at 100 Hz, and 10 s at 500 Hz
        x = torch.randn(2, 12, T)
        out = model(x)
        assert out.shape == (2, 3) and torch.isfinite(out).all()
        out.sum().backward()
        grads = [p.grad for p in model.parameters()]
        assert all(g is not None for g in grads)
        model.zero_grad()


@pytest.mark.parametrize("name", MODELS)
def test_stages_cover_parameters_and_freezing_counts(name):
    model = small(name)
    every = {id(p) for p in model.parameters()}
    staged = [{id(p) for p in s.parameters()} for s in model.stages]
    head = {id(p) for p in model.head.parameters()}
    assert set().union(*staged) | head == every and sum(map(len, staged)) + len(head) == len(every)
    for k in range(model.n_stages + 1):
        model.freeze(k)
        frozen = {id(p) for p in model.parameters() if not p.requires_grad}
        expected = set().union(*staged[:k]) if k else set()
        assert frozen == expected
        model.train()
        for i, stage in enumerate(model.stages):
            for m in stage.modules():
                if isinstance(m, torch.nn.BatchNorm1d):
                    assert m.training == (i >= k)  # frozen BN keeps its running statistics


@pytest.mark.parametrize("name", MODELS)
def test_reset_head_keeps_backbone(name):
    model = small(name)
    before = {k: v.clone() for k, v in model.backbone_state().items()}
    model.reset_head(5)
    after = model.backbone_state()
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)
    assert model(torch.randn(2, 12, 250)).shape == (2, 5)


def test_frozen_bn_statistics_do_not_move():
    model = small("resnet1d18")
    model.freeze(2)
    model.train()
    stats = model.stages[0][0][1].running_mean.clone()
    model(torch.randn(4, 12, 250) * 5 + 3)
    assert torch.equal(stats, model.stages[0][0][1].running_mean)
