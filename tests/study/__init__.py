"""Tests of :mod:`benchmark.study`."""
