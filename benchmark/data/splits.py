"""Patient-grouped, label-stratified splits: R repeats of K dev folds plus one locked test part.

The split is chosen once per (cohort, seed, K, R, test fraction) and persisted as JSON with a hash.
Every trial, worker, engine and later run reuses that file; a cohort with another manifest hash
refuses it. The inner validation split (early stopping, threshold) is carved by patient from a
fold's *training* part with :func:`inner_split`.

The locked test is the same for every repeat. Repeat 0's folds are seeded ``seed + 1``; repeat
``r`` reshuffles the same dev patients with seed ``seed + 1 + REPEAT_SEED_STEP * r``. A 1-repeat
split file has exactly the keys (and hash) of the files written before repeats existed; a file
with more repeats adds ``repeats`` and ``repeat_folds`` (dev record -> fold of repeats 1..R-1).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

from benchmark.atomic import write_text
from benchmark.errors import DataError

TEST = -1  # fold id of the locked test part
MIN_PER_FOLD = 2  # positives and negatives each dev fold needs (threshold + early stopping)
REPEAT_SEED_STEP = 1000  # fold seed of repeat r: seed + 1 + REPEAT_SEED_STEP * r


@dataclass(frozen=True)
class Split:
    """Record -> fold (0..K-1) or :data:`TEST` for repeat 0 (``assignment``), the folds of the
    later repeats (``repeat_folds``), and the identity it was made for."""

    assignment: dict[str, int]
    n_folds: int
    test_fraction: float
    seed: int
    manifest_hash: str
    hash: str
    repeat_folds: tuple = ()  # one {dev record: fold} per repeat 1..R-1

    @property
    def repeats(self) -> int:
        return 1 + len(self.repeat_folds)

    def dev_ids(self) -> list[str]:
        return sorted(r for r, f in self.assignment.items() if f != TEST)

    def test_ids(self) -> list[str]:
        return sorted(r for r, f in self.assignment.items() if f == TEST)

    def folds_of(self, repeat: int = 0) -> dict[str, int]:
        """{dev record: fold} of ``repeat`` (0..R-1); locked-test records are not in it."""
        if not 0 <= repeat < self.repeats:
            raise IndexError(f"repeat {repeat} outside 0..{self.repeats - 1}")
        if repeat == 0:
            return {r: f for r, f in self.assignment.items() if f != TEST}
        return self.repeat_folds[repeat - 1]

    def fold(self, k: int, repeat: int = 0) -> tuple[list[str], list[str]]:
        """(training ids, evaluation ids) of dev fold ``k`` of ``repeat``; the locked test is in neither."""
        folds = self.folds_of(repeat)
        train = sorted(r for r, f in folds.items() if f != k)
        evaluate = sorted(r for r, f in folds.items() if f == k)
        return train, evaluate

    def to_json(self) -> str:
        return _dump(self._content() | {"split_hash": self.hash})

    def _content(self) -> dict:
        content = {"assignment": self.assignment, "n_folds": self.n_folds, "test_fraction": self.test_fraction,
                   "seed": self.seed, "manifest_hash": self.manifest_hash}
        if self.repeat_folds:  # a 1-repeat split keeps the original format (and hash)
            content |= {"repeats": self.repeats, "repeat_folds": list(self.repeat_folds)}
        return content


def _dump(obj: dict) -> str:
    return json.dumps(obj, sort_keys=True, indent=1) + "\n"


def _hash(content: dict) -> str:
    return hashlib.sha256(_dump(content).encode()).hexdigest()


def grouped_folds(y: np.ndarray, groups: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Part (0..n-1) of each record: patient-grouped, label-stratified, shuffled with ``seed``."""
    folds = np.full(len(y), -1)
    cv = StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=seed)
    for k, (_, idx) in enumerate(cv.split(np.zeros(len(y)), y, groups)):
        folds[idx] = k
    return folds


def _check_counts(y: np.ndarray, n_folds: int, n_test_pos: int, what: str) -> None:
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    need = MIN_PER_FOLD * n_folds
    if pos < need or neg < need or n_test_pos < 1:
        raise DataError(
            f"{what}: too few positives for {n_folds} folds: {pos} positives and {neg} negatives in the dev "
            f"part (need at least {need} of each: {MIN_PER_FOLD} per fold), {n_test_pos} positives in the "
            f"locked test (need at least 1); use fewer --folds or a larger cohort"
        )


