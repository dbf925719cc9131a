"""Search efficiency on the stand-in: best CV AUROC after n trials for TPE + pruning vs random
search (no pruning), same budget, same seeds, and the share of fold evaluations pruning saved.

    python scripts/bench_search.py [--trials 12] [--seeds 0,1] [--budget smoke] [--models ...]

Each (strategy, seed) is its own study in a temporary journal; trials run in this process.
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
                                     "--models", args.models])
    ctx, _, _ = prepare(cli)
    sampler, pruner = ("tpe", args.pruner) if strategy == "tpe+pruning" else ("random", "none")
    storage = make_storage(None, workdir / f"{strategy}-{seed}.journal")
    start = time.time()
    study = optuna_engine.run(ctx, storage, optuna_engine.EngineOptions(args.trials, f"{strategy}-{seed}", pruner,
                                                                         sampler=sampler))
    trials = sorted(study.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED)), key=lambda t: t.number)
    best, curve = float("-inf"), []
    for t in trials:
        if t.state == TrialState.COMPLETE and t.value is not None:
            best = max(best, t.value)
        curve.append(best)
    k = ctx.split.n_folds * ctx.split.repeats  # (repeat, fold) steps of a complete trial
    evaluated = sum(len(t.user_attrs.get("folds", [])) for t in trials)
    return {"curve": curve, "saved": 1 - evaluated / (len(trials) * k), "pruned": sum(t.state == TrialState.PRUNED for t in trials),
            "seconds": time.time() - start}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--budget", default="smoke")
    parser.add_argument("--pruner", default="median")
    parser.add_argument("--models", default="*")
    args = parser.parse_args()
    import optuna
    from rich.console import Console
    from rich.table import Table

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    seeds = [int(s) for s in args.seeds.split(",")]
    results: dict[str, list[dict]] = {"tpe+pruning": [], "random": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            for strategy in results:
                results[strategy].append(run_one(strategy, seed, args, Path(tmp)))
    checkpoints = sorted({n for n in (3, 6, args.trials // 2, args.trials) if 0 < n <= args.trials})
    table = Table(title=f"best CV AUROC after n trials (stand-in, budget {args.budget}, seeds {args.seeds}, "
                        f"mean over seeds)")
    table.add_column("strategy")
    for n in checkpoints:
        table.add_column(f"n={n}", justify="right")
    table.add_column("pruned trials", justify="right")
    table.add_column("fold evals saved", justify="right")
    table.add_column("wall s", justify="right")
    for strategy, runs in results.items():
        cells = []
        for n in checkpoints:
            vals = [r["curve"][n - 1] for r in runs if len(r["curve"]) >= n and r["curve"][n - 1] > float("-inf")]
            cells.append(f"{statistics.mean(vals):.4f}" if vals else "-")
        table.add_row(strategy, *cells, str(sum(r["pruned"] for r in runs)),
                      f"{statistics.mean(r['saved'] for r in runs):.1%}", f"{sum(r['seconds'] for r in runs):.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
