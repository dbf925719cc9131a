"""The training loop learns, stops on NaN with a reason, is deterministic, and never leaks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from benchmark.data.splits import make_split
from benchmark.estimators.deep import DeepClassifier
from benchmark.trial.cv import run_fold
from benchmark.training.loop import Recipe, FitError
from benchmark.training.metrics import auroc, binary_metrics, choose_threshold


def planted(n: int, seed: int, T: int = 1000):
    """Noise; positives carry a short bump waveform at random places (a pattern a CNN can find)."""
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, 12, T)) * 0.3).astype(np.float32)
    y = (rng.random(n) < 0.3).astype(np.float32)
    bump = np.sin(np.linspace(0, np.pi, 15)).astype(np.float32)
    for i in np.nonzero(y)[0]:
        for s in rng.integers(0, T - 15, size=6):
            X[i, :6, s:s + 15] += bump
    return X, y


@pytest.mark.slow  # trains a ResNet for up to 25 epochs: 30-90 s of CPU
def test_learns_planted_pattern_on_held_out_data():
    X, y = planted(240, 0)
    Xt, yt = planted(120, 1)
    est = DeepClassifier(model="resnet1d18", model_kwargs={"width": 16}, recipe=Recipe(epochs=20, patience=20), crop_seconds=2.5,
                         seed=0).fit(X, y)
    assert auroc(yt, est.predict_proba(Xt)[:, 1]) >= 0.95


@pytest.mark.slow  # trains a ResNet for up to 25 epochs: 30-90 s of CPU
def test_label_noise_is_not_learned_as_signal():
    """The same loop on shuffled labels stays near chance on held-out data: the test above can fail."""
    X, y = planted(240, 0)
    Xt, yt = planted(120, 1)
    y_shuffled = np.random.default_rng(5).permutation(y)
    est = DeepClassifier(model="resnet1d18", model_kwargs={"width": 16}, recipe=Recipe(epochs=6), crop_seconds=2.5, seed=0).fit(X, y_shuffled)
    assert auroc(yt, est.predict_proba(Xt)[:, 1]) < 0.8


@pytest.mark.slow  # trains a ResNet for up to 25 epochs: 30-90 s of CPU
def test_loss_halves_on_64_real_records(standin):
    ids = standin.record_ids[:64]
    est = DeepClassifier(model="resnet1d18", model_kwargs={"width": 16}, recipe=Recipe(epochs=25, patience=25, lr=3e-3),
                         crop_seconds=2.5, normalization="zscore", seed=0)
    est.fit(standin.X(ids), standin.y(ids), groups=standin.groups(ids))
    losses = [h["train_loss"] for h in est.fit_result_.history]
    assert min(losses[-5:]) <= 0.5 * losses[0], losses


def test_nan_loss_stops_with_reason():
    X, y = planted(60, 0)
    X[:5] = np.finfo(np.float32).max  # finite input (inf is refused at fit), but the network overflows
    with pytest.raises(FitError, match="non-finite training loss"):
        DeepClassifier(model="vgg11_1d", model_kwargs={"width": 8}, recipe=Recipe(epochs=2), normalization="none").fit(X, y)


@pytest.mark.slow  # trains a ResNet for up to 25 epochs: 30-90 s of CPU
def test_deterministic_on_cpu():
    X, y = planted(80, 0)
    kw = dict(model="inceptiontime1d", model_kwargs={"nf": 8}, recipe=Recipe(epochs=3), crop_seconds=2.5, seed=3)
    a = DeepClassifier(**kw).fit(X, y).predict_proba(X)
    b = DeepClassifier(**kw).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)


def test_the_evaluation_batch_leaves_training_and_the_best_epoch_unchanged():
    """Validation in batches of 7 records or of all of them: the same epochs, the same best
    epoch, the same held-out AUROC (last bits of a probability may differ), and the best state
    restored (a later epoch's weights would predict differently)."""
    X, y = planted(120, 0)
    Xt, yt = planted(60, 1)
    kw = dict(model="vgg11_1d", model_kwargs={"width": 8}, recipe=Recipe(epochs=4, patience=4, lr=3e-3),
              crop_seconds=2.5, eval_crops="cover", seed=1)
    small = DeepClassifier(**kw, eval_batch_size=7).fit(X, y)
    big = DeepClassifier(**kw, eval_batch_size=4096).fit(X, y)
    assert [h["val_auroc"] for h in small.fit_result_.history] == pytest.approx(
        [h["val_auroc"] for h in big.fit_result_.history], abs=1e-6)
    assert small.best_epoch_ == big.best_epoch_
    p_small, p_big = small.predict_proba(Xt)[:, 1], big.predict_proba(Xt)[:, 1]
    assert np.abs(p_small - p_big).max() < 1e-5
    assert abs(auroc(yt, p_small) - auroc(yt, p_big)) < 1e-6
    _, val_idx = big.inner_split_  # the restored weights score the best epoch's validation AUROC
    restored = big._probs(big.preprocess_.transform(X[val_idx]))[:, 0]
    assert auroc(y[val_idx], restored) == pytest.approx(big.fit_result_.best_score, abs=1e-9)


def test_a_bad_evaluation_batch_is_one_line():
    from benchmark.errors import ConfigError

    X, y = planted(40, 0)
    with pytest.raises(ConfigError, match="eval_batch_size must be a positive"):
        DeepClassifier(model="vgg11_1d", model_kwargs={"width": 8}, recipe=Recipe(epochs=1), eval_batch_size=0).fit(X, y)


def test_metrics_and_thresholds():
    y = np.array([0, 0, 0, 1, 1, 0, 1, 0])
    p = np.array([0.1, 0.2, 0.3, 0.8, 0.7, 0.6, 0.4, 0.05])
    m = binary_metrics(y, p, 0.5)
    assert m["sensitivity"] == pytest.approx(2 / 3) and m["specificity"] == pytest.approx(4 / 5)
    assert m["balanced_accuracy"] == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert m["gmean"] == pytest.approx(np.sqrt(2 / 3 * 4 / 5)) and m["brier"] == pytest.approx(np.mean((p - y) ** 2))
    assert m["f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert choose_threshold(y, p, "youden") == pytest.approx(0.4)
    assert choose_threshold(y, p, "f1") in (0.4, 0.7)


# ---------------------------------------------------------------------------- leak tests
def _fold_setup(standin):
    split = make_split(standin.table, 5, 0.2, 0, standin.manifest_hash)
    est = DeepClassifier(model="resnet1d18", model_kwargs={"width": 8}, recipe=Recipe(epochs=4, patience=4), crop_seconds=2.5,
                         normalization="zscore_dataset", seed=0)
    return split, est


def _with_signals(cohort, ids, fn):
    """A copy of ``cohort`` whose ``ids`` signals are replaced by ``fn(signals)``."""
    signals = np.array(cohort.store.signals)
    pos = cohort.store.positions(ids)
    signals[pos] = fn(signals[pos])
    return dataclasses.replace(cohort, store=dataclasses.replace(cohort.store, signals=signals))


@pytest.mark.slow  # trains a ResNet for up to 25 epochs: 30-90 s of CPU
def test_eval_fold_signals_do_not_touch_normalization_or_training(standin):
    split, est = _fold_setup(standin)
    _, eval_ids = split.fold(0)
    a = run_fold(est, standin, split, 0)
    changed = _with_signals(standin, eval_ids, lambda s: s * 7 + 3)
    b = run_fold(est, changed, split, 0)
    assert np.array_equal(a.estimator.preprocess_.norm_.mean_, b.estimator.preprocess_.norm_.mean_)
    assert np.array_equal(a.estimator.preprocess_.norm_.std_, b.estimator.preprocess_.norm_.std_)
    assert a.estimator.best_epoch_ == b.estimator.best_epoch_ and a.estimator.threshold_ == b.estimator.threshold_
    # while the locked test and other folds' training data do matter: the check is not vacuous
    train_ids, _ = split.fold(0)
    c = run_fold(est, _with_signals(standin, train_ids[:50], lambda s: s * 7 + 3), split, 0)
    assert not np.array_equal(a.estimator.preprocess_.norm_.mean_, c.estimator.preprocess_.norm_.mean_)


@pytest.mark.slow  # trains a ResNet for up to 25 epochs: 30-90 s of CPU
def test_shuffled_eval_labels_leave_epoch_and_threshold(standin):
    split, est = _fold_setup(standin)
    _, eval_ids = split.fold(1)
    a = run_fold(est, standin, split, 1)
    table = standin.table.copy()
    rows = table["record_id"].isin(eval_ids)
    table.loc[rows, "label"] = np.random.default_rng(0).permutation(table.loc[rows, "label"].to_numpy())
    assert (table["label"] != standin.table["label"]).any()
    shuffled = dataclasses.replace(standin, table=table)
    b = run_fold(est, shuffled, split, 1)
    assert a.estimator.best_epoch_ == b.estimator.best_epoch_ and a.estimator.threshold_ == b.estimator.threshold_
    assert np.array_equal(a.probabilities, b.probabilities)
    assert a.metrics["auroc"] != b.metrics["auroc"]  # only the reported fold metric moves
