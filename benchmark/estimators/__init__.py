"""Estimators: what the search fits on one fold, all under one leak-proof protocol.

- :mod:`~benchmark.estimators.base`: :class:`ECGClassifier`, the protocol (inner split by patient,
  preprocessing fitted on the inner fit part, threshold from training data only);
- :mod:`~benchmark.estimators.deep`: :class:`DeepClassifier`, a registered model and its recipe;
- :mod:`~benchmark.estimators.baselines`: the sktime baselines (with
  :mod:`~benchmark.estimators.rocket_torch`, their transforms on the study's device);
- :mod:`~benchmark.estimators.inputs`: input checks at the public boundary.
"""
