"""Cost is a result: FLOPs are counted from the estimator's real forward pass, not guessed."""

from __future__ import annotations

import numpy as np
import torch

from benchmark.training.loop import Recipe
from benchmark.estimators.deep import DeepClassifier
from benchmark.training.cost import forward_flops_per_record, timed_predict_proba


def _fitted(width: int) -> tuple[DeepClassifier, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 12, 250)).astype(np.float32)
    y = (np.arange(30) % 3 == 0).astype(np.float32)
    return DeepClassifier(model="vgg11_1d", model_kwargs={"width": width}, recipe=Recipe(epochs=1), crop_seconds=2.5).fit(X, y), X


def test_forward_flops_match_the_convolutions_and_scale_with_width():
    est, X = _fitted(8)
    flops = forward_flops_per_record(est, X)
    assert flops and flops > 0
    wide, Xw = _fitted(16)
    # convolutions between hidden layers grow with width squared: doubling width costs > 2x
    assert forward_flops_per_record(wide, Xw) > 2 * flops


def test_non_torch_estimator_reports_no_flops_and_its_time():
    class Constant:
        def predict_proba(self, X):
            return np.tile([0.5, 0.5], (len(X), 1))

    X = np.zeros((4, 12, 100), dtype=np.float32)
    assert forward_flops_per_record(Constant(), X) is None
    p, ms = timed_predict_proba(Constant(), X)
    assert p.shape == (4, 2) and ms >= 0


def test_flops_of_a_network_that_feeds_a_parameter_view_to_a_module():
    """hsmnet expands a learned query into its attention: under ``no_grad`` that view requires grad
    with no grad function, which broke the FLOP counter's module tracker (a FAIL on a GPU run)."""

    from benchmark.models import create_model
    from benchmark.training.cost import forward_flops_per_record

    class Fitted:
        model_ = create_model("hsmnet", width=16, depth=1)

        def predict_proba(self, X):
            with torch.no_grad():
                p = torch.sigmoid(self.model_(torch.as_tensor(X, dtype=torch.float32))).numpy()
            return np.hstack([1 - p, p])

    est = Fitted()
    flops = forward_flops_per_record(est, np.random.default_rng(0).standard_normal((2, 12, 250)).astype("float32"))
    assert flops and flops > 0
    assert all(p.requires_grad for p in est.model_.parameters())  # restored after the count
