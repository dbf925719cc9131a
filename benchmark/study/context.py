"""What every trial of one study shares: :class:`SearchContext` (the cohort, split, budget, seed,
device, pretraining choices and models; :meth:`SearchContext.identity`), and :class:`StudySpace`,
the picklable joint space a trial draws from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmark.data.dataset import CohortData
from benchmark.data.splits import Split
from benchmark.estimators.base import THRESHOLD_FROM
from benchmark.estimators.deep import EVAL_CROPS
from benchmark.study.budgets import Budget
from benchmark.study.config import TrialConfig
from benchmark.study.space import suggest_config


@dataclass
class SearchContext:
    """What every trial of one study shares. ``cohort`` has the dev records' signals open."""

    task: str
    cohort: CohortData
    split: Split
    budget: Budget
    seed: int = 0
    device: str = "cpu"
    data_dir: str | None = None
    pretrain_choices: list[str] = field(default_factory=lambda: ["none"])
    models: list[str] = field(default_factory=list)  # the model categorical (default: every registered space)
    checkpoint_root: Path | None = None
    threshold_from: str = THRESHOLD_FROM[0]  # the fit protocol of every trial (stored in its config)
    eval_crops: str = EVAL_CROPS[0]
    _pools: dict = field(default_factory=dict, repr=False)
    _ceiling: list = field(default_factory=list, repr=False)
    _ablation_split: dict = field(default_factory=dict, repr=False)

    def ablation_split(self, repeats: int = 1) -> Split:
        """The ablation stage's fold partition: the same dev patients in ``repeats`` fold sets with
        new repeat seeds (:func:`benchmark.study.ablation.fresh_partition`)."""
        if repeats not in self._ablation_split:
            from benchmark.study.ablation import fresh_partition

            ids = self.split.dev_ids()
            self._ablation_split[repeats] = fresh_partition(self.split, self.cohort.y(ids), self.cohort.groups(ids),
                                                            ids, repeats)
        return self._ablation_split[repeats]

    @property
    def ceiling(self):
        """The budget's cost ceiling over this split (None when the budget states none)."""
        if not self._ceiling:
            from benchmark.study.ceiling import study_ceiling
            from benchmark.data.signals import CANONICAL_LEADS

            self._ceiling.append(study_ceiling(self.budget, self.split, len(CANONICAL_LEADS), self.cohort.fs))
        return self._ceiling[0]

    def searched_models(self) -> list[str]:
        """The model categorical of every trial: the selection less what the budget cannot run at
        the cohort's rate (exclusions, models too long for its crops, the ceiling)."""
        from benchmark.study.space import searchable_models

        return searchable_models(self.models, self.budget, self.ceiling, self.cohort.fs)

    def __getstate__(self) -> dict:  # worker processes rebuild pretraining pools lazily
        return {**self.__dict__, "_pools": {}}

    def identity(self) -> dict:
        """What a stored study must match to be resumed (and what every result carries)."""
        return {"task": self.task, "cohort": self.cohort.name, "manifest_hash": self.cohort.manifest_hash,
                "repeats": self.split.repeats, "threshold_from": self.threshold_from, "eval_crops": self.eval_crops,
                "split_hash": self.split.hash, "budget": self.budget.name, "seed": self.seed, "fs": self.cohort.fs,
                "models": self.models, "max_train_tflop": self.budget.max_train_tflop}

    def pretraining(self, source: str):
        if source not in self._pools:
            from benchmark.data.pools import pretraining_data

            self._pools[source] = pretraining_data(source, self.cohort, self.data_dir)
        return self._pools[source]


@dataclass(frozen=True)
class StudySpace:
    """The study's joint space as a picklable callable ``trial -> TrialConfig``: what every trial
    of the study draws from, with its fit protocol; no signals (Ray checkpoints it)."""

    budget: Budget
    pretrain_choices: tuple[str, ...]
    models: tuple[str, ...]
    ceiling: object
    threshold_from: str
    eval_crops: str
    fs: float | None = None  # the cohort's rate: models too long for the budget's crops are left out

    def __call__(self, trial) -> TrialConfig:
        return suggest_config(trial, self.budget, list(self.pretrain_choices), list(self.models), self.ceiling,
                              self.threshold_from, self.eval_crops, self.fs)


def study_space(ctx: SearchContext) -> StudySpace:
    return StudySpace(ctx.budget, tuple(ctx.pretrain_choices), tuple(ctx.models), ctx.ceiling, ctx.threshold_from,
                      ctx.eval_crops, ctx.cohort.fs)


def trial_context(ctx: SearchContext, plan: dict | None) -> SearchContext:
    """The context a trial runs in: an ablation cell runs on the ablation partition, with its
    training-seed offset; every other trial on the study's own folds."""
    if not plan or plan.get("stage") != "ablation":
        return ctx
    import dataclasses

    split = ctx.ablation_split(int(plan.get("partition_repeats", 1)))
    return dataclasses.replace(ctx, split=split, seed=ctx.seed + int(plan.get("seed_offset", 0)),
                               _pools=ctx._pools, _ceiling=ctx._ceiling, _ablation_split=ctx._ablation_split)
