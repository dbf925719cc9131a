"""Models: one module per family; each builder registers itself with ``@register_model``."""

from benchmark.models._registry import (
    create_model,
    is_model,
    list_models,
    model_entrypoint,
    model_info,
    model_params,
    register_model,
)
from benchmark.models.base import StagedModel
from benchmark.models import hsmnet, inception, recurrent, resnet1d, s4d, transformer, vgg  # noqa: F401

__all__ = ["StagedModel", "create_model", "is_model", "list_models", "model_entrypoint", "model_info",
           "model_params", "register_model"]
