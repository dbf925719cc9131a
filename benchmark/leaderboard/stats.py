"""The leaderboard's statistics, each from a maintained library where one exists.

- CV intervals and comparisons: the Nadeau & Bengio (2003) corrected resampled t-test. CV folds
  share training data, so their estimates are correlated and the plain variance over J folds is too
  small; the corrected variance is ``(1/J + n_test/n_train) * s^2`` over the J = repeats x folds
  blocks. The t distribution is scipy's.
- Ranking of model families: the Friedman test (scipy) and a critical-difference diagram with
  Nemenyi post-hoc tests (scikit-posthocs), over the families' best configurations across the
  (repeat, fold) blocks (Demsar 2006).
- The locked test: patient-level bootstrap intervals for AUROC and AUPRC (``scipy.stats.bootstrap``
  resampling patients, stratified by the patient's class so that every resample has both classes),
  and Wilson intervals for sensitivity and specificity (statsmodels' ``proportion_confint``).
- Per-level means over trials: a percentile bootstrap over trials (``scipy.stats.bootstrap``).

The method names below are written into every output that shows the numbers, so they live here once.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE
N_BOOTSTRAP = 2000

CV_METHOD = ("Nadeau-Bengio corrected resampled t (variance x (1/J + n_test/n_train), J = repeats x folds; "
             "Nadeau & Bengio 2003)")
ROPE_VS_BEST = 0.02  # |ΔAUROC| within this is practically equivalent to rank 1
COMPARISON_METHOD = ("two-sided Nadeau-Bengio corrected resampled paired t-test against rank 1 over the shared "
                     "(repeat, fold) blocks, Holm-adjusted over the rows (Holm 1979); P(equivalent) within "
                     f"±{ROPE_VS_BEST} AUROC from baycomp's Bayesian correlated t-test (Benavoli et al. 2017); rank 1 "
                     "is the maximum on these same folds, so the comparison favours it")
SELECTION_NOTE = ("CV AUROC is the selection score: the search (TPE, pruner) and this ranking chose the top rows on "
                  "the same dev folds, so the top score is optimistically biased (winner's curse); only the locked "
                  "test estimates the performance of a configuration chosen before it was opened")
RANKING_METHOD = ("Friedman test (scipy) + Nemenyi post-hoc critical-difference diagram (scikit-posthocs; Demsar 2006) "
                  "over each family's best of its first m independent random draws (m equal for every family: "
                  "equal budget in trials)")
TEST_AUC_METHOD = (f"percentile bootstrap over patients ({N_BOOTSTRAP} resamples, stratified by patient class; "
                   "scipy.stats.bootstrap)")
PROPORTION_METHOD = "Wilson score interval (Wilson 1927; statsmodels proportion_confint)"
LEVEL_MEAN_METHOD = f"mean over trials with a percentile bootstrap over trials ({N_BOOTSTRAP} resamples)"

NOT_WORSE = "not shown different (Holm p >= 0.05)"
WORSE = "worse (Holm p < 0.05)"
EQUIVALENT = f"equivalent (P >= 0.95 within ±{ROPE_VS_BEST})"
BEST = "rank 1"
NOT_COMPARABLE = "not comparable (different folds)"


# ------------------------------------------------------------------------------ corrected resampled t
def variance_factor(n_blocks: int, test_train_ratio: float) -> float:
    """Nadeau & Bengio's correction of the variance of a mean over ``n_blocks`` CV estimates:
    ``1/J + n_test/n_train`` (the naive factor is ``1/J``)."""
    return 1.0 / n_blocks + test_train_ratio


def corrected_interval(values, test_train_ratio: float, level: float = CONFIDENCE) -> tuple[float, float]:
    """Two-sided ``level`` interval of the mean of correlated CV estimates (NaN with fewer than 2)."""
    x = np.asarray(values, dtype=float)
    j = len(x)
    if j < 2:
        return math.nan, math.nan
    se = math.sqrt(variance_factor(j, test_train_ratio) * np.var(x, ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, j - 1)) * se
    return float(x.mean() - half), float(x.mean() + half)


def corrected_ttest(a, b, test_train_ratio: float) -> tuple[float, float]:
    """(t, two-sided p) of the corrected resampled paired t-test of ``mean(a - b) = 0``.

    ``a`` and ``b`` are per-block scores of two configurations on the same blocks. Identical
    scores give (0, 1); a constant non-zero difference gives (±inf, 0)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    j = len(d)
    if j < 2:
        return math.nan, math.nan
    mean, var = float(d.mean()), float(np.var(d, ddof=1))
    if var == 0.0:
        return (0.0, 1.0) if mean == 0.0 else (math.copysign(math.inf, mean), 0.0)
    t = mean / math.sqrt(variance_factor(j, test_train_ratio) * var)
    return float(t), float(2 * stats.t.sf(abs(t), j - 1))


