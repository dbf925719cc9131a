"""The engine-agnostic objective: K-fold CV of one configuration over the persisted dev folds.

After each fold it calls ``on_fold(k, fold_metrics)`` (an engine reports it and may prune); it
returns the mean fold AUROC with everything a leaderboard needs, so nothing is ever re-run. It
opens the dev records only: the locked test is not in the context's signals at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

import benchmark
from benchmark.baselines import create_baseline
from benchmark.budgets import Budget
from benchmark.data.dataset import CohortData
from benchmark.data.splits import Split
from benchmark.estimators import DeepClassifier
from benchmark.training.cost import forward_flops_per_record
from benchmark.training.cv import run_fold
from benchmark.training.pretrain import PretrainSpec, get_checkpoint


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
    _pools: dict = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict:  # worker processes rebuild pretraining pools lazily
        return {**self.__dict__, "_pools": {}}

    def identity(self) -> dict:
        """What a stored study must match to be resumed (and what every result carries)."""
        return {"task": self.task, "cohort": self.cohort.name, "manifest_hash": self.cohort.manifest_hash,
                "split_hash": self.split.hash, "budget": self.budget.name, "seed": self.seed, "fs": self.cohort.fs,
                "models": self.models}

    def pretraining(self, source: str):
        if source not in self._pools:
            from benchmark.tasks import pretraining_data

            self._pools[source] = pretraining_data(source, self.cohort, self.data_dir)
        return self._pools[source]


def pretrain_spec(config: dict, ctx: SearchContext) -> PretrainSpec | None:
    if config.get("kind") != "deep" or config.get("pretrain", "none") == "none":
        return None
    digest = ctx.pretraining(config["pretrain"]).digest
    return PretrainSpec(source=config["pretrain"], model=config["model"], model_kwargs=dict(config["model_kwargs"]),
                        fs=ctx.cohort.fs, filter=config["filter"], normalization=config["normalization"],
                        crop_seconds=config["crop_seconds"], epochs=ctx.budget.pretrain_epochs,
                        batch_size=config["batch_size"], source_hash=digest, seed=ctx.seed)


def build_estimator(config: dict, ctx: SearchContext, init_checkpoint: str | None = None):
    """The estimator a configuration describes (deep or baseline), unfitted."""
    if config["kind"] == "baseline":
        return create_baseline(config["model"], normalization=config["normalization"], fs=ctx.cohort.fs,
                               seed=ctx.seed, **config["model_kwargs"])
    return DeepClassifier(
        model=config["model"], model_kwargs=dict(config["model_kwargs"]), fs=ctx.cohort.fs, filter=config["filter"],
        normalization=config["normalization"], crop_seconds=config["crop_seconds"], epochs=config["epochs"],
        batch_size=config["batch_size"], lr=config["lr"], weight_decay=config["weight_decay"], loss=config["loss"],
        focal_gamma=config["focal_gamma"], patience=ctx.budget.patience, init_checkpoint=init_checkpoint,
        freeze_depth=config["freeze_depth"], device=ctx.device, seed=ctx.seed)


def prepare_estimator(config: dict, ctx: SearchContext):
    """Resolve the pretrained checkpoint (cached, shared by all trials) and build the estimator."""
    spec = pretrain_spec(config, ctx)
    checkpoint = None
    if spec is not None:
        data = ctx.pretraining(config["pretrain"])
        checkpoint = str(get_checkpoint(spec, data.load, ctx.checkpoint_root, ctx.device))
    return build_estimator(config, ctx, checkpoint), spec


def evaluate(config: dict, ctx: SearchContext, on_fold: Callable[[int, dict], None] | None = None,
             on_epoch: Callable[[int, int, dict], None] | None = None) -> dict:
    """Cross-validate ``config`` on the dev folds; ``on_fold(k, row)`` sees each fold's metrics as it
    ends and ``on_epoch(k, epoch, metrics)`` each epoch of a deep model (inner-validation AUROC).
    Either callback may raise to stop the trial (pruning, a time cap)."""
    estimator, spec = prepare_estimator(config, ctx)
    folds: list[dict] = []
    n_parameters = 0
    for k in range(ctx.split.n_folds):
        epoch_callback = None if on_epoch is None else (lambda epoch, metrics, k=k: on_epoch(k, epoch, metrics))
        result = run_fold(estimator, ctx.cohort, ctx.split, k, epoch_callback)
        n_parameters = result.n_parameters
        if k == 0:  # the model's inference cost does not depend on the fold: count it once
            flops = forward_flops_per_record(result.estimator, ctx.cohort.X(ctx.split.fold(0)[1][:1]))
        row = {"fold": k, **result.metrics, "fit_seconds": result.fit_seconds,
               "threshold": float(result.estimator.threshold_),
               "best_epoch": int(getattr(result.estimator, "best_epoch_", -1)),
               "epochs_run": int(getattr(getattr(result.estimator, "fit_result_", None), "epochs_run", 0)),
               "n_parameters": result.n_parameters,
               "predict_ms_per_record": result.predict_ms_per_record, "forward_flops_per_record": flops}
        folds.append(row)
        if on_fold is not None:
            on_fold(k, row)
    return summarize(folds) | {"n_parameters": n_parameters, "pretrain_key": spec.key() if spec else None,
                               "forward_flops_per_record": flops}


# fold-row keys that measure wall-clock time: they differ between runs by nature, so reproduction and
# determinism checks compare every other key
TIMING_KEYS = ("fit_seconds", "predict_ms_per_record")


def summarize(folds: list[dict]) -> dict:
    aurocs = [f["auroc"] for f in folds]
    value = float(np.mean(aurocs)) if aurocs else math.nan
    return {"cv_auroc": value, "folds": folds, "fit_seconds": float(sum(f["fit_seconds"] for f in folds)),
            "predict_ms_per_record": float(np.median([f["predict_ms_per_record"] for f in folds])) if folds else math.nan}


def trial_record(config: dict, ctx: SearchContext) -> dict:
    """Attributes stored with every trial: enough to reproduce it from the storage alone."""
    return {"config": config, "seed": ctx.seed, "split_hash": ctx.split.hash,
            "manifest_hash": ctx.cohort.manifest_hash, "package_version": benchmark.__version__,
            "device": ctx.device}
