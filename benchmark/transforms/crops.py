"""Crops: random windows in training, a centre window or sliding windows at evaluation."""

from __future__ import annotations

import numpy as np
import torch


def random_offsets(n: int, length: int, crop: int, generator: torch.Generator) -> torch.Tensor:
    if crop >= length:
        return torch.zeros(n, dtype=torch.long)
    return torch.randint(0, length - crop + 1, (n,), generator=generator)


def crop_batch(x: torch.Tensor, offsets: torch.Tensor, crop: int) -> torch.Tensor:
    """Per-sample windows ``x[i, :, o_i:o_i+crop]`` of a (B, C, T) batch."""
    if crop >= x.shape[-1]:
        return x
    index = offsets.to(x.device)[:, None, None] + torch.arange(crop, device=x.device)[None, None, :]
    return torch.gather(x, 2, index.expand(x.shape[0], x.shape[1], crop))


def eval_offsets(length: int, crop: int, n_crops: int = 1) -> list[int]:
    """The centre window, or ``n_crops`` evenly spaced windows covering the record."""
    if crop >= length:
        return [0]
    if n_crops <= 1:
        return [(length - crop) // 2]
    return [int(round(o)) for o in np.linspace(0, length - crop, n_crops)]
