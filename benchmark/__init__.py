"""ecg-automl-bench: a leak-proof AutoML benchmark for small, imbalanced 12-lead ECG cohorts."""

__version__ = "0.3.0"
