"""How data steps grow with the cohort: a synthetic cohort of N records, each step in its own process.

    PYTHONPATH=. python scripts/bench_scale.py [--sizes 10000,30000] [--fs 100] [--pool 21837]
                                               [--steps store,validate,split,near,epoch] [--workdir DIR]

For each size N, a synthetic cohort (made-up ECG-like signals from ``tests/synthetic.py``, 100 Hz,
10 s, written once as WFDB in the ``--cohort DIR`` layout, 10 % positives, 2 records per patient)
is timed through:

- ``store``: building the signal store from WFDB (records/s);
- ``validate``: decoding and validating every record (content hashes + near-copy fingerprints);
- ``split``: the patient-grouped, stratified split (5 folds + locked test);
- ``near``: near-copy exclusion of a ``--pool``-record pretraining pool (21,837 = the full PTB-XL)
  against the cohort's fingerprints (the pool's fingerprints are random unit vectors of the same
  size: the cost is the matrix products, not their content);
- ``epoch``: one training epoch of resnet1d18 (width 16, 2.5 s crops, batch 64, AdamW) over all N
  records read in batches from the memory-mapped store (a plain loop, not the search's recipe).

Each step runs in a fresh process, so its peak RSS (``ru_maxrss``) is its own. Prints a Markdown table
with seconds, records/s, peak RSS and, for the larger sizes, the ratio of per-record cost to the
smallest size (1.0 = linear).

Measured 2026-12-01 on the shared 2-core machine (load average about 6, so times are noisy), 100 Hz,
after the numpy format-16 reader, streamed store writes and bounded near-copy blocks; 100,000 records
and 500 Hz were not run. ``epoch`` RSS includes the store pages the memmap touched (file-backed and
shared between workers, 48 KB a record):

| step | 10,000 records | 30,000 records | per-record cost 30k vs 10k | peak RSS 10k / 30k MB |
|---|---|---|---|---|
| store build | 10.1 s (990/s) | 36.5 s (822/s) | 1.20 | 202 / 229 |
| validate | 8.6 s | 35.1 s | 1.36 | 335 / 506 |
| split | 3.0 s | 10.4 s | 1.15 | 210 / 229 |
| near-copy vs 21,837 pool | 12.8 s | 27.4 s | 0.71 | 614 / 781 |
| one epoch (resnet1d18) | 159 s | 571 s | 1.19 | 968 / 1896 |
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

STEPS = ("store", "validate", "split", "near", "epoch")


def write_cohort(directory: Path, n: int, seed: int = 0) -> None:
    import numpy as np
    import pandas as pd

    from tests.synthetic import ecg, write_record

    if (directory / "labels.csv").is_file():
        return
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        positive = i % 10 == 0
        name = f"r{i:06d}"
        write_record(directory / "records" / f"{i // 1000:03d}", name, ecg(rng, positive))
        rows.append({"record": f"records/{i // 1000:03d}/{name}", "patient_id": f"p{i // 2}", "label": int(positive)})
    tmp = directory / "labels.csv.part"
    pd.DataFrame(rows).to_csv(tmp, index=False)
    tmp.replace(directory / "labels.csv")


def run_step(step: str, directory: Path, store_root: Path, pool: int) -> dict:
    import numpy as np

    from benchmark.data.cohorts import load_cohort

    cohort = load_cohort(directory, fs=100.0, store_root=store_root)
    n = len(cohort.table)
    start = time.perf_counter()
    if step == "store":
        cohort.with_signals()
    elif step == "validate":
        cohort.validate()
    elif step == "split":
        from benchmark.data.splits import make_split

        make_split(cohort.table, 5, 0.2, 0, cohort.manifest_hash)
    elif step == "near":
        from benchmark.data.duplicates import near_copies

        targets = cohort.validate().checked.fingerprints  # cached by the validate step
        start = time.perf_counter()
        rng = np.random.default_rng(0)
        candidates = rng.standard_normal((pool, targets.shape[1])).astype(np.float32)
        candidates /= np.linalg.norm(candidates, axis=1, keepdims=True)
        near_copies(candidates, targets)
    elif step == "epoch":
        import torch
        import torch.nn.functional as F

        from benchmark.models import create_model

        store = cohort.with_signals().store  # built by the store step
        start = time.perf_counter()
        torch.manual_seed(0)
        net = create_model("resnet1d18", width=16).train()
        opt = torch.optim.AdamW(net.parameters(), 1e-3)
        y_all = cohort.table.set_index("record_id")["label"]
        ids = list(store.index["record_id"])
        order = np.random.default_rng(0).permutation(len(ids))
        for b in range(0, len(ids), 64):
            batch = [ids[i] for i in order[b:b + 64]]
            x = torch.from_numpy(store.take(batch)[..., :250])
            y = torch.tensor(y_all.loc[batch].to_numpy(), dtype=torch.float32)
            loss = F.binary_cross_entropy_with_logits(net(x).reshape(-1), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": step, "n": n, "seconds": seconds, "rss_mb": rss_mb}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,30000")
    p.add_argument("--steps", default=",".join(STEPS))
    p.add_argument("--pool", type=int, default=21837)
    p.add_argument("--workdir", default="/tmp/ecg-bench-scale")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: STEP:N in this process
    args = p.parse_args(argv)
    work = Path(args.workdir)
    if args.one:
        step, n = args.one.split(":")
        print(json.dumps(run_step(step, work / f"cohort-{n}", work / f"store-{n}", args.pool)))
        return
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        start = time.perf_counter()
        write_cohort(work / f"cohort-{n}", n)
        print(f"cohort of {n} records ready ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        for step in args.steps.split(","):
            out = subprocess.run([sys.executable, __file__, "--one", f"{step}:{n}", "--workdir", str(work),
                                  "--pool", str(args.pool)], capture_output=True, text=True)
            if out.returncode:
                sys.exit(f"{step} at {n}: {out.stderr.strip().splitlines()[-1]}")
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), file=sys.stderr)
    print("| step | records | seconds | records/s | peak RSS MB | per-record cost vs smallest |")
    print("|---|---|---|---|---|---|")
    base = {}
    for r in results:
        per = r["seconds"] / r["n"]
        base.setdefault(r["step"], per)
        print(f"| {r['step']} | {r['n']} | {r['seconds']:.2f} | {r['n'] / max(r['seconds'], 1e-9):.0f} | "
              f"{r['rss_mb']:.0f} | {per / base[r['step']]:.2f} |")


if __name__ == "__main__":
    main()
