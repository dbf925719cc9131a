"""Rocket transform speed: sktime's numba transform against the PyTorch one
(``benchmark.estimators.rocket_torch``), per transform, at the budgets' kernel counts, on the same fitted
parameters, with the largest feature difference between the two.

    python scripts/bench_rocket.py [--device cpu|cuda] [--records 32] [--length 1000] [--threads 2]
                                   [--sizes small,full]

Records are real-looking random walks (12 leads); sktime is fitted once per row (its fit is the
one both transforms use) and each transform is timed once after a warm-up on 2 records (numba
compilation, CUDA kernels). ``--device cuda`` adds a column for the torch transform on the GPU.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

SIZES = {"small": {"minirocket": 5000, "multirocket": 1000},  # benchmark.study.budgets: small's overrides
         "full": {"minirocket": 10_000, "multirocket": 6250}}  # full: the baselines' defaults


def _timed(fn) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    out = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:i]: adds the GPU column")
    parser.add_argument("--records", type=int, default=32)
    parser.add_argument("--length", type=int, default=1000, help="samples per record (1000: 10 s at 100 Hz)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sizes", default="small,full")
    parser.add_argument("--skip-torch-cpu", action="store_true", help="time the torch transform on the GPU only")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device is available on this machine")
    torch.set_num_threads(args.threads)
    import numba
    from rich.console import Console
    from rich.table import Table
    from sktime.transformations.panel import rocket

    from benchmark.estimators import rocket_torch

    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.records, 12, args.length)).cumsum(-1) * 0.01
    X = np.round(X, 3)  # quantised like a real ECG (1 uV steps): ties with biases occur
    gpu = args.device.startswith("cuda")
    where = f"CPU, {args.threads} threads" + (f"; {torch.cuda.get_device_name(args.device)}" if gpu else "")
    table = Table(title=f"rocket transform of {args.records} records x 12 leads x {args.length} samples ({where})")
    cols = ["size", "transform", "kernels", "features", "fit s", "sktime s"]
    cols += [] if args.skip_torch_cpu else ["torch cpu s", "cpu torch/sktime"]
    cols += ["torch cuda s", "sktime/cuda"] if gpu else []
    cols += ["max |diff|"]
    for col in cols:
        table.add_column(col, justify="left" if col in ("size", "transform") else "right")
    classes = {"minirocket": rocket.MiniRocketMultivariate, "multirocket": rocket.MultiRocketMultivariate}
    for size in args.sizes.split(","):
        for name, kernels in SIZES[size].items():
            t_fit, fitted = _timed(lambda: classes[name](num_kernels=kernels, random_state=0).fit(X))
            fitted.transform(X[:2])
            t_sk, ref = _timed(lambda: np.asarray(fitted.transform(X), dtype=np.float32))
            row = [size, name, str(kernels), str(ref.shape[1]), f"{t_fit:.2f}", f"{t_sk:.2f}"]
            diffs = []
            if not args.skip_torch_cpu:
                t_cpu, ours = _timed(lambda: rocket_torch.transform(fitted, X, "cpu"))
                row += [f"{t_cpu:.2f}", f"{t_cpu / t_sk:.1f}x"]
                diffs.append(np.abs(ours - np.nan_to_num(ref)).max())
            if gpu:
                rocket_torch.transform(fitted, X[:2], args.device)
                t_gpu, ours = _timed(lambda: rocket_torch.transform(fitted, X, args.device))
                row += [f"{t_gpu:.3f}", f"{t_sk / t_gpu:.1f}x"]
                diffs.append(np.abs(ours - np.nan_to_num(ref)).max())
            row.append(f"{max(diffs):.2g}" if diffs else "-")
            table.add_row(*row)
            print("  " + "  ".join(row), flush=True)  # kept if a time cap stops the table
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
