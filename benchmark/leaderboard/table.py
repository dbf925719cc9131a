"""The leaderboard table: one row per completed trial, computed from the stored per-fold metrics.

CV mean ± std over folds, a 95 % t-interval, and a paired t-test across folds against the best
configuration (``scipy.stats.ttest_rel``): rows with p >= 0.05 are marked as statistically
indistinguishable from the best. With 3-5 folds such a test has little power, so the mark means
"not shown to be worse", not "as good". Pruned and failed trials are counted, never ranked.
"""

from __future__ import annotations

import math

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState
from scipy import stats

METRIC_COLUMNS = ("auroc", "auprc", "f1", "sensitivity", "specificity", "balanced_accuracy", "brier")
FACTORS = ("family", "model", "crop_seconds", "filter", "normalization", "pretrain", "freeze_depth")


def fold_frame(study: optuna.Study) -> pd.DataFrame:
    """Long table: one row per (completed trial, fold) with every stored fold metric."""
    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        for f in t.user_attrs.get("folds", []):
            rows.append({"trial": t.number, **f})
    return pd.DataFrame(rows)


def _factor(config: dict, key: str):
    if key in ("crop_seconds", "filter", "pretrain", "freeze_depth") and config.get("kind") == "baseline":
        return np.nan  # does not apply: an empty cell, never a string in a numeric column
    return config.get(key, np.nan)


def leaderboard(study: optuna.Study) -> pd.DataFrame:
    """Rows sorted by CV AUROC mean; ``tied_with_best`` marks the indistinguishable group."""
    folds = fold_frame(study)
    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        config = t.user_attrs.get("config", {})
        f = folds[folds["trial"] == t.number] if len(folds) else folds
        if f.empty:
            continue
        k = len(f)
        row = {"trial": t.number, "kind": config.get("kind", ""), **{key: _factor(config, key) for key in FACTORS},
               "folds": k}
        for metric in METRIC_COLUMNS:
            values = f[metric].to_numpy(dtype=float)
            row[f"{metric}_mean"] = float(np.mean(values))
            row[f"{metric}_std"] = float(np.std(values, ddof=1)) if k > 1 else 0.0
        half = stats.t.ppf(0.975, k - 1) * row["auroc_std"] / math.sqrt(k) if k > 1 else float("nan")
        # clipped to AUROC's range [0, 1]
        row["auroc_ci_low"] = max(0.0, row["auroc_mean"] - half)
        row["auroc_ci_high"] = min(1.0, row["auroc_mean"] + half)
        row["n_parameters"] = t.user_attrs.get("n_parameters", 0)
        row["fit_seconds_total"] = t.user_attrs.get("fit_seconds", float(f["fit_seconds"].sum()))  # summed over folds
        row["fit_seconds_per_fold"] = row["fit_seconds_total"] / k
        row["seed"] = t.user_attrs.get("seed")
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["auroc_mean", "trial"], ascending=[False, True]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    best = folds[folds["trial"] == table["trial"].iloc[0]].sort_values("fold")["auroc"].to_numpy()
    p_values = []
    for trial in table["trial"]:
        other = folds[folds["trial"] == trial].sort_values("fold")["auroc"].to_numpy()
        if trial == table["trial"].iloc[0]:
            p_values.append(1.0)
        elif len(other) != len(best) or len(best) < 2 or np.allclose(other, best):
            p_values.append(1.0 if np.allclose(other, best) else float("nan"))
        else:
            p_values.append(float(stats.ttest_rel(best, other).pvalue))
    table["p_vs_best"] = p_values
    table["tied_with_best"] = [bool(p >= 0.05) if not math.isnan(p) else False for p in p_values]
    return table

