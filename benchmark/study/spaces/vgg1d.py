"""VGG-1D 11/16 with batch norm: width, kernel size, dropout."""

from benchmark.study.space import register_space


@register_space(models=["vgg11_1d", "vgg16_1d"])
def space(trial, model: str) -> dict:
    return {
        "width": trial.suggest_categorical("width", [16, 32, 64]),
        "kernel_size": trial.suggest_categorical("kernel_size", [3, 5]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
