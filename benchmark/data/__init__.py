"""Data: sources (one reader each), the signal store, splits, pretraining pools and downloads."""
