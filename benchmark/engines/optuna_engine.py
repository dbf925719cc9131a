"""The default engine: Optuna (multivariate, grouped, constant-liar TPE; pruning on the epoch x
fold fidelity of :mod:`benchmark.study.fidelity`; a per-trial wall-clock cap; resumable storage; several
worker processes on one study)."""

from __future__ import annotations

import dataclasses
import math
import multiprocessing as mp
import os
import time
import warnings
from dataclasses import dataclass

import optuna
from optuna.study import MaxTrialsCallback
from optuna.trial import TrialState

from benchmark.engines.base import Engine, Step, TrialReporter, pretrain_attrs, record, register_engine
from benchmark.engines.progress import ProgressMonitor
from benchmark.engines.storage import Heartbeat, fail_stale_trials
from benchmark.engines.study import FINISHED, finished, open_study
from benchmark.trial import predictions
from benchmark.errors import ConfigError, one_line
from benchmark.study.fidelity import max_resource
from benchmark.engines.planner import PLAN, Planner, PlanSettings
from benchmark.engines.pruning import FamilyPruner, Unpruned
from benchmark.study.context import SearchContext, trial_context
from benchmark.trial.objective import trial_record, configure, evaluate

PRUNERS = ("family", "wilcoxon", "median", "hyperband", "none")
WILCOXON_P = 0.1  # the Wilcoxon pruner's one-sided p threshold


@dataclass
class EngineOptions:
    trials: int
    study_name: str
    pruner: str = "median"
    n_workers: int = 1
    timeout: float | None = None
    max_attempts_factor: int = 3  # stop after this many attempts per wanted trial (persistent failures)
    sampler: str = "tpe"  # "tpe" | "random" (a baseline for the search itself)
    plan: PlanSettings = PlanSettings()  # anchors, per-family shares, the ablation stage
    worker_trials: int | None = None  # this command runs at most this many (many machines, one database)
    trial_timeout: float | None = None  # wall-clock cap per trial, checked after every epoch and fold


class TrialTimeout(RuntimeError):
    """A trial ran past ``--trial-timeout``; it is stored as FAIL with this message as its reason."""


def wilcoxon_min_steps(p_threshold: float = WILCOXON_P) -> int:
    """Fewest paired steps at which a one-sided Wilcoxon signed-rank test can reach
    ``p < p_threshold``: its smallest exact p with n pairs is 2**-n (every difference one way)."""
    return math.floor(math.log2(1 / p_threshold)) + 1


def make_pruner(name: str, max_steps: int, ctx: SearchContext | None = None) -> optuna.pruners.BasePruner:
    """``max_steps``: the most steps a complete trial reports (:func:`benchmark.study.fidelity.max_resource`).
    Every pruner leaves the planner's unpruned trials alone (:class:`benchmark.engines.pruning.Unpruned`)."""
    if name == "family":
        if ctx is None:
            return FamilyPruner(1, 1, 0.25)
        k = ctx.split.n_folds
        return FamilyPruner(ctx.budget.max_epochs, ctx.budget.min_epochs, 1 / (k - 1))
    return Unpruned(_plain_pruner(name, max_steps))


def _plain_pruner(name: str, max_steps: int) -> optuna.pruners.BasePruner:
    if name == "wilcoxon":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.pruners.WilcoxonPruner(p_threshold=WILCOXON_P, n_startup_steps=1)
    if name == "median":
        # prune at an epoch of the first fold (inner-validation AUROC) or after a fold (held-out AUROC)
        # whose value is below the median of earlier trials at that step; never at the first epoch
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max_steps)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ConfigError(f"unknown --pruner {name!r}; choose {', '.join(PRUNERS)}")


def pruner_for(name: str, ctx: SearchContext) -> optuna.pruners.BasePruner:
    return make_pruner(name, max_resource(ctx.split.n_folds * ctx.split.repeats, ctx.budget.max_epochs), ctx)


