"""A budget's cost ceiling: the most training compute one trial may be given, applied to the space
*before* sampling, so a configuration above it is never drawn (and never drawn and retried).

The estimate, made before any training, is the training FLOPs of a deep configuration::

    3 × forward FLOPs per record (at the crop) × Σ_(repeat, fold) n_train × epochs

(backward ≈ 2 × forward, the usual rule for dense networks, Kaplan et al. 2020, "Scaling laws for
neural language models", section 2.1). Every outer-training record is counted as trained, so the
inner-validation pass of each epoch is covered too. Forward FLOPs come from
:func:`benchmark.models.flops.forward_flops`. sktime baselines are bounded by their budget overrides
(kernel counts), not by this ceiling.

How the space shrinks, per family (the parameters of a family share names, so its models share one
choice list each):

1. Every combination of the family's models and architecture parameters is enumerated (define-by-run:
   categorical choices, every integer of a range of at most 16 values, otherwise its ends; floats at
   their ends). Each is costed at the budget's *longest* crop and ``min_epochs``.
2. While the costliest remaining combination is over the ceiling, one of its choices (a model, a
   categorical value, or the top of a numeric range) is removed: the one whose removal loses the
   fewest remaining combinations that fit, ties broken by the highest mean cost. A family with
   nothing left drops out of the model list.
3. When a trial is sampled, the top of its ``epochs`` range is lowered to what fits its architecture
   and crop (Optuna allows a numeric range to change; categorical lists never change within a study).

The result depends only on the budget, the cohort's fold sizes and the code, so a resumed study sees
the same space. ``python scripts/bench_ceiling.py`` prints what a budget removes and what the ceiling
means in minutes on the machine it runs on.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from benchmark.models.flops import forward_flops

BACKWARD_FACTOR = 3  # forward + backward ≈ 3 × forward
MAX_ENUMERATED_INTS = 16


class _Enumerating:
    """A trial that answers from ``assign`` and records each parameter's candidate values."""

    def __init__(self, assign: dict):
        self.assign = assign
        self.candidates: dict[str, tuple[str, list]] = {}

    def suggest_categorical(self, name, choices):
        self.candidates[name] = ("categorical", list(choices))
        return self.assign.get(name, list(choices)[0])

    def suggest_int(self, name, low, high, step=1, log=False):
        values = list(range(low, high + 1, step or 1))
        if len(values) > MAX_ENUMERATED_INTS:
            values = [low, high]
        self.candidates[name] = ("numeric", values)
        return self.assign.get(name, low)

    def suggest_float(self, name, low, high, step=None, log=False):
        self.candidates[name] = ("numeric", [low, high] if high > low else [low])
        return self.assign.get(name, low)


def enumerate_space(fn, model: str) -> tuple[list[tuple[dict, dict]], dict[str, str]]:
    """Every (assignment, builder kwargs) of ``fn(trial, model)`` and each parameter's kind."""
    out, kinds, stack = [], {}, [{}]
    while stack:
        assign = stack.pop()
        trial = _Enumerating(assign)
        kwargs = fn(trial, model)
        for name, (kind, _) in trial.candidates.items():
            kinds[name] = kind
        free = [n for n in trial.candidates if n not in assign]
        if not free:
            out.append(({n: assign[n] for n in trial.candidates}, kwargs))
            continue
        name = free[0]
        stack.extend({**assign, name: v} for v in reversed(trial.candidates[name][1]))
    return out, kinds


@dataclass(frozen=True)
class FamilyLimits:
    """What the ceiling leaves of one family: its models, categorical lists and numeric tops."""

    models: tuple[str, ...]
    categorical: dict[str, tuple]
    numeric_high: dict[str, Any]
    removed: tuple[str, ...]  # human-readable, in removal order


