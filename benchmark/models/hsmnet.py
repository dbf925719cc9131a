"""HSM-net idea of the PE paper: a ResNet backbone whose time axis is pooled by multi-head
attention (learned queries attend over time steps) instead of global average pooling."""

from __future__ import annotations

import torch
from torch import nn

from benchmark.models._registry import register_model
from benchmark.models.resnet1d import ResNet1d


class AttentionPool(nn.Module):
    def __init__(self, channels: int, heads: int, queries: int = 1):
        super().__init__()
        self.query = nn.Parameter(torch.randn(1, queries, channels) * channels ** -0.5)
        self.attn = nn.MultiheadAttention(channels, heads, batch_first=True)
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T) -> (B, queries * C)
        tokens = self.norm(x.transpose(1, 2))
        out, _ = self.attn(self.query.expand(x.shape[0], -1, -1), tokens, tokens, need_weights=False)
        return out.flatten(1)


class HSMNet(ResNet1d):
    """ResNet stages, then an attention-pooling stage (part of the backbone: frozen last)."""

    def __init__(self, layers, n_classes, in_leads, width, kernel_size, heads, dropout):
        super().__init__(layers, "basic", "plain", "conv", n_classes, in_leads, width, kernel_size, dropout)
        channels = width * 2 ** (len(layers) - 1)
        self.stages.append(AttentionPool(channels, heads))
        self.n_features = channels
        self.reset_head(n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_stages(x)  # the attention-pooling stage already pools over time


@register_model(family="hsmnet")
def hsmnet(n_classes: int = 1, in_leads: int = 12, width: int = 32, kernel_size: int = 7, heads: int = 4,
           depth: int = 2, dropout: float = 0.0):
    """``depth`` blocks per group (4 groups)."""
    return HSMNet([depth] * 4, n_classes, in_leads, width, kernel_size, heads, dropout)
