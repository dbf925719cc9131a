"""Classical sktime baselines as scikit-learn classifiers, called exactly like the deep models:
``fit(X, y, groups)`` on ``(n, leads, T)`` arrays, ``predict_proba``, a ``threshold_`` chosen from
training data only; the protocol is :class:`benchmark.estimators.base.ECGClassifier`'s.

Registered by name with ``@register_baseline`` (minirocket, multirocket, rocket, arsenal,
catch22_forest); sktime's rocket and catch22 transforms are compiled with numba on first use.
"""

from __future__ import annotations

import contextlib

import inspect
from typing import Callable

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from benchmark.errors import ConfigError
from benchmark.estimators.base import ECGClassifier
from benchmark.estimators.inputs import check_fitted
from benchmark.registry import Registry

_BASELINES: Registry[Callable[..., "ThresholdedClassifier"]] = Registry("baseline", list_known=True)


def register_baseline(fn: Callable) -> Callable:
    return _BASELINES.register(fn.__name__, fn)


def list_baselines() -> list[str]:
    return sorted(_BASELINES.names())


def baseline_params(name: str) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(_BASELINES.get(name)).parameters)


def create_baseline(name: str, **kwargs) -> "ThresholdedClassifier":
    unknown = [k for k in kwargs if k not in baseline_params(name)]
    if unknown:
        raise ConfigError(f"baseline {name!r} has no parameter {unknown[0]!r}")
    return _BASELINES.get(name)(**kwargs)


