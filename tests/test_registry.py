"""The registry contract (benchmark.registry) and the budgets' choice lists drawn from it."""

from __future__ import annotations

import pytest

from benchmark.errors import ConfigError
from benchmark.registry import Registry


def test_register_get_and_order():
    reg = Registry("widget")
    assert reg.register("zeta", 1) == 1  # returns the object: usable at the end of a decorator
    reg.register("alpha", 2)
    reg.register("zeta", 3)  # a re-registration replaces the object, keeps the first place
    assert reg.names() == ["zeta", "alpha"] and list(reg) == ["zeta", "alpha"]
    assert reg.items() == [("zeta", 3), ("alpha", 2)] and reg.get("zeta") == 3
    assert "alpha" in reg and "beta" not in reg and len(reg) == 2


def test_unknown_name_is_one_line_with_a_hint():
    reg = Registry("widget")
    reg.register("alpha", 1)
    with pytest.raises(ConfigError, match=r"^unknown widget 'alpah' \(did you mean alpha\?\)$"):
        reg.get("alpah")
    with pytest.raises(ConfigError, match=r"^unknown widget 'zzz'$"):
        reg.get("zzz")
    listed = Registry("widget", list_known=True)
    listed.register("beta", 1)
    listed.register("alpha", 2)
    with pytest.raises(ConfigError, match=r"^unknown widget 'zzz'; known: alpha, beta$"):
        listed.get("zzz")


def test_budgets_search_every_registered_filter_and_normalization_in_the_seeded_order():
    # samplers draw categoricals by index: this order is part of every seeded study
    from benchmark.study.budgets import BUDGETS

    for budget in BUDGETS.values():
        assert budget.normalizations == ("none", "minmax", "zscore", "robust", "log", "l2", "zscore_dataset")
        assert budget.filters == ("none", "bandpass", "baseline")


def test_pretraining_levels_are_the_tagged_sources_in_the_seeded_order_and_explicit_pools():
    # the pretrain categorical is none, random_frozen, these sources (those present), then the pools
    from benchmark.data.pools import POOLS, pool_members
    from benchmark.data.sources import pretraining_sources

    assert pretraining_sources() == ("ptbxl", "cpsc2018")
    assert POOLS == {"both": ("ptbxl", "cpsc2018")}
    assert pool_members("both") == ("ptbxl", "cpsc2018") and pool_members("ptbxl") == ("ptbxl",)


def test_the_plugin_api_is_importable_from_benchmark_and_lazy():
    import subprocess
    import sys

    code = ("import sys, benchmark\n"
            "assert not {'torch', 'pandas', 'optuna'} & set(sys.modules), 'import benchmark is not cheap'\n"
            "from benchmark import (StagedModel, register_model, register_space, register_transform, register_source,\n"
            "                       register_baseline, register_engine, Transform, Source, Signal, Engine)\n"
            "from benchmark.models import StagedModel as S, register_model as m\n"
            "assert StagedModel is S and register_model is m\n")
    from tests.conftest import REPO

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.parametrize("present,expected", [
    (("ptbxl", "cpsc2018"), ["none", "random_frozen", "ptbxl", "cpsc2018", "both"]),
    (("ptbxl",), ["none", "random_frozen", "ptbxl"]),
    ((), ["none", "random_frozen"]),
])
def test_pretrain_choices_keep_their_order(present, expected):
    from types import SimpleNamespace

    from benchmark.errors import DataError
    from benchmark.search import pretrain_choices

    def pretraining(source):
        if source not in present:
            raise DataError(f"pretraining source {source}: no labelled data found")
        return SimpleNamespace(notices=[])

    choices, notices = pretrain_choices(SimpleNamespace(pretraining=pretraining))
    assert choices == expected
    assert ("pretraining source both dropped from the search: needs ptbxl and cpsc2018" in notices) == ("both" not in expected)
