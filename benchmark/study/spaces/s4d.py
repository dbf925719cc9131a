"""S4D (diagonal state space): model width, state size, blocks, input down-sampling, dropout."""

from benchmark.study.space import register_space


@register_space(models=["s4d"])
def space(trial, model: str) -> dict:
    return {
        "d_model": trial.suggest_categorical("d_model", [32, 64]),
        "d_state": trial.suggest_categorical("d_state", [16, 64]),
        "layers": trial.suggest_int("layers", 2, 4),
        "downsample": trial.suggest_categorical("downsample", [2, 4]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.3),
    }
