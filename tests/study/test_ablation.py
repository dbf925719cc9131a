"""The ablation stage (benchmark.study.ablation): cells differ from their centre in exactly one factor,
share one fresh fold partition of the same dev patients, and are declared with their contrasts
before any of them runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from benchmark.study.ablation import Settings, cell_changes, family_cells, fresh_partition
from benchmark.study.budgets import get_budget
from benchmark.data.splits import make_split

# the factors a cell may change: the transfer setting (arm and depth) is one factor
FACTORS = ({"crop_seconds"}, {"normalization"}, {"pretrain", "freeze_depth"}, {"seed"})
CENTRE = {"model": "resnet1d18", "resnet1d.width": 16, "resnet1d.kernel_size": 7, "resnet1d.dropout": 0.1,
          "normalization": "robust", "crop_seconds": 2.5, "filter": "none", "pretrain": "none", "lr": 1e-3,
          "weight_decay": 1e-2, "batch_size": 64, "loss": "bce", "epochs": 12}
CHOICES = ["none", "random_frozen", "ptbxl"]


def cells(centre=CENTRE, stages=4):
    return family_cells("resnet1d", centre, stages, get_budget("small"), CHOICES, Settings(3, 2))


def test_every_cell_differs_from_its_centre_in_exactly_one_factor():
    found, _ = cells()
    assert found[0]["params"] == CENTRE and found[0]["seed_offset"] == 0  # the centre re-runs as a cell
    for cell in found[1:]:
        changed = cell_changes(cell, CENTRE)
        assert changed and any(changed <= f for f in FACTORS), (cell["id"], changed)


def test_each_contrast_compares_cells_that_differ_in_one_factor():
    found, contrasts = cells()
    by_id = {c["id"]: c for c in found}
    for contrast in contrasts:
        ids = [c for c, w in contrast["weights"].items()]
        for other in ids[1:]:
            changed = cell_changes(by_id[other], by_id[ids[0]]["params"]) - {"seed"}
            assert any(changed <= f for f in FACTORS), (contrast["id"], changed)


def test_the_questions_cover_every_level():
    budget = get_budget("small")
    found, contrasts = cells()
    keys = {(c["question"], c["key"]) for c in contrasts}
    assert {q for q, _ in keys} == {"Q2", "Q3", "Q4", "Q5"}
    assert {k for q, k in keys if q == "Q3"} == {f"{n} - zscore" for n in budget.normalizations if n != "zscore"}
    assert {k for q, k in keys if q == "Q4"} == {"ptbxl - random_frozen", "random_frozen - none"}
    assert len([k for q, k in keys if q == "Q5"]) == 4  # three depths and the trend
    seeds = [c for c in found if c["seed_offset"]]
    assert len(seeds) == 2 and all(c["params"] == CENTRE for c in seeds)
    assert len(found) <= Settings(1, 2).upper_bound(budget, CHOICES)


def test_the_random_frozen_control_sits_at_the_pretrained_depth():
    found, contrasts = cells(stages=4)
    by_id = {c["id"]: c for c in found}
    for contrast in (c for c in contrasts if c["question"] == "Q5" and "trend" not in c["key"]):
        pre, ctrl = (by_id[c]["params"] for c in contrast["weights"])
        assert pre["pretrain"] == "ptbxl"
        if pre["freeze_depth"] == 0:
            assert ctrl["pretrain"] == "none" and "freeze_depth" not in ctrl
        else:
            assert ctrl["pretrain"] == "random_frozen" and ctrl["freeze_depth"] == pre["freeze_depth"]


def table(n_patients=60):
    rng = np.random.default_rng(0)
    rows = []
    for p in range(n_patients):
        for r in range(rng.integers(1, 3)):
            rows.append({"record_id": f"r{p:03d}_{r}", "patient_id": f"p{p:03d}", "label": int(p % 4 == 0)})
    return pd.DataFrame(rows)


def test_the_fresh_partition_reshuffles_the_same_dev_patients():
    t = table()
    split = make_split(t, n_folds=5, seed=0, repeats=2)
    dev = split.dev_ids()
    lookup = t.set_index("record_id")
    y, groups = lookup.loc[dev, "label"].to_numpy(), lookup.loc[dev, "patient_id"].to_numpy()
    assert fresh_partition(split, y, groups, dev).repeats == 1  # the default: one fresh fold set
    fresh = fresh_partition(split, y, groups, dev, repeats=2)
    assert fresh.test_ids() == split.test_ids() and fresh.dev_ids() == dev and fresh.repeats == 2
    assert fresh.hash != split.hash
    for r in range(fresh.repeats):
        assert fresh.folds_of(r) != split.folds_of(0) and fresh.folds_of(r) != split.folds_of(1)
        for k in range(fresh.n_folds):  # patient-grouped: no patient on both sides of a fold
            train, held = fresh.fold(k, r)
            assert not set(lookup.loc[train, "patient_id"]) & set(lookup.loc[held, "patient_id"])
    assert fresh_partition(split, y, groups, dev, repeats=2) == fresh  # deterministic: reproduce rebuilds it


@pytest.mark.slow
def test_a_study_declares_its_contrasts_before_any_cell_runs(tmp_path, monkeypatch):
    """End to end on the smoke budget: the declaration is in the journal before the first cell's
    plan; every cell runs on the ablation partition, complete; stored predictions recompute each
    stored fold metric exactly."""
    from benchmark.leaderboard.answers import answer_table
    from benchmark.trial.predictions import trial_predictions
    from benchmark.training.metrics import binary_metrics
    from tests.searchutil import load, search

    search(tmp_path, "--trials", "5", "--models", "resnet1d18", "--random-per-family", "1", "--ablation-families", "1",
           "--ablation-seeds", "0", "--ablation-trials", "3")
    journal = (tmp_path / "pe" / "study.journal").read_text().splitlines()
    declared = next(i for i, line in enumerate(journal) if '"ablation"' in line and '"contrasts"' in line)
    first_cell = next(i for i, line in enumerate(journal) if '"stage": "ablation"' in line or '"stage":"ablation"' in line)
    assert declared < first_cell
    study = load(tmp_path)
    cells = [t for t in study.trials if t.user_attrs["plan"]["stage"] == "ablation"]
    assert len(cells) == 3 and all(t.state.name == "COMPLETE" for t in cells)
    assert len({t.user_attrs["split_hash"] for t in cells}) == 1
    search_hashes = {t.user_attrs["split_hash"] for t in study.trials if t.user_attrs["plan"]["stage"] != "ablation"}
    assert cells[0].user_attrs["split_hash"] not in search_hashes
    for t in study.trials:
        preds = trial_predictions(study, t)
        for row in t.user_attrs["folds"]:
            f = preds[(preds["repeat"] == row["repeat"]) & (preds["fold"] == row["fold"])]
            assert len(f) == row["n_eval"]
            again = binary_metrics(f["y"].to_numpy(), f["p"].to_numpy(), row["threshold"])
            for key, value in again.items():
                assert json.dumps(value) == json.dumps(row[key]), (t.number, key)
    answers = answer_table(study)
    assert len(answers) and set(answers["question"]) <= {"Q2", "Q3", "Q4", "Q5"}
    # a statistic nobody stored (log loss per trial) comes from the stored predictions: no trial re-runs
    import benchmark.trial.cv
    import benchmark.trial.objective
    from sklearn.metrics import log_loss

    def no_rerun(*args, **kwargs):
        raise AssertionError("a trial was re-run")

    monkeypatch.setattr(benchmark.trial.objective, "evaluate", no_rerun)
    monkeypatch.setattr(benchmark.trial.cv, "run_fold", no_rerun)
    losses = {t.number: log_loss((f := trial_predictions(study, t))["y"], f["p"], labels=[0, 1]) for t in study.trials}
    assert len(losses) == len(study.trials) and all(np.isfinite(v) for v in losses.values())
    # ... and registered as a leaderboard statistic, the leaderboard writes it, still with no re-run
    import pandas as pd

    from benchmark.leaderboard.__main__ import main as leaderboard_main
    from benchmark.leaderboard.statistic import _STATISTICS, Statistic, register_statistic

    @register_statistic
    class LogLoss(Statistic):
        name, title, method = "log_loss", "Log loss per trial", "scikit-learn log_loss of the stored predictions"

        def compute(self, inputs):
            return pd.DataFrame([{"trial": t.number, "log_loss": log_loss((f := trial_predictions(inputs.study, t))["y"],
                                                                          f["p"], labels=[0, 1])}
                                 for t in inputs.study.trials])

    try:
        leaderboard_main(["--task", "pe", "--results-dir", str(tmp_path), "--out", str(tmp_path / "out")])
    finally:
        _STATISTICS._items.pop("log_loss")
    written = pd.read_csv(tmp_path / "out" / "log_loss.csv")
    assert dict(zip(written["trial"], written["log_loss"])) == pytest.approx(losses, rel=1e-9)
    meta = json.loads((tmp_path / "out" / "leaderboard.meta.json").read_text())
    assert meta["statistics"]["log_loss"]["method"].startswith("scikit-learn")
    assert "Log loss per trial" in (tmp_path / "out" / "index.html").read_text()
