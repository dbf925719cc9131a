"""Tests of :mod:`benchmark.engines`."""
