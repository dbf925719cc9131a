"""Classical sktime baselines as scikit-learn classifiers, called exactly like the deep models:
``fit(X, y, groups)`` on ``(n, leads, T)`` arrays, ``predict_proba``, a ``threshold_`` chosen on an
inner patient-grouped validation split carved from the training data.

Registered by name with ``@register_baseline`` (minirocket, multirocket, rocket, arsenal,
catch22_forest); sktime's rocket and catch22 transforms are compiled with numba on first use.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from benchmark.data.splits import inner_split
from benchmark.errors import ConfigError
from benchmark.estimators import fit_threshold
from benchmark.transforms.pipeline import Preprocess

_BASELINES: dict[str, Callable[..., "ThresholdedClassifier"]] = {}


def register_baseline(fn: Callable) -> Callable:
    _BASELINES[fn.__name__] = fn
    return fn


def list_baselines() -> list[str]:
    return sorted(_BASELINES)


def baseline_params(name: str) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(_BASELINES[name]).parameters)


def create_baseline(name: str, **kwargs) -> "ThresholdedClassifier":
    if name not in _BASELINES:
        raise ConfigError(f"unknown baseline {name!r}; known: {', '.join(list_baselines())}")
    unknown = [k for k in kwargs if k not in baseline_params(name)]
    if unknown:
        raise ConfigError(f"baseline {name!r} has no parameter {unknown[0]!r}")
    return _BASELINES[name](**kwargs)


class ThresholdedClassifier(ClassifierMixin, BaseEstimator):
    """Feature transform (sktime) + scikit-learn head; threshold from the inner validation split."""

    def __init__(self, transform: str = "minirocket", head: str = "logistic", num_kernels: int = 10_000,
                 C: float = 1.0, n_estimators: int = 200, max_depth: int | None = None, fs: float = 100.0,
                 normalization: str = "none", val_fraction: float = 0.2, threshold_rule: str = "youden",
                 seed: int = 0, n_jobs: int = 1, threshold_from: str = "inner"):
        self.transform = transform
        self.head = head
        self.num_kernels = num_kernels
        self.C = C
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.fs = fs
        self.normalization = normalization
        self.val_fraction = val_fraction
        self.threshold_rule = threshold_rule
        self.threshold_from = threshold_from
        self.seed = seed
        self.n_jobs = n_jobs

    def _make_transform(self):
        from sktime.transformations.panel import catch22, rocket

        if self.transform == "minirocket":
            return rocket.MiniRocketMultivariate(num_kernels=self.num_kernels, random_state=self.seed, n_jobs=self.n_jobs)
        if self.transform == "multirocket":
            return rocket.MultiRocketMultivariate(num_kernels=self.num_kernels, random_state=self.seed, n_jobs=self.n_jobs)
        if self.transform == "rocket":
            return rocket.Rocket(num_kernels=self.num_kernels, random_state=self.seed, n_jobs=self.n_jobs)
        if self.transform == "catch22":
            return catch22.Catch22(replace_nans=True)
        raise ConfigError(f"unknown transform {self.transform!r}")

    def _make_head(self):
        if self.head == "logistic":
            return make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced"))
        if self.head == "forest":
            return RandomForestClassifier(self.n_estimators, max_depth=self.max_depth, class_weight="balanced",
                                          random_state=self.seed, n_jobs=self.n_jobs)
        if self.head == "arsenal":
            from sktime.classification.kernel_based import Arsenal

            return Arsenal(num_kernels=self.num_kernels, n_estimators=self.n_estimators, random_state=self.seed,
                           n_jobs=self.n_jobs)
        raise ConfigError(f"unknown head {self.head!r}")

    def _features(self, X: np.ndarray) -> np.ndarray:
        Xp = self.preprocess_.transform(X).astype(np.float64)
        if self.transform_ is None:
            return Xp
        return np.nan_to_num(np.asarray(self.transform_.transform(Xp), dtype=np.float64))

    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> "ThresholdedClassifier":
        X, y = np.asarray(X, dtype=np.float32), np.asarray(y).astype(int)
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        fit_idx, val_idx = inner_split(y, groups, self.val_fraction, self.seed)
        self.preprocess_ = Preprocess(self.fs, "none", self.normalization).fit(X[fit_idx])
        self.transform_ = None if self.head == "arsenal" else self._make_transform()
        if self.transform_ is not None:
            self.transform_.fit(self.preprocess_.transform(X[fit_idx]).astype(np.float64))
        self.head_ = self._make_head().fit(self._features(X[fit_idx]), y[fit_idx])
        self.classes_ = np.array([0, 1])
        fit_threshold(self, X, y, groups, val_idx, self._proba(X[val_idx]))
        return self

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return self.head_.predict_proba(self._features(np.asarray(X, dtype=np.float32)))[:, 1]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = self._proba(X)
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= self.threshold_).astype(int)

    @property
    def n_parameters_(self) -> int:
        """Learned parameters of the head (linear weights, or tree nodes)."""
        head = self.head_
        if hasattr(head, "estimators_") and self.head == "forest":
            return int(sum(t.tree_.node_count for t in head.estimators_))
        if hasattr(head, "steps"):
            lr = head.steps[-1][1]
            return int(lr.coef_.size + lr.intercept_.size)
        return 0


@register_baseline
def minirocket(num_kernels: int = 10_000, C: float = 1.0, normalization: str = "none", fs: float = 100.0,
               seed: int = 0, n_jobs: int = 1) -> ThresholdedClassifier:
    """MiniRocketMultivariate + standardised logistic regression (probabilities, balanced classes)."""
    return ThresholdedClassifier("minirocket", "logistic", num_kernels, C, fs=fs, normalization=normalization,
                                 seed=seed, n_jobs=n_jobs)


@register_baseline
def multirocket(num_kernels: int = 6_250, C: float = 1.0, normalization: str = "none", fs: float = 100.0,
                seed: int = 0, n_jobs: int = 1) -> ThresholdedClassifier:
    """MultiRocketMultivariate + logistic regression."""
    return ThresholdedClassifier("multirocket", "logistic", num_kernels, C, fs=fs, normalization=normalization,
                                 seed=seed, n_jobs=n_jobs)


@register_baseline
def rocket(num_kernels: int = 10_000, C: float = 1.0, normalization: str = "none", fs: float = 100.0,
           seed: int = 0, n_jobs: int = 1) -> ThresholdedClassifier:
    """ROCKET + logistic regression."""
    return ThresholdedClassifier("rocket", "logistic", num_kernels, C, fs=fs, normalization=normalization,
                                 seed=seed, n_jobs=n_jobs)


@register_baseline
def arsenal(num_kernels: int = 2_000, n_estimators: int = 25, normalization: str = "none", fs: float = 100.0,
            seed: int = 0, n_jobs: int = 1) -> ThresholdedClassifier:
    """sktime's Arsenal: an ensemble of ROCKET ridge classifiers with probability estimates."""
    return ThresholdedClassifier("rocket", "arsenal", num_kernels, n_estimators=n_estimators, fs=fs,
                                 normalization=normalization, seed=seed, n_jobs=n_jobs)


@register_baseline
def catch22_forest(n_estimators: int = 200, max_depth: int | None = None, normalization: str = "none",
                   fs: float = 100.0, seed: int = 0, n_jobs: int = 1) -> ThresholdedClassifier:
    """Catch22 features per lead + a class-balanced random forest."""
    return ThresholdedClassifier("catch22", "forest", n_estimators=n_estimators, max_depth=max_depth, fs=fs,
                                 normalization=normalization, seed=seed, n_jobs=n_jobs)
