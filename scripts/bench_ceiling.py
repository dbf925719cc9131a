"""What a budget's cost ceiling removes from the space, and what it means in minutes here.

    python scripts/bench_ceiling.py [--task pe] [--budget small] [--device cpu] [--steps 6] [--families s4d,...]

1. Measures this machine's training throughput (GFLOP/s, forward + backward counted as 3 × forward)
   on the costliest *kept* configuration of each deep family, at the budget's longest crop, batch 64.
2. Prints, per family, the costliest configuration the ceiling keeps, its estimated training FLOPs at
   ``max_epochs`` (what the ceiling allows) and the minutes that take at the measured throughput.
3. Prints every choice the ceiling removed, in removal order (see ``benchmark.study.ceiling``).
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
import torch.nn.functional as F


def throughput(model: str, kwargs: dict, length: int, steps: int, device: str, per_record: int) -> float:
    from benchmark.models import create_model

    net = create_model(model, **kwargs).to(device).train()
    opt = torch.optim.AdamW(net.parameters())
    x = torch.randn(64, 12, length, device=device)
    y = torch.randint(0, 2, (64,), device=device).float()
    for i in range(steps + 1):
        if i == 1:
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            start = time.perf_counter()
        loss = F.binary_cross_entropy_with_logits(net(x).reshape(-1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / steps
    return 3 * per_record * 64 / seconds


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="pe")
    p.add_argument("--budget", default="small")
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--families", default=None, help="comma-separated deep families to measure (default: all)")
    args = p.parse_args(argv)

    from benchmark.search import build_parser, prepare, validate
    from benchmark.study.space import load_spaces

    search_args = build_parser().parse_args(["--task", args.task, "--budget", args.budget, "--trials", "1"]
                                            + (["--data-dir", args.data_dir] if args.data_dir else []))
    validate(search_args)
    ctx, _, _ = prepare(search_args)
    ceiling = ctx.ceiling
    if ceiling is None:
        sys.exit(f"budget {args.budget} states no cost ceiling")
    budget = ctx.budget
    print(f"budget {budget.name}: ceiling {budget.max_train_tflop:g} TFLOP of training per trial; "
          f"{ceiling.train_records} training records per epoch over {ctx.split.repeats} x {ctx.split.n_folds} folds; "
          f"longest crop {ceiling.crops[-1]} s = {ceiling.length(ceiling.crops[-1])} samples")
    print()
    print(f"| family | costliest kept configuration | fwd MFLOP/record | max epochs | est. TFLOP | "
          f"{args.device} GFLOP/s | est. minutes |")
    print("|---|---|---|---|---|---|---|")
    rates = []
    for family, entry in sorted(load_spaces().items()):
        if entry.kind != "deep" or (args.families and family not in args.families.split(",")):
            continue
        limits = ceiling.family(family)
        if not limits.models:
            print(f"| {family} | (removed) | | | | | |")
            continue
        flops, model, kwargs = max(((ceiling.epoch_flops(m, kw, ceiling.crops[-1]), m, kw)
                                    for m, kw in ceiling.kept(family)), key=lambda best: best[0])
        epochs = ceiling.max_epochs(model, kwargs, ceiling.crops[-1], budget.max_epochs)
        length = ceiling.length(ceiling.crops[-1])
        per_record = flops // (3 * ceiling.train_records)
        rate = throughput(model, kwargs, length, args.steps, args.device, per_record)
        rates.append(rate)
        total = flops * epochs
        shown = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k != "dropout")
        print(f"| {family} | {model} {shown} | {per_record / 1e6:.1f} | {epochs} | {total / 1e12:.2f} | "
              f"{rate / 1e9:.1f} | {total / rate / 60:.1f} |")
    print()
    removed = ceiling.removed(ctx.searched_models() + [m for m in (ctx.models or []) if m not in ctx.searched_models()])
    print("removed by the ceiling, in order: " + (", ".join(removed) if removed else "nothing"))
    slowest = min(rates)
    print(f"at the slowest measured rate ({slowest / 1e9:.1f} GFLOP/s) the ceiling is "
          f"{budget.max_train_tflop * 1e12 / slowest / 60:.1f} minutes of training")


if __name__ == "__main__":
    main()
