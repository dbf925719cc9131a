"""Filters designed for the signal's actual sampling rate (zero-phase, second-order sections)."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfiltfilt

from benchmark.transforms.base import Transform, register_transform


@register_transform
class NoFilter(Transform):
    kind, name = "filter", "none"

    def __init__(self, fs: float = 100.0):
        self.fs = fs

    def transform(self, X: np.ndarray) -> np.ndarray:
        return X


@register_transform
class BandPass(Transform):
    """Butterworth band-pass, 0.5-40 Hz by default; the upper edge is capped at 0.45 fs."""

    kind, name = "filter", "bandpass"

    def __init__(self, fs: float = 100.0, low: float = 0.5, high: float = 40.0, order: int = 3):
        self.fs, self.low, self.high, self.order = fs, low, high, order

    def transform(self, X: np.ndarray) -> np.ndarray:
        high = min(self.high, 0.45 * self.fs)
        sos = butter(self.order, [self.low, high], btype="bandpass", fs=self.fs, output="sos")
        return sosfiltfilt(sos, X, axis=-1).astype(np.float32)


@register_transform
class BaselineRemoval(Transform):
    """Baseline-wander removal: zero-phase Butterworth high-pass at ``cutoff`` Hz."""

    kind, name = "filter", "baseline"

    def __init__(self, fs: float = 100.0, cutoff: float = 0.5, order: int = 2):
        self.fs, self.cutoff, self.order = fs, cutoff, order

    def transform(self, X: np.ndarray) -> np.ndarray:
        sos = butter(self.order, self.cutoff, btype="highpass", fs=self.fs, output="sos")
        return sosfiltfilt(sos, X, axis=-1).astype(np.float32)
