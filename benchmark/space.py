"""The joint, conditional, define-by-run search space, assembled from ``search_spaces/``.

A space file registers the models of one family and the parameters the search varies for them::

    @register_space("resnet1d", models=["resnet1d18", "resnet1d34", "resnet1d50"])
    def space(trial, model):
        return {"width": trial.suggest_categorical("width", [16, 32, 64])}

Space files are found by scanning the ``search_spaces`` package and the entry-point group
``ecg_automl_bench.search_spaces`` (other packages). Each is dry-run when loaded: an unknown model
parameter, an empty choice, ``low > high`` or a name used twice fails with one line naming the file
and the parameter. Parameter names are prefixed with the family (``resnet1d.width``) so families
never collide; the shared factors (crop, filter, normalization, pretraining, freezing, recipe) are
asked by :func:`suggest_config`. Entries are kept by family in a :class:`benchmark.registry.Registry`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Callable

from benchmark.config import RANDOM_FROZEN, TrialConfig
from benchmark.errors import ConfigError
from benchmark.registry import Registry, did_you_mean
from benchmark.training.loop import Recipe

ENTRY_POINT_GROUP = "ecg_automl_bench.search_spaces"
SHARED = ("model", "crop_seconds", "filter", "normalization", "pretrain", "freeze_depth", "lr", "weight_decay",
          "batch_size", "loss", "focal_gamma", "epochs")


@dataclass(frozen=True)
class SpaceEntry:
    family: str
    models: tuple[str, ...]
    kind: str  # "deep" | "baseline"
    fn: Callable[[Any, str], dict]
    file: str


_SPACES: Registry[SpaceEntry] = Registry("search space", list_known=True)  # by family, in load order
_LOADED = False


def register_space(family: str, models: list[str], kind: str = "deep"):
    """Decorator for ``fn(trial, model) -> dict`` of builder keyword arguments.

    A model belongs to one family and a family to one space file; anything else is an error (the
    same file registering its family again, when re-imported, replaces the entry)."""

    def wrap(fn: Callable) -> Callable:
        file = inspect.getsourcefile(fn) or fn.__module__
        if kind not in ("deep", "baseline"):
            raise ConfigError(f"{file}: kind must be 'deep' or 'baseline', got {kind!r}")
        if not models:
            raise ConfigError(f"{file}: space {family!r} lists no models")
        if family in _SPACES and _SPACES.get(family).file != file:
            raise ConfigError(f"{file}: space name {family!r} used twice (also in {_SPACES.get(family).file})")
        for other in _SPACES.values():
            shared = set(models) & set(other.models)
            if shared and other.family != family:
                raise ConfigError(f"{file}: model {sorted(shared)[0]!r} used twice (also in {other.file})")
        _SPACES.register(family, SpaceEntry(family, tuple(models), kind, fn, file))
        return fn

    return wrap


# ------------------------------------------------------------------------------ validation
class _CheckingTrial:
    """Stands in for an Optuna trial during the load-time dry run; returns the first/low value."""

    def __init__(self, file: str):
        self.file = file
        self.names: set[str] = set()
        self.params: dict[str, Any] = {}

    def _name(self, name: str) -> None:
        if name in self.names:
            raise ConfigError(f"{self.file}: parameter {name!r} used twice")
        if name in SHARED:
            raise ConfigError(f"{self.file}: parameter {name!r} is a shared factor; the search asks it itself")
        self.names.add(name)

    def suggest_categorical(self, name: str, choices):
        self._name(name)
        if not list(choices):
            raise ConfigError(f"{self.file}: parameter {name!r} has an empty choice list")
        self.params[name] = list(choices)[0]
        return self.params[name]

    def _range(self, name: str, low, high, step=None, log=False):
        self._name(name)
        if low > high:
            raise ConfigError(f"{self.file}: parameter {name!r} has low {low} > high {high}")
        if log and low <= 0:
            raise ConfigError(f"{self.file}: parameter {name!r} is log-scaled but low {low} <= 0")
        self.params[name] = low
        return low

    def suggest_int(self, name: str, low: int, high: int, step: int = 1, log: bool = False) -> int:
        return self._range(name, low, high, step, log)

    def suggest_float(self, name: str, low: float, high: float, step: float | None = None, log: bool = False) -> float:
        return self._range(name, low, high, step, log)


def check_space(entry: SpaceEntry) -> None:
    """Dry-run ``entry`` for each of its models; raise one line naming the file and parameter."""
    from benchmark.baselines import baseline_params, list_baselines
    from benchmark.models import is_model, model_params

    for model in entry.models:
        if entry.kind == "deep" and not is_model(model):
            raise ConfigError(f"{entry.file}: model {model!r} is not registered (decorate its builder with @register_model)")
        if entry.kind == "baseline" and model not in list_baselines():
            raise ConfigError(f"{entry.file}: baseline {model!r} is not registered")
        trial = _CheckingTrial(entry.file)
        try:
            params = entry.fn(trial, model)
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(f"{entry.file}: space raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(params, dict):
            raise ConfigError(f"{entry.file}: space must return a dict of {model} arguments")
        accepted = model_params(model) if entry.kind == "deep" else baseline_params(model)
        for key in params:
            if key not in accepted or key in ("n_classes", "in_leads", "fs", "seed", "n_jobs", "normalization", "device"):
                raise ConfigError(f"{entry.file}: parameter {key!r} is not an argument of {model} "
                                  f"(it takes {', '.join(k for k in accepted if k not in ('n_classes', 'in_leads'))})")


# ------------------------------------------------------------------------------ discovery
def load_spaces(reload: bool = False) -> dict[str, SpaceEntry]:
    """Import every space module (package scan + entry points) once and validate each entry;
    returns a copy of the registry, family -> entry in load order."""
    global _LOADED
    if _LOADED and not reload:
        return dict(_SPACES.items())
    import search_spaces

    for info in pkgutil.iter_modules(search_spaces.__path__, "search_spaces."):
        _import(info.name)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(f"entry point {ep.name} ({ep.value}): cannot load ({type(exc).__name__}: {exc})") from exc
    for entry in _SPACES.values():
        check_space(entry)
    _LOADED = True
    return dict(_SPACES.items())


def _import(module: str) -> None:
    try:
        if module in sys.modules:
            return
        importlib.import_module(module)
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(f"{module}: cannot import space file ({type(exc).__name__}: {exc})") from exc


def space_for(model: str) -> SpaceEntry:
    """The space that lists ``model``; a typo is one line with a "did you mean"."""
    for entry in load_spaces().values():
        if model in entry.models:
            return entry
    raise ConfigError(f"model {model!r} has no registered search space{did_you_mean(model, all_models())}")


def all_models(kind: str | None = None) -> list[str]:
    return sorted(m for e in load_spaces().values() if kind in (None, e.kind) for m in e.models)


# ------------------------------------------------------------------------------ the joint space
class _Prefixed:
    """A trial view that namespaces a family's parameters (``family.name``) and applies the cost
    ceiling's limits (:class:`benchmark.ceiling.FamilyLimits`): shorter choice lists, lower tops."""

    def __init__(self, trial, prefix: str, limits=None):
        self._trial, self._prefix = trial, prefix
        self._categorical = limits.categorical if limits else {}
        self._high = limits.numeric_high if limits else {}

    def suggest_categorical(self, name, choices):
        if name in self._categorical:
            choices = [c for c in choices if c in self._categorical[name]]
        return self._trial.suggest_categorical(f"{self._prefix}.{name}", choices)

    def suggest_int(self, name, low, high, step=1, log=False):
        high = min(high, self._high.get(name, high))
        return self._trial.suggest_int(f"{self._prefix}.{name}", low, high, step=step, log=log)

    def suggest_float(self, name, low, high, step=None, log=False):
        high = min(high, self._high.get(name, high))
        return self._trial.suggest_float(f"{self._prefix}.{name}", low, high, step=step, log=log)


