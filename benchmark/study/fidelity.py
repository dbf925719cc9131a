"""The pruning fidelity: one monotone step that combines the epochs of the first fold and the folds.

A trial reports

* at step ``e`` (``0 <= e < max_epochs``): the inner-validation AUROC after epoch ``e`` of its
  **first** fold (deep models only; the inner validation is carved from the fold's training part,
  so nothing evaluated is seen);
* at step ``max_epochs + k``: the held-out AUROC of fold ``k`` once that fold has finished (every
  model; ``k`` counts (repeat, fold) pairs in order when folds are repeated).

Why this shape: a hopeless large configuration is stopped after a few epochs instead of a whole
fold (most of a trial's cost), while later folds, which are what the leaderboard ranks, still
count one step each. Epoch steps exist only in the first fold so that every pruner compares like
with like: the same epoch of the same fold across trials. Later folds' epochs are not reported:
their values would be compared at the same step as fold 0's and would mix two different
validation sets. Baselines (no epochs) report fold steps only, so they are compared with one
another and with deep trials at fold steps. Both engines (Optuna's pruners and Ray's ASHA) read
these functions; the stored per-fold metrics are unchanged.
"""

from __future__ import annotations


def epoch_step(fold_index: int, epoch: int, max_epochs: int) -> int | None:
    """The step of ``epoch`` in fold ``fold_index``, or None when that epoch is not reported."""
    if fold_index != 0 or epoch >= max_epochs:
        return None
    return epoch


def fold_step(fold_index: int, max_epochs: int) -> int:
    """The step at which fold ``fold_index`` (0-based, over all repeats) reports its AUROC."""
    return max_epochs + fold_index


def max_resource(n_fold_evaluations: int, max_epochs: int) -> int:
    """The number of steps a complete trial reports at most (Hyperband's / ASHA's ``max_t``)."""
    return max_epochs + n_fold_evaluations
