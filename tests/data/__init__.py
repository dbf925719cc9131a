"""Tests of :mod:`benchmark.data`."""
