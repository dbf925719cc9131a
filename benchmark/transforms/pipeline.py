"""Filter then normalize: the per-record preprocessing every estimator applies before cropping,
on an array or batch by batch on :class:`~benchmark.data.lazy.LazySignals`."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from benchmark.data.lazy import LazySignals
from benchmark.transforms.base import create_transform


class Preprocess(BaseEstimator, TransformerMixin):
    """``filter`` (designed for ``fs``) then ``normalization``; ``fit`` sees training data only."""

    def __init__(self, fs: float = 100.0, filter: str = "none", normalization: str = "none"):
        self.fs = fs
        self.filter = filter
        self.normalization = normalization

    def fit(self, X: np.ndarray | LazySignals, y=None) -> "Preprocess":
        self.filter_ = create_transform("filter", self.filter, fs=self.fs)
        self.norm_ = create_transform("normalization", self.normalization)
        filtered = X.map(self.filter_.transform) if isinstance(X, LazySignals) else self.filter_.transform(X)
        self.norm_.fit(filtered)
        return self

    def transform(self, X: np.ndarray | LazySignals) -> np.ndarray | LazySignals:
        """The preprocessed records; of a :class:`LazySignals`, another one that preprocesses each
        batch as it is read (the same numbers: both transforms act on each record alone)."""
        if isinstance(X, LazySignals):
            return X.map(self.transform)
        return self.norm_.transform(self.filter_.transform(np.asarray(X, dtype=np.float32)))
