"""Filter then normalize: the per-record preprocessing every estimator applies before cropping."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from benchmark.transforms.base import create_transform


class Preprocess(BaseEstimator, TransformerMixin):
    """``filter`` (designed for ``fs``) then ``normalization``; ``fit`` sees training data only."""

    def __init__(self, fs: float = 100.0, filter: str = "none", normalization: str = "none"):
        self.fs = fs
        self.filter = filter
        self.normalization = normalization

    def fit(self, X: np.ndarray, y=None) -> "Preprocess":
        self.filter_ = create_transform("filter", self.filter, fs=self.fs)
        self.norm_ = create_transform("normalization", self.normalization)
        self.norm_.fit(self.filter_.transform(X))
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return self.norm_.transform(self.filter_.transform(np.asarray(X, dtype=np.float32)))
