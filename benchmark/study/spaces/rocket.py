"""The ROCKET family (sktime): MiniRocket, MultiRocket, ROCKET with a logistic head; Arsenal."""

from benchmark.study.space import register_space


@register_space("rocket", models=["minirocket", "multirocket", "rocket", "arsenal"], kind="baseline")
def space(trial, model: str) -> dict:
    if model == "arsenal":
        return {}
    return {"C": trial.suggest_float("C", 1e-3, 1e2, log=True)}
