"""InceptionTime (Fawaz et al., 2020) in 1-D: inception modules with a bottleneck, three kernel
sizes and a max-pool branch, with a residual shortcut every three modules."""

from __future__ import annotations

import torch
from torch import nn

from benchmark.models._registry import register_model
from benchmark.models.base import ConvBnAct, StagedModel, global_pool


class InceptionModule(nn.Module):
    def __init__(self, c_in: int, nf: int, kernels: tuple[int, ...]):
        super().__init__()
        self.bottleneck = nn.Conv1d(c_in, nf, 1, bias=False) if c_in > 1 else nn.Identity()
        c_b = nf if c_in > 1 else c_in
        self.convs = nn.ModuleList(nn.Conv1d(c_b, nf, k, padding=k // 2, bias=False) for k in kernels)
        self.pool = nn.Sequential(nn.MaxPool1d(3, 1, 1), nn.Conv1d(c_in, nf, 1, bias=False))
        self.bn_act = nn.Sequential(nn.BatchNorm1d(nf * (len(kernels) + 1)), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = self.bottleneck(x)
        return self.bn_act(torch.cat([c(b) for c in self.convs] + [self.pool(x)], dim=1))


class InceptionBlock(nn.Module):
    def __init__(self, c_in: int, nf: int, kernels: tuple[int, ...], modules: int = 3):
        super().__init__()
        c_out = nf * (len(kernels) + 1)
        self.body = nn.Sequential(*[InceptionModule(c_in if i == 0 else c_out, nf, kernels) for i in range(modules)])
        self.skip = ConvBnAct(c_in, c_out, 1, act=False)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.body(x) + self.skip(x))


class InceptionTime1d(StagedModel):
    def __init__(self, n_classes: int, in_leads: int, nf: int, depth: int, kernels: tuple[int, ...], dropout: float):
        c_out = nf * (len(kernels) + 1)
        super().__init__(2 * c_out, n_classes, dropout)
        for i in range(depth // 3):
            self.stages.append(InceptionBlock(in_leads if i == 0 else c_out, nf, kernels))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return global_pool(self.forward_stages(x))


@register_model(family="inception")
def inceptiontime1d(n_classes: int = 1, in_leads: int = 12, nf: int = 32, depth: int = 6,
                    kernel_size: int = 39, dropout: float = 0.0):
    """``depth`` inception modules (a multiple of 3); kernels ``kernel_size``, /2, /4 (odd)."""
    kernels = tuple(k if k % 2 else k + 1 for k in (kernel_size, kernel_size // 2, kernel_size // 4))
    return InceptionTime1d(n_classes, in_leads, nf, max(3, depth - depth % 3), kernels, dropout)