def objective_fn(ctx: SearchContext, trial_timeout: float | None = None, plan: PlanSettings = PlanSettings()):
    max_epochs = ctx.budget.max_epochs
    planner = Planner(ctx, plan)

    def objective(trial: optuna.Trial) -> float:
        if PLAN not in trial.user_attrs:  # a re-queued interrupted trial keeps its plan
            trial.set_user_attr(PLAN, planner.next_plan(trial.study, trial.number))
        config = configure(trial, ctx)  # the study's sampler answers from the plan
        tctx = trial_context(ctx, trial.user_attrs[PLAN])
        record(trial.set_user_attr, trial_record(config, tctx))
        started = time.monotonic()

        def check_time(where: str) -> None:
            if trial_timeout is not None and time.monotonic() - started > trial_timeout:
                raise TrialTimeout(f"trial timeout: over --trial-timeout {trial_timeout:g} s, stopped {where}")

        def report(step: Step) -> None:  # to the study's pruner
            trial.report(step.value, step.step)
            if trial.should_prune():
                trial.set_user_attr("pruned_at", {"step": step.step, **step.where})
                if step.is_fold:  # index of the last finished (repeat, fold) pair
                    trial.set_user_attr("pruned_after_fold", step.where["fold_index"])
                raise optuna.TrialPruned(f"pruned at step {step.step} ({step.where})")

        reporter = TrialReporter(max_epochs, lambda attrs: record(trial.set_user_attr, attrs), report)

        def on_epoch(k: int, epoch: int, metrics: dict) -> None:
            reporter.on_epoch(k, epoch, metrics)
            check_time(f"in fold {k} after epoch {epoch}")

        def on_fold(index: int, row: dict) -> None:
            reporter.on_fold(index, row)
            check_time(f"after repeat {row['repeat']} fold {row['fold']}")

        try:
            record(trial.set_user_attr, pretrain_attrs(config, tctx))
            predictions.store_index(trial.study, tctx.split, tctx.cohort)
            result = evaluate(config, tctx, on_fold, on_epoch, reporter.on_predictions)
        except optuna.TrialPruned:
            raise
        except KeyboardInterrupt:
            trial.set_user_attr("fail_reason", "interrupted (Ctrl-C); queued to run again")
            raise
        except Exception as exc:
            trial.set_user_attr("fail_reason", one_line(f"{type(exc).__name__}: {exc}")[:500])
            raise
        if not math.isfinite(result["cv_auroc"]):
            trial.set_user_attr("fail_reason", "CV AUROC is not finite")
            raise RuntimeError("CV AUROC is not finite")
        return result["cv_auroc"]

    return objective


def worker_device(device: str, worker: int, n_gpus: int | None = None) -> str:
    """The device of worker ``worker``: plain ``cuda`` spreads workers round-robin over the visible
    GPUs (``CUDA_VISIBLE_DEVICES`` decides which those are), so several workers share each GPU;
    an explicit ``cuda:i`` or ``cpu`` is kept."""
    if device != "cuda":
        return device
    if n_gpus is None:
        import torch

        n_gpus = torch.cuda.device_count()
    return f"cuda:{worker % max(1, n_gpus)}"


def run_worker(ctx: SearchContext, storage, options: EngineOptions, quota: int, worker: int, threads: int,
               deadline: float | None) -> None:
    """Run trials in this process until the study holds ``options.trials`` finished (complete or
    pruned) trials in total, counted across every command on the storage (Optuna's
    ``MaxTrialsCallback``: concurrent commands overshoot by at most the trials in flight), this
    worker has finished ``quota``, or ``deadline`` passes."""
    import dataclasses

    import torch

    torch.set_num_threads(threads)
    ctx = dataclasses.replace(ctx, device=worker_device(ctx.device, worker))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = open_study(storage, options.study_name, ctx, pruner_for(options.pruner, ctx),
                       plan=plan_identity(options.plan))
    objective = objective_fn(ctx, options.trial_timeout, options.plan)
    current: list[int] = []  # the trial running now, for Ctrl-C

    def tracked(trial: optuna.Trial) -> float:
        current[:] = [trial.number]
        with Heartbeat(storage, study.study_name, trial.number):  # a dead worker's trial is found and retried
            return objective(trial)

    ran: list[optuna.trial.FrozenTrial] = []

    def own_quota(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        ran.append(trial)
        if sum(t.state in FINISHED for t in ran) >= quota:
            study.stop()

    def retry_stale(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        fail_stale_trials(study, storage)

    timeout = None if deadline is None else deadline - time.time()
    if timeout is not None and timeout <= 0:
        return
    fail_stale_trials(study, storage)  # before the first trial, then after each (as Optuna does for its RDB heartbeat)
    try:
        study.optimize(tracked, n_trials=quota * options.max_attempts_factor, timeout=timeout, catch=(Exception,),
                       callbacks=[MaxTrialsCallback(options.trials, states=FINISHED), own_quota, retry_stale],
                       gc_after_trial=True)
    except KeyboardInterrupt:
        _requeue_interrupted(study, current)
        raise


def _requeue_interrupted(study: optuna.Study, current: list[int]) -> None:
    """SIGINT: the interrupted trial was saved as FAIL; queue its parameters for the next run."""
    if not current:
        return
    trial = study.trials[current[0]]
    if trial.state == TrialState.FAIL and trial.params:
        study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number, PLAN: trial.user_attrs.get(PLAN)},
                            skip_if_exists=False)


