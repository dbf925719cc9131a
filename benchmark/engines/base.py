"""The engine contract, the engine registry, its options, and the one place a trial's results are
recorded and reported.

An engine runs the study's trials: it samples each configuration with
:func:`benchmark.trial.objective.configure`, cross-validates it with :func:`benchmark.trial.objective.evaluate`
(reporting the epoch x fold fidelity of :mod:`benchmark.study.fidelity` to its pruner or scheduler through
a :class:`TrialReporter`) and stores what :func:`benchmark.trial.objective.trial_record`,
:func:`pretrain_attrs` and the reporter give on the Optuna trial, so that the leaderboard,
``finalize`` and ``reproduce`` read every engine's trials the same way.

Contract (like Optuna's ``BaseSampler``): a subclass sets ``name`` and implements

- ``add_arguments(parser)`` (optional): the options only this engine reads, with
  ``parser.add_argument`` (``python -m benchmark.search --help`` lists them under ``--engine NAME``;
  an option two engines declare is added once, with the first one's help);
- ``validate(args)`` (optional; call ``super().validate(args)`` first): check its options before any
  data is read. The base refuses, in one line, an option of another engine that the command line
  gave and this engine does not declare, since it would be silently ignored; defaults are never
  refused;
- ``run(ctx, storage, args) -> optuna.Study``: run the study ``args.study`` on ``storage`` until it
  holds ``args.trials`` finished (complete or pruned) trials, resuming what is stored; open it with
  :func:`benchmark.engines.study.open_study` (the identity check); a trial it stops early is
  stored PRUNED with the folds it finished, a trial that raises is stored FAIL with
  ``fail_reason``. ``KeyboardInterrupt`` may propagate: finished trials must already be stored.

Register with ``@register_engine``; ``python -m benchmark.search --engine NAME`` picks it
(:mod:`benchmark.search` imports the shipped engines, which registers them).
"""

from __future__ import annotations

import argparse
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, Iterable

from benchmark.trial import predictions
from benchmark.errors import ConfigError
from benchmark.study.fidelity import epoch_step, fold_step
from benchmark.trial.objective import pretrain_spec, summarize
from benchmark.registry import Registry

_ENGINES: Registry[type["Engine"]] = Registry("--engine", list_known=True)
GIVEN = "given_options"  # the parsed namespace's set of options (dests) the command line gave


class Engine(ABC):
    name: str = ""

    def add_arguments(self, parser) -> None:
        """Add the options only this engine reads, with ``parser.add_argument``."""

    def validate(self, args: argparse.Namespace) -> None:
        """Check this engine's options and that it can run here, before any data is read (raise
        :class:`~benchmark.errors.ConfigError`, one line). The base refuses another engine's option
        that the command line gave (``args.given_options``) and this engine does not declare."""
        given = getattr(args, GIVEN, frozenset())
        mine = engine_options(self)
        for other in list_engines():
            if other == self.name:
                continue
            for dest, flag in engine_options(get_engine(other)).items():
                if dest in given and dest not in mine:
                    raise ConfigError(f"--engine {self.name} ignores {flag} (an option of --engine {other}); leave it out")

    @abstractmethod
    def run(self, ctx, storage, args: argparse.Namespace):
        """Run the study to ``args.trials`` finished trials; return the ``optuna.Study``."""


def register_engine(cls: type[Engine]) -> type[Engine]:
    return _ENGINES.register(cls.name, cls)


def list_engines() -> list[str]:
    return sorted(_ENGINES.names())


def get_engine(name: str) -> Engine:
    return _ENGINES.get(name)()


# ------------------------------------------------------------------------------ engine options
class DeclaredOptions:
    """What :meth:`Engine.add_arguments` is given: ``add_argument`` of ``target`` (a parser or an
    argument group), recording each option it adds; one whose flag is in ``taken`` (declared by an
    earlier engine) is not added again."""

    def __init__(self, target, taken: Iterable[str] = ()):
        self.target, self.taken = target, set(taken)
        self.actions: list[argparse.Action] = []

    def add_argument(self, *flags: str, **kwargs) -> argparse.Action | None:
        if self.taken.intersection(flags):
            return None
        action = self.target.add_argument(*flags, **kwargs)
        self.actions.append(action)
        return action


def engine_options(engine: Engine) -> dict[str, str]:
    """The options ``engine`` declares: ``{dest: flag}``."""
    declared = DeclaredOptions(argparse.ArgumentParser(add_help=False))
    engine.add_arguments(declared)
    return {action.dest: action.option_strings[0] for action in declared.actions}


