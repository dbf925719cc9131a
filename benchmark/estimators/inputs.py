"""Input checks at the public boundary of the estimators (scikit-learn conventions, one place).

``fit``/``predict_proba`` of :class:`~benchmark.estimators.deep.DeepClassifier` and the baselines call
these and then trust their input: ``X`` is a finite 3-D array (records, leads, samples), ``y`` has one
label per record and exactly two classes (any two sortable values: ``{0, 1}``, ``{1, 2}``,
``{"neg", "pos"}``; the second in sorted order is the positive class, as in scikit-learn).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from benchmark.data import lazy
from benchmark.data.lazy import LazySignals


class ECGInputMixin:
    """Declares, as scikit-learn tags, what the estimators accept: 3-D arrays (records, leads,
    samples), not 2-D tables; a binary target (two classes of any labels), not multi-class."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # two_d_array stays True although 2-D input is refused: with it False, scikit-learn's
        # check_estimator skips every check but cloning (tests/estimators/test_sklearn_conventions.py)
        tags.input_tags.three_d_array = True
        tags.classifier_tags.multi_class = False
        return tags


def as_input(X, estimator):
    """``X`` as ``estimator`` reads it: a :class:`~benchmark.data.lazy.LazySignals` stays in the store
    only when it is larger than :data:`~benchmark.data.lazy.IN_MEMORY_BYTES` and the estimator
    reads batches (``reads_batches``: the deep models); otherwise it is read whole, as any array."""
    if isinstance(X, LazySignals) and not (getattr(estimator, "reads_batches", False) and X.nbytes > lazy.IN_MEMORY_BYTES):
        return np.asarray(X)
    return X


def check_X(X, estimator, fitted: bool = False) -> np.ndarray | LazySignals:
    """``X`` as a float32 array of shape (n, leads, T), or a large LazySignals left lazy
    (:func:`as_input`); a 2-D table, NaN/inf or (once fitted) another lead count is a
    ``ValueError`` that says so."""
    name = type(estimator).__name__
    X = as_input(X, estimator)
    if isinstance(X, LazySignals):
        return _check_lazy(X, estimator, fitted)
    if issparse(X):
        raise TypeError(f"{name}: sparse input is not supported; X must be a dense 3-D array (records, leads, samples)")
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise ValueError(f"{name}: Complex data not supported; X must be real")
    if X.ndim != 3:
        raise ValueError(f"{name}: X must be a 3-D array (records, leads, samples); got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name}: X has 0 records")
    try:
        X = X.astype(np.float32, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: X must be numeric ({exc})") from exc
    return _check_records(X, np.flatnonzero(~np.isfinite(X).all(axis=(1, 2))), estimator, fitted)


def _check_lazy(X: LazySignals, estimator, fitted: bool) -> LazySignals:
    """:func:`check_X` for records read block by block (the store holds 3-D float32 already)."""
    if len(X) == 0:
        raise ValueError(f"{type(estimator).__name__}: X has 0 records")
    return _check_records(X, X.non_finite_records(), estimator, fitted)


def _check_records(X, bad: np.ndarray, estimator, fitted: bool):
    """The checks an array and a LazySignals share: no record with NaN/inf (positions ``bad``) and,
    once fitted, the lead count of the fit."""
    name = type(estimator).__name__
    if len(bad):
        raise ValueError(f"{name}: X contains NaN or inf (records {bad[:5].tolist()}…); clean or drop them first")
    if fitted and X.shape[1] != estimator.n_features_in_:
        raise ValueError(f"{name}: X has {X.shape[1]} leads, but the estimator was fitted on {estimator.n_features_in_}")
    return X


def check_fit_input(X, y, groups, estimator, multilabel: bool = False):
    """(X, classes, y, groups) for ``fit``: ``y`` is checked first (so that a one-class or continuous
    target is named as such), then ``X``, then that ``X``, ``y`` and ``groups`` have one entry per record.

    A binary ``y`` comes back as 0/1 floats with ``classes`` its two sorted labels; with
    ``multilabel``, a 2-D ``y`` (records, labels) of 0/1 and NaN (unknown) passes as it is."""
    name = type(estimator).__name__
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if multilabel and y.ndim == 2:
        classes, y = np.array([0, 1]), y.astype(np.float32)
    else:
        classes, y = _binary(y, name)
    X = check_X(X, estimator)
    if len(y) != len(X):
        raise ValueError(f"{name}: X has {len(X)} records but y has {len(y)} labels")
    if groups is None:
        groups = np.arange(len(X))
    groups = np.asarray(groups)
    if len(groups) != len(X):
        raise ValueError(f"{name}: X has {len(X)} records but groups has {len(groups)}")
    return X, classes, y, groups


def _binary(y: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    if y.ndim != 1:
        raise ValueError(f"{name}: y must be 1-D (one label per record); got shape {y.shape}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{name}: y contains NaN or inf")
    check_classification_targets(y)  # a continuous y: "Unknown label type: continuous ..."
    classes, y01 = np.unique(y, return_inverse=True)
    if len(classes) != 2:
        raise ValueError(f"{name}: Only binary classification is supported: y must hold exactly two classes; got {len(classes)} class(es): "
                         f"{classes[:5].tolist()}")
    return classes, y01.astype(np.float32)


def check_fitted(estimator) -> None:
    """``NotFittedError`` (scikit-learn's) before ``fit``."""
    check_is_fitted(estimator, "threshold_")
