"""Redo the committed leaderboard of a task from scratch, in order:

1. the main command: ``python -m benchmark.search --task pe --trials 200 --n-workers 2`` (default
   budget and seed; two worker processes with one torch thread each on the 2-core machine), with its
   study under ``leaderboard/<task>/`` (journal and split file);
2. ``finalize`` once: the single pre-chosen rank-1 configuration on the locked test (logged);
3. the tables, CD diagram and page (``python -m benchmark.leaderboard``);
4. ``reproduce`` of rank 1, rank 2 and one pruned trial that finished folds; outputs kept in
   ``leaderboard/<task>/reproduce.txt``;
5. the README's results table and its answers, rewritten from ``leaderboard.csv``, ``answers.csv`` and
   ``curves.csv`` between their markers.

    python scripts/publish_leaderboard.py [--task pe] [--trials 200] [--n-workers 2] [--skip-search] [-- SEARCH OPTIONS]

``--skip-search`` regenerates every table from the committed study (a change that only touches tables
needs no search). To rerun the search, move the old folder aside first:
``mv leaderboard/pe leaderboard/pe.old``; the command refuses to resume a study whose identity differs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def sh(*args: str, capture: bool = False) -> str:
    print("$ " + " ".join(args), flush=True)
    done = subprocess.run([sys.executable, *args], cwd=REPO, text=True, capture_output=capture)
    if capture:
        print(done.stdout + done.stderr, end="")
    if done.returncode != 0:
        sys.exit(f"step failed (exit {done.returncode}): {' '.join(args)}")
    return (done.stdout + done.stderr) if capture else ""


def reproduce_targets(task: str) -> list[int]:
    """Rank 1, the best deep trial, the first ablation cell and the first pruned trial with stored folds."""
    import optuna
    import pandas as pd

    from benchmark.leaderboard.study import open_stored_study

    board = pd.read_csv(REPO / "leaderboard" / task / "leaderboard.csv")
    board = board.sort_values("rank")
    deep = board[board["kind"] == "deep"]
    targets = [int(board["trial"].iloc[0]), *[int(t) for t in deep["trial"].head(1)]]
    study, _ = open_stored_study(task, REPO / "leaderboard", None, None)
    cells = [t.number for t in study.trials if (t.user_attrs.get("plan") or {}).get("stage") == "ablation"
             and t.state == optuna.trial.TrialState.COMPLETE]
    pruned = [t.number for t in study.trials if t.state == optuna.trial.TrialState.PRUNED and t.user_attrs.get("folds")]
    return list(dict.fromkeys(targets + cells[:1] + pruned[:1]))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="pe")
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--n-workers", type=int, default=2, help="worker processes of the search (default 2)")
    p.add_argument("--skip-search", action="store_true", help="the study is there: redo steps 2-5")
    p.add_argument("search_args", nargs=argparse.REMAINDER, help="after --: more options for the search "
                   "(e.g. -- --random-per-family 2 --ablation-trials 48)")
    args = p.parse_args(argv)
    common = ["--task", args.task, "--results-dir", "leaderboard"]
    if not args.skip_search:
        start = time.time()
        extra = [a for a in args.search_args if a != "--"]
        sh("-m", "benchmark.search", *common, "--trials", str(args.trials), "--n-workers", str(args.n_workers), *extra)
        print(f"search wall time: {time.time() - start:.0f} s")
    out = ["--out", str(REPO / "leaderboard" / args.task)]  # the committed answer is written only from here
    sh("-m", "benchmark.leaderboard", "finalize", *common, *out)
    sh("-m", "benchmark.leaderboard", *common, *out)
    log = []
    for trial in reproduce_targets(args.task):
        log.append(f"$ python -m benchmark.reproduce --task {args.task} --results-dir leaderboard --trial {trial}\n")
        log.append(sh("-m", "benchmark.reproduce", *common, "--trial", str(trial), capture=True))
    (REPO / "leaderboard" / args.task / "reproduce.txt").write_text("".join(log))
    from benchmark.leaderboard import markdown as md

    readme, folder = REPO / "README.md", REPO / "leaderboard" / args.task
    text = md.replace_in(readme.read_text(), md.results_table(folder / "leaderboard.csv"))
    text = md.replace_answers(text, md.answers_block(folder / "answers.csv", folder / "curves.csv"))
    readme.write_text(md.replace_block(text, md.HEADLINE_BEGIN, md.HEADLINE_END, md.headline_block(folder)))
    print("README headline, results table and answers rewritten from the committed files")


if __name__ == "__main__":
    main()
