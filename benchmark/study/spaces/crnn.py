"""CRNN: convolutional front end + one recurrent layer."""

from benchmark.study.space import register_space


@register_space(models=["crnn"])
def space(trial, model: str) -> dict:
    return {
        "width": trial.suggest_categorical("width", [16, 32, 64]),
        "conv_blocks": trial.suggest_int("conv_blocks", 2, 4),
        "cell": trial.suggest_categorical("cell", ["gru", "lstm"]),
        "hidden": trial.suggest_categorical("hidden", [32, 64, 128]),
        "bidirectional": trial.suggest_categorical("bidirectional", [True, False]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
