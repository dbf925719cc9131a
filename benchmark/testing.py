"""A conformance kit for what a plugin adds (and what the benchmark ships): models, search spaces,
transforms and data sources, in the manner of scikit-learn's ``check_estimator``.

Each ``check_*`` runs every check of its kind and raises :class:`AssertionError` whose message
starts with the check and the thing checked (``check_model_stages[mynet]: ...``); the single
checks are listed in :data:`MODEL_CHECKS`, :data:`SPACE_CHECKS`, :data:`TRANSFORM_CHECKS` and
:data:`SOURCE_CHECKS`. :func:`parametrize_with_checks` makes one pytest case per (thing, check)::

    from benchmark.testing import check_model, parametrize_with_checks

    @parametrize_with_checks(models=["mynet"], spaces=["mynet"], transforms=[MyNorm],
                             sources=[("mysource", "tests/fixtures/mysource")])
    def test_plugin(check):
        check()

A thing is named as it is registered (a model, a space's family, a source's name) or given as its
class (transforms, sources). What is checked is the contract each registry's docstring states:

- a model (:func:`benchmark.models.register_model`): builds a
  :class:`~benchmark.models.base.StagedModel` from its space's first values; forward and backward at
  its ``min_length`` and longer, and one record in eval mode; every backbone parameter in exactly
  one stage; freezing; a new head keeps the backbone;
- a space (:func:`benchmark.study.space.register_space`): the load-time dry run (known arguments, no
  reserved name, one family), each model built from it, every combination enumerable (the cost
  ceiling costs each);
- a transform (:class:`~benchmark.transforms.base.Transform`): registered under its kind and name,
  ``__init__`` stores its arguments only (scikit-learn ``clone``), ``fit`` returns self and does not
  change its input, ``transform`` keeps the shape, gives finite float32, and transforms each record
  alone (a record's output never depends on the others in its batch);
- a source (:class:`~benchmark.data.sources.base.Source`): its class attributes, ``available()`` of a
  missing folder is False; given a ``root`` holding its data, its table (unique ``record_id``,
  ``patient_id``, 0/1 labels), ``files`` and ``read`` of a few rows (canonical 12 leads at 100 Hz, or
  refused with a ``DataError`` naming the record).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

LENGTHS = (250, 1000)  # 2.5 s and 10 s at 100 Hz, checked beside each model's own minimum
N_CLASSES = 3


def _fail(check: str, what: str, message: str) -> AssertionError:
    return AssertionError(f"{check}[{what}]: {message}")


def _expect(condition: bool, check: str, what: str, message: str) -> None:
    if not condition:
        raise _fail(check, what, message)


class _FirstValues:
    """A trial that answers every suggestion with its first choice or its low end."""

    def suggest_categorical(self, name, choices):
        return list(choices)[0]

    def suggest_int(self, name, low, high, step=1, log=False):
        return low

    def suggest_float(self, name, low, high, step=None, log=False):
        return low


def first_values(model: str) -> dict:
    """The builder arguments the model's search space gives at its first values ({} without a space)."""
    from benchmark.errors import ConfigError
    from benchmark.study.space import space_for

    try:
        entry = space_for(model)
    except ConfigError:
        return {}
    return entry.fn(_FirstValues(), model)


# ------------------------------------------------------------------------------ models
def _info(name: str, check: str):
    from benchmark.models import model_info

    try:
        return model_info(name)
    except Exception as exc:  # noqa: BLE001 - an unknown name is the check's failure
        raise _fail(check, name, f"not a registered model ({exc})") from None


