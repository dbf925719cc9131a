"""The one leak-proof fit protocol, once.

:class:`ECGClassifier` is the base of every classifier the search runs (deep models here, the
sktime baselines in :mod:`benchmark.estimators.baselines`). Its public ``fit`` owns the protocol, in the way
of sktime's ``BaseClassifier``: check the input; carve an inner validation split *by patient*
from the data passed to ``fit``; fit the preprocessing (filter, normalization statistics) on the
inner fit part only; call the subclass's ``_fit``; choose the decision threshold from training
data only (:func:`fit_threshold`). ``predict_proba`` checks and calls ``_predict_proba``.

The deep classifier is :class:`benchmark.estimators.deep.DeepClassifier`, the sktime baselines are in
:mod:`benchmark.estimators.baselines`.
"""

from __future__ import annotations


import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from benchmark.data.splits import grouped_folds, inner_split
from benchmark.errors import ConfigError
from benchmark.estimators.inputs import ECGInputMixin, check_fit_input, check_fitted, check_X
from benchmark.training.metrics import choose_threshold
from benchmark.transforms.pipeline import Preprocess


def _strata(y: np.ndarray) -> np.ndarray:
    """Labels to stratify the inner split on: ``y`` itself, or for multi-label data the most
    balanced label column (unknown = NaN counts as negative)."""
    if y.ndim == 1:
        return y
    pos = np.nansum(y, axis=0)
    neg = (~np.isnan(y)).sum(axis=0) - pos
    return np.nan_to_num(y[:, int(np.argmax(np.minimum(pos, neg)))])


# ------------------------------------------------------------------------------ threshold protocol
THRESHOLD_FROM = ("inner", "oof")  # where the decision threshold is chosen (see fit_threshold)
MIN_THRESHOLD_POSITIVES = 10  # fewer positives behind a threshold: a warning is stored and shown
OOF_PARTS = 5  # patient-grouped parts of the cross-fitted ("oof") threshold


def fit_threshold(est, X: np.ndarray, y: np.ndarray, groups: np.ndarray, val_idx: np.ndarray,
                  val_p: np.ndarray) -> None:
    """The decision threshold of a just-fitted estimator (deep or baseline), from training data only.

    ``est.threshold_from == "inner"``: ``est.threshold_rule`` (Youden or F1) on the predictions
    ``val_p`` for the inner validation records ``val_idx`` (the split early stopping used).
    ``"oof"``: the same rule on cross-fitted out-of-fold predictions over the whole training part:
    it is cut into :data:`OOF_PARTS` patient-grouped, stratified parts, and each part is predicted
    by a clone fitted (with the inner rule) on the other parts, so every training positive counts.
    Sets ``threshold_``, ``threshold_positives_`` and ``threshold_warning_`` (None, or why the
    threshold is fragile: fewer than :data:`MIN_THRESHOLD_POSITIVES` positives).
    """
    if est.threshold_from == "inner":
        y_thr, p_thr = y[val_idx], val_p
    elif est.threshold_from == "oof":
        y_thr, p_thr = y, out_of_fold_probs(est, X, y, groups)
    else:
        raise ConfigError(f"unknown threshold_from {est.threshold_from!r}; use {' or '.join(THRESHOLD_FROM)}")
    est.threshold_ = choose_threshold(y_thr, p_thr, est.threshold_rule)
    est.threshold_positives_ = int(np.sum(y_thr))
    est.threshold_warning_ = None
    if est.threshold_positives_ < MIN_THRESHOLD_POSITIVES:
        est.threshold_warning_ = (f"threshold rests on {est.threshold_positives_} positives "
                                  f"(< {MIN_THRESHOLD_POSITIVES}; {est.threshold_from} rule)")


