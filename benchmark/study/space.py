"""The joint, conditional, define-by-run search space, assembled from ``benchmark/study/spaces/``.

A space file registers the models of one family and the parameters the search varies for them::

    @register_space(models=["resnet1d18", "resnet1d34", "resnet1d50"])
    def space(trial, model):
        return {"width": trial.suggest_categorical("width", [16, 32, 64])}

The family is the one its models were registered with (``@register_model(family=...)``): a deep
space may name it (``register_space("resnet1d", models=...)``), and it must then agree; a baseline
space names its family (baselines have no other). Space files are found by scanning the
``benchmark.study.spaces`` package and through the plugins (:mod:`benchmark.plugins`: other packages). Each
is dry-run when loaded: an unknown model parameter, an empty choice, ``low > high``, a name used
twice or a reserved name fails with one line naming the file and the parameter. Parameter names
are prefixed with the family (``resnet1d.width``) so families never collide; the shared factors
(crop, filter, normalization, pretraining, freezing, recipe) are asked by :func:`suggest_config`.
Entries are kept by family in a :class:`benchmark.registry.Registry`.

Reserved names (defined once, here):

- :data:`SHARED`: the parameter names :func:`suggest_config` asks itself (the model choice and the
  shared factors). A space function must not suggest them.
- :data:`RESERVED_ARGUMENTS`: builder or baseline arguments the study sets itself (``n_classes``
  and ``in_leads`` from the task, ``fs`` from the cohort, ``seed``, ``device`` and ``n_jobs``
  from the run, ``normalization``, a shared factor). A space function must not return them.

What the budget cannot run is removed before anything is drawn: the budget's excluded models,
the deep models whose ``min_length`` (``@register_model``) is longer than the budget's shortest
crop at the cohort's sampling rate (:func:`fits_crops`), and what the cost ceiling removes
(:mod:`benchmark.study.ceiling`).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import sys
from dataclasses import dataclass
from typing import Any, Callable

from benchmark.study.config import FACTORS, RANDOM_FROZEN, TrialConfig, freezable
from benchmark.errors import ConfigError
from benchmark.registry import Registry, did_you_mean
from benchmark.training.loop import Recipe

SHARED = ("model", "crop_seconds", "filter", "normalization", "pretrain", "freeze_depth", "lr", "weight_decay",
          "batch_size", "loss", "focal_gamma", "epochs")
RESERVED_ARGUMENTS = ("n_classes", "in_leads", "fs", "seed", "n_jobs", "normalization", "device")


@dataclass(frozen=True)
class SpaceEntry:
    family: str
    models: tuple[str, ...]
    kind: str  # "deep" | "baseline"
    fn: Callable[[Any, str], dict]
    file: str


_SPACES: Registry[SpaceEntry] = Registry("search space", list_known=True)  # by family, in load order
_LOADED = False


def register_space(family: str | None = None, models: list[str] | None = None, kind: str = "deep"):
    """Decorator for ``fn(trial, model) -> dict`` of builder keyword arguments.

    ``family``: for a deep space, the family its models were registered with (left out, it is
    taken from them; given, it must agree, which :func:`check_space` checks); for a baseline
    space, the family's name. A model belongs to one family and a family to one space file;
    anything else is an error (the same file registering its family again, when re-imported,
    replaces the entry)."""

    def wrap(fn: Callable) -> Callable:
        file = inspect.getsourcefile(fn) or fn.__module__
        if not fn.__module__.startswith("benchmark.study.spaces."):
            import_builtin_spaces()  # a plugin's family comes after the built-in ones
        if kind not in ("deep", "baseline"):
            raise ConfigError(f"{file}: kind must be 'deep' or 'baseline', got {kind!r}")
        if not models:
            raise ConfigError(f"{file}: space {family!r} lists no models")
        name = family if family is not None else _family_of(models, kind, file)
        if name in _SPACES and _SPACES.get(name).file != file:
            raise ConfigError(f"{file}: space name {name!r} used twice (also in {_SPACES.get(name).file})")
        for other in _SPACES.values():
            shared = set(models) & set(other.models)
            if shared and other.family != name:
                raise ConfigError(f"{file}: model {sorted(shared)[0]!r} used twice (also in {other.file})")
        _SPACES.register(name, SpaceEntry(name, tuple(models), kind, fn, file))
        return fn

    return wrap


def _family_of(models: list[str], kind: str, file: str) -> str:
    """The one family the deep ``models`` were registered with (a baseline space must name its own)."""
    if kind == "baseline":
        raise ConfigError(f"{file}: a baseline space names its family: register_space('<family>', models=..., "
                          "kind='baseline')")
    from benchmark.models import is_model, list_models, model_info

    missing = [m for m in models if not is_model(m)]
    if missing:
        raise ConfigError(f"{file}: model {missing[0]!r} is not registered (decorate its builder with "
                          f"@register_model, and import it before the space){did_you_mean(missing[0], list_models())}")
    families = sorted({model_info(m).family for m in models})
    if len(families) > 1:
        raise ConfigError(f"{file}: the models of one space are of one family; these are of {', '.join(families)}")
    return families[0]


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
    """Dry-run ``entry`` for each of its models; raise one line naming the file and parameter: an
    unregistered model, a parameter its builder does not take or one of :data:`RESERVED_ARGUMENTS`
    (or, in the dry run, an empty choice list, ``low > high``, a name used twice or one of
    :data:`SHARED`), and a deep model registered with another family than the space's."""
    from benchmark.estimators.baselines import baseline_params, list_baselines
    from benchmark.models import is_model, model_info, model_params

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
            if key in RESERVED_ARGUMENTS:
                raise ConfigError(f"{entry.file}: parameter {key!r} of {model} is set by the study itself "
                                  f"(reserved: {', '.join(RESERVED_ARGUMENTS)})")
            if key not in accepted:
                raise ConfigError(f"{entry.file}: parameter {key!r} is not an argument of {model} "
                                  f"(it takes {', '.join(k for k in accepted if k not in RESERVED_ARGUMENTS)})")
        if entry.kind == "deep" and model_info(model).family != entry.family:
            raise ConfigError(f"{entry.file}: model {model!r} is registered with family {model_info(model).family!r} "
                              f"(@register_model in {model_info(model).module}), not {entry.family!r}; the family is "
                              "declared once, with the model: leave it out of register_space")


