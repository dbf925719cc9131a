"""One stored study: opening or creating it, and checking that it is the study this command means.

Both engines open their study here (Ray's searcher writes into the same Optuna storage), and the
commands that read a study back (leaderboard, finalize, reproduce) check the data on disk against
it here: one module owns a study's identity (:meth:`benchmark.study.context.SearchContext.identity`).
"""

from __future__ import annotations

import json
import time
import warnings

import optuna
from optuna.trial import TrialState

import benchmark
from benchmark.errors import ConfigError

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)  # what --trials counts
IDENTITY_WAIT_S = 60.0  # how long a worker waits for the creator of its study to record the identity


def finished(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=FINISHED))


def make_sampler(seed: int, kind: str = "tpe") -> optuna.samplers.BaseSampler:
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if kind != "tpe":
        raise ConfigError(f"unknown --sampler {kind!r}; choose tpe or random")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(multivariate=True, group=True, constant_liar=True, seed=seed)


def difference(key: str, stored, now) -> str:
    """How a stored identity value differs from this command's: for lists (models, pretraining
    sources) only what was added and removed, not two long lists."""
    if isinstance(stored, list) and isinstance(now, list):
        added = [v for v in now if v not in stored]
        removed = [v for v in stored if v not in now]
        parts = ([f"this command adds {', '.join(map(str, added))}"] if added else []) + \
                ([f"drops {', '.join(map(str, removed))}"] if removed else [])
        return f"other {key} ({'; '.join(parts) or 'same names, other order'})"
    return f"{key}={stored!r}, not {now!r}"


def open_study(storage, name: str, ctx, pruner: optuna.pruners.BasePruner | None = None,
               create: bool = True, plan: dict | None = None) -> optuna.Study:
    """Load ``name`` (checking it belongs to this task, cohort, split and budget) or create it,
    recording the identity (the planner runs the budget's anchors first)."""
    from benchmark.engines.planner import PlannedSampler

    from benchmark.study.identity import fingerprint

    identity = ctx.identity()
    parts = fingerprint(ctx, plan)
    sampler = PlannedSampler()  # every parameter comes from the trial's plan (benchmark.engines.planner)
    try:
        study = optuna.load_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner)
    except KeyError:
        if not create:
            raise ConfigError(f"study {name!r} not found in the storage")
        try:  # exactly one of several workers starting together creates the study and records its identity
            study = optuna.create_study(study_name=name, storage=storage, direction="maximize", sampler=sampler,
                                        pruner=pruner)
        except optuna.exceptions.DuplicatedStudyError:
            study = optuna.load_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner)
        else:
            study.set_user_attr("fingerprint", parts)
            study.set_user_attr("package_version", benchmark.__version__)
            study.set_user_attr("budget_settings", ctx.budget.as_dict())
            study.set_user_attr("pretrain_choices", ctx.pretrain_choices)
            study.set_user_attr("description", ctx.cohort.description)
            study.set_user_attr("identity", identity)  # last: a worker that sees the identity sees the rest
            return study
    stored = _recorded(study)
    for key, value in identity.items():
        if stored["identity"].get(key) != value:
            raise ConfigError(f"study {name!r} exists with {difference(key, stored['identity'].get(key), value)}; "
                              "choose another --study (the existing study is left untouched)")
    if stored.get("pretrain_choices") != ctx.pretrain_choices:
        raise ConfigError(f"study {name!r} was created with "
                          f"{difference('pretraining sources', stored.get('pretrain_choices'), ctx.pretrain_choices)}; "
                          "restore the data or use another --study")
    stored_parts = stored.get("fingerprint") or {"results_schema": "1"}
    for key, value in parts.items():
        if stored_parts.get(key) != value:
            what = f"{stored_parts.get(key) or 'none recorded'}, this command: {value}"
            if key == "budget":  # name the setting: the stored budget is there to compare
                now = json.loads(json.dumps(ctx.budget.as_dict()))
                then = stored.get("budget_settings") or {}
                what = "; ".join(difference(k, then.get(k), now[k]) for k in now if then.get(k) != now[k]) or what
            raise ConfigError(f"study {name!r} was made with another {key.replace('_', ' ')} ({what}); choose "
                              "another --study (the existing study is left untouched)")
    return study


def _recorded(study: optuna.Study) -> dict:
    """The study's attributes once its creator has recorded the identity (written last); another
    worker that started at the same moment waits for it rather than reading half of them."""
    deadline = time.monotonic() + IDENTITY_WAIT_S
    while (stored := study.user_attrs).get("identity") is None:
        if time.monotonic() > deadline:
            raise ConfigError(f"study {study.study_name!r} has no recorded identity after {IDENTITY_WAIT_S:.0f} s "
                              "(its creator stopped before recording it, or it was not made by this benchmark); "
                              "choose another --study (the existing study is left untouched)")
        time.sleep(0.5)
    return stored


def check_data(study: optuna.Study, manifest_hash: str, split_hash: str) -> None:
    """The cohort and split on disk are those ``study`` was run on (commands that read it back)."""
    identity = study.user_attrs["identity"]
    for key, value in (("manifest_hash", manifest_hash), ("split_hash", split_hash)):
        if identity[key] != value:
            raise ConfigError(f"study {study.study_name!r} was run on {key} {identity[key][:12]}, but the data here give "
                              f"{value[:12]}; pass the same --cohort/--data-dir/--split-seed")
