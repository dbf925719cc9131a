"""Cross-validation over the persisted dev folds. One fold: fit a fresh clone on the fold's
training part, evaluate once on its held-out part.

The estimator sees only training records (its inner split then carves validation by patient),
left in the store (:meth:`~benchmark.data.dataset.CohortData.signals`: a large fold is read batch
by batch, a small one whole, :func:`~benchmark.estimators.inputs.as_input`);
the evaluated records are used for nothing but the returned metrics. The locked test is in
neither part.

Repeated CV visits (repeat, fold) pairs repeat-major; :func:`cv_step` numbers them
``repeat * K + fold``, the monotone step every pruner and scheduler sees, and repeat ``r`` trains
with seed :func:`repeat_seed` so seed variance enters the estimate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from benchmark.data.dataset import CohortData
from benchmark.data.splits import REPEAT_SEED_STEP, Split
from benchmark.estimators.inputs import as_input
from benchmark.training.cost import timed_predict_proba
from benchmark.training.metrics import binary_metrics


def repeat_seed(seed: int, repeat: int) -> int:
    """Training seed of ``repeat`` (repeat 0 keeps ``seed``), stepped like the repeat's fold seed."""
    return seed + REPEAT_SEED_STEP * repeat


def cv_steps(split: Split) -> list[tuple[int, int]]:
    """Every (repeat, fold) of ``split``, repeat-major (the order of the stored fold rows)."""
    return [(r, k) for r in range(split.repeats) for k in range(split.n_folds)]


def cv_step(repeat: int, fold: int, n_folds: int) -> int:
    return repeat * n_folds + fold


@dataclass
class FoldResult:
    fold: int
    metrics: dict[str, float]
    fit_seconds: float
    n_parameters: int
    estimator: object
    probabilities: np.ndarray
    predict_ms_per_record: float = float("nan")
    n_train: int = 0
    n_eval: int = 0


def run_fold(estimator, cohort: CohortData, split: Split, k: int, epoch_callback=None, repeat: int = 0,
             seed: int | None = None) -> FoldResult:
    """Fold ``k`` of ``repeat`` for an :class:`~benchmark.estimators.base.ECGClassifier` (a deep model
    calls ``epoch_callback`` after each epoch); ``seed`` (when given) replaces its training seed."""
    train_ids, eval_ids = split.fold(k, repeat)
    est = clone(estimator) if seed is None else clone(estimator).set_params(seed=seed)
    start = time.perf_counter()
    est.fit(cohort.signals(train_ids), cohort.y(train_ids), groups=cohort.groups(train_ids),
            epoch_callback=epoch_callback)
    fit_seconds = time.perf_counter() - start
    proba, predict_ms = timed_predict_proba(est, as_input(cohort.signals(eval_ids), est))
    p = proba[:, 1]
    metrics = binary_metrics(cohort.y(eval_ids), p, est.threshold_)
    return FoldResult(k, metrics, fit_seconds, int(getattr(est, "n_parameters_", 0)), est, p, predict_ms,
                      n_train=len(train_ids), n_eval=len(eval_ids))
