"""Locked-test finalization: the ONLY code path that opens the locked-test records.

Each top-K configuration is refitted on the whole dev part (its own inner validation chooses the
epoch and threshold) and evaluated once on the locked test: AUROC and AUPRC with bootstrap 95 %
intervals, sensitivity and specificity at the dev-chosen threshold. Results are stored per trial;
running again reuses them; ``force`` re-evaluates and keeps the earlier result as history.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_curve

from benchmark.errors import DataError
from benchmark.objective import SearchContext, prepare_estimator
from benchmark.training.metrics import auroc, binary_metrics
from sklearn.metrics import average_precision_score

N_BOOTSTRAP = 2000


def bootstrap_ci(y: np.ndarray, p: np.ndarray, metric, seed: int = 0, n: int = N_BOOTSTRAP) -> tuple[float, float]:
    """Percentile 95 % interval over resamples of the test records (resamples with one class skipped)."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        if 0 < y[idx].sum() < len(idx):
            values.append(metric(y[idx], p[idx]))
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def finalized_dir(results_dir: Path, task: str, study_name: str) -> Path:
    return Path(results_dir) / task / "finalized" / study_name


def load_finalized(results_dir: Path, task: str, study_name: str) -> list[dict]:
    folder = finalized_dir(results_dir, task, study_name)
    return [json.loads(p.read_text()) for p in sorted(folder.glob("trial-*.json"))] if folder.is_dir() else []


def finalize_trial(trial, ctx: SearchContext, data, out: Path) -> dict:
    """Refit on dev, evaluate once on the locked test, store the result at ``out``."""
    config = trial.user_attrs["config"]
    estimator, spec = prepare_estimator(config, ctx)
    dev = ctx.split.dev_ids()
    start = time.perf_counter()
    estimator.fit(ctx.cohort.X(dev), ctx.cohort.y(dev), groups=ctx.cohort.groups(dev))
    fit_seconds = time.perf_counter() - start
    test_ids = ctx.split.test_ids()
    test = data.cohort.with_signals(test_ids)  # the locked test is opened here, and only here
    if spec is not None and ctx.pretraining(config["pretrain"]).content_hashes() & test.content_hashes():
        raise DataError(f"trial {trial.number}: a locked-test record's signal is in the {config['pretrain']} "
                        "pretraining pool; this configuration cannot be evaluated honestly")
    y = test.y(test_ids)
    p = estimator.predict_proba(test.X(test_ids))[:, 1]
    metrics = binary_metrics(y, p, estimator.threshold_)
    fpr, tpr, _ = roc_curve(y, p)
    result = {
        "trial": trial.number, "config": config, "threshold": float(estimator.threshold_), "fit_seconds": fit_seconds,
        "test": metrics, "test_records": len(test_ids), "test_positives": int(y.sum()),
        "auroc_ci": bootstrap_ci(y, p, auroc, seed=ctx.seed),
        "auprc_ci": bootstrap_ci(y, p, average_precision_score, seed=ctx.seed),
        "roc": {"fpr": fpr.round(5).tolist(), "tpr": tpr.round(5).tolist()},
        "cv_auroc": trial.value, "split_hash": ctx.split.hash, "manifest_hash": ctx.cohort.manifest_hash,
        "evaluated_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(result, indent=1, default=float))
    os.replace(tmp, out)
    return result


def finalize(study, ctx: SearchContext, data, results_dir: Path, top: int, force: bool = False) -> list[dict]:
    from benchmark.leaderboard.table import leaderboard

    table = leaderboard(study)
    if table.empty:
        raise DataError(f"study {study.study_name!r} has no completed trial to finalize")
    folder = finalized_dir(results_dir, ctx.task, study.study_name)
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for number in table["trial"].head(top):
        out = folder / f"trial-{int(number)}.json"
        if out.exists() and not force:
            results.append(json.loads(out.read_text()) | {"reused": True})
            continue
        if out.exists():
            history = folder / "history"
            history.mkdir(exist_ok=True)
            os.replace(out, history / f"trial-{int(number)}-{time.strftime('%Y%m%dT%H%M%S')}.json")
        results.append(finalize_trial(study.trials[int(number)], ctx, data, out) | {"reused": False})
    return results
