"""XResNet1d (Strodthoff et al.'s strongest PTB-XL model): width, kernel size, dropout."""

from benchmark.study.space import register_space


@register_space(models=["xresnet1d18", "xresnet1d50", "xresnet1d101"])
def space(trial, model: str) -> dict:
    return {
        "width": trial.suggest_categorical("width", [16, 32, 64]),
        "kernel_size": trial.suggest_categorical("kernel_size", [3, 5, 7]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
