"""A study's identity: what a stored study must match for a command to resume it.

It is a fingerprint of everything that changes what a trial would draw or compute, kept as named
parts so that a refusal names what differs:

* ``budget``: every budget setting (folds, epochs, crops, normalizations, filters, anchors, ...);
* ``models``: the searched models with their families (after the budget and the ceiling);
* ``space``: every family's parameters as the space files define them (name, choices or range;
  after the ceiling's limits);
* ``pretraining``: the pretraining choices;
* ``plan``: the planner's settings (random draws per family, the ablation's split and size);
* ``results_schema``: :data:`RESULTS_SCHEMA`, which changes only when stored numbers would.

The package version is recorded, not compared: a release that only touches tables reads every
earlier study.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

RESULTS_SCHEMA = 2  # 1: studies before stored predictions and the planner (package 0.3.0); 2: predictions, plans


class _RecordingTrial:
    """Records each ``suggest_*`` of a space function (name, kind, choices or range); answers the first value."""

    def __init__(self):
        self.calls: list = []

    def suggest_categorical(self, name, choices):
        self.calls.append([name, "categorical", list(choices)])
        return list(choices)[0]

    def suggest_int(self, name, low, high, step=1, log=False):
        self.calls.append([name, "int", low, high, step, log])
        return low

    def suggest_float(self, name, low, high, step=None, log=False):
        self.calls.append([name, "float", low, high, step, log])
        return low


def space_parts(models: list[str], ceiling) -> dict[str, Any]:
    """Family -> each model's recorded parameters (the ceiling's limits applied)."""
    from benchmark.study.space import _Prefixed, space_for

    out: dict[str, Any] = {}
    for model in models:
        entry = space_for(model)
        limits = ceiling.family(entry.family) if ceiling is not None and entry.kind == "deep" else None
        trial = _RecordingTrial()
        entry.fn(_Prefixed(trial, entry.family, limits), model)
        out[model] = trial.calls
    return out


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def fingerprint(ctx, plan: dict | None = None) -> dict[str, str]:
    """The named parts of the identity, each a short hash (``plan``: the planner's settings; left out
    when None, for commands that only read the study back)."""
    from benchmark.study.space import space_for

    models = ctx.searched_models()
    parts = {"budget": digest(ctx.budget.as_dict()),
             "models": digest([[m, space_for(m).family] for m in models]),
             "space": digest(space_parts(models, ctx.ceiling)),
             "pretraining": digest(list(ctx.pretrain_choices)),
             "results_schema": str(RESULTS_SCHEMA)}
    if plan is not None:
        parts["plan"] = digest(plan)
    return parts
