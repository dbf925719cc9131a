"""A worker's PyTorch thread count survives a rocket baseline: sktime's numba transforms set the
process's OpenMP thread count, which used to leave every later deep trial of that worker on 2
threads (oversubscribed on 2 cores, and a stored thread count it was not meant to have)."""

from __future__ import annotations

import numpy as np
import torch

from benchmark.estimators.baselines import ThresholdedClassifier


def test_a_minirocket_fit_and_predict_keep_the_torch_thread_count():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 12, 250)).astype("float32")
    y = np.r_[np.ones(12, int), np.zeros(28, int)]
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        est = ThresholdedClassifier(features="minirocket", num_kernels=84, fs=100)
        est.fit(X, y, groups=np.arange(40))
        assert torch.get_num_threads() == 1
        est.predict_proba(X)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
