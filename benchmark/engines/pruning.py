"""The family-scoped pruner: a trial is stopped only by trials of its own family.

On the fidelity of :mod:`benchmark.study.fidelity` (epochs of the first fold, then one step per
(repeat, fold) block):

* **Epoch steps**: never before the budget's ``min_epochs`` epochs; then a trial is pruned when its
  inner-validation AUROC *at that step* (not its best so far) is below the median of at least
  ``min_trials`` other trials **of its family** at the same step.
* **Fold steps**: a race against the family's incumbent (its best complete search trial) on the
  blocks both have, as SMAC intensifies over instances (Hutter et al. 2011): from the
  ``min_blocks``-th shared block on, a one-sided Nadeau-Bengio corrected paired t-test (Nadeau &
  Bengio 2003) of "this trial is worse" with ``p < alpha`` prunes. One block never decides.

A trial the planner marks unpruned (anchors, random draws, ablation cells:
:data:`benchmark.engines.planner.UNPRUNED_PHASES`) is never pruned. Trials of other families are
never read, so a MiniRocket bar can never stop a deep trial.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import optuna
from optuna.trial import TrialState

from benchmark.engines.planner import is_search, plan_of, prunable

MIN_TRIALS = 4  # same-family trials at a step before an epoch-step median decides
MIN_BLOCKS = 3  # shared (repeat, fold) blocks before a race decides
ALPHA = 0.1  # one-sided level of the race


@dataclass(frozen=True)
class Decision:
    prune: bool
    rule: str  # "warmup", "epoch-median", "race", "unprunable", ...
    comparators: int = 0  # same-family trials (epoch) or shared blocks (race) behind the decision
    bar: float = math.nan  # the median (epoch) or the incumbent's mean on the shared blocks (race)
    p: float = math.nan


def one_sided_worse(a, b, test_train_ratio: float) -> float:
    """p of the one-sided corrected paired t-test that ``a`` (per block) is below ``b``."""
    from scipy import stats

    from benchmark.leaderboard.stats import corrected_ttest

    t, _ = corrected_ttest(a, b, test_train_ratio)
    if math.isnan(t):
        return math.nan
    return float(stats.t.cdf(t, len(a) - 1)) if math.isfinite(t) else (0.0 if t < 0 else 1.0)


class FamilyPruner(optuna.pruners.BasePruner):
    def __init__(self, max_epochs: int, min_epochs: int, test_train_ratio: float, min_trials: int = MIN_TRIALS,
                 min_blocks: int = MIN_BLOCKS, alpha: float = ALPHA):
        self.max_epochs, self.min_epochs, self.ratio = max_epochs, min_epochs, test_train_ratio
        self.min_trials, self.min_blocks, self.alpha = min_trials, min_blocks, alpha

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        return self.decide(study.get_trials(deepcopy=False), trial).prune

    def decide(self, trials: list, trial: optuna.trial.FrozenTrial) -> Decision:
        """The decision at ``trial``'s last step against ``trials`` (the study's, in any state)."""
        if not prunable(trial):
            return Decision(False, "unprunable")
        step = trial.last_step
        if step is None:
            return Decision(False, "no step")
        family = plan_of(trial).get("family")
        same = [t for t in trials if t.number != trial.number and plan_of(t).get("family") == family and is_search(t)
                and t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)]
        if step < self.max_epochs:
            if step + 1 < self.min_epochs:
                return Decision(False, "warmup")
            values = [t.intermediate_values[step] for t in same if step in t.intermediate_values]
            if len(values) < self.min_trials:
                return Decision(False, "too few same-family trials", len(values))
            bar = float(np.median(values))
            return Decision(trial.intermediate_values[step] < bar, "epoch-median", len(values), bar)
        complete = [t for t in same if t.state == TrialState.COMPLETE and t.value is not None]
        if not complete:
            return Decision(False, "no incumbent")
        incumbent = max(complete, key=lambda t: (t.value, -t.number))
        shared = sorted(s for s in trial.intermediate_values if s >= self.max_epochs and s in incumbent.intermediate_values)
        if len(shared) < self.min_blocks:
            return Decision(False, "too few shared blocks", len(shared))
        a = [trial.intermediate_values[s] for s in shared]
        b = [incumbent.intermediate_values[s] for s in shared]
        p = one_sided_worse(a, b, self.ratio)
        return Decision(bool(p < self.alpha), "race", len(shared), float(np.mean(b)), p)


class Unpruned(optuna.pruners.BasePruner):
    """Any Optuna pruner, except that trials the planner marks unpruned are never pruned."""

    def __init__(self, inner: optuna.pruners.BasePruner):
        self.inner = inner

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        return prunable(trial) and self.inner.prune(study, trial)
