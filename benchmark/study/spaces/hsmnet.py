"""HSM-net (ResNet + multi-head attention pooling): width, blocks per group, heads, dropout."""

from benchmark.study.space import register_space


@register_space(models=["hsmnet"])
def space(trial, model: str) -> dict:
    return {
        "width": trial.suggest_categorical("width", [16, 32, 64]),
        "depth": trial.suggest_int("depth", 1, 3),
        "heads": trial.suggest_categorical("heads", [2, 4]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
