"""Catch22 features + random forest (sktime feature-based baseline)."""

from benchmark.study.space import register_space


@register_space("catch22", models=["catch22_forest"], kind="baseline")
def space(trial, model: str) -> dict:
    return {"max_depth": trial.suggest_categorical("max_depth", [None, 8, 16])}
