"""Preprocessing, registered by name: filters, normalizations, crops and train-only augmentation.

Filters and normalizations are :class:`Transform` s (``fit(X) -> self``, ``transform(X)``) on
arrays ``(n, leads, T)``; only ``zscore_dataset`` learns anything in ``fit``, and it is fitted on
training indices only. Crops and augmentation act on batches during training.

:func:`transform_choices` lists a kind in registration order; the search budgets
(:mod:`benchmark.budgets`) draw filters and normalizations from it, so a newly registered one is
searched.
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
