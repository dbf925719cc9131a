"""1-D ResNets: ResNet1D 18/34/50 (basic / bottleneck blocks) and XResNet1d (fastai's "bag of
tricks" ResNet; the strongest model on the PTB-XL benchmark of Strodthoff et al., 2021)."""

from __future__ import annotations

import torch
from torch import nn

from benchmark.models._registry import register_model
from benchmark.models.base import ConvBnAct, StagedModel, global_pool


class Block(nn.Module):
    """Residual block: ``basic`` (two k-convs) or ``bottleneck`` (1, k, 1 with 4× expansion)."""

    def __init__(self, c_in: int, c_mid: int, stride: int, kind: str, k: int, shortcut: str):
        super().__init__()
        c_out = c_mid * (4 if kind == "bottleneck" else 1)
        if kind == "basic":
            self.body = nn.Sequential(ConvBnAct(c_in, c_mid, k, stride), ConvBnAct(c_mid, c_out, k, act=False))
        else:
            self.body = nn.Sequential(ConvBnAct(c_in, c_mid, 1), ConvBnAct(c_mid, c_mid, k, stride),
                                      ConvBnAct(c_mid, c_out, 1, act=False))
        if shortcut == "avgpool":  # XResNet: zero-init the last BN so each block starts as identity
            nn.init.zeros_(self.body[-1][1].weight)
        if stride == 1 and c_in == c_out:
            self.skip: nn.Module = nn.Identity()
        elif shortcut == "avgpool":
            pool = nn.AvgPool1d(stride, ceil_mode=True) if stride > 1 else nn.Identity()
            self.skip = nn.Sequential(pool, ConvBnAct(c_in, c_out, 1, act=False))
        else:
            self.skip = ConvBnAct(c_in, c_out, 1, stride, act=False)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        body = self.body(x)
        skip = self.skip(x)
        n = min(body.shape[-1], skip.shape[-1])
        return self.act(body[..., :n] + skip[..., :n])


class ResNet1d(StagedModel):
    """Stages: stem, then one stage per group of blocks (widths w, 2w, 4w, 8w)."""

    def __init__(self, layers: list[int], block: str = "basic", stem: str = "plain", shortcut: str = "conv",
                 n_classes: int = 1, in_leads: int = 12, width: int = 64, kernel_size: int = 7,
                 dropout: float = 0.0):
        expansion = 4 if block == "bottleneck" else 1
        widths = [width * 2 ** i for i in range(len(layers))]
        super().__init__(2 * widths[-1] * expansion, n_classes, dropout)
        if stem == "deep":  # XResNet stem: three convs, then max pooling
            self.stages.append(nn.Sequential(ConvBnAct(in_leads, width // 2, kernel_size, 2),
                                             ConvBnAct(width // 2, width // 2, kernel_size),
                                             ConvBnAct(width // 2, width, kernel_size),
                                             nn.MaxPool1d(3, 2, 1)))
        else:
            self.stages.append(nn.Sequential(ConvBnAct(in_leads, width, 2 * kernel_size + 1, 2), nn.MaxPool1d(3, 2, 1)))
        c_in = width
        for i, (n_blocks, w) in enumerate(zip(layers, widths)):
            blocks = []
            for j in range(n_blocks):
                blocks.append(Block(c_in, w, 2 if (j == 0 and i > 0) else 1, block, kernel_size, shortcut))
                c_in = w * expansion
            self.stages.append(nn.Sequential(*blocks))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return global_pool(self.forward_stages(x))


def _resnet(layers, block, n_classes, in_leads, width, kernel_size, dropout):
    return ResNet1d(layers, block, "plain", "conv", n_classes, in_leads, width, kernel_size, dropout)


def _xresnet(layers, block, n_classes, in_leads, width, kernel_size, dropout):
    return ResNet1d(layers, block, "deep", "avgpool", n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="resnet1d")
def resnet1d18(n_classes: int = 1, in_leads: int = 12, width: int = 64, kernel_size: int = 7, dropout: float = 0.0):
    return _resnet([2, 2, 2, 2], "basic", n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="resnet1d")
def resnet1d34(n_classes: int = 1, in_leads: int = 12, width: int = 64, kernel_size: int = 7, dropout: float = 0.0):
    return _resnet([3, 4, 6, 3], "basic", n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="resnet1d")
def resnet1d50(n_classes: int = 1, in_leads: int = 12, width: int = 64, kernel_size: int = 7, dropout: float = 0.0):
    return _resnet([3, 4, 6, 3], "bottleneck", n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="xresnet1d")
def xresnet1d18(n_classes: int = 1, in_leads: int = 12, width: int = 64, kernel_size: int = 5, dropout: float = 0.0):
    return _xresnet([2, 2, 2, 2], "basic", n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="xresnet1d")
def xresnet1d50(n_classes: int = 1, in_leads: int = 12, width: int = 64, kernel_size: int = 5, dropout: float = 0.0):
    return _xresnet([3, 4, 6, 3], "bottleneck", n_classes, in_leads, width, kernel_size, dropout)


@register_model(family="xresnet1d")
def xresnet1d101(n_classes: int = 1, in_leads: int = 12, width: int = 64, kernel_size: int = 5, dropout: float = 0.0):
    return _xresnet([3, 4, 23, 3], "bottleneck", n_classes, in_leads, width, kernel_size, dropout)
