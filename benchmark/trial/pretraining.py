"""Pretraining orchestration: the backbone a trial's configuration asks for, trained once on a
source task and kept in a checkpoint cache shared by every trial and worker.

The cache key covers (source, model name + arguments, fs, filter, normalization, pretraining
recipe, source manifest hash, seed). A key is trained once: workers racing for it take a file lock,
and the checkpoint is written to a temporary file and renamed into place, so nobody reads a
half-written file. A SHA-256 sidecar (``<checkpoint>.sha256``, written after the checkpoint) is
verified on every use: a truncated or altered checkpoint, or one without its sidecar, is rebuilt
under the same lock. Each real pretraining run appends one line to ``runs.log`` beside the
checkpoints (what the tests count).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from filelock import FileLock

from benchmark.atomic import write_atomically, write_text
from benchmark.data.paths import cache_dir
from benchmark.data.store import sha256_file
from benchmark.estimators.deep import DeepClassifier
from benchmark.training.loop import Recipe


@dataclass(frozen=True)
class PretrainSpec:
    """Everything that determines a pretrained backbone."""

    source: str  # a pretraining level: a pretraining source ("ptbxl", "cpsc2018", ...) or a pool ("both")
    model: str
    model_kwargs: dict = field(default_factory=dict)
    fs: float = 100.0
    filter: str = "none"
    normalization: str = "zscore"
    crop_seconds: float = 2.5
    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-2
    source_hash: str = ""
    seed: int = 0
    recipe_version: int = 2  # bump when pretraining code changes its results: old checkpoints are not reused

    @classmethod
    def for_trial(cls, config, fs: float, epochs: int, source_hash: str, seed: int) -> "PretrainSpec":
        """The pretraining a :class:`~benchmark.study.config.TrialConfig` with ``config.pretrained`` needs:
        the trial's model, preprocessing, crop and batch size, for ``epochs`` epochs (the budget's
        ``pretrain_epochs``) at this spec's own learning rate and weight decay (pretraining is shared
        by every trial of the architecture, so the trial's own values do not enter it)."""
        return cls(source=config.pretrain, model=config.model, model_kwargs=dict(config.model_kwargs), fs=fs,
                   filter=config.filter, normalization=config.normalization, crop_seconds=config.crop_seconds,
                   epochs=epochs, batch_size=config.recipe.batch_size, source_hash=source_hash, seed=seed)

    def recipe(self) -> Recipe:
        """The pretraining run's recipe: no early stop before the last epoch."""
        return Recipe(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, weight_decay=self.weight_decay,
                      patience=self.epochs)

    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()


def checkpoint_dir(root: Path | None = None) -> Path:
    return Path(root) if root is not None else cache_dir() / "checkpoints"


def checkpoint_path(spec: PretrainSpec, root: Path | None = None) -> Path:
    return checkpoint_dir(root) / f"{spec.source}-{spec.model}-{spec.key()[:16]}.pt"


def run_pretraining(spec: PretrainSpec, X: np.ndarray, Y: np.ndarray, groups: np.ndarray, device: str = "cpu") -> dict:
    """Train ``spec.model`` on the multi-label source data; return the checkpoint payload."""
    est = DeepClassifier(model=spec.model, model_kwargs=dict(spec.model_kwargs), fs=spec.fs, filter=spec.filter,
                         normalization=spec.normalization, crop_seconds=spec.crop_seconds, recipe=spec.recipe(),
                         seed=spec.seed, device=device)
    est.fit(X, Y, groups=groups)
    return {"backbone": est.model_.backbone_state(), "spec": asdict(spec),
            "best_epoch": est.fit_result_.best_epoch, "val_auroc": est.fit_result_.best_score}


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _intact(path: Path) -> bool:
    """The checkpoint exists and matches the checksum written beside it when it was made."""
    try:
        return path.is_file() and sha256_file(path) == _sidecar(path).read_text().split()[0]
    except (OSError, IndexError):
        return False


def get_checkpoint(spec: PretrainSpec, load_data: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]],
                   root: Path | None = None, device: str = "cpu") -> Path:
    """The cached checkpoint of ``spec``, pretraining once if needed (``load_data`` -> X, Y, groups);
    a checkpoint that fails its checksum is rebuilt."""
    path = checkpoint_path(spec, root)
    if _intact(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        if _intact(path):
            return path
        if path.exists():
            print(f"notice: checkpoint {path.name} does not match its checksum (truncated or altered, or made "
                  "before checksums); rebuilding", file=sys.stderr)
        start = time.time()
        X, Y, groups = load_data()
        payload = run_pretraining(spec, X, Y, groups, device)
        write_atomically(path, lambda tmp: torch.save(payload, tmp))
        digest = sha256_file(path)
        write_text(_sidecar(path), f"{digest}  {path.name}\n")
        with open(path.parent / "runs.log", "a") as log:
            log.write(json.dumps({"key": spec.key(), "source": spec.source, "model": spec.model,
                                  "seconds": round(time.time() - start, 1), "pid": os.getpid()}) + "\n")
    return path