def add_engine_arguments(parser: argparse.ArgumentParser) -> set[str]:
    """Every registered engine's options, in one argument group per engine; their dests."""
    taken: set[str] = set()
    dests: set[str] = set()
    for name in list_engines():
        declared = DeclaredOptions(parser.add_argument_group(f"options of --engine {name}"), taken)
        get_engine(name).add_arguments(declared)
        for action in declared.actions:
            taken.update(action.option_strings)
            dests.add(action.dest)
    return dests


def given_options(parser: argparse.ArgumentParser, argv: list[str] | None, dests: Iterable[str]) -> frozenset[str]:
    """Which of ``dests`` the command line ``argv`` sets (given with its default value counts as
    given): ``argv`` parsed again into a namespace where each of them starts unset, since argparse
    fills in a default only for an attribute the namespace does not have yet."""
    unset = object()
    dests = list(dests)
    probe = argparse.Namespace(**{dest: unset for dest in dests})
    argparse.ArgumentParser.parse_known_args(parser, argv, probe)
    return frozenset(dest for dest in dests if getattr(probe, dest) is not unset)


# ------------------------------------------------------------------------------ what a trial stores
def pretrain_attrs(config, ctx) -> dict:
    """The key of the pretrained backbone a trial starts from (None: none), stored before it trains;
    finding it may load the pretraining pool, so it comes after
    :func:`benchmark.trial.objective.trial_record`."""
    spec = pretrain_spec(config, ctx)
    return {"pretrain_key": spec.key() if spec else None}


def fold_attrs(summary: dict) -> dict:
    """Attributes stored after each finished (repeat, fold): the fold rows so far and their running
    summary (:func:`benchmark.trial.objective.summarize`: cost, warnings); after the last fold they are
    the trial's result. The CV AUROC itself is the trial's value, not an attribute."""
    out = {k: v for k, v in summary.items() if k != "cv_auroc"}
    out["folds"] = list(out["folds"])
    if not out["warnings"]:
        del out["warnings"]
    return out


def record(set_user_attr, attrs: dict) -> None:
    """Store ``attrs`` on a trial (``trial.set_user_attr`` of Optuna, live or through Ray's searcher)."""
    for key, value in attrs.items():
        set_user_attr(key, value)


# ------------------------------------------------------------------------------ reporting a running trial
@dataclass(frozen=True)
class Step:
    """One report of a running trial at a step of :mod:`benchmark.study.fidelity`."""

    step: int  # 0-based
    value: float  # epoch step: fold 0's inner-validation AUROC after that epoch; fold step: the fold's held-out AUROC
    where: dict = field(default_factory=dict)  # {"fold", "epoch"} or {"repeat", "fold", "fold_index"}
    cv_auroc: float | None = None  # fold step: the mean AUROC of the folds finished so far

    @property
    def is_fold(self) -> bool:
        return self.cv_auroc is not None


class TrialReporter:
    """The one place a running trial's progress becomes reports and stored attributes, for every
    engine; its :meth:`on_epoch`, :meth:`on_fold` and :meth:`on_predictions` are the callbacks of
    :func:`benchmark.trial.objective.evaluate`.

    - after an epoch of fold 0 with a finite inner-validation AUROC: ``report`` a :class:`Step` at
      its epoch step;
    - after each (repeat, fold): ``store`` :func:`fold_attrs` (the fold rows so far and their
      summary), then ``report`` a :class:`Step` at its fold step;
    - each fold's held-out probabilities: ``store`` them under :func:`benchmark.trial.predictions.key`.

    ``store(attrs)`` keeps attributes on the trial; ``report(step)`` tells the engine's pruner or
    scheduler and may raise to stop the trial."""

    def __init__(self, max_epochs: int, store: Callable[[dict], None], report: Callable[[Step], None]):
        self.max_epochs, self.store, self.report = max_epochs, store, report
        self.folds: list[dict] = []

    def on_epoch(self, k: int, epoch: int, metrics: dict) -> None:
        step = epoch_step(k, epoch, self.max_epochs)
        value = metrics.get("val_auroc", math.nan)
        if step is not None and math.isfinite(value):
            self.report(Step(step, float(value), {"fold": k, "epoch": epoch}))

    def on_fold(self, index: int, row: dict) -> None:  # index: the (repeat, fold) pair's place, repeat-major
        self.folds.append(row)
        summary = summarize(self.folds)
        self.store(fold_attrs(summary))
        self.report(Step(fold_step(index, self.max_epochs), float(row["auroc"]),
                         {"repeat": row["repeat"], "fold": row["fold"], "fold_index": index}, summary["cv_auroc"]))

    def on_predictions(self, repeat: int, k: int, p) -> None:
        self.store({predictions.key(repeat, k): predictions.encode(p)})
