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
    from benchmark.budgets import BUDGETS

    for budget in BUDGETS.values():
        assert budget.normalizations == ("none", "minmax", "zscore", "robust", "log", "l2", "zscore_dataset")
        assert budget.filters == ("none", "bandpass", "baseline")
