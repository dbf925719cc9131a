"""Engines drive the same space (:mod:`benchmark.space`) and objective (:mod:`benchmark.objective`)
under one contract (:mod:`benchmark.engines.base`) and write into one Optuna storage
(:mod:`benchmark.engines.study`), so one leaderboard reads them all."""
