"""Scikit-learn-style classifiers the search calls the same way: ``fit(X, y, groups)``,
``predict_proba(X)`` on arrays ``(n, leads, T)``.

:class:`DeepClassifier` wraps a registered model + preprocessing + training recipe. Early
stopping and the decision threshold use an inner validation split carved *by patient* from the
data passed to ``fit``; normalization statistics are fitted on the inner training part only.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin

from benchmark.data.splits import inner_split
from benchmark.inputs import ECGInputMixin, check_fit_input, check_fitted, check_X
from benchmark.models import create_model
from benchmark.training.loop import FitResult, Recipe, fit as fit_loop, predict_probs
from benchmark.training.metrics import choose_threshold
from benchmark.training.transfer import transfer
from benchmark.transforms.augment import Augment
from benchmark.transforms.pipeline import Preprocess


def _strata(y: np.ndarray) -> np.ndarray:
    """Labels to stratify the inner split on: ``y`` itself, or for multi-label data the most
    balanced label column (unknown = NaN counts as negative)."""
    if y.ndim == 1:
        return y
    pos = np.nansum(y, axis=0)
    neg = (~np.isnan(y)).sum(axis=0) - pos
    return np.nan_to_num(y[:, int(np.argmax(np.minimum(pos, neg)))])


class DeepClassifier(ECGInputMixin, ClassifierMixin, BaseEstimator):
    """A registered deep model trained with the one loop. Binary ``y`` (n,) or multi-label (n, k)."""

    reports_epochs = True  # fit() takes an epoch_callback (for pruning schedulers)

    def __init__(self, model: str = "resnet1d18", model_kwargs: dict | None = None, fs: float = 100.0,
                 filter: str = "none", normalization: str = "zscore", crop_seconds: float = 2.5,
                 eval_crops: int = 1, augment: bool = False, epochs: int = 30, batch_size: int = 64,
                 lr: float = 1e-3, weight_decay: float = 1e-2, schedule: str = "cosine", loss: str = "bce",
                 focal_gamma: float = 2.0, patience: int = 8, grad_clip: float = 1.0, val_fraction: float = 0.2,
                 threshold_rule: str = "youden", init_checkpoint: str | None = None, freeze_depth: int = 0,
                 backbone_lr_mult: float = 1.0, device: str = "cpu", amp: bool = True, seed: int = 0):
        self.model = model
        self.model_kwargs = model_kwargs
        self.fs = fs
        self.filter = filter
        self.normalization = normalization
        self.crop_seconds = crop_seconds
        self.eval_crops = eval_crops
        self.augment = augment
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.schedule = schedule
        self.loss = loss
        self.focal_gamma = focal_gamma
        self.patience = patience
        self.grad_clip = grad_clip
        self.val_fraction = val_fraction
        self.threshold_rule = threshold_rule
        self.init_checkpoint = init_checkpoint
        self.freeze_depth = freeze_depth
        self.backbone_lr_mult = backbone_lr_mult
        self.device = device
        self.amp = amp
        self.seed = seed

    # -- helpers --------------------------------------------------------------------------------
    def _crop(self, length: int) -> int:
        return min(length, int(round(self.crop_seconds * self.fs)))

    def _recipe(self) -> Recipe:
        return Recipe(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, weight_decay=self.weight_decay,
                      schedule=self.schedule, loss=self.loss, focal_gamma=self.focal_gamma, patience=self.patience,
                      grad_clip=self.grad_clip, backbone_lr_mult=self.backbone_lr_mult)

    def build_model(self, n_out: int):
        model = create_model(self.model, n_classes=n_out, **(self.model_kwargs or {}))
        if self.init_checkpoint:
            transfer(model, self.init_checkpoint, self.freeze_depth)
        return model

    # -- scikit-learn API -----------------------------------------------------------------------
    def fit(self, X, y, groups=None, epoch_callback=None) -> "DeepClassifier":
        """``X`` (n, leads, T) finite; ``y`` two classes (any labels; ``classes_[1]`` is positive), or
        a multi-label (n, k) matrix of 0/1 with NaN for unknown (pretraining); ``groups`` patient ids."""
        X, self.classes_, y, groups = check_fit_input(X, y, groups, self, multilabel=True)
        self.n_features_in_ = X.shape[1]
        fit_idx, val_idx = inner_split(_strata(y), groups, self.val_fraction, self.seed)
        self.inner_split_ = (fit_idx, val_idx)
        self.preprocess_ = Preprocess(self.fs, self.filter, self.normalization).fit(X[fit_idx])
        Xp = self.preprocess_.transform(X)
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        torch.manual_seed(self.seed)
        self.model_ = self.build_model(self.n_outputs_)
        self.fit_result_: FitResult = fit_loop(
            self.model_, Xp[fit_idx], y[fit_idx], Xp[val_idx], y[val_idx], self._recipe(), self._crop(X.shape[-1]),
            seed=self.seed, device=self.device, amp=self.amp, n_eval_crops=self.eval_crops,
            augment=Augment() if self.augment else None, epoch_callback=epoch_callback)
        val_p = self._probs(Xp[val_idx], preprocessed=True)
        self.threshold_ = choose_threshold(y[val_idx], val_p[:, 0], self.threshold_rule) if y.ndim == 1 else 0.5
        self.best_epoch_ = self.fit_result_.best_epoch
        return self

    def _probs(self, X: np.ndarray, preprocessed: bool = False) -> np.ndarray:
        Xp = X if preprocessed else self.preprocess_.transform(np.asarray(X, dtype=np.float32))
        return predict_probs(self.model_, torch.from_numpy(np.ascontiguousarray(Xp)), self._crop(Xp.shape[-1]),
                              self.eval_crops, device=self.device, amp=self.amp)

    def predict_proba(self, X) -> np.ndarray:
        """(n, 2) for binary targets: P(``classes_[0]``), P(``classes_[1]``); (n, k) for multi-label."""
        check_fitted(self)
        p = self._probs(check_X(X, self, fitted=True))
        return np.column_stack([1 - p[:, 0], p[:, 0]]) if self.n_outputs_ == 1 else p

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where its probability reaches the threshold chosen on the inner validation."""
        positive = self.predict_proba(X)[:, 1] >= self.threshold_  # checks fitted first
        return self.classes_[positive.astype(int)]

    @property
    def n_parameters_(self) -> int:
        """Every parameter of the network (trainable or frozen)."""
        check_fitted(self)
        return int(sum(p.numel() for p in self.model_.parameters()))
