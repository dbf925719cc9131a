"""Model registry in the spirit of timm's ``@register_model``: a builder registers where it is defined.

    @register_model(family="resnet1d", min_length=32)
    def resnet1d18(n_classes=1, in_leads=12, width=64, dropout=0.0) -> StagedModel: ...

    list_models("resnet*")  ->  ["resnet1d18", "resnet1d34", "resnet1d50"]
    create_model("resnet1d18", n_classes=1, width=32)

What the decorator declares, in the manner of sktime's tags, is read downstream:

- ``family`` (default: the defining module's last name) is declared here only. The search space
  of the family takes it from its models (:func:`benchmark.study.space.register_space`), the trial's
  configuration stores it, and the family-scoped pruner and the leaderboard group by it.
- ``min_length``: the shortest input, in samples, the model accepts (``forward`` works at it and
  at any longer length; :func:`benchmark.testing.check_model` checks it). The search leaves out a
  model whose minimum is longer than the budget's shortest crop at the cohort's rate
  (:func:`benchmark.study.space.fits_crops`).

Names live in a :class:`benchmark.registry.Registry` (its contract: a typo is one line with a
"did you mean"); :func:`list_models` sorts them.
"""

from __future__ import annotations

import fnmatch
import inspect
from dataclasses import dataclass
from typing import Callable

from benchmark.errors import ConfigError
from benchmark.registry import Registry


@dataclass(frozen=True)
class ModelInfo:
    name: str
    builder: Callable
    family: str
    min_length: int  # shortest input (samples) the model accepts
    module: str


_MODELS: Registry[ModelInfo] = Registry("model")


def register_model(fn: Callable | None = None, *, family: str | None = None, min_length: int = 32):
    """Decorator: record ``fn.__name__ -> fn`` with its family and minimum input length (samples).

    The builder takes ``n_classes`` and ``in_leads`` (set by the study) and the keyword arguments its
    search space varies, and returns a :class:`~benchmark.models.base.StagedModel`."""

    if not isinstance(min_length, int) or min_length < 1:
        raise ConfigError(f"register_model: min_length must be a positive number of samples, got {min_length!r}")

    def wrap(f: Callable) -> Callable:
        _MODELS.register(f.__name__, ModelInfo(f.__name__, f, family or f.__module__.rsplit(".", 1)[-1],
                                               min_length, f.__module__))
        return f

    return wrap(fn) if fn is not None else wrap


def list_models(pattern: str = "*", family: str | None = None) -> list[str]:
    return sorted(n for n, i in _MODELS.items() if fnmatch.fnmatch(n, pattern) and (family is None or i.family == family))


def is_model(name: str) -> bool:
    return name in _MODELS


def model_info(name: str) -> ModelInfo:
    return _MODELS.get(name)


def model_entrypoint(name: str) -> Callable:
    return model_info(name).builder


def model_params(name: str) -> dict[str, inspect.Parameter]:
    """Keyword arguments a builder accepts (what a search space may set)."""
    return dict(inspect.signature(model_entrypoint(name)).parameters)


def create_model(name: str, **kwargs):
    """Build a registered model; an unknown keyword is a one-line error naming it."""
    params = model_params(name)
    unknown = [k for k in kwargs if k not in params]
    if unknown:
        raise ConfigError(f"model {name!r} has no parameter {unknown[0]!r}; it takes {', '.join(params)}")
    return model_entrypoint(name)(**kwargs)
