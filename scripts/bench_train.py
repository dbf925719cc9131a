"""Training throughput per model family and the loop's overhead against a bare PyTorch loop over
the same model and batches (batch 64), one table per setting: by default 100 Hz with 2.5 s crops
(length 1000, crop 250) and 500 Hz with 2048-sample crops (length 5000, crop 2048).

    python scripts/bench_train.py [--device cpu|cuda] [--steps 12] [--models resnet1d18,lstm,...]
                                  [--settings 1000:250,5000:2048]   (one setting: --length 1000 --crop 250)
                                  [--streamed [--filter bandpass]]

Bare loop: pre-cropped batches already on the device; zero_grad, forward (under the same autocast
policy as ours: bfloat16 on GPUs that support it, see ``benchmark.training.loop.amp_policy``),
BCE, backward, AdamW step.
Our loop: ``benchmark.training.loop.fit`` (random crops, pos_weight, schedule, clipping, NaN check,
per-epoch validation on 64 records in one evaluation batch, best-state copy), one epoch of the
same number of batches.
``--streamed`` adds our loop on the same records left in a memory-mapped ``.npy`` (as a fold larger
than ``benchmark.data.lazy.IN_MEMORY_BYTES`` is read from the signal store) with the deep
classifier's preprocessing (``--filter``, then per-record z-score) applied to each batch as it is
read, against the loop on records preprocessed once in memory, over 3 epochs each (the preprocessing
time included in both: once, or in every epoch).

Measured 2026-12-01 on the shared 2-core AMD EPYC, CPU, 2 threads, float32, ``--models s4d`` (the S4
family's row; the other rows were not measured again here), 1-minute load average 2.0 at its end:

| setting | model | params | bare samples/s | loop samples/s | loop / bare |
|---|---|---|---|---|---|
| length 1000, crop 250 (100 Hz, 2.5 s) | s4d | 0.07M | 288 | 325 | 0.88x |
| length 5000, crop 2048 (500 Hz, 4.1 s) | s4d | 0.07M | 40 | 39 | 1.04x |

``--streamed``, resnet1d18 (width 64), the same machine at load 1.7-2.0 (the benchmark's own 2
threads), fastest of 2 timings of 3 epochs each:

| setting | filter | preprocessed once samples/s | streamed samples/s | streamed / once |
|---|---|---|---|---|
| length 1000, crop 250, 12 batches | none (z-score) | 126 | 123 | 1.03x |
| length 1000, crop 250, 12 batches | bandpass | 114 | 106 | 1.07x |
| length 5000, crop 2048, 6 batches | bandpass | 19 | 18 | 1.08x |

The loop's overhead is within the noise for S4D (the fastest of 2 timings each; its FFT
convolutions dominate a step). At 500 Hz S4D trains 7x slower than at 100 Hz for 8x the crop.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

STREAMED_EPOCHS = 3  # --streamed: epochs per timing (streaming preprocesses every epoch, the other once)
DEFAULT = "resnet1d18,xresnet1d18,inceptiontime1d,vgg11_1d,alexnet1d,lstm,gru,crnn,transformer1d,hsmnet,s4d"


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def bare(model, batches, labels, device: str, lr=1e-3) -> float:
    from benchmark.training.loop import amp_policy

    policy = amp_policy(device)
    scaler = torch.amp.GradScaler("cuda", enabled=policy.scaler)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.to(device).train()
    _sync(device)
    start = time.perf_counter()
    for xb, yb in zip(batches, labels):
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=policy.dtype, enabled=policy.enabled):
            loss = F.binary_cross_entropy_with_logits(model(xb).float(), yb)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    _sync(device)
    return time.perf_counter() - start


def ours(model, X, y, Xv, yv, batch, crop, device: str, epochs: int = 1) -> float:
    from benchmark.training.loop import Recipe, fit

    recipe = Recipe(epochs=epochs, batch_size=batch, patience=10)
    _sync(device)
    start = time.perf_counter()
    fit(model, X, y, Xv, yv, recipe, crop=crop, seed=0, device=device)
    _sync(device)
    return time.perf_counter() - start


def streamed(model, path, y, Xv, yv, batch, crop, device: str, filter: str, epochs: int) -> float:
    """:func:`ours` on records read from the memmap at ``path``, preprocessed batch by batch."""
    from benchmark.data.lazy import LazySignals
    from benchmark.training.loop import Recipe, fit
    from benchmark.transforms.pipeline import Preprocess

    pre = Preprocess(100.0, filter, "zscore").fit(Xv)
    X = LazySignals(np.load(path, mmap_mode="r")).map(pre.transform)
    recipe = Recipe(epochs=epochs, batch_size=batch, patience=10)
    _sync(device)
    start = time.perf_counter()
    fit(model, X, y, LazySignals(Xv).map(pre.transform), yv, recipe, crop=crop, seed=0, device=device)
    _sync(device)
    return time.perf_counter() - start


def preprocessed_once(model, X, y, Xv, yv, batch, crop, device: str, filter: str, epochs: int) -> float:
    """:func:`ours` after preprocessing the records in memory (the time of that included)."""
    from benchmark.transforms.pipeline import Preprocess

    start = time.perf_counter()
    pre = Preprocess(100.0, filter, "zscore").fit(Xv)
    Xp, Xvp = pre.transform(X), pre.transform(Xv)
    return time.perf_counter() - start + ours(model, Xp, y, Xvp, yv, batch, crop, device, epochs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--models", default=DEFAULT)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2, help="timings per loop; the fastest counts")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:i]")
    parser.add_argument("--settings", default="1000:250,5000:2048",
                        help="record length:crop pairs in samples (default: 100 Hz crop 250 and 500 Hz crop 2048)")
    parser.add_argument("--length", type=int, default=None, help="one setting instead: record length in samples")
    parser.add_argument("--crop", type=int, default=250, help="with --length: the training crop in samples")
    parser.add_argument("--streamed", action="store_true",
                        help="add the loop on records read batch by batch from a memmap, preprocessed per batch")
    parser.add_argument("--filter", default="none", help="with --streamed: the filter before the z-score")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device is available on this machine")
    torch.set_num_threads(args.threads)
    from rich.console import Console
    from rich.table import Table

    try:
        settings = ([(args.length, args.crop)] if args.length else
                    [tuple(int(v) for v in pair.split(":")) for pair in args.settings.split(",")])
        if any(len(pair) != 2 or pair[1] < 1 or pair[1] > pair[0] for pair in settings):
            raise ValueError
    except ValueError:
        raise SystemExit(f"--settings must be length:crop pairs (crop <= length) such as 1000:250,5000:2048, "
                         f"got {args.settings!r}")
    for length, crop in settings:
        Console().print(setting_table(args, length, crop, Table))


def setting_table(args, length: int, crop: int, Table):
    from benchmark.models import create_model, model_info

    rng = np.random.default_rng(0)
    n = args.steps * args.batch
    X = rng.normal(size=(n, 12, length)).astype(np.float32)
    y = (rng.random(n) < 0.2).astype(np.float32)
    Xv = rng.normal(size=(64, 12, length)).astype(np.float32)
    yv = (np.arange(64) % 5 == 0).astype(np.float32)
    lo = (length - crop) // 2
    batches = [torch.from_numpy(X[i:i + args.batch, :, lo:lo + crop].copy()).to(args.device) for i in range(0, n, args.batch)]
    labels = [torch.from_numpy(y[i:i + args.batch, None].copy()).to(args.device) for i in range(0, n, args.batch)]
    where = torch.cuda.get_device_name(args.device) if args.device.startswith("cuda") else f"CPU, {args.threads} threads"
    from benchmark.training.loop import amp_policy

    precision = str(amp_policy(args.device).dtype).replace("torch.", "")
    table = Table(title=f"training on {where} ({precision}): length {length}, crop {crop}, batch {args.batch}, "
                        f"{args.steps} batches")
    cols = ["model", "family", "params", "bare samples/s", "loop samples/s", "loop / bare"]
    if args.streamed:
        import tempfile

        cols += [f"preprocessed once ({args.filter}, zscore) samples/s", "streamed samples/s", "streamed / once"]
        path = Path(tempfile.mkdtemp()) / "signals.npy"
        np.save(path, X)
    for col in cols:
        table.add_column(col, justify="right" if col != "model" else "left")
    for name in args.models.split(","):
        torch.manual_seed(0)
        model = create_model(name)
        bare(model, batches[:2], labels[:2], args.device)  # warm-up (allocator, kernels)
        t_bare = min(bare(model, batches, labels, args.device) for _ in range(args.repeats))
        t_ours = min(ours(model, X, y, Xv, yv, args.batch, crop, args.device) for _ in range(args.repeats))
        params = sum(p.numel() for p in model.parameters())
        row = (name, model_info(name).family, f"{params / 1e6:.2f}M", f"{n / t_bare:,.0f}", f"{n / t_ours:,.0f}",
               f"{t_ours / t_bare:.2f}x")
        if args.streamed:
            t_once = min(preprocessed_once(model, X, y, Xv, yv, args.batch, crop, args.device, args.filter,
                                           STREAMED_EPOCHS) for _ in range(args.repeats))
            t_lazy = min(streamed(model, path, y, Xv, yv, args.batch, crop, args.device, args.filter, STREAMED_EPOCHS)
                         for _ in range(args.repeats))
            row += (f"{STREAMED_EPOCHS * n / t_once:,.0f}", f"{STREAMED_EPOCHS * n / t_lazy:,.0f}", f"{t_lazy / t_once:.2f}x")
        table.add_row(*row)
        print(f"  length {length} crop {crop}: " + "  ".join(row), flush=True)  # kept if a time cap stops the table
    return table


if __name__ == "__main__":
    main()
