"""Stored predictions: every held-out probability of every (repeat, fold) of every trial, so that a
new statistic is computed from the storage and never means re-running a trial.

* Per trial, one attribute per (repeat, fold), ``predictions.<repeat>.<fold>``: the probabilities
  as base64 of little-endian float64 (exact: they recompute every stored fold metric bit for bit),
  in the order of the fold's evaluation records (sorted record ids, as :meth:`Split.fold` gives).
* Per study, once per fold partition (the search's and the ablation's), ``prediction_index.<split
  hash>``: each fold's record ids, patient ids and labels.

Size: 8 bytes a record (about 10.7 base64 characters) per (repeat, fold) and trial. Measured on the
committed study: 298 kB of predictions for its 80 trials (3.7 kB a trial on average; 44 of them are
1 x 5-fold ablation cells), and 14 kB for the index of each partition, stored once. It lives in the Optuna
storage itself, so it works with the journal, PostgreSQL and Ray (whose searcher stores the same
attributes) and across machines on one database. For a cohort of 100,000 records a trial's
predictions are 1.6 MB per repeat: too big for trial attributes in a shared database; the plan there
is an artifact store beside the study (``optuna.artifacts``, one compressed array per trial), with
only the artifact id in the trial's attributes.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

PREFIX = "predictions."
INDEX_PREFIX = "prediction_index."


def encode(p: np.ndarray) -> str:
    return base64.b64encode(np.asarray(p, dtype="<f8").tobytes()).decode("ascii")


def decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8").copy()


def key(repeat: int, fold: int) -> str:
    return f"{PREFIX}{repeat}.{fold}"


def index(split, cohort) -> dict:
    """``{"<repeat>.<fold>": {"records", "patients", "labels"}}`` of every fold of ``split``."""
    out = {}
    for r in range(split.repeats):
        for k in range(split.n_folds):
            _, ids = split.fold(k, r)
            out[f"{r}.{k}"] = {"records": list(ids), "patients": [str(g) for g in cohort.groups(ids)],
                               "labels": [int(v) for v in cohort.y(ids)]}
    return out


def store_index(study, split, cohort) -> None:
    """Write the partition's index once (idempotent)."""
    name = INDEX_PREFIX + split.hash
    if name not in study.user_attrs:
        study.set_user_attr(name, index(split, cohort))


def trial_predictions(study, trial) -> pd.DataFrame:
    """One row per (repeat, fold, record) of ``trial``: ``record_id``, ``patient_id``, ``y``, ``p``;
    empty for a trial stored before predictions were (old studies stay readable)."""
    idx = study.user_attrs.get(INDEX_PREFIX + str(trial.user_attrs.get("split_hash")), {})
    frames = []
    for name, text in trial.user_attrs.items():
        if not name.startswith(PREFIX) or name.startswith(INDEX_PREFIX):
            continue
        r, k = name[len(PREFIX):].split(".")
        fold = idx.get(f"{r}.{k}")
        p = decode(text)
        if fold is None or len(fold["records"]) != len(p):
            continue
        frames.append(pd.DataFrame({"repeat": int(r), "fold": int(k), "record_id": fold["records"],
                                    "patient_id": fold["patients"], "y": fold["labels"], "p": p}))
    if not frames:
        return pd.DataFrame(columns=["repeat", "fold", "record_id", "patient_id", "y", "p"])
    return pd.concat(frames, ignore_index=True).sort_values(["repeat", "fold"], kind="stable").reset_index(drop=True)


def oof_matrix(study, trials: list, repeat: int = 0) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """(trial numbers, P configurations x records, y, patient ids): the out-of-fold probabilities of
    ``repeat`` of every trial in ``trials`` that stored them for the same records (a new statistic
    reads this; nothing is re-run)."""
    numbers, rows, ref = [], [], None
    for t in trials:
        f = trial_predictions(study, t)
        f = f[f["repeat"] == repeat].sort_values("record_id", kind="stable")
        if f.empty:
            continue
        if ref is None:
            ref = f
        elif not np.array_equal(f["record_id"].to_numpy(), ref["record_id"].to_numpy()):
            continue
        numbers.append(t.number)
        rows.append(f["p"].to_numpy())
    if ref is None:
        return [], np.empty((0, 0)), np.empty(0), np.empty(0)
    return numbers, np.vstack(rows), ref["y"].to_numpy().astype(int), ref["patient_id"].to_numpy()
