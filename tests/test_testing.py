"""benchmark.testing, the kit a plugin author imports: every built-in space, transform and source
passes it (the models: tests/models/test_models.py), and what breaks a contract fails with a message that
names the check, the thing and the problem."""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from benchmark.data.sources import list_sources
from benchmark.models import StagedModel
from benchmark.study.space import load_spaces
from benchmark.testing import (check_model_stages, check_source, check_space_dry_run, check_transform,
                               check_transform_fits_in_blocks, check_transform_per_record, parametrize_with_checks)
from benchmark.transforms import create_transform, transform_choices

TRANSFORMS = [type(create_transform(kind, name, **({"fs": 100.0} if kind == "filter" else {})))
              for kind in ("filter", "normalization") for name in transform_choices(kind)]


@parametrize_with_checks(spaces=list(load_spaces()), transforms=TRANSFORMS, sources=list_sources())
def test_builtins_conform(check):
    check()


def test_sources_with_their_data_conform(real_data_root):
    check_source("ptbxl", real_data_root / "ptbxl")
    check_source("cpsc2018", real_data_root / "cinc2021_samples")


def test_parametrize_names_each_case():
    mark = parametrize_with_checks(models=["resnet1d18"], sources=[("ptbxl", "/data/ptbxl")])
    ids = mark.kwargs["ids"]
    assert ids[:2] == ["check_model_builds[resnet1d18]", "check_model_forward[resnet1d18]"]
    assert ids[-2:] == ["check_source_class[ptbxl]", "check_source_table[ptbxl]"]


# ------------------------------------------------------------------------------ what fails, and how
class _Loose(StagedModel):
    def __init__(self, n_classes, in_leads):
        super().__init__(4, n_classes)
        self.stages.append(nn.Conv1d(in_leads, 4, 3, padding=1))
        self.extra = nn.Linear(4, 4)  # in no stage: freezing and transfer would miss it

    def features(self, x):
        return self.extra(self.forward_stages(x).mean(-1))


def test_a_parameter_outside_the_stages_is_named(monkeypatch):
    from benchmark.models import _registry
    from benchmark.models._registry import ModelInfo

    monkeypatch.setitem(_registry._MODELS._items, "loose_net",
                        ModelInfo("loose_net", lambda n_classes=1, in_leads=12: _Loose(n_classes, in_leads), "loose", 8,
                                  __name__))
    with pytest.raises(AssertionError, match=r"^check_model_stages\[loose_net\]: parameters outside every stage and "
                                             r"the head: extra\.weight"):
        check_model_stages("loose_net", {})


def test_a_batch_dependent_normalization_fails():
    from benchmark.transforms.base import Transform

    class BatchScale(Transform):  # scales by the batch's maximum: an evaluation batch would leak
        kind, name = "normalization", "batch_scale"

        def transform(self, X):
            return (X / np.abs(X).max()).astype(np.float32)

    with pytest.raises(AssertionError, match=r"^check_transform_per_record\[normalization:batch_scale\]: a record's "
                                             r"output changes with the other records of its batch"):
        check_transform_per_record(BatchScale)
    with pytest.raises(AssertionError, match=r"not registered \(decorate it with @register_transform\)"):
        check_transform(BatchScale)


def test_a_normalization_whose_fit_needs_an_array_fails():
    from benchmark.transforms.base import Transform

    class ArrayOnly(Transform):  # X.mean: a LazySignals (a fold read in blocks) has no such method
        kind, name = "normalization", "array_only"

        def fit(self, X, y=None):
            self.centre_ = X.mean()
            return self

        def transform(self, X):
            return (X - self.centre_).astype(np.float32)

    with pytest.raises(AssertionError, match=r"^check_transform_fits_in_blocks\[normalization:array_only\]: fit on a "
                                             r"LazySignals failed \(AttributeError"):
        check_transform_fits_in_blocks(ArrayOnly)

    class ReadsWhole(ArrayOnly):  # np.asarray reads it whole: allowed (memory is the author's choice)
        name = "reads_whole"

        def fit(self, X, y=None):
            self.centre_ = np.asarray(X).mean()
            return self

    check_transform_fits_in_blocks(ReadsWhole)


def test_a_space_mistake_is_the_dry_runs_line():
    with pytest.raises(AssertionError, match=r"^check_space_dry_run\[nonexistent\]: no registered search space"):
        check_space_dry_run("nonexistent")
