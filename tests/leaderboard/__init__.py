"""Tests of :mod:`benchmark.leaderboard`."""
