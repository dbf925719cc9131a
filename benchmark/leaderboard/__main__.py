"""``python -m benchmark.leaderboard``: the terminal table and the files in ``leaderboard/<task>/``;
``python -m benchmark.leaderboard finalize --top K``: refit the top K on dev, evaluate once on the
locked test (the only command that opens it)."""

from __future__ import annotations

import argparse
import math
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


def _fmt(v, digits=4) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.{digits}f}"
    return "" if v is None else str(v)


def print_table(table, counts, head, top: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    console.print(f"[bold]{head['study']}[/bold]  cohort {head['cohort']}  manifest {str(head['manifest_hash'])[:12]}  "
                  f"split {str(head['split_hash'])[:12]}  budget {head['budget']}  v{head['package_version']}")
    if "NOT A PE LABEL" in str(head["description"]):
        console.print(f"[yellow]{head['description']}[/yellow]")
    console.print(f"trials: {counts['complete']} complete, {counts['pruned']} pruned, {counts['failed']} failed "
                  "(pruned and failed are counted, not ranked); * = indistinguishable from the best (paired t-test over folds)")
    t = Table()
    for col in ("rank", "model", "crop", "norm", "pretrain", "freeze", "CV AUROC", "95% CI", "AUPRC", "F1", "sens",
                "spec", "params", "fit s", "trial"):
        t.add_column(col, justify="left" if col in ("model", "norm", "pretrain") else "right")
    for _, r in table.head(top).iterrows():
        t.add_row(f"{r['rank']}{'*' if r['tied_with_best'] else ''}", str(r["model"]), _fmt(r["crop_seconds"], 1),
                  str(r["normalization"]), str(r["pretrain"]), _fmt(r["freeze_depth"], 0),
                  f"{r['auroc_mean']:.4f} ± {r['auroc_std']:.4f}", f"[{_fmt(r['auroc_ci_low'], 3)}, {_fmt(r['auroc_ci_high'], 3)}]",
                  _fmt(r["auprc_mean"]), _fmt(r["f1_mean"], 3), _fmt(r["sensitivity_mean"], 3),
                  _fmt(r["specificity_mean"], 3), f"{int(r['n_parameters']):,}", f"{r['fit_seconds']:.1f}", str(r["trial"]))
    console.print(t)


def show(args: argparse.Namespace) -> None:
    from benchmark.leaderboard import factors, report
    from benchmark.leaderboard.finalize import load_finalized
    from benchmark.leaderboard.study import open_stored_study
    from benchmark.engines.progress import counts as trial_counts
    from benchmark.leaderboard.table import leaderboard

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
    report.write_csv(table, out / "leaderboard.csv", head)
    report.write_csv(effects, out / "factors.csv", head)
    report.write_json(out / "leaderboard.json", head, table, counts, effects, importances, finalized)
    report.write_html(out / "index.html", study, head, table, counts, effects, importances, finalized, args.top)
    print_table(table, counts, head, args.top)
    print(f"written: {out / 'leaderboard.csv'}, {out / 'leaderboard.json'}, {out / 'factors.csv'}, {out / 'index.html'}")


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