# ------------------------------------------------------------------------------ discovery
def load_spaces(reload: bool = False) -> dict[str, SpaceEntry]:
    """Import every space module (the ``benchmark.study.spaces`` package, then the plugins) once and
    validate each entry; returns a copy of the registry, family -> entry in load order."""
    global _LOADED
    if _LOADED and not reload:
        return dict(_SPACES.items())
    from benchmark.plugins import load_plugins

    import_builtin_spaces()
    load_plugins()
    for entry in _SPACES.values():
        check_space(entry)
    _LOADED = True
    return dict(_SPACES.items())


def import_builtin_spaces() -> None:
    """Import every module of the ``benchmark.study.spaces`` package (each registers its family)."""
    import benchmark.study.spaces

    for info in pkgutil.iter_modules(benchmark.study.spaces.__path__, "benchmark.study.spaces."):
        _import(info.name)


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
    ceiling's limits (:class:`benchmark.study.ceiling.FamilyLimits`): shorter choice lists, lower tops."""

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


def crop_samples(budget, fs: float) -> int:
    """Samples of the budget's shortest crop at ``fs`` (what every deep model must accept)."""
    return int(round(min(budget.crops) * float(fs)))


def fits_crops(model: str, budget, fs: float) -> bool:
    """Whether ``model`` accepts every crop of ``budget`` at ``fs``: a baseline always does, a deep
    model when its ``min_length`` is at most the shortest crop's samples. The crop is one choice
    list shared by every model (Optuna keeps a categorical's choices within a study), so a model
    that cannot take one of them leaves the space, the way the cost ceiling removes a model."""
    from benchmark.models import model_info

    return space_for(model).kind != "deep" or model_info(model).min_length <= crop_samples(budget, fs)


def searchable_models(models: list[str] | None, budget, ceiling=None, fs: float | None = None) -> list[str]:
    """The model categorical: ``models`` (default: every registered space) less the budget's
    exclusions, the deep models too long for its shortest crop at ``fs`` (the ceiling's rate when
    ``fs`` is None; no length check without either) and those its cost ceiling removes."""
    load_spaces()  # a plugin's models are registered (worker processes, library callers)
    fs = fs if fs is not None else (ceiling.fs if ceiling is not None else None)
    models = [m for m in (models or all_models()) if m not in budget.excluded_models]
    if fs is not None:
        models = [m for m in models if fits_crops(m, budget, fs)]
    return models if ceiling is None else ceiling.models(models)


def suggest_config(trial, budget, pretrain_choices: list[str], models: list[str] | None = None,
                   ceiling=None, threshold_from: str = "inner", eval_crops: str = "cover",
                   fs: float | None = None) -> TrialConfig:
    """One configuration of the joint space (define-by-run: conditional on the model), with the
    study's fit protocol (``threshold_from``, and ``eval_crops`` for deep models).

    ``ceiling`` (a :class:`benchmark.study.ceiling.CostCeiling`) removes what the budget cannot afford
    before anything is drawn: models, architecture choices and the top of the epochs range; ``fs``
    (the cohort's rate; default the ceiling's) removes the deep models too long for the shortest
    crop (:func:`searchable_models`)."""
    model = trial.suggest_categorical("model", searchable_models(models, budget, ceiling, fs))
    entry = space_for(model)
    limits = ceiling.family(entry.family) if ceiling is not None and entry.kind == "deep" else None
    model_kwargs = entry.fn(_Prefixed(trial, entry.family, limits), model)
    normalization = trial.suggest_categorical("normalization", FACTORS["normalization"].choices(budget))
    if entry.kind == "baseline":
        return TrialConfig(model, entry.family, entry.kind, {**budget.baseline_overrides.get(model, {}), **model_kwargs},
                           normalization, threshold_from=threshold_from)
    crop_seconds = trial.suggest_categorical("crop_seconds", FACTORS["crop_seconds"].choices(budget))
    filter_ = trial.suggest_categorical("filter", FACTORS["filter"].choices(budget))
    pretrain = trial.suggest_categorical("pretrain", FACTORS["pretrain"].choices(budget, pretrain_choices))
    freeze_depth = freeze_fraction = None  # "none": no encoder to freeze
    if freezable(pretrain):
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
