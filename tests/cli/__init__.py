"""Tests of :mod:`benchmark.cli`."""
