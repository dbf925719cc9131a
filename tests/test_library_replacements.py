"""Code replaced by what the stack ships keeps its behaviour: fold metrics from ``sklearn.metrics``
(the same floats, bit for bit, as the confusion-count formulas), ``progress.best`` (the best complete
search trial: Optuna's ``best_trial`` would count ablation cells, which run on other folds),
``storage.redact`` from SQLAlchemy's URL rendering, one stage loop in
``StagedModel.forward_stages``, and the locked test's patient bootstrap from ``scipy.stats.bootstrap``."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest
import torch
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna.trial import TrialState, create_trial
from sklearn.metrics import f1_score, roc_auc_score

from benchmark.engines.progress import best
from benchmark.engines.storage import redact
from benchmark.leaderboard import stats
from benchmark.models import StagedModel, create_model, list_models, model_params
from benchmark.training.metrics import _confusion_f1, binary_metrics


# ------------------------------------------------------------------------------ metrics
def _by_counts(y, p, threshold):
    """The definitions from confusion counts (what the fold metrics were computed with before)."""
    pred = p >= threshold
    tp, tn = int((pred & (y == 1)).sum()), int((~pred & (y == 0)).sum())
    fp, fn = int((pred & (y == 0)).sum()), int((~pred & (y == 1)).sum())
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    sens = tp / pos if pos else math.nan
    spec = tn / neg if neg else math.nan
    return {"f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0, "sensitivity": sens, "specificity": spec,
            "balanced_accuracy": (sens + spec) / 2, "gmean": float(np.sqrt(sens * spec)),
            "brier": float(np.mean((p - y) ** 2))}


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_metrics_by_hand():
    y = np.array([0, 0, 1, 1, 1])
    p = np.array([0.1, 0.6, 0.4, 0.7, 0.9])  # at 0.5: tp 2, fp 1, fn 1, tn 1
    m = binary_metrics(y, p, 0.5)
    assert m["sensitivity"] == 2 / 3 and m["specificity"] == 1 / 2
    assert m["balanced_accuracy"] == (2 / 3 + 1 / 2) / 2
    assert m["f1"] == 4 / 6
    assert m["gmean"] == math.sqrt(2 / 3 * 1 / 2)
    assert m["brier"] == pytest.approx((0.01 + 0.36 + 0.36 + 0.09 + 0.01) / 5)
    assert all(type(v) is float for v in m.values())


@pytest.mark.parametrize("y,p,threshold,expected", [
    # no positive present: sensitivity (and so balanced accuracy, G-mean) undefined, F1 0
    ([0, 0, 0], [0.2, 0.7, 0.9], 0.5, {"sensitivity": math.nan, "specificity": 1 / 3, "f1": 0.0,
                                        "balanced_accuracy": math.nan, "gmean": math.nan, "auprc": math.nan}),
    # nothing predicted positive and no positive present: F1 0 (zero_division), specificity 1
    ([0, 0], [0.1, 0.2], 0.5, {"sensitivity": math.nan, "specificity": 1.0, "f1": 0.0,
                               "balanced_accuracy": math.nan}),
    # no negative present: specificity undefined
    ([1, 1, 1], [0.2, 0.7, 0.9], 0.5, {"sensitivity": 2 / 3, "specificity": math.nan, "f1": 0.8,
                                        "balanced_accuracy": math.nan, "gmean": math.nan}),
    # positives present, none predicted: sensitivity 0, F1 0
    ([0, 1, 1], [0.1, 0.2, 0.3], 0.5, {"sensitivity": 0.0, "specificity": 1.0, "f1": 0.0,
                                        "balanced_accuracy": 0.5, "gmean": 0.0}),
])
def test_metric_edge_cases(y, p, threshold, expected):
    m = binary_metrics(np.array(y), np.array(p), threshold)
    assert {k: m[k] for k in expected} == pytest.approx(expected, nan_ok=True)


def test_metrics_equal_the_count_formulas_bit_for_bit():
    """Stored fold metrics are compared bit for bit (test_behaviour_snapshot), so ``==``, not approx.
    The first case is one where sklearn's ``brier_score_loss`` (half the two-column sum) differs in
    the last bit from the mean squared error the metric stores."""
    rng = np.random.default_rng(0)
    cases = [(np.array([0, 1]), np.array([0.42, 0.59]), 0.5)]
    for i in range(100):
        n = int(rng.integers(1, 120))
        y = (rng.random(n) < rng.random()).astype(int)
        if i % 5 == 1:
            y[:] = i % 2
        p = rng.random(n) if i % 3 else np.round(rng.random(n), 1)  # ties at the threshold too
        cases.append((y, p, float(rng.choice([0.5, rng.random(), 0.0, 1.01]))))
    for y, p, threshold in cases:
        got, want = binary_metrics(y, p, threshold), _by_counts(y, p, threshold)
        assert all(_same(got[k], want[k]) for k in want), (y, p, threshold, got, want)


def test_threshold_search_f1_equals_sklearn():
    rng = np.random.default_rng(1)
    for _ in range(100):
        n = int(rng.integers(1, 60))
        y, pred = (rng.random(n) < 0.4).astype(int), rng.random(n) < rng.random()
        assert _confusion_f1(y, pred) == f1_score(y, pred.astype(int), zero_division=0.0)


# ------------------------------------------------------------------------------ progress.best
def _study(values):
    study = optuna.create_study(direction="maximize")
    dist = {"model": CategoricalDistribution(["lstm", "vgg11_1d", "resnet1d18"]), "x": FloatDistribution(0, 1)}
    for model, state, value in values:
        study.add_trial(create_trial(state=state, value=value, params={"model": model, "x": 0.5}, distributions=dist))
    return study


def test_best_before_any_complete_trial():
    assert best(_study([])) == (None, None, "")
    assert best(_study([("lstm", TrialState.PRUNED, None), ("vgg11_1d", TrialState.FAIL, None)])) == (None, None, "")


def test_best_is_the_highest_complete_trial_first_on_ties():
    study = _study([("lstm", TrialState.COMPLETE, 0.7), ("vgg11_1d", TrialState.PRUNED, None),
                    ("resnet1d18", TrialState.COMPLETE, 0.8), ("lstm", TrialState.COMPLETE, 0.8)])
    assert best(study) == (0.8, 2, "resnet1d18")


def test_best_leaves_out_ablation_cells():
    """An ablation cell runs on another fold partition: its value is not the search's best."""
    study = _study([("lstm", TrialState.COMPLETE, 0.7)])
    dist = {"model": CategoricalDistribution(["lstm", "vgg11_1d", "resnet1d18"]), "x": FloatDistribution(0, 1)}
    study.add_trial(create_trial(state=TrialState.COMPLETE, value=0.99, params={"model": "vgg11_1d", "x": 0.5},
                                 distributions=dist, user_attrs={"plan": {"stage": "ablation", "family": "vgg1d"}}))
    assert best(study) == (0.7, 0, "lstm")