def _build(name: str, kwargs: dict | None, check: str, n_classes: int = N_CLASSES):
    from benchmark.models import StagedModel, create_model

    _info(name, check)
    kwargs = first_values(name) if kwargs is None else dict(kwargs)
    try:
        model = create_model(name, n_classes=n_classes, in_leads=12, **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise _fail(check, name, f"building with n_classes={n_classes}, in_leads=12, {kwargs} raised "
                                 f"{type(exc).__name__}: {exc}") from None
    _expect(isinstance(model, StagedModel), check, name,
            f"the builder returned {type(model).__name__}, not a benchmark.StagedModel")
    return model


def check_model_builds(name: str, kwargs: dict | None = None) -> None:
    """The builder takes ``n_classes`` and ``in_leads`` and returns a StagedModel with stages and a
    ``Dropout + Linear`` head of ``n_classes`` outputs; ``min_length`` is a positive integer."""
    import torch

    from benchmark.models import model_params

    check = "check_model_builds"
    info = _info(name, check)
    params = model_params(name)
    for arg in ("n_classes", "in_leads"):
        _expect(arg in params, check, name, f"the builder has no {arg!r} argument (the study sets it)")
    _expect(isinstance(info.min_length, int) and info.min_length >= 1, check, name,
            f"min_length must be a positive number of samples, got {info.min_length!r}")
    model = _build(name, kwargs, check)
    _expect(model.n_stages >= 1, check, name, "no stages: fill self.stages (an nn.ModuleList) from input to head")
    linear = model.head[-1] if isinstance(model.head, torch.nn.Sequential) and len(model.head) else None
    _expect(isinstance(linear, torch.nn.Linear) and linear.out_features == N_CLASSES, check, name,
            f"the head must be StagedModel's Dropout + Linear with n_classes={N_CLASSES} outputs")


def check_model_forward(name: str, kwargs: dict | None = None, lengths: Iterable[int] | None = None) -> None:
    """``(2, 12, T) -> (2, n_classes)`` finite logits for T = ``min_length`` and :data:`LENGTHS`
    (or ``lengths``), a gradient for every parameter, and one record in eval mode."""
    import torch

    check = "check_model_forward"
    minimum = _info(name, check).min_length
    lengths = sorted({minimum, *LENGTHS} if lengths is None else set(lengths))
    torch.manual_seed(0)
    model = _build(name, kwargs, check)
    for T in lengths:
        try:
            out = model(torch.randn(2, 12, T))
        except Exception as exc:  # noqa: BLE001
            raise _fail(check, name, f"forward of (2, 12, {T}) raised {type(exc).__name__}: {exc} "
                                     f"(min_length={minimum}: it must accept any length from there)") from None
        _expect(tuple(out.shape) == (2, N_CLASSES), check, name,
                f"forward of (2, 12, {T}) gave shape {tuple(out.shape)}, not (2, {N_CLASSES})")
        _expect(bool(torch.isfinite(out).all()), check, name, f"forward of (2, 12, {T}) gave non-finite logits")
        out.sum().backward()
        missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
        _expect(not missing, check, name, f"at T={T} no gradient reaches {', '.join(missing[:3])}")
        model.zero_grad()
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(1, 12, lengths[0]))
    _expect(tuple(out.shape) == (1, N_CLASSES), check, name, "one record in eval mode must give (1, n_classes)")


def check_model_stages(name: str, kwargs: dict | None = None) -> None:
    """Every parameter is in exactly one stage or in the head (freezing and transfer walk the stages)."""
    check = "check_model_stages"
    model = _build(name, kwargs, check)
    every = {id(p): n for n, p in model.named_parameters()}
    staged = [{id(p) for p in s.parameters()} for s in model.stages]
    head = {id(p) for p in model.head.parameters()}
    covered = set().union(*staged) | head
    loose = [n for i, n in every.items() if i not in covered]
    _expect(not loose, check, name, f"parameters outside every stage and the head: {', '.join(loose[:3])}")
    _expect(sum(map(len, staged)) + len(head) == len(every), check, name,
            "a parameter is in two stages (or in a stage and the head)")


def check_model_freezing(name: str, kwargs: dict | None = None) -> None:
    """``freeze(k)`` freezes exactly the stages below ``k``, whose BatchNorm statistics stay fixed in training."""
    import torch

    check = "check_model_freezing"
    model = _build(name, kwargs, check)
    staged = [{id(p) for p in s.parameters()} for s in model.stages]
    for k in range(model.n_stages + 1):
        model.freeze(k)
        frozen = {id(p) for p in model.parameters() if not p.requires_grad}
        _expect(frozen == (set().union(*staged[:k]) if k else set()), check, name,
                f"freeze({k}) must freeze the parameters of stages 0..{k - 1} and nothing else")
        model.train()
        for i, stage in enumerate(model.stages):
            for m in stage.modules():
                if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.BatchNorm3d, torch.nn.SyncBatchNorm)):
                    _expect(m.training == (i >= k), check, name,
                            f"after freeze({k}) a BatchNorm of stage {i} is in {'training' if m.training else 'eval'} mode")


