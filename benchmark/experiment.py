"""What every command shares: the target cohort, its persisted split, and where results live."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from benchmark.data.dataset import CohortData
from benchmark.data.splits import Split, load_or_create_split
from benchmark.tasks import load_target


@dataclass
class ExperimentData:
    cohort: CohortData
    split: Split
    split_path: Path
    results_dir: Path


def split_path(results_dir: str | Path, task: str, folds: int, seed: int) -> Path:
    return Path(results_dir) / task / f"split-k{folds}-seed{seed}.json"


def load_experiment_data(args: argparse.Namespace, folds: int | None = None) -> ExperimentData:
    """Load the target cohort of ``args.task`` (metadata only) and its persisted split (created once)."""
    folds = folds or args.folds or 5
    cohort = load_target(args.task, args.data_dir, args.cohort, args.fs)
    path = split_path(args.results_dir, args.task, folds, args.split_seed)
    split = load_or_create_split(path, cohort.table, cohort.manifest_hash, folds, args.test_fraction,
                                 args.split_seed, what=cohort.name)
    return ExperimentData(cohort, split, path, Path(args.results_dir))
