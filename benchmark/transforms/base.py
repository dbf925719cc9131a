"""The :class:`Transform` contract and its registry (one namespace per kind)."""

from __future__ import annotations

import difflib

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from benchmark.errors import ConfigError

_TRANSFORMS: dict[str, dict[str, type["Transform"]]] = {}


class Transform(BaseEstimator, TransformerMixin):
    """A scikit-learn transformer on ``(n, leads, T)`` float32 arrays. ``__init__`` stores its
    arguments only; ``fit`` learns state (ending in ``_``) from training data only."""

    kind: str = ""
    name: str = ""

    def fit(self, X: np.ndarray, y=None) -> "Transform":
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


def register_transform(cls: type[Transform]) -> type[Transform]:
    _TRANSFORMS.setdefault(cls.kind, {})[cls.name] = cls
    return cls


def list_transforms(kind: str) -> list[str]:
    return sorted(_TRANSFORMS.get(kind, {}))


def create_transform(kind: str, name: str, **kwargs) -> Transform:
    known = _TRANSFORMS.get(kind, {})
    if name not in known:
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ConfigError(f"unknown {kind} {name!r}{hint}; known: {', '.join(sorted(known))}")
    return known[name](**kwargs)
