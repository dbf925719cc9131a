"""How data steps grow with the cohort: a synthetic cohort of N records, each step in its own process.

    PYTHONPATH=. python scripts/bench_scale.py [--sizes 10000,30000] [--fs 100] [--pool 21837]
        [--steps store,open4,validate,split,near,search4,epoch] [--workdir DIR] [--json FILE]
        [--search-model resnet1d18] [--search-trials 4] [--search-seconds 300] [--search-cap-mb 8000]
    PYTHONPATH=. python scripts/bench_scale.py --sizes 21837 --steps store,pretrain   # one pretraining run

For each size N, a synthetic cohort (made-up ECG-like signals from ``tests/synthetic.py`` at
``--fs``, 10 s, written once as WFDB in the ``--cohort DIR`` layout, 10 % positives, 2 records per
patient; writing it is not a step) is timed through:

- ``store``: building the signal store from WFDB (records/s; the old entry is deleted first);
- ``open4``: 4 processes open the store at once as search workers do (key, checksum pass, memmap)
  and read every record through it; their RSS, and the summed PSS and USS from
  ``/proc/<pid>/smaps_rollup`` while all 4 hold it (memory-mapped and shared: the PSS sum is one
  store plus 4 interpreters, the USS sum holds no store);
- ``validate``: decoding and validating every record (content hashes + near-copy fingerprints);
- ``split``: the patient-grouped, stratified split (5 folds + locked test);
- ``near``: near-copy exclusion of a ``--pool``-record pretraining pool (21,837 = the full PTB-XL)
  against the cohort's fingerprints (the pool's fingerprints are random unit vectors of the same
  size: the cost is the matrix products, not their content);
- ``search4``: a real ``python -m benchmark.search --cohort DIR --n-workers 4 --budget smoke
  --models M --ablation-families 0`` (its cohort check, split and dev store made first, untimed),
  its whole process tree sampled every 0.5 s: the peak of the summed PSS and the largest RSS; it is
  stopped after ``--search-seconds`` or once the summed PSS passes ``--search-cap-mb``;
- ``epoch``: one training epoch of resnet1d18 (width 16, 2.5 s crops, batch 64, AdamW) over all N
  records read in batches from the memory-mapped store (a plain loop, not the search's recipe);
- ``pretrain`` (only when named): one pretraining run as the search makes it
  (``benchmark.trial.pretraining.run_pretraining``, the small budget's 5 epochs, resnet1d18 width 16,
  2.5 s crops, batch 64) on the cohort taken as a 5-label pool.

Each step runs in a fresh process, so its peak RSS (``ru_maxrss``: anonymous and file-backed pages,
a memmap's included) is its own. Prints a Markdown table with seconds, records/s, peak RSS and the
ratio of per-record cost to the smallest size (1.0 = linear).

Measured 2026-12-01 on the shared 2-core AMD EPYC (another developer's test suite ran at times):
every cell carries the 1-minute load average at its end in brackets; above 2 the 2 cores were
shared (the store, open, validate, split and search rows: times noisy), near and epoch were
measured again on a quieter machine. Memory does not depend on load. Per cell: seconds, records/s,
peak RSS.

| step | 10,000 (100 Hz) | 30,000 | 100,000 | per-record cost 30k / 100k vs 10k | 10,000 at 500 Hz |
|---|---|---|---|---|---|
| store build | 15.7 s, 637/s, 203 MB (2.6) | 48.1 s, 624/s, 230 MB (3.2) | 188 s, 532/s, 295 MB (2.3) | 1.02 / 1.20 | 25.3 s, 396/s, 203 MB (2.8); 19.8 s, 505/s (1.6); WFDB in the page cache: 12.2 s, 822/s and 10.1 s, 993/s (0.8-0.9) |
| open from 4 workers (slowest open) | 7.9 s (3.5) | 22.9 s (4.2) | 76.4 s (4.7) | 0.97 / 0.97 | 9.5 s (3.4) |
| - RSS each / PSS sum / USS sum | 650 / 965 / 468 MB | 1,590 / 1,976 / 564 MB | 4,812 / 5,252 / 630 MB | | 2,482 / 2,797 / 469 MB |
| - store size | 458 MB | 1,373 MB | 4,578 MB | | 2,289 MB |
| validate | 8.5 s, 263 MB (3.5) | 18.2 s, 279 MB (3.6) | 69.9 s, 332 MB (3.4) | 0.71 / 0.82 | 13.9 s, 494 MB (3.3) |
| split | 1.9 s, 210 MB (2.8) | 5.6 s, 230 MB (2.7) | 22.4 s, 284 MB (2.7) | 0.96 / 1.15 | 1.8 s, 211 MB (3.3) |
| near-copy vs 21,837 pool | 4.7 s, 591 MB (1.4) | 9.6 s, 698 MB (1.4) | 35.3 s, 980 MB (1.5) | 0.69 / 0.76 | 5.0 s, 591 MB (1.4) |
| 4-worker search, resnet1d18: peak PSS sum / max RSS (fits read batches, 2026-12-01 later) | 3,512 / 1,460 MB (400 s; 3.4) | 4,367 / 2,134 MB (400 s; 4.2) | **7,007** / 4,147 MB (900 s; 5.0) | | 5,644 / 3,407 MB (400 s; 4.8) |
| - the same, before: each worker held copies of its fold | >= 6,626 / 2,611 MB (stopped at 300 s; 5.5) | > 8,000 / 3,019 MB (passed 8 GB at 95 s; 5.0) | > 8,000 / 4,154 MB (passed 8 GB at 91 s; 4.2) | | > 8,000 / 3,138 MB (passed 8 GB at 59 s; 4.7) |
| one epoch (resnet1d18) | 13.0 s, 965 MB (1.7) | 33.9 s, 1,897 MB (1.8) | 124 s, 5,143 MB (2.0) | 0.87 / 0.95 | 37.2 s, 2,914 MB (1.8) |

The epoch's RSS is mostly the store's file-backed pages it read (shared, reclaimable): its anonymous
memory at the end was 335 / 360 / 400 MB. The same 10,000-record epoch took 161 s at load 3.7 (an
earlier run): torch's 2 threads slow down far more than the load suggests when the 2 cores are
shared, so a time taken under load overstates the cost on a quiet machine.

The 4-worker search's summed PSS counts the dev store's pages once (file-backed, shared by the 4
workers; the dev store is 3.8 GB on disk at 100,000 records): in a sample of the tree taken every
15 s beside the benchmark's own, the largest (6,988 MB) held 3,439 MB of anonymous memory of the 4
workers and the parent; the rest were store pages. In the 900 s at
100,000 records one trial finished its 3 folds and another one fold, so the peak (at 777 s) covers
training, validation and the held-out predictions. Before, every worker materialised its fold
(``CohortData.X`` -> ``SignalStore.take``) and the fit protocol copied it again
(``Preprocess.transform``, ``Xp[fit_idx]``, ``Xp[val_idx]``), so 8 GB passed at 30,000 records. Now
a fold larger than ``benchmark.data.lazy.IN_MEMORY_BYTES`` (64 MiB) stays in the memmap and each
batch is read and preprocessed when the loop needs it (``benchmark.data.lazy.LazySignals``,
``benchmark.training.records.Records``); a smaller fold is read whole as before (at 10,000 records
the fold was just under the first limit tried, 256 MiB: 6,732 MB peak, which is why it is 64 MiB).
Streaming costs 1.03x (z-score) to 1.08x (band-pass at 500 Hz) of the time of preprocessing once
(``scripts/bench_train.py --streamed``). The sktime baselines still read their input whole: the
4-worker minirocket search on 10,000 records (``--search-model minirocket``, 600 s, before this
change) peaked at 8,340 MB summed PSS, 2,432 MB max RSS (load 6.1), without finishing its 4 trials.
One pretraining run (``--sizes 21837 --steps store,pretrain``: a synthetic 21,837-record pool at
100 Hz, the size of PTB-XL, 5 epochs): 112.3 s, peak RSS 1,772 MB, of which 385 MB anonymous at its
end and the rest the pool's store pages (load 1.8). Before the pool stayed in its store: 126.9 s,
peak RSS 4,593 MB (load 1.9).
Fixed here (before -> after, same machine): the split marked the locked-test records with
``np.isin`` over object arrays, quadratic (100,000: 40.3 s, per-record 1.54x of 10,000 -> 22.4 s,
1.15x); ``SignalStore.take`` rebuilt its id -> row map from the whole index on every call (a batch
of 64 from 100,000 records: 36.2 ms -> 1.1 ms); the cohort check's fingerprints (4 KB a record)
were held in RAM by every process and copied whole again by the near-copy search (near at 100,000:
peak RSS 1,325 -> 980 MB, 36.3 -> 35.3 s; about 400 MB of the 980 are now the shared, file-backed memmap;
validate at 10,000: 336 -> 263 MB); the format-16 reader did its arithmetic on the interleaved view
(500 Hz store build of 10,000 records, WFDB in the page cache, runs alternated: 15.8 s and 13.8 s
-> 12.2 s and 10.1 s). The 500 Hz build meets 300 records/s from a cold page cache too (396-505/s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

STEPS = ("store", "open4", "validate", "split", "near", "search4", "epoch")
OPTIONAL = ("pretrain",)  # run only when named: the cohort is then the pretraining pool


def write_cohort(directory: Path, n: int, fs: float = 100.0, seed: int = 0) -> None:
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
        write_record(directory / "records" / f"{i // 1000:03d}", name, ecg(rng, positive, fs), fs)
        rows.append({"record": f"records/{i // 1000:03d}/{name}", "patient_id": f"p{i // 2}", "label": int(positive)})
    tmp = directory / "labels.csv.part"
    pd.DataFrame(rows).to_csv(tmp, index=False)
    tmp.replace(directory / "labels.csv")


def tag(n: int, fs: float) -> str:
    return f"{n}" if fs == 100 else f"{n}-{int(fs)}hz"


def rollup(pid: int) -> dict[str, int]:
    """``/proc/<pid>/smaps_rollup`` in kB (Rss, Pss, Shared_Clean, Private_Clean, Private_Dirty, ...)."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def tree(root: int) -> list[int]:
    """``root`` and every live descendant (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def open_worker(directory: Path, fs: float, store_root: Path) -> None:
    """One of the ``open4`` processes: open the store as a search worker does, read every record
    through the memmap (as many epochs would), say so, and wait until told to exit."""
    import numpy as np

    from benchmark.data.cohorts import load_cohort

    start = time.perf_counter()
    store = load_cohort(directory, fs=fs, store_root=store_root).with_signals().store
    opened = time.perf_counter() - start
    total = 0.0
    for b in range(0, len(store.signals), 1024):
        total += float(np.asarray(store.signals[b:b + 1024, :, ::64]).sum())  # touches every page
    print(json.dumps({"open_seconds": opened, "memmap": isinstance(store.signals, np.memmap),
                      "store_mb": store.signals.nbytes / 2**20, "checksum": total}), flush=True)
    sys.stdin.readline()


def step_open4(directory: Path, fs: float, store_root: Path) -> dict:
    """4 processes open the store at once and read all of it; their RSS and smaps (PSS, USS) are
    taken while all 4 hold it."""
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, __file__, "--open-worker", str(directory), "--fs", str(fs),
                               "--store-root", str(store_root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) for _ in range(4)]
    reports = [json.loads(p.stdout.readline()) for p in procs]
    seconds = time.perf_counter() - start
    smaps = [rollup(p.pid) for p in procs]
    for p in procs:
        p.stdin.write("\n")
        p.stdin.flush()
    for p in procs:
        p.wait()
    uss = [m["Private_Clean"] + m["Private_Dirty"] for m in smaps]
    return {"seconds": seconds, "open_seconds": max(r["open_seconds"] for r in reports),
            "memmap": all(r["memmap"] for r in reports), "store_mb": reports[0]["store_mb"],
            "rss_each_mb": [round(m["Rss"] / 1024) for m in smaps], "shared_mb": [round(m["Shared_Clean"] / 1024) for m in smaps],
            "pss_sum_mb": sum(m["Pss"] for m in smaps) / 1024, "uss_sum_mb": sum(uss) / 1024,
            "rss_mb": max(m["Rss"] for m in smaps) / 1024}


def search_argv(directory: Path, fs: float, results: Path, trials: int, model: str) -> list[str]:
    return ["--cohort", str(directory), "--fs", f"{fs:g}", "--results-dir", str(results), "--budget", "smoke",
            "--trials", str(trials), "--models", model, "--ablation-families", "0", "--n-workers", "4"]


def step_search4(directory: Path, fs: float, work: Path, cache: Path, trials: int, model: str,
                 cap_seconds: float, cap_pss_mb: float) -> dict:
    """A real 4-worker search (``python -m benchmark.search``), its whole process tree sampled every
    0.5 s (summed PSS, largest RSS). Its cohort check, split and dev store are prepared first by the
    same code (untimed), so the figures are those of the search itself. Stopped (SIGTERM to its
    process group) after ``cap_seconds`` or when the summed PSS passes ``cap_pss_mb``."""
    import shutil

    from benchmark.study.budgets import get_budget
    from benchmark.cli.experiment import load_experiment_data
    from benchmark.search import build_parser

    results = work / f"results-{directory.name}"
    shutil.rmtree(results, ignore_errors=True)
    argv = search_argv(directory, fs, results, trials, model)
    env = {**os.environ, "ECG_BENCH_CACHE": str(cache)}
    os.environ["ECG_BENCH_CACHE"] = str(cache)
    args = build_parser().parse_args(argv)
    budget = get_budget(args.budget)
    data = load_experiment_data(args, folds=budget.folds, repeats=budget.repeats)
    data.cohort.with_signals(data.split.dev_ids())  # the dev store the search opens
    del data
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmark.search", *argv], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_pss = peak_rss = peak_at = 0.0
    most = 0
    stopped = ""
    while proc.poll() is None:
        pss = rss = 0
        pids = tree(proc.pid)
        for pid in pids:
            try:
                m = rollup(pid)
            except OSError:
                continue
            pss += m.get("Pss", 0)
            rss = max(rss, m.get("Rss", 0))
        most = max(most, len(pids))
        if pss > peak_pss:
            peak_pss, peak_at = pss, time.perf_counter() - start
        peak_rss = max(peak_rss, rss)
        elapsed = time.perf_counter() - start
        if not stopped and (elapsed > cap_seconds or pss / 1024 > cap_pss_mb):
            stopped = (f"stopped at {elapsed:.0f} s" if elapsed > cap_seconds
                       else f"stopped: summed PSS {pss / 1024:.0f} MB > cap {cap_pss_mb:.0f} MB")
            os.killpg(proc.pid, signal.SIGTERM)
        time.sleep(0.5)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done = [line for line in out.splitlines() if line.startswith("study ")]
    return {"seconds": seconds, "pss_peak_mb": peak_pss / 1024, "rss_mb": peak_rss / 1024, "peak_at_s": peak_at,
            "processes": most, "stopped": stopped, "returncode": proc.returncode,
            "summary": done[-1] if done else err.strip().splitlines()[-1:]}


def step_pretrain(cohort) -> dict:
    """One pretraining run as the search makes it (``benchmark.trial.pretraining.run_pretraining``): the
    small budget's pretraining epochs, resnet1d18 width 16 with 2.5 s crops and batch 64 (the
    study's ResNet anchor), on the cohort taken as a 5-label pool (its label and 4 random ones)."""
    import numpy as np

    from benchmark.study.budgets import get_budget
    from benchmark.trial.pretraining import PretrainSpec, run_pretraining

    pool = cohort.with_signals()  # built by the store step
    start = time.perf_counter()
    X = pool.signals()  # left in the store, as PretrainingData.load gives it
    rng = np.random.default_rng(0)
    Y = np.column_stack([pool.y(), (rng.random((len(X), 4)) < 0.2)]).astype(np.float32)
    spec = PretrainSpec(source="ptbxl", model="resnet1d18", model_kwargs={"width": 16}, fs=cohort.fs,
                        epochs=get_budget("small").pretrain_epochs, batch_size=64)
    payload = run_pretraining(spec, X, Y, pool.groups())
    return {"seconds": time.perf_counter() - start, "epochs": spec.epochs, "best_epoch": payload["best_epoch"]}


