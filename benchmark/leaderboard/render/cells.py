"""A leaderboard cell as a reader sees it, shared by the page and the terminal: factor levels in
natural order, "n/a" with its reason, numbers at their column's digits, intervals as one cell."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from benchmark.leaderboard.columns import NOT_APPLICABLE, Column, column


def _missing(v) -> bool:
    if isinstance(v, str):
        return v.startswith(NOT_APPLICABLE)  # "n/a (baseline)" and the like: the factor does not apply
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def level_key(level) -> tuple:
    """Natural order of factor levels: numbers by value (0 before 1, 2.5 before 10), then words, n/a last."""
    text = str(level)
    if _missing(level) or text.startswith(NOT_APPLICABLE):
        return (2, 0.0, text)
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def level_text(level) -> str:
    try:
        value = float(str(level))
    except ValueError:
        return str(level)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def sort_effects(effects: pd.DataFrame) -> pd.DataFrame:
    """Views and factors in their first-seen order, levels in natural order."""
    if effects.empty:
        return effects
    views = effects["view"] if "view" in effects.columns else pd.Series([""] * len(effects))
    view_order = {v: i for i, v in enumerate(dict.fromkeys(views))}
    order = {f: i for i, f in enumerate(dict.fromkeys(effects["factor"]))}
    keys = [(view_order[v], order[f], level_key(lv)) for v, f, lv in zip(views, effects["factor"], effects["level"])]
    return effects.iloc[sorted(range(len(effects)), key=keys.__getitem__)].reset_index(drop=True)


def na_reason(row: pd.Series, name: str) -> str:
    if str(row.get("kind", "")) == "baseline":
        return "n/a (baseline)"
    if name.startswith("freeze") and str(row.get("pretrain", "")) in ("none", "nan"):
        return "n/a (not pretrained)"
    return NOT_APPLICABLE


def display(value, spec: Column, name: str = "") -> str:
    """A cell as text (shared by the page and the terminal)."""
    if _missing(value):
        return ""
    if spec.dtype == "bool" or isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if spec.dtype == "int" or isinstance(value, (int, np.integer)):
        return f"{int(value):,}" if name == "n_parameters" else str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{value:.{spec.digits}f}"
    return str(value)


def interval_pairs(names) -> dict[str, str]:
    """``x_ci_low`` -> ``x_ci_high`` where both exist: shown as one "[low, high]" cell."""
    names = list(names)
    return {n: n[:-4] + "_high" for n in names if n.endswith("_ci_low") and n[:-4] + "_high" in names}


def display_order(names) -> list[str]:
    """Columns as shown: the table's order, each ``x_ci_low`` moved right after ``x_mean``."""
    names = list(names)
    pairs = interval_pairs(names)
    order = [n for n in names if n not in pairs]
    for low in pairs:
        mean = low[:-len("_ci_low")] + "_mean"
        order.insert(order.index(mean) + 1 if mean in order else len(order), low)
    return order


def interval_label(low: str) -> str:
    label = column(low).label
    return label[:-len(", low")] if label.endswith(", low") else label
