"""The Ray Tune engine: the same define-by-run space and objective under Ray Tune, for clusters
and GPUs. ``OptunaSearch`` is driven by :func:`benchmark.study.space.suggest_config` and writes into the
same Optuna storage as the default engine (so one leaderboard reads both); ``ASHAScheduler`` uses
the epoch x fold step of :mod:`benchmark.study.fidelity` as its fidelity. Re-running the command restores the experiment
(``Tuner.restore``) and continues up to ``--trials``.

Ray is an optional extra: ``pip install -e ".[ray]"``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from benchmark.trial import predictions
from benchmark.study.config import TrialConfig
from benchmark.engines.base import Engine, Step, TrialReporter, pretrain_attrs, record, register_engine
from benchmark.engines.study import FINISHED, make_sampler, open_study
from benchmark.errors import ConfigError, one_line
from benchmark.study.fidelity import max_resource
from benchmark.study.context import SearchContext, StudySpace, study_space
from benchmark.trial.objective import trial_record, evaluate

METRIC = "cv_auroc"
FIDELITY = "fidelity_step"  # benchmark.study.fidelity: epochs of fold 0, then one step per fold (1-based for Ray)
ATTRS = "bench"  # the report key under which a trial's attributes travel, as JSON text (benchmark.engines.base):
# Tune flattens nested results ("bench/folds"), and the only function that undoes it is a private one of Ray's
CONFIG = "bench_config"  # the configuration the space made, handed to the trainable (Ray reserves "config")
NUMBER = "bench_trial"  # the Optuna trial's number, beside the configuration: the searcher tells that trial


@dataclass
class RayOptions:
    trials: int
    study_name: str
    results_dir: Path
    address: str | None = None
    cpus_per_trial: float = 1.0
    gpus_per_trial: float = 0.0
    max_concurrent: int | None = None


def _ray():
    try:
        import ray
        from ray import tune
    except ImportError as exc:
        raise ConfigError("--engine ray needs Ray Tune: pip install -e '.[ray]'") from exc
    return ray, tune


def start_ray(options: RayOptions):
    """Join ``--address`` or start a local Ray sized to this machine; check requested GPUs exist."""
    ray, _ = _ray()
    if options.cpus_per_trial <= 0:
        raise ConfigError(f"--cpus-per-trial must be positive, got {options.cpus_per_trial}")
    if options.gpus_per_trial < 0:
        raise ConfigError(f"--gpus-per-trial must be >= 0, got {options.gpus_per_trial}")
    os.environ.setdefault("TUNE_GLOBAL_CHECKPOINT_S", "2")  # experiment state saved often: kill-safe resume
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    if options.address and options.address != "auto":
        _check_reachable(options.address)
    try:
        if options.address:
            ray.init(address=options.address, logging_level="ERROR", log_to_driver=False)
        else:
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    except Exception as exc:  # ConnectionError, RuntimeError, ValueError from ray.init
        where = options.address or "a local Ray"
        raise ConfigError(f"--address {where}: cannot connect to Ray ({type(exc).__name__}: "
                          f"{one_line(exc)[:200]})") from exc
    gpus = ray.cluster_resources().get("GPU", 0)
    if options.gpus_per_trial > 0 and gpus == 0:
        ray.shutdown()
        raise ConfigError(f"--gpus-per-trial {options.gpus_per_trial}: the Ray cluster has no GPU")
    return ray


@dataclass
class SpaceFunction:
    """The joint space as Ray's define-by-run function: it hands the configuration it made to the
    trainable as a constant, so nothing samples it twice, with the number of the Optuna trial that
    holds it."""

    space: StudySpace

    def __call__(self, trial) -> dict:
        return {CONFIG: self.space(trial).to_dict(), NUMBER: trial.number}


def _searcher_class():
    import optuna
    from optuna.trial import TrialState
    from ray.tune.search.optuna import OptunaSearch

    from benchmark.engines.storage import trial_id as storage_trial_id

    class BenchOptunaSearch(OptunaSearch):
        """Ray's Optuna searcher, through its public methods: it asks Optuna for each trial (the
        space function puts the trial's number in the configuration) and, when Ray reports the
        trial complete, stores its fold metrics and configuration on that Optuna trial and tells it
        itself, recording a trial stopped by the scheduler before its last fold as PRUNED (counted,
        never ranked)."""

        def __init__(self, *, study_name: str, storage, sampler, n_fold_evaluations: int, **kwargs):
            super().__init__(study_name=study_name, storage=storage, sampler=sampler, **kwargs)
            self.bench_storage = storage
            self.bench_study = optuna.load_study(study_name=study_name, storage=storage, sampler=sampler,
                                                 pruner=optuna.pruners.NopPruner())
            self.n_fold_evaluations = n_fold_evaluations  # (repeat, fold) pairs of a complete trial
            self.numbers: dict[str, int] = {}  # Ray trial id -> Optuna trial number
            self.told: set[str] = set()

        def suggest(self, trial_id: str):
            config = super().suggest(trial_id)
            if isinstance(config, dict) and NUMBER in config:
                self.numbers[trial_id] = config[NUMBER]
            return config

        def on_trial_result(self, trial_id: str, result: dict) -> None:
            if trial_id not in self.told:
                super().on_trial_result(trial_id, result)

        def on_trial_complete(self, trial_id, result=None, error=False):
            if trial_id in self.told or trial_id not in self.numbers:
                return
            number = self.numbers[trial_id]
            study = self.bench_study
            storage_id = storage_trial_id(self.bench_storage, study.study_name, number)
            attrs = json.loads((result or {}).get(ATTRS) or "{}")
            record(lambda key, value: self.bench_storage.set_trial_user_attr(storage_id, key, value), attrs)
            done = len(attrs.get("folds") or [])  # folds finished (fold 0's epochs finish none)
            if error:
                self.bench_storage.set_trial_user_attr(storage_id, "fail_reason",
                                                       result.get("fail_reason", "the Ray trial raised"))
                study.tell(number, state=TrialState.FAIL)
            elif done < self.n_fold_evaluations:
                self.bench_storage.set_trial_user_attr(storage_id, "pruned_after_fold", done - 1)
                study.tell(number, state=TrialState.PRUNED)
            else:
                study.tell(number, result[METRIC])
            self.told.add(trial_id)

    return BenchOptunaSearch


def _check_reachable(address: str, timeout: float = 3.0) -> None:
    """Fail in seconds, not minutes, when nothing answers at a Ray head's ``host:port``."""
    import socket

    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--address {address}: expected host:port (e.g. 10.0.0.5:6379) or auto")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ConfigError(f"--address {address}: cannot connect to Ray ({exc.strerror or exc})") from exc


