"""What a fitted configuration costs at inference: forward FLOPs per record, counted by PyTorch's
``FlopCounterMode`` around the estimator's own ``predict_proba`` on one record (so every evaluation
crop and the preprocessing's tensor work are included), and wall-clock milliseconds per record.

Estimators that run no PyTorch operator (the sktime baselines, numba kernels) report ``None`` FLOPs:
nothing here guesses a count that was not measured.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode


@contextmanager
def _frozen(estimator):
    """Parameters of the estimator's network with ``requires_grad`` off for the count.

    ``FlopCounterMode`` tracks modules with autograd hooks on their inputs; under ``no_grad`` a view
    of a trainable parameter (a learned query expanded to the batch, as in hsmnet) requires grad yet
    has no grad function, and the tracker then fails ("Expected gradient function to be set")."""
    module = getattr(estimator, "model_", None)
    params = list(module.parameters()) if isinstance(module, torch.nn.Module) else []
    flags = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(params, flags):
            p.requires_grad_(flag)


def forward_flops_per_record(estimator, X: np.ndarray) -> int | None:
    """FLOPs of ``estimator.predict_proba`` on the first record of ``X``; None when no torch op ran."""
    with _frozen(estimator), FlopCounterMode(display=False) as counter:
        estimator.predict_proba(X[:1])
    flops = int(counter.get_total_flops())
    return flops if flops > 0 else None


def timed_predict_proba(estimator, X: np.ndarray) -> tuple[np.ndarray, float]:
    """``predict_proba(X)`` and the wall-clock milliseconds it took per record."""
    start = time.perf_counter()
    p = estimator.predict_proba(X)
    return p, 1000.0 * (time.perf_counter() - start) / max(1, len(X))
