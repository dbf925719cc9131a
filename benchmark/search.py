"""``python -m benchmark.search --task pe --trials 200``: one joint, conditional search over
architecture, crop length, filter, normalization, pretraining source and freezing depth (and the
classical baselines), cross-validated on persisted patient-grouped folds; the locked test is never
opened here."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmark.study.budgets import BUDGETS, get_budget
from benchmark.cli.main import add_version
from benchmark.engines import optuna_engine, ray_engine  # noqa: F401  (register the engines; Ray itself loads lazily)
from benchmark.engines.base import GIVEN, add_engine_arguments, get_engine, given_options
from benchmark.engines.storage import STORAGE_ENV
from benchmark.estimators.deep import EVAL_CROPS
from benchmark.estimators.base import OOF_PARTS, THRESHOLD_FROM
from benchmark.cli.cohort_options import add_cohort_options
from benchmark.cli.main import cli_entry
from benchmark.errors import BenchError, ConfigError


class SearchParser(argparse.ArgumentParser):
    """The search command's parser: a parse also records which engine options the command line
    gave (``args.given_options``), so that an engine refuses another engine's options rather than
    ignore them (:meth:`benchmark.engines.base.Engine.validate`)."""

    engine_dests: set[str] = set()

    def parse_known_args(self, args=None, namespace=None):
        parsed, extra = super().parse_known_args(args, namespace)
        setattr(parsed, GIVEN, given_options(self, args, self.engine_dests))
        return parsed, extra


def build_parser() -> argparse.ArgumentParser:
    parser = SearchParser(prog="python -m benchmark.search", description=__doc__)
    add_version(parser)
    add_cohort_options(parser)
    parser.add_argument("--trials", type=int, default=50, help="finished trials wanted in the study in total (default 50)")
    parser.add_argument("--budget", default="small", help=f"cost per trial: {', '.join(BUDGETS)} (default small)")
    parser.add_argument("--engine", default="optuna", help="optuna (default) or ray (benchmark.engines registers them)")
    parser.add_argument("--storage", default=None, help="Optuna storage URL or journal file path (default: "
                        f"${STORAGE_ENV} if set, else <results-dir>/<task>/study.journal); a password in a URL here is "
                        f"visible to every user in ps: put the URL in ${STORAGE_ENV}, or the password in ~/.pgpass")
    parser.add_argument("--study", default=None, help="study name (default: <task>-<budget>)")
    parser.add_argument("--study-name", dest="study", default=None, help=argparse.SUPPRESS)  # deprecated spelling
    parser.add_argument("--repeats", type=int, default=None, help="repeated CV: differently seeded patient-grouped "
                        "fold sets, each with its own training seed (default: the budget's, %s)"
                        % ", ".join(f"{b.name} {b.repeats}" for b in BUDGETS.values()))
    parser.add_argument("--threshold-from", default=THRESHOLD_FROM[0], help="where each fold's decision threshold is "
                        "chosen: inner (default: the inner validation split that early stopping uses) or oof "
                        "(cross-fitted out-of-fold predictions over the whole training part; %d extra fits per fold)"
                        % OOF_PARTS)
    parser.add_argument("--eval-crops", default=EVAL_CROPS[0], help="deep models' evaluation windows: cover (default: "
                        "sliding crops averaged over the whole record) or centre (the centre crop only)")
    parser.add_argument("--seed", type=int, default=0, help="sampler and training seed (default 0)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--models", default="*", help="comma-separated models or patterns to search (default: all)")
    parser.engine_dests = add_engine_arguments(parser)
    return parser


def validate(args: argparse.Namespace) -> None:
    from benchmark.data.cohorts import check_task
    from benchmark.engines.storage import check_journal_path
    from benchmark.cli.cohort_options import check_cohort_options

    check_task(args.task)
    check_cohort_options(args)
    if args.trials < 1:
        raise ConfigError(f"--trials must be at least 1, got {args.trials}")
    check_journal_path(args.storage, Path(args.results_dir) / args.task / "study.journal")
    get_budget(args.budget)
    get_engine(args.engine).validate(args)  # its own options, and none of another engine's
    if args.repeats is not None and args.repeats < 1:
        raise ConfigError(f"--repeats must be at least 1, got {args.repeats}")
    if args.threshold_from not in THRESHOLD_FROM:
        raise ConfigError(f"unknown --threshold-from {args.threshold_from!r}; choose {' or '.join(THRESHOLD_FROM)}")
    if args.eval_crops not in EVAL_CROPS:
        raise ConfigError(f"unknown --eval-crops {args.eval_crops!r}; choose {' or '.join(EVAL_CROPS)}")
    if args.device not in ("cpu", "cuda") and not args.device.startswith("cuda:"):
        raise ConfigError(f"unknown --device {args.device!r}; use cpu or cuda")
    if args.device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise ConfigError(f"--device {args.device}: no CUDA device is available on this machine")


def select_models(patterns: str) -> list[str]:
    """Models matching ``patterns`` among those with a registered space; a typo is one line."""
    import fnmatch

    from benchmark.registry import did_you_mean
    from benchmark.study.space import all_models

    known = all_models()
    chosen: list[str] = []
    wanted = [p.strip() for p in patterns.split(",") if p.strip()]
    if not wanted:
        raise ConfigError(f"--models {patterns!r} names no model; give names or patterns, e.g. --models 'resnet*,minirocket'")
    for pattern in wanted:
        hits = [m for m in known if fnmatch.fnmatch(m, pattern)]
        if not hits:
            raise ConfigError(f"--models: unknown model {pattern!r}{did_you_mean(pattern, known)}")
        chosen += [m for m in hits if m not in chosen]
    return sorted(chosen)


def pretrain_choices(ctx) -> tuple[list[str], list[str]]:
    """Pretraining levels, in the order the sampler draws them by: none, the random-frozen control
    (needs no data), each pretraining source whose data are present (registration order:
    :func:`benchmark.data.sources.pretraining_sources`), then each pool of
    :data:`benchmark.data.pools.POOLS` whose sources all are; one notice per dropped level."""
    from benchmark.data.pools import POOLS
    from benchmark.data.sources import pretraining_sources
    from benchmark.study.space import RANDOM_FROZEN

    available, notices = [], []
    for source in pretraining_sources():
        try:
            notices += ctx.pretraining(source).notices
            available.append(source)
        except BenchError as exc:
            notices.append(f"pretraining source {source} dropped from the search: {exc}")
    choices = ["none", RANDOM_FROZEN, *available]
    for pool, members in POOLS.items():
        if all(m in available for m in members):
            choices.append(pool)
        else:
            *others, last = members
            needs = f"{', '.join(others)} and {last}" if others else last
            notices.append(f"pretraining source {pool} dropped from the search: needs {needs}")
    return choices, notices


def prepare(args: argparse.Namespace):
    """Storage, cohort (dev signals only), split and context; prints notices."""
    from benchmark.engines.storage import make_storage
    from benchmark.cli.experiment import load_experiment_data
    from benchmark.study.context import SearchContext

    budget = get_budget(args.budget)
    models = select_models(args.models)  # a typo fails before any data is loaded
    repeats = args.repeats if args.repeats is not None else budget.repeats
    data = load_experiment_data(args, folds=budget.folds, repeats=repeats)  # every record checked before anything is written
    storage = make_storage(args.storage, Path(args.results_dir) / args.task / "study.journal")
    cohort = data.cohort.with_signals(data.split.dev_ids())
    ctx = SearchContext(args.task, cohort, data.split, budget, args.seed, args.device, args.data_dir,
                        models=models, threshold_from=args.threshold_from, eval_crops=args.eval_crops)
    if not ctx.searched_models():
        raise ConfigError(f"--models {args.models}: every selected model is left out of the {budget.name} budget "
                          "(benchmark/study/budgets.py says why); choose other models or another --budget")
    ctx.pretrain_choices, notices = pretrain_choices(ctx)
    if cohort.is_standin:
        notices.insert(0, cohort.description)
    notices[:0] = cohort.notices  # a task's label caveat (mimic-pe) comes first
    for notice in notices:
        print(f"notice: {notice}", file=sys.stderr)
    return ctx, storage, data


def storage_hint(storage: str | None, results_dir: str) -> str:
    """How the leaderboard command finds this study: never with a password (the URL from
    ``$ECG_BENCH_STORAGE`` is named by the variable, one from ``--storage`` is shown redacted)."""
    from benchmark.engines.storage import redact, storage_url

    url, option = storage_url(storage)
    if url is None:
        return f"--results-dir {results_dir}"
    if option == "--storage":
        return f"--storage {redact(url)}"
    return f'--storage "{option}"'


def summary(study, storage, args, started: float) -> str:
    from benchmark.engines.progress import best, counts
    from benchmark.engines.storage import describe_storage

    c = counts(study)
    warned = [t.number for t in study.get_trials(deepcopy=False) if t.user_attrs.get("warnings")]
    value, number, model = best(study)
    best_s = f"best CV AUROC {value:.4f} (trial {number}, {model})" if value is not None else "no complete trial yet"
    where = storage_hint(args.storage, args.results_dir)
    warn_s = ""
    if warned:
        first = study.trials[warned[0]].user_attrs["warnings"][0]
        warn_s = f"warning: {len(warned)} trial(s) (e.g. trial {warned[0]}): {first}\n"
    return (f"study {study.study_name!r} in {describe_storage(storage)}: {c['complete']} complete, {c['pruned']} pruned, "
            f"{c['failed']} failed in {time.time() - started:,.0f}s; {best_s}\n{warn_s}"
            f"leaderboard: python -m benchmark.leaderboard --task {args.task} {where} --study {study.study_name}")


@cli_entry
def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    validate(args)
    args.study = args.study or f"{args.task}-{args.budget}"
    started = time.time()
    ctx, storage, _ = prepare(args)
    try:
        study = get_engine(args.engine).run(ctx, storage, args)
    except KeyboardInterrupt:
        from benchmark.engines.study import open_study

        study = open_study(storage, args.study, ctx)
        print("\ninterrupted: finished trials are saved; the interrupted trial is queued to run again", file=sys.stderr)
        print(summary(study, storage, args, started))
        sys.exit(130)
    print(summary(study, storage, args, started))


if __name__ == "__main__":
    main()
