"""The engine-agnostic objective: repeated K-fold CV of one :class:`~benchmark.study.config.TrialConfig`
over the persisted dev folds (:mod:`benchmark.trial.cv`), its pretrained backbone resolved first
(:mod:`benchmark.trial.pretraining`).

After each (repeat, fold) it calls ``on_fold(step, fold_row)`` with the monotone step
``repeat * K + fold`` (an engine reports it and may prune); it returns the mean AUROC over all
(repeat, fold) pairs with everything a leaderboard needs, so nothing is ever re-run. It opens the
dev records only: the locked test is not in the context's signals at all.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

import benchmark
from benchmark.trial import isa
from benchmark.estimators.baselines import create_baseline
from benchmark.study.config import TrialConfig
from benchmark.study.context import SearchContext, study_space
from benchmark.trial.cv import cv_step, cv_steps, repeat_seed, run_fold
from benchmark.estimators.deep import DeepClassifier
from benchmark.estimators.base import MIN_THRESHOLD_POSITIVES
from benchmark.trial.pretraining import PretrainSpec, get_checkpoint
from benchmark.study.space import load_spaces
from benchmark.training.cost import forward_flops_per_record


def configure(trial, ctx: SearchContext) -> TrialConfig:
    """The trial's configuration: a point of the joint space plus the study's fit protocol."""
    return study_space(ctx)(trial)


def as_config(config: TrialConfig | dict, ctx: SearchContext) -> TrialConfig:
    """``config`` itself, or a stored configuration read back (its budget fills what it predates).
    Reading one back loads the search spaces first: a model registered by another package's space
    module (an entry point) exists only once that module is imported."""
    if isinstance(config, TrialConfig):
        return config
    load_spaces()
    return TrialConfig.from_dict(config, ctx.budget.patience)


def pretrain_spec(config: TrialConfig, ctx: SearchContext) -> PretrainSpec | None:
    """The pretraining a configuration needs; None without one (``none``, or the random control)."""
    if not config.pretrained:
        return None
    return PretrainSpec.for_trial(config, ctx.cohort.fs, ctx.budget.pretrain_epochs,
                                  ctx.pretraining(config.pretrain).digest, ctx.seed)


def build_estimator(config: TrialConfig, ctx: SearchContext, init_checkpoint: str | None = None):
    """The estimator a configuration describes (deep or baseline), unfitted."""
    if not config.deep:
        return create_baseline(config.model, normalization=config.normalization, fs=ctx.cohort.fs,
                               seed=ctx.seed, device=ctx.device, **config.model_kwargs).set_params(threshold_from=config.threshold_from)
    return DeepClassifier(model=config.model, model_kwargs=dict(config.model_kwargs), fs=ctx.cohort.fs,
                          filter=config.filter, normalization=config.normalization, crop_seconds=config.crop_seconds,
                          eval_crops=config.eval_crops, recipe=config.recipe, threshold_from=config.threshold_from,
                          init_checkpoint=init_checkpoint, freeze_depth=config.freeze_depth, device=ctx.device,
                          seed=ctx.seed)


def prepare_estimator(config: TrialConfig | dict, ctx: SearchContext):
    """Resolve the pretrained checkpoint (cached, shared by all trials) and build the estimator."""
    config = as_config(config, ctx)
    spec = pretrain_spec(config, ctx)
    checkpoint = None
    if spec is not None:
        data = ctx.pretraining(config.pretrain)
        checkpoint = str(get_checkpoint(spec, data.load, ctx.checkpoint_root, ctx.device))
    return build_estimator(config, ctx, checkpoint), spec


def evaluate(config: TrialConfig | dict, ctx: SearchContext, on_fold: Callable[[int, dict], None] | None = None,
             on_epoch: Callable[[int, int, dict], None] | None = None,
             on_predictions: Callable[[int, int, np.ndarray], None] | None = None) -> dict:
    """Cross-validate ``config`` on every (repeat, fold) of the dev split, repeat-major.

    ``on_fold(index, row)`` sees each fold's row as it ends and ``on_epoch(index, epoch, metrics)``
    each epoch of a deep model (inner-validation AUROC); ``index = repeat * K + fold`` counts the
    (repeat, fold) pairs in order (monotone; :mod:`benchmark.study.fidelity` maps it to the pruning step).
    ``on_predictions(repeat, fold, p)`` gets each fold's held-out probabilities (in the order of
    the fold's sorted evaluation ids) before ``on_fold``.
    Either callback may raise to stop the trial (pruning, a time cap)."""
    estimator, spec = prepare_estimator(config, ctx)
    folds: list[dict] = []
    for repeat, k in cv_steps(ctx.split):
        index, seed = cv_step(repeat, k, ctx.split.n_folds), repeat_seed(ctx.seed, repeat)
        epoch_callback = None if on_epoch is None else (lambda epoch, metrics, i=index: on_epoch(i, epoch, metrics))
        result = run_fold(estimator, ctx.cohort, ctx.split, k, epoch_callback, repeat=repeat, seed=seed)
        est = result.estimator
        if index == 0:  # the model's inference cost does not depend on the fold: count it once
            flops = forward_flops_per_record(est, ctx.cohort.X(ctx.split.fold(0)[1][:1]))
        row = {"repeat": repeat, "fold": k, **result.metrics, "fit_seconds": result.fit_seconds,
               "threshold": float(est.threshold_), "threshold_positives": int(est.threshold_positives_),
               "best_epoch": int(getattr(est, "best_epoch_", -1)),
               "epochs_run": int(getattr(getattr(est, "fit_result_", None), "epochs_run", 0)),
               "n_parameters": result.n_parameters, "n_train": result.n_train, "n_eval": result.n_eval, "seed": seed,
               "predict_ms_per_record": result.predict_ms_per_record, "forward_flops_per_record": flops}
        folds.append(row)
        if on_predictions is not None:
            on_predictions(repeat, k, result.probabilities)
        if on_fold is not None:
            on_fold(index, row)
    return summarize(folds) | {"pretrain_key": spec.key() if spec else None}


# fold-row keys that measure wall-clock time: they differ between runs by nature, so reproduction and
# determinism checks compare every other key
TIMING_KEYS = ("fit_seconds", "predict_ms_per_record")


def summarize(folds: list[dict]) -> dict:
    """A trial's result from its fold rows so far: mean AUROC, summed fit time, median inference
    time, the model's size and forward FLOPs (the same in every fold), and the warnings."""
    aurocs = [f["auroc"] for f in folds]
    value = float(np.mean(aurocs)) if aurocs else math.nan
    return {"cv_auroc": value, "folds": folds, "fit_seconds": float(sum(f["fit_seconds"] for f in folds)),
            "predict_ms_per_record": float(np.median([f["predict_ms_per_record"] for f in folds])) if folds else math.nan,
            "n_parameters": folds[-1]["n_parameters"] if folds else 0,
            "forward_flops_per_record": folds[0]["forward_flops_per_record"] if folds else math.nan,
            "warnings": fold_warnings(folds)}


