"""The answer table's statistics against hand computations (benchmark.leaderboard.answers): Holm's
adjustment, the ROPE probabilities of the Bayesian correlated t-test, the minimum detectable effect,
the DerSimonian-Laird pooling, and a contrast read from stored trials."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import create_trial
from scipy import stats

from benchmark.leaderboard import answers
from benchmark.leaderboard.stats import holm


def test_holm_equals_the_step_down_by_hand():
    # sorted 0.01, 0.03, 0.04 -> 3 x 0.01, 2 x 0.03, 1 x 0.04, made monotone: 0.03, 0.06, 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, math.nan]) [0] == pytest.approx(0.5) and math.isnan(holm([0.5, math.nan])[1])


def test_rope_probabilities_equal_the_correlated_t_posterior_by_hand():
    delta = np.array([0.05, 0.01, 0.03, -0.01, 0.04, 0.02, 0.06, 0.00, 0.03, 0.02])
    runs, n = 2, len(delta)
    k = n / runs
    scale = math.sqrt(np.var(delta, ddof=1) * (1 / n + 1 / (k - 1)))  # Nadeau-Bengio (Benavoli et al. 2017)
    post = stats.t(df=n - 1, loc=delta.mean(), scale=scale)
    better, equivalent, worse = answers.rope_probabilities(delta, runs)
    assert better == pytest.approx(post.sf(answers.ROPE), abs=1e-6)
    assert worse == pytest.approx(post.cdf(-answers.ROPE), abs=1e-6)
    assert better + equivalent + worse == pytest.approx(1.0)


def test_mde_is_the_power_formula_by_hand():
    n, sd, ratio = 10, 0.03, 0.25
    by_hand = (stats.t.ppf(0.975, 9) + stats.t.ppf(0.8, 9)) * math.sqrt((1 / n + ratio)) * sd
    assert answers.mde(n, sd, ratio) == pytest.approx(by_hand)


@pytest.mark.parametrize("y,v", [
    ([0.02, 0.05, -0.01], [0.0004, 0.0009, 0.0002]),  # heterogeneous: tau^2 > 0
    ([-0.186063, -0.241231, -0.061789], [0.0139, 0.07, 0.052]),  # Q < k - 1: tau^2 truncated at 0
])
def test_pooling_is_dersimonian_laird_by_hand(y, v):
    y, v = np.array(y), np.array(v)
    w = 1 / v
    q = float(np.sum(w * (y - np.sum(w * y) / w.sum()) ** 2))
    tau2 = max(0.0, (q - 2) / (w.sum() - np.sum(w ** 2) / w.sum()))
    ws = 1 / (v + tau2)
    mean, se = float(np.sum(ws * y) / ws.sum()), math.sqrt(1 / ws.sum())
    rows = [{"question": "Q3", "contrast": "l2 - zscore", "mean_delta": m, "_var": s, "blocks": 10, "cost_seconds": 1.0}
            for m, s in zip(y, v)]
    pooled = answers.pooled_row(rows)
    assert pooled["mean_delta"] == pytest.approx(mean) and pooled["families"] == 3
    assert pooled["ci_high"] - pooled["ci_low"] == pytest.approx(2 * stats.norm.ppf(0.975) * se)
    assert pooled["p_worse"] == pytest.approx(stats.norm.cdf((-answers.ROPE - mean) / se))


def cell_trial(number, cell, aurocs):
    t = create_trial(params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, value=float(np.mean(aurocs)),
                     user_attrs={"plan": {"stage": "ablation", "phase": "cell", "family": "resnet1d", "cell": cell},
                                 "folds": [{"repeat": i // 5, "fold": i % 5, "auroc": a, "fit_seconds": 2.0}
                                           for i, a in enumerate(aurocs)]})
    return t


def test_a_declared_contrast_is_read_from_the_stored_cells():
    study = optuna.create_study(direction="maximize")
    base = np.linspace(0.7, 0.8, 10)
    study.add_trial(cell_trial(0, "resnet1d:0", base))
    study.add_trial(cell_trial(1, "resnet1d:1", base + np.array([0.02, 0.03] * 5)))
    study.set_user_attr("identity", {"repeats": 2})
    study.set_user_attr("budget_settings", {"folds": 5})
    study.set_user_attr("ablation", {"settings": {"repeats": 2}, "contrasts": [
        {"id": "resnet1d:Q3:l2 - zscore", "question": "Q3", "family": "resnet1d", "key": "l2 - zscore",
         "label": "l2 - zscore", "weights": {"resnet1d:1": 1.0, "resnet1d:0": -1.0}},
        {"id": "resnet1d:Q3:log - zscore", "question": "Q3", "family": "resnet1d", "key": "log - zscore",
         "label": "log - zscore", "weights": {"resnet1d:2": 1.0, "resnet1d:0": -1.0}}]})
    table = answers.answer_table(study)
    row = table[(table["family"] == "resnet1d") & (table["contrast"] == "l2 - zscore")].iloc[0]
    assert row["mean_delta"] == pytest.approx(0.025) and row["blocks"] == 10 and row["cost_seconds"] == 40.0
    missing = table[(table["family"] == "resnet1d") & (table["contrast"] == "log - zscore")].iloc[0]
    assert "no complete trial" in missing["note"] and not np.isfinite(missing["mean_delta"])
    assert set(table["family"]) == {"resnet1d", answers.POOLED}
