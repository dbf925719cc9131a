"""The options of every command that loads a target cohort: defined, checked (one line, exit 2,
before anything is read or written) and turned into the task's keywords."""

from __future__ import annotations

import argparse


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