class CostCeiling:
    """The ceiling of one study: ``max_flops`` of training per trial, for ``train_records`` per epoch."""

    def __init__(self, max_flops: float, train_records: int, in_leads: int, fs: float, crops, min_epochs: int):
        self.max_flops = float(max_flops)
        self.train_records = int(train_records)
        self.in_leads, self.fs = int(in_leads), float(fs)
        self.crops = tuple(sorted(crops))
        self.min_epochs = int(min_epochs)

    def length(self, crop_seconds: float) -> int:
        return int(round(crop_seconds * self.fs))

    def epoch_flops(self, model: str, kwargs: dict, crop_seconds: float) -> int:
        """Training FLOPs of one epoch over every (repeat, fold) of the study."""
        per_record = forward_flops(model, kwargs, self.in_leads, self.length(crop_seconds))
        return BACKWARD_FACTOR * per_record * self.train_records

    def trial_flops(self, model: str, kwargs: dict, crop_seconds: float, epochs: int) -> int:
        return self.epoch_flops(model, kwargs, crop_seconds) * int(epochs)

    def max_epochs(self, model: str, kwargs: dict, crop_seconds: float, high: int) -> int:
        """The most epochs (at most ``high``, at least ``min_epochs``) that fit the ceiling."""
        per_epoch = self.epoch_flops(model, kwargs, crop_seconds)
        fit = math.floor(self.max_flops / per_epoch) if per_epoch > 0 else high
        return max(self.min_epochs, min(high, fit))

    @functools.lru_cache(maxsize=None)
    def family(self, family: str) -> FamilyLimits:
        from benchmark.study.space import load_spaces

        entry = load_spaces()[family]
        combos: list[tuple[dict, dict]] = []  # (choices incl. model, builder kwargs)
        kinds = {"model": "categorical"}
        for model in entry.models:
            rows, k = enumerate_space(entry.fn, model)
            kinds.update(k)
            combos.extend(({"model": model, **assign}, kwargs) for assign, kwargs in rows)
        longest = self.crops[-1]
        cost = [self.trial_flops(c["model"], kw, longest, self.min_epochs) for c, kw in combos]
        allowed: dict[str, list] = {}
        for choice, _ in combos:
            for name, value in choice.items():
                if value not in allowed.setdefault(name, []):
                    allowed[name].append(value)
        removed: list[str] = []
        while True:
            live = [i for i, (c, _) in enumerate(combos) if all(v in allowed[n] for n, v in c.items())]
            if not live:
                return FamilyLimits((), {}, {}, tuple(removed) + (f"{family}: every model",))
            worst = max(live, key=lambda i: cost[i])
            if cost[worst] <= self.max_flops:
                break
            options = []
            for name, value in combos[worst][0].items():
                values = allowed[name]
                if len(values) < 2 or (kinds[name] == "numeric" and value != max(values)):
                    continue
                with_it = [cost[i] for i in live if combos[i][0].get(name) == value]
                fitting = sum(c <= self.max_flops for c in with_it)
                options.append((-fitting, sum(with_it) / len(with_it), name, value))
            if not options:
                return FamilyLimits((), {}, {}, tuple(removed) + (f"{family}: every model",))
            *_, name, value = max(options, key=lambda o: o[:2])
            allowed[name].remove(value)
            removed.append(f"{name}={value}" if name == "model" else f"{family}.{name}={value}")
        categorical = {n: tuple(v) for n, v in allowed.items() if kinds[n] == "categorical" and n != "model"}
        numeric = {n: max(v) for n, v in allowed.items() if kinds[n] == "numeric"}
        return FamilyLimits(tuple(allowed["model"]), categorical, numeric, tuple(removed))

    def kept(self, family: str) -> list[tuple[str, dict]]:
        """Every (model, builder kwargs) of ``family`` that the ceiling leaves in the space."""
        from benchmark.study.space import load_spaces

        limits, entry = self.family(family), load_spaces()[family]
        out = []
        for model in limits.models:
            for assign, kwargs in enumerate_space(entry.fn, model)[0]:
                if all(v in limits.categorical.get(n, (v,)) and v <= limits.numeric_high.get(n, v)
                       for n, v in assign.items() if n in limits.categorical or n in limits.numeric_high):
                    out.append((model, kwargs))
        return out

    def models(self, models: list[str]) -> list[str]:
        """``models`` less the deep models the ceiling removes (baselines stay)."""
        from benchmark.study.space import space_for

        keep = []
        for model in models:
            entry = space_for(model)
            if entry.kind == "baseline" or model in self.family(entry.family).models:
                keep.append(model)
        return keep

    def removed(self, models: list[str]) -> list[str]:
        from benchmark.study.space import space_for

        families = sorted({space_for(m).family for m in models if space_for(m).kind == "deep"})
        return [r for f in families for r in self.family(f).removed]


def study_ceiling(budget, split, in_leads: int, fs: float) -> CostCeiling | None:
    """The ceiling of a study on ``split`` (None when the budget states none)."""
    if budget.max_train_tflop is None:
        return None
    from benchmark.trial.cv import cv_steps

    records = sum(len(split.fold(k, repeat)[0]) for repeat, k in cv_steps(split))
    return CostCeiling(budget.max_train_tflop * 1e12, records, in_leads, fs, budget.crops, budget.min_epochs)
