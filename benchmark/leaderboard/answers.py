"""The answer table: questions 2-5 as the ablation stage's declared contrasts (:mod:`benchmark.study.ablation`).

One row per declared contrast per family, and one pooled row per contrast across families. A
contrast's per-block value is ``sum(weight * AUROC)`` of its cells on the blocks they all share (one
fresh fold partition, so the cells are paired). Per row:

* mean ΔAUROC with its Nadeau-Bengio corrected 95 % interval and two-sided p (corrected resampled
  t; Nadeau & Bengio 2003), and Holm's step-down adjustment over the declared contrasts (Holm 1979;
  statsmodels ``multipletests``), per-family rows and pooled rows each as one family of tests;
* P(better) / P(equivalent) / P(worse) within the region of practical equivalence ``ROPE`` from
  ``baycomp``'s Bayesian correlated t-test (Benavoli et al. 2017, Corani & Benavoli 2015). Its
  hierarchical test needs Stan, which the package index does not provide here, so families are
  tested one by one and pooled as below (normal approximation of the pooled estimate);
* the minimum detectable effect at 80 % power, two-sided 5 %: ``(t_.975 + t_.80) * corrected SE``;
* the number of blocks and the cells' summed fit seconds (the contrast's cost).

Pooled rows: a DerSimonian-Laird random-effects meta-analysis over the families' mean differences
with their corrected variances (DerSimonian & Laird 1986; statsmodels ``combine_effects``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from optuna.trial import TrialState
from scipy import stats as st

from benchmark.study.ablation import ATTR, QUESTIONS
from benchmark.leaderboard.stats import CONFIDENCE, corrected_interval, corrected_ttest, holm, variance_factor
from benchmark.leaderboard.stats import rope_probabilities as stats_rope

ROPE = 0.02  # |ΔAUROC| below this is practically equivalent
POWER = 0.80
POOLED = "pooled"
METHOD = ("per family: Nadeau-Bengio corrected resampled t over the ablation partition's blocks (Nadeau & Bengio "
          "2003), Holm-adjusted over the declared contrasts (Holm 1979); P(better/equivalent/worse) with ROPE "
          f"±{ROPE} from baycomp's Bayesian correlated t-test (Benavoli et al. 2017), family by family (its "
          "hierarchical test needs Stan); pooled: DerSimonian-Laird random-effects meta-analysis of the families' "
          "differences (DerSimonian & Laird 1986; statsmodels), its ROPE probabilities from the normal approximation "
          f"of the pooled estimate; MDE: the difference detectable with {POWER:.0%} power at two-sided 5 %")
COLUMNS = ("question", "contrast", "family", "mean_delta", "ci_low", "ci_high", "p", "p_holm", "p_better",
           "p_equivalent", "p_worse", "mde", "blocks", "families", "cost_seconds", "cells", "note")


def cell_trials(study) -> dict[str, object]:
    """Cell id -> its complete trial (the latest when a cell ran twice)."""
    out = {}
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        plan = t.user_attrs.get("plan") or {}
        if plan.get("stage") == "ablation" and t.user_attrs.get("folds"):
            out[plan["cell"]] = t
    return out


def _blocks(trial) -> pd.Series:
    folds = pd.DataFrame([{"repeat": 0, **f} for f in trial.user_attrs["folds"]])
    return folds.set_index(["repeat", "fold"])["auroc"].astype(float)


def _seconds(trial) -> float:
    return float(sum(f.get("fit_seconds", 0.0) for f in trial.user_attrs["folds"]))


def rope_probabilities(delta: np.ndarray, runs: int) -> tuple[float, float, float]:
    """:func:`benchmark.leaderboard.stats.rope_probabilities` with this table's ``ROPE``."""
    return stats_rope(delta, runs, ROPE)


def mde(n_blocks: int, sd: float, ratio: float, alpha: float = 1 - CONFIDENCE, power: float = POWER) -> float:
    """Minimum detectable effect of the corrected paired t-test with ``n_blocks`` blocks."""
    if n_blocks < 2 or not math.isfinite(sd):
        return math.nan
    df = n_blocks - 1
    return float((st.t.ppf(1 - alpha / 2, df) + st.t.ppf(power, df)) * math.sqrt(variance_factor(n_blocks, ratio)) * sd)


def contrast_row(contrast: dict, trials: dict, ratio: float, runs: int) -> dict:
    row = {"question": contrast["question"], "contrast": contrast.get("key", contrast["label"]), "family": contrast["family"],
           "cells": " ".join(f"{w:+g}*{c}" for c, w in contrast["weights"].items()), "families": 1}
    missing = [c for c in contrast["weights"] if c not in trials]
    if missing:
        return row | {"note": f"cell {missing[0]} has no complete trial", "blocks": 0}
    series = [trials[c] for c in contrast["weights"]]
    blocks = [_blocks(t) for t in series]
    shared = blocks[0].index
    for b in blocks[1:]:
        shared = shared.intersection(b.index)
    delta = sum(w * b.loc[shared].to_numpy() for w, b in zip(contrast["weights"].values(), blocks))
    j = len(shared)
    lo, hi = corrected_interval(delta, ratio)
    _, p = corrected_ttest(delta, np.zeros(j), ratio)
    better, equivalent, worse = rope_probabilities(delta, runs) if j >= 2 else (math.nan,) * 3
    sd = float(np.std(delta, ddof=1)) if j >= 2 else math.nan
    return row | {"mean_delta": float(np.mean(delta)), "ci_low": lo, "ci_high": hi, "p": p, "p_better": better,
                  "p_equivalent": equivalent, "p_worse": worse, "mde": mde(j, sd, ratio), "blocks": j,
                  "cost_seconds": sum(_seconds(t) for t in series), "note": "",
                  "_var": variance_factor(j, ratio) * sd ** 2 if j >= 2 else math.nan}