def check_model_reset_head(name: str, kwargs: dict | None = None) -> None:
    """``reset_head(n)`` gives ``n`` outputs and leaves every backbone tensor as it was."""
    import torch

    check = "check_model_reset_head"
    model = _build(name, kwargs, check)
    before = {k: v.clone() for k, v in model.backbone_state().items()}
    model.reset_head(5)
    after = model.backbone_state()
    _expect(before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before), check, name,
            "reset_head changed the backbone")
    T = max(_info(name, check).min_length, LENGTHS[0])
    _expect(tuple(model(torch.randn(2, 12, T)).shape) == (2, 5), check, name, "after reset_head(5) the output is not (2, 5)")


MODEL_CHECKS: tuple[Callable[..., None], ...] = (check_model_builds, check_model_forward, check_model_stages,
                                                  check_model_freezing, check_model_reset_head)


def check_model(name: str, kwargs: dict | None = None) -> None:
    """Every model check of registered model ``name``, built with ``kwargs`` (default: its search
    space's first values, so the check is quick)."""
    for check in MODEL_CHECKS:
        check(name, kwargs)


# ------------------------------------------------------------------------------ spaces
def _entry(family: str, check: str):
    from benchmark.study.space import load_spaces

    spaces = load_spaces()
    _expect(family in spaces, check, family, f"no registered search space {family!r} (known: {', '.join(spaces)})")
    return spaces[family]


def check_space_dry_run(family: str) -> None:
    """The load-time dry run (:func:`benchmark.study.space.check_space`): registered models of the space's
    family, known arguments, no reserved or shared name, no empty choice, ``low <= high``."""
    from benchmark.errors import ConfigError
    from benchmark.study.space import check_space

    check = "check_space_dry_run"
    try:
        check_space(_entry(family, check))
    except ConfigError as exc:
        raise _fail(check, family, str(exc)) from None


def check_space_builds(family: str) -> None:
    """Each model of the space builds from the space's first values (a baseline: its estimator)."""
    from benchmark.estimators.baselines import create_baseline

    check = "check_space_builds"
    entry = _entry(family, check)
    for model in entry.models:
        kwargs = first_values(model)
        if entry.kind == "deep":
            _build(model, kwargs, check, n_classes=1)
        else:
            try:
                create_baseline(model, **kwargs)
            except Exception as exc:  # noqa: BLE001
                raise _fail(check, family, f"baseline {model} with {kwargs} raised {type(exc).__name__}: {exc}") from None


def check_space_enumerable(family: str) -> None:
    """Every combination of the space's choices can be listed (what the cost ceiling costs, one by
    one); the space asks the same parameters for the same answers (define-by-run, deterministic)."""
    from benchmark.study.ceiling import enumerate_space

    check = "check_space_enumerable"
    entry = _entry(family, check)
    for model in entry.models:
        try:
            combos, _ = enumerate_space(entry.fn, model)
            again, _ = enumerate_space(entry.fn, model)
        except Exception as exc:  # noqa: BLE001
            raise _fail(check, family, f"enumerating {model} raised {type(exc).__name__}: {exc}") from None
        _expect(bool(combos), check, family, f"{model}: no combination")
        _expect(combos == again, check, family, f"{model}: the space does not give the same choices twice")


SPACE_CHECKS: tuple[Callable[[str], None], ...] = (check_space_dry_run, check_space_builds, check_space_enumerable)


def check_space(family: str) -> None:
    """Every space check of the space registered as ``family``."""
    for check in SPACE_CHECKS:
        check(family)


# ------------------------------------------------------------------------------ transforms
SEARCHED_KINDS = ("filter", "normalization")  # the kinds a budget searches (Preprocess applies them)


