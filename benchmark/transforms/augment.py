"""Train-only augmentation on batches: amplitude scaling, Gaussian noise, baseline shift."""

from __future__ import annotations

import torch


class Augment:
    """Applied to training batches only (never at validation or test)."""

    def __init__(self, scale: float = 0.1, noise: float = 0.02, shift: float = 0.1):
        self.scale, self.noise, self.shift = scale, noise, shift

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        b, c, _ = x.shape
        u = lambda *shape: torch.rand(*shape, generator=generator).to(x.device)  # noqa: E731
        scale = 1 + self.scale * (2 * u(b, c, 1) - 1)
        shift = self.shift * (2 * u(b, c, 1) - 1)
        noise = self.noise * torch.randn(x.shape, generator=generator).to(x.device)
        return x * scale + shift + noise
