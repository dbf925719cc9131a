"""VGG-1D 11/16 with batch norm, and AlexNet-1D: plain convolution stacks, global pooling, linear head."""

from __future__ import annotations

import torch
from torch import nn

from benchmark.models._registry import register_model
from benchmark.models.base import ConvBnAct, StagedModel, global_pool

VGG_CFG = {11: [[1], [2], [4, 4], [8, 8], [8, 8]], 16: [[1, 1], [2, 2], [4, 4, 4], [8, 8, 8], [8, 8, 8]]}


class ConvStack(StagedModel):
    """A stage is a list of convolutions followed by max pooling."""

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return global_pool(self.forward_stages(x))


def _vgg(depth: int, n_classes: int, in_leads: int, width: int, kernel_size: int, dropout: float) -> ConvStack:
    cfg = VGG_CFG[depth]
    model = ConvStack(2 * width * cfg[-1][-1], n_classes, dropout)
    c_in = in_leads
    for group in cfg:
        layers: list[nn.Module] = []
        for mult in group:
            layers.append(ConvBnAct(c_in, width * mult, kernel_size))
            c_in = width * mult
        layers.append(nn.MaxPool1d(2, ceil_mode=True))
        model.stages.append(nn.Sequential(*layers))
    return model


@register_model(family="vgg1d")
def vgg11_1d(n_classes: int = 1, in_leads: int = 12, width: int = 32, kernel_size: int = 3, dropout: float = 0.0):
    return _vgg(11, n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="vgg1d")
def vgg16_1d(n_classes: int = 1, in_leads: int = 12, width: int = 32, kernel_size: int = 3, dropout: float = 0.0):
    return _vgg(16, n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="alexnet1d", min_length=64)
def alexnet1d(n_classes: int = 1, in_leads: int = 12, width: int = 64, dropout: float = 0.0):
    """AlexNet's five convolutions in 1-D (kernel 11 stride 4, 5, 3, 3, 3) with three max pools."""
    w = width
    model = ConvStack(2 * 4 * w, n_classes, dropout)
    model.stages.append(nn.Sequential(nn.Conv1d(in_leads, w, 11, 4, 5), nn.ReLU(inplace=True), nn.MaxPool1d(3, 2, 1)))
    model.stages.append(nn.Sequential(nn.Conv1d(w, 3 * w, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool1d(3, 2, 1)))
    model.stages.append(nn.Sequential(nn.Conv1d(3 * w, 6 * w, 3, padding=1), nn.ReLU(inplace=True),
                                      nn.Conv1d(6 * w, 4 * w, 3, padding=1), nn.ReLU(inplace=True),
                                      nn.Conv1d(4 * w, 4 * w, 3, padding=1), nn.ReLU(inplace=True),
                                      nn.MaxPool1d(3, 2, 1)))
    return model