def _records(n: int = 6, T: int = 500, fs: float = 100.0, seed: int = 0) -> np.ndarray:
    """ECG-like float32 records: a rhythm, a baseline drift, noise, per-lead gains and offsets."""
    rng = np.random.default_rng(seed)
    t = np.arange(T) / fs
    beat = np.sin(2 * np.pi * 1.2 * t) ** 15
    drift = np.sin(2 * np.pi * 0.2 * t + rng.uniform(0, 6, (n, 12, 1)))
    gain = rng.uniform(0.2, 2.0, (n, 12, 1))
    X = gain * beat + 0.3 * drift + 0.05 * rng.standard_normal((n, 12, T)) + rng.uniform(-1, 1, (n, 12, 1))
    return X.astype(np.float32)


def _transform_name(cls) -> str:
    return f"{getattr(cls, 'kind', '?')}:{getattr(cls, 'name', getattr(cls, '__name__', cls))}"


def _make_transform(cls, fs: float, check: str):
    what = _transform_name(cls)
    try:
        return cls(fs=fs) if cls.kind == "filter" else cls()
    except Exception as exc:  # noqa: BLE001
        how = f"{cls.__name__}(fs={fs})" if cls.kind == "filter" else f"{cls.__name__}()"
        raise _fail(check, what, f"{how} raised {type(exc).__name__}: {exc} (a filter takes fs, a normalization "
                                 "needs no argument)") from None


def check_transform_registered(cls) -> None:
    """A searched kind, a name, registered under both; ``__init__`` stores its arguments only."""
    from sklearn.base import clone

    from benchmark.transforms import Transform, create_transform, transform_choices

    check, what = "check_transform_registered", _transform_name(cls)
    _expect(isinstance(cls, type) and issubclass(cls, Transform), check, what, "not a subclass of benchmark.Transform")
    _expect(cls.kind in SEARCHED_KINDS, check, what, f"kind must be one of {', '.join(SEARCHED_KINDS)}, got {cls.kind!r}")
    _expect(bool(cls.name), check, what, "no name")
    _expect(cls.name in transform_choices(cls.kind), check, what,
            f"not registered (decorate it with @register_transform); {cls.kind}s: {', '.join(transform_choices(cls.kind))}")
    made = create_transform(cls.kind, cls.name, **({"fs": 100.0} if cls.kind == "filter" else {}))
    _expect(type(made) is cls, check, what, f"the name is registered to {type(made).__name__}, not {cls.__name__}")
    t = _make_transform(cls, 100.0, check)
    try:
        twin = clone(t)
    except Exception as exc:  # noqa: BLE001
        raise _fail(check, what, f"scikit-learn clone failed ({type(exc).__name__}: {exc}): __init__ must store "
                                 "each argument under its own name and do nothing else") from None
    _expect(twin.get_params() == t.get_params(), check, what, "clone changed the parameters")


def check_transform_fit_transform(cls) -> None:
    """``fit`` returns self without changing its input; ``transform`` keeps the shape, gives finite
    float32, and works on records other than those it was fitted on (and, for a filter, at 500 Hz)."""
    check, what = "check_transform_fit_transform", _transform_name(cls)
    for fs, T in ((100.0, 500), (500.0, 2500)):
        if cls.kind != "filter" and fs != 100.0:
            continue
        t = _make_transform(cls, fs, check)
        X = _records(T=T, fs=fs)
        before = X.copy()
        _expect(t.fit(X) is t, check, what, "fit must return self")
        _expect(np.array_equal(X, before), check, what, "fit changed its input in place")
        other = _records(n=3, T=T, fs=fs, seed=1)
        out = t.transform(other)
        _expect(isinstance(out, np.ndarray) and out.shape == other.shape, check, what,
                f"transform of {other.shape} gave {getattr(out, 'shape', type(out).__name__)}")
        _expect(out.dtype == np.float32, check, what, f"transform gave {out.dtype}, not float32")
        _expect(bool(np.isfinite(out).all()), check, what, f"transform gave non-finite values at fs={fs:g}")
        _expect(np.array_equal(other, _records(n=3, T=T, fs=fs, seed=1)), check, what, "transform changed its input in place")


def check_transform_per_record(cls) -> None:
    """After ``fit``, a record's output depends on that record alone (and what ``fit`` learned from
    the training records), never on the other records of its batch: an evaluation batch leaks nothing."""
    check, what = "check_transform_per_record", _transform_name(cls)
    t = _make_transform(cls, 100.0, check).fit(_records())
    X = _records(n=4, seed=2)
    together = t.transform(X)
    alone = np.concatenate([t.transform(X[i:i + 1]) for i in range(len(X))])
    _expect(np.allclose(together, alone, rtol=1e-5, atol=1e-5), check, what,
            "a record's output changes with the other records of its batch")


