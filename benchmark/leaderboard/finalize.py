"""Locked-test finalization: the ONLY code path that opens the locked-test records.

The configurations to test are chosen *before* the test is opened: by default the single rank-1
row of the CV leaderboard (``top=1``), or named trials. Each is refitted on the whole dev part (its
own inner validation chooses the epoch and threshold) and evaluated once on the locked test: AUROC
and AUPRC with patient-level bootstrap 95 % intervals, sensitivity and specificity with Wilson
intervals at the dev-chosen threshold (methods in ``stats.py``).

Every use of the locked test is appended to ``locked_test_log.jsonl`` (when, which trials, the
study's state, how many configurations in total have now seen the test). Asking again for stored
results reuses them; any further look at the test (a new configuration, or a re-evaluation) needs
``force`` and is counted, and the earlier result is kept as history.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
from optuna.trial import TrialState
from sklearn.metrics import average_precision_score, roc_curve

from benchmark.atomic import write_text
from benchmark.errors import ConfigError, DataError
from benchmark.trial import predictions
from benchmark.leaderboard import stats
from benchmark.study.context import SearchContext
from benchmark.trial.objective import prepare_estimator
from benchmark.training.metrics import auroc, binary_metrics

LOG_NAME = "locked_test_log.jsonl"


def finalized_dir(results_dir: Path, task: str, study_name: str) -> Path:
    return Path(results_dir) / task / "finalized" / study_name


def load_finalized(results_dir: Path, task: str, study_name: str) -> list[dict]:
    folder = finalized_dir(results_dir, task, study_name)
    return [json.loads(p.read_text()) for p in sorted(folder.glob("trial-*.json"))] if folder.is_dir() else []


# ------------------------------------------------------------------------------ the use log
def read_log(results_dir: Path, task: str, study_name: str) -> list[dict]:
    path = finalized_dir(results_dir, task, study_name) / LOG_NAME
    if not path.is_file():
        return []
    entries = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}: line {n} is not JSON ({exc.msg}); the log is append-only, restore it") from exc
    return entries


def usage(entries: list[dict]) -> dict:
    """How the locked test has been used: looks (evaluations) and distinct configurations (trials)."""
    trials = sorted({t for e in entries for t in e["trials"]})
    return {"looks": sum(len(e["trials"]) for e in entries), "configurations": len(trials), "trials": trials,
            "forced_looks": sum(len(e["trials"]) for e in entries if e.get("forced")),
            "last": entries[-1]["when"] if entries else None}


def usage_line(use: dict) -> str:
    """The count every output shows."""
    if not use["looks"]:
        return "locked test: not opened yet (0 configurations have seen it)"
    forced = f", {use['forced_looks']} of them forced" if use["forced_looks"] else ""
    return (f"locked test: opened {use['looks']} time(s){forced}; {use['configurations']} configuration(s) in total "
            f"have seen it (trials {', '.join(map(str, use['trials']))}); every extra look makes its numbers "
            "more optimistic")


def study_state(study) -> dict:
    """What the log records of the study at a look: complete trials and a fingerprint of their values."""
    done = sorted((t.number, t.value) for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
    return {"complete_trials": len(done), "fingerprint": hashlib.sha256(json.dumps(done).encode()).hexdigest()[:16]}


def _append(path: Path, entry: dict) -> None:
    with open(path, "a") as fh:
        fh.write(json.dumps(entry, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


# ------------------------------------------------------------------------------ one configuration
def test_metrics(y: np.ndarray, p: np.ndarray, groups: np.ndarray, threshold: float, seed: int) -> dict:
    """The locked-test table's numbers for one configuration."""
    metrics = binary_metrics(y, p, threshold)
    pred = p >= threshold
    pos, neg = int((y == 1).sum()), int((y == 0).sum())
    tp, tn = int((pred & (y == 1)).sum()), int((~pred & (y == 0)).sum())
    return {"test": metrics, "test_records": len(y), "test_positives": pos, "test_patients": int(len(np.unique(groups))),
            "true_positives": tp, "true_negatives": tn,
            "auroc_ci": stats.delong_logit_interval(y, p), "auprc_ci": stats.ap_logit_interval(y, p),
            "auroc_ci_bootstrap": stats.patient_bootstrap_interval(y, p, groups, auroc, seed=seed),
            "auprc_ci_bootstrap": stats.patient_bootstrap_interval(y, p, groups, average_precision_score, seed=seed),
            "sensitivity_ci": stats.wilson_interval(tp, pos), "specificity_ci": stats.wilson_interval(tn, neg),
            "methods": {"auroc_ci": stats.TEST_AUROC_METHOD, "auprc_ci": stats.TEST_AUPRC_METHOD,
                        "auroc_ci_bootstrap": stats.TEST_AUC_METHOD, "auprc_ci_bootstrap": stats.TEST_AUC_METHOD,
                        "sensitivity_ci": stats.PROPORTION_METHOD, "specificity_ci": stats.PROPORTION_METHOD}}


