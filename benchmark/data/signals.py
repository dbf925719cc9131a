"""Reading raw recordings and turning them into canonical arrays: 12 leads in one order, target fs.

Policy for bad signals (see README, "Bad input"): a NaN/inf sample, a flat lead, an unknown or
missing lead name, an unreadable or truncated file, or an unsupported sampling rate is a
:class:`~benchmark.errors.DataError` naming the file. The target cohort refuses such a record (the
whole load stops: silently dropping records would change the cohort); public pretraining pools drop
it, count it and list it in the store's metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from benchmark.errors import DataError

CANONICAL_LEADS: tuple[str, ...] = (
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
)
_LEAD_LOOKUP = {name.upper(): i for i, name in enumerate(CANONICAL_LEADS)}
MIN_FS, MAX_FS = 50.0, 10_000.0
FLAT_PTP_MV = 1e-6  # a lead whose peak-to-peak amplitude is below this is flat (no signal)


@dataclass
class Signal:
    """One decoded recording: ``data`` is (leads, samples) in mV."""

    data: np.ndarray
    fs: float
    leads: list[str]
    where: str  # the file this came from, for messages


_GAIN = re.compile(r"^([-+0-9.eE]+)(?:\(([-+0-9]+)\))?(?:/\S+)?$")


def read_format16(path: Path) -> Signal | None:
    """The common WFDB case read with numpy: one header, every signal in format 16 in one ``.dat``
    file, gains and lead names given (PTB-XL, MIMIC-IV-ECG). Gives what ``wfdb.rdrecord`` gives
    (physical = (digital - baseline) / gain, -32768 as NaN) at about a twentieth of its cost: wfdb
    parses each header field through pandas indexing (~80 ms a record under pandas 3). ``None``
    for anything else (other formats, skew, byte offsets, multi-segment, missing fields, a file of
    the wrong size): :func:`read_wfdb` then leaves it to wfdb, whose errors name the problem."""
    try:
        text = Path(str(path) + ".hea").read_text(errors="replace")
    except OSError:
        return None
    lines = [line.split() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines or len(lines[0]) < 4 or "/" in lines[0][0] or not lines[0][1].isdigit():
        return None
    n_sig = int(lines[0][1])
    try:
        fs, n_samples = float(lines[0][2]), int(lines[0][3])
    except ValueError:
        return None  # counter frequency (fs/counter), base counter value: wfdb's business
    signals = lines[1:1 + n_sig]
    if n_sig < 1 or len(signals) != n_sig or any(len(f) < 9 or f[1] != "16" for f in signals):
        return None
    if len({f[0] for f in signals}) != 1:
        return None
    gains, baselines = [], []
    for f in signals:
        match = _GAIN.match(f[2])
        if match is None or float(match.group(1)) == 0:
            return None
        gains.append(float(match.group(1)))
        baselines.append(int(match.group(2)) if match.group(2) is not None else int(f[4]))
    dat = path.parent / signals[0][0]
    try:
        raw = np.fromfile(dat, dtype="<i2")
    except OSError:
        return None
    if raw.size != n_sig * n_samples:
        return None
    # lead-major and contiguous before the arithmetic (the same operations, in place: the same values):
    # on the interleaved view every step strode across the file, 3x slower at 500 Hz
    digital = np.ascontiguousarray(raw.reshape(n_samples, n_sig).T)
    data = digital.astype(np.float64)
    data -= np.asarray(baselines, np.float64)[:, None]
    data /= np.asarray(gains)[:, None]
    invalid = digital == -32768
    if invalid.any():
        data[invalid] = np.nan
    return Signal(data, fs, [" ".join(f[8:]) for f in signals], str(path) + ".hea")


def read_wfdb(path: Path) -> Signal:
    """Read a WFDB record (``path`` without extension); any failure names the file."""
    fast = read_format16(Path(path))
    if fast is not None:
        return fast
    import wfdb

    where = str(path) + ".hea"
    try:
        record = wfdb.rdrecord(str(path))
    except FileNotFoundError as exc:
        raise DataError(f"{exc.filename or where}: file not found") from exc
    except Exception as exc:  # wfdb raises many types for corrupt headers and signals
        kind = "corrupt or truncated WFDB record"
        raise DataError(f"{where}: {kind} ({type(exc).__name__}: {exc})") from exc
    if record.p_signal is None:
        raise DataError(f"{where}: WFDB record has no physical signal")
    return Signal(np.asarray(record.p_signal, dtype=np.float64).T, float(record.fs),
                  list(record.sig_name or []), where)


def read_cpsc_mat(path: Path, fs: float = 500.0, gain: float = 1000.0) -> Signal:
    """Read an original CPSC2018 MATLAB file (struct ``ECG`` with ``data`` 12×N, 1000/mV)."""
    from scipy.io import loadmat

    where = str(path)
    try:
        mat = loadmat(str(path), struct_as_record=False, squeeze_me=True)
        data = np.asarray(mat["ECG"].data, dtype=np.float64)
    except FileNotFoundError as exc:
        raise DataError(f"{where}: file not found") from exc
    except Exception as exc:
        raise DataError(f"{where}: not a readable CPSC2018 .mat file ({type(exc).__name__})") from exc
    if data.ndim != 2 or data.shape[0] != 12:
        raise DataError(f"{where}: expected ECG.data of shape (12, N), got {data.shape}")
    return Signal(data / gain, fs, list(CANONICAL_LEADS), where)


def lead_order(names: list[str], where: str) -> list[int]:
    """Indices that put ``names`` into :data:`CANONICAL_LEADS` order (case-insensitive)."""
    index: dict[int, int] = {}
    for i, name in enumerate(names):
        key = str(name).strip().upper()
        if key not in _LEAD_LOOKUP:
            raise DataError(f"{where}: unknown lead name {name!r} (expected {', '.join(CANONICAL_LEADS)})")
        canonical = _LEAD_LOOKUP[key]
        if canonical in index:
            raise DataError(f"{where}: lead {name!r} appears twice")
        index[canonical] = i
    missing = [CANONICAL_LEADS[i] for i in range(12) if i not in index]
    if missing:
        raise DataError(f"{where}: missing leads {', '.join(missing)}")
    return [index[i] for i in range(12)]


def check_fs(fs: float, target_fs: float, where: str) -> tuple[int, int]:
    """Up/down factors for polyphase resampling; refuse rates we cannot honestly use."""
    if not np.isfinite(fs) or fs < MIN_FS or fs > MAX_FS:
        raise DataError(f"{where}: unsupported sampling rate {fs} Hz (supported {MIN_FS:g}-{MAX_FS:g} Hz)")
    if fs < target_fs:
        raise DataError(
            f"{where}: sampling rate {fs:g} Hz is below the task's {target_fs:g} Hz; "
            "upsampling invents no information: choose --fs at or below it"
        )
    ratio = Fraction(target_fs / fs).limit_denominator(1000)
    return ratio.numerator, ratio.denominator


def canonicalize(signal: Signal, target_fs: float, n_samples: int, allow_flat: bool = False) -> tuple[np.ndarray, int]:
    """Reorder leads, validate, resample and fit to ``n_samples``.

    A flat lead is refused unless ``allow_flat`` (for reading a file as it is, e.g. to inspect it).

    Returns the float32 array (12, n_samples) and the number of valid (non-padding) samples.
    Longer recordings keep their first ``n_samples``; shorter ones are zero-padded at the end.
    """
    where = signal.where
    data = signal.data
    if data.ndim != 2 or data.shape[1] == 0:
        raise DataError(f"{where}: empty signal")
    order = lead_order(signal.leads, where)
    if data.shape[0] != len(order) or order != list(range(len(order))):  # already canonical: no copy
        data = data[order]
    if not np.isfinite(data).all():
        bad = ~np.isfinite(data)
        lead = CANONICAL_LEADS[int(np.nonzero(bad.any(axis=1))[0][0])]
        raise DataError(f"{where}: {int(bad.sum())} NaN/inf samples (first in lead {lead})")
    ptp = np.ptp(data, axis=1)
    if not allow_flat and (ptp < FLAT_PTP_MV).any():
        flat = [CANONICAL_LEADS[i] for i in np.nonzero(ptp < FLAT_PTP_MV)[0]]
        raise DataError(f"{where}: flat lead(s) {', '.join(flat)} (no signal)")
    up, down = check_fs(signal.fs, target_fs, where)
    if (up, down) != (1, 1):
        data = resample_poly(data, up, down, axis=1)
    valid = min(data.shape[1], n_samples)
    out = np.zeros((12, n_samples), dtype=np.float32)
    out[:, :valid] = data[:, :valid]
    return out, valid