def check_transform_fits_in_blocks(cls) -> None:
    """``fit`` also takes a :class:`~benchmark.data.lazy.LazySignals` (a fold too large to read
    whole arrives so) and learns what it learns from the same records as an array."""
    from benchmark.data.lazy import LazySignals

    check, what = "check_transform_fits_in_blocks", _transform_name(cls)
    X, other = _records(), _records(n=3, seed=1)
    try:
        lazy = _make_transform(cls, 100.0, check).fit(LazySignals(X))
    except Exception as exc:  # noqa: BLE001
        raise _fail(check, what, f"fit on a LazySignals failed ({type(exc).__name__}: {exc}): iterate "
                                 "X.blocks(), or read it whole with np.asarray(X)") from None
    expected = _make_transform(cls, 100.0, check).fit(X).transform(other)
    _expect(np.allclose(lazy.transform(other), expected, rtol=1e-5, atol=1e-5), check, what,
            "fit on a LazySignals learned other numbers than fit on the same records as an array")


TRANSFORM_CHECKS: tuple[Callable[[Any], None], ...] = (check_transform_registered, check_transform_fit_transform,
                                                       check_transform_per_record, check_transform_fits_in_blocks)


def check_transform(cls) -> None:
    """Every transform check of the :class:`~benchmark.transforms.base.Transform` subclass ``cls``."""
    for check in TRANSFORM_CHECKS:
        check(cls)


# ------------------------------------------------------------------------------ sources
def _source_class(source, check: str):
    from benchmark.data.sources import Source, source_class

    if isinstance(source, str):
        try:
            return source_class(source)
        except Exception as exc:  # noqa: BLE001
            raise _fail(check, source, str(exc)) from None
    _expect(isinstance(source, type) and issubclass(source, Source), check, str(source),
            "not a subclass of benchmark.Source")
    return source


def check_source_class(source, root: str | Path | None = None) -> None:
    """Registered by its ``name``; a ``patient_namespace``; a boolean ``pretraining`` tag whose name
    is no other pretraining level; made from ``(root, fs=...)``; ``available()`` of a missing folder
    is False (not an error)."""
    from benchmark.study.config import RANDOM_FROZEN
    from benchmark.data.pools import POOLS
    from benchmark.data.sources import source_class

    check = "check_source_class"
    cls = _source_class(source, check)
    what = getattr(cls, "name", cls.__name__)
    _expect(isinstance(getattr(cls, "name", None), str) and bool(cls.name), check, what, "no name")
    _expect(source_class(cls.name) is cls, check, what, "not registered under its name (decorate it with @register_source)")
    _expect(isinstance(getattr(cls, "patient_namespace", None), str), check, what,
            "no patient_namespace (patients of equal namespaces are compared)")
    _expect(isinstance(cls.pretraining, bool), check, what, "the pretraining tag must be True or False")
    if cls.pretraining:
        reserved = ("none", RANDOM_FROZEN, *POOLS)
        _expect(cls.name not in reserved, check, what, f"a pretraining source cannot be named {cls.name!r} "
                                                        f"(reserved levels: {', '.join(reserved)})")
    missing = Path("/nonexistent") / f"ecg-bench-check-{cls.name}"
    try:
        src = cls(missing, fs=100.0)
        present = src.available()
    except Exception as exc:  # noqa: BLE001
        raise _fail(check, what, f"{cls.__name__}({str(missing)!r}, fs=100.0).available() raised "
                                 f"{type(exc).__name__}: {exc}") from None
    _expect(present is False, check, what, "available() of a missing folder must be False")


