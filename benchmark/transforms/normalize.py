"""Normalizations: per lead per record, and z-score with statistics fitted on training data."""

from __future__ import annotations

import numpy as np

from benchmark.data.lazy import LazySignals
from benchmark.transforms.base import Transform, register_transform

EPS = 1e-6


class _PerRecord(Transform):
    kind = "normalization"

    def transform(self, X: np.ndarray) -> np.ndarray:
        return self._apply(np.asarray(X, dtype=np.float32)).astype(np.float32)

    def _apply(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


@register_transform
class NoNorm(_PerRecord):
    name = "none"

    def _apply(self, X):
        return X


@register_transform
class MinMax(_PerRecord):
    name = "minmax"

    def _apply(self, X):
        lo, hi = X.min(-1, keepdims=True), X.max(-1, keepdims=True)
        return (X - lo) / (hi - lo + EPS)


@register_transform
class ZScore(_PerRecord):
    name = "zscore"

    def _apply(self, X):
        return (X - X.mean(-1, keepdims=True)) / (X.std(-1, keepdims=True) + EPS)


@register_transform
class Robust(_PerRecord):
    name = "robust"

    def _apply(self, X):
        q1, med, q3 = np.percentile(X, [25, 50, 75], axis=-1, keepdims=True)
        return (X - med) / (q3 - q1 + EPS)


@register_transform
class Log(_PerRecord):
    name = "log"

    def _apply(self, X):
        return np.sign(X) * np.log1p(np.abs(X))


@register_transform
class L2(_PerRecord):
    name = "l2"

    def _apply(self, X):
        return X / (np.linalg.norm(X, axis=-1, keepdims=True) + EPS)


@register_transform
class ZScoreDataset(Transform):
    """Per-lead mean and standard deviation over the *training* records passed to ``fit``."""

    kind, name = "normalization", "zscore_dataset"

    def fit(self, X: np.ndarray | LazySignals, y=None) -> "ZScoreDataset":
        if isinstance(X, LazySignals):
            mean, std = _lead_moments(X)
        else:
            X = np.asarray(X, dtype=np.float64)
            mean, std = X.mean(axis=(0, 2)), X.std(axis=(0, 2))
        self.mean_ = mean.astype(np.float32)[None, :, None]
        self.std_ = (std + EPS).astype(np.float32)[None, :, None]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return ((np.asarray(X, dtype=np.float32) - self.mean_) / self.std_).astype(np.float32)


def _lead_moments(X: LazySignals) -> tuple[np.ndarray, np.ndarray]:
    """Per-lead mean and (population) standard deviation of records read block by block: two passes
    in float64, as ``np.mean``/``np.std`` over the whole array compute them (equal to float32
    rounding; the summation order differs)."""
    total, count = np.zeros(X.shape[1]), 0
    for _, block in X.blocks():
        total += block.astype(np.float64).sum(axis=(0, 2))
        count += block.shape[0] * block.shape[2]
    mean = total / count
    squares = np.zeros(X.shape[1])
    for _, block in X.blocks():
        squares += ((block.astype(np.float64) - mean[None, :, None]) ** 2).sum(axis=(0, 2))
    return mean, np.sqrt(squares / count)
