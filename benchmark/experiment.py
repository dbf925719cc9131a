"""What every command shares: the target cohort, its persisted split, and where results live."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from benchmark.data.cohorts import load_target
from benchmark.data.dataset import CohortData
from benchmark.data.splits import Split, load_or_create_split


def context_from_study(study, args: argparse.Namespace, device: str = "cpu"):
    """Rebuild a study's :class:`~benchmark.objective.SearchContext` (dev signals only), checking
    that the cohort and split on disk are the ones the study was run on."""
    from benchmark.budgets import get_budget
    from benchmark.engines.study import check_data
    from benchmark.errors import ConfigError
    from benchmark.objective import SearchContext

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


def check_cohort_options(args: argparse.Namespace) -> None:
    """The shared options' values, before anything is read or written (one line, exit 2)."""
    from benchmark.data.paths import cache_dir
    from benchmark.errors import ConfigError
    from benchmark.options import check_at_least, check_dir, check_fs

    check_fs(args.fs)
    check_at_least(args.folds, 2, "--folds")
    check_dir(args.results_dir, "--results-dir")
    check_dir(cache_dir(), "cache folder ($ECG_BENCH_CACHE)")
    options = task_options(args)
    if getattr(args, "task", "pe") != "mimic-pe":
        given = [f"--{name.replace('_', '-')}" for name, kw in MIMIC_OPTIONS.items()
                 if options[kw] not in (None, False, "all")]
        if given:
            raise ConfigError(f"{given[0]} is an option of --task mimic-pe, not --task {args.task}")
    check_at_least(options["max_negatives_per_positive"], 1, "--max-negatives-per-positive")


MIMIC_OPTIONS = {"mimic_codes": "codes", "mimic_ed_only": "ed_only",
                 "max_negatives_per_positive": "max_negatives_per_positive", "published_split": "published_split"}


def task_options(args: argparse.Namespace) -> dict:
    """The ``mimic-pe`` options of ``args`` as :func:`benchmark.data.mimic.load_mimic_pe` keywords."""
    defaults = {"mimic_codes": "all", "mimic_ed_only": False, "max_negatives_per_positive": None,
                "published_split": False}
    return {kw: getattr(args, name, defaults[name]) for name, kw in MIMIC_OPTIONS.items()}


def add_cohort_options(parser: argparse.ArgumentParser) -> None:
    """Options every command that loads a target cohort shares."""
    parser.add_argument("--task", default="pe", help="target task: pe (default) or mimic-pe (MIMIC-IV-ECG-ICD, "
                        "credentialed data you downloaded)")
    parser.add_argument("--cohort", default=None, help="a cohort directory (labels.csv + WFDB); default: the public stand-in")
    parser.add_argument("--data-dir", default=None, help="data root (default: $ECG_BENCH_DATA, then the user cache)")
    parser.add_argument("--fs", type=float, default=100.0, help="target sampling rate in Hz (default 100; 500 as in the PE paper)")
    parser.add_argument("--folds", type=int, default=None, help="dev folds (default 5, or the search budget's)")
    parser.add_argument("--test-fraction", type=float, default=0.2, help="locked test share (default 0.2)")
    parser.add_argument("--split-seed", type=int, default=0, help="seed of the split (default 0)")
    parser.add_argument("--results-dir", default="results", help="where studies and split files live (default: results/)")
    mimic = parser.add_argument_group("--task mimic-pe (label caveat: a discharge code, not CT-confirmed PE)")
    mimic.add_argument("--mimic-codes", choices=("hosp", "ed", "all"), default="all",
                       help="where the I26* code comes from: hosp(ital discharge), ed (ED discharge), or all "
                            "(hospital when present, else ED; the benchmark's default label set)")
    mimic.add_argument("--mimic-ed-only", action="store_true", help="only ECGs taken in the emergency department")
    mimic.add_argument("--max-negatives-per-positive", type=int, default=None, metavar="K",
                       help="patient-grouped case-control subsampling: all positives, at most K negatives each")
    mimic.add_argument("--published-split", action="store_true",
                       help="the benchmark's test folds (its last two 'fold' values) as the locked test")


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
