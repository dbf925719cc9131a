"""Signals left in the store until read (benchmark.data.lazy): the same numbers as the array, read
batch by batch, and a large fit that never reads its fold whole."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.data.lazy import LazySignals
from benchmark.estimators.deep import DeepClassifier
from benchmark.estimators.baselines import create_baseline
from benchmark.trial.cv import run_fold
from benchmark.training.loop import Recipe
from benchmark.transforms.base import create_transform, transform_choices
from benchmark.transforms.pipeline import Preprocess


@pytest.fixture(scope="module")
def base() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.normal(size=(37, 12, 300)).astype(np.float32)


def test_indexing_reads_the_same_records_as_the_array(base):
    lazy = LazySignals(base)
    idx = np.array([5, 2, 30, 2, 0])
    assert np.array_equal(lazy[idx].read(), base[idx])
    assert np.array_equal(lazy[3:20][::4].read(), base[3:20][::4])
    mask = np.arange(37) % 3 == 0
    assert np.array_equal(np.asarray(lazy[mask]), base[mask])
    assert np.array_equal(lazy[7], base[7])
    assert lazy[idx].shape == (5, 12, 300) and len(lazy[mask]) == mask.sum()
    assert lazy.nbytes == base.nbytes
    starts = [s for s, _ in lazy.blocks(10)]
    assert starts == [0, 10, 20, 30]
    assert np.array_equal(np.concatenate([b for _, b in lazy.blocks(10)]), base)


def test_lead_or_sample_indexing_and_a_view_are_refused(base):
    lazy = LazySignals(base)
    with pytest.raises(TypeError, match="records only"):
        lazy[:, 0]
    with pytest.raises(ValueError, match="without a copy"):
        np.asarray(lazy, copy=False)


def test_concatenated_parts_read_as_one_array(base):
    parts = [LazySignals(base)[5:9].map(lambda x: -x), LazySignals(base[:3]), LazySignals(base)[[30, 1]]]
    both = LazySignals.concat(parts)
    expected = np.concatenate([-base[5:9], base[:3], base[[30, 1]]])
    assert both.shape == expected.shape
    assert np.array_equal(both[[8, 0, 4, 7, 3]].read(), expected[[8, 0, 4, 7, 3]])
    assert np.array_equal(np.asarray(both), expected)
    with pytest.raises(ValueError, match="different shapes"):
        LazySignals.concat([LazySignals(base), LazySignals(base[..., :10])])


def test_map_applies_after_the_read_in_order(base):
    lazy = LazySignals(base).map(lambda x: x * 2).map(lambda x: x + 1)
    assert np.array_equal(lazy[[4, 1]].read(), base[[4, 1]] * 2 + 1)


def test_non_finite_records_are_found_block_by_block(base):
    bad = base.copy()
    bad[33, 4, 17] = np.nan
    bad[2, 0, 0] = np.inf
    assert LazySignals(bad).non_finite_records().tolist() == [2, 33]
    assert LazySignals(base).non_finite_records().tolist() == []


@pytest.mark.parametrize("kind", ["filter", "normalization"])
def test_every_transform_treats_each_record_alone(kind, base):
    """The contract batch-by-batch preprocessing rests on: a record alone gives the same numbers,
    bit for bit, as within the whole array."""
    for name in transform_choices(kind):
        t = create_transform(kind, name, **({"fs": 100.0} if kind == "filter" else {})).fit(base)
        whole = t.transform(base)
        for i in (0, 17, 36):
            assert np.array_equal(t.transform(base[i:i + 1])[0], whole[i]), (kind, name, i)


def test_default_blocks_hold_a_bounded_number_of_bytes(base, monkeypatch):
    monkeypatch.setattr("benchmark.data.lazy.BLOCK_BYTES", 5 * base[0].nbytes + 1)
    assert [len(b) for _, b in LazySignals(base).blocks()] == [5] * 7 + [2]
    monkeypatch.setattr("benchmark.data.lazy.BLOCK_BYTES", 1)  # never fewer than one record
    assert len(list(LazySignals(base).blocks())) == len(base)


@pytest.mark.parametrize("filter", transform_choices("filter"))
@pytest.mark.parametrize("block_records", [None, 4])
def test_lazy_preprocessing_equals_the_array_s(filter, block_records, base, monkeypatch):
    if block_records:  # statistics fitted over several blocks
        monkeypatch.setattr("benchmark.data.lazy.BLOCK_BYTES", block_records * base[0].nbytes)
    for norm in transform_choices("normalization"):
        on_array = Preprocess(100.0, filter, norm).fit(base)
        on_lazy = Preprocess(100.0, filter, norm).fit(LazySignals(base))
        expected = on_array.transform(base)
        got = on_lazy.transform(LazySignals(base))
        assert isinstance(got, LazySignals)
        if norm == "zscore_dataset":  # statistics summed block by block: equal to float32 rounding
            np.testing.assert_allclose(on_lazy.norm_.mean_, on_array.norm_.mean_, rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(on_lazy.norm_.std_, on_array.norm_.std_, rtol=1e-6)
            np.testing.assert_allclose(got.read(), expected, rtol=1e-5, atol=1e-5)
        else:
            assert np.array_equal(got.read(), expected), (filter, norm)
            assert np.array_equal(on_array.transform(LazySignals(base)).read(), expected)


def _stream_everything(monkeypatch):
    """Every LazySignals is 'large', and reading one whole fails the test."""
    monkeypatch.setattr("benchmark.data.lazy.IN_MEMORY_BYTES", 0)

    def refuse(self, dtype=None, copy=None):
        raise AssertionError(f"a fit read {self!r} whole")

    monkeypatch.setattr(LazySignals, "__array__", refuse)


def _deep(**kw) -> DeepClassifier:
    return DeepClassifier("resnet1d18", {"width": 8}, fs=100.0, crop_seconds=2.0, eval_crops="cover",
                          recipe=Recipe(epochs=2, batch_size=16, patience=5), seed=3, **kw)


@pytest.mark.parametrize("kw", [{}, {"filter": "bandpass", "normalization": "minmax", "threshold_from": "oof"}])
def test_a_large_deep_fit_reads_batches_and_learns_the_same_model(standin, monkeypatch, kw):
    """The search's fit on records left in the store (above IN_MEMORY_BYTES) is bit for bit the fit
    on the same records in memory, and never reads its fold whole."""
    ids = standin.record_ids[:120]
    X, y, g = standin.X(ids), standin.y(ids), standin.groups(ids)
    in_memory = _deep(**kw).fit(X, y, groups=g)
    p_memory = in_memory.predict_proba(X)
    _stream_everything(monkeypatch)
    streamed = _deep(**kw).fit(standin.signals(ids), y, groups=g)
    assert streamed.fit_result_.history == in_memory.fit_result_.history
    assert streamed.threshold_ == in_memory.threshold_
    assert np.array_equal(streamed.predict_proba(standin.signals(ids)), p_memory)
    assert np.array_equal(streamed.predict_proba(X), p_memory)


def test_a_small_input_is_read_whole_as_before(standin, monkeypatch):
    """Below IN_MEMORY_BYTES the protocol reads the records first: the fit of the committed study."""
    seen = []
    real = DeepClassifier._fit

    def spy(self, X, *a, **k):
        seen.append(type(X))
        return real(self, X, *a, **k)

    monkeypatch.setattr(DeepClassifier, "_fit", spy)
    ids = standin.record_ids[:60]
    _deep().fit(standin.signals(ids), standin.y(ids), groups=standin.groups(ids))
    assert seen == [np.ndarray]


def test_a_baseline_reads_a_large_input_whole(standin, monkeypatch):
    """Estimators that do not read batches (sktime's transforms take arrays) get the array."""
    monkeypatch.setattr("benchmark.data.lazy.IN_MEMORY_BYTES", 0)
    ids = standin.record_ids[:60]
    X, y, g = standin.X(ids), standin.y(ids), standin.groups(ids)
    a = create_baseline("minirocket", num_kernels=84).fit(X, y, groups=g).predict_proba(X)
    b = create_baseline("minirocket", num_kernels=84).fit(standin.signals(ids), y, groups=g)
    assert np.array_equal(b.predict_proba(standin.signals(ids)), a)


def test_a_cv_fold_of_the_search_streams_a_large_fold(standin, monkeypatch):
    from benchmark.data.splits import make_split

    table = standin.table.iloc[:150]
    split = make_split(table, 3, 0.2, 0, standin.manifest_hash)
    cohort = standin.with_signals(split.dev_ids())
    memory = run_fold(_deep(), cohort, split, 1)
    _stream_everything(monkeypatch)
    streamed = run_fold(_deep(), cohort, split, 1)
    assert streamed.metrics == memory.metrics
    assert np.array_equal(streamed.probabilities, memory.probabilities)
