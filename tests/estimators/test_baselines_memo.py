"""Trials share fitted rocket transforms and their training-side features (``baselines.FEATURES``):
the numbers are the same as computed afresh, another normalization or fold never hits, and
``predict_proba`` always computes (its time is the stored inference cost)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.estimators.baselines import FEATURES, create_baseline


def _data(seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.tile([0, 1], 20)
    X = rng.standard_normal((40, 12, 300)).astype(np.float32)
    X[y == 1, 1] += np.sin(np.linspace(0, 20, 300)).astype(np.float32)
    return X, y, np.arange(40)


def _fit(X, y, groups, **kw):
    return create_baseline("minirocket", num_kernels=168, fs=100.0, seed=0, **kw).fit(X, y, groups)


@pytest.fixture(autouse=True)
def _empty_memo():
    FEATURES.clear()
    yield
    FEATURES.clear()


def test_a_second_trial_reuses_the_features_and_gets_the_same_numbers():
    X, y, groups = _data()
    _fit(X, y, groups, C=1.0)
    stored = len(FEATURES._outputs)
    assert stored == 2  # the inner fit part and the inner validation part
    reused = _fit(X, y, groups, C=0.1)
    assert len(FEATURES._outputs) == stored  # hit: nothing new computed
    FEATURES.clear()
    fresh = _fit(X, y, groups, C=0.1)
    assert np.array_equal(reused.predict_proba(X), fresh.predict_proba(X))
    assert reused.threshold_ == fresh.threshold_


def test_another_normalization_or_record_set_never_hits():
    X, y, groups = _data()
    _fit(X, y, groups, normalization="none")
    _fit(X, y, groups, normalization="zscore")
    assert len(FEATURES._outputs) == 4
    X2, _, _ = _data(seed=1)
    _fit(X2, y, groups, normalization="none")
    assert len(FEATURES._outputs) == 6


def test_predict_proba_always_computes():
    X, y, groups = _data()
    est = _fit(X, y, groups)
    before = len(FEATURES._outputs)
    est.predict_proba(_data(seed=2)[0])
    assert len(FEATURES._outputs) == before


def test_the_memo_keeps_within_its_byte_limit():
    from benchmark.estimators.baselines import FeatureMemo

    memo = FeatureMemo(max_bytes=3 * 8 * 100)
    for i in range(10):
        memo.get(("k", i), lambda: np.zeros(100))
    assert memo._bytes <= memo.max_bytes and len(memo._outputs) == 3
