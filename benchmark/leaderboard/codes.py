"""Which kinds of positives a model finds: recall per label code, and the split's code mix.

A cohort may say, per record, which label codes make it positive (the stand-in: its PTB-XL SCP
codes among :data:`benchmark.data.cohorts.STANDIN_CODES`; a user cohort: an optional ``codes``
column of ``labels.csv``, ``;``-separated). Then ``finalize`` writes ``codes.json`` beside its
results (``finalized/<study>/codes.json``):

* ``mix``: per code, the positives that carry it in dev and in the locked test (a record with two
  codes counts under both), so an easier test mix is seen (a locked test rich in one easy code
  flatters every model);
* ``trials``: per finalized trial, each code's recall on the locked test (its stored locked-test
  probabilities at the dev-fitted threshold) and in cross-validation (its stored out-of-fold
  probabilities at each fold's own training-side threshold, pooled over folds and repeats).

Everything is computed from stored predictions: no refit, and no new look at the locked test (the
predictions of the logged look are re-read; the use count does not change). Intervals: Wilson
score (:data:`benchmark.leaderboard.stats.PROPORTION_METHOD`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.atomic import write_text
from benchmark.trial import predictions as stored
from benchmark.leaderboard.columns import Column
from benchmark.leaderboard.statistic import Inputs, Statistic, register_statistic

FILE = "codes.json"
COLUMNS = ["trial", "code", "dev_positives", "test_positives", "test_found", "test_recall", "test_recall_ci_low",
           "test_recall_ci_high", "cv_found", "cv_total", "cv_recall"]


def code_mix(codes: dict[str, str], labels: dict[str, int], dev: list[str], test: list[str]) -> dict:
    """``{code: {"dev": n, "test": n}}`` over positives, plus the positive and record totals."""
    def count(ids):
        return Counter(c for r in ids if labels[r] == 1 for c in _split(codes.get(r, "")))

    d, t = count(dev), count(test)
    return {"codes": {c: {"dev": int(d.get(c, 0)), "test": int(t.get(c, 0))} for c in sorted(set(d) | set(t))},
            "positives": {"dev": int(sum(labels[r] for r in dev)), "test": int(sum(labels[r] for r in test))},
            "records": {"dev": len(dev), "test": len(test)}}


def _split(text: str) -> list[str]:
    return [c for c in str(text).split(";") if c]


def recall_by_code(records: list[str], y: np.ndarray, found: np.ndarray, codes: dict[str, str]) -> dict:
    """``{code: [found, positives]}`` over the positive records (``found``: predicted positive)."""
    out: dict[str, list[int]] = {}
    for r, label, hit in zip(records, y, found):
        if int(label) != 1:
            continue
        for c in _split(codes.get(r, "")):
            cell = out.setdefault(c, [0, 0])
            cell[0] += int(hit)
            cell[1] += 1
    return out


def cv_recall_by_code(study, trial, codes: dict[str, str]) -> dict:
    """Recall per code over a trial's stored out-of-fold predictions, each fold at its own threshold
    (chosen on training-side data); ``{}`` for a trial stored without predictions."""
    frame = stored.trial_predictions(study, trial)
    thresholds = {(int(f["repeat"]), int(f["fold"])): float(f["threshold"]) for f in trial.user_attrs.get("folds", [])
                  if f.get("threshold") is not None}
    if frame.empty or not thresholds:
        return {}
    frame = frame[[(r, k) in thresholds for r, k in zip(frame["repeat"], frame["fold"])]]
    cut = np.array([thresholds[(r, k)] for r, k in zip(frame["repeat"], frame["fold"])])
    return recall_by_code(list(frame["record_id"]), frame["y"].to_numpy(), frame["p"].to_numpy() >= cut, codes)


def trial_codes(study, result: dict, codes: dict[str, str]) -> dict:
    """One finalized result's recall per code: locked test (at its threshold) and CV."""
    from benchmark.leaderboard.stats import wilson_interval

    pred = result["predictions"]
    p = stored.decode(pred["p"])
    test = recall_by_code(pred["records"], np.asarray(pred["labels"]), p >= float(result["threshold"]), codes)
    cv = cv_recall_by_code(study, study.trials[int(result["trial"])], codes)
    return {c: {"test": test.get(c, [0, 0]), "test_ci": list(wilson_interval(*test[c])) if c in test else None,
                "cv": cv.get(c, [0, 0])} for c in sorted(set(test) | set(cv))}