@functools.lru_cache(maxsize=256)
def stage_count(model: str, kwargs: tuple) -> int:
    """Stages of ``model`` built with ``kwargs`` (built once per distinct configuration; the spaces
    are loaded first, so that a plugin's model is registered)."""
    from benchmark.models import create_model

    load_spaces()
    return create_model(model, **dict(kwargs)).n_stages


def searchable_models(models: list[str] | None, budget, ceiling=None) -> list[str]:
    """The model categorical: ``models`` (default: every registered space) less the budget's
    exclusions and the deep models its cost ceiling removes."""
    models = [m for m in (models or all_models()) if m not in budget.excluded_models]
    return models if ceiling is None else ceiling.models(models)


def suggest_config(trial, budget, pretrain_choices: list[str], models: list[str] | None = None,
                   ceiling=None, threshold_from: str = "inner", eval_crops: str = "cover") -> TrialConfig:
    """One configuration of the joint space (define-by-run: conditional on the model), with the
    study's fit protocol (``threshold_from``, and ``eval_crops`` for deep models).

    ``ceiling`` (a :class:`benchmark.ceiling.CostCeiling`) removes what the budget cannot afford
    before anything is drawn: models, architecture choices and the top of the epochs range."""
    model = trial.suggest_categorical("model", searchable_models(models, budget, ceiling))
    entry = space_for(model)
    limits = ceiling.family(entry.family) if ceiling is not None and entry.kind == "deep" else None
    model_kwargs = entry.fn(_Prefixed(trial, entry.family, limits), model)
    normalization = trial.suggest_categorical("normalization", list(budget.normalizations))
    if entry.kind == "baseline":
        return TrialConfig(model, entry.family, entry.kind, {**budget.baseline_overrides.get(model, {}), **model_kwargs},
                           normalization, threshold_from=threshold_from)
    crop_seconds = trial.suggest_categorical("crop_seconds", list(budget.crops))
    filter_ = trial.suggest_categorical("filter", list(budget.filters))
    pretrain = trial.suggest_categorical("pretrain", list(pretrain_choices))
    freeze_depth = freeze_fraction = None  # "none": no encoder to freeze
    if pretrain != "none":
        n_stages = stage_count(model, tuple(sorted(model_kwargs.items())))
        # the random_frozen control freezes at least one stage (depth 0 would be "none" again)
        freeze_depth = trial.suggest_int("freeze_depth", 1 if pretrain == RANDOM_FROZEN else 0, n_stages)
        freeze_fraction = freeze_depth / n_stages
    recipe = {"lr": trial.suggest_float("lr", 1e-4, 1e-2, log=True),
              "weight_decay": trial.suggest_float("weight_decay", 1e-5, 1e-1, log=True),
              "batch_size": trial.suggest_categorical("batch_size", list(budget.batch_sizes)),
              "loss": trial.suggest_categorical("loss", ["bce", "focal"])}
    recipe["focal_gamma"] = trial.suggest_float("focal_gamma", 0.5, 4.0) if recipe["loss"] == "focal" else 2.0
    high = budget.max_epochs
    if ceiling is not None:
        high = ceiling.max_epochs(model, model_kwargs, crop_seconds, high)
    recipe["epochs"] = trial.suggest_int("epochs", budget.min_epochs, high)
    return TrialConfig(model, entry.family, entry.kind, model_kwargs, normalization, crop_seconds, filter_, pretrain,
                       freeze_depth, freeze_fraction, Recipe(**recipe, patience=budget.patience), eval_crops,
                       threshold_from)
