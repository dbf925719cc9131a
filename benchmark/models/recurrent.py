"""Recurrent models: LSTM and GRU (uni/bi-directional) and CRNN (convolutional front end + RNN).

Plain RNNs see the signal average-pooled by ``downsample`` (4 by default: 25 steps per second at
100 Hz), so a 10 s, 500 Hz record is 1,250 steps rather than 5,000.
"""

from __future__ import annotations

import torch
from torch import nn

from benchmark.models._registry import register_model
from benchmark.models.base import ConvBnAct, StagedModel, global_pool


class RNNLayer(nn.Module):
    """One recurrent layer on (B, C, T) -> (B, H * directions, T)."""

    def __init__(self, cell: str, c_in: int, hidden: int, bidirectional: bool):
        super().__init__()
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn(c_in, hidden, batch_first=True, bidirectional=bidirectional)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x.transpose(1, 2))
        return out.transpose(1, 2)


class Recurrent(StagedModel):
    def __init__(self, n_out_channels: int, n_classes: int, dropout: float, downsample: int = 1):
        super().__init__(2 * n_out_channels, n_classes, dropout)
        self.downsample = nn.AvgPool1d(downsample, ceil_mode=True) if downsample > 1 else nn.Identity()

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return global_pool(self.forward_stages(self.downsample(x)))


def _rnn(cell, n_classes, in_leads, hidden, layers, bidirectional, downsample, dropout) -> Recurrent:
    dirs = 2 if bidirectional else 1
    model = Recurrent(hidden * dirs, n_classes, dropout, downsample)
    for i in range(layers):
        model.stages.append(RNNLayer(cell, in_leads if i == 0 else hidden * dirs, hidden, bidirectional))
    return model


@register_model(family="rnn", min_length=8)
def lstm(n_classes: int = 1, in_leads: int = 12, hidden: int = 64, layers: int = 2, bidirectional: bool = True,
         downsample: int = 4, dropout: float = 0.0):
    return _rnn("lstm", n_classes, in_leads, hidden, layers, bidirectional, downsample, dropout)


@register_model(family="rnn", min_length=8)
def gru(n_classes: int = 1, in_leads: int = 12, hidden: int = 64, layers: int = 2, bidirectional: bool = True,
        downsample: int = 4, dropout: float = 0.0):
    return _rnn("gru", n_classes, in_leads, hidden, layers, bidirectional, downsample, dropout)


@register_model(family="crnn")
def crnn(n_classes: int = 1, in_leads: int = 12, width: int = 64, conv_blocks: int = 3, cell: str = "gru",
         hidden: int = 64, bidirectional: bool = True, kernel_size: int = 7, dropout: float = 0.0):
    """``conv_blocks`` conv stages (each halving time), then one recurrent stage."""
    dirs = 2 if bidirectional else 1
    model = Recurrent(hidden * dirs, n_classes, dropout)
    c_in = in_leads
    for i in range(conv_blocks):
        c_out = width * 2 ** min(i, 2)
        model.stages.append(nn.Sequential(ConvBnAct(c_in, c_out, kernel_size), ConvBnAct(c_out, c_out, kernel_size),
                                          nn.MaxPool1d(2, ceil_mode=True)))
        c_in = c_out
    model.stages.append(RNNLayer(cell, c_in, hidden, bidirectional))
    return model