class ThresholdedClassifier(ECGClassifier):
    """Feature transform (sktime) + scikit-learn head, fitted under the one protocol of
    :class:`~benchmark.estimators.base.ECGClassifier` (no signal filter; threshold from training data).

    ``features`` names the sktime transform (minirocket, multirocket, rocket, catch22); it is not
    called ``transform`` so that scikit-learn does not take the classifier for a transformer.
    ``device``: where MiniRocket/MultiRocket features are computed; on a CUDA device the fitted
    sktime transform's parameters run in PyTorch there (:mod:`benchmark.estimators.rocket_torch`, equal to
    float32 tolerance), elsewhere sktime's numba transform runs (measured faster on the CPU).
    """

    def __init__(self, features: str = "minirocket", head: str = "logistic", num_kernels: int = 10_000,
                 C: float = 1.0, n_estimators: int = 200, max_depth: int | None = None, fs: float = 100.0,
                 normalization: str = "none", val_fraction: float = 0.2, threshold_rule: str = "youden",
                 seed: int = 0, n_jobs: int = 1, threshold_from: str = "inner", device: str = "cpu"):
        self.features = features
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
        self.device = device

    def _make_features(self):
        from sktime.transformations.panel import catch22, rocket

        if self.features == "minirocket":
            return rocket.MiniRocketMultivariate(num_kernels=self.num_kernels, random_state=self.seed, n_jobs=self.n_jobs)
        if self.features == "multirocket":
            return rocket.MultiRocketMultivariate(num_kernels=self.num_kernels, random_state=self.seed, n_jobs=self.n_jobs)
        if self.features == "rocket":
            return rocket.Rocket(num_kernels=self.num_kernels, random_state=self.seed, n_jobs=self.n_jobs)
        if self.features == "catch22":
            return catch22.Catch22(replace_nans=True)
        raise ConfigError(f"unknown features {self.features!r}; choose minirocket, multirocket, rocket or catch22")

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

    def _transform_key(self, X_fit: np.ndarray) -> tuple:
        """What a fitted feature transform is a function of: its settings and the data it was fit on."""
        return (self.features, self.num_kernels, self.seed, _digest(X_fit))

    def _features(self, X: np.ndarray, memo: bool = False) -> np.ndarray:
        """Features of ``X``; ``memo`` (fit only) shares them with other trials, while
        ``predict_proba`` always computes them, so its measured time is the real inference cost."""
        Xp = self.preprocess_.transform(X).astype(np.float64)
        if self.features_ is None:
            return Xp

        impl = self._feature_impl()

        def compute() -> np.ndarray:
            if impl == "sktime":
                return np.nan_to_num(np.asarray(self.features_.transform(Xp), dtype=np.float64))
            from benchmark.estimators import rocket_torch

            return np.nan_to_num(rocket_torch.transform(self.features_, Xp, self.device).astype(np.float64))

        return FEATURES.get((self.features_key_, impl, _digest(Xp)), compute) if memo else compute()

    def _feature_impl(self) -> str:
        """``sktime``, or ``torch:<device>`` where :func:`benchmark.estimators.rocket_torch.use_torch` says so
        (part of the memo key: the two agree to float32 tolerance, not bit for bit)."""
        from benchmark.estimators.rocket_torch import use_torch

        return f"torch:{self.device}" if use_torch(self.features, self.device) else "sktime"

    # -- the protocol's steps (benchmark.estimators.base.ECGClassifier.fit runs them) ---------------
    def _fit(self, X, y, fit_idx, val_idx, epoch_callback=None):
        with torch_threads_kept():
            return self._fit_features_and_head(X, y, fit_idx, val_idx)

    def _fit_features_and_head(self, X, y, fit_idx, val_idx):
        y = y.astype(int)
        self.features_ = None if self.head == "arsenal" else self._make_features()
        if self.features_ is not None:
            X_fit = self.preprocess_.transform(X[fit_idx]).astype(np.float64)
            self.features_key_ = self._transform_key(X_fit)
            self.features_ = FEATURES.fitted(self.features_key_, lambda: self.features_.fit(X_fit))
        self.head_ = self._make_head().fit(self._features(X[fit_idx], memo=True), y[fit_idx])
        return self._proba(X[val_idx], memo=True)

    def _proba(self, X: np.ndarray, memo: bool = False) -> np.ndarray:
        return self.head_.predict_proba(self._features(X, memo))[:, 1]

    def _predict_proba(self, X: np.ndarray) -> np.ndarray:
        with torch_threads_kept():
            return self._proba(X)

    @property
    def n_parameters_(self) -> int:
        """Every number the fitted model predicts with, so that a rocket's size compares honestly
        with a CNN's: the feature transform's kernel parameters (ROCKET: weights, lengths, biases,
        dilations, paddings, channel indices; MiniRocket/MultiRocket: channel indices, dilations,
        features per dilation, biases; their 84 fixed kernels of 9 weights are constants of the method
        and not counted; catch22: none), the scaler's means and scales, the logistic coefficients and
        intercept, a forest's tree nodes, or for Arsenal all of these for each ensemble member.
        Random kernels are drawn, not learned by gradient descent, but they are part of the model."""
        check_fitted(self)
        if self.head == "arsenal":
            return int(sum(_fitted_size(member) for member in self.head_.estimators_))
        size = _fitted_size(self.features_) if self.features_ is not None else 0
        if self.head == "forest":
            return size + int(sum(t.tree_.node_count for t in self.head_.estimators_))
        return size + _fitted_size(self.head_)


@contextlib.contextmanager
def torch_threads_kept():
    """Keep PyTorch's intra-op thread count across sktime's rocket transforms: their numba code
    sets the process's OpenMP thread count (measured: ``torch.get_num_threads()`` 1 -> 2 after one
    MiniRocket fit), so a worker pinned to 1 thread ran every later deep trial with 2 threads on
    a core shared with the other worker (OpenMP spin-waiting; per-fold time about 1.7x) and
    stored a thread count it was not meant to have."""
    import torch

    threads = torch.get_num_threads()
    try:
        yield
    finally:
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def _digest(a: np.ndarray) -> str:
    import xxhash

    a = np.ascontiguousarray(a)
    return f"{a.dtype}{a.shape}" + xxhash.xxh3_128_hexdigest(a.data)


