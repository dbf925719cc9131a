"""Tests of :mod:`benchmark.models`."""
