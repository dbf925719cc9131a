"""One configuration to its fold rows and predictions: the engine-agnostic objective
(:mod:`~benchmark.trial.objective`), cross-validation (:mod:`~benchmark.trial.cv`), pretraining
(:mod:`~benchmark.trial.pretraining`), stored predictions (:mod:`~benchmark.trial.predictions`) and
the pinned instruction-set level (:mod:`~benchmark.trial.isa`). Importing it imports nothing heavy."""
