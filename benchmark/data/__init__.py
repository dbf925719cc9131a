"""Data: sources (one reader each), the signal store, splits, target cohorts, pretraining pools and downloads."""