def test_train_ratio(folds: pd.DataFrame) -> float:
    """``n_test / n_train`` of a trial's fold rows: from their ``n_eval``/``n_train`` record counts
    when stored, else the K-fold proportion ``1 / (K - 1)`` (each fold holds out 1/K of the dev part)."""
    if {"n_eval", "n_train"} <= set(folds.columns) and folds[["n_eval", "n_train"]].notna().all().all():
        return float((folds["n_eval"] / folds["n_train"]).mean())
    k = int(folds["fold"].max()) + 1
    return 1.0 / (k - 1) if k > 1 else math.nan


def compare_to_best(table: pd.DataFrame, folds: pd.DataFrame) -> pd.DataFrame:
    """Add to ``table`` (sorted, with ``trial``) the corrected interval of each row's CV AUROC, the
    corrected p against rank 1 and a plain-words verdict. ``folds`` is the long fold frame
    (``trial``, ``repeat``, ``fold``, ``auroc`` and optionally ``n_train``/``n_eval``)."""
    per_trial = {t: f.set_index(["repeat", "fold"]).sort_index() for t, f in folds.groupby("trial")}
    best_trial = table["trial"].iloc[0]
    best = per_trial[best_trial]
    lows, highs, ratios, p_values, verdicts, equivalent = [], [], [], [], [], []
    for trial in table["trial"]:
        f = per_trial[trial]
        ratio = test_train_ratio(f.reset_index())
        lo, hi = corrected_interval(f["auroc"].to_numpy(), ratio)
        lows.append(max(0.0, lo) if not math.isnan(lo) else lo)  # clipped to AUROC's range [0, 1]
        highs.append(min(1.0, hi) if not math.isnan(hi) else hi)
        ratios.append(ratio)
        if trial == best_trial or not f.index.equals(best.index):
            p_values.append(math.nan)
            equivalent.append(math.nan)
            verdicts.append(BEST if trial == best_trial else NOT_COMPARABLE)
            continue
        _, p = corrected_ttest(best["auroc"].to_numpy(), f["auroc"].to_numpy(), ratio)
        p_values.append(p)
        verdicts.append(None if math.isnan(p) else "")
        runs = int(f.reset_index()["repeat"].nunique())
        equivalent.append(_p_equivalent(best["auroc"].to_numpy(), f["auroc"].to_numpy(), runs))
    adjusted = holm(p_values)
    for i, (verdict, p_holm) in enumerate(zip(verdicts, adjusted)):
        if verdict == "":
            verdicts[i] = (WORSE if p_holm < ALPHA else EQUIVALENT if equivalent[i] >= 0.95 else NOT_WORSE)
        elif verdict is None:
            verdicts[i] = NOT_COMPARABLE
    return table.assign(auroc_ci_low=lows, auroc_ci_high=highs, test_train_ratio=ratios, p_vs_rank_1=p_values,
                        p_holm_vs_rank_1=adjusted, p_equivalent_vs_rank_1=equivalent, vs_rank_1=verdicts)


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values (Holm 1979; statsmodels ``multipletests``); NaN stays NaN."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), math.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out.tolist()


def rope_probabilities(delta, runs: int, rope: float = ROPE_VS_BEST) -> tuple[float, float, float]:
    """(P(better), P(equivalent), P(worse)) of a per-block difference ``delta`` (> 0 better) within
    ``rope``, from baycomp's Bayesian correlated t-test over ``runs`` repetitions of the K-fold CV."""
    import baycomp

    delta = np.asarray(delta, dtype=float)
    if np.var(delta, ddof=1) == 0.0:  # the posterior is a point: where does the mean fall?
        m = float(delta.mean())
        return (float(m > rope), float(abs(m) <= rope), float(m < -rope))
    runs = runs if len(delta) % runs == 0 else 1
    # baycomp's difference is y - x; its first probability is that x is the larger
    better, equivalent, worse = baycomp.CorrelatedTTest(delta, np.zeros_like(delta), rope=rope, runs=runs).probs()
    return float(better), float(equivalent), float(worse)


