"""Training throughput per model family (100 Hz, 2.5 s crops, batch 64) and the loop's overhead
against a bare PyTorch loop over the same model and batches.

    python scripts/bench_train.py [--device cpu|cuda] [--steps 12] [--models resnet1d18,lstm,...]
                                  [--length 1000 --crop 250]   (500 Hz, 10 s: --length 5000 --crop 2048)

Bare loop: pre-cropped batches already on the device; zero_grad, forward (under the same autocast
policy as ours: bfloat16 on GPUs that support it, see ``benchmark.training.loop.amp_policy``),
BCE, backward, AdamW step.
Our loop: ``benchmark.training.loop.fit`` (random crops, pos_weight, schedule, clipping, NaN check,
per-epoch validation on 64 records, best-state copy), one epoch of the same number of batches.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

DEFAULT = "resnet1d18,xresnet1d18,inceptiontime1d,vgg11_1d,alexnet1d,lstm,gru,crnn,transformer1d,hsmnet"


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


def ours(model, X, y, Xv, yv, batch, crop, device: str) -> float:
    from benchmark.training.loop import Recipe, fit

    recipe = Recipe(epochs=1, batch_size=batch, patience=10)
    _sync(device)
    start = time.perf_counter()
    fit(model, X, y, Xv, yv, recipe, crop=crop, seed=0, device=device)
    _sync(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--models", default=DEFAULT)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:i]")
    parser.add_argument("--length", type=int, default=1000, help="record length in samples (default 1000: 10 s at 100 Hz)")
    parser.add_argument("--crop", type=int, default=250, help="training crop in samples (default 250)")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device is available on this machine")
    torch.set_num_threads(args.threads)
    from rich.console import Console
    from rich.table import Table

    from benchmark.models import create_model, model_info

    rng = np.random.default_rng(0)
    n = args.steps * args.batch
    X = rng.normal(size=(n, 12, args.length)).astype(np.float32)
    y = (rng.random(n) < 0.2).astype(np.float32)
    Xv = rng.normal(size=(64, 12, args.length)).astype(np.float32)
    yv = (np.arange(64) % 5 == 0).astype(np.float32)
    lo = (args.length - args.crop) // 2
    batches = [torch.from_numpy(X[i:i + args.batch, :, lo:lo + args.crop].copy()).to(args.device) for i in range(0, n, args.batch)]
    labels = [torch.from_numpy(y[i:i + args.batch, None].copy()).to(args.device) for i in range(0, n, args.batch)]
    where = torch.cuda.get_device_name(args.device) if args.device.startswith("cuda") else f"CPU, {args.threads} threads"
    table = Table(title=f"training on {where}: length {args.length}, crop {args.crop}, batch {args.batch}, "
                        f"{args.steps} batches")
    for col in ("model", "family", "params", "bare samples/s", "loop samples/s", "loop / bare"):
        table.add_column(col, justify="right" if col != "model" else "left")
    for name in args.models.split(","):
        torch.manual_seed(0)
        model = create_model(name)
        bare(model, batches[:2], labels[:2], args.device)  # warm-up (allocator, kernels)
        t_bare = min(bare(model, batches, labels, args.device) for _ in range(2))
        t_ours = min(ours(model, X, y, Xv, yv, args.batch, args.crop, args.device) for _ in range(2))
        params = sum(p.numel() for p in model.parameters())
        table.add_row(name, model_info(name).family, f"{params / 1e6:.2f}M", f"{n / t_bare:,.0f}", f"{n / t_ours:,.0f}",
                      f"{t_ours / t_bare:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
