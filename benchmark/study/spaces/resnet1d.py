"""ResNet1D 18/34/50: width, kernel size and head dropout."""

from benchmark.study.space import register_space


@register_space(models=["resnet1d18", "resnet1d34", "resnet1d50"])
def space(trial, model: str) -> dict:
    return {
        "width": trial.suggest_categorical("width", [16, 32, 64]),
        "kernel_size": trial.suggest_categorical("kernel_size", [5, 7, 9]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
