"""``python -m benchmark.data describe|check|download``: inspect a task's cohort and split, decode and
validate every record, fetch datasets.

Both decode and validate every record (dev and locked test; no signal is kept) before anything is
written, listing every corrupt file, NaN or flat lead in one error; the result is cached, so it
runs once per cohort version. ``check`` stops there; ``describe`` then shows the split. The cohort
options may come before or after the subcommand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmark.data import download as dl
from benchmark.data.paths import download_root
from benchmark.data.splits import TEST
from benchmark.study.budgets import BUDGETS, get_budget
from benchmark.cli.main import add_version, shared_options
from benchmark.cli.main import cli_entry
from benchmark.errors import ConfigError
from benchmark.cli.cohort_options import add_cohort_options


def describe(args: argparse.Namespace) -> dict:
    from benchmark.cli.experiment import load_experiment_data

    budget = get_budget(args.budget) if args.budget else None
    if budget and args.folds and args.folds != budget.folds:
        raise ConfigError(f"--folds {args.folds} disagrees with --budget {budget.name} ({budget.folds} folds); give one")
    data = load_experiment_data(args, folds=budget.folds if budget else None)
    cohort, split = data.cohort, data.split
    y = dict(zip(cohort.table["record_id"], cohort.table["label"]))
    pid = dict(zip(cohort.table["record_id"], cohort.table["patient_id"]))

    def part(ids: list[str]) -> dict:
        return {"records": len(ids), "patients": len({pid[i] for i in ids}), "positives": int(sum(y[i] for i in ids))}

    return {
        "task": args.task,
        "cohort": cohort.name,
        "description": cohort.description,
        "is_standin": cohort.is_standin,
        "caveats": list(cohort.notices),
        "records": len(cohort.table),
        "patients": int(cohort.table["patient_id"].nunique()),
        "positives": int(cohort.table["label"].sum()),
        "fs": cohort.fs,
        "seconds": cohort.seconds,
        "manifest_hash": cohort.manifest_hash,
        "split_hash": split.hash,
        "split_file": str(data.split_path),
        "budget": budget.name if budget else None,
        "folds": [part(split.fold(k)[1]) for k in range(split.n_folds)],
        "test": part([r for r, f in split.assignment.items() if f == TEST]),
    }


def print_table(info: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{info['cohort']}[/bold]: {info['description']}")
    for caveat in info.get("caveats", []):
        if caveat not in info["description"]:
            console.print(caveat)
    console.print(f"{info['records']} records, {info['patients']} patients, {info['positives']} positives, "
                  f"{info['fs']:g} Hz × {info['seconds']:g} s")
    console.print(f"manifest {info['manifest_hash'][:16]}  split {info['split_hash'][:16]}  ({info['split_file']})")
    used_by = f"the split of a --budget {info['budget']} search" if info["budget"] else "pass --budget NAME for a search's split"
    console.print(f"{len(info['folds'])} patient-grouped dev folds + locked test ({used_by})")
    table = Table("part", "records", "patients", "positives", "share")
    for k, f in enumerate(info["folds"]):
        table.add_row(f"fold {k}", str(f["records"]), str(f["patients"]), str(f["positives"]),
                      f"{f['positives'] / max(f['records'], 1):.1%}")
    t = info["test"]
    table.add_row("locked test", str(t["records"]), str(t["patients"]), str(t["positives"]),
                  f"{t['positives'] / max(t['records'], 1):.1%}")
    console.print(table)


@cli_entry
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmark.data", description=__doc__,
                                     parents=[shared_options(add_cohort_options, in_subcommand=False)])
    add_version(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    p_desc = sub.add_parser("describe", help="records, patients, positives per fold and locked test",
                            parents=[shared_options(add_cohort_options, in_subcommand=True)])
    p_desc.add_argument("--budget", default=None,
                        help=f"show the split a search with this budget uses ({', '.join(f'{b.name}: {b.folds} folds' for b in BUDGETS.values())}); "
                             "default: --folds, else 5")
    p_desc.add_argument("--json", action="store_true", help="print one JSON object")
    sub.add_parser("check", help="decode and validate every record of the cohort",
                   parents=[shared_options(add_cohort_options, in_subcommand=True)])
    p_dl = sub.add_parser("download", help="fetch a dataset from PhysioNet (resume + SHA-256 check)")
    p_dl.add_argument("dataset", choices=sorted(dl.REMOTES))
    p_dl.add_argument("--dest", default=None, help=f"data root to download into (default {download_root()})")
    p_dl.add_argument("--files", nargs="*", default=None, help="only these relative paths")
    p_dl.add_argument("--mirror", default=None, help="base URL instead of PhysioNet")
    args = parser.parse_args(argv)
    if args.command == "describe":
        info = describe(args)
        if args.json:
            print(json.dumps(info, indent=1))
        else:
            print_table(info)
    elif args.command == "check":
        from benchmark.data.cohorts import load_target
        from benchmark.cli.cohort_options import check_cohort_options, task_options

        check_cohort_options(args)
        cohort = load_target(args.task, args.data_dir, args.cohort, args.fs, task_options=task_options(args)).validate()
        print(f"{cohort.name}: {len(cohort.checked.record_ids)} records decoded at {cohort.fs:g} Hz, all valid")
    else:
        dest = Path(args.dest) if args.dest else download_root()
        paths = dl.download(args.dataset, dest, args.files, args.mirror)
        print(f"{len(paths)} files of {args.dataset} under {dest / dl.remote(args.dataset).folder}")


if __name__ == "__main__":
    main()
