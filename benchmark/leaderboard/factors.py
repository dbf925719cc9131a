"""Factor analysis: the marginal effect of each factor on CV AUROC, with uncertainty, plus Optuna's
parameter importances."""

from __future__ import annotations

import warnings

import numpy as np
import optuna
import pandas as pd
from scipy import stats

FACTOR_NAMES = {"family": "architecture family", "crop_seconds": "crop length (s)", "normalization": "normalization",
                "pretrain": "pretraining source", "freeze_depth": "freezing depth", "filter": "filter"}


def marginal_effects(table: pd.DataFrame) -> pd.DataFrame:
    """Per factor level: trials, mean CV AUROC, standard error and a 95 % t-interval over trials."""
    rows = []
    for factor, label in FACTOR_NAMES.items():
        if factor not in table.columns:
            continue
        for level, group in table.dropna(subset=[factor]).groupby(factor):
            values = group["auroc_mean"].to_numpy()
            n = len(values)
            se = float(np.std(values, ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
            half = float(stats.t.ppf(0.975, n - 1) * se) if n > 1 else float("nan")
            rows.append({"factor": label, "level": str(level), "trials": n, "mean_cv_auroc": float(values.mean()),
                         "se": se, "ci_low": max(0.0, float(values.mean()) - half) if n > 1 else float("nan"),
                         "ci_high": min(1.0, float(values.mean()) + half) if n > 1 else float("nan"),  # one trial: none
                         "best_cv_auroc": float(values.max())})
    return pd.DataFrame(rows)


def importances(study: optuna.Study) -> dict[str, float]:
    """PED-ANOVA importances over the completed trials (empty when too few trials)."""
    done = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    if len(done) < 4:
        return {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(optuna.importance.get_param_importances(
                study, evaluator=optuna.importance.PedAnovaImportanceEvaluator()))
    except Exception:
        return {}
