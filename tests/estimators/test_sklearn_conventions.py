"""The estimators follow scikit-learn's conventions, checked by scikit-learn's own ``check_estimator``
and by the cases a user met: labels {1, 2} or strings, mismatched lengths, predict before fit, NaN."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import check_estimator

from benchmark.estimators.baselines import create_baseline, list_baselines
from benchmark.training.loop import Recipe
from benchmark.estimators.deep import DeepClassifier

TINY_BASELINE = {"minirocket": {"num_kernels": 84}, "multirocket": {"num_kernels": 84}, "rocket": {"num_kernels": 20},
                 "arsenal": {"num_kernels": 20, "n_estimators": 2}, "catch22_forest": {"n_estimators": 5}}


def tiny_deep(**kw) -> DeepClassifier:
    return DeepClassifier(model="vgg11_1d", model_kwargs={"width": 8}, recipe=Recipe(epochs=1, batch_size=16), **kw)


ESTIMATORS = [pytest.param(tiny_deep(), id="DeepClassifier")] + [
    pytest.param(create_baseline(name, **TINY_BASELINE[name]), id=name) for name in list_baselines()]

# scikit-learn's checks feed 2-D tables (samples, features); our estimators take 3-D arrays
# (records, leads, samples) and refuse a 2-D X with a ValueError. Every check below fails for that
# reason only (the test asserts that the 3-D refusal is the cause of each); all other checks pass.
EXPECTED_3D = {
    # fit on a 2-D X is refused, so the property the check looks at is never reached:
    "check_classifier_data_not_an_array": "fits a list-like 2-D X",
    "check_classifiers_classes": "fits 2-D X to compare classes_ with the labels",
    "check_classifiers_train": "fits 2-D blobs and expects a good score",
    "check_dict_unchanged": "fits 2-D X, then compares __dict__ around predict",
    "check_dont_overwrite_parameters": "fits 2-D X, then compares the parameters",
    "check_dtype_object": "fits a 2-D object-dtype X",
    "check_estimators_dtypes": "fits 2-D X of several dtypes",
    "check_estimators_empty_data_messages": "expects the message for a (n, 0) 2-D X",
    "check_estimators_fit_returns_self": "fits 2-D X",
    "check_estimators_nan_inf": "puts NaN in a 2-D X: refused for its shape before its NaN",
    "check_estimators_overwrite_params": "fits 2-D X, then compares the parameters",
    "check_estimators_pickle": "fits 2-D X, then pickles",
    "check_f_contiguous_array_estimator": "fits a Fortran-ordered 2-D X",
    "check_fit2d_1feature": "expects the message for a (n, 1) 2-D X",
    "check_fit2d_predict1d": "fits 2-D X, then predicts a 1-D X",
    "check_fit_check_is_fitted": "fits 2-D X",
    "check_fit_idempotent": "fits 2-D X twice",
    "check_fit_score_takes_y": "fits 2-D X",
    "check_methods_sample_order_invariance": "fits 2-D X",
    "check_methods_subset_invariance": "fits 2-D X",
    "check_n_features_in": "fits 2-D X, then reads n_features_in_",
    "check_n_features_in_after_fitting": "fits 2-D X, then predicts with another width",
    "check_pipeline_consistency": "fits 2-D X inside a Pipeline",
    "check_positive_only_tag_during_fit": "fits a 2-D X with negative values",
    "check_readonly_memmap_input": "fits a read-only memmapped 2-D X",
    "check_supervised_y_2d": "fits 2-D X with a column-vector y",
}


def _caused_by_3d_refusal(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, ValueError) and "must be a 3-D array" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_scikit_learn_check_estimator(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None, expected_failed_checks=EXPECTED_3D)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed
    xfailed = {r["check_name"]: r["exception"] for r in results if r["status"] == "xfail"}
    assert set(xfailed) == set(EXPECTED_3D)  # strict: each listed check really fails ...
    assert [name for name, exc in xfailed.items() if not _caused_by_3d_refusal(exc)] == []  # ... for the 3-D reason
    assert sum(r["status"] == "passed" for r in results) >= 20


def planted(n: int = 48, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noise with a bump on the positives: learnable by every estimator here."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 12, 250)).astype(np.float32)
    y = np.arange(n) % 3 == 0
    X[y, :, 100:120] += 3.0
    return X, y.astype(int)


def fitted_pair(make, labels):
    """The same estimator fitted on 0/1 and on ``labels`` mapped from 0/1."""
    X, y01 = planted()
    return X, make().fit(X, y01), make().fit(X, np.asarray(labels)[y01])


@pytest.mark.parametrize("labels", [[1, 2], ["neg", "pos"]], ids=["1-2", "strings"])
@pytest.mark.parametrize("make", [lambda: create_baseline("minirocket", num_kernels=84), tiny_deep], ids=["minirocket", "deep"])
def test_any_two_labels_are_classes(make, labels):
    X, plain, named = fitted_pair(make, labels)
    assert named.classes_.tolist() == labels
    np.testing.assert_allclose(named.predict_proba(X), plain.predict_proba(X), atol=1e-6)
    assert named.predict(X).tolist() == [labels[i] for i in plain.predict(X)]
    assert set(named.predict(X)) <= set(labels)


@pytest.mark.parametrize("make", [lambda: create_baseline("minirocket", num_kernels=84), tiny_deep], ids=["minirocket", "deep"])
def test_bad_fit_input_is_refused_with_a_clear_message(make):
    X, y = planted()
    with pytest.raises(ValueError, match="Only binary classification is supported.*got 1 class\\(es\\): \\[0\\]"):
        make().fit(X, np.zeros(len(X), dtype=int))
    with pytest.raises(ValueError, match="got 3 class\\(es\\): \\[0, 1, 2\\]"):
        make().fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match=f"X has {len(X)} records but y has {len(X) - 1} labels"):
        make().fit(X, y[:-1])
    with pytest.raises(ValueError, match=f"X has {len(X)} records but groups has 3"):
        make().fit(X, y, groups=[0, 1, 2])
    with pytest.raises(ValueError, match="must be a 3-D array .* got shape \\(48, 250\\)"):
        make().fit(X[:, 0], y)
    bad = X.copy()
    bad[3, 5, 7] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf \\(records \\[3\\]"):
        make().fit(bad, y)


@pytest.mark.parametrize("make", [lambda: create_baseline("minirocket", num_kernels=84), tiny_deep], ids=["minirocket", "deep"])
def test_fitted_state_and_prediction_input(make):
    X, y = planted()
    est = make()
    for method in (est.predict, est.predict_proba):
        with pytest.raises(NotFittedError):
            method(X)
    est.fit(X, y)
    assert est.n_features_in_ == 12
    with pytest.raises(ValueError, match="X has 6 leads, but the estimator was fitted on 12"):
        est.predict(X[:, :6])
    inf = X[:4].copy()
    inf[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        est.predict_proba(inf)


def test_classifier_is_not_taken_for_a_transformer():
    est = create_baseline("minirocket", num_kernels=84)
    assert "features" in est.get_params() and "transform" not in est.get_params()
    pipe = Pipeline([("clf", est)])
    assert not hasattr(pipe, "transform")  # was a TypeError: the str parameter looked like a method
    X, y = planted()
    assert pipe.fit(X, y).predict_proba(X).shape == (len(X), 2)


def test_rocket_parameter_count_includes_its_kernels():
    X, y = planted()
    for name in ("rocket", "minirocket", "multirocket"):
        est = create_baseline(name, **TINY_BASELINE[name]).fit(X, y)
        scaler, logistic = est.head_.steps[0][1], est.head_.steps[-1][1]
        head_only = logistic.coef_.size + logistic.intercept_.size + scaler.mean_.size + scaler.scale_.size
        assert est.n_parameters_ > head_only, name
    small = create_baseline("rocket", num_kernels=20).fit(X, y).n_parameters_
    large = create_baseline("rocket", num_kernels=40).fit(X, y).n_parameters_
    # each ROCKET kernel holds at least a bias, a dilation, a padding, a length and 7 weights, and adds 2 features
    assert large - small >= 20 * (4 + 7 + 2)