def make_searcher(ctx: SearchContext, storage, study_name: str):
    return _searcher_class()(space=SpaceFunction(study_space(ctx)), metric=METRIC, mode="max",
                             sampler=make_sampler(ctx.seed), study_name=study_name, storage=storage,
                             n_fold_evaluations=ctx.split.n_folds * ctx.split.repeats)


def trainable(params: dict, ctx: SearchContext, threads: int = 1) -> None:
    """One Ray trial: cross-validate the configuration the space made, reporting the trial's
    attributes (:mod:`benchmark.engines.base`) after every epoch of fold 0 and every (repeat, fold)
    step (the scheduler's fidelity)."""
    import torch
    from ray import tune

    torch.set_num_threads(max(1, threads))
    if ctx.device.startswith("cuda"):  # Ray sets CUDA_VISIBLE_DEVICES to this trial's GPU(s)
        ctx.device = "cuda:0"
    config = TrialConfig.from_dict(params[CONFIG])
    attrs = trial_record(config, ctx) | pretrain_attrs(config, ctx)  # stored by the searcher when the trial ends

    def report(step: Step) -> None:  # to ASHA, which may stop the trial (inside fold 0 too)
        metrics = {METRIC: step.cv_auroc, "fold_auroc": step.value} if step.is_fold else {METRIC: step.value}
        tune.report({**metrics, FIDELITY: step.step + 1, ATTRS: json.dumps(attrs)})

    reporter = TrialReporter(ctx.budget.max_epochs, attrs.update, report)
    evaluate(config, ctx, on_fold=reporter.on_fold, on_epoch=reporter.on_epoch, on_predictions=reporter.on_predictions)


