"""The PyTorch rocket transforms (``benchmark.estimators.rocket_torch``) against sktime's own, on real records:
the same features to float32 tolerance from the same fitted parameters, so the baseline's AUROC is
the same; and the baseline runs sktime on the CPU, torch on a CUDA device."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from benchmark.estimators import rocket_torch
from benchmark.estimators.baselines import FEATURES, create_baseline
from benchmark.errors import ConfigError


@pytest.fixture(scope="module")
def records(real_data_root, standin):
    """Real 12-lead records (100 Hz, 10 s): float64 as the baselines pass them, labels, patients."""
    ids = standin.record_ids[:120]
    return standin.X(ids).astype(np.float64), standin.y(ids).astype(int), standin.groups(ids)


def _fitted(name: str, X: np.ndarray, num_kernels: int):
    from sktime.transformations.panel import rocket

    cls = {"minirocket": rocket.MiniRocketMultivariate, "multirocket": rocket.MultiRocketMultivariate}[name]
    return cls(num_kernels=num_kernels, random_state=0).fit(X)


@pytest.mark.parametrize("name,num_kernels", [("minirocket", 336), ("multirocket", 168)])
def test_torch_features_equal_sktimes_on_real_records(records, name, num_kernels):
    """Every feature, both halves of MultiRocket included: its first-difference half is where
    sktime's transform departs from its own fit (one channel combination for all kernels, left taps
    one sample late), so a straightforward port differs there by whole PPVs; and real records are
    quantised, so outputs summed in another order than sktime's would tie with biases differently."""
    X, _, _ = records
    fitted = _fitted(name, X[:60], num_kernels)
    theirs = np.asarray(fitted.transform(X[60:72]), dtype=np.float32)
    ours = rocket_torch.transform(fitted, X[60:72], "cpu", max_elements=1 << 20)  # several chunks
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, np.nan_to_num(theirs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["minirocket", "multirocket"])
def test_the_baselines_auroc_is_the_same_with_torch_features(records, name, monkeypatch):
    X, y, groups = records
    fit, held = np.arange(80), np.arange(80, len(y))
    kernels = {"minirocket": 168, "multirocket": 84}[name]

    def held_out_auroc() -> float:
        FEATURES.clear()
        est = create_baseline(name, num_kernels=kernels, seed=0).fit(X[fit], y[fit], groups[fit])
        return roc_auc_score(y[held], est.predict_proba(X[held])[:, 1])

    numba = held_out_auroc()
    monkeypatch.setattr(rocket_torch, "use_torch", lambda features, device: True)
    torch_auroc = held_out_auroc()
    FEATURES.clear()
    assert abs(torch_auroc - numba) < 1e-6, (torch_auroc, numba)


def test_the_baseline_uses_torch_on_cuda_and_sktime_on_the_cpu():
    assert create_baseline("minirocket", device="cuda")._feature_impl() == "torch:cuda"
    assert create_baseline("multirocket", device="cuda:1")._feature_impl() == "torch:cuda:1"
    assert create_baseline("minirocket")._feature_impl() == "sktime"
    assert create_baseline("rocket", device="cuda")._feature_impl() == "sktime"  # not ported


def test_unsupported_input_is_one_line():
    from sktime.transformations.panel import rocket

    with pytest.raises(ConfigError, match="no torch transform for Rocket"):
        rocket_torch.transform(rocket.Rocket(num_kernels=10), np.zeros((2, 12, 100)))
    fitted = _fitted("minirocket", np.random.default_rng(0).normal(size=(4, 12, 100)), 84)
    with pytest.raises(ConfigError, match="records, channels, samples"):
        rocket_torch.transform(fitted, np.zeros((12, 100)))
