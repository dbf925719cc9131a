"""Transformer encoder over patch embeddings: model width, heads, layers, patch size, dropout."""

from benchmark.study.space import register_space


@register_space(models=["transformer1d"])
def space(trial, model: str) -> dict:
    return {
        "d_model": trial.suggest_categorical("d_model", [32, 64, 128]),
        "heads": trial.suggest_categorical("heads", [2, 4]),
        "layers": trial.suggest_int("layers", 1, 4),
        "patch": trial.suggest_categorical("patch", [5, 10, 20]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.3),
    }