def _worker_main(args) -> None:
    ctx, storage, options, quota, worker, threads, deadline = args
    try:
        run_worker(ctx, storage, options, quota, worker, threads, deadline)
    except KeyboardInterrupt:
        pass


def run(ctx: SearchContext, storage, options: EngineOptions) -> optuna.Study:
    """Run the study up to ``options.trials`` finished trials in total (resuming what is stored)."""
    study = open_study(storage, options.study_name, ctx, pruner_for(options.pruner, ctx),
                       plan=plan_identity(options.plan))
    deadline = time.time() + options.timeout if options.timeout else None
    cores = os.cpu_count() or 1
    workers = max(1, options.n_workers)
    threads = max(1, cores // workers)
    sampler_offset = 0
    if options.worker_trials is not None:  # one of several commands on one study: sample differently
        sampler_offset = 7919 * (os.getpid() % 100_000)
    with ProgressMonitor(study, options.trials):
        for _ in range(options.max_attempts_factor):  # rounds: stale trials from dead workers come back
            remaining = options.trials - finished(study)
            if options.worker_trials is not None:
                remaining = min(remaining, options.worker_trials)
            if remaining <= 0 or (deadline is not None and time.time() >= deadline):
                break
            quotas = [remaining // workers + (i < remaining % workers) for i in range(workers)]
            quotas = [q for q in quotas if q > 0]
            if len(quotas) == 1:
                run_worker(ctx, storage, options, quotas[0], sampler_offset, threads, deadline)
            else:
                with mp.get_context("spawn").Pool(len(quotas)) as pool:
                    pool.map(_worker_main, [(ctx, storage, options, q, sampler_offset + i, threads, deadline)
                                            for i, q in enumerate(quotas)])
            if finished(study) >= options.trials or options.worker_trials is not None:
                break
    return study


def plan_identity(plan: PlanSettings) -> dict:
    """The planner's settings that change what a trial draws: the random draws per family and the
    ablation's size. Not ``n_search``: it follows ``--trials``, and a study resumed with a larger
    ``--trials`` is the same study (its ablation simply starts later)."""
    out = dataclasses.asdict(plan)
    del out["n_search"]
    return out


def plan_settings(args, ctx: SearchContext) -> PlanSettings:
    """The planner's settings from the command line: ``--ablation-families 0`` turns the ablation
    off; ``--ablation-trials`` overrides its share of ``--trials``; ``--sampler random`` makes every
    search trial a random draw."""
    from benchmark.study.ablation import Settings
    from benchmark.engines.planner import split_trials

    ablation = (Settings(args.ablation_families, args.ablation_seeds, args.ablation_repeats)
                if args.ablation_families > 0 else None)
    if ablation is None:
        n_search = None
    elif args.ablation_trials is not None:
        n_search = max(0, args.trials - args.ablation_trials)
    else:
        n_search = split_trials(args.trials, ablation, ctx.budget, ctx.pretrain_choices)
    n_random = args.random_per_family if args.sampler == "tpe" else 10**9
    return PlanSettings(n_search=n_search, n_random=n_random, ablation=ablation)


@register_engine
class OptunaEngine(Engine):
    """The default engine (``--engine optuna``)."""

    name = "optuna"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--pruner", default="family", help="family (default: only against the trial's own family; "
                            "epoch steps from the budget's min_epochs against the family median at that step, fold steps "
                            "as a corrected paired race against the family's incumbent from the 3rd shared block), median, "
                            "wilcoxon, hyperband or none, over the epoch x (repeat, fold) steps; the one-sided Wilcoxon test "
                            "(p < %g) can prune only from %d steps on (its smallest p with n steps is 2**-n); anchors, "
                            "random draws and ablation cells are never pruned" % (WILCOXON_P, wilcoxon_min_steps()))
        parser.add_argument("--random-per-family", type=int, default=5, help="each family's first N search trials are "
                            "independent random draws, unpruned (the expected-maximum curves; default 5); then TPE within "
                            "the family")
        parser.add_argument("--ablation-families", type=int, default=3, help="the ablation stage after the search: the "
                            "best K deep families' centres, one factor varied at a time (default 3; 0 turns the stage off)")
        parser.add_argument("--ablation-seeds", type=int, default=2, help="extra training seeds of each centre (default 2)")
        parser.add_argument("--ablation-repeats", type=int, default=1, help="fold sets of the ablation's fresh partition "
                            "(default 1: K blocks a cell; each repeat adds K)")
        parser.add_argument("--ablation-trials", type=int, default=None, help="trials of --trials kept for the ablation "
                            "(default: the most cells it can need, benchmark.study.ablation.Settings.upper_bound, at most 30 %% "
                            "of --trials); cells it does not need go back to the search")
        parser.add_argument("--sampler", default="tpe", help="tpe (default) or random")
        parser.add_argument("--n-workers", type=int, default=1, help="worker processes on this machine (default 1)")
        parser.add_argument("--worker-trials", type=int, default=None,
                            help="this command runs at most this many trials (one of many workers on one database)")
        parser.add_argument("--timeout", type=float, default=None, help="stop starting trials after this many seconds")
        parser.add_argument("--trial-timeout", type=float, default=None,
                            help="wall-clock cap per trial in seconds, checked after every epoch and fold; a trial over "
                            "it is stored as FAIL with the reason (default: none)")

    def validate(self, args) -> None:
        from benchmark.engines.study import make_sampler
        from benchmark.options import check_positive

        super().validate(args)
        check_positive(args.timeout, "--timeout")
        make_pruner(args.pruner, 1)
        check_positive(args.trial_timeout, "--trial-timeout")
        make_sampler(args.seed, args.sampler)
        if args.worker_trials is not None and args.worker_trials < 1:
            raise ConfigError(f"--worker-trials must be at least 1, got {args.worker_trials}")
        if args.random_per_family < 0:
            raise ConfigError(f"--random-per-family must be at least 0, got {args.random_per_family}")
        if args.ablation_families < 0:
            raise ConfigError(f"--ablation-families must be at least 0, got {args.ablation_families}")
        if args.ablation_repeats < 1:
            raise ConfigError(f"--ablation-repeats must be at least 1, got {args.ablation_repeats}")
        if args.ablation_seeds < 0:
            raise ConfigError(f"--ablation-seeds must be at least 0, got {args.ablation_seeds}")
        if args.ablation_trials is not None and not 0 <= args.ablation_trials <= args.trials:
            raise ConfigError(f"--ablation-trials must be between 0 and --trials ({args.trials}), got {args.ablation_trials}")
        if args.n_workers < 1:
            raise ConfigError(f"--n-workers must be at least 1, got {args.n_workers}")

    def run(self, ctx: SearchContext, storage, args) -> optuna.Study:
        options = EngineOptions(args.trials, args.study, args.pruner, args.n_workers, args.timeout,
                                sampler=args.sampler, worker_trials=args.worker_trials, trial_timeout=args.trial_timeout,
                                plan=plan_settings(args, ctx))
        return run(ctx, storage, options)
