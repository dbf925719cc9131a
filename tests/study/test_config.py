"""What "pretrained" means is defined once (benchmark.study.config) and read the same way by the
objective (which arms need a pretraining run) and the leaderboard (which rows have freezing)."""

from __future__ import annotations

import pytest

from benchmark.leaderboard.table import freezable as stored_freezable
from benchmark.study.config import NO_PRETRAINING, RANDOM_FROZEN, TrialConfig, sources
from benchmark.training.loop import Recipe


@pytest.mark.parametrize("arm, pretrained, freezable", [(NO_PRETRAINING, False, False), (RANDOM_FROZEN, False, True),
                                                         ("ptbxl", True, True), ("mysource", True, True)])
def test_one_meaning_of_pretrained(arm, pretrained, freezable):
    config = TrialConfig("resnet1d18", "resnet1d", "deep", pretrain=arm, recipe=Recipe(), freeze_depth=None)
    assert (config.pretrained, config.freezable) == (pretrained, freezable)
    assert stored_freezable(config.to_dict()) == freezable  # the leaderboard reads the stored form alike
    baseline = TrialConfig("minirocket", "rocket", "baseline")
    assert not baseline.pretrained and not baseline.freezable and not stored_freezable(baseline.to_dict())


def test_sources_leave_out_none_and_the_control():
    assert sources(["none", RANDOM_FROZEN, "ptbxl", "cpsc2018"]) == ["ptbxl", "cpsc2018"]


def test_the_space_draws_each_factor_from_its_declaration():
    from benchmark.study.budgets import get_budget
    from benchmark.study.config import FACTORS
    from benchmark.study.identity import _RecordingTrial
    from benchmark.study.space import suggest_config

    budget, choices = get_budget("full"), ["none", RANDOM_FROZEN, "ptbxl"]
    trial = _RecordingTrial()
    trial.suggest_categorical = lambda name, options, calls=trial.calls: calls.append([name, list(options)]) or \
        (options[-1] if name == "pretrain" else ("resnet1d18" if name == "model" else options[0]))
    suggest_config(trial, budget, choices, ["resnet1d18"])
    drawn = {c[0]: c[1] for c in trial.calls if len(c) == 2}
    declared = {n: f.choices(budget, choices) for n, f in FACTORS.items() if f.levels}
    assert declared and all(drawn[n] == levels for n, levels in declared.items()), (drawn, declared)


def test_the_leaderboard_names_each_factor_from_its_declaration():
    from benchmark.leaderboard.columns import COLUMNS
    from benchmark.leaderboard.factors import FACTOR_NAMES
    from benchmark.study.config import OPTIONAL_FACTORS
    from benchmark.study.config import FACTORS

    for name, f in FACTORS.items():
        assert (COLUMNS[name].label, COLUMNS[name].definition) == (f.label, f.definition)
    assert FACTOR_NAMES == {n: f.effect_label for n, f in FACTORS.items() if f.effect_label}
    assert set(OPTIONAL_FACTORS) == {"crop_seconds", "filter", "pretrain", "freeze_depth", "freeze_fraction"}
