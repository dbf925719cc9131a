"""The deep classifier: a registered model, its preprocessing and one training
:class:`~benchmark.training.loop.Recipe` (early stopping on the inner validation part), under the
fit protocol of :class:`benchmark.estimators.base.ECGClassifier`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from benchmark.data.lazy import LazySignals
from benchmark.errors import ConfigError
from benchmark.estimators.base import ECGClassifier
from benchmark.estimators.inputs import check_fitted
from benchmark.models import create_model
from benchmark.training.loop import EVAL_BATCH_SIZE, FitResult, Recipe, fit as fit_loop, predict_probs
from benchmark.training.transfer import transfer
from benchmark.transforms.augment import Augment

EVAL_CROPS = ("cover", "centre")  # or a number of evenly spaced windows


class DeepClassifier(ECGClassifier):
    """A registered deep model trained with the one loop and one :class:`Recipe` (default:
    ``Recipe()``). Binary ``y`` (n,) or, for pretraining, multi-label (n, k). ``eval_batch_size``:
    records per forward pass in validation and prediction, independent of the training batch."""

    accepts_multilabel = True
    reads_batches = True

    def __init__(self, model: str = "resnet1d18", model_kwargs: dict | None = None, fs: float = 100.0,
                 filter: str = "none", normalization: str = "zscore", crop_seconds: float = 2.5,
                 eval_crops: int | str = "centre", augment: bool = False, recipe: Recipe | None = None,
                 val_fraction: float = 0.2, threshold_rule: str = "youden", threshold_from: str = "inner",
                 init_checkpoint: str | None = None, freeze_depth: int | None = None, device: str = "cpu",
                 amp: bool = True, seed: int = 0, eval_batch_size: int = EVAL_BATCH_SIZE):
        self.model = model
        self.model_kwargs = model_kwargs
        self.fs = fs
        self.filter = filter
        self.normalization = normalization
        self.crop_seconds = crop_seconds
        self.eval_crops = eval_crops
        self.augment = augment
        self.recipe = recipe
        self.val_fraction = val_fraction
        self.threshold_rule = threshold_rule
        self.threshold_from = threshold_from
        self.init_checkpoint = init_checkpoint
        self.freeze_depth = freeze_depth
        self.device = device
        self.amp = amp
        self.seed = seed
        self.eval_batch_size = eval_batch_size

    @property
    def signal_filter(self) -> str:
        return self.filter

    # -- helpers --------------------------------------------------------------------------------
    def _crop(self, length: int) -> int:
        return min(length, int(round(self.crop_seconds * self.fs)))

    def _n_eval_crops(self, length: int) -> int:
        """Evaluation windows per record: ``cover`` = the fewest evenly spaced crops that cover the
        whole record (their predictions are averaged), ``centre`` = the centre crop only."""
        if self.eval_crops == "cover":
            return math.ceil(length / self._crop(length))
        if self.eval_crops == "centre":
            return 1
        if isinstance(self.eval_crops, str) or int(self.eval_crops) < 1:
            raise ConfigError(f"eval_crops must be {' or '.join(EVAL_CROPS)} or a positive count, "
                              f"got {self.eval_crops!r}")
        return int(self.eval_crops)

    def build_model(self, n_out: int):
        model = create_model(self.model, n_classes=n_out, **(self.model_kwargs or {}))
        if self.init_checkpoint or self.freeze_depth:  # None / 0 without a checkpoint: all trainable
            transfer(model, self.init_checkpoint, self.freeze_depth or 0)
        return model

    # -- the protocol's steps -------------------------------------------------------------------
    def _fit(self, X, y, fit_idx, val_idx, epoch_callback=None):
        Xp = self.preprocess_.transform(X)
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        torch.manual_seed(self.seed)
        self.model_ = self.build_model(self.n_outputs_)
        self.fit_result_: FitResult = fit_loop(
            self.model_, Xp[fit_idx], y[fit_idx], Xp[val_idx], y[val_idx], self.recipe or Recipe(),
            self._crop(X.shape[-1]), seed=self.seed, device=self.device, amp=self.amp,
            n_eval_crops=self._n_eval_crops(X.shape[-1]), augment=Augment() if self.augment else None,
            epoch_callback=epoch_callback, eval_batch_size=self.eval_batch_size)
        self.best_epoch_ = self.fit_result_.best_epoch
        return self._probs(Xp[val_idx])[:, 0] if y.ndim == 1 else None

    def _probs(self, Xp: np.ndarray | LazySignals) -> np.ndarray:
        """(n, outputs) probabilities of preprocessed signals (an array, or read batch by batch)."""
        return predict_probs(self.model_, Xp, self._crop(Xp.shape[-1]), self._n_eval_crops(Xp.shape[-1]),
                             self.eval_batch_size, device=self.device, amp=self.amp)

    def _predict_proba(self, X: np.ndarray | LazySignals) -> np.ndarray:
        p = self._probs(self.preprocess_.transform(X))
        return p[:, 0] if self.n_outputs_ == 1 else p

    @property
    def n_parameters_(self) -> int:
        """Every parameter of the network (trainable or frozen)."""
        check_fitted(self)
        return int(sum(p.numel() for p in self.model_.parameters()))
