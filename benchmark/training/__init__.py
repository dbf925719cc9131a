"""Training: one loop for everything, metrics, pretraining with a checkpoint cache, transfer."""