def _p_equivalent(best, other, runs: int) -> float:
    """P(|other - best| < ROPE) per block (NaN with fewer than 2 blocks)."""
    d = np.asarray(other, dtype=float) - np.asarray(best, dtype=float)
    return math.nan if len(d) < 2 else rope_probabilities(d, runs)[1]


# ------------------------------------------------------------------------------ families: Friedman + CD
@dataclass
class FamilyRanking:
    """The Friedman test over the families' best configurations, blocks = (repeat, fold)."""

    method: str = RANKING_METHOD
    families: list[str] = field(default_factory=list)
    trials: dict[str, int] = field(default_factory=dict)  # family -> its best configuration's trial
    blocks: int = 0
    statistic: float = math.nan
    p_value: float = math.nan
    mean_ranks: dict[str, float] = field(default_factory=dict)  # 1 = best
    nemenyi_p: pd.DataFrame | None = None
    note: str = ""
    draws: int = 0  # each family is the best of this many random draws (0: every complete trial, old studies)
    unranked: list[str] = field(default_factory=list)  # families with no complete random draw

    def as_dict(self) -> dict:
        return {"method": self.method, "families": self.families, "trials": self.trials, "blocks": self.blocks,
                "draws_per_family": self.draws, "families_without_a_complete_draw": self.unranked,
                "friedman_statistic": _finite(self.statistic), "friedman_p": _finite(self.p_value),
                "mean_ranks": self.mean_ranks, "note": self.note,
                "nemenyi_p": None if self.nemenyi_p is None else
                {a: {b: _finite(v) for b, v in row.items()} for a, row in self.nemenyi_p.to_dict("index").items()}}


def _finite(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def best_per_family(table: pd.DataFrame) -> pd.DataFrame:
    """The per-family view: each family's best configuration (the table's first row of it)."""
    return table.drop_duplicates("family", keep="first").reset_index(drop=True)


def family_ranking(table: pd.DataFrame, folds: pd.DataFrame, draws: int = 0,
                   unranked: list[str] | None = None) -> FamilyRanking:
    """Friedman test + Nemenyi p-values over the families' best configurations on the (repeat, fold)
    blocks they all share; ``note`` says why nothing was tested when fewer than 3 families or 2
    blocks are available. ``table``: the rows compared (:func:`benchmark.leaderboard.table.equal_budget`:
    the best of ``draws`` random draws each); ``unranked``: families with no complete draw, listed."""
    import scikit_posthocs as sp

    best = best_per_family(table)
    result = FamilyRanking(families=list(best["family"]), trials=dict(zip(best["family"], map(int, best["trial"]))),
                           draws=draws, unranked=list(unranked or []))
    wide = (folds[folds["trial"].isin(best["trial"])]
            .assign(family=lambda d: d["trial"].map(dict(zip(best["trial"], best["family"]))))
            .pivot_table(index=["repeat", "fold"], columns="family", values="auroc")
            .dropna())[result.families] if len(best) else pd.DataFrame()
    result.blocks = len(wide)
    if len(best) < 3 or len(wide) < 2:
        result.note = (f"not tested: {len(best)} families with {len(wide)} shared (repeat, fold) blocks "
                       "(the Friedman test needs at least 3 families and 2 blocks)")
        return result
    stat = stats.friedmanchisquare(*[wide[c].to_numpy() for c in wide.columns])
    result.statistic, result.p_value = float(stat.statistic), float(stat.pvalue)
    ranks = wide.rank(axis=1, ascending=False).mean()  # rank 1 = highest AUROC in the block
    result.mean_ranks = {k: float(v) for k, v in ranks.sort_values().items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result.nemenyi_p = sp.posthoc_nemenyi_friedman(wide.to_numpy())
    result.nemenyi_p.index = result.nemenyi_p.columns = list(wide.columns)
    return result


def write_cd_diagram(ranking: FamilyRanking, path: Path) -> bool:
    """Write the critical-difference diagram (scikit-posthocs) as SVG; False when there is nothing to
    draw (see ``ranking.note``); a stale diagram from an earlier run is removed then."""
    path = Path(path)
    if ranking.nemenyi_p is None:
        path.unlink(missing_ok=True)
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import scikit_posthocs as sp

    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.35 * len(ranking.mean_ranks)))
    sp.critical_difference_diagram(pd.Series(ranking.mean_ranks), ranking.nemenyi_p, ax=ax, alpha=ALPHA)
    of = f"best of its first {ranking.draws} random draws" if ranking.draws else "best configuration"
    ax.set_title(f"Mean rank of each family's {of} over {ranking.blocks} (repeat, fold) blocks; "
                 f"Friedman p = {ranking.p_value:.3g}", fontsize=9)
    fig.tight_layout()
    from benchmark.atomic import write_atomically

    with matplotlib.rc_context({"svg.hashsalt": "ecg-automl-bench"}):  # fixed element ids: the same study, the same bytes
        write_atomically(path, lambda tmp: fig.savefig(tmp, format="svg", metadata={"Date": None}))
    plt.close(fig)
    return True


