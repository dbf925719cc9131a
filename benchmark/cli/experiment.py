"""What a command loads: the target cohort, its persisted split (where results live), and a stored
study's context."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from benchmark.data.cohorts import load_target
from benchmark.data.dataset import CohortData
from benchmark.data.splits import Split, load_or_create_split
from benchmark.cli.cohort_options import check_cohort_options, task_options


def context_from_study(study, args: argparse.Namespace, device: str = "cpu"):
    """Rebuild a study's :class:`~benchmark.study.context.SearchContext` (dev signals only), checking
    that the cohort and split on disk are the ones the study was run on."""
    from benchmark.study.budgets import get_budget
    from benchmark.engines.study import check_data
    from benchmark.errors import ConfigError
    from benchmark.study.context import SearchContext

    identity = study.user_attrs.get("identity")
    if not identity:
        raise ConfigError(f"study {study.study_name!r} was not written by benchmark.search (no identity)")
    args = argparse.Namespace(**{**vars(args), "fs": identity["fs"]})  # the study's rate; the caller's args untouched
    budget = get_budget(identity["budget"])
    repeats = identity.get("repeats", 1)  # studies made before repeated CV have one repeat
    data = load_experiment_data(args, folds=budget.folds, repeats=repeats)
    check_data(study, data.cohort.manifest_hash, data.split.hash)
    cohort = data.cohort.with_signals(data.split.dev_ids())
    ctx = SearchContext(identity["task"], cohort, data.split, budget, identity["seed"], device, args.data_dir,
                        pretrain_choices=study.user_attrs.get("pretrain_choices", ["none"]),
                        models=identity.get("models", []))
    return ctx, data


@dataclass
class ExperimentData:
    cohort: CohortData
    split: Split
    split_path: Path


def split_path(results_dir: str | Path, task: str, folds: int, seed: int, repeats: int = 1) -> Path:
    """One file per (folds, repeats, seed); 1-repeat files keep their original name."""
    tag = f"k{folds}" if repeats == 1 else f"k{folds}-r{repeats}"
    return Path(results_dir) / task / f"split-{tag}-seed{seed}.json"


def load_experiment_data(args: argparse.Namespace, folds: int | None = None, repeats: int = 1) -> ExperimentData:
    """Load the target cohort of ``args.task``, validate EVERY record of it (dev and locked test:
    all bad records in one error; no signal is kept), then load its persisted split (``repeats``
    fold sets) or create it once. Nothing is written before the cohort passes."""
    check_cohort_options(args)
    folds = folds if folds is not None else (args.folds if args.folds is not None else 5)
    cohort = load_target(args.task, args.data_dir, args.cohort, args.fs, task_options=task_options(args)).validate()
    path = split_path(args.results_dir, args.task, folds, args.split_seed, repeats)
    split = load_or_create_split(path, cohort.table, cohort.manifest_hash, folds, args.test_fraction,
                                 args.split_seed, what=cohort.name, repeats=repeats)
    return ExperimentData(cohort, split, path)
