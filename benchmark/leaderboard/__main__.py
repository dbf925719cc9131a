"""``python -m benchmark.leaderboard``: the terminal table and the files in ``leaderboard/<task>/``;
``python -m benchmark.leaderboard finalize --top K``: refit the top K on dev, evaluate once on the
locked test (the only command that opens it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmark.errors import ConfigError, cli_entry


def add_study_options(parser: argparse.ArgumentParser) -> None:
    from benchmark.experiment import add_cohort_options

    add_cohort_options(parser)
    parser.add_argument("--study", default=None, help="study name (default: the task's only study)")
    parser.add_argument("--storage", default=None, help="storage URL or journal path (default: <results-dir>/<task>/study.journal)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmark.leaderboard", description=__doc__)
    from benchmark.cli import add_version

    add_version(parser)
    sub = parser.add_subparsers(dest="command")
    add_study_options(parser)
    parser.add_argument("--top", type=int, default=20, help="rows shown (default 20)")
    parser.add_argument("--out", default=None, help="output folder (default: leaderboard/<task>/)")
    fin = sub.add_parser("finalize", help="refit the top K on dev and evaluate once on the locked test")
    add_study_options(fin)
    fin.add_argument("--top", type=int, default=3, help="configurations to finalize (default 3)")
    fin.add_argument("--force", action="store_true", help="re-evaluate; earlier results are kept as history")
    fin.add_argument("--device", default="cpu")
    return parser


# Terminal columns by priority: the narrowest terminal keeps the first ones (shown in table order).
TERMINAL_PRIORITY = ("rank", "model", "auroc_mean", "auroc_ci_low", "vs_rank_1", "pretrain", "crop_seconds", "trial",
                     "auprc_mean", "freeze_depth", "freeze_fraction", "normalization", "n_parameters",
                     "fit_seconds_per_fold", "auroc_std", "sensitivity_mean", "specificity_mean", "f1_mean",
                     "tied_with_best")


def print_table(table, counts, head, top: int, width: int | None = None) -> None:
    """The top rows in the terminal's width (``$COLUMNS``, or 80 when not a terminal): the
    lowest-priority columns are dropped until the table fits."""
    from rich.console import Console
    from rich.table import Table

    from benchmark.leaderboard.columns import column
    from benchmark.leaderboard.report import display, display_order, interval_pairs, is_standin, note_line, notes, tidy

    console = Console(width=width, soft_wrap=False)
    console.print(f"[bold]{head['study']}[/bold]  cohort {head['cohort']}  manifest {str(head['manifest_hash'])[:12]}  "
                  f"split {str(head['split_hash'])[:12]}  budget {head['budget']}  v{head['package_version']}")
    if is_standin(head):
        console.print(f"[yellow]{head['description']}[/yellow]")
    console.print(f"trials: {counts['complete']} complete, {counts['pruned']} pruned, {counts['failed']} failed "
                  "(pruned and failed are counted, not ranked)")
    noted = notes(head) or {"selection_score": "CV AUROC is the selection score (the table is sorted by it), not an "
                                               "estimate; the locked test (finalize) gives the estimate"}
    for key, text in noted.items():
        console.print(note_line(key, text), markup=False)
    rows = tidy(table).head(top)
    pairs = interval_pairs(rows.columns)

    def cell(row, name):
        if name in pairs:
            lo, hi = display(row[name], column(name)), display(row[pairs[name]], column(pairs[name]))
            return f"[{lo}, {hi}]" if lo and hi else ""
        return display(row[name], column(name), name) or "n/a"

    def short(name):
        return "95% CI" if name in pairs else column(name).short

    cells = {n: [cell(r, n) for _, r in rows.iterrows()] for n in TERMINAL_PRIORITY if n in rows.columns}
    need = {n: max([len(short(n)), *map(len, v)]) + 3 for n, v in cells.items()}  # + padding and border
    chosen, used = set(), 1
    for name in cells:
        if used + need[name] <= console.width or not chosen:
            chosen.add(name)
            used += need[name]
    t = Table()
    shown = [n for n in display_order(rows.columns) if n in chosen]
    for name in shown:
        t.add_column(short(name), justify="left" if column(name).dtype == "str" else "right", no_wrap=True)
    for i in range(len(rows)):
        t.add_row(*(cells[n][i] for n in shown))
    console.print(t)
    if len(shown) < len(cells):
        console.print(f"({len(cells) - len(shown)} columns left out at width {console.width}; all are in the files)")


def show(args: argparse.Namespace) -> None:
    from benchmark.leaderboard import factors, report
    from benchmark.leaderboard.finalize import load_finalized
    from benchmark.leaderboard.study import open_stored_study
    from benchmark.engines.progress import counts as trial_counts
    from benchmark.leaderboard.table import leaderboard

    from benchmark.options import check_dir

    check_dir(args.out, "--out")  # before any work: a file or unwritable place is one line
    study, _ = open_stored_study(args.task, args.results_dir, args.study, args.storage)
    table = leaderboard(study)
    if table.empty:
        raise ConfigError(f"study {study.study_name!r} has no completed trial yet")
    counts = trial_counts(study)
    head = report.header(study)
    effects = factors.marginal_effects(table)
    importances = factors.importances(study)
    finalized = load_finalized(Path(args.results_dir), args.task, study.study_name)
    out = Path(args.out) if args.out else Path("leaderboard") / args.task
    out.mkdir(parents=True, exist_ok=True)
    written = report.write_all(out, study, head, table, counts, effects, importances, finalized, args.top)
    print_table(table, counts, head, args.top)
    print(f"written: {', '.join(map(str, written))}")


def run_finalize(args: argparse.Namespace) -> None:
    from benchmark.experiment import context_from_study
    from benchmark.leaderboard.finalize import finalize
    from benchmark.leaderboard.study import open_stored_study

    if args.top < 1:
        raise ConfigError(f"--top must be at least 1, got {args.top}")
    study, _ = open_stored_study(args.task, args.results_dir, args.study, args.storage)
    ctx, data = context_from_study(study, args, args.device)
    for r in finalize(study, ctx, data, Path(args.results_dir), args.top, args.force):
        lo, hi = r["auroc_ci"]
        state = "reused" if r["reused"] else "evaluated"
        print(f"trial {r['trial']} {r['config']['model']}: CV AUROC {r['cv_auroc']:.4f} | locked test AUROC "
              f"{r['test']['auroc']:.4f} [{lo:.3f}, {hi:.3f}] AUPRC {r['test']['auprc']:.4f} sens "
              f"{r['test']['sensitivity']:.3f} spec {r['test']['specificity']:.3f} ({state})")


@cli_entry
def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "finalize":
        run_finalize(args)
    else:
        show(args)


if __name__ == "__main__":
    main()
