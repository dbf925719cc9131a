"""What each trial of a study runs: the anchors, a fair share of the search per family, then the
ablation cells (:mod:`benchmark.study.ablation`).

The planner decides a trial's whole configuration before it starts and stores it as the trial's
``plan`` attribute; :class:`PlannedSampler`, the study's sampler, then answers every ``suggest_*``
of :func:`benchmark.study.space.suggest_config` from that plan, so the trial's parameters are ordinary
Optuna parameters (importances, the leaderboard) and the objective is unchanged.

Order of a study:

1. **Anchors**: the budget's reference configurations, written out in full, run as written, unpruned.
2. **Search** (``n_search`` trials): the next trial goes to the family with the fewest search trials
   so far (ties: registration order), whatever the others score. A family's first ``n_random``
   trials are independent random draws, unpruned (the expected-maximum curves read them); later
   ones are drawn by TPE from **that family's trials only** (a per-family shadow study), so a pruned
   trial teaches the sampler nothing about other families, and may be pruned by
   :class:`benchmark.engines.pruning.FamilyPruner`.
3. **Ablation**: the contrasts and cells are declared (stored) first, then each cell runs unpruned.
   With every cell planned, the rest of ``--trials`` goes back to the search.

Only public Optuna API is used: ``BaseSampler``, in-memory shadow studies built with ``add_trial``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import optuna
from optuna.distributions import CategoricalDistribution
from optuna.samplers import BaseSampler, RandomSampler, TPESampler
from optuna.trial import TrialState

from benchmark.study.ablation import ATTR, Settings, declaration
from benchmark.errors import ConfigError

PLAN = "plan"  # the trial attribute holding its plan
STAGES = ("anchor", "search", "ablation")
UNPRUNED_PHASES = ("anchor", "random", "cell")  # a trial in these phases is never pruned


def plan_of(trial) -> dict:
    """A trial's stored plan; trials stored before plans existed count as search-stage TPE trials."""
    return trial.user_attrs.get(PLAN) or {"stage": "search", "phase": "tpe",
                                           "family": trial.user_attrs.get("config", {}).get("family")}


def prunable(trial) -> bool:
    return plan_of(trial).get("phase") not in UNPRUNED_PHASES


def is_search(trial) -> bool:
    return plan_of(trial).get("stage") != "ablation"


class PlannedSampler(BaseSampler):
    """Answers each parameter from the trial's stored plan (the planner chose them all)."""

    def infer_relative_search_space(self, study, trial):
        return {}

    def sample_relative(self, study, trial, search_space):
        return {}

    def sample_independent(self, study, trial, param_name, param_distribution):
        params = trial.user_attrs.get(PLAN, {}).get("params")
        if params is None:
            raise ConfigError(f"trial {trial.number} has no plan: its parameters come from the planner "
                              "(benchmark.engines.planner)")
        if param_name not in params:
            raise ConfigError(f"trial {trial.number}: the plan has no value for {param_name!r}")
        return params[param_name]


class _AnchorSampler(BaseSampler):
    """Shadow-study sampler for an anchor: each value from the anchor, checked against the space."""

    def __init__(self, name: str, values: dict, budget: str):
        self.name, self.values, self.budget = name, values, budget

    def infer_relative_search_space(self, study, trial):
        return {}

    def sample_relative(self, study, trial, search_space):
        return {}

    def sample_independent(self, study, trial, param_name, dist):
        if param_name not in self.values:
            raise ConfigError(f"anchor {self.name}: no value for {param_name!r} (an anchor is written out in full; "
                              "benchmark/study/budgets.py)")
        value = self.values[param_name]
        if value == "max" and hasattr(dist, "high"):
            return dist.high
        if isinstance(dist, CategoricalDistribution) and value not in dist.choices:
            raise ConfigError(f"anchor {self.name}: {param_name}={value!r} is not a choice of budget {self.budget} "
                              f"({', '.join(map(str, dist.choices))})")
        if hasattr(dist, "high") and not dist.low <= value <= dist.high:
            raise ConfigError(f"anchor {self.name}: {param_name}={value!r} is outside [{dist.low}, {dist.high}] "
                              f"in budget {self.budget}")
        return value


