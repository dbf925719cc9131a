"""Binary metrics at a threshold chosen on the inner validation split (never on the evaluated data).

Every metric is scikit-learn's. The Brier score is ``mean_squared_error(y, p)`` (its definition for a
binary outcome): ``brier_score_loss`` computes the same number as half the squared error summed over
the two columns ``(1 - p, p)``, whose rounding moves the last bit in about 0.3 % of cases, and stored
fold metrics are compared bit for bit (``tests/e2e/test_behaviour_snapshot.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    mean_squared_error,
    recall_score,
    roc_auc_score,
    roc_curve,
)

METRICS = ("auroc", "auprc", "f1", "sensitivity", "specificity", "balanced_accuracy", "gmean", "brier")


def auroc(y: np.ndarray, p: np.ndarray) -> float:
    """AUROC; macro over label columns (NaN labels ignored, one-class columns skipped) for 2-D ``y``."""
    y, p = np.asarray(y), np.asarray(p)
    if y.ndim == 1:
        return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")
    scores = []
    for j in range(y.shape[1]):
        known = ~np.isnan(y[:, j])
        yj = y[known, j]
        if 0 < yj.sum() < len(yj):
            scores.append(roc_auc_score(yj, p[known, j]))
    return float(np.mean(scores)) if scores else float("nan")


def choose_threshold(y: np.ndarray, p: np.ndarray, rule: str = "youden") -> float:
    """``youden``: maximise sensitivity + specificity - 1; ``f1``: maximise F1."""
    y, p = np.asarray(y).astype(int), np.asarray(p, dtype=float)
    if not 0 < y.sum() < len(y):
        return 0.5
    if rule == "youden":
        fpr, tpr, thr = roc_curve(y, p)
        best = int(np.argmax(tpr - fpr))
        return float(min(thr[best], 1.0))
    if rule == "f1":
        candidates = np.unique(p)
        f1 = [_confusion_f1(y, p >= t) for t in candidates]
        return float(candidates[int(np.argmax(f1))])
    raise ValueError(f"unknown threshold rule {rule!r}; use youden or f1")


def _confusion_f1(y: np.ndarray, pred: np.ndarray) -> float:
    """F1 from counts, for the threshold search only: it scores every distinct probability, and
    ``f1_score`` (about 5 ms a call for its input validation) would make that search hundreds of
    times slower. Same value as ``f1_score(y, pred, zero_division=0.0)`` (tests check it)."""
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


class NonFinitePredictions(ValueError):
    """Predicted probabilities with NaN/inf: the trial cannot be scored honestly (it is a FAIL)."""


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    """All of :data:`METRICS` for labels ``y`` and positive-class probabilities ``p``."""
    y, p = np.asarray(y).astype(int), np.asarray(p, dtype=float)
    bad = ~np.isfinite(p)
    if bad.any():
        raise NonFinitePredictions(f"{int(bad.sum())} of {len(p)} predicted probabilities are not finite (NaN/inf)")
    pred = (p >= threshold).astype(int)
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined scores (a class absent) are NaN by design, not news
        # a class absent from ``y``: its recall is undefined (NaN), and so is the balanced accuracy
        # (sklearn would average the one class left)
        sens = float(recall_score(y, pred, pos_label=1, zero_division=np.nan))
        spec = float(recall_score(y, pred, pos_label=0, zero_division=np.nan))
        balanced = float(balanced_accuracy_score(y, pred)) if pos and neg else float("nan")
        auprc = float(average_precision_score(y, p)) if pos else float("nan")
    return {
        "auroc": auroc(y, p),
        "auprc": auprc,
        "f1": float(f1_score(y, pred, zero_division=0.0)),  # no positive predicted nor present: 0
        "sensitivity": sens,
        "specificity": spec,
        "balanced_accuracy": balanced,
        "gmean": float(np.sqrt(sens * spec)),
        "brier": float(mean_squared_error(y, p)),  # see the module docstring
    }
