"""LSTM and GRU: hidden size, layers, direction, input down-sampling, dropout."""

from benchmark.study.space import register_space


@register_space(models=["lstm", "gru"])
def space(trial, model: str) -> dict:
    return {
        "hidden": trial.suggest_categorical("hidden", [32, 64, 128]),
        "layers": trial.suggest_int("layers", 1, 3),
        "bidirectional": trial.suggest_categorical("bidirectional", [True, False]),
        "downsample": trial.suggest_categorical("downsample", [2, 4, 8]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
    }
