"""``python -m benchmark.leaderboard``: the terminal table and the files in ``leaderboard/<task>/``;
``python -m benchmark.leaderboard finalize``: refit the configuration(s) chosen from the CV table
(rank 1 by default, ``--top K`` or ``--trial N``) on dev and evaluate once on the locked test (the
only command that opens it; every use is logged and counted). Options may come before or after
``finalize``."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from benchmark.cli.main import cli_entry
from benchmark.errors import ConfigError
from benchmark.leaderboard.options import add_study_options


def add_board_options(parser: argparse.ArgumentParser) -> None:
    """Where the tables and page go and how many rows they show (leaderboard and finalize)."""
    parser.add_argument("--out", default=None, help="output folder of the tables and page (default: the study's own "
                        "results folder, <results-dir>/<task>/)")
    parser.add_argument("--rows", type=int, default=20, help="rows shown in the terminal and page tables (default 20)")


def _shared(suppress: bool) -> argparse.ArgumentParser:
    """The options every subcommand shares. In a subcommand their defaults are suppressed, so an
    option given before the subcommand is not overwritten by the subcommand's default."""
    parent = argparse.ArgumentParser(add_help=False)
    add_study_options(parent)
    add_board_options(parent)
    if suppress:
        for action in parent._actions:  # (set_defaults would store SUPPRESS as a value)
            action.default = argparse.SUPPRESS
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmark.leaderboard", description=__doc__,
                                     parents=[_shared(False)])
    from benchmark.cli.main import add_version

    add_version(parser)
    sub = parser.add_subparsers(dest="command")
    fin = sub.add_parser("finalize", parents=[_shared(True)],
                         help="evaluate the configuration(s) chosen from the CV table once on the locked test")
    choice = fin.add_mutually_exclusive_group()
    choice.add_argument("--top", type=int, default=1,
                        help="configurations to finalize, from rank 1 down (default 1: the single pre-chosen rank 1)")
    choice.add_argument("--trial", type=int, action="append", default=None,
                        help="finalize this trial instead (repeatable)")
    fin.add_argument("--force", action="store_true",
                     help="take another look at the locked test (logged and counted); earlier results are kept as history")
    fin.add_argument("--device", default="cpu")
    return parser


# Terminal columns by priority: the narrowest terminal keeps the first ones (shown in table order).
TERMINAL_PRIORITY = ("rank", "model", "auroc_mean", "auroc_ci_low", "vs_rank_1", "pretrain", "crop_seconds", "trial",
                     "auprc_mean", "freeze_depth", "freeze_fraction", "normalization", "n_parameters",
                     "fit_seconds_per_fold", "auroc_std", "sensitivity_mean", "specificity_mean", "f1_mean")


def print_table(table, counts, head, top: int, width: int | None = None) -> None:
    """The top rows in the terminal's width (``$COLUMNS``, or 80 when not a terminal): the
    lowest-priority columns are dropped until the table fits."""
    from rich.console import Console
    from rich.table import Table

    from benchmark.leaderboard.columns import column
    from benchmark.leaderboard.files import tidy
    from benchmark.leaderboard.header import is_standin, note_line, notes
    from benchmark.leaderboard.render.cells import display, display_order, interval_pairs

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


def _out(args: argparse.Namespace) -> Path:
    return Path(args.out) if args.out else Path(args.results_dir) / args.task


