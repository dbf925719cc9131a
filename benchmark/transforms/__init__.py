"""Preprocessing, registered by name: filters, normalizations, crops and train-only augmentation.

Filters and normalizations are :class:`Transform` s (``fit(X) -> self``, ``transform(X)``) on
arrays ``(n, leads, T)``; only ``zscore_dataset`` learns anything in ``fit``, and it is fitted on
training indices only. Crops and augmentation act on batches during training.
"""

from benchmark.transforms.base import Transform, create_transform, list_transforms, register_transform
from benchmark.transforms import filters, normalize  # noqa: F401  (registration)
from benchmark.transforms.pipeline import Preprocess

__all__ = ["Preprocess", "Transform", "create_transform", "list_transforms", "register_transform"]
