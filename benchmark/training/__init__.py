"""Training: the one loop (and its :class:`~benchmark.training.loop.Recipe`), metrics, cost
measurements and transfer. What orchestrates them over folds and pretraining sources lives beside
the objective (:mod:`benchmark.trial.cv`, :mod:`benchmark.trial.pretraining`)."""
