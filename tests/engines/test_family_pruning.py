"""The family-scoped pruner (benchmark.engines.pruning): it compares a trial only with its own
family, at the same step, on the value at that step; never before min_epochs; races at fold steps
from the 3rd shared block; never prunes the planner's unpruned trials."""

from __future__ import annotations

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from benchmark.engines.pruning import FamilyPruner

MAX_EPOCHS, MIN_EPOCHS = 10, 3


def trial(number: int, family: str, values: dict[int, float], state=TrialState.COMPLETE, phase="tpe", value=None):
    t = create_trial(params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, state=state,
                     value=value if state == TrialState.COMPLETE else None, intermediate_values=values,
                     user_attrs={"plan": {"stage": "search", "phase": phase, "family": family}})
    t.number = number
    return t


def pruner():
    return FamilyPruner(MAX_EPOCHS, MIN_EPOCHS, test_train_ratio=0.25)


def test_epoch_step_reads_its_own_family_only():
    strong_others = [trial(i, "rocket", {5: 0.99}, value=0.99) for i in range(6)]
    weak_same = [trial(10 + i, "resnet1d", {5: 0.55}, value=0.6) for i in range(4)]
    me = trial(99, "resnet1d", {5: 0.60}, state=TrialState.RUNNING)
    d = pruner().decide(strong_others + weak_same, me)
    assert not d.prune and d.rule == "epoch-median" and d.bar == pytest.approx(0.55) and d.comparators == 4
    # the same trial among a stronger family of its own is pruned: the rule can fire
    strong_same = [trial(20 + i, "resnet1d", {5: 0.9}, value=0.9) for i in range(4)]
    assert pruner().decide(strong_others + strong_same, me).prune


def test_other_families_never_count_as_comparators():
    others = [trial(i, "rocket", {5: 0.99, 12: 0.99, 13: 0.99, 14: 0.99}, value=0.99) for i in range(20)]
    at_epoch = trial(99, "vgg1d", {5: 0.1}, state=TrialState.RUNNING)
    at_fold = trial(98, "vgg1d", {12: 0.1, 13: 0.1, 14: 0.1}, state=TrialState.RUNNING)
    assert not pruner().decide(others, at_epoch).prune
    assert not pruner().decide(others, at_fold).prune  # no same-family incumbent: nothing to race


def test_the_value_at_the_step_decides_not_the_best_so_far():
    same = [trial(i, "resnet1d", {4: 0.8}, value=0.8) for i in range(4)]
    peaked = trial(99, "resnet1d", {2: 0.99, 4: 0.7}, state=TrialState.RUNNING)  # best so far 0.99, now 0.7
    assert pruner().decide(same, peaked).prune


def test_no_prune_before_min_epochs():
    same = [trial(i, "resnet1d", {e: 0.9 for e in range(MAX_EPOCHS)}, value=0.9) for i in range(8)]
    for epoch in range(MIN_EPOCHS - 1):
        me = trial(99, "resnet1d", {e: 0.1 for e in range(epoch + 1)}, state=TrialState.RUNNING)
        d = pruner().decide(same, me)
        assert not d.prune and d.rule == "warmup", epoch
    me = trial(99, "resnet1d", {e: 0.1 for e in range(MIN_EPOCHS)}, state=TrialState.RUNNING)
    assert pruner().decide(same, me).prune  # from the min_epochs-th epoch on the rule applies


def test_a_race_needs_three_shared_blocks_and_a_significant_gap():
    incumbent = trial(1, "inception", {10: 0.90, 11: 0.92, 12: 0.91, 13: 0.93, 14: 0.90}, value=0.912)
    for n in (1, 2):
        me = trial(99, "inception", {10 + i: 0.5 for i in range(n)}, state=TrialState.RUNNING)
        d = pruner().decide([incumbent], me)
        assert not d.prune and d.rule == "too few shared blocks" and d.comparators == n
    close = trial(98, "inception", {10: 0.91, 11: 0.90, 12: 0.92}, state=TrialState.RUNNING)
    assert not pruner().decide([incumbent], close).prune
    far = trial(97, "inception", {10: 0.60, 11: 0.62, 12: 0.58}, state=TrialState.RUNNING)
    d = pruner().decide([incumbent], far)
    assert d.prune and d.rule == "race" and d.comparators == 3 and d.p < 0.1


@pytest.mark.parametrize("phase", ["anchor", "random", "cell"])
def test_unpruned_phases_are_never_pruned(phase):
    same = [trial(i, "resnet1d", {5: 0.9}, value=0.9) for i in range(8)]
    me = trial(99, "resnet1d", {5: 0.01}, state=TrialState.RUNNING, phase=phase)
    assert not pruner().decide(same, me).prune


def test_the_pruner_runs_inside_optuna():
    """Through Optuna's own should_prune (a live study), not only decide()."""
    study = optuna.create_study(direction="maximize", pruner=pruner())
    for i in range(4):
        study.add_trial(trial(i, "resnet1d", {3: 0.9}, value=0.9))
    t = study.ask()
    t.set_user_attr("plan", {"stage": "search", "phase": "tpe", "family": "resnet1d"})
    t.report(0.2, 3)
    assert t.should_prune()
    u = study.ask()
    u.set_user_attr("plan", {"stage": "search", "phase": "tpe", "family": "xresnet1d"})
    u.report(0.2, 3)
    assert not u.should_prune()
