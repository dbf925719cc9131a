"""ecg-automl-bench: a leak-proof AutoML benchmark for small, imbalanced 12-lead ECG cohorts.

The plugin API (what another package needs to add to the benchmark; :mod:`benchmark.plugins` says
how a package is found, :mod:`benchmark.testing` checks what it adds)::

    from benchmark import StagedModel, register_model, register_space            # a model and its space
    from benchmark import Transform, register_transform                          # a filter or normalization
    from benchmark import Source, Signal, register_source                        # a data source
    from benchmark import register_baseline, register_engine, Engine             # a baseline, an engine
    from benchmark import Statistic, register_statistic                          # a leaderboard statistic

Each name is imported on first use, so ``import benchmark`` stays cheap (no torch, no pandas).
A plugin is imported after every built-in thing has registered (:func:`benchmark.plugins.load_plugins`),
so the built-ins keep their places in each registry's order.
"""

from benchmark.trial import isa as _isa

_isa.pin()  # before torch or numba is imported: CPU numbers re-derive on other x86-64 machines

__version__ = "0.4.0"

_API = {  # name -> the module that defines it (importing it registers the built-ins of its kind)
    "StagedModel": "benchmark.models",
    "register_model": "benchmark.models",
    "register_space": "benchmark.study.space",
    "Transform": "benchmark.transforms",
    "register_transform": "benchmark.transforms",
    "Source": "benchmark.data.sources",
    "register_source": "benchmark.data.sources",
    "Signal": "benchmark.data.signals",
    "register_baseline": "benchmark.estimators.baselines",
    "Engine": "benchmark.engines.base",
    "register_engine": "benchmark.engines.base",
    "Statistic": "benchmark.leaderboard.statistic",
    "register_statistic": "benchmark.leaderboard.statistic",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'benchmark' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