def _test_patients(y: np.ndarray, groups: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """Mask of the records whose patient is in the locked test: ``test_fraction`` of the patients
    (rounded up), stratified by whether a patient has any positive record."""
    table = pd.DataFrame({"patient": groups, "label": y}).groupby("patient", sort=True)["label"].max()
    patients, labels = table.index.to_numpy(), table.to_numpy()
    # stratify when both kinds of patient can be split; when every patient has a positive record (or
    # none has), there is one stratum and a plain patient split is the same thing
    stratify = labels if min(np.bincount(labels, minlength=2)) >= 2 else None
    _, test = train_test_split(patients, test_size=test_fraction, stratify=stratify, random_state=seed)
    # a set, not np.isin: on the object arrays patient ids are, np.isin compares every record with
    # every test patient (100,000 records: 35 s of a 40 s split, growing as the square of the cohort)
    test = set(test)
    return np.fromiter((g in test for g in groups), dtype=bool, count=len(groups))


def make_split(table: pd.DataFrame, n_folds: int = 5, test_fraction: float = 0.2, seed: int = 0,
               manifest_hash: str = "", what: str = "cohort", repeats: int = 1) -> Split:
    """Cut ``table`` (``record_id``, ``patient_id``, ``label``[, ``split``]) into a locked test and
    ``repeats`` differently seeded sets of ``n_folds`` dev folds."""
    if n_folds < 2:
        raise DataError(f"{what}: --folds must be at least 2, got {n_folds}")
    if repeats < 1:
        raise DataError(f"{what}: --repeats must be at least 1, got {repeats}")
    table = table.sort_values("record_id").reset_index(drop=True)
    y = table["label"].to_numpy().astype(int)
    groups = table["patient_id"].astype(str).to_numpy()
    if "split" in table.columns:
        is_test = (table["split"] == "test").to_numpy()
        mixed = set(groups[is_test]) & set(groups[~is_test])
        if mixed:
            raise DataError(f"{what}: patient {sorted(mixed)[0]!r} has records in both the dev and the test split")
    else:
        if not 0 < test_fraction < 0.5:
            raise DataError(f"{what}: test fraction must be in (0, 0.5), got {test_fraction}")
        if len(set(groups[y == 1])) < 2:  # one positive patient cannot be in both the dev part and the test
            _check_counts(y, n_folds, 0, what)
        is_test = _test_patients(y, groups, test_fraction, seed)
    dev = ~is_test
    _check_counts(y[dev], n_folds, int(y[is_test].sum()), what)
    folds = np.full(len(y), TEST)
    folds[dev] = grouped_folds(y[dev], groups[dev], n_folds, seed + 1)
    assignment = {str(r): int(f) for r, f in zip(table["record_id"], folds)}
    dev_ids = table["record_id"].to_numpy()[dev]
    repeat_folds = tuple(
        {str(r): int(f) for r, f in zip(dev_ids, grouped_folds(y[dev], groups[dev], n_folds,
                                                                 seed + 1 + REPEAT_SEED_STEP * repeat))}
        for repeat in range(1, repeats))
    content = {"assignment": assignment, "n_folds": n_folds, "test_fraction": float(test_fraction),
               "seed": int(seed), "manifest_hash": manifest_hash}
    split = Split(hash="", repeat_folds=repeat_folds, **content)
    return Split(hash=_hash(split._content()), repeat_folds=repeat_folds, **content)


def load_split(path: Path) -> Split:
    try:
        data = json.loads(Path(path).read_text())
        stored = data.pop("split_hash")
        repeats = data.pop("repeats", 1)
        repeat_folds = tuple(data.pop("repeat_folds", ()))
        split = Split(hash=stored, repeat_folds=repeat_folds, **data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: unreadable split file ({type(exc).__name__})") from exc
    if _hash(split._content()) != stored or repeats != split.repeats:
        raise DataError(f"{path}: split file was modified (hash mismatch); delete it to make a new split")
    return split


def load_or_create_split(path: Path, table: pd.DataFrame, manifest_hash: str, n_folds: int = 5,
                         test_fraction: float = 0.2, seed: int = 0, what: str = "cohort", repeats: int = 1) -> Split:
    """Reuse the persisted split at ``path`` or create it once (atomically). A stored split made
    with other folds, repeats, seed or test fraction is refused, never mixed with the request."""
    path = Path(path)
    if path.exists():
        split = load_split(path)
        if split.manifest_hash != manifest_hash:
            raise DataError(
                f"{path}: split was made for cohort {split.manifest_hash[:12]}, not this cohort "
                f"{manifest_hash[:12]} (its records, patients or labels changed since); to start over, move the "
                f"old results aside (nothing is deleted): mv {path.parent} {path.parent}.old-{split.manifest_hash[:8]} "
                "(or pass another --results-dir)"
            )
        if ((split.n_folds, split.repeats, split.seed) != (n_folds, repeats, seed)
                or abs(split.test_fraction - test_fraction) > 1e-12):
            raise DataError(
                f"{path}: split was made with folds={split.n_folds}, repeats={split.repeats}, seed={split.seed}, "
                f"test_fraction={split.test_fraction}; pass the same options or use another --results-dir"
            )
        return split
    split = make_split(table, n_folds, test_fraction, seed, manifest_hash, what, repeats)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not write_text(path, split.to_json(), replace=False):  # first writer wins; a racing worker reads its file
        return load_or_create_split(path, table, manifest_hash, n_folds, test_fraction, seed, what, repeats)
    return split


def inner_split(y: np.ndarray, groups: np.ndarray, fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Patient-grouped, stratified (fit, validation) index arrays carved from a training part."""
    y = np.asarray(y).astype(int)
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if min(pos, neg) < 2:
        raise DataError(f"inner validation: the training part has {pos} positives and {neg} negatives; need 2 of each")
    n_parts = min(max(2, int(round(1 / fraction))), pos, neg)
    folds = grouped_folds(y, np.asarray(groups), n_parts, seed)
    val = np.nonzero(folds == 0)[0]
    fit = np.nonzero(folds != 0)[0]
    return fit, val
