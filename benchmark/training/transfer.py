"""Transfer: load a pretrained backbone (or keep the random one), keep a fresh head for the target
task, freeze by depth."""

from __future__ import annotations

from pathlib import Path

import torch

from benchmark.errors import ConfigError
from benchmark.models.base import StagedModel


def load_backbone(model: StagedModel, checkpoint: str | Path) -> None:
    """Copy every backbone tensor from ``checkpoint``; the head stays the target task's own."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)["backbone"]
    own = model.backbone_state()
    missing = sorted(set(own) - set(state))
    mismatched = [k for k in own if k in state and state[k].shape != own[k].shape]
    if missing or mismatched:
        bad = (missing or mismatched)[0]
        raise ConfigError(f"{checkpoint}: backbone does not fit the model (tensor {bad!r})")
    model.load_state_dict(state, strict=False)


def transfer(model: StagedModel, checkpoint: str | Path | None, freeze_depth: int) -> StagedModel:
    """Load the backbone from ``checkpoint`` and freeze stages below ``freeze_depth``. Without a
    checkpoint the randomly initialised stages are frozen as they are: the ``random_frozen``
    control arm, which measures what the frozen architecture gives without pretraining."""
    if checkpoint is not None:
        load_backbone(model, checkpoint)
    if not 0 <= freeze_depth <= model.n_stages:
        raise ConfigError(f"freeze_depth {freeze_depth} outside 0..{model.n_stages} for this model")
    model.freeze(freeze_depth)
    return model
