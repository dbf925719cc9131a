"""Search efficiency on the stand-in: best CV AUROC after n trials for TPE + pruning vs random
search (no pruning), same budget, same seeds; wall time and trials per hour; and the share of
epoch x fold training evaluations that pruning saved.

    python scripts/bench_search.py [--trials 50] [--checkpoints 20,50] [--seeds 0,1] [--budget small]
                                   [--pruner median] [--models ...] [--device cpu]

Each (strategy, seed) is its own study in a temporary journal; trials run in this process, or with
``--parallel`` each (strategy, seed) in its own process at once (torch threads = cores / runs; on a
GPU they share it). Best-after-n and the saving do not depend on that; wall times then describe runs
that shared the machine, and the table's title says so.

"Evaluations saved" counts training work in units of one epoch of one fold for deep models and one
fold for baselines (they have no epochs). A complete trial's units are what it ran; a pruned trial
ran what its finished folds and its stopped fold ran, and would have run its remaining folds at the
median epochs per fold of the complete deep trials of the same run (early stopping included), so
the saving is not inflated by counting the epoch cap.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def run_one(strategy: str, seed: int, args, workdir: Path) -> dict:
    from optuna.trial import TrialState

    from benchmark.engines import optuna_engine
    from benchmark.engines.storage import make_storage
    from benchmark.search import build_parser, prepare

    cli = build_parser().parse_args(["--budget", args.budget, "--seed", str(seed), "--results-dir", str(workdir),
                                     "--models", args.models, "--device", args.device])
    ctx, _, _ = prepare(cli)
    sampler, pruner = ("tpe", args.pruner) if strategy == "tpe+pruning" else ("random", "none")
    storage = make_storage(None, workdir / f"{strategy}-{seed}.journal")
    start = time.time()
    study = optuna_engine.run(ctx, storage, optuna_engine.EngineOptions(args.trials, f"{strategy}-{seed}", pruner,
                                                                         sampler=sampler, timeout=args.timeout))
    trials = sorted(study.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED)), key=lambda t: t.number)
    best, curve = float("-inf"), []
    for t in trials:
        if t.state == TrialState.COMPLETE and t.value is not None:
            best = max(best, t.value)
        curve.append(best)
    return {"curve": curve, "pruned": sum(t.state == TrialState.PRUNED for t in trials),
            "saved": saved_share(trials, ctx.split.n_folds * ctx.split.repeats, ctx.budget.max_epochs),
            "seconds": time.time() - start, "finished_at": finished_at(trials)}


def _run_in_child(job) -> dict:
    import os

    import optuna
    import torch

    strategy, seed, args, workdir, share = job
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // share))
    result = run_one(strategy, seed, args, workdir)
    curve = result["curve"]  # printed at once: a run cut short by an outer limit still leaves its lines
    print(f"run done: {strategy} seed {seed}: {len(curve)} finished in {result['seconds']:.0f} s, best "
          + ", ".join(f"n={n}: {curve[n - 1]:.4f}" for n in (20, 50) if len(curve) >= n)
          + f", evals saved {result['saved']:.1%}", flush=True)
    return result


def finished_at(trials) -> list[float]:
    """Seconds from the first trial's start to each trial's end, in order of completion."""
    start = min(t.datetime_start for t in trials)
    return sorted((t.datetime_complete - start).total_seconds() for t in trials)


def saved_share(trials, n_folds: int, max_epochs: int) -> float:
    from optuna.trial import TrialState

    def deep(t) -> bool:
        return t.user_attrs.get("config", {}).get("kind") == "deep"

    per_fold = [f.get("epochs_run", max_epochs) for t in trials if deep(t) and t.state == TrialState.COMPLETE
                for f in t.user_attrs.get("folds", [])]
    typical = statistics.median(per_fold) if per_fold else max_epochs
    done = full = 0.0
    for t in trials:
        folds = t.user_attrs.get("folds", [])
        if deep(t):
            ran = sum(f.get("epochs_run", max_epochs) for f in folds)
            stopped = t.user_attrs.get("pruned_at", {})
            if "epoch" in stopped:  # stopped inside a fold
                ran += stopped["epoch"] + 1
            remaining = n_folds - len(folds) - (1 if "epoch" in stopped else 0)
            would = ran + remaining * typical + (max(0.0, typical - stopped["epoch"] - 1) if "epoch" in stopped else 0)
        else:
            ran, would = len(folds), n_folds
        done, full = done + ran, full + max(would, ran)
    return 1 - done / full if full else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--checkpoints", default="20,50", help="n at which to compare best CV AUROC")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--budget", default="small")
    parser.add_argument("--pruner", default="median")
    parser.add_argument("--models", default="*")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--timeout", type=float, default=None,
                        help="stop each run after S seconds (checkpoints it did not reach show '-')")
    parser.add_argument("--strategies", default="tpe+pruning,random", help="which arms to run (default both)")
    parser.add_argument("--parallel", action="store_true", help="run every (strategy, seed) at once, one process each")
    args = parser.parse_args()
    import optuna
    from rich.console import Console
    from rich.table import Table

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    seeds = [int(s) for s in args.seeds.split(",")]
    results: dict[str, list[dict]] = {s: [] for s in args.strategies.split(",")}
    jobs = [(strategy, seed) for seed in seeds for strategy in results]
    with tempfile.TemporaryDirectory() as tmp:
        if args.parallel:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            from benchmark.search import build_parser, prepare

            prepare(build_parser().parse_args(["--budget", args.budget, "--results-dir", str(Path(tmp) / "warm"),
                                               "--models", args.models]))  # the signal store, built once
            with ProcessPoolExecutor(len(jobs), mp_context=mp.get_context("spawn")) as pool:
                done = list(pool.map(_run_in_child, [(st, sd, args, Path(tmp) / f"{st}-{sd}", len(jobs))
                                                     for st, sd in jobs]))
        else:
            done = [run_one(st, sd, args, Path(tmp)) for st, sd in jobs]
        for (strategy, _), result in zip(jobs, done):
            results[strategy].append(result)
    checkpoints = sorted({int(n) for n in args.checkpoints.split(",") if 0 < int(n) <= args.trials})
    table = Table(title=f"search on the stand-in: budget {args.budget}, pruner {args.pruner}, seeds {args.seeds} "
                        f"(mean over seeds){'; all runs at once, sharing the machine' if args.parallel else ''}")
    table.add_column("strategy")
    for n in checkpoints:
        table.add_column(f"best n={n}", justify="right")
    for n in checkpoints:
        table.add_column(f"wall s to {n}", justify="right")
    for col in ("trials/hour", "pruned trials", "epoch x fold evals saved"):
        table.add_column(col, justify="right")
    for strategy, runs in results.items():
        best, wall = [], []
        for n in checkpoints:
            vals = [r["curve"][n - 1] for r in runs if len(r["curve"]) >= n and r["curve"][n - 1] > float("-inf")]
            best.append(f"{statistics.mean(vals):.4f}" if vals else "-")
            secs = [r["finished_at"][n - 1] for r in runs if len(r["finished_at"]) >= n]
            wall.append(f"{statistics.mean(secs):,.0f}" if secs else "-")
        per_hour = statistics.mean(3600 * len(r["curve"]) / r["seconds"] for r in runs)
        table.add_row(strategy, *best, *wall, f"{per_hour:,.0f}", str(sum(r["pruned"] for r in runs)),
                      f"{statistics.mean(r['saved'] for r in runs):.1%}")
    console = Console(width=max(140, Console().width))  # logs are read later: do not truncate
    console.print(table)
    runs = Table(title="each run")
    for col in ("strategy", "seed", "finished", *[f"best n={n}" for n in checkpoints], "pruned", "evals saved", "seconds"):
        runs.add_column(col, justify="left" if col == "strategy" else "right")
    for (strategy, seed), r in zip(jobs, [r for st, sd in jobs for r in [results[st][seeds.index(sd)]]]):
        best = [f"{r['curve'][n - 1]:.4f}" if len(r["curve"]) >= n else "-" for n in checkpoints]
        runs.add_row(strategy, str(seed), str(len(r["curve"])), *best, str(r["pruned"]), f"{r['saved']:.1%}",
                     f"{r['seconds']:,.0f}")
    console.print(runs)


if __name__ == "__main__":
    main()
