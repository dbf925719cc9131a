"""The records a fit or a prediction reads, in memory or batch by batch from the store.

:class:`Records` wraps an array or tensor (held whole; on the GPU for a CUDA fit, so that crops and
batches are made there) or a :class:`~benchmark.data.lazy.LazySignals` (each batch read from the
store's memmap and preprocessed when it is needed, on the host). The loop asks it for batches only,
so both give the same batches, bit for bit.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmark.data.lazy import LazySignals


class Records:
    """``X`` (records, leads, T) as batches: :meth:`take` by positions, :meth:`slice` by range.
    ``device``: where an in-memory ``X`` is moved (a lazy one stays on the host)."""

    def __init__(self, X, device: str = "cpu"):
        self.lazy = X if isinstance(X, LazySignals) else None
        if self.lazy is None:
            tensor = X if torch.is_tensor(X) else torch.from_numpy(np.ascontiguousarray(X))
            self.tensor = tensor.to(device) if device.startswith("cuda") else tensor
        self.device = torch.device("cpu") if self.lazy is not None else self.tensor.device
        self.shape = tuple(X.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, idx: torch.Tensor) -> torch.Tensor:
        """Records at positions ``idx`` (a tensor on :attr:`device`), in that order."""
        if self.lazy is None:
            return self.tensor[idx]
        return torch.from_numpy(self.lazy.read(idx.cpu().numpy()))

    def slice(self, start: int, stop: int) -> torch.Tensor:
        if self.lazy is None:
            return self.tensor[start:stop]
        return torch.from_numpy(self.lazy.read(np.arange(start, min(stop, len(self)))))
