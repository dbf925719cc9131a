"""The contract every model keeps: ordered *stages* from input to head, a replaceable *head*."""

from __future__ import annotations

import torch
from torch import nn


class StagedModel(nn.Module):
    """``forward(x: (batch, leads, T)) -> logits (batch, n_classes)``.

    Subclasses fill :attr:`stages` (an ``nn.ModuleList`` from input to output, every backbone
    parameter in exactly one stage) and implement :meth:`features` (:meth:`forward_stages`, then
    pooling to a vector of size :attr:`n_features`). The head is ``Dropout + Linear`` and can be
    replaced for a new task. :func:`benchmark.testing.check_model` checks all of this.
    """

    def __init__(self, n_features: int, n_classes: int, dropout: float = 0.0):
        super().__init__()
        self.n_features = n_features
        self.stages = nn.ModuleList()
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_features, n_classes))
        self.frozen_depth = 0

    @property
    def n_stages(self) -> int:
        return len(self.stages)

    def forward_stages(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` through every stage in order: the backbone's output, before pooling."""
        for stage in self.stages:
            x = stage(x)
        return x

    def features(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def reset_head(self, n_classes: int) -> None:
        """A fresh head for a new task; backbone tensors are untouched."""
        dropout = self.head[0].p
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(self.n_features, n_classes))

    def freeze(self, depth: int) -> None:
        """Freeze stages ``< depth`` (0 = fine-tune all, ``n_stages`` = linear probe)."""
        if not 0 <= depth <= self.n_stages:
            raise ValueError(f"freeze depth {depth} outside 0..{self.n_stages}")
        self.frozen_depth = depth
        for i, stage in enumerate(self.stages):
            for p in stage.parameters():
                p.requires_grad = i >= depth
        self.train(self.training)

    def train(self, mode: bool = True) -> "StagedModel":
        super().train(mode)
        for stage in list(self.stages)[: self.frozen_depth]:
            stage.eval()  # frozen stages keep their BatchNorm statistics
        return self

    def backbone_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if not k.startswith("head.")}


class ConvBnAct(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, k: int, stride: int = 1, act: bool = True, groups: int = 1):
        layers = [nn.Conv1d(c_in, c_out, k, stride=stride, padding=k // 2, bias=False, groups=groups),
                  nn.BatchNorm1d(c_out)]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


def global_pool(x: torch.Tensor) -> torch.Tensor:
    """Concatenated average and max pooling over time (fastai's ``AdaptiveConcatPool1d``)."""
    return torch.cat([x.mean(dim=-1), x.amax(dim=-1)], dim=1)
