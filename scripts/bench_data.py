"""Cold load (WFDB -> signal store) vs warm read of the stand-in cohort, records per second.

    python scripts/bench_data.py [--repeats 5]

Cold: a fresh cache, so every record is parsed from WFDB, validated, resampled and stored.
Warm store read: what a trial does (open the store entry, read every record's signals).
Warm full load: ``load_target`` again (metadata + store open + read), what each worker does once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    from benchmark.data.cohorts import load_target
    from benchmark.data.locate import find_source_root
    from benchmark.data.sources import create_source
    from benchmark.data.store import open_store

    cold, warm_store, warm_full = [], [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache:
            os.environ["ECG_BENCH_CACHE"] = cache
            t = time.perf_counter()
            cohort = load_target("pe").with_signals()
            cohort.X()
            cold.append(time.perf_counter() - t)
            source = create_source("ptbxl", find_source_root("ptbxl"), fs=cohort.fs)
            for _ in range(5):
                t = time.perf_counter()
                store = open_store(source, cohort.table, cohort.fs, cohort.seconds)
                store.take(cohort.record_ids)
                warm_store.append(time.perf_counter() - t)
                t = time.perf_counter()
                load_target("pe").with_signals().X()
                warm_full.append(time.perf_counter() - t)
    n = len(cohort.table)
    table = Table(title=f"stand-in cohort: {n} records, 12 x {cohort.store.signals.shape[2]} at {cohort.fs:g} Hz")
    table.add_column("path")
    table.add_column("median s", justify="right")
    table.add_column("records/s", justify="right")
    table.add_column("vs cold", justify="right")
    c = statistics.median(cold)
    for name, times in (("cold: WFDB -> store", cold), ("warm: store read (per trial)", warm_store),
                        ("warm: full reload (per worker)", warm_full)):
        m = statistics.median(times)
        table.add_row(name, f"{m:.4f}", f"{n / m:,.0f}", f"{c / m:.1f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
