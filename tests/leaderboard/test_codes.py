"""Recall per label code and the split's code mix come from the stored predictions and equal a hand
count; the family ranking compares families at an equal number of random draws."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState, create_trial

from benchmark.trial import predictions
from benchmark.leaderboard import codes
from benchmark.leaderboard.table import equal_budget

CODES = {"a": "IRBBB", "b": "STACH", "c": "IRBBB;STACH", "d": "", "e": "", "f": "RVH"}
LABELS = {"a": 1, "b": 1, "c": 1, "d": 0, "e": 0, "f": 1}


def test_code_mix_counts_positives_per_code_in_dev_and_test():
    mix = codes.code_mix(CODES, LABELS, dev=["a", "c", "d"], test=["b", "e", "f"])
    assert mix["codes"] == {"IRBBB": {"dev": 2, "test": 0}, "STACH": {"dev": 1, "test": 1}, "RVH": {"dev": 0, "test": 1}}
    assert mix["positives"] == {"dev": 2, "test": 2} and mix["records"] == {"dev": 3, "test": 3}


def test_recall_by_code_counts_a_two_code_positive_under_both():
    found = np.array([True, False, True, True, False, False])
    records = list("abcdef")
    out = codes.recall_by_code(records, np.array([LABELS[r] for r in records]), found, CODES)
    # IRBBB: a (found), c (found) -> 2/2; STACH: b (missed), c (found) -> 1/2; RVH: f (missed) -> 0/1
    assert out == {"IRBBB": [2, 2], "STACH": [1, 2], "RVH": [0, 1]}


def _study_with_predictions():
    """One trial, two folds of one repeat, each with its own threshold and stored probabilities."""
    study = optuna.create_study(direction="maximize")
    folds = {"0.0": {"records": ["a", "b", "d"], "patients": ["1", "2", "4"], "labels": [1, 1, 0]},
             "0.1": {"records": ["c", "e", "f"], "patients": ["3", "5", "6"], "labels": [1, 0, 1]}}
    study.set_user_attr(predictions.INDEX_PREFIX + "h", folds)
    trial = create_trial(
        params={"model": "x"}, distributions={"model": CategoricalDistribution(["x"])}, value=0.8,
        user_attrs={"split_hash": "h",
                    "folds": [{"repeat": 0, "fold": 0, "threshold": 0.5}, {"repeat": 0, "fold": 1, "threshold": 0.2}],
                    predictions.key(0, 0): predictions.encode(np.array([0.6, 0.4, 0.9])),
                    predictions.key(0, 1): predictions.encode(np.array([0.3, 0.1, 0.1]))})
    study.add_trial(trial)
    return study


def test_cv_recall_uses_each_folds_own_threshold():
    study = _study_with_predictions()
    out = codes.cv_recall_by_code(study, study.trials[0], CODES)
    # fold 0 at 0.5: a 0.6 found, b 0.4 missed; fold 1 at 0.2: c 0.3 found, f 0.1 missed
    assert out == {"IRBBB": [2, 2], "STACH": [1, 2], "RVH": [0, 1]}


def test_trial_codes_reads_the_stored_locked_test_look():
    study = _study_with_predictions()
    result = {"trial": 0, "threshold": 0.5, "predictions": {
        "records": ["b", "e", "f"], "labels": [1, 0, 1], "p": predictions.encode(np.array([0.7, 0.9, 0.2]))}}
    out = codes.trial_codes(study, result, CODES)
    assert out["STACH"]["test"] == [1, 1] and out["RVH"]["test"] == [0, 1]
    assert out["IRBBB"]["test"] == [0, 0] and out["IRBBB"]["cv"] == [2, 2]
    table = codes.table({"mix": codes.code_mix(CODES, LABELS, ["a", "c", "d"], ["b", "e", "f"]),
                         "trials": {"0": out}})
    row = table.set_index("code").loc["RVH"]
    assert row["test_positives"] == 1 and row["test_found"] == 0 and row["test_recall"] == 0.0


def test_a_cohort_without_codes_writes_nothing(tmp_path):
    class Cohort:
        def codes(self):
            return {}
    assert codes.write(tmp_path, None, [], Cohort(), None) is None and not (tmp_path / codes.FILE).exists()


def test_the_standin_positives_all_carry_a_code(real_data_root):
    from benchmark.data.cohorts import STANDIN_CODES, load_standin

    cohort = load_standin(str(real_data_root))
    table = cohort.table.assign(codes=cohort.table["record_id"].map(cohort.codes()))
    assert (table.loc[table["label"] == 1, "codes"] != "").all()
    assert (table.loc[table["label"] == 0, "codes"] == "").all()
    assert {c for text in table["codes"] for c in text.split(";") if c} <= STANDIN_CODES


def _plan_trial(number, family, phase, value):
    return create_trial(params={"model": family}, distributions={"model": CategoricalDistribution(["a", "b", "c"])},
                        value=value, state=TrialState.COMPLETE,
                        user_attrs={"plan": {"stage": "search", "phase": phase, "family": family}})


def test_family_ranking_compares_the_first_m_random_draws_of_every_family():
    study = optuna.create_study(direction="maximize")
    spec = [("a", "random", 0.7), ("a", "random", 0.9), ("a", "random", 0.8), ("a", "tpe", 0.99),
            ("b", "random", 0.6), ("b", "random", 0.65), ("c", "tpe", 0.5)]
    for t in [_plan_trial(i, *s) for i, s in enumerate(spec)]:
        study.add_trial(t)
    table = pd.DataFrame({"trial": range(len(spec)), "family": [s[0] for s in spec]})
    rows, m, missing = equal_budget(study, table)
    assert m == 2  # b has two complete random draws
    assert sorted(rows["trial"]) == [0, 1, 4, 5]  # a's first two draws; its TPE trial (0.99) is not compared
    assert missing == ["c"]  # no complete random draw: listed, not ranked
