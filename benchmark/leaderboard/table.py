"""The leaderboard table: one row per completed trial, computed from the stored per-fold metrics.

CV AUROC is the *selection score* (see :data:`~benchmark.leaderboard.stats.SELECTION_NOTE`): the
mean over the (repeat, fold) blocks, its std, and an interval and a comparison against rank 1 that
allow for the correlation of CV estimates (Nadeau-Bengio corrected resampled t, in ``stats.py``).
Every hyperparameter of a row's configuration is in it (``config``: the stored configuration as JSON). Pruned
and failed trials are counted, never ranked.
"""

from __future__ import annotations

import json
import math

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState

from benchmark.leaderboard import stats
from benchmark.study.config import NO_PRETRAINING, freezable as config_freezable

METRIC_COLUMNS = ("auroc", "auprc", "f1", "sensitivity", "specificity", "balanced_accuracy", "brier")
RECIPE = ("lr", "weight_decay", "batch_size", "loss", "focal_gamma", "epochs")
NOT_PRETRAINED = "n/a (not pretrained)"
BASELINE = "n/a (baseline)"


def trial_folds(trial) -> pd.DataFrame:
    """A trial's stored fold rows (a missing ``repeat`` is repeat 0), repeat-major."""
    rows = [{"repeat": 0, **f} for f in trial.user_attrs.get("folds", [])]
    frame = pd.DataFrame(rows)
    return frame.sort_values(["repeat", "fold"], kind="stable").reset_index(drop=True) if len(frame) else frame


def search_trials(study: optuna.Study, states=(TrialState.COMPLETE,)) -> list:
    """The study's anchor and search trials: the ablation cells run on another fold partition and
    are read by :mod:`benchmark.leaderboard.answers`, not ranked here."""
    from benchmark.engines.planner import is_search

    return [t for t in study.get_trials(deepcopy=False, states=states) if is_search(t)]


def fold_frame(study: optuna.Study, states=(TrialState.COMPLETE,)) -> pd.DataFrame:
    """Long table: one row per (trial, repeat, fold) of the search trials with every stored fold metric."""
    frames = [trial_folds(t).assign(trial=t.number) for t in search_trials(study, states)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def freezable(config: dict) -> bool:
    """A stored deep configuration whose encoder has stages to freeze (:func:`benchmark.study.config.freezable`)."""
    return config.get("kind") == "deep" and config_freezable(config.get("pretrain", NO_PRETRAINING))


def freeze_fraction(config: dict) -> float:
    """Frozen stages / the model's stages; NaN when nothing was pretrained. Old configurations without
    ``freeze_fraction`` get it from the model's stage count (a model is built, no data is read)."""
    if not freezable(config) or config.get("freeze_depth") is None:
        return math.nan
    if config.get("freeze_fraction") is not None:
        return float(config["freeze_fraction"])
    from benchmark.study.space import stage_count

    return config["freeze_depth"] / stage_count(config["model"], tuple(sorted(config.get("model_kwargs", {}).items())))


def config_columns(config: dict) -> dict:
    """The shared factors and the recipe as columns, plus the whole stored configuration as sorted
    JSON in ``config`` (model arguments such as ``num_kernels``, ``C``, ``width`` included). A value
    that does not apply (a baseline's crop, an unpretrained trial's freezing) is an empty cell."""
    baseline = config.get("kind") == "baseline"
    cols = {"family": config.get("family", ""), "model": config.get("model", ""),
            "crop_seconds": math.nan if baseline else config.get("crop_seconds", math.nan),
            "filter": math.nan if baseline else config.get("filter", math.nan),
            "normalization": config.get("normalization", ""),
            "pretrain": math.nan if baseline else config.get("pretrain", "none"),
            "freeze_depth": config["freeze_depth"] if freezable(config) and config.get("freeze_depth") is not None
            else math.nan,
            "freeze_fraction": freeze_fraction(config)}
    for key in RECIPE:
        cols[key] = math.nan if baseline or config.get(key) is None else config[key]
    if not baseline and config.get("loss") != "focal":
        cols["focal_gamma"] = math.nan  # only the focal loss reads it
    cols["config"] = json.dumps(config, sort_keys=True)
    return cols


def leaderboard(study: optuna.Study) -> pd.DataFrame:
    """Rows sorted by CV AUROC mean (the selection score), with corrected intervals and the
    plain-words comparison ``vs_rank_1`` against the first row."""
    folds = fold_frame(study)
    rows = []
    for t in search_trials(study):
        config = t.user_attrs.get("config", {})
        f = folds[folds["trial"] == t.number] if len(folds) else folds
        if f.empty:
            continue
        k = len(f)
        row = {"trial": t.number, "kind": config.get("kind", ""), **config_columns(config),
               "repeats": int(f["repeat"].nunique()), "folds": k}
        for metric in METRIC_COLUMNS:
            values = f[metric].to_numpy(dtype=float)
            row[f"{metric}_mean"] = float(np.mean(values))
            row[f"{metric}_std"] = float(np.std(values, ddof=1)) if k > 1 else 0.0
        row["n_parameters"] = t.user_attrs.get("n_parameters", 0)
        row["fit_seconds_total"] = t.user_attrs.get("fit_seconds", float(f["fit_seconds"].sum()))  # summed over folds
        row["fit_seconds_per_fold"] = row["fit_seconds_total"] / k
        for cost in ("forward_flops_per_record", "predict_ms_per_record"):  # None: not a PyTorch model / not stored
            value = t.user_attrs.get(cost)
            row[cost] = math.nan if value is None else float(value)
        row["seed"] = t.user_attrs.get("seed")
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["auroc_mean", "trial"], ascending=[False, True]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return stats.compare_to_best(table, folds)


def equal_budget(study: optuna.Study, table: pd.DataFrame) -> tuple[pd.DataFrame, int, list[str]]:
    """The rows the family ranking compares: each family's first ``m`` independent random draws
    (the planner's unpruned ``random`` phase, in trial order), ``m`` the fewest complete draws any
    family has, so every family is the best of the same number of draws. Returns (rows, m, the
    families with no complete random draw: listed, not ranked). A study without plans (made
    before the planner) has no random draws: every row, ``m = 0``."""
    from benchmark.engines.planner import plan_of
    from benchmark.leaderboard.curves import families_searched

    plans = {t.number: plan_of(t) for t in search_trials(study, states=(TrialState.COMPLETE,))}
    random = table[table["trial"].map(lambda n: plans.get(int(n), {}).get("phase") == "random")]
    if random.empty:
        return table, 0, []
    counts = random.groupby("family").size()
    missing = [f for f in families_searched(study) if f not in counts.index]
    m = int(counts.min())
    first = random.sort_values("trial").groupby("family", sort=False).head(m)
    return table[table["trial"].isin(set(first["trial"]))], m, missing


def family_view(table: pd.DataFrame) -> pd.DataFrame:
    """Each model family's best configuration (the per-family view of the table)."""
    return stats.best_per_family(table)
