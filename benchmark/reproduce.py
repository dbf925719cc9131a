"""``python -m benchmark.reproduce --task pe --trial N``: re-run a stored trial from its stored
configuration, seed and torch settings (threads, determinism), and compare every stored fold
metric with the re-run; the largest absolute difference decides."""

from __future__ import annotations

import argparse
import math
import sys

from benchmark.cli.main import add_version
from benchmark.cli.main import cli_entry
from benchmark.errors import ConfigError

# The rule every re-derivation is judged by (reproduce, the behaviour snapshot, the committed study):
# every stored number within 1e-6 absolute. With the instruction-set level pinned (benchmark.trial.isa:
# AVX2 + FMA for torch, oneDNN and numba) and the stored thread count applied, CPU runs on x86-64
# machines of that level are expected to agree bit for bit; 1e-6 leaves room for the last bits of
# float32 arithmetic (a probability's rounding) without admitting a different decision: one record
# crossing the threshold moves sensitivity or F1 by more than 1e-2, one swapped pair moves AUROC by
# 1/(positives x negatives), about 2e-3 here.
TOLERANCE = 1e-6


def same_number(a, b, tolerance: float = TOLERANCE) -> bool:
    """``a`` and ``b`` agree under the rule: equal, both NaN, or numbers within ``tolerance``."""
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tolerance


class _Enough(Exception):
    """Every stored fold has been re-run."""


def reproduce(study, trial_number: int, args) -> tuple[list[dict], list[dict]]:
    from benchmark.cli.experiment import context_from_study
    from benchmark.trial.objective import apply_torch_settings, evaluate
    from benchmark.study.context import trial_context

    if not 0 <= trial_number < len(study.trials):
        raise ConfigError(f"--trial {trial_number}: study {study.study_name!r} has trials 0..{len(study.trials) - 1}")
    trial = study.trials[trial_number]
    stored = trial.user_attrs.get("folds")
    if not stored:
        raise ConfigError(f"trial {trial_number} has no stored fold metrics (state {trial.state.name})")
    ctx, _ = context_from_study(study, args, args.device)
    ctx = trial_context(ctx, trial.user_attrs.get("plan"))  # an ablation cell: its own fold partition
    ctx.seed = trial.user_attrs["seed"]
    if "torch" in trial.user_attrs:  # trials stored before these settings were recorded run with the defaults
        apply_torch_settings(trial.user_attrs["torch"])
    rerun: list[dict] = []

    def keep(_index: int, row: dict) -> None:  # a pruned trial stored only the folds it finished
        rerun.append(row)
        if len(rerun) == len(stored):
            raise _Enough

    try:
        evaluate(trial.user_attrs["config"], ctx, on_fold=keep)
    except _Enough:
        pass
    return stored, rerun


def differences(stored: list[dict], rerun: list[dict]) -> list[tuple[int, int, str, float]]:
    """(repeat, fold, metric, |stored - rerun|) for every numeric metric of every stored fold row
    but the timing keys (both NaN counts as equal; a metric missing from the re-run is an infinite
    difference)."""
    from benchmark.trial.objective import TIMING_KEYS  # wall-clock times differ between runs by nature

    out = []
    for s, r in zip(stored, rerun):
        for key, value in s.items():
            if key in TIMING_KEYS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            other = r.get(key)
            if not isinstance(other, (int, float)):
                diff = math.inf
            elif math.isnan(value) or math.isnan(other):
                diff = 0.0 if math.isnan(value) and math.isnan(other) else math.inf
            else:
                diff = abs(value - other)
            out.append((s.get("repeat", 0), s["fold"], key, diff))
    return out


def standin_notice(study) -> str:
    """The cohort line every output carries; the stand-in's says it is not a PE label."""
    from benchmark.data.cohorts import STANDIN_NAME, STANDIN_NOTICE

    cohort = study.user_attrs.get("identity", {}).get("cohort", "?")
    return f"notice: {STANDIN_NOTICE}" if cohort == STANDIN_NAME else f"cohort: {cohort}"


@cli_entry
def main(argv: list[str] | None = None) -> None:
    from benchmark.leaderboard.options import add_study_options
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
    diffs = differences(stored, rerun)
    print(f"{'repeat':>6} {'fold':>4} {'stored AUROC':>14} {'rerun AUROC':>14} {'max |diff|':>10}  metric")
    for s, r in zip(stored, rerun):
        here = [d for d in diffs if (d[0], d[1]) == (s.get("repeat", 0), s["fold"])]
        worst_here = max(here, key=lambda d: d[3])
        print(f"{s.get('repeat', 0):>6} {s['fold']:>4} {s['auroc']:>14.8f} {r['auroc']:>14.8f} "
              f"{worst_here[3]:>10.2e}  {worst_here[2]}")
    worst = max(diffs, key=lambda d: d[3])
    ok = worst[3] <= TOLERANCE
    metrics = sorted({d[2] for d in diffs})
    print(f"compared {len(metrics)} metrics x {len(stored)} folds ({', '.join(metrics)})")
    print(f"largest |diff| {worst[3]:.2e} ({worst[2]}, repeat {worst[0]} fold {worst[1]}): "
          f"{'reproduced' if ok else 'NOT reproduced'} (tolerance {TOLERANCE:g})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
