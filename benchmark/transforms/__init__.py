"""Preprocessing, registered by name: filters, normalizations, crops and train-only augmentation.

Filters and normalizations are :class:`Transform` s (``fit(X) -> self``, ``transform(X)``) on
arrays ``(n, leads, T)``; only ``zscore_dataset`` learns anything in ``fit``, and it is fitted on
training indices only. Crops and augmentation act on batches during training.

:func:`transform_choices` lists a kind in registration order; the search budgets
(:mod:`benchmark.study.budgets`) read filters and normalizations from it when a study starts, so a newly
registered one is searched, another package's too (:mod:`benchmark.plugins` imports it before the
command reads the list, after the built-ins, so it comes last). :func:`benchmark.testing.check_transform`
checks the contract.
"""

from benchmark.transforms.base import (
    Transform,
    create_transform,
    list_transforms,
    register_transform,
    transform_choices,
)
from benchmark.transforms import filters, normalize  # noqa: F401  (registration)
from benchmark.transforms.pipeline import Preprocess

__all__ = ["Preprocess", "Transform", "create_transform", "list_transforms", "register_transform",
           "transform_choices"]
