"""Coverage of the locked-test AUROC intervals at the stand-in's locked-test size, by simulation:
binormal scores (equal variances) whose separation gives the true AUROC, ``n_pos`` positives and
``n_neg`` negatives, and the share of simulated tests whose 95 % interval covers the truth.

    python scripts/bench_interval_coverage.py [--sims 2000] [--boot-sims 200]

Prints one row per method and true AUROC: logit-DeLong (what ``finalize`` reports) and the
percentile bootstrap over records (what it reported before; slower, so fewer simulations).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmark.leaderboard import stats  # noqa: E402
from benchmark.training.metrics import auroc  # noqa: E402


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sims", type=int, default=2000)
    p.add_argument("--boot-sims", type=int, default=200)
    p.add_argument("--n-pos", type=int, default=8)
    p.add_argument("--n-neg", type=int, default=54)
    args = p.parse_args(argv)

    def boot(y, s):
        return stats.patient_bootstrap_interval(y, s, np.arange(len(y)).astype(str), auroc, seed=0)

    print(f"{'method':<32} {'true AUROC':>10} {'n+/n-':>7} {'sims':>6} {'coverage':>9} {'seconds':>8}")
    for auc in (0.75, 0.90, 0.95):
        for name, method, sims in (("logit-DeLong (finalize)", stats.delong_logit_interval, args.sims),
                                   ("percentile bootstrap", boot, args.boot_sims)):
            start = time.time()
            c = stats.coverage(method, args.n_pos, args.n_neg, auc, sims, seed=1)
            print(f"{name:<32} {auc:>10.2f} {args.n_pos:>3}/{args.n_neg:<3} {sims:>6} {c:>9.3f} "
                  f"{time.time() - start:>8.1f}")


if __name__ == "__main__":
    main()
