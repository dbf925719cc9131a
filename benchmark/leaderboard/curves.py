"""Question 1 at equal budget: expected-maximum-performance curves per family (Dodge et al. 2019,
"Show your work: improved reporting of experimental results").

From a family's ``n`` independent random draws (the planner's unpruned ``random`` phase), the
expected best CV AUROC of ``k`` draws (sampled with replacement) is
``sum_i v_(i) * ((i/n)**k - ((i-1)/n)**k)`` over the sorted values ``v_(1) <= ... <= v_(n)``; the
wall-clock axis is ``k`` times the family's mean seconds per draw. Families with no complete
random draw are listed with no curve, never dropped.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from optuna.trial import TrialState

METHOD = ("expected maximum CV AUROC of k random draws per family, with replacement (Dodge et al. 2019); seconds: "
          "k x the family's mean trial wall time")


def expected_max(values, k: int) -> float:
    v = np.sort(np.asarray(values, dtype=float))
    n = len(v)
    if n == 0:
        return math.nan
    i = np.arange(1, n + 1)
    return float(np.sum(v * ((i / n) ** k - ((i - 1) / n) ** k)))


def random_draws(study) -> dict[str, list]:
    """Family -> its random-draw trials (any state; only complete ones have a value)."""
    out: dict[str, list] = {}
    for t in study.get_trials(deepcopy=False):
        plan = t.user_attrs.get("plan") or {}
        if plan.get("phase") == "random":
            out.setdefault(plan["family"], []).append(t)
    return out


def families_searched(study) -> list[str]:
    """Every family the study's plans name (in first-seen order)."""
    seen = {}
    for t in study.get_trials(deepcopy=False):
        family = (t.user_attrs.get("plan") or {}).get("family")
        if family:
            seen.setdefault(family, None)
    return list(seen)


def curves(study) -> pd.DataFrame:
    """One row per (family, k): ``expected_max``, ``seconds``, ``draws`` (complete random draws);
    a family without one has a single row with k = 0 and a ``note``."""
    draws = random_draws(study)
    rows = []
    for family in families_searched(study):
        done = [t for t in draws.get(family, []) if t.state == TrialState.COMPLETE and t.value is not None]
        if not done:
            rows.append({"family": family, "k": 0, "expected_max": math.nan, "seconds": math.nan, "draws": 0,
                         "note": "no complete random draw"})
            continue
        values = [t.value for t in done]
        walls = [(t.datetime_complete - t.datetime_start).total_seconds() for t in done]
        per_draw = float(np.mean(walls))
        for k in range(1, len(done) + 1):
            rows.append({"family": family, "k": k, "expected_max": expected_max(values, k), "seconds": k * per_draw,
                         "draws": len(done), "note": ""})
    return pd.DataFrame(rows, columns=["family", "k", "expected_max", "seconds", "draws", "note"])


def figure(frame: pd.DataFrame, x: str):
    import plotly.graph_objects as go

    fig = go.Figure()
    for family, f in frame[frame["k"] > 0].groupby("family", sort=False):
        fig.add_trace(go.Scatter(x=f[x], y=f["expected_max"], mode="lines+markers", name=family))
    fig.update_layout(xaxis_title="random draws (k)" if x == "k" else "wall-clock seconds (k x mean per draw)",
                      yaxis_title="E[max CV AUROC]", height=380, xaxis_type="log" if x == "seconds" else None)
    return fig
