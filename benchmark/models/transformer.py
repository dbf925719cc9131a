"""A Transformer encoder over convolutional patch embeddings (sinusoidal positions, any length)."""

from __future__ import annotations

import math

import torch
from torch import nn

from benchmark.models._registry import register_model
from benchmark.models.base import StagedModel


class PatchEmbed(nn.Module):
    def __init__(self, in_leads: int, d_model: int, patch: int):
        super().__init__()
        self.proj = nn.Conv1d(in_leads, d_model, patch, stride=patch)
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T) -> (B, N, D)
        tokens = self.norm(self.proj(x).transpose(1, 2))
        n, d = tokens.shape[1], tokens.shape[2]
        pos = torch.arange(n, device=x.device, dtype=tokens.dtype)[:, None]
        freq = torch.exp(torch.arange(0, d, 2, device=x.device, dtype=tokens.dtype) * (-math.log(10000.0) / d))
        pe = torch.zeros(n, d, device=x.device, dtype=tokens.dtype)
        pe[:, 0::2] = torch.sin(pos * freq)
        pe[:, 1::2] = torch.cos(pos * freq)
        return tokens + pe


class ECGTransformer(StagedModel):
    def __init__(self, n_classes, in_leads, d_model, heads, layers, patch, dropout):
        super().__init__(2 * d_model, n_classes, dropout)
        self.stages.append(PatchEmbed(in_leads, d_model, patch))
        for _ in range(layers):
            self.stages.append(nn.TransformerEncoderLayer(d_model, heads, 2 * d_model, dropout, batch_first=True,
                                                          norm_first=True))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.forward_stages(x)  # (B, N, D) tokens
        return torch.cat([x.mean(dim=1), x.amax(dim=1)], dim=1)


@register_model(family="transformer", min_length=32)
def transformer1d(n_classes: int = 1, in_leads: int = 12, d_model: int = 64, heads: int = 4, layers: int = 3,
                  patch: int = 10, dropout: float = 0.1):
    """``patch`` samples per token (10 = 0.1 s at 100 Hz)."""
    return ECGTransformer(n_classes, in_leads, d_model, heads, layers, patch, dropout)
