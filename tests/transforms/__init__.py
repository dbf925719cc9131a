"""Tests of :mod:`benchmark.transforms`."""
