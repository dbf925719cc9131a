"""Engines drive the same space (:mod:`benchmark.study.space`) and objective (:mod:`benchmark.trial.objective`)
under one contract (:mod:`benchmark.engines.base`) and write into one Optuna storage
(:mod:`benchmark.engines.study`), so one leaderboard reads them all."""
