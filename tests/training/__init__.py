"""Tests of :mod:`benchmark.training`."""
