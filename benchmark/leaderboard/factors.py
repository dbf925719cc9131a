"""Factor effects: per-level AUROC of each studied factor, in two views, plus fANOVA importances.

The ranking only sees complete trials, and the median pruner removes the unlucky trials of weak
levels while keeping their lucky ones, so a complete-trial view flatters weak levels. The
*first-fold* view therefore uses every trial that finished the first fold (repeat 0, fold 0),
pruned ones included, on that fold's AUROC; the *complete* view uses the CV mean of complete trials.
TPE samples levels unevenly and trials are not independent draws, so the per-level intervals
(bootstrap over trials) describe spread, not a controlled experiment; Optuna's fANOVA importance
(Hutter et al. 2014, a random-forest functional ANOVA over the whole space) is given beside them.
Freezing depth is a fraction of the model's stages (so architectures compare), in quarters, and
"n/a (not pretrained)" for trials with nothing to freeze.
"""

from __future__ import annotations

import math
import warnings

import optuna
import pandas as pd
from optuna.trial import TrialState

from benchmark.leaderboard import stats
from benchmark.study.config import FACTORS
from benchmark.leaderboard.table import BASELINE, NOT_PRETRAINED, freezable, freeze_fraction, trial_folds

FACTOR_NAMES = {n: f.effect_label for n, f in FACTORS.items() if f.effect_label}  # factor -> its name in factors.csv
FIRST_FOLD = "first fold, every trial that finished it (pruned included)"
COMPLETE = "CV mean, complete trials only"
# 16 trees of depth <= 8 (Optuna's defaults are 64 and 64): on the 200-trial study the default took
# minutes for the 103-trial first-fold view alone, this 3.6 s, and a view has at most a few hundred trials
FANOVA_TREES, FANOVA_DEPTH = 16, 8
IMPORTANCE_METHOD = (f"fANOVA (Optuna FanovaImportanceEvaluator, {FANOVA_TREES} trees of depth <= {FANOVA_DEPTH}, "
                     "seed 0; Hutter et al. 2014)")


def level(config: dict, factor: str) -> str | None:
    """The level label of ``factor`` for a configuration (None: the factor is unknown)."""
    if factor == "freeze_fraction":
        if config.get("kind") == "baseline":
            return BASELINE
        if not freezable(config):
            return NOT_PRETRAINED
        fraction = freeze_fraction(config)
        return None if math.isnan(fraction) else f"{round(fraction * 4) / 4:.2f}"
    if config.get("kind") == "baseline" and FACTORS[factor].applies_to != "all":
        return BASELINE
    value = config.get(factor)
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


def trial_scores(study: optuna.Study) -> pd.DataFrame:
    """One row per trial that finished the first fold: its first-fold AUROC, its CV mean when
    complete, its state and its factor levels (anchor and search trials: ablation cells run on other
    folds)."""
    from benchmark.engines.planner import is_search

    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)):
        if not is_search(t):
            continue
        folds = trial_folds(t)
        first = folds[(folds["repeat"] == 0) & (folds["fold"] == 0)] if len(folds) else folds
        if first.empty or not math.isfinite(float(first["auroc"].iloc[0])):
            continue
        config = t.user_attrs.get("config", {})
        rows.append({"trial": t.number, "state": t.state.name.lower(), "first_fold_auroc": float(first["auroc"].iloc[0]),
                     "cv_auroc": float(t.value) if t.state == TrialState.COMPLETE and t.value is not None else math.nan,
                     **{f: level(config, f) for f in FACTOR_NAMES}})
    return pd.DataFrame(rows)


def marginal_effects(study: optuna.Study) -> pd.DataFrame:
    """Per view, factor and level: trials, mean AUROC, a bootstrap 95 % interval over trials (none
    for a single trial) and the best AUROC."""
    scores = trial_scores(study)
    rows = []
    if scores.empty:
        return pd.DataFrame(rows)
    for view, column in ((FIRST_FOLD, "first_fold_auroc"), (COMPLETE, "cv_auroc")):
        data = scores.dropna(subset=[column])
        for factor, label in FACTOR_NAMES.items():
            for lvl, group in data.dropna(subset=[factor]).groupby(factor, sort=True):
                values = group[column].to_numpy()
                lo, hi = stats.bootstrap_mean_interval(values)
                rows.append({"view": view, "factor": label, "level": lvl, "trials": len(values),
                             "pruned": int((group["state"] == "pruned").sum()), "mean_auroc": float(values.mean()),
                             "ci_low": lo, "ci_high": hi, "best_auroc": float(values.max()),
                             "method": stats.LEVEL_MEAN_METHOD})
    return pd.DataFrame(rows)


def _first_fold_study(study: optuna.Study, scores: pd.DataFrame) -> optuna.Study:
    """An in-memory study whose trials carry the first-fold AUROC as their value."""
    view = optuna.create_study(direction="maximize")
    value = dict(zip(scores["trial"], scores["first_fold_auroc"]))
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)):
        if t.number in value:
            view.add_trial(optuna.trial.create_trial(params=t.params, distributions=t.distributions,
                                                     value=value[t.number]))
    return view


def _family_studies(study: optuna.Study) -> dict[str, optuna.Study]:
    """Per family, an in-memory study of its complete search trials: fANOVA then ranks the family's
    own conditional parameters (crop, pretraining, freezing, its architecture), which a whole-study
    view cannot see because not every trial has them."""
    from benchmark.engines.planner import is_search

    out: dict[str, optuna.Study] = {}
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        family = t.user_attrs.get("config", {}).get("family")
        if not family or not is_search(t):
            continue
        view = out.setdefault(family, optuna.create_study(direction="maximize"))
        view.add_trial(optuna.trial.create_trial(params=t.params, distributions=t.distributions, value=t.value))
    return {f: v for f, v in out.items() if len(v.trials) >= 4}


def importances(study: optuna.Study) -> dict[str, dict[str, float]]:
    """fANOVA importances of the parameters every trial of a view has: the first fold of every trial,
    the complete search trials, and each family's complete search trials (its own conditional
    parameters); a view with fewer than 4 trials is left out."""
    from benchmark.engines.planner import is_search

    scores = trial_scores(study)
    views = {}
    if len(scores) >= 4:
        views[FIRST_FOLD] = _first_fold_study(study, scores)
    search = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if is_search(t)]
    if len(search) >= 4:
        view = optuna.create_study(direction="maximize")
        for t in search:
            view.add_trial(optuna.trial.create_trial(params=t.params, distributions=t.distributions, value=t.value))
        views[COMPLETE] = view
    for family, view in _family_studies(study).items():
        views[f"{family}: {COMPLETE}"] = view
    out: dict[str, dict[str, float]] = {}
    for name, view in views.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[name] = {k: float(v) for k, v in optuna.importance.get_param_importances(
                    view, evaluator=optuna.importance.FanovaImportanceEvaluator(
                        n_trees=FANOVA_TREES, max_depth=FANOVA_DEPTH, seed=0)).items()}
        except (RuntimeError, ValueError):  # e.g. no parameter shared by every trial
            continue
    return out
