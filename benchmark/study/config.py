"""The typed trial configuration: one point of the joint space plus the study's fit protocol.

:func:`benchmark.study.space.suggest_config` makes it; the estimator
(:func:`benchmark.trial.objective.build_estimator`) and the pretraining key
(:meth:`benchmark.trial.pretraining.PretrainSpec.for_trial`) read it; the trial stores
:meth:`TrialConfig.to_dict` as its ``config`` attribute, the flat form the leaderboard reads, and
:meth:`TrialConfig.from_dict` reads any stored version back (finalize, reproduce).

The training recipe is one :class:`~benchmark.training.loop.Recipe`, passed whole from the space
to the loop: a new searched setting is a ``Recipe`` field, the line of the space that suggests it
and the code that uses it, and nothing in between names it. The stored form is flat (the recipe's
fields beside the others), as trials stored before this type existed are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from benchmark.training.loop import Recipe

NO_PRETRAINING = "none"  # pretrain level of a model trained from scratch (nothing to freeze)
RANDOM_FROZEN = "random_frozen"  # pretrain level of the control arm: a random encoder, frozen (needs no data)


def freezable(pretrain: str | None) -> bool:
    """The encoder starts from a checkpoint or from the random control, so it has stages to freeze
    (the leaderboard's freezing columns and the space's ``freeze_depth`` apply)."""
    return pretrain not in (None, NO_PRETRAINING)


def pretrained(pretrain: str | None) -> bool:
    """The encoder starts from a pretraining run on a source: freezable, and not the random control."""
    return freezable(pretrain) and pretrain != RANDOM_FROZEN


def sources(pretrain_choices) -> list[str]:
    """The pretraining sources among a study's pretrain choices (``none`` and the control left out)."""
    return [p for p in pretrain_choices if pretrained(p)]


RECIPE_FIELDS = tuple(f.name for f in dataclasses.fields(Recipe))


@dataclass(frozen=True)
class TrialConfig:
    model: str
    family: str
    kind: str  # "deep" | "baseline"
    model_kwargs: dict = field(default_factory=dict)
    normalization: str = "none"
    # deep models only (None for baselines)
    crop_seconds: float | None = None
    filter: str | None = None
    pretrain: str | None = None  # NO_PRETRAINING, RANDOM_FROZEN or a pretraining source
    freeze_depth: int | None = None  # frozen encoder stages (None: nothing to freeze)
    freeze_fraction: float | None = None
    recipe: Recipe | None = None
    eval_crops: str | None = None
    # the study's fit protocol (benchmark.estimators.base.THRESHOLD_FROM)
    threshold_from: str = "inner"

    @property
    def deep(self) -> bool:
        return self.kind == "deep"

    @property
    def pretrained(self) -> bool:
        """Whether the encoder starts from a pretraining run (:func:`pretrained`)."""
        return self.deep and pretrained(self.pretrain)

    @property
    def freezable(self) -> bool:
        """Whether the encoder has stages to freeze (:func:`freezable`)."""
        return self.deep and freezable(self.pretrain)

    def to_dict(self) -> dict:
        """The stored form: flat, the recipe's fields inline; a baseline stores no deep-only key."""
        out = {"model": self.model, "family": self.family, "kind": self.kind, "model_kwargs": dict(self.model_kwargs),
               "normalization": self.normalization}
        if self.deep:
            out |= {"crop_seconds": self.crop_seconds, "filter": self.filter, "pretrain": self.pretrain,
                    "freeze_depth": self.freeze_depth, "freeze_fraction": self.freeze_fraction,
                    **dataclasses.asdict(self.recipe)}
        out["threshold_from"] = self.threshold_from
        if self.deep:
            out["eval_crops"] = self.eval_crops
        return out

    @classmethod
    def from_dict(cls, stored: dict, patience: int | None = None) -> "TrialConfig":
        """A stored configuration of any version. Settings stored before they were recorded take the
        values those trials ran with: the inner-split threshold, the centre evaluation crop, the
        recipe defaults, and ``patience`` (the study budget's, which trials then did not store)."""
        stored = dict(stored)
        recipe = None
        if stored.get("kind") == "deep":
            values = {k: stored.pop(k) for k in RECIPE_FIELDS if k in stored}
            if "patience" not in values and patience is not None:
                values["patience"] = patience
            recipe = Recipe(**values)
            stored.setdefault("eval_crops", "centre")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in names}, recipe=recipe)
