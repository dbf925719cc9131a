"""Engines drive the same space (:mod:`benchmark.space`) and objective (:mod:`benchmark.objective`)
and write into one Optuna storage, so one leaderboard reads them all."""
