"""The one training loop: AdamW, cosine or one-cycle schedule, BCE(pos_weight) or focal loss,
early stopping on an inner validation split, deterministic on CPU, mixed precision on CUDA.

Mixed precision (:func:`amp_policy`): bfloat16 autocast where the GPU supports it (compute
capability 8.0+: A100, H100, ...), which has float32's range, so nothing overflows and no loss
scaling is needed; float16 autocast with a ``GradScaler`` only on older GPUs. The loop never
synchronises with the host inside the batch loop: non-finite losses are accumulated on the
device and checked once per epoch.

It knows nothing of Optuna or Ray: after each epoch it calls ``epoch_callback(epoch, metrics)``;
a callback may raise (e.g. a pruning exception) and the exception leaves the loop untouched.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from benchmark.data.lazy import LazySignals
from benchmark.errors import ConfigError
from benchmark.models.base import StagedModel
from benchmark.training.metrics import auroc
from benchmark.training.recipe import Recipe
from benchmark.training.records import Records
from benchmark.transforms.crops import crop_batch, eval_offsets, random_offsets


class FitError(RuntimeError):
    """A fit that cannot produce honest numbers (NaN/inf loss, ...); the message says why."""


@dataclass(frozen=True)
class AmpPolicy:
    """How a device runs mixed precision: ``enabled``, the autocast ``dtype``, and whether a
    ``GradScaler`` is needed (float16 only)."""

    enabled: bool
    dtype: torch.dtype = torch.float32
    scaler: bool = False


def amp_policy(device: str, amp: bool = True, capability: tuple[int, int] | None = None) -> AmpPolicy:
    """bfloat16 autocast on CUDA devices of compute capability >= 8.0, float16 + GradScaler on
    older ones, none on the CPU. ``capability`` defaults to the device's own (taken as an argument
    so the rule is testable without a GPU)."""
    if not amp or not device.startswith("cuda"):
        return AmpPolicy(False)
    if capability is None:
        capability = torch.cuda.get_device_capability(torch.device(device))
    if tuple(capability) >= (8, 0):
        return AmpPolicy(True, torch.bfloat16, scaler=False)
    return AmpPolicy(True, torch.float16, scaler=True)


@dataclass
class FitResult:
    best_epoch: int
    best_score: float
    epochs_run: int
    history: list[dict] = field(default_factory=list)


def seed_everything(seed: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def loss_fn(logits: torch.Tensor, y: torch.Tensor, recipe: Recipe, pos_weight: torch.Tensor | None) -> torch.Tensor:
    """BCE (optionally with ``pos_weight``) or focal loss; NaN labels (unknown) are masked out."""
    mask = ~torch.isnan(y)
    y = torch.nan_to_num(y)
    if recipe.loss == "focal":
        bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
        p_t = torch.exp(-bce)
        # clamp: d/dx x**gamma is infinite at 0 for gamma < 1 (a confident, correct sample)
        per = (1 - p_t).clamp(min=1e-6) ** recipe.focal_gamma * bce
    elif recipe.loss == "bce":
        per = F.binary_cross_entropy_with_logits(logits, y, reduction="none", pos_weight=pos_weight)
    else:
        raise ValueError(f"unknown loss {recipe.loss!r}; use bce or focal")
    return (per * mask).sum() / mask.sum().clamp(min=1)


def param_groups(model: StagedModel, recipe: Recipe) -> list[dict]:
    """Unfrozen backbone stages at ``lr * backbone_lr_mult``, the head at ``lr``."""
    backbone = [p for s in model.stages for p in s.parameters() if p.requires_grad]
    head = [p for p in model.head.parameters() if p.requires_grad]
    groups = [{"params": head, "lr": recipe.lr}]
    if backbone:
        groups.insert(0, {"params": backbone, "lr": recipe.lr * recipe.backbone_lr_mult})
    return groups


EVAL_BATCH_SIZE = 1024  # records per forward pass when predicting (independent of the training batch)


@torch.no_grad()
def predict_probs_tensor(model: StagedModel, X: torch.Tensor | np.ndarray | LazySignals | Records, crop: int,
                         n_crops: int = 1, batch_size: int = EVAL_BATCH_SIZE, device: str = "cpu",
                         amp: bool = False) -> torch.Tensor:
    """Averaged sigmoid probabilities over evaluation crops (centre, or ``n_crops`` windows), as a
    float32 tensor on ``device`` (no host synchronisation). ``X``: records in memory, or read
    batch by batch (:class:`~benchmark.training.records.Records`)."""
    model.eval()
    policy = amp_policy(device, amp)
    X = X if isinstance(X, Records) else Records(X)
    offsets = eval_offsets(X.shape[-1], crop, n_crops)
    out = []
    for start in range(0, len(X), batch_size):
        xb = X.slice(start, start + batch_size).to(device, non_blocking=True)
        probs = 0
        for o in offsets:
            with torch.autocast("cuda", dtype=policy.dtype, enabled=policy.enabled):
                probs = probs + torch.sigmoid(model(xb[..., o:o + crop]).float())
        out.append(probs / len(offsets))
    return torch.cat(out)


def predict_probs(model: StagedModel, X: torch.Tensor | np.ndarray | LazySignals | Records, crop: int,
                  n_crops: int = 1, batch_size: int = EVAL_BATCH_SIZE, device: str = "cpu",
                  amp: bool = False) -> np.ndarray:
    """:func:`predict_probs_tensor` as a host array."""
    return predict_probs_tensor(model, X, crop, n_crops, batch_size, device, amp).cpu().numpy()


def _keep(model: torch.nn.Module, into: dict | None) -> dict:
    """The model's state copied into ``into`` (buffers on the model's device, allocated on the
    first call): no allocation and no host round trip per improvement."""
    state = model.state_dict()
    if into is None:
        return {k: v.detach().clone() for k, v in state.items()}
    with torch.no_grad():
        for k, v in state.items():
            into[k].copy_(v)
    return into


def fit(model: StagedModel, X_fit: np.ndarray | LazySignals, y_fit: np.ndarray, X_val: np.ndarray | LazySignals,
        y_val: np.ndarray, recipe: Recipe, crop: int, seed: int = 0, device: str = "cpu", amp: bool = True,
        n_eval_crops: int = 1, augment: Callable | None = None,
        epoch_callback: Callable[[int, dict], None] | None = None, eval_batch_size: int = EVAL_BATCH_SIZE) -> FitResult:
    """Train ``model`` in place; at the end it holds the weights of the best validation epoch.
    Validation runs once per epoch in batches of ``eval_batch_size`` records; the best state is
    copied into buffers allocated once on the device. ``X_fit``/``X_val``: arrays (held whole, on
    the device for a CUDA fit) or :class:`~benchmark.data.lazy.LazySignals` (read per batch)."""
    if int(eval_batch_size) < 1:
        raise ConfigError(f"eval_batch_size must be a positive number of records, got {eval_batch_size!r}")
    generator = seed_everything(seed)
    policy = amp_policy(device, amp)
    on_host = not device.startswith("cuda")
    model.to(device)
    # an in-memory fold lives on the device for the whole fit: crops and batches are made there
    X, Xv = Records(X_fit, device), Records(X_val, device)
    Y = torch.from_numpy(np.asarray(y_fit, dtype=np.float32))
    Y = Y[:, None] if Y.ndim == 1 else Y
    pos_weight = None
    if recipe.loss == "bce" and recipe.pos_weight:
        pos = torch.nansum(Y, 0)
        neg = (~torch.isnan(Y)).sum(0) - pos
        pos_weight = (neg / pos.clamp(min=1)).clamp(max=100).to(device)
    Y = Y.to(X.device)
    optimizer = torch.optim.AdamW(param_groups(model, recipe), weight_decay=recipe.weight_decay)
    steps_per_epoch = max(1, math.ceil(len(X) / recipe.batch_size))
    total = recipe.epochs * steps_per_epoch
    if recipe.schedule == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, [g["lr"] for g in optimizer.param_groups], total_steps=total)
    elif recipe.schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
    else:
        raise ValueError(f"unknown schedule {recipe.schedule!r}; use cosine or onecycle")
    scaler = torch.amp.GradScaler("cuda", enabled=policy.scaler)
    best = FitResult(best_epoch=-1, best_score=-math.inf, epochs_run=0)
    best_state = None
    for epoch in range(recipe.epochs):
        model.train()
        # drawn on the host generator (the same draws on every device), moved once per epoch
        order = torch.randperm(len(X), generator=generator).to(X.device, non_blocking=True)
        offsets = random_offsets(len(X), X.shape[-1], crop, generator).to(X.device, non_blocking=True)
        total_loss = torch.zeros((), device=device)
        n_nonfinite = torch.zeros((), dtype=torch.int64, device=device)
        for start in range(0, len(X), recipe.batch_size):
            idx = order[start:start + recipe.batch_size]
            xb = crop_batch(X.take(idx), offsets[idx], crop)
            if augment is not None:
                xb = augment(xb, generator)
            xb, yb = xb.to(device, non_blocking=True), Y[idx].to(device, non_blocking=True)
            with torch.autocast("cuda", dtype=policy.dtype, enabled=policy.enabled):
                loss = loss_fn(model(xb).float(), yb, recipe, pos_weight)
            if on_host:  # free on the CPU; on a GPU the check waits for the epoch's end (no sync)
                if not torch.isfinite(loss):
                    raise FitError(f"non-finite training loss ({loss.item()}) at epoch {epoch}; lower the learning rate")
            else:
                n_nonfinite += ~torch.isfinite(loss)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if recipe.grad_clip:
                scaler.unscale_(optimizer)
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
                if on_host and not torch.isfinite(norm):
                    raise FitError(f"non-finite gradient at epoch {epoch}; lower the learning rate")
                if not on_host and not policy.scaler:  # the float16 scaler skips such steps itself
                    n_nonfinite += ~torch.isfinite(norm)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            total_loss += loss.detach() * len(idx)
        if not on_host and int(n_nonfinite) > 0:  # one host sync per epoch
            raise FitError(f"non-finite training loss or gradient in {int(n_nonfinite)} steps of epoch {epoch}; "
                           "lower the learning rate")
        probs = predict_probs(model, Xv, crop, n_eval_crops, int(eval_batch_size), device=device, amp=amp)
        if not np.isfinite(probs).all():
            raise FitError(f"non-finite validation predictions ({int((~np.isfinite(probs)).sum())} of {probs.size}) "
                           f"at epoch {epoch} ({policy.dtype} autocast); lower the learning rate or disable amp")
        score = auroc(y_val, probs[:, 0] if np.ndim(y_val) == 1 else probs)
        metrics = {"epoch": epoch, "train_loss": float(total_loss) / len(X), "val_auroc": score}
        best.history.append(metrics)
        best.epochs_run = epoch + 1
        if np.isfinite(score) and score > best.best_score:
            best.best_epoch, best.best_score = epoch, score
            best_state = _keep(model, best_state)
        if epoch_callback is not None:
            epoch_callback(epoch, metrics)
        if epoch - max(best.best_epoch, 0) >= recipe.patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return best
