"""Splits: grouped by patient, stratified, persisted byte-identically, refused for another cohort."""

from __future__ import annotations

import numpy as np
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


def _patient_sets(table, folds: dict) -> list[frozenset]:
    ids = table.set_index("record_id")["patient_id"]
    by_fold: dict[int, set] = {}
    for rid, k in folds.items():
        by_fold.setdefault(k, set()).add(ids[rid])
    return [frozenset(by_fold[k]) for k in sorted(by_fold)]


def test_repeated_folds_patient_disjoint_within_and_different_across(tmp_path, standin):
    table = _frame(standin)
    split = load_or_create_split(tmp_path / "split.json", table, standin.manifest_hash, n_folds=5, repeats=3)
    assert split.repeats == 3
    dev = set(split.dev_ids())
    sets = []
    for repeat in range(3):
        folds = split.folds_of(repeat)
        assert set(folds) == dev  # every repeat covers the same dev records; the locked test in none
        patients = _patient_sets(table, folds)
        assert len(patients) == 5
        for i in range(5):
            for j in range(i + 1, 5):
                assert not patients[i] & patients[j]  # patient-disjoint within the repeat
        for k in range(5):
            train, evaluate = split.fold(k, repeat)
            assert set(train) | set(evaluate) == dev and not set(train) & set(evaluate)
        sets.append(set(patients))
    assert sets[0] != sets[1] and sets[1] != sets[2] and sets[0] != sets[2]  # reshuffled per repeat
    # repeat 0 is the 1-repeat split: a study can grow from 1 to R repeats on the same locked test
    single = make_split(table, 5, 0.2, 0, standin.manifest_hash)
    assert single.assignment == split.assignment and single.repeats == 1
    # persisted: read back identical, and a request for another repeat count is refused
    assert load_or_create_split(tmp_path / "split.json", table, standin.manifest_hash, n_folds=5, repeats=3) == split
    with pytest.raises(DataError, match="repeats=3"):
        load_or_create_split(tmp_path / "split.json", table, standin.manifest_hash, n_folds=5, repeats=2)


def test_one_repeat_split_file_keeps_the_original_format(tmp_path, standin):
    """A split file written before repeats existed (no ``repeats`` key) reads as exactly one repeat
    with its stored hash; it is never taken for, or mixed into, a repeated split."""
    import json

    path = tmp_path / "split.json"
    one = load_or_create_split(path, _frame(standin), standin.manifest_hash)
    stored = json.loads(path.read_text())
    assert set(stored) == {"assignment", "n_folds", "test_fraction", "seed", "manifest_hash", "split_hash"}
    assert one.repeats == 1 and one.hash == stored["split_hash"]
    with pytest.raises(DataError, match="repeats=1"):
        load_or_create_split(path, _frame(standin), standin.manifest_hash, repeats=2)
    path2 = tmp_path / "split2.json"
    two = load_or_create_split(path2, _frame(standin), standin.manifest_hash, repeats=2)
    data = json.loads(path2.read_text())
    data["repeats"] = 3  # a repeat count that does not match the stored fold sets
    path2.write_text(json.dumps(data))
    with pytest.raises(DataError, match="modified"):
        load_or_create_split(path2, _frame(standin), standin.manifest_hash, repeats=2)
    assert two.hash != one.hash


@pytest.mark.parametrize("fraction", [0.2, 0.3, 0.45])
def test_test_fraction_is_honoured_in_patients(standin, fraction):
    table = _frame(standin)
    for seed in (0, 1):
        split = make_split(table, 3, fraction, seed, standin.manifest_hash)
        test = set(table.loc[table["record_id"].isin(split.test_ids()), "patient_id"])
        share = len(test) / table["patient_id"].nunique()
        assert abs(share - fraction) <= 0.02, (fraction, share)
        dev_patients = set(table.loc[table["record_id"].isin(split.dev_ids()), "patient_id"])
        assert not test & dev_patients
        positives = table.loc[table["record_id"].isin(split.test_ids()), "label"].sum()
        assert abs(positives / table["label"].sum() - fraction) <= 0.05  # stratified


class _CountedId(str):
    """A patient id that counts how often it is compared for equality."""

    compared = 0

    def __eq__(self, other):
        type(self).compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_locked_test_patients_are_found_in_linear_time():
    """Marking the records of the locked-test patients compares each record with a set, not with
    every test patient (np.isin on object arrays did: quadratic in the cohort, 35 s of a 40 s split
    at 100,000 records)."""
    import numpy as np

    from benchmark.data.splits import _test_patients

    n = 4000
    groups = np.array([_CountedId(f"p{i // 2}") for i in range(n)], dtype=object)
    y = (np.arange(n) % 10 == 0).astype(int)
    _CountedId.compared = 0
    is_test = _test_patients(y, groups, 0.2, 0)
    assert _CountedId.compared < 5 * n  # the quadratic path makes n x 400 test patients = 1.6 million
    patients = {g for g, t in zip(groups, is_test) if t}
    assert len(patients) == 400 and all(t == (g in patients) for g, t in zip(groups, is_test))