def finalize_trial(trial, ctx: SearchContext, data, out: Path, seen: int | None = None) -> dict:
    """Refit on dev, evaluate once on the locked test, store the result at ``out``; ``seen``: how many
    configurations will have seen the locked test, this one included."""
    config = trial.user_attrs["config"]
    estimator, spec = prepare_estimator(config, ctx)
    dev = ctx.split.dev_ids()
    start = time.perf_counter()
    estimator.fit(ctx.cohort.signals(dev), ctx.cohort.y(dev), groups=ctx.cohort.groups(dev))
    fit_seconds = time.perf_counter() - start
    test_ids = ctx.split.test_ids()
    test = data.cohort.with_signals(test_ids)  # the locked test is opened here, and only here
    if spec is not None and ctx.pretraining(config["pretrain"]).content_hashes() & test.content_hashes():
        raise DataError(f"trial {trial.number}: a locked-test record's signal is in the {config['pretrain']} "
                        "pretraining pool; this configuration cannot be evaluated honestly")
    y = test.y(test_ids)
    p = estimator.predict_proba(test.signals(test_ids))[:, 1]
    fpr, tpr, _ = roc_curve(y, p)
    result = {
        "trial": trial.number, "config": config, "threshold": float(estimator.threshold_), "fit_seconds": fit_seconds,
        **test_metrics(y, p, test.groups(test_ids), float(estimator.threshold_), ctx.seed),
        "roc": {"fpr": fpr.round(5).tolist(), "tpr": tpr.round(5).tolist()},
        # every locked-test probability of this look (benchmark.trial.predictions: exact float64), with its ids
        "predictions": {"records": list(test_ids), "patients": [str(g) for g in test.groups(test_ids)],
                        "labels": [int(v) for v in y], "p": predictions.encode(p)},
        "cv_auroc": trial.value, "selection_score": "cv_auroc", "split_hash": ctx.split.hash,
        "manifest_hash": ctx.cohort.manifest_hash, "cohort": ctx.cohort.name, "is_standin": ctx.cohort.is_standin,
        "notice": ctx.cohort.description if ctx.cohort.is_standin else "",
        "evaluated_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "locked_test_configurations_seen": seen,
    }
    write_text(out, json.dumps(result, indent=1, default=float))
    return result


# ------------------------------------------------------------------------------ the command
def choose(table, top: int = 1, trials: list[int] | None = None) -> list[int]:
    """The configurations to test, chosen from the CV leaderboard before the test is opened."""
    if trials:
        ranked = set(int(t) for t in table["trial"])
        for number in trials:
            if number not in ranked:
                raise ConfigError(f"--trial {number} is not a complete (ranked) trial of this study")
        return list(dict.fromkeys(int(t) for t in trials))
    if top < 1:
        raise ConfigError(f"--top must be at least 1, got {top}")
    return [int(t) for t in table["trial"].head(top)]


def finalize(study, ctx: SearchContext, data, results_dir: Path, top: int = 1, force: bool = False,
             trials: list[int] | None = None) -> tuple[list[dict], dict]:
    """Evaluate the chosen configurations on the locked test (reusing stored results); returns the
    results and the test's :func:`usage` after this command."""
    from benchmark.leaderboard.table import leaderboard

    table = leaderboard(study)
    if table.empty:
        raise DataError(f"study {study.study_name!r} has no completed trial to finalize")
    chosen = choose(table, top, trials)
    folder = finalized_dir(results_dir, ctx.task, study.study_name)
    folder.mkdir(parents=True, exist_ok=True)
    entries = read_log(results_dir, ctx.task, study.study_name)
    new = [n for n in chosen if force or not (folder / f"trial-{n}.json").exists()]
    state = study_state(study)
    if new and entries and not force:
        before = usage(entries)
        changed = ("the study has changed since (" f"{entries[-1]['study']['complete_trials']} complete trials then, "
                   f"{state['complete_trials']} now)" if entries[-1]["study"] != state else "the study has not changed")
        raise ConfigError(f"the locked test has already been seen by {before['configurations']} configuration(s) "
                          f"(trials {', '.join(map(str, before['trials']))}, last on {before['last']}) and {changed}; "
                          f"testing trial(s) {', '.join(map(str, new))} is a second look that biases the test upward: "
                          "pass --force to take it (it is logged and counted)")
    results, evaluated = [], []
    try:
        for number in chosen:
            out = folder / f"trial-{number}.json"
            if number not in new:
                results.append(json.loads(out.read_text()) | {"reused": True})
                continue
            previous = out.read_text() if out.exists() else None
            stamp = time.strftime("%Y%m%dT%H%M%S")
            seen = usage(entries + [{"trials": evaluated + [number], "when": ""}])["configurations"]
            result = finalize_trial(study.trials[number], ctx, data, out, seen)  # replaces ``out`` only on success
            evaluated.append(number)
            if previous is not None:  # the earlier result is kept as history
                history = folder / "history"
                history.mkdir(exist_ok=True)
                write_text(history / f"trial-{number}-{stamp}.json", previous)
            results.append(result | {"reused": False})
    finally:
        if evaluated:
            seen = usage(entries + [{"trials": evaluated, "when": ""}])
            _append(folder / LOG_NAME, {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "trials": evaluated,
                                        "forced": bool(force and entries), "study": state,
                                        "configurations_seen": seen["configurations"]})
    use = usage(read_log(results_dir, ctx.task, study.study_name))
    for r in results:
        r["locked_test_use"] = use
    from benchmark.leaderboard import codes

    if data is not None:  # stored predictions and the whole cohort's codes (ctx holds dev only): no new look
        codes.write(folder, study, results, data.cohort, ctx.split)
    return results, use
