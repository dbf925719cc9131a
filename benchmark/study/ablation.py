"""The controlled ablation stage: the study's questions 2-5 as pre-registered contrasts.

After the search, the best ``K`` deep families each give a **centre**: their best complete
search-stage configuration. A **cell** is the centre with exactly one factor changed (or the centre
itself under another training seed):

* Q2 crop: every crop of the budget;
* Q3 normalization: every registered normalization (the budget's list);
* Q4 pretraining arm: ``none``, ``random_frozen`` and every available source;
* Q5 freezing depth: none, half and all stages of the first available source, each with
  ``random_frozen`` at the same depth as its control (depth 0's control is ``none``);
* extra seeds of the centre (seed variance apart from split variance; Bouthillier et al. 2021).

Every cell runs complete and unpruned, and all cells run on one **fresh fold partition** of the same
dev patients (:func:`fresh_partition`: new repeat seeds, so the search's folds are not reused and
the cells are paired block by block). The contrasts are a weighted sum of cells' per-block AUROCs
(``{cell: weight}``); they are declared, with the cells, in the study's ``ablation`` attribute
before any cell runs (:func:`declare`), and :mod:`benchmark.leaderboard.answers` reads them back.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace

import numpy as np

from benchmark.study.config import FACTORS, RANDOM_FROZEN, sources as pretraining_sources
from benchmark.data.splits import REPEAT_SEED_STEP, TEST, Split, _hash, grouped_folds

ATTR = "ablation"  # the study attribute holding the declaration
SEED_STEP = 7919  # training-seed offset of the centre's extra-seed cells
QUESTIONS = {
    "Q2": "crop length: each crop against the centre's",
    "Q3": "normalization: each against z-score",
    "Q4": "pretraining: each source against random_frozen, and random_frozen against none",
    "Q5": "freezing depth: pretrained against random_frozen at each depth, and the trend over depth",
}
REFERENCE_NORMALIZATION = "zscore"


@dataclass(frozen=True)
class Settings:
    """How big the stage is: ``families`` centres (best K deep families), ``seeds`` extra seeds of
    each centre."""

    families: int = 3
    seeds: int = 2
    repeats: int = 1  # fold sets of the fresh partition (each cell costs this many K-fold CVs)

    def upper_bound(self, budget, pretrain_choices: list[str]) -> int:
        """Most cells the stage can need (before duplicates are merged): the split of ``--trials``."""
        sources = pretraining_sources(pretrain_choices)
        per_family = (1 + len(budget.crops) + len(budget.normalizations) + len(pretrain_choices)
                      + (5 if sources else 0) + self.seeds)
        return self.families * per_family


def fresh_partition(split: Split, y: np.ndarray, groups: np.ndarray, ids: list[str], repeats: int = 1) -> Split:
    """The same dev patients in ``repeats`` new patient-grouped fold sets: the repeat seeds after the
    search's (repeats R..R+repeats-1 of :func:`benchmark.data.splits.make_split`'s rule); the locked
    test is unchanged and in no fold."""
    y, groups = np.asarray(y).astype(int), np.asarray(groups).astype(str)
    sets = [{str(r): int(f) for r, f in zip(ids, grouped_folds(y, groups, split.n_folds,
                                                               split.seed + 1 + REPEAT_SEED_STEP * r))}
            for r in range(split.repeats, split.repeats + repeats)]
    assignment = {**{r: TEST for r in split.test_ids()}, **sets[0]}
    content = {"assignment": assignment, "n_folds": split.n_folds, "test_fraction": split.test_fraction,
               "seed": split.seed, "manifest_hash": split.manifest_hash}
    draft = Split(hash="", repeat_folds=tuple(sets[1:]), **content)
    return replace(draft, hash=_hash(draft._content() | {"ablation_of": split.hash}))


def _key(params: dict, seed_offset: int) -> str:
    return json.dumps({"params": params, "seed_offset": seed_offset}, sort_keys=True)


class _Cells:
    """Collects a family's cells, merging duplicates (the centre is also, e.g., its own crop's cell)."""

    def __init__(self, family: str):
        self.family, self.cells, self._ids = family, [], {}

    def add(self, params: dict, seed_offset: int = 0) -> str:
        key = _key(params, seed_offset)
        if key not in self._ids:
            cell_id = f"{self.family}:{len(self.cells)}"
            self._ids[key] = cell_id
            self.cells.append({"id": cell_id, "family": self.family, "params": params, "seed_offset": seed_offset})
        return self._ids[key]


def _with(params: dict, **changes) -> dict:
    out = dict(params)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def family_cells(family: str, centre: dict, n_stages: int, budget, pretrain_choices: list[str],
                 settings: Settings) -> tuple[list[dict], list[dict]]:
    """(cells, contrasts) of one family around ``centre`` (the centre trial's parameters)."""
    cells, contrasts = _Cells(family), []
    base = cells.add(centre)
    half, full = max(1, n_stages // 2), n_stages
    centre_depth = centre.get("freeze_depth")

    def contrast(question: str, key: str, weights: dict[str, float], label: str | None = None) -> None:
        """``key`` names the contrast the same way in every family (pooled rows group by it)."""
        if len({c for c, w in weights.items() if w}) > 1:  # a cell against itself says nothing
            contrasts.append({"id": f"{family}:{question}:{key}", "question": question, "family": family,
                              "key": key, "label": label or key, "weights": weights})

    for crop in FACTORS["crop_seconds"].choices(budget):  # Q2
        cell = cells.add(_with(centre, crop_seconds=crop))
        if crop != centre["crop_seconds"]:
            contrast("Q2", f"crop {crop:g} s - centre's crop", {cell: 1.0, base: -1.0},
                     f"crop {crop:g} s - {centre['crop_seconds']:g} s")
    norms = {n: cells.add(_with(centre, normalization=n)) for n in FACTORS["normalization"].choices(budget)}  # Q3
    if REFERENCE_NORMALIZATION in norms:
        for n, cell in norms.items():
            if n != REFERENCE_NORMALIZATION:
                contrast("Q3", f"{n} - {REFERENCE_NORMALIZATION}", {cell: 1.0, norms[REFERENCE_NORMALIZATION]: -1.0})
    arm_depth = centre_depth if centre_depth else half  # Q4: every arm at the centre's depth (half if it has none)
    arms = {}
    for arm in pretrain_choices:
        depth = None if arm == "none" else max(1 if arm == RANDOM_FROZEN else 0, arm_depth)
        arms[arm] = cells.add(_with(centre, pretrain=arm, freeze_depth=depth))
    sources = pretraining_sources(pretrain_choices)
    if RANDOM_FROZEN in arms:
        for source in sources:
            contrast("Q4", f"{source} - {RANDOM_FROZEN}", {arms[source]: 1.0, arms[RANDOM_FROZEN]: -1.0})
        if "none" in arms:
            contrast("Q4", f"{RANDOM_FROZEN} - none", {arms[RANDOM_FROZEN]: 1.0, arms["none"]: -1.0})
    if sources and RANDOM_FROZEN in pretrain_choices and "none" in pretrain_choices:  # Q5
        source = sources[0]
        pre = {d: cells.add(_with(centre, pretrain=source, freeze_depth=d)) for d in (0, half, full)}
        ctrl = {0: cells.add(_with(centre, pretrain="none", freeze_depth=None)),
                **{d: cells.add(_with(centre, pretrain=RANDOM_FROZEN, freeze_depth=d)) for d in (half, full)}}
        for d, words in ((0, "no stage"), (half, "half the stages"), (full, "all stages")):
            contrast("Q5", f"{source} - control, {words} frozen", {pre[d]: 1.0, ctrl[d]: -1.0},
                     f"{source} - control at depth {d}/{n_stages}")
        x = np.array([0, half, full], dtype=float) / n_stages  # least-squares slope over the frozen fraction
        w = (x - x.mean()) / ((x - x.mean()) ** 2).sum()
        weights: dict[str, float] = {}
        for d, wd in zip((0, half, full), w):
            weights[pre[d]] = weights.get(pre[d], 0.0) + float(wd)
        contrast("Q5", f"{source} trend per unit frozen fraction", weights)
    for s in range(1, settings.seeds + 1):  # extra seeds of the centre: not a contrast, the seed variance
        cells.add(centre, seed_offset=s * SEED_STEP)
    return cells.cells, contrasts


def declaration(centres: dict[str, dict], stage_counts: dict[str, int], budget, pretrain_choices: list[str],
                settings: Settings, partition: Split) -> dict:
    """The stage's cells and contrasts, from ``centres`` (family -> {"trial", "params", "cv_auroc"})."""
    cells, contrasts = [], []
    for family, centre in centres.items():
        c, k = family_cells(family, centre["params"], stage_counts[family], budget, pretrain_choices, settings)
        cells += c
        contrasts += k
    return {"declared_at": time.time(),
            "settings": {"families": settings.families, "seeds": settings.seeds, "repeats": settings.repeats},
            "centres": centres, "partition_hash": partition.hash, "questions": QUESTIONS,
            "cells": cells, "contrasts": contrasts}


def cell_changes(cell: dict, centre: dict) -> set[str]:
    """The parameters in which ``cell`` differs from its centre (the seed counts as one)."""
    keys = set(cell["params"]) | set(centre)
    changed = {k for k in keys if cell["params"].get(k) != centre.get(k)}
    return changed | ({"seed"} if cell["seed_offset"] else set())