# ------------------------------------------------------------------------------ the locked test
def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (NaN when ``n`` is 0)."""
    if n == 0:
        return math.nan, math.nan
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(successes, n, alpha=ALPHA, method="wilson")
    return float(lo), float(hi)


def patient_bootstrap_interval(y, p, groups, metric, seed: int = 0,
                               n_resamples: int = N_BOOTSTRAP) -> tuple[float, float]:
    """Percentile interval of ``metric(y, p)`` when the test *patients* are resampled with replacement
    (every record of a drawn patient comes along), stratified by the patient's class (positive if any
    record is) so that each resample has both classes."""
    y, p, groups = np.asarray(y), np.asarray(p, dtype=float), np.asarray(groups)
    patients, inverse = np.unique(groups, return_inverse=True)
    records = [np.flatnonzero(inverse == i) for i in range(len(patients))]
    positive = np.array([y[r].max() > 0 for r in records])
    pos_patients, neg_patients = np.flatnonzero(positive), np.flatnonzero(~positive)
    if len(pos_patients) == 0 or len(neg_patients) == 0:
        return math.nan, math.nan

    def statistic(pos, neg):
        idx = np.concatenate([records[int(i)] for i in np.concatenate([pos, neg])])
        return metric(y[idx], p[idx])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate-resample warnings with very few patients
        res = stats.bootstrap((pos_patients, neg_patients), statistic, n_resamples=n_resamples, vectorized=False,
                              paired=False, method="percentile", confidence_level=CONFIDENCE,
                              rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


# ------------------------------------------------------------------------------ means over trials
def bootstrap_mean_interval(values, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of a mean over trials; no interval (NaN) for fewer than 2."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return math.nan, math.nan
    if np.all(x == x[0]):
        return float(x[0]), float(x[0])
    res = stats.bootstrap((x,), np.mean, n_resamples=N_BOOTSTRAP, method="percentile", confidence_level=CONFIDENCE,
                          rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


# ------------------------------------------------------------------------------ winner's curse: BBC-CV
BBC_RESAMPLES = 500
BBC_METHOD = (f"bootstrap bias-corrected CV (BBC-CV; Tsamardinos, Greasidou & Borboudakis 2018): {BBC_RESAMPLES} "
              "bootstraps over patients of the pooled out-of-fold predictions of repeat 0; in each, the configuration "
              "with the best in-bag AUROC is chosen and scored on the out-of-bag patients; mean and percentile interval")


def _row_auroc(P: np.ndarray, y: np.ndarray) -> np.ndarray:
    """AUROC of every row of ``P`` (configurations x records) against ``y`` (Mann-Whitney, midranks)."""
    from scipy.stats import rankdata

    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return np.full(len(P), np.nan)
    ranks = rankdata(P, axis=1)
    return (ranks[:, pos].sum(axis=1) - n1 * (n1 + 1) / 2) / (n1 * n0)


def bbc_cv(P: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = 0,
           resamples: int = BBC_RESAMPLES) -> tuple[float, float, float]:
    """(estimate, low, high) of the AUROC of the configuration the selection would choose, corrected
    for choosing it among ``len(P)`` candidates on the same predictions."""
    rng = np.random.default_rng(seed)
    y, groups = np.asarray(y).astype(int), np.asarray(groups).astype(str)
    patients = np.unique(groups)
    members = {p: np.flatnonzero(groups == p) for p in patients}
    scores = []
    for _ in range(resamples):
        drawn = rng.choice(patients, size=len(patients), replace=True)
        inbag = np.concatenate([members[p] for p in drawn])
        oob = np.concatenate([members[p] for p in np.setdiff1d(patients, drawn)] or [np.array([], int)])
        if len(np.unique(y[inbag])) < 2 or len(oob) == 0 or len(np.unique(y[oob])) < 2:
            continue
        best = int(np.nanargmax(_row_auroc(P[:, inbag], y[inbag])))
        scores.append(float(_row_auroc(P[best:best + 1, oob], y[oob])[0]))
    if not scores:
        return math.nan, math.nan, math.nan
    lo, hi = np.percentile(scores, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
    return float(np.mean(scores)), float(lo), float(hi)


# ------------------------------------------------------------------------------ locked-test AUROC / AUPRC intervals
TEST_AUROC_METHOD = ("DeLong variance (structural components; DeLong, DeLong & Clarke-Pearson 1988) on the logit "
                     "scale, back-transformed (Pepe 2003); at AUROC = 1 the Hanley-McNeil variance at "
                     "1 - 1/(2 n1 n0) (Hanley & McNeil 1982)")
TEST_AUPRC_METHOD = "logit interval of average precision, SE 1/sqrt(n1 AP (1 - AP)) (Boyd, Eng & Page 2013)"


def _logit_interval(estimate: float, se_logit: float, level: float = CONFIDENCE) -> tuple[float, float]:
    z = float(stats.norm.ppf(0.5 + level / 2))
    centre = math.log(estimate / (1 - estimate))
    expit = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    return expit(centre - z * se_logit), expit(centre + z * se_logit)


def delong_logit_interval(y, p, level: float = CONFIDENCE) -> tuple[float, float]:
    """Interval of the AUROC of scores ``p`` for labels ``y`` (NaN without both classes)."""
    y, p = np.asarray(y).astype(int), np.asarray(p, dtype=float)
    pos, neg = p[y == 1], p[y == 0]
    n1, n0 = len(pos), len(neg)
    if n1 == 0 or n0 == 0:
        return math.nan, math.nan
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    a = float(psi.mean())
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    var = (np.var(v10, ddof=1) / n1 if n1 > 1 else 0.0) + (np.var(v01, ddof=1) / n0 if n0 > 1 else 0.0)
    if a >= 1.0 or a <= 0.0 or var <= 0.0:
        a_adj = min(max(a, 1 / (2 * n1 * n0)), 1 - 1 / (2 * n1 * n0))
        q1, q2 = a_adj / (2 - a_adj), 2 * a_adj ** 2 / (1 + a_adj)
        var = (a_adj * (1 - a_adj) + (n1 - 1) * (q1 - a_adj ** 2) + (n0 - 1) * (q2 - a_adj ** 2)) / (n1 * n0)
        lo, hi = _logit_interval(a_adj, math.sqrt(max(var, 0.0)) / (a_adj * (1 - a_adj)), level)
        return (lo, 1.0) if a >= 1.0 else (0.0, hi) if a <= 0.0 else (lo, hi)
    return _logit_interval(a, math.sqrt(var) / (a * (1 - a)), level)


def ap_logit_interval(y, p, level: float = CONFIDENCE) -> tuple[float, float]:
    from sklearn.metrics import average_precision_score

    y = np.asarray(y).astype(int)
    n1 = int(y.sum())
    if n1 == 0 or n1 == len(y):
        return math.nan, math.nan
    ap = float(average_precision_score(y, p))
    ap_adj = min(max(ap, 1 / (2 * n1)), 1 - 1 / (2 * n1))
    lo, hi = _logit_interval(ap_adj, 1 / math.sqrt(n1 * ap_adj * (1 - ap_adj)), level)
    return (lo, 1.0) if ap >= 1.0 else (lo, hi)


def coverage(method, n_pos: int = 8, n_neg: int = 54, auc: float = 0.95, sims: int = 1000, seed: int = 0) -> float:
    """Share of ``sims`` binormal samples (equal variances, separation giving ``auc``) whose
    ``method(y, p)`` interval covers the true AUROC."""
    rng = np.random.default_rng(seed)
    d = math.sqrt(2) * float(stats.norm.ppf(auc))
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    hits = 0
    for _ in range(sims):
        p = np.r_[rng.normal(d, 1, n_pos), rng.normal(0, 1, n_neg)]
        lo, hi = method(y, p)
        hits += lo <= auc <= hi
    return hits / sims
