"""Tests of :mod:`benchmark.estimators`."""
