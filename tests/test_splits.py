"""Splits: grouped by patient, stratified, persisted byte-identically, refused for another cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.data.splits import TEST, inner_split, load_or_create_split, make_split
from benchmark.errors import DataError


def _frame(cohort):
    return cohort.table[["record_id", "patient_id", "label"]]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_folds_grouped_and_stratified(standin, seed):
    table = _frame(standin)
    split = make_split(table, 5, 0.2, seed, standin.manifest_hash)
    fold = table["record_id"].map(split.assignment)
    patients = table.groupby("patient_id")["record_id"].apply(lambda ids: set(fold[ids.index]))
    assert (patients.map(len) == 1).all()  # no patient in two folds, nor in dev and test
    dev = fold != TEST
    share = table["label"][dev].sum() / 5
    for k in range(5):
        assert abs(table["label"][fold == k].sum() - share) <= 1
    assert 0.15 <= (~dev).mean() <= 0.25 and table["label"][~dev].sum() >= 1
    for k in range(5):
        train, evaluate = split.fold(k)
        assert not set(train) & set(evaluate) and not set(train) & set(split.test_ids())


def test_split_file_byte_identical_and_reused(tmp_path, standin):
    table = _frame(standin)
    a = load_or_create_split(tmp_path / "a" / "split.json", table, standin.manifest_hash, seed=7)
    b = load_or_create_split(tmp_path / "b" / "split.json", table, standin.manifest_hash, seed=7)
    assert (tmp_path / "a" / "split.json").read_bytes() == (tmp_path / "b" / "split.json").read_bytes()
    assert a.hash == b.hash
    again = load_or_create_split(tmp_path / "a" / "split.json", table.sample(frac=1, random_state=1), standin.manifest_hash, seed=7)
    assert again == a


def test_other_cohort_refuses_split(tmp_path, standin):
    table = _frame(standin)
    path = tmp_path / "split.json"
    load_or_create_split(path, table, standin.manifest_hash)
    before = path.read_bytes()
    with pytest.raises(DataError, match="not this cohort"):
        load_or_create_split(path, table, "0" * 64)
    with pytest.raises(DataError, match="folds=5"):
        load_or_create_split(path, table, standin.manifest_hash, n_folds=3)
    assert path.read_bytes() == before


def test_tampered_split_file_refused(tmp_path, standin):
    path = tmp_path / "split.json"
    load_or_create_split(path, _frame(standin), standin.manifest_hash)
    path.write_text(path.read_text().replace('": 0', '": 1', 1))
    with pytest.raises(DataError, match="modified"):
        load_or_create_split(path, _frame(standin), standin.manifest_hash)


def test_too_few_positives_names_counts(standin):
    table = _frame(standin).copy()
    pos = table.index[table["label"] == 1]
    table.loc[pos[9:], "label"] = 0  # 9 positives left
    with pytest.raises(DataError, match=r"too few positives for 5 folds: \d+ positives"):
        make_split(table, 5, 0.2, 0)
    make_split(table, 3, 0.2, 0)  # 3 folds are fine


def test_cohort_split_column_is_the_locked_test(standin):
    table = _frame(standin).copy()
    patients = sorted(table["patient_id"].unique())
    test_patients = set(patients[::5])
    table["split"] = np.where(table["patient_id"].isin(test_patients), "test", "dev")
    split = make_split(table, 5, 0.2, 0)
    assert set(split.test_ids()) == set(table.loc[table["split"] == "test", "record_id"])
    multi = table["patient_id"].value_counts()
    rows = table.index[table["patient_id"] == multi.index[0]]
    assert multi.iloc[0] >= 2
    table.loc[rows[0], "split"], table.loc[rows[1], "split"] = "dev", "test"
    with pytest.raises(DataError, match=f"patient '{multi.index[0]}' has records in both the dev and the test"):
        make_split(table, 5, 0.2, 0)


def test_inner_split_grouped(standin):
    y = standin.y()
    groups = standin.groups()
    fit, val = inner_split(y, groups, 0.2, 0)
    assert not set(groups[fit]) & set(groups[val])
    assert y[val].sum() >= 1 and len(val) < len(fit)
