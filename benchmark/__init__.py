"""ecg-automl-bench: a leak-proof AutoML benchmark for small, imbalanced 12-lead ECG cohorts."""

from benchmark import isa as _isa

_isa.pin()  # before torch or numba is imported: CPU numbers re-derive on other x86-64 machines

__version__ = "0.4.0"
