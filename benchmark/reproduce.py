"""``python -m benchmark.reproduce --task pe --trial N``: re-run a stored trial from its stored
configuration and seed and print its fold metrics next to the stored ones."""

from __future__ import annotations

import argparse
import sys

from benchmark.cli import add_version
from benchmark.errors import ConfigError, cli_entry

TOLERANCE = 1e-6


def reproduce(study, trial_number: int, args) -> tuple[list[dict], list[dict]]:
    from benchmark.experiment import context_from_study
    from benchmark.objective import evaluate

    if not 0 <= trial_number < len(study.trials):
        raise ConfigError(f"--trial {trial_number}: study {study.study_name!r} has trials 0..{len(study.trials) - 1}")
    trial = study.trials[trial_number]
    stored = trial.user_attrs.get("folds")
    if not stored:
        raise ConfigError(f"trial {trial_number} has no stored fold metrics (state {trial.state.name})")
    ctx, _ = context_from_study(study, args, args.device)
    ctx.seed = trial.user_attrs["seed"]
    rerun = evaluate(trial.user_attrs["config"], ctx)["folds"]
    return stored, rerun[: len(stored)]


def standin_notice(study) -> str:
    """The cohort line every output carries; the stand-in's says it is not a PE label."""
    from benchmark.tasks import STANDIN_NAME, STANDIN_NOTICE

    cohort = study.user_attrs.get("identity", {}).get("cohort", "?")
    return f"notice: {STANDIN_NOTICE}" if cohort == STANDIN_NAME else f"cohort: {cohort}"


@cli_entry
def main(argv: list[str] | None = None) -> None:
    from benchmark.leaderboard.__main__ import add_study_options
    from benchmark.leaderboard.study import open_stored_study

    parser = argparse.ArgumentParser(prog="python -m benchmark.reproduce", description=__doc__)
    add_version(parser)
    add_study_options(parser)
    parser.add_argument("--trial", type=int, required=True)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    study, _ = open_stored_study(args.task, args.results_dir, args.study, args.storage)
    print(standin_notice(study))
    stored, rerun = reproduce(study, args.trial, args)
    worst = 0.0
    print(f"{'fold':>4} {'stored AUROC':>14} {'rerun AUROC':>14} {'|diff|':>10}")
    for s, r in zip(stored, rerun):
        diff = abs(s["auroc"] - r["auroc"])
        worst = max(worst, diff)
        print(f"{s['fold']:>4} {s['auroc']:>14.8f} {r['auroc']:>14.8f} {diff:>10.2e}")
    ok = worst <= TOLERANCE
    print(f"max |diff| {worst:.2e}: {'reproduced' if ok else 'NOT reproduced'} (tolerance {TOLERANCE:g})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
