"""What every trial of a study shares: the typed configuration (:mod:`~benchmark.study.config`), the
joint space (:mod:`~benchmark.study.space`, assembled from :mod:`benchmark.study.spaces`), budgets,
the cost ceiling, the pruning fidelity, the ablation stage's cells and contrasts, the context and
the study's identity."""
