"""Options of the commands that open a stored study (leaderboard, finalize, reproduce)."""

from __future__ import annotations

import argparse


def add_study_options(parser: argparse.ArgumentParser) -> None:
    """The target cohort's options, and which study in which storage."""
    from benchmark.cli.cohort_options import add_cohort_options

    add_cohort_options(parser)
    parser.add_argument("--study", "--study-name", dest="study", default=None,
                        help="study name (default: the task's only study)")
    parser.add_argument("--storage", default=None, help="storage URL or journal path (default: <results-dir>/<task>/study.journal)")