@dataclass(frozen=True)
class PlanSettings:
    """``n_search`` trials for anchors + search before the ablation (``None``: all of ``--trials``),
    ``n_random`` random draws per family first, and the ablation's size (``ablation=None``: no
    ablation stage)."""

    n_search: int | None = None
    n_random: int = 5
    ablation: Settings | None = field(default_factory=Settings)


ABLATION_SHARE = 0.3  # the ablation's share of --trials at most (and no more than its cells can need)


def split_trials(trials: int, ablation: Settings | None, budget, pretrain_choices: list[str]) -> int | None:
    """Trials left to anchors + search when ``trials`` also hold the ablation: it keeps the most
    cells it can need (:meth:`benchmark.study.ablation.Settings.upper_bound`), at most
    :data:`ABLATION_SHARE` of ``trials``; cells it does not need go back to the search."""
    if ablation is None:
        return None
    return trials - min(ablation.upper_bound(budget, pretrain_choices), int(ABLATION_SHARE * trials))


class Planner:
    """Plans the next trial of a study (see the module docstring)."""

    def __init__(self, ctx, settings: PlanSettings):
        from benchmark.study.space import load_spaces, space_for

        self.ctx, self.settings = ctx, settings
        load_spaces()
        models = ctx.searched_models()
        self.families: dict[str, list[str]] = {}
        for model in models:
            self.families.setdefault(space_for(model).family, []).append(model)
        self.kinds = {f: space_for(ms[0]).kind for f, ms in self.families.items()}

    # ------------------------------------------------------------------ shadow studies
    def _shadow_config(self, sampler: BaseSampler, family: str, history: list | None = None):
        """Draw one configuration of ``family`` in an in-memory study with ``sampler``; ``history``
        (the family's finished trials) is added first, its ``model`` choices cut to the family's."""
        from benchmark.study.context import StudySpace

        shadow = optuna.create_study(direction="maximize", sampler=sampler)
        models = tuple(self.families[family])
        for t in history or []:
            dists = dict(t.distributions)
            if "model" in dists:
                dists["model"] = CategoricalDistribution(list(models))
            if t.params.get("model") not in models:
                continue
            shadow.add_trial(optuna.trial.create_trial(
                params=dict(t.params), distributions=dists, value=t.value if t.state == TrialState.COMPLETE else None,
                intermediate_values=dict(t.intermediate_values), state=t.state))
        trial = shadow.ask()
        space = StudySpace(self.ctx.budget, tuple(self.ctx.pretrain_choices), models, self.ctx.ceiling,
                           self.ctx.threshold_from, self.ctx.eval_crops)
        space(trial)
        return dict(trial.params)

    def anchor_params(self, name: str, values: dict) -> dict:
        family = next((f for f, ms in self.families.items() if values.get("model") in ms), None)
        if family is None:
            raise ConfigError(f"anchor {name}: model {values.get('model')!r} is not searched in this study")
        return self._shadow_config(_AnchorSampler(name, values, self.ctx.budget.name), family)

    # ------------------------------------------------------------------ the plan
    def next_plan(self, study: optuna.Study, number: int) -> dict:
        # a failed trial used its slot: a family (or cell, or anchor) that always fails must not
        # take every later trial (a retry of a dead worker's trial is a new trial with the same plan)
        trials = [t for t in study.get_trials(deepcopy=False) if t.number != number and PLAN in t.user_attrs]
        plans = [t.user_attrs[PLAN] for t in trials]
        done_anchors = {p.get("anchor") for p in plans if p["stage"] == "anchor"}
        for name, values in self.ctx.budget.anchors:
            if name not in done_anchors and values.get("model") in self.ctx.searched_models():
                return {"stage": "anchor", "phase": "anchor", "anchor": name,
                        "family": next(f for f, ms in self.families.items() if values["model"] in ms),
                        "params": self.anchor_params(name, values)}
        n_search = self.settings.n_search
        searched = sum(p["stage"] != "ablation" for p in plans)
        if self.settings.ablation is not None and n_search is not None and searched >= n_search:
            cell = self._next_cell(study, plans)
            if cell is not None:
                return cell
        return self._search_plan(study, trials, number)

    def _search_plan(self, study: optuna.Study, trials: list, number: int) -> dict:
        counts = {f: 0 for f in self.families}
        randoms = {f: 0 for f in self.families}
        for t in trials:
            p = t.user_attrs[PLAN]
            if p["stage"] == "search" and p["family"] in counts:
                counts[p["family"]] += 1
                randoms[p["family"]] += p["phase"] == "random"
        family = min(self.families, key=lambda f: (counts[f], list(self.families).index(f)))
        seed = (self.ctx.seed * 1_000_003 + number) % 2**32
        if randoms[family] < self.settings.n_random:
            return {"stage": "search", "phase": "random", "family": family,
                    "params": self._shadow_config(RandomSampler(seed=seed), family)}
        history = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
                   and t.user_attrs[PLAN]["family"] == family and t.user_attrs[PLAN]["stage"] != "ablation"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            tpe = TPESampler(multivariate=True, group=True, seed=seed, n_startup_trials=self.settings.n_random)
        return {"stage": "search", "phase": "tpe", "family": family,
                "params": self._shadow_config(tpe, family, history)}

    # ------------------------------------------------------------------ the ablation stage
    def _next_cell(self, study: optuna.Study, plans: list[dict]) -> dict | None:
        declared = study.user_attrs.get(ATTR)
        if declared is None:
            declared = self.declare(study)
            if declared is None:
                return None
        taken = {p.get("cell") for p in plans if p["stage"] == "ablation"}
        for cell in declared["cells"]:
            if cell["id"] not in taken:
                return {"stage": "ablation", "phase": "cell", "family": cell["family"], "cell": cell["id"],
                        "seed_offset": cell["seed_offset"], "params": dict(cell["params"]),
                        "partition_repeats": declared["settings"].get("repeats", 1)}
        return None

    def centres(self, study: optuna.Study) -> dict[str, dict]:
        """Each deep family's best complete search-stage trial, the best ``K`` families."""
        best: dict[str, optuna.trial.FrozenTrial] = {}
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            p = plan_of(t)
            family = p.get("family")
            if p.get("stage") == "ablation" or self.kinds.get(family) != "deep" or PLAN not in t.user_attrs:
                continue
            if t.value is not None and math.isfinite(t.value) and (family not in best or t.value > best[family].value):
                best[family] = t
        ranked = sorted(best.values(), key=lambda t: (-t.value, t.number))[: self.settings.ablation.families]
        return {plan_of(t)["family"]: {"trial": t.number, "cv_auroc": t.value, "params": dict(t.params),
                                       "model_kwargs": t.user_attrs["config"]["model_kwargs"]} for t in ranked}

    def declare(self, study: optuna.Study) -> dict | None:
        """Store the stage's cells and contrasts (before any cell runs); None when no deep family
        has a complete trial (the stage is skipped, and the attribute says why)."""
        from benchmark.study.space import stage_count

        centres = self.centres(study)
        if not centres:
            study.set_user_attr(ATTR, {"skipped": "no deep family has a complete search trial", "cells": [],
                                       "contrasts": []})
            return None
        stages = {family: stage_count(c["params"]["model"], tuple(sorted(c.pop("model_kwargs").items())))
                  for family, c in centres.items()}
        body = declaration(centres, stages, self.ctx.budget, list(self.ctx.pretrain_choices),
                           self.settings.ablation, self.ctx.ablation_split(self.settings.ablation.repeats))
        if study.user_attrs.get(ATTR) is None:  # another worker may have declared meanwhile: its stands
            study.set_user_attr(ATTR, body)
        return study.user_attrs[ATTR]