def run(ctx: SearchContext, storage, options: RayOptions):
    """Run (or restore) the Ray Tune experiment up to ``options.trials`` trials."""
    ray = start_ray(options)
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search import ConcurrencyLimiter

    try:
        study = open_study(storage, options.study_name, ctx)
        predictions.store_index(study, ctx.split, ctx.cohort)
        searcher = make_searcher(ctx, storage, options.study_name)
        if options.max_concurrent:
            searcher = ConcurrencyLimiter(searcher, max_concurrent=options.max_concurrent)
        scheduler = ASHAScheduler(time_attr=FIDELITY, metric=METRIC, mode="max",
                                  max_t=max_resource(ctx.split.n_folds * ctx.split.repeats, ctx.budget.max_epochs),
                                  grace_period=2, reduction_factor=2)
        fn = tune.with_resources(tune.with_parameters(trainable, ctx=ctx, threads=int(max(1, options.cpus_per_trial))),
                                 {"cpu": options.cpus_per_trial, "gpu": options.gpus_per_trial})
        storage_path = (Path(options.results_dir) / ctx.task / "ray").resolve()
        runs = sorted(storage_path.glob(f"{options.study_name}-run*"), key=lambda p: int(p.name.rsplit("run", 1)[1]))
        if runs and tune.Tuner.can_restore(str(runs[-1])):  # an interrupted experiment: finish it first
            tune.Tuner.restore(str(runs[-1]), fn, resume_unfinished=True, resume_errored=True).fit()
        remaining = options.trials - len(study.get_trials(deepcopy=False, states=FINISHED))
        if remaining > 0:  # then a new experiment on the same Optuna study for the rest
            name = f"{options.study_name}-run{len(runs)}"
            tune.Tuner(fn, tune_config=tune.TuneConfig(search_alg=searcher, scheduler=scheduler, num_samples=remaining),
                       run_config=tune.RunConfig(name=name, storage_path=str(storage_path), verbose=0,
                                                 failure_config=tune.FailureConfig(max_failures=0))).fit()
        return study
    finally:
        ray.shutdown()


@register_engine
class RayEngine(Engine):
    """``--engine ray``: Ray Tune with ASHA, for clusters and GPUs."""

    name = "ray"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--address", default=None, help="join this Ray cluster (default: a local one)")
        parser.add_argument("--cpus-per-trial", type=float, default=1.0, help="CPUs per trial (default 1)")
        parser.add_argument("--gpus-per-trial", type=float, default=0.0, help="GPUs per trial, fractions allowed (default 0)")
        parser.add_argument("--max-concurrent", type=int, default=None, help="trials at once (default: as resources allow)")

    def validate(self, args) -> None:
        super().validate(args)  # refuses the options Ray would ignore (--pruner, --sampler, --n-workers, ...)
        _ray()
        if args.gpus_per_trial < 0 or args.cpus_per_trial <= 0:
            raise ConfigError("--cpus-per-trial must be positive and --gpus-per-trial >= 0")

    def run(self, ctx: SearchContext, storage, args):
        return run(ctx, storage, RayOptions(args.trials, args.study, Path(args.results_dir), args.address,
                                            args.cpus_per_trial, args.gpus_per_trial, args.max_concurrent))