def pooled_row(rows: list[dict]) -> dict:
    """Random-effects (DerSimonian-Laird) pooling of one contrast across families."""
    from statsmodels.stats.meta_analysis import combine_effects

    ok = [r for r in rows if math.isfinite(r.get("_var", math.nan)) and r["_var"] > 0]
    base = {"question": rows[0]["question"], "contrast": rows[0]["contrast"], "family": POOLED,
            "families": len(ok), "blocks": sum(r.get("blocks", 0) for r in ok),
            "cost_seconds": sum(r.get("cost_seconds", 0.0) for r in rows), "cells": "", "note": ""}
    if len(ok) < 2:
        return base | ({k: ok[0][k] for k in ("mean_delta", "ci_low", "ci_high", "p", "p_better", "p_equivalent",
                                               "p_worse", "mde")} | {"note": "one family: its own row"} if ok
                       else {"note": "no family has this contrast complete"})
    import warnings

    with warnings.catch_warnings():  # its unused HKSJ variant takes the square root of a negative number
        warnings.simplefilter("ignore", RuntimeWarning)
        res = combine_effects(np.array([r["mean_delta"] for r in ok]), np.array([r["_var"] for r in ok]),
                              method_re="dl", use_t=False)
    frame = res.summary_frame()
    # DerSimonian-Laird truncates tau^2 at 0; statsmodels 0.15 does not (it gave tau^2 = -0.033 and
    # negative weights on this study's data), and with tau^2 = 0 the random-effects estimate is the
    # fixed-effect one
    row = "random effect" if res.tau2 > 0 else "fixed effect"
    mean, se = float(frame.loc[row, "eff"]), float(frame.loc[row, "sd_eff"])
    z = st.norm.ppf(0.5 + CONFIDENCE / 2)
    p = float(2 * st.norm.sf(abs(mean / se))) if se > 0 else (0.0 if mean else 1.0)
    better = float(st.norm.sf((ROPE - mean) / se)) if se > 0 else float(mean > ROPE)
    worse = float(st.norm.cdf((-ROPE - mean) / se)) if se > 0 else float(mean < -ROPE)
    return base | {"mean_delta": mean, "ci_low": mean - z * se, "ci_high": mean + z * se, "p": p,
                   "p_better": better, "p_equivalent": max(0.0, 1.0 - better - worse), "p_worse": worse,
                   "mde": float((z + st.norm.ppf(POWER)) * se)}


def answer_table(study, ratio: float | None = None) -> pd.DataFrame:
    """The answer table of ``study`` (empty when it has no ablation stage)."""
    declared = study.user_attrs.get(ATTR)
    if not declared or not declared.get("contrasts"):
        return pd.DataFrame(columns=list(COLUMNS))
    trials = cell_trials(study)
    k = study.user_attrs.get("budget_settings", {}).get("folds", 5)
    runs = int(declared.get("settings", {}).get("repeats", 1))  # fold sets of the ablation partition
    ratio = 1.0 / (k - 1) if ratio is None else ratio
    rows = [contrast_row(c, trials, ratio, runs) for c in declared["contrasts"]]
    pooled = []
    for key in dict.fromkeys((r["question"], r["contrast"]) for r in rows):
        pooled.append(pooled_row([r for r in rows if (r["question"], r["contrast"]) == key]))
    for group in (rows, pooled):
        for r, p in zip(group, holm([r.get("p", math.nan) for r in group])):
            r["p_holm"] = p
    frame = pd.DataFrame(rows + pooled).drop(columns=["_var"], errors="ignore")
    frame = frame.reindex(columns=list(COLUMNS))
    order = {q: i for i, q in enumerate(QUESTIONS)}
    frame["_q"] = frame["question"].map(order)
    frame["_pooled"] = frame["family"] == POOLED
    return frame.sort_values(["_q", "contrast", "_pooled", "family"], kind="stable").drop(
        columns=["_q", "_pooled"]).reset_index(drop=True)


def verdict(row) -> str:
    """Plain words for one row: what the numbers allow one to say."""
    if not np.isfinite(row.get("mean_delta", math.nan)):
        return "not measured"
    if row["p_holm"] < 0.05:
        return "better" if row["mean_delta"] > 0 else "worse"
    if row["p_equivalent"] >= 0.95:
        return f"equivalent (within ±{ROPE})"
    return "undecided"
