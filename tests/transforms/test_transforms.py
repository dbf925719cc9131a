"""Filters, normalizations and crops do what their names say."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from benchmark.errors import ConfigError
from benchmark.transforms import Preprocess, create_transform, list_transforms
from benchmark.transforms.crops import crop_batch, eval_offsets


def test_registry():
    assert list_transforms("filter") == ["bandpass", "baseline", "none"]
    assert set(list_transforms("normalization")) == {"none", "minmax", "zscore", "robust", "log", "l2", "zscore_dataset"}
    with pytest.raises(ConfigError, match="did you mean zscore"):
        create_transform("normalization", "zscor")


@pytest.mark.parametrize("fs", [100.0, 500.0])
def test_bandpass_designed_for_fs(fs):
    t = np.arange(int(10 * fs)) / fs
    drift = np.sin(2 * np.pi * 0.05 * t)  # baseline wander
    qrs_band = np.sin(2 * np.pi * 10 * t)
    x = np.tile(drift + qrs_band, (1, 12, 1)).astype(np.float32)
    for name in ("bandpass", "baseline"):
        y = create_transform("filter", name, fs=fs).transform(x)[0, 0]
        mid = slice(len(t) // 4, 3 * len(t) // 4)
        assert np.abs(y[mid] - qrs_band[mid]).max() < 0.1  # drift gone, 10 Hz kept


def test_normalizations_per_lead_per_record():
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(3, 12, 500)) * np.arange(1, 13)[None, :, None] + 4).astype(np.float32)
    z = create_transform("normalization", "zscore").transform(X)
    assert np.allclose(z.mean(-1), 0, atol=1e-4) and np.allclose(z.std(-1), 1, atol=1e-3)
    mm = create_transform("normalization", "minmax").transform(X)
    assert np.allclose(mm.min(-1), 0) and np.allclose(mm.max(-1), 1, atol=1e-4)
    l2 = create_transform("normalization", "l2").transform(X)
    assert np.allclose(np.linalg.norm(l2, axis=-1), 1, atol=1e-4)
    r = create_transform("normalization", "robust").transform(X)
    assert np.allclose(np.median(r, -1), 0, atol=1e-4)
    lg = create_transform("normalization", "log").transform(-X)
    assert np.allclose(lg, -np.sign(X) * np.log1p(np.abs(X)), atol=1e-5)


def test_dataset_zscore_uses_fit_data_only():
    rng = np.random.default_rng(0)
    train, other = rng.normal(2, 3, (20, 12, 100)).astype(np.float32), rng.normal(-5, 1, (5, 12, 100)).astype(np.float32)
    pre = Preprocess(100.0, "none", "zscore_dataset").fit(train)
    assert np.allclose(pre.norm_.mean_.ravel(), train.mean(axis=(0, 2)), atol=1e-4)
    again = Preprocess(100.0, "none", "zscore_dataset").fit(train)
    again.transform(other)
    assert np.array_equal(pre.norm_.std_, again.norm_.std_)


def test_crops():
    x = torch.arange(2 * 1 * 10, dtype=torch.float32).reshape(2, 1, 10)
    out = crop_batch(x, torch.tensor([0, 3]), 4)
    assert out[0, 0].tolist() == [0, 1, 2, 3] and out[1, 0].tolist() == [13, 14, 15, 16]
    assert eval_offsets(1000, 250) == [375] and eval_offsets(1000, 250, 4) == [0, 250, 500, 750]
