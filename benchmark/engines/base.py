"""The engine contract, the engine registry, and the one place a trial's results are recorded.

An engine runs the study's trials: it samples each configuration with
:func:`benchmark.objective.configure`, cross-validates it with :func:`benchmark.objective.evaluate`
(reporting the epoch x fold fidelity of :mod:`benchmark.fidelity` to its pruner or scheduler) and
stores what :func:`benchmark.objective.trial_record`, :func:`pretrain_attrs` and :func:`fold_attrs` give on the Optuna trial, so that the
leaderboard, ``finalize`` and ``reproduce`` read every engine's trials the same way.

Contract (like Optuna's ``BaseSampler``): a subclass sets ``name`` and implements

- ``validate(args)`` (optional): check its options before any data is read;
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
from abc import ABC, abstractmethod

from benchmark.registry import Registry
from benchmark.objective import pretrain_spec

_ENGINES: Registry[type["Engine"]] = Registry("--engine", list_known=True)


class Engine(ABC):
    name: str = ""

    def validate(self, args: argparse.Namespace) -> None:
        """Check this engine's options and that it can run here, before any data is read (raise
        :class:`~benchmark.errors.ConfigError`, one line)."""

    @abstractmethod
    def run(self, ctx, storage, args: argparse.Namespace):
        """Run the study to ``args.trials`` finished trials; return the ``optuna.Study``."""


def register_engine(cls: type[Engine]) -> type[Engine]:
    return _ENGINES.register(cls.name, cls)


def list_engines() -> list[str]:
    return sorted(_ENGINES.names())


def get_engine(name: str) -> Engine:
    return _ENGINES.get(name)()


# ------------------------------------------------------------------------------ what a trial stores
def pretrain_attrs(config, ctx) -> dict:
    """The key of the pretrained backbone a trial starts from (None: none), stored before it trains;
    finding it may load the pretraining pool, so it comes after
    :func:`benchmark.objective.trial_record`."""
    spec = pretrain_spec(config, ctx)
    return {"pretrain_key": spec.key() if spec else None}


def fold_attrs(summary: dict) -> dict:
    """Attributes stored after each finished (repeat, fold): the fold rows so far and their running
    summary (:func:`benchmark.objective.summarize`: cost, warnings); after the last fold they are
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