class FeatureMemo:
    """Fitted feature transforms and their outputs, shared by the trials of one process.

    A rocket-family or catch22 transform is a deterministic function of its settings (kernels,
    seed) and of the exact array it was fit on, and its output of the exact array it transforms, so
    trials that differ only in the head (``C``) reuse both instead of recomputing them: the features
    are the same numbers either way (``tests/estimators/test_baselines_memo.py``). Keys hold content digests
    (xxh3-128) of the preprocessed arrays, so another fold, normalization or record set never hits.
    Least recently used entries go first beyond ``max_bytes`` of stored features."""

    def __init__(self, max_bytes: int = 1 << 30):
        from collections import OrderedDict

        self.max_bytes = max_bytes
        self._transforms: OrderedDict = OrderedDict()
        self._outputs: OrderedDict = OrderedDict()
        self._bytes = 0

    def fitted(self, key: tuple, fit: Callable):
        if key not in self._transforms:
            self._transforms[key] = fit()
            while len(self._transforms) > 256:
                self._transforms.popitem(last=False)
        self._transforms.move_to_end(key)
        return self._transforms[key]

    def get(self, key: tuple, compute: Callable) -> np.ndarray:
        if key not in self._outputs:
            value = compute()
            self._outputs[key] = value
            self._bytes += value.nbytes
            while self._bytes > self.max_bytes and len(self._outputs) > 1:
                self._bytes -= self._outputs.popitem(last=False)[1].nbytes
        self._outputs.move_to_end(key)
        return self._outputs[key].copy()

    def clear(self) -> None:
        self._transforms.clear()
        self._outputs.clear()
        self._bytes = 0


FEATURES = FeatureMemo()


def _fitted_size(obj) -> int:
    """Numbers held by a fitted rocket-family transform, scaler or linear model, or by a pipeline
    of them."""
    if hasattr(obj, "steps"):
        return sum(_fitted_size(step) for _, step in obj.steps)
    arrays = [a for attr in ("kernels", "parameters", "parameter", "parameter1") for a in (getattr(obj, attr, None) or ())]
    arrays += [getattr(obj, attr) for attr in ("coef_", "intercept_", "mean_", "scale_") if getattr(obj, attr, None) is not None]
    return int(sum(np.size(a) for a in arrays))


@register_baseline
def minirocket(num_kernels: int = 10_000, C: float = 1.0, normalization: str = "none", fs: float = 100.0,
               seed: int = 0, n_jobs: int = 1, device: str = "cpu") -> ThresholdedClassifier:
    """MiniRocketMultivariate + standardised logistic regression (probabilities, balanced classes)."""
    return ThresholdedClassifier("minirocket", "logistic", num_kernels, C, fs=fs, normalization=normalization,
                                 seed=seed, n_jobs=n_jobs, device=device)


@register_baseline
def multirocket(num_kernels: int = 6_250, C: float = 1.0, normalization: str = "none", fs: float = 100.0,
                seed: int = 0, n_jobs: int = 1, device: str = "cpu") -> ThresholdedClassifier:
    """MultiRocketMultivariate + logistic regression."""
    return ThresholdedClassifier("multirocket", "logistic", num_kernels, C, fs=fs, normalization=normalization,
                                 seed=seed, n_jobs=n_jobs, device=device)


@register_baseline
def rocket(num_kernels: int = 10_000, C: float = 1.0, normalization: str = "none", fs: float = 100.0,
           seed: int = 0, n_jobs: int = 1, device: str = "cpu") -> ThresholdedClassifier:
    """ROCKET + logistic regression."""
    return ThresholdedClassifier("rocket", "logistic", num_kernels, C, fs=fs, normalization=normalization,
                                 seed=seed, n_jobs=n_jobs, device=device)


@register_baseline
def arsenal(num_kernels: int = 2_000, n_estimators: int = 25, normalization: str = "none", fs: float = 100.0,
            seed: int = 0, n_jobs: int = 1, device: str = "cpu") -> ThresholdedClassifier:
    """sktime's Arsenal: an ensemble of ROCKET ridge classifiers with probability estimates."""
    return ThresholdedClassifier("rocket", "arsenal", num_kernels, n_estimators=n_estimators, fs=fs,
                                 normalization=normalization, seed=seed, n_jobs=n_jobs, device=device)


@register_baseline
def catch22_forest(n_estimators: int = 200, max_depth: int | None = None, normalization: str = "none",
                   fs: float = 100.0, seed: int = 0, n_jobs: int = 1, device: str = "cpu") -> ThresholdedClassifier:
    """Catch22 features per lead + a class-balanced random forest."""
    return ThresholdedClassifier("catch22", "forest", n_estimators=n_estimators, max_depth=max_depth, fs=fs,
                                 normalization=normalization, seed=seed, n_jobs=n_jobs, device=device)
