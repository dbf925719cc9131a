"""--task mimic-pe on a synthetic miniature in PhysioNet's MIMIC-IV-ECG / MIMIC-IV-ECG-ICD layout."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from benchmark.data.casecontrol import case_control
from benchmark.data.cohorts import load_target
from benchmark.errors import ConfigError, DataError
from tests.conftest import REPO
from tests.mimic_layout import expected, write_mimic


@pytest.fixture(scope="module")
def mimic(tmp_path_factory):
    root = tmp_path_factory.mktemp("mimic-root")
    return root, write_mimic(root)


def _table(cohort) -> pd.DataFrame:
    return cohort.table[["record_id", "patient_id", "label"]].sort_values("record_id").reset_index(drop=True)


@pytest.mark.parametrize("codes,ed_only", [("all", False), ("hosp", False), ("ed", False), ("all", True)])
def test_layout_loads_with_the_right_patients_and_labels(mimic, codes, ed_only):
    root, truth = mimic
    cohort = load_target("mimic-pe", str(root), task_options={"codes": codes, "ed_only": ed_only})
    want = expected(truth, codes, ed_only).sort_values("record_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(_table(cohort), want, check_dtype=False)
    assert cohort.table["label"].sum() > 0 and (cohort.table["label"] == 0).sum() > 0
    assert "not CT-confirmed" in cohort.description and cohort.notices


def test_signals_open_at_the_target_rate(mimic):
    root, _ = mimic
    cohort = load_target("mimic-pe", str(root), fs=100.0)
    ids = cohort.record_ids[:3]
    X = cohort.with_signals(ids).X(ids)
    assert X.shape == (3, 12, 1000) and np.isfinite(X).all()


def test_options_are_in_the_identity(mimic):
    root, _ = mimic
    hashes = {load_target("mimic-pe", str(root), task_options=o).manifest_hash for o in
              ({}, {"codes": "hosp"}, {"ed_only": True}, {"max_negatives_per_positive": 3}, {"published_split": True})}
    assert len(hashes) == 5


def test_published_split_is_the_last_two_folds(mimic):
    root, truth = mimic
    cohort = load_target("mimic-pe", str(root), task_options={"published_split": True})
    fold = truth.set_index("study_id")["fold"]
    is_test = cohort.table["split"] == "test"
    assert set(fold[cohort.table["record_id"][is_test]]) == {18, 19}
    assert 18 not in set(fold[cohort.table["record_id"][~is_test]])


def test_case_control_keeps_positives_and_the_ratio_by_patient():
    rng = np.random.default_rng(1)
    rows = []
    for p in range(400):
        n = int(rng.integers(1, 6))
        case = p < 20
        for j in range(n):
            rows.append({"record_id": f"r{p}-{j}", "patient_id": f"p{p}", "label": int(case and j == 0)})
    table = pd.DataFrame(rows)
    cases = set(table.loc[table["label"] == 1, "patient_id"])
    for k in (1, 3, 10):
        kept = case_control(table, k, seed=0)
        pos = int(kept["label"].sum())
        assert pos == int(table["label"].sum())  # every positive
        neg = int((kept["label"] == 0).sum())
        own = int(((table["label"] == 0) & table["patient_id"].isin(cases)).sum())  # case patients' negatives
        target = max(k * pos, own)
        assert target - 5 <= neg <= target  # the ratio, to within one control patient
        assert (k == 1) == (own > k * pos)  # K = 1 is below what the case patients bring themselves
        whole = table.groupby("patient_id").size()
        sizes = kept.groupby("patient_id").size()
        assert (sizes == whole.loc[sizes.index]).all()  # whole patients
        case_patients = set(table.loc[table["label"] == 1, "patient_id"])
        assert case_patients <= set(kept["patient_id"])  # a case patient's negatives come along
    shuffled = table.sample(frac=1, random_state=2)
    assert set(case_control(table, 3, seed=0)["record_id"]) == set(case_control(shuffled, 3, seed=0)["record_id"])
    assert not set(case_control(table, 3, seed=0)["patient_id"]) == set(case_control(table, 3, seed=1)["patient_id"])
    with pytest.raises(ConfigError, match="--max-negatives-per-positive"):
        case_control(table, 0)


def test_case_control_on_the_miniature(mimic):
    root, truth = mimic
    full = load_target("mimic-pe", str(root))
    small = load_target("mimic-pe", str(root), task_options={"max_negatives_per_positive": 2})
    assert small.table["label"].sum() == full.table["label"].sum()
    assert (small.table["label"] == 0).sum() <= 2 * small.table["label"].sum() < (full.table["label"] == 0).sum()
    assert "K=2" in small.name


def test_missing_label_file_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "mimic-iv-ecg").mkdir()
    (tmp_path / "mimic-iv-ecg" / "record_list.csv").write_text("subject_id,study_id,file_name,ecg_time,path\n")
    with pytest.raises(DataError, match="records_w_diag_icd10.csv"):
        load_target("mimic-pe", str(tmp_path))
    run = subprocess.run([sys.executable, "-m", "benchmark.data", "describe", "--task", "mimic-pe", "--data-dir",
                          str(tmp_path), "--results-dir", str(tmp_path / "results")],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "records_w_diag_icd10.csv" in lines[0] and "mimic-iv-ecg-ext-icd-labels" in lines[0]
    assert "physionet.org" in lines[0]


def test_mimic_options_refused_for_another_task(tmp_path):
    run = subprocess.run([sys.executable, "-m", "benchmark.data", "describe", "--task", "pe",
                          "--max-negatives-per-positive", "3", "--results-dir", str(tmp_path / "r")],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 2 and "--max-negatives-per-positive" in run.stderr and "mimic-pe" in run.stderr
    run = subprocess.run([sys.executable, "-m", "benchmark.data", "describe", "--task", "pe", "--mimic-codes", "ed",
                          "--results-dir", str(tmp_path / "r")], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 2 and "error: --mimic-codes is an option of --task mimic-pe" in run.stderr


def test_describe_states_the_caveat(mimic, tmp_path):
    root, _ = mimic
    run = subprocess.run([sys.executable, "-m", "benchmark.data", "describe", "--task", "mimic-pe", "--data-dir",
                          str(root), "--max-negatives-per-positive", "2", "--folds", "2", "--json",
                          "--results-dir", str(tmp_path / "results")],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert info["cohort"].startswith("mimic-pe:") and "K=2" in info["cohort"]
    assert any("not CT-confirmed" in c and "0.750 [0.717, 0.780]" in c and "0.739 [0.691, 0.787]" in c
               for c in info["caveats"])