def out_of_fold_probs(est, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Positive-class probability of every record, each from a clone that never saw its patient."""
    n_parts = min(OOF_PARTS, int(y.sum()), int(len(y) - y.sum()))
    parts = grouped_folds(y.astype(int), groups, n_parts, est.seed)
    oof = np.empty(len(y))
    for k in range(n_parts):
        held = parts == k
        sub = clone(est).set_params(threshold_from="inner")
        sub.fit(X[~held], y[~held], groups=groups[~held])
        oof[held] = sub.predict_proba(X[held])[:, 1]
    return oof


# ------------------------------------------------------------------------------ the fit protocol
class ECGClassifier(ECGInputMixin, ClassifierMixin, BaseEstimator):
    """Base of the search's classifiers: ``fit(X, y, groups)``, ``predict_proba(X)`` on arrays
    ``(n, leads, T)``; binary ``y`` of any two labels (``classes_[1]`` is positive).

    Contract for subclasses (scikit-learn parameters in ``__init__``, among them ``fs``,
    ``normalization``, ``val_fraction``, ``threshold_rule``, ``threshold_from`` and ``seed``):

    - ``_fit(X, y, fit_idx, val_idx, epoch_callback)``: learn from ``X[fit_idx]`` (raw signals;
      ``self.preprocess_`` is already fitted on them), stop early or select on ``X[val_idx]``
      if it needs to, and return the positive-class probability of each ``val_idx`` record (the
      inner-rule threshold is chosen on them), or None for a multi-label ``y``. A model trained
      in epochs calls ``epoch_callback(epoch, metrics)`` after each (a pruner may raise there);
      others ignore it.
    - ``_predict_proba(X)``: P(positive) ``(n,)`` of checked raw signals, or ``(n, k)`` for k labels.
    - ``signal_filter`` (attribute or property): the filter fitted into ``preprocess_``.
    - ``accepts_multilabel``: True when ``y`` may be an (n, k) 0/1/NaN matrix (pretraining).
    - ``reads_batches``: True when ``_fit`` and ``_predict_proba`` also take a
      :class:`~benchmark.data.lazy.LazySignals` (records left in the store, read batch by batch):
      a fit on more than :data:`~benchmark.data.lazy.IN_MEMORY_BYTES` of signals then holds one
      batch, not its fold. Otherwise every input is read whole first.
    """

    signal_filter: str = "none"
    accepts_multilabel = False
    reads_batches = False

    def fit(self, X, y, groups=None, epoch_callback=None):
        """``X`` (n, leads, T) finite; ``y`` two classes (or a multi-label matrix where accepted);
        ``groups`` patient ids (default: one patient per record)."""
        X, self.classes_, y, groups = check_fit_input(X, y, groups, self, multilabel=self.accepts_multilabel)
        self.n_features_in_ = X.shape[1]
        fit_idx, val_idx = inner_split(_strata(y), groups, self.val_fraction, self.seed)
        self.inner_split_ = (fit_idx, val_idx)
        self.preprocess_ = Preprocess(self.fs, self.signal_filter, self.normalization).fit(X[fit_idx])
        val_p = self._fit(X, y, fit_idx, val_idx, epoch_callback)
        if y.ndim == 1:
            fit_threshold(self, X, y, groups, val_idx, val_p)
        else:  # multi-label pretraining heads: no decision threshold is searched
            self.threshold_, self.threshold_positives_, self.threshold_warning_ = 0.5, 0, None
        return self

    def _fit(self, X: np.ndarray, y: np.ndarray, fit_idx: np.ndarray, val_idx: np.ndarray,
             epoch_callback=None) -> np.ndarray | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict_proba(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_proba(self, X) -> np.ndarray:
        """(n, 2) for binary targets: P(``classes_[0]``), P(``classes_[1]``); (n, k) for multi-label."""
        check_fitted(self)
        p = self._predict_proba(check_X(X, self, fitted=True))
        return np.column_stack([1 - p, p]) if p.ndim == 1 else p

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where its probability reaches the threshold chosen on training data."""
        positive = self.predict_proba(X)[:, 1] >= self.threshold_  # checks fitted first
        return self.classes_[positive.astype(int)]
