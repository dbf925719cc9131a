"""Refactors keep behaviour: a fixed-seed 6-trial smoke study gives the same trials, configurations
and per-fold metrics as the snapshot recorded before the refactor (``tests/fixtures/smoke6.json``).

Every stored fold key but the wall-clock ones (``objective.TIMING_KEYS``) is compared under the
rule ``reproduce`` judges by (``benchmark.reproduce.same_number``: numbers within 1e-6, everything
else exactly), so the suite passes on any x86-64 machine of the pinned instruction-set level, not
only on the CPU that recorded the snapshot. It needs the real stand-in records (the synthetic PTB-XL of a
clone without real data has the same ids and labels, hence the same manifest hash, but other
signals): without them it is skipped and says why.

To record a new snapshot after an intended change of behaviour::

    ECG_BENCH_UPDATE_SNAPSHOT=1 python -m pytest tests/e2e/test_behaviour_snapshot.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.searchutil import load, search

SNAPSHOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "smoke6.json"
MODELS = "minirocket,resnet1d18,vgg11_1d,lstm,crnn,inceptiontime1d,rocket"
ARGS = ("--trials", "6", "--seed", "0", "--models", MODELS, "--pruner", "median")


def study_snapshot(results: Path) -> dict:
    from benchmark.trial.objective import TIMING_KEYS

    study = load(results)
    trials = []
    for t in sorted(study.trials, key=lambda t: t.number):
        folds = [{k: v for k, v in row.items() if k not in TIMING_KEYS} for row in t.user_attrs.get("folds", [])]
        trials.append({"number": t.number, "state": t.state.name, "params": t.params, "value": t.value,
                       "config": t.user_attrs.get("config"), "folds": folds,
                       "pretrain_key": t.user_attrs.get("pretrain_key"),
                       "n_parameters": t.user_attrs.get("n_parameters"),
                       "forward_flops_per_record": t.user_attrs.get("forward_flops_per_record")})
    return {"args": list(ARGS), "manifest_hash": study.user_attrs["identity"]["manifest_hash"],
            "trials": json.loads(json.dumps(trials))}


@pytest.mark.slow
def test_smoke_study_matches_the_snapshot(tmp_path, real_data_root):
    search(tmp_path, *ARGS)
    now = study_snapshot(tmp_path)
    if os.environ.get("ECG_BENCH_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        pytest.skip(f"snapshot written to {SNAPSHOT}")
    then = json.loads(SNAPSHOT.read_text())
    if then["manifest_hash"] != now["manifest_hash"]:
        pytest.skip("the snapshot was recorded on the real stand-in records; these data differ "
                    f"(manifest {now['manifest_hash'][:12]}, not {then['manifest_hash'][:12]})")
    assert [t["number"] for t in now["trials"]] == [t["number"] for t in then["trials"]]
    for a, b in zip(now["trials"], then["trials"]):
        same_config(a.pop("config"), b.pop("config"))
        if b["state"] == "PRUNED" and b["pretrain_key"] is None:
            b["pretrain_key"] = a["pretrain_key"]  # stored when a trial starts now, not only when it completes
        assert_same(a, b, f"trial {b['number']}")


def assert_same(a, b, where: str) -> None:
    """``a`` equals ``b`` under reproduce's rule, recursively (dicts by key, lists in order)."""
    from benchmark.reproduce import same_number

    if isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), f"{where}: keys {sorted(set(a) ^ set(b))} differ from the snapshot"
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{where}: {len(a)} items, the snapshot has {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert same_number(a, b), f"{where}: {a!r} differs from the snapshot's {b!r}"


def same_config(now: dict | None, then: dict | None) -> None:
    """The stored configuration holds the snapshot's values; it may also record recipe settings
    that were implicit then (patience, schedule, ...), and those must be the values then used."""
    from benchmark.study.budgets import get_budget
    from benchmark.study.config import RECIPE_FIELDS, TrialConfig

    if then is None:
        assert now is None
        return
    assert {k: now.get(k) for k in then} == then
    assert set(now) - set(then) <= set(RECIPE_FIELDS)
    implicit = TrialConfig.from_dict(then, patience=get_budget("smoke").patience)
    assert TrialConfig.from_dict(now) == implicit
