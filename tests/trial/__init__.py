"""Tests of :mod:`benchmark.trial`."""
