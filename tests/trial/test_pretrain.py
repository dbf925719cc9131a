"""Pretraining really runs on the local PTB-XL pool, once per key, and transfer starts from it."""

from __future__ import annotations

import hashlib
import os
import multiprocessing as mp
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.estimators.deep import DeepClassifier
from benchmark.trial.pretraining import PretrainSpec, get_checkpoint
from benchmark.training.loop import Recipe
from benchmark.training.transfer import load_backbone

SPEC = PretrainSpec(source="ptbxl", model="resnet1d18", model_kwargs={"width": 8}, epochs=2, crop_seconds=2.5)


def _spec_and_loader(target):
    from benchmark.data.pools import pretraining_data

    data = pretraining_data("ptbxl", target)
    return replace(SPEC, source_hash=data.digest), data.load


def _runs(root: Path) -> int:
    log = root / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_same_key_once_changed_key_again(tmp_path, standin):
    spec, load = _spec_and_loader(standin)
    calls = []

    def counting_load():
        calls.append(1)
        return load()

    a = get_checkpoint(spec, counting_load, tmp_path)
    b = get_checkpoint(spec, counting_load, tmp_path)
    assert a == b and _runs(tmp_path) == 1 and len(calls) == 1
    c = get_checkpoint(replace(spec, seed=1), counting_load, tmp_path)
    assert c != a and _runs(tmp_path) == 2
    payload = torch.load(a, weights_only=True)
    assert payload["spec"]["source_hash"] == spec.source_hash and np.isfinite(payload["val_auroc"])


def _race(root: str) -> str:
    from benchmark.data.cohorts import load_target

    spec, load = _spec_and_loader(load_target("pe"))
    path = get_checkpoint(spec, load, Path(root))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_two_processes_one_pretraining(tmp_path):
    with mp.get_context("spawn").Pool(2) as pool:
        digests = pool.map(_race, [str(tmp_path)] * 2)
    assert digests[0] == digests[1] and _runs(tmp_path) == 1


def test_fine_tuning_starts_from_pretrained_backbone(tmp_path, standin):
    spec, load = _spec_and_loader(standin)
    path = get_checkpoint(spec, load, tmp_path)
    pretrained = torch.load(path, weights_only=True)["backbone"]
    est = DeepClassifier(model="resnet1d18", model_kwargs={"width": 8}, init_checkpoint=str(path), freeze_depth=2)
    model = est.build_model(1)
    key = "stages.0.0.0.weight"
    fresh = DeepClassifier(model="resnet1d18", model_kwargs={"width": 8}).build_model(1)
    assert not torch.equal(fresh.state_dict()[key], pretrained[key])
    assert torch.equal(model.state_dict()[key], pretrained[key])
    assert torch.equal(model.state_dict()["stages.3.0.body.0.0.weight"], pretrained["stages.3.0.body.0.0.weight"])
    assert model.frozen_depth == 2 and not model.stages[1][0].body[0][0].weight.requires_grad
    # and a fine-tune on the target runs from there: frozen stages stay exactly the pretrained ones
    ids = standin.record_ids[:80]
    est.set_params(recipe=Recipe(epochs=2)).fit(standin.X(ids), standin.y(ids), groups=standin.groups(ids))
    assert torch.equal(est.model_.state_dict()[key], pretrained[key])
    assert not torch.equal(est.model_.state_dict()["stages.4.1.body.1.0.weight"], pretrained["stages.4.1.body.1.0.weight"])


def test_mismatched_backbone_is_refused(tmp_path, standin):
    import pytest

    from benchmark.errors import ConfigError
    from benchmark.models import create_model

    spec, load = _spec_and_loader(standin)
    path = get_checkpoint(spec, load, tmp_path)
    with pytest.raises(ConfigError, match="does not fit"):
        load_backbone(create_model("resnet1d18", width=16), path)


def test_both_sources_pretrain_with_a_masked_union_head(tmp_path, standin, real_data_root, monkeypatch):
    """PTB-XL + a CPSC-format pool (the CinC2021 samples in WFDB layout stand in for CPSC2018 here):
    a union label matrix where each pool's foreign labels are unknown (NaN) and masked in the loss;
    the pool's two real records with flat leads are dropped and reported."""
    from benchmark.data.pools import pretraining_data

    root = tmp_path / "data"
    root.mkdir()
    (root / "ptbxl").symlink_to(real_data_root / "ptbxl")
    (root / "cpsc2018").symlink_to(real_data_root / "cinc2021_samples")
    monkeypatch.setenv("ECG_BENCH_DATA", str(root))
    data = pretraining_data("both", standin)
    X, Y, groups = data.load()
    ptbxl, cpsc = data.pools
    assert len(X) == len(Y) == len(groups) == len(ptbxl.table) + len(cpsc.table)
    # left in the two stores, read as one array: the same records in the same order
    assert np.array_equal(X[::7].read(), np.concatenate([ptbxl.X(), cpsc.X()])[::7])
    from benchmark.data.pools import union_pool

    names = union_pool(data.pools)[2]
    own = np.array([n.startswith("ptbxl:") for n in names])
    assert Y.shape[1] == len(names) == 5 + 9 and own.sum() == 5
    rows = slice(0, len(ptbxl.table))  # ptbxl records first, their CPSC labels unknown
    assert np.isnan(Y[rows][:, ~own]).all() and not np.isnan(Y[rows][:, own]).any()
    assert np.isnan(Y[len(ptbxl.table):][:, own]).all()
    assert any("dropped 2 unreadable or invalid records" in n for n in data.notices)
    path = get_checkpoint(replace(SPEC, source="both", source_hash=data.digest, epochs=1), data.load, tmp_path / "ck")
    assert torch.load(path, weights_only=True)["spec"]["source"] == "both"


def test_truncated_or_altered_checkpoint_is_rebuilt(tmp_path, standin):
    """A checkpoint cut short or changed in place fails its sidecar checksum and is retrained
    under the lock, instead of failing every trial that needs it."""
    spec, load = _spec_and_loader(standin)
    spec = replace(spec, epochs=1)
    path = get_checkpoint(spec, load, tmp_path)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # truncated
    assert get_checkpoint(spec, load, tmp_path) == path and _runs(tmp_path) == 2
    torch.load(path, weights_only=True)  # whole again
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # same size, other bytes
    stat = path.stat()
    path.write_bytes(bytes(raw))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    get_checkpoint(spec, load, tmp_path)
    assert _runs(tmp_path) == 3
    assert get_checkpoint(spec, load, tmp_path) == path and _runs(tmp_path) == 3  # intact: reused
