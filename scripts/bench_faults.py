"""The cost of the fault checks (issue 13), measured, not assumed.

    python scripts/bench_faults.py [--gb 1.0] [--pool 21000]

1. Store verification on every open: xxh3-64 over ``signals.npy`` (page-cached), for the stand-in
   store and for a synthetic file of ``--gb`` GB (a 500 Hz cohort of a few thousand records), next
   to SHA-256 over the same bytes (what a cryptographic check would cost).
2. Cohort validation: decoding and checking every stand-in record once (cached afterwards).
3. Near-copy search: fingerprints of a ``--pool``-record pool (PTB-XL size by default, synthetic
   signals) and the correlation of every pool record with a 300-record cohort.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def _best(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--pool", type=int, default=21000)
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    from benchmark.data.cohorts import load_target
    from benchmark.data.duplicates import fingerprints, near_copies
    from benchmark.data.store import check_records, sha256_file, xxh3_file

    rows = []
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ECG_BENCH_CACHE"] = cache
        cohort = load_target("pe")
        t = time.perf_counter()
        check_records(cohort.source, cohort.table, cohort.fs, cohort.seconds)
        rows.append(("validate every stand-in record (first run)", f"{len(cohort.table)} records",
                     time.perf_counter() - t))
        t = time.perf_counter()
        check_records(cohort.source, cohort.table, cohort.fs, cohort.seconds)
        rows.append(("validate again (cached)", f"{len(cohort.table)} records", time.perf_counter() - t))
        sig = cohort.with_signals().store.path / "signals.npy"
        size = sig.stat().st_size / 1e6
        rows.append(("xxh3 of the stand-in store (every open)", f"{size:.1f} MB", _best(lambda: xxh3_file(sig))))
        rows.append(("sha256 of the stand-in store", f"{size:.1f} MB", _best(lambda: sha256_file(sig))))
        big = Path(cache) / "big.bin"
        with open(big, "wb") as fh:
            for _ in range(int(args.gb * 16)):
                fh.write(np.random.default_rng(0).bytes(1 << 26))
        gb = big.stat().st_size / 1e9
        rows.append((f"xxh3 of a {gb:.2f} GB store (page-cached)", f"{gb:.2f} GB", _best(lambda: xxh3_file(big))))
        rows.append((f"sha256 of a {gb:.2f} GB store", f"{gb:.2f} GB", _best(lambda: sha256_file(big), 1)))
    rng = np.random.default_rng(0)
    lead = rng.standard_normal((args.pool, 1000)).astype(np.float32)
    target = fingerprints(rng.standard_normal((300, 1000)), 100.0)
    t = time.perf_counter()
    pool = fingerprints(lead, 100.0)
    rows.append((f"fingerprints of {args.pool:,} pool records", "lead II, 10 s", time.perf_counter() - t))
    rows.append((f"correlate {args.pool:,} pool x 300 cohort records", "one matmul per 4096 rows",
                 _best(lambda: near_copies(pool, target))))
    table = Table(title="cost of the fault checks")
    for col in ("check", "size", "seconds"):
        table.add_column(col, justify="right" if col == "seconds" else "left")
    for name, size, seconds in rows:
        table.add_row(name, size, f"{seconds:.4f}")
    Console().print(table)


if __name__ == "__main__":
    main()