def fold_warnings(folds: list[dict]) -> list[str]:
    """What a reader of these fold rows must be told (stored with the trial as ``warnings``)."""
    few = [f["threshold_positives"] for f in folds if f.get("threshold_positives", MIN_THRESHOLD_POSITIVES)
           < MIN_THRESHOLD_POSITIVES]
    if not few:
        return []
    return [f"decision threshold rests on fewer than {MIN_THRESHOLD_POSITIVES} positives in {len(few)} of "
            f"{len(folds)} folds (as few as {min(few)}); sensitivity, specificity and F1 are fragile "
            "(threshold-free AUROC and AUPRC are not affected; --threshold-from oof uses every training positive)"]


def torch_settings() -> dict:
    """The torch settings a trial's numbers depend on (stored with it, applied by ``reproduce``)."""
    import torch

    return {"num_threads": torch.get_num_threads(),
            "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
            "cudnn_deterministic": bool(torch.backends.cudnn.deterministic),
            "cudnn_benchmark": bool(torch.backends.cudnn.benchmark), "torch_version": torch.__version__,
            "isa": isa.settings()}


def apply_torch_settings(settings: dict) -> None:
    import torch

    torch.set_num_threads(int(settings["num_threads"]))
    torch.use_deterministic_algorithms(bool(settings["deterministic_algorithms"]))
    torch.backends.cudnn.deterministic = bool(settings["cudnn_deterministic"])
    torch.backends.cudnn.benchmark = bool(settings["cudnn_benchmark"])


def trial_record(config: TrialConfig, ctx: SearchContext) -> dict:
    """Attributes stored with every trial: enough to reproduce it from the storage alone."""
    return {"config": config.to_dict(), "seed": ctx.seed, "split_hash": ctx.split.hash,
            "manifest_hash": ctx.cohort.manifest_hash, "package_version": benchmark.__version__,
            "device": ctx.device, "torch": torch_settings()}
