"""InceptionTime-1D: filters per branch, depth (multiple of 3), longest kernel, dropout."""

from benchmark.study.space import register_space


@register_space(models=["inceptiontime1d"])
def space(trial, model: str) -> dict:
    return {
        "nf": trial.suggest_categorical("nf", [8, 16, 32]),
        "depth": trial.suggest_categorical("depth", [3, 6]),
        "kernel_size": trial.suggest_categorical("kernel_size", [19, 39]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
