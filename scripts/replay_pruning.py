"""Replay the pruning decisions of a stored study and print, per family, how many trials were
sampled, completed and pruned, the phase they were planned in, and the step of each prune; then
re-decide every prune with the family-scoped rule (:class:`benchmark.engines.pruning.FamilyPruner`)
on what the study held when it was made, and count the decisions that agree.

    python scripts/replay_pruning.py --task pe --results-dir leaderboard [--study pe-small]

Checks the issue's targets: no deep trial pruned against a baseline (the pruner reads its own
family only), no prune decided on one block, every deep family with at least 5 complete trials.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optuna.trial import TrialState  # noqa: E402

from benchmark.engines.planner import plan_of  # noqa: E402
from benchmark.engines.pruning import FamilyPruner  # noqa: E402
from benchmark.leaderboard.options import add_study_options  # noqa: E402
from benchmark.leaderboard.study import open_stored_study  # noqa: E402


def replay(study) -> tuple[dict, list[dict]]:
    budget = study.user_attrs.get("budget_settings", {})
    max_epochs, min_epochs, k = budget.get("max_epochs", 20), budget.get("min_epochs", 5), budget.get("folds", 5)
    pruner = FamilyPruner(max_epochs, min_epochs, 1 / (k - 1))
    trials = study.get_trials(deepcopy=False)
    per_family: dict = collections.defaultdict(lambda: collections.Counter())
    prunes = []
    for t in trials:
        plan = plan_of(t)
        fam = plan.get("family") or "?"
        c = per_family[fam]
        c["sampled"] += 1
        c[f"phase {plan.get('phase')}"] += 1
        c[t.state.name.lower()] += 1
        if t.state != TrialState.PRUNED:
            continue
        step = t.last_step
        # what the study held then: trials that reported this step before this trial ended
        then = [o for o in trials if o.number != t.number and o.datetime_start and o.datetime_start < t.datetime_complete
                and (o.datetime_complete is None or o.datetime_complete <= t.datetime_complete or
                     step in o.intermediate_values)]
        snapshot = [o if o.state != TrialState.COMPLETE or o.datetime_complete <= t.datetime_complete
                    else _as_running(o) for o in then]
        decision = pruner.decide(snapshot, t)
        where = t.user_attrs.get("pruned_at", {})
        prunes.append({"trial": t.number, "family": fam, "step": step,
                       "where": "epoch %s" % where.get("epoch") if "epoch" in where else
                       "after block %s" % where.get("fold_index", "?"),
                       "rule": decision.rule, "agrees": decision.prune, "comparators": decision.comparators,
                       "p": decision.p})
    return per_family, prunes


def _as_running(t):
    import copy

    from optuna.trial import TrialState as S

    o = copy.copy(t)
    o.state = S.RUNNING
    return o


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_study_options(parser)
    args = parser.parse_args(argv)
    study, _ = open_stored_study(args.task, args.results_dir, args.study, args.storage)
    per_family, prunes = replay(study)
    phases = sorted({k for c in per_family.values() for k in c if k.startswith("phase ")})
    cols = ["sampled", "complete", "pruned", "fail", *phases]
    print(f"{'family':<14}" + "".join(f"{c:>14}" for c in cols))
    for fam, c in sorted(per_family.items()):
        print(f"{fam:<14}" + "".join(f"{c.get(col, 0):>14}" for col in cols))
    print(f"\n{len(prunes)} prunes:")
    for p in prunes:
        print(f"  trial {p['trial']:>4} {p['family']:<12} step {p['step']:>3} ({p['where']}): replayed rule "
              f"{p['rule']} with {p['comparators']} comparators, p {p['p']:.3g} -> {'prune' if p['agrees'] else 'KEEP'}")
    agree = sum(p["agrees"] for p in prunes)
    one_block = sum(p["rule"] == "race" and p["comparators"] < 2 for p in prunes)
    print(f"\nreplayed decisions agreeing: {agree} of {len(prunes)}; races decided on one block: {one_block}")


if __name__ == "__main__":
    main()
