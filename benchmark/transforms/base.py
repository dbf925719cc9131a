"""The :class:`Transform` contract and its registry: one :class:`benchmark.registry.Registry` per
kind ("filter", "normalization"), filled by ``@register_transform`` in import order.

:func:`list_transforms` sorts names (for people); :func:`transform_choices` keeps registration
order, the order a search draws a kind's choices in (samplers draw by index, so reordering the
definitions in ``filters.py`` or ``normalize.py`` changes what a seeded study samples).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from benchmark.registry import Registry

_TRANSFORMS: dict[str, Registry[type["Transform"]]] = {}


class Transform(BaseEstimator, TransformerMixin):
    """A scikit-learn transformer on ``(n, leads, T)`` float32 arrays. ``__init__`` stores its
    arguments only; ``fit`` learns state (ending in ``_``) from training data only.

    ``transform`` must treat each record on its own (the same numbers for a record alone as within
    any batch): large folds are preprocessed batch by batch. ``fit`` receives an array, or for an
    input larger than :data:`benchmark.data.lazy.IN_MEMORY_BYTES` a
    :class:`~benchmark.data.lazy.LazySignals`: iterate its ``blocks()`` (``np.asarray`` reads it
    whole). A transform without state keeps the inherited ``fit``."""

    kind: str = ""
    name: str = ""

    def fit(self, X: np.ndarray, y=None) -> "Transform":
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


def _registry(kind: str) -> Registry[type[Transform]]:
    """The registry of ``kind`` (an empty one, not stored, for a kind nothing registered)."""
    known = _TRANSFORMS.get(kind)
    return known if known is not None else Registry(kind, list_known=True)


def register_transform(cls: type[Transform]) -> type[Transform]:
    if cls.kind not in _TRANSFORMS:
        _TRANSFORMS[cls.kind] = Registry(cls.kind, list_known=True)
    return _TRANSFORMS[cls.kind].register(cls.name, cls)


def list_transforms(kind: str) -> list[str]:
    return sorted(_registry(kind).names())


def transform_choices(kind: str) -> tuple[str, ...]:
    """Names of ``kind`` in registration order: a search's choice list (see the module docstring)."""
    return tuple(_registry(kind).names())


def create_transform(kind: str, name: str, **kwargs) -> Transform:
    return _registry(kind).get(name)(**kwargs)
