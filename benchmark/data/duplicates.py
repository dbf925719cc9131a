"""Near-copies of a recording across datasets: the same ECG re-written with another gain, offset,
file format or sampling rate is still the same patient's ECG, and must not be in a pretraining pool
beside its copy in the target cohort.

The **fingerprint** of a record is its lead II over the 10 s window, at a fixed
:data:`FINGERPRINT_FS`, first-differenced (which removes offset and baseline wander and weights the
QRS complexes), centred and scaled to unit norm. Two records are near-copies when their
fingerprints' correlation (a dot product) is at least :data:`NEAR_COPY_CORR`.

The threshold was measured on the local PTB-XL data (``scripts/bench_data.py --near-copies``):
copies re-encoded with another gain and offset, 16-bit quantised, and resampled through 250, 360
or 500 Hz with FFT, polyphase or linear interpolation correlate at 0.98 or more; among 300 x 349
unrelated records (stand-in cohort x PTB-XL pool) the highest correlation was 0.45. The threshold
sits between, far from both. A copy cropped at another start time is not caught (zero lag only).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import resample_poly

FINGERPRINT_FS = 100.0
FINGERPRINT_LEAD = 1  # lead II in the canonical order
NEAR_COPY_CORR = 0.9


def fingerprints(lead: np.ndarray, fs: float) -> np.ndarray:
    """Fingerprints (n, m) float32 of lead-II signals ``lead`` (n, samples) sampled at ``fs``."""
    x = np.asarray(lead, dtype=np.float64)
    if x.ndim == 1:
        x = x[None]
    if fs != FINGERPRINT_FS:
        from fractions import Fraction

        ratio = Fraction(FINGERPRINT_FS / fs).limit_denominator(1000)
        x = resample_poly(x, ratio.numerator, ratio.denominator, axis=1)
    x = np.diff(x, axis=1)
    x -= x.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    norm[norm == 0] = 1.0  # a flat lead matches nothing
    return (x / norm).astype(np.float32)


BLOCK_VALUES = 1 << 25  # correlations held at once (128 MB of float32), whatever the cohort's size
TARGET_ROWS = 4096  # target fingerprints read at once (16 MB at 100 Hz): the targets may be a memmap


def store_fingerprints(signals: np.ndarray, fs: float, chunk: int = 1024) -> np.ndarray:
    """Fingerprints of every record of a signal array (n, 12, T), e.g. a store's memmap, taken
    ``chunk`` records at a time: the lead is never copied whole at float64."""
    parts = [fingerprints(signals[start:start + chunk, FINGERPRINT_LEAD, :], fs)
             for start in range(0, len(signals), chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)


def near_copies(candidates: np.ndarray, targets: np.ndarray, threshold: float = NEAR_COPY_CORR,
                chunk: int | None = None) -> np.ndarray:
    """Boolean mask over ``candidates`` rows: a correlation of at least ``threshold`` with any row
    of ``targets`` (both fingerprint matrices). The targets are read :data:`TARGET_ROWS` rows at a
    time (a memory-mapped cohort check is never copied whole), and each is multiplied with
    ``chunk`` candidates at a time, so the block of correlations stays :data:`BLOCK_VALUES`."""
    hit = np.zeros(len(candidates), dtype=bool)
    if len(candidates) == 0 or len(targets) == 0:
        return hit
    rows = min(len(targets), TARGET_ROWS)
    if chunk is None:
        chunk = max(1, BLOCK_VALUES // rows)
    for first in range(0, len(targets), rows):
        block_t = np.ascontiguousarray(np.asarray(targets[first:first + rows], dtype=np.float32).T)
        for start in range(0, len(candidates), chunk):
            block = candidates[start:start + chunk] @ block_t
            hit[start:start + chunk] |= block.max(axis=1) >= threshold
    return hit