def run_step(step: str, directory: Path, fs: float, store_root: Path, pool: int, work: Path, opts) -> dict:
    import numpy as np

    from benchmark.data.cohorts import load_cohort

    cohort = load_cohort(directory, fs=fs, store_root=store_root)
    n = len(cohort.table)
    extra: dict = {}
    start = time.perf_counter()
    if step == "store":
        import shutil

        for old in store_root.glob(f"cohort-{int(fs)}hz-*"):  # a build, not an open
            if old.is_dir():
                shutil.rmtree(old)
        start = time.perf_counter()
        cohort.with_signals()
    elif step == "open4":
        extra = step_open4(directory, fs, store_root)
    elif step == "validate":
        for old in store_root.glob("*.checked.npz"):  # a check, not a cache hit
            old.unlink()
        start = time.perf_counter()
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
    elif step == "search4":
        extra = step_search4(directory, fs, work, store_root.parent, opts.search_trials, opts.search_model,
                             opts.search_seconds, opts.search_cap_mb)
    elif step == "pretrain":
        extra = step_pretrain(cohort)
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
        crop = int(round(2.5 * fs))
        for b in range(0, len(ids), 64):
            batch = [ids[i] for i in order[b:b + 64]]
            x = torch.from_numpy(store.take(batch)[..., :crop])
            y = torch.tensor(y_all.loc[batch].to_numpy(), dtype=torch.float32)
            loss = F.binary_cross_entropy_with_logits(net(x).reshape(-1), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    else:
        raise SystemExit(f"unknown step {step!r}; steps: {', '.join(STEPS + OPTIONAL)}")
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
    kinds = {k: int(status[k].split()[0]) / 1024 for k in ("RssAnon", "RssFile") if k in status}
    return {"step": step, "n": n, "fs": fs, "seconds": seconds, "rss_mb": rss_mb,
            "anon_end_mb": kinds.get("RssAnon"), "file_end_mb": kinds.get("RssFile"),
            "loadavg": open("/proc/loadavg").read().split()[0], **extra}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,30000")
    p.add_argument("--fs", type=float, default=100.0, help="the cohort's (and the store's) sampling rate")
    p.add_argument("--steps", default=",".join(STEPS))
    p.add_argument("--pool", type=int, default=21837)
    p.add_argument("--workdir", default="/tmp/ecg-bench-scale")
    p.add_argument("--search-model", default="resnet1d18")
    p.add_argument("--search-trials", type=int, default=4)
    p.add_argument("--search-seconds", type=float, default=300.0, help="search4: stop the search after this long")
    p.add_argument("--search-cap-mb", type=float, default=8000.0, help="search4: stop it above this summed PSS (the target)")
    p.add_argument("--json", default=None, help="append each step's result to this file (JSON lines)")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: STEP:N in this process
    p.add_argument("--open-worker", default=None, help=argparse.SUPPRESS)  # internal: one open4 process
    p.add_argument("--store-root", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    work = Path(args.workdir)
    if args.open_worker:
        open_worker(Path(args.open_worker), args.fs, Path(args.store_root))
        return
    if args.one:
        step, n = args.one.split(":")
        t = tag(int(n), args.fs)
        print(json.dumps(run_step(step, work / f"cohort-{t}", args.fs, work / f"cache-{t}" / "store", args.pool,
                                  work, args)))
        return
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        start = time.perf_counter()
        write_cohort(work / f"cohort-{tag(n, args.fs)}", n, args.fs)
        print(f"cohort of {n} records ready ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        for step in args.steps.split(","):
            out = subprocess.run([sys.executable, __file__, "--one", f"{step}:{n}", "--workdir", str(work),
                                  "--fs", str(args.fs), "--pool", str(args.pool), "--search-model", args.search_model,
                                  "--search-trials", str(args.search_trials), "--search-seconds",
                                  str(args.search_seconds), "--search-cap-mb", str(args.search_cap_mb)],
                                 capture_output=True, text=True)
            if out.returncode:
                sys.exit(f"{step} at {n}: {out.stderr.strip().splitlines()[-1]}")
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), file=sys.stderr)
            if args.json:
                with open(args.json, "a") as fh:
                    fh.write(json.dumps(results[-1]) + "\n")
    print_table(results)


def print_table(results: list[dict]) -> None:
    print("| step | records | Hz | seconds | records/s | peak RSS MB | summed PSS MB | per-record cost vs smallest | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    base = {}
    for r in results:
        per = r["seconds"] / r["n"]
        base.setdefault((r["step"], r["fs"]), per)
        pss = r.get("pss_sum_mb", r.get("pss_peak_mb"))
        print(f"| {r['step']} | {r['n']} | {r['fs']:g} | {r['seconds']:.2f} | {r['n'] / max(r['seconds'], 1e-9):.0f} | "
              f"{r['rss_mb']:.0f} | {'' if pss is None else f'{pss:.0f}'} | {per / base[(r['step'], r['fs'])]:.2f} | "
              f"{r['loadavg']} |")


if __name__ == "__main__":
    main()
