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
