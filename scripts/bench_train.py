"""Training throughput per model family (100 Hz, 2.5 s crops, batch 64) and the loop's overhead
against a bare PyTorch loop over the same model and batches.

    python scripts/bench_train.py [--steps 12] [--models resnet1d18,lstm,...]

Bare loop: pre-cropped batches; zero_grad, forward, BCE, backward, AdamW step.
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


def bare(model, batches, labels, lr=1e-3) -> float:
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    start = time.perf_counter()
    for xb, yb in zip(batches, labels):
        opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(xb), yb)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def ours(model, X, y, Xv, yv, steps, batch) -> float:
    from benchmark.training.loop import Recipe, fit

    recipe = Recipe(epochs=1, batch_size=batch, patience=10)
    start = time.perf_counter()
    fit(model, X, y, Xv, yv, recipe, crop=250, seed=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--models", default=DEFAULT)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from rich.console import Console
    from rich.table import Table

    from benchmark.models import create_model, model_info

    rng = np.random.default_rng(0)
    n = args.steps * args.batch
    X = rng.normal(size=(n, 12, 1000)).astype(np.float32)
    y = (rng.random(n) < 0.2).astype(np.float32)
    Xv = rng.normal(size=(64, 12, 1000)).astype(np.float32)
    yv = (np.arange(64) % 5 == 0).astype(np.float32)
    batches = [torch.from_numpy(X[i:i + args.batch, :, 375:625].copy()) for i in range(0, n, args.batch)]
    labels = [torch.from_numpy(y[i:i + args.batch, None].copy()) for i in range(0, n, args.batch)]
    table = Table(title=f"training at 100 Hz, 2.5 s crops (T=250), batch {args.batch}, {args.threads} threads, "
                        f"{args.steps} batches")
    for col in ("model", "family", "params", "bare samples/s", "loop samples/s", "loop / bare"):
        table.add_column(col, justify="right" if col != "model" else "left")
    for name in args.models.split(","):
        torch.manual_seed(0)
        model = create_model(name)
        bare(model, batches[:2], labels[:2])  # warm-up (allocator, kernels)
        t_bare = min(bare(model, batches, labels) for _ in range(2))
        t_ours = min(ours(model, X, y, Xv, yv, args.steps, args.batch) for _ in range(2))
        params = sum(p.numel() for p in model.parameters())
        table.add_row(name, model_info(name).family, f"{params / 1e6:.2f}M", f"{n / t_bare:,.0f}", f"{n / t_ours:,.0f}",
                      f"{t_ours / t_bare:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
