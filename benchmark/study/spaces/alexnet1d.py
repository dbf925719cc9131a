"""AlexNet-1D: width and dropout."""

from benchmark.study.space import register_space


@register_space(models=["alexnet1d"])
def space(trial, model: str) -> dict:
    return {
        "width": trial.suggest_categorical("width", [32, 64]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
