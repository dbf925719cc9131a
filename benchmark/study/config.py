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

from benchmark.training.recipe import Recipe

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


# ------------------------------------------------------------------------------ the study's factors
APPLIES_TO = ("all", "deep", "freezable")  # every trial; deep trials (not baselines); deep trials with stages to freeze


@dataclass(frozen=True)
class Factor:
    """A factor of the study's questions, declared once: the space draws its levels, the ablation
    varies it, and the leaderboard's table, ``factors.csv``, page and terminal name and define it
    from here.

    ``name`` is the :class:`TrialConfig` field, the space parameter and the table column; ``label``,
    ``short`` and ``definition`` are its column's header, terminal header and glossary entry (with
    ``dtype``, ``main``, ``digits`` and ``wide_only`` as in
    :class:`benchmark.leaderboard.columns.Column`); ``effect_label`` names it in ``factors.csv``
    (None: no marginal effect is computed); ``applies_to`` is one of :data:`APPLIES_TO` (where it
    does not apply, the files leave the cell empty and the page says why); ``levels`` is the
    :class:`~benchmark.study.budgets.Budget` attribute its levels come from (``"pretrain_choices"``:
    the study's pretraining choices; None: not a categorical of the budget); ``question`` is the
    study question it answers."""

    name: str
    label: str
    short: str
    definition: str
    dtype: str = "str"
    main: bool = False
    digits: int = 4
    wide_only: bool = False
    effect_label: str | None = None
    applies_to: str = "all"
    levels: str | None = None
    question: str | None = None

    def choices(self, budget, pretrain_choices=()) -> list:
        """The levels a study searches: the budget's list, or the study's pretraining choices."""
        if self.levels == "pretrain_choices":
            return list(pretrain_choices)
        return list(getattr(budget, self.levels))


FACTORS = {f.name: f for f in (  # in the order factors.csv lists the effects
    Factor("family", "Architecture family", "family", "the model's family (its search-space file)",
           effect_label="architecture family", question="Q1"),
    Factor("crop_seconds", "Crop (s)", "crop", "length of the training crop in seconds; empty where it does not apply "
           "(baselines see the whole record)", "float", True, 1, effect_label="crop length (s)", applies_to="deep",
           levels="crops", question="Q2"),
    Factor("normalization", "Normalization", "norm", "per-record normalization", main=True, wide_only=True,
           effect_label="normalization", levels="normalizations", question="Q3"),
    Factor("pretrain", "Pretraining", "pretrain", "pretraining source of the encoder (none = trained from scratch); "
           "empty where it does not apply (baselines)", main=True, effect_label="pretraining source",
           applies_to="deep", levels="pretrain_choices", question="Q4"),
    Factor("freeze_fraction", "Frozen fraction", "frozen", "frozen stages / the model's stage count; empty where it "
           "does not apply", "float", False, 2, effect_label="freezing depth (fraction of stages)",
           applies_to="freezable", question="Q5"),
    Factor("filter", "Filter", "filter", "signal filter; empty where it does not apply (baselines)",
           effect_label="filter", applies_to="deep", levels="filters"),
    Factor("model", "Model", "model", "registered model name", main=True, question="Q1"),
    Factor("freeze_depth", "Frozen stages", "freeze", "encoder stages kept frozen during fine-tuning (0 = fine-tune "
           "everything); empty where it does not apply (baselines, not pretrained)", "int", True, 0,
           applies_to="freezable", question="Q5"),
)}
OPTIONAL_FACTORS = tuple(n for n, f in FACTORS.items() if f.applies_to != "all")  # empty cells where they do not apply