def write_outputs(study, args: argparse.Namespace) -> tuple:
    """Write the tables, the CD diagram and the page from the storage (and the finalized results);
    returns (table, counts, head, written paths)."""
    from benchmark.engines.progress import counts as trial_counts
    from benchmark.leaderboard import factors, files, header, stats
    from benchmark.leaderboard.finalize import load_finalized, read_log, usage, usage_line
    from benchmark.leaderboard.table import equal_budget, family_view, fold_frame, leaderboard

    table = leaderboard(study)
    if table.empty:
        raise ConfigError(f"study {study.study_name!r} has no completed trial yet")
    counts = trial_counts(study)
    use = usage(read_log(Path(args.results_dir), args.task, study.study_name))
    compared, draws, unranked = equal_budget(study, table)
    ranking = stats.family_ranking(compared, fold_frame(study), draws, unranked)
    head = header.header(study) | {
        "selection_score": stats.SELECTION_NOTE, "interval_method": stats.CV_METHOD,
        "comparison_method": stats.COMPARISON_METHOD, "family_ranking_method": stats.RANKING_METHOD,
        "factor_method": f"{stats.LEVEL_MEAN_METHOD}; importances: {factors.IMPORTANCE_METHOD}",
        "locked_test": usage_line(use), "locked_test_configurations": use["configurations"],
        "locked_test_looks": use["looks"]}
    effects = factors.marginal_effects(study)
    importances = factors.importances(study)
    finalized = load_finalized(Path(args.results_dir), args.task, study.study_name)
    out = _out(args)
    out.mkdir(parents=True, exist_ok=True)
    drawn = stats.write_cd_diagram(ranking, out / "cd_diagram.svg")  # before the page, which embeds it
    from benchmark.leaderboard.answers import answer_table
    from benchmark.leaderboard.curves import curves

    head |= selection_estimate(study, table)
    from benchmark.leaderboard.finalize import finalized_dir
    from benchmark.leaderboard.statistic import Inputs, compute_all

    computed = compute_all(Inputs(study, table, finalized, finalized_dir(Path(args.results_dir), args.task,
                                                                         study.study_name)))
    written = files.write_all(out, study, head, table, counts, effects, importances, finalized, args.rows,
                               families=family_view(table), statistics=computed,
                               extra={"family_ranking": ranking.as_dict(), "locked_test_use": use},
                               answers=answer_table(study), curves=curves(study))
    if drawn:
        written.append(out / "cd_diagram.svg")
    return table, counts, head, written


def selection_estimate(study, table) -> dict:
    """Rank 1's CV AUROC beside its winner's-curse-corrected estimate (BBC-CV, from the stored
    out-of-fold predictions of every complete search trial); empty for a study without predictions."""
    from benchmark.leaderboard import stats
    from benchmark.leaderboard.table import search_trials
    from benchmark.trial.predictions import oof_matrix

    numbers, P, y, groups = oof_matrix(study, search_trials(study))
    if len(numbers) < 2:
        return {}
    estimate, lo, hi = stats.bbc_cv(P, y, groups, seed=int(study.user_attrs.get("identity", {}).get("seed", 0)))
    return {"winners_curse": (f"rank 1 (trial {int(table['trial'].iloc[0])}) CV AUROC {table['auroc_mean'].iloc[0]:.4f}; "
                              f"corrected for choosing it among {len(numbers)} configurations: {estimate:.4f} "
                              f"[{lo:.3f}, {hi:.3f}] ({stats.BBC_METHOD})"),
            "bbc_cv_auroc": round(estimate, 6), "bbc_cv_interval": [round(lo, 6), round(hi, 6)],
            "bbc_cv_configurations": len(numbers)}


def show(args: argparse.Namespace) -> None:
    from benchmark.leaderboard.study import open_stored_study

    from benchmark.options import check_dir

    if args.rows < 1:
        raise ConfigError(f"--rows must be at least 1, got {args.rows}")
    check_dir(args.out, "--out")  # before any work: a file or unwritable place is one line
    study, _ = open_stored_study(args.task, args.results_dir, args.study, args.storage)
    table, counts, head, written = write_outputs(study, args)
    print_table(table, counts, head, args.rows)
    print_answers(study)
    print(f"written: {', '.join(map(str, written))}")