def check_source_table(source, root: str | Path | None = None, n_rows: int = 5) -> None:
    """With ``root`` (a folder holding the source's data; nothing is checked without one): the
    table has unique string ``record_id`` s, string ``patient_id`` s and 0/1 label columns
    :attr:`label_names` (at least one); ``skipped`` counts by reason; the first ``n_rows`` rows'
    files exist, and each reads into a signal that canonicalizes to 12 leads at 100 Hz or is refused
    with a :class:`~benchmark.errors.DataError` naming it (at least one reads)."""
    import pandas as pd

    from benchmark.data.signals import Signal, canonicalize
    from benchmark.errors import DataError

    check = "check_source_table"
    cls = _source_class(source, check)
    what = cls.name
    if root is None:
        return
    src = cls(Path(root), fs=100.0)
    _expect(src.available(), check, what, f"available() is False for {root}")
    table = src.table()
    labels = list(src.label_names)
    _expect(isinstance(table, pd.DataFrame) and len(table) > 0, check, what, "table() must be a non-empty DataFrame")
    _expect(bool(labels), check, what, "no label_names")
    absent = [c for c in ("record_id", "patient_id", *labels) if c not in table.columns]
    _expect(not absent, check, what, f"table() lacks the column(s) {', '.join(absent)}")
    _expect(table["record_id"].is_unique, check, what, "record_id is not unique")
    for col in ("record_id", "patient_id"):
        _expect(all(isinstance(v, str) for v in table[col]), check, what, f"{col} values must be str")
    values = table[labels].to_numpy()
    _expect(bool(np.isin(values, (0, 1)).all()), check, what, "label columns must hold 0 or 1 only")
    _expect(isinstance(src.skipped, dict) and all(isinstance(v, int) for v in src.skipped.values()), check, what,
            "skipped must map a reason to a count")
    good = 0
    for _, row in table.head(n_rows).iterrows():
        files = src.files(row)
        _expect(bool(files) and all(isinstance(f, Path) for f in files), check, what, "files(row) must list Paths")
        gone = [str(f) for f in files if not f.is_file()]
        _expect(not gone, check, what, f"files(row) lists missing files: {', '.join(gone[:2])}")
        try:
            signal = src.read(row)
            _expect(isinstance(signal, Signal), check, what, "read(row) must return a benchmark.Signal")
            x, valid = canonicalize(signal, 100.0, 1000)
        except DataError as exc:  # a bad record is refused by name (pools drop it), never read wrong
            _expect(str(row["record_id"]) in str(exc) or any(str(f.with_suffix("")) in str(exc) for f in files), check,
                    what, f"record {row['record_id']}: a DataError must name the record or its file: {exc}")
            continue
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _fail(check, what, f"record {row['record_id']}: {type(exc).__name__}: {exc} (a bad record "
                                     "raises benchmark.errors.DataError naming its file)") from None
        _expect(x.shape == (12, 1000) and valid > 0, check, what, f"record {row['record_id']} is empty")
        good += 1
    _expect(good > 0, check, what, f"none of the first {n_rows} records reads into a valid 12-lead signal")


SOURCE_CHECKS: tuple[Callable[..., None], ...] = (check_source_class, check_source_table)


def check_source(source, root: str | Path | None = None) -> None:
    """Every source check of ``source`` (a registered name or a Source subclass); the table checks
    need ``root``, a folder holding its data."""
    for check in SOURCE_CHECKS:
        check(source, root)


# ------------------------------------------------------------------------------ pytest
def parametrize_with_checks(models: Iterable[str] = (), spaces: Iterable[str] = (), transforms: Iterable = (),
                            sources: Iterable = ()):
    """A ``pytest.mark.parametrize`` over one argument, ``check``: one case per (thing, check),
    named ``check_model_forward[mynet]``. ``sources`` holds names or classes (their class checks),
    or ``(source, root)`` pairs (their data too)."""
    import pytest

    cases, ids = [], []

    def add(check, what: str, *args) -> None:
        cases.append(functools.partial(check, *args))
        ids.append(f"{check.__name__}[{what}]")

    for name in models:
        for check in MODEL_CHECKS:
            add(check, name, name)
    for family in spaces:
        for check in SPACE_CHECKS:
            add(check, family, family)
    for cls in transforms:
        for check in TRANSFORM_CHECKS:
            add(check, _transform_name(cls), cls)
    for item in sources:
        source, root = item if isinstance(item, tuple) else (item, None)
        what = source if isinstance(source, str) else getattr(source, "name", source.__name__)
        for check in SOURCE_CHECKS if root is not None else (check_source_class,):
            add(check, what, source, root)
    return pytest.mark.parametrize("check", cases, ids=ids)
