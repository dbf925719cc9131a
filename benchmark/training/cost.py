"""What a fitted configuration costs at inference: forward FLOPs per record, counted by PyTorch's
``FlopCounterMode`` around the estimator's own ``predict_proba`` on one record (so every evaluation
crop and the preprocessing's tensor work are included), and wall-clock milliseconds per record.

Estimators that run no PyTorch operator (the sktime baselines, numba kernels) report ``None`` FLOPs:
nothing here guesses a count that was not measured.
"""

from __future__ import annotations

import time

import numpy as np
from torch.utils.flop_counter import FlopCounterMode


def forward_flops_per_record(estimator, X: np.ndarray) -> int | None:
    """FLOPs of ``estimator.predict_proba`` on the first record of ``X``; None when no torch op ran."""
    with FlopCounterMode(display=False) as counter:
        estimator.predict_proba(X[:1])
    flops = int(counter.get_total_flops())
    return flops if flops > 0 else None


def timed_predict_proba(estimator, X: np.ndarray) -> tuple[np.ndarray, float]:
    """``predict_proba(X)`` and the wall-clock milliseconds it took per record."""
    start = time.perf_counter()
    p = estimator.predict_proba(X)
    return p, 1000.0 * (time.perf_counter() - start) / max(1, len(X))