def print_answers(study, width: int | None = None) -> None:
    """The answer table (questions 2-5) and each family's expected maximum (question 1) in the terminal."""
    from rich.console import Console
    from rich.table import Table

    from benchmark.leaderboard.answers import METHOD, POOLED, answer_table, verdict
    from benchmark.leaderboard.curves import curves

    import shutil

    console = Console(width=width or max(120, shutil.get_terminal_size().columns), soft_wrap=False)
    emp = curves(study)
    if len(emp):
        last = emp.groupby("family", sort=False).tail(1)
        console.print("Q1 at equal budget: " + "; ".join(
            f"{r.family} E[max of {r.k}] {r.expected_max:.3f}" if r.k else f"{r.family}: no complete random draw"
            for r in last.itertuples()), markup=False)
    answers = answer_table(study)
    if not len(answers):
        console.print("questions 2-5: no ablation stage in this study", markup=False)
        return
    pooled = answers[answers["family"] == POOLED]
    t = Table(title=f"Questions 2-5: declared contrasts, pooled over families (ΔAUROC; {len(answers) - len(pooled)} "
                    "per-family rows in answers.csv)")
    for name in ("Q", "contrast", "fam.", "Δ", "95% CI", "p Holm", "P(b/e/w)", "MDE", "verdict"):
        t.add_column(name, no_wrap=name != "contrast", min_width=30 if name == "contrast" else None)
    f = lambda v, d=3: "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{d}f}"  # noqa: E731
    for _, r in pooled.iterrows():
        measured = isinstance(r["mean_delta"], float) and math.isfinite(r["mean_delta"])
        t.add_row(r["question"], r["contrast"], str(r["families"]), f(r["mean_delta"]),
                  f"[{f(r['ci_low'])}, {f(r['ci_high'])}]", f(r["p_holm"]),
                  f"{f(r['p_better'], 2)}/{f(r['p_equivalent'], 2)}/{f(r['p_worse'], 2)}", f(r["mde"]),
                  verdict(r) if measured else str(r["note"]))
    console.print(t)
    console.print(METHOD, markup=False)


def _ci(r: dict, key: str) -> str:
    lo, hi = r.get(f"{key}_ci") or (math.nan, math.nan)  # results stored by older versions may lack one
    return "" if lo is None or math.isnan(lo) else f" [{lo:.3f}, {hi:.3f}]"


def result_line(r: dict) -> str:
    t = r["test"]
    found = f"{r['true_positives']}/{r['test_positives']} = " if "true_positives" in r else ""
    return (f"trial {r['trial']} {r['config']['model']}: CV AUROC (selection score) {r['cv_auroc']:.4f} | locked test "
            f"AUROC {t['auroc']:.4f}{_ci(r, 'auroc')} AUPRC {t['auprc']:.4f}{_ci(r, 'auprc')} "
            f"sensitivity {found}{t['sensitivity']:.3f}{_ci(r, 'sensitivity')} "
            f"specificity {t['specificity']:.3f}{_ci(r, 'specificity')} ({'reused' if r['reused'] else 'evaluated'})")


def run_finalize(args: argparse.Namespace) -> None:
    from benchmark.cli.experiment import context_from_study
    from benchmark.leaderboard import stats
    from benchmark.leaderboard.finalize import finalize, usage_line
    from benchmark.leaderboard.study import open_stored_study

    from benchmark.options import check_dir

    if args.top < 1:
        raise ConfigError(f"--top must be at least 1, got {args.top}")
    check_dir(args.out, "--out")
    study, _ = open_stored_study(args.task, args.results_dir, args.study, args.storage)
    ctx, data = context_from_study(study, args, args.device)
    if ctx.cohort.is_standin:
        print(ctx.cohort.description)
    results, use = finalize(study, ctx, data, Path(args.results_dir), args.top, args.force, args.trial)
    for r in results:
        print(result_line(r))
    print(usage_line(use))
    print(f"95 % intervals: AUROC by {stats.TEST_AUROC_METHOD}; AUPRC by {stats.TEST_AUPRC_METHOD} (near-nominal "
          "coverage at this size: scripts/bench_interval_coverage.py); sensitivity and specificity by "
          f"{stats.PROPORTION_METHOD}")
    *_, written = write_outputs(study, args)
    print(f"refreshed: {', '.join(map(str, written))}")


@cli_entry
def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "finalize":
        run_finalize(args)
    else:
        show(args)


if __name__ == "__main__":
    main()