# ------------------------------------------------------------------------------ storage.redact
@pytest.mark.parametrize("url,shown", [
    ("postgresql://bench:secret@127.0.0.1:1/bench", "postgresql://bench:***@127.0.0.1:1/bench"),
    ("postgresql+psycopg://bench:secret@db.example:5432/bench", "postgresql+psycopg://bench:***@db.example:5432/bench"),
    ("postgresql://bench:s%40cret@host/bench", "postgresql://bench:***@host/bench"),
    ("postgresql://bench@host/bench", "postgresql://bench@host/bench"),  # no password: nothing hidden
    ("sqlite:///tmp/study.db", "sqlite:///tmp/study.db"),
    ("/data/results/pe/study.journal", "/data/results/pe/study.journal"),  # not a database URL: as is
    ("journal:/data/a@b.journal", "journal:/data/a@b.journal"),
    # SQLAlchemy reads the password up to the first "@" or refuses the URL: all of it is still hidden
    ("postgresql://bench:se@cret@host/bench", "postgresql://bench:***@host/bench"),
    ("postgresql://bench:secret@host:port/bench", "postgresql://bench:***@host:port/bench"),
    ("my-sql://bench:secret@host/bench", "my-sql://bench:***@host/bench"),
])
def test_redact(url, shown):
    assert redact(url) == shown
    assert "secret" not in redact(url) and "cret" not in redact(url)


# ------------------------------------------------------------------------------ StagedModel
SMALL = {"width": 16, "nf": 8, "hidden": 16, "d_model": 32}


@pytest.mark.parametrize("name", list_models())
def test_every_model_runs_its_stages_through_forward_stages(name, monkeypatch):
    torch.manual_seed(0)
    model = create_model(name, **{k: v for k, v in SMALL.items() if k in model_params(name)})
    assert type(model).forward_stages is StagedModel.forward_stages  # one loop, not one per class
    model.eval()
    x = torch.randn(2, 12, 250)
    calls = []
    loop = StagedModel.forward_stages

    def spy(self, h):
        calls.append(h.shape)
        return loop(self, h)

    monkeypatch.setattr(StagedModel, "forward_stages", spy)
    with torch.no_grad():
        model(x)
    assert len(calls) == 1
    h = torch.randn(*calls[0])
    with torch.no_grad():
        by_hand = h
        for stage in model.stages:
            by_hand = stage(by_hand)
        assert torch.equal(loop(model, h), by_hand)


# ------------------------------------------------------------------------------ locked-test bootstrap
def _patients(seed: int = 0, n: int = 40):
    rng = np.random.default_rng(seed)
    y, p, g = [], [], []
    for patient in range(n):
        label = int(patient % 3 == 0)
        for _ in range(int(rng.integers(1, 4))):
            y.append(label)
            p.append(float(np.clip(rng.normal(0.35 + 0.3 * label, 0.2), 0, 1)))
            g.append(patient)
    return np.array(y), np.array(p), np.array(g)


def test_patient_bootstrap_is_seeded_and_brackets_the_estimate():
    y, p, g = _patients()
    lo, hi = stats.patient_bootstrap_interval(y, p, g, roc_auc_score, seed=0, n_resamples=200)
    assert lo < roc_auc_score(y, p) < hi
    assert (lo, hi) == stats.patient_bootstrap_interval(y, p, g, roc_auc_score, seed=0, n_resamples=200)
    assert (lo, hi) != stats.patient_bootstrap_interval(y, p, g, roc_auc_score, seed=1, n_resamples=200)
    assert "scipy.stats.bootstrap" in stats.TEST_AUC_METHOD and "percentile" in stats.TEST_AUC_METHOD
