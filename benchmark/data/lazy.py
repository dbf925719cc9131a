"""Signals that stay in the memory-mapped store until a batch of them is read.

A :class:`LazySignals` stands for an ``(n, leads, T)`` float32 array: some rows of the store's
memmap, and the per-record functions (filter, normalization) to apply to each batch as it is read.
Indexing it by records (a slice, integer positions or a boolean mask) gives another one and reads
nothing; :meth:`~LazySignals.read` and :meth:`~LazySignals.blocks` read batches; ``np.asarray``
reads the whole of it. A fit over a cohort of 100,000 records thus holds one batch, not copies of
its training fold (``scripts/bench_scale.py``, the ``search4`` step).

The functions given to :meth:`~LazySignals.map` must treat each record on its own (every registered
:class:`~benchmark.transforms.base.Transform` does, tested), so that a batch read lazily holds the
same numbers, bit for bit, as the same records of the whole array transformed at once.

:data:`IN_MEMORY_BYTES` is where the protocol switches: an input up to that size is read whole
before a fit, as before (:func:`benchmark.estimators.inputs.as_input`); a larger one stays lazy for
an estimator that reads in batches (the deep models).
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

IN_MEMORY_BYTES = 64 * 2**20  # an input up to this size is read whole before a fit (about 1,400 records at 100 Hz)
BLOCK_BYTES = 32 * 2**20  # signals per block when a whole LazySignals is read, checked or fitted on


class LazySignals:
    """Rows ``rows`` of ``base`` (an ``(N, leads, T)`` float32 array, usually the store's memmap),
    with ``fns`` applied in order to every batch read."""

    ndim = 3
    dtype = np.dtype(np.float32)

    def __init__(self, base: np.ndarray, rows: np.ndarray | None = None,
                 fns: tuple[Callable[[np.ndarray], np.ndarray], ...] = ()):
        self.base = base
        self.rows = np.arange(len(base), dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
        self.fns = tuple(fns)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.rows), *self.base.shape[1:])

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape)) * self.dtype.itemsize

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"LazySignals(shape={self.shape}, fns={len(self.fns)})"

    def __getitem__(self, key) -> "LazySignals | np.ndarray":
        """Records ``key`` (a slice, positions or a mask) as another LazySignals; one integer reads
        that record (``(leads, T)``). Indexing leads or samples is refused: read first."""
        if isinstance(key, tuple):
            raise TypeError("LazySignals is indexed by records only; read a batch (np.asarray) to index leads or samples")
        if isinstance(key, (int, np.integer)):
            return self.read(np.array([key]))[0]
        return LazySignals(self.base, self.rows[key], self.fns)

    def map(self, fn: Callable[[np.ndarray], np.ndarray]) -> "LazySignals":
        """The same records with ``fn`` (per record, shape-preserving) applied after the others."""
        return LazySignals(self.base, self.rows, (*self.fns, fn))

    def read(self, idx=None) -> np.ndarray:
        """Records ``idx`` (positions into this array, in that order; default all) as float32, with
        every function applied. The store is read in ascending row order (sequential on disk)."""
        pos = self.rows if idx is None else self.rows[np.asarray(idx)]
        order = np.argsort(pos, kind="stable")
        out = np.empty((len(pos), *self.base.shape[1:]), dtype=np.float32)
        out[order] = self.base[pos[order]]
        for fn in self.fns:
            out = fn(out)
        return out

    def blocks(self, size: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, records start:start+size)`` over the whole array, in order; by default as many
        records as fit in :data:`BLOCK_BYTES` (699 at 100 Hz, 139 at 500 Hz)."""
        if size is None:
            size = max(1, BLOCK_BYTES // max(1, self.nbytes // max(1, len(self))))
        for start in range(0, len(self), size):
            yield start, self.read(np.arange(start, min(start + size, len(self))))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if copy is False:
            raise ValueError("LazySignals cannot be viewed without a copy: its records are read from the store")
        out = np.empty(self.shape, dtype=np.float32)
        for start, block in self.blocks():
            out[start:start + len(block)] = block
        return out if dtype is None else out.astype(dtype, copy=False)

    @classmethod
    def concat(cls, parts: list["LazySignals"]) -> "LazySignals":
        """The records of ``parts`` one after the other (several stores: a union pretraining pool)."""
        return cls(_Stacked(parts))

    def non_finite_records(self) -> np.ndarray:
        """Positions of the records holding a NaN or inf (read block by block)."""
        bad = [start + np.flatnonzero(~np.isfinite(b).all(axis=(1, 2))) for start, b in self.blocks()]
        return np.concatenate(bad) if bad else np.zeros(0, dtype=np.int64)


class _Stacked:
    """Several LazySignals of one record shape as one base: ``stacked[positions]`` reads each
    position from the part that holds it."""

    def __init__(self, parts: list[LazySignals]):
        shapes = {p.shape[1:] for p in parts}
        if len(shapes) != 1:
            raise ValueError(f"cannot stack records of different shapes: {sorted(shapes)}")
        self.parts = parts
        self.offsets = np.cumsum([0] + [len(p) for p in parts])
        self.shape = (int(self.offsets[-1]), *shapes.pop())

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, pos: np.ndarray) -> np.ndarray:
        pos = np.asarray(pos, dtype=np.int64)
        part = np.searchsorted(self.offsets, pos, side="right") - 1
        out = np.empty((len(pos), *self.shape[1:]), dtype=np.float32)
        for k in np.unique(part):
            here = part == k
            out[here] = self.parts[k].read(pos[here] - self.offsets[k])
        return out
