"""How a network is trained (:class:`Recipe`), as a plain dataclass: the study's configuration
stores it and the leaderboard reads it without importing torch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """How a network is trained: everything the loop reads. A searched setting is a field here,
    suggested in :func:`benchmark.study.space.suggest_config`, used below."""

    epochs: int = 30
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-2
    schedule: str = "cosine"  # "cosine" | "onecycle"
    loss: str = "bce"  # "bce" (with pos_weight) | "focal"
    focal_gamma: float = 2.0
    pos_weight: bool = True
    patience: int = 8
    grad_clip: float = 1.0
    backbone_lr_mult: float = 1.0
