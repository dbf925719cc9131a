"""Search budgets: how much each trial may cost. Stored with the study (``budget`` attribute).

``smoke`` finishes the README quick start in minutes on 2 CPU cores; ``full`` is the paper-scale
setting for GPUs (all crop lengths, long training, full-size rocket baselines).

The filter and normalization choices default to every registered one
(:func:`benchmark.transforms.transform_choices`), in registration order: the order the sampler
draws them in, so a seeded study depends on it; a newly registered transform is searched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from benchmark.errors import ConfigError
from benchmark.transforms import transform_choices


@dataclass(frozen=True)
class Budget:
    name: str
    folds: int
    min_epochs: int
    max_epochs: int
    patience: int
    crops: tuple[float, ...]
    pretrain_epochs: int
    repeats: int = 1  # differently seeded fold sets (repeated CV); --repeats overrides
    batch_sizes: tuple[int, ...] = (32, 64, 128)
    # None: every registered one, in registration order, read when the budget is used (so a
    # transform another package registers is searched, and changes the study's identity); what the
    # sampler draws by index, so a seeded study's draws depend on this order
    normalization_list: tuple[str, ...] | None = None
    filter_list: tuple[str, ...] | None = None
    baseline_overrides: dict = field(default_factory=dict)
    # reference configurations, written out in full, run first and unpruned in a new study
    # (benchmark.engines.planner): (name, every parameter of the joint space); "max" is the top of a range
    anchors: tuple[tuple[str, dict], ...] = ()
    # training TFLOP one deep trial may cost (None: no ceiling); see benchmark.study.ceiling for how the
    # space shrinks to fit and scripts/bench_ceiling.py for what it means in minutes
    max_train_tflop: float | None = None
    excluded_models: tuple[str, ...] = ()  # never sampled under this budget (too slow for it; say why)

    @property
    def normalizations(self) -> tuple[str, ...]:
        return self.normalization_list or transform_choices("normalization")

    @property
    def filters(self) -> tuple[str, ...]:
        return self.filter_list or transform_choices("filter")

    def as_dict(self) -> dict:
        """Every setting, the choice lists as they are now (the stored ``budget_settings``)."""
        out = asdict(self)
        del out["normalization_list"], out["filter_list"]
        return out | {"normalizations": self.normalizations, "filters": self.filters}


def minirocket_anchor() -> tuple[str, dict]:
    """sktime's MiniRocket as published (the budget's kernel count) with scikit-learn's default
    logistic head (C = 1) on unnormalised records."""
    return ("minirocket-default", {"model": "minirocket", "rocket.C": 1.0, "normalization": "none"})


def resnet_anchor(width: int, crop: float) -> tuple[str, dict]:
    """The study's ResNet1D-18 recipe as its own defaults give it: AdamW (lr 1e-3, weight decay
    1e-2, cosine schedule), batch 64, BCE with the class weight, no pretraining, no filter,
    per-record z-score, kernel 7, no head dropout, the budget's longest crop and epoch cap
    (early stopping on the inner validation)."""
    return ("resnet1d18-study-recipe", {
        "model": "resnet1d18", "resnet1d.width": width, "resnet1d.kernel_size": 7, "resnet1d.dropout": 0.0,
        "normalization": "zscore", "crop_seconds": crop, "filter": "none", "pretrain": "none", "lr": 1e-3,
        "weight_decay": 1e-2, "batch_size": 64, "loss": "bce", "epochs": "max"})


BUDGETS = {
    "smoke": Budget("smoke", folds=3, min_epochs=2, max_epochs=3, patience=2, crops=(2.5,), pretrain_epochs=1,
                    repeats=1,
                    baseline_overrides={"minirocket": {"num_kernels": 1000}, "multirocket": {"num_kernels": 500},
                                        "rocket": {"num_kernels": 500}, "arsenal": {"num_kernels": 300, "n_estimators": 5},
                                        "catch22_forest": {"n_estimators": 50}},
                    anchors=(minirocket_anchor(), resnet_anchor(16, 2.5))),
    # small: 2 CPU cores. A deep trial may cost at most 4 TFLOP of training (about 1.5-3 min there,
    # scripts/bench_ceiling.py); the rocket kernels are cut to 40-75 s a trial; catch22_forest is left
    # out, its catch22 transform alone taking 32-34 s a fold (5.5 min a trial) on 2 cores; s4d is left
    # out, its FFT convolutions running at about 4 GFLOP/s there (scripts/bench_ceiling.py --families
    # s4d: its costliest kept configuration about 13 min a trial, against 1.5-3 min for the others).
    # Epochs at most 12 (patience 4) and batches of 64 or 128: on 2 cores a trial's time is mostly
    # per-step overhead and late epochs that early stopping on ~5 inner-validation positives rarely
    # keeps; with 20 epochs and batch 32 the 200-trial main command needed over 2 h (0.4.0 README).
    "small": Budget("small", folds=5, min_epochs=5, max_epochs=12, patience=4, crops=(2.5, 5.0), pretrain_epochs=5,
                    repeats=2, batch_sizes=(64, 128), max_train_tflop=4.0, excluded_models=("catch22_forest", "s4d"),
                    baseline_overrides={"minirocket": {"num_kernels": 5000}, "multirocket": {"num_kernels": 1000},
                                        "rocket": {"num_kernels": 500}, "arsenal": {"num_kernels": 100, "n_estimators": 5}},
                    # width 16: the widest ResNet the 4 TFLOP ceiling keeps on the stand-in
                    anchors=(minirocket_anchor(), resnet_anchor(16, 5.0))),
    "full": Budget("full", folds=5, min_epochs=20, max_epochs=100, patience=15, crops=(1.0, 2.5, 5.0, 10.0),
                   pretrain_epochs=30, repeats=3, anchors=(minirocket_anchor(), resnet_anchor(64, 10.0))),
}


def get_budget(name: str) -> Budget:
    if name not in BUDGETS:
        raise ConfigError(f"unknown budget {name!r}; choose {', '.join(BUDGETS)}")
    return BUDGETS[name]