def write(folder: Path, study, results: list[dict], cohort, split) -> Path | None:
    """``codes.json`` for the cohort's codes and these finalized results (``None``: no codes)."""
    codes = cohort.codes()
    if not codes:
        return None
    labels = dict(zip(cohort.record_ids, (int(v) for v in cohort.y())))
    out = {"mix": code_mix(codes, labels, split.dev_ids(), split.test_ids()),
           "trials": {str(r["trial"]): trial_codes(study, r, codes) for r in results if "predictions" in r}}
    path = Path(folder) / FILE
    previous = json.loads(path.read_text()) if path.exists() else {}
    out["trials"] = previous.get("trials", {}) | out["trials"]  # earlier finalized trials are kept
    write_text(path, json.dumps(out, indent=1, sort_keys=True))
    return path


def read(folder: Path) -> dict | None:
    path = Path(folder) / FILE
    return json.loads(path.read_text()) if path.exists() else None


def table(data: dict | None) -> pd.DataFrame:
    """One row per (finalized trial, code): the split's mix and the trial's recall (``codes.csv``)."""
    if not data:
        return pd.DataFrame(columns=COLUMNS)
    mix, rows = data["mix"]["codes"], []
    trials = data.get("trials") or {"": {}}
    for trial, per_code in sorted(trials.items(), key=lambda kv: int(kv[0]) if kv[0] else -1):
        for code in sorted(set(mix) | set(per_code)):
            cell = per_code.get(code, {})
            found, total = cell.get("test", [0, 0])
            cv_found, cv_total = cell.get("cv", [0, 0])
            ci = cell.get("test_ci") or [np.nan, np.nan]
            rows.append({"trial": int(trial) if trial else pd.NA, "code": code,
                         "dev_positives": mix.get(code, {}).get("dev", 0), "test_positives": mix.get(code, {}).get("test", 0),
                         "test_found": found, "test_recall": found / total if total else np.nan,
                         "test_recall_ci_low": ci[0], "test_recall_ci_high": ci[1],
                         "cv_found": cv_found, "cv_total": cv_total,
                         "cv_recall": cv_found / cv_total if cv_total else np.nan})
    return pd.DataFrame(rows, columns=COLUMNS)


@register_statistic
class RecallByCode(Statistic):
    """``codes.csv`` and its page table, from ``finalized/<study>/codes.json``."""

    name = "codes"
    title = "Recall per label code, and the split's code mix"
    method = ("per finalized trial and label code: positives in dev and in the locked test (a positive with two codes "
              "counts under both; compare the two to see an easier test mix), recall on the locked test at the "
              "dev-fitted threshold with a Wilson score interval (Wilson 1927), and CV recall over the stored "
              "out-of-fold probabilities, each fold at its own training-side threshold, pooled over folds and repeats")

    columns = {name: Column(label, label, definition, dtype, digits=2) for name, label, definition, dtype in (
        ("trial", "Trial", "the finalized trial", "int"),
        ("code", "Code", "the label code", "str"),
        ("dev_positives", "Dev positives", "dev positives carrying the code", "int"),
        ("test_positives", "Test positives", "locked-test positives carrying the code", "int"),
        ("test_found", "Test found", "of those, predicted positive at the dev-fitted threshold", "int"),
        ("test_recall", "Test recall", "test found / test positives", "float"),
        ("test_recall_ci_low", "Test recall, 95 % low", "Wilson score interval", "float"),
        ("test_recall_ci_high", "Test recall, 95 % high", "Wilson score interval", "float"),
        ("cv_found", "CV found", "out-of-fold positives carrying the code found at the fold's threshold", "int"),
        ("cv_total", "CV positives", "out-of-fold positives carrying the code, over all repeats", "int"),
        ("cv_recall", "CV recall", "CV found / CV positives", "float"))}

    def compute(self, inputs: Inputs) -> pd.DataFrame:
        return table(read(inputs.finalized_dir)) if inputs.finalized_dir is not None else table(None)
