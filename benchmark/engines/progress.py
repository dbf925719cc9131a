"""Search progress read from the storage: a live line on a TTY, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import threading
import time

import optuna
from optuna.trial import TrialState


def counts(study: optuna.Study) -> dict[str, int]:
    """Trials per state: complete, pruned, failed, running, waiting."""
    c = {"complete": 0, "pruned": 0, "failed": 0, "running": 0, "waiting": 0}
    for t in study.get_trials(deepcopy=False):
        key = "failed" if t.state == TrialState.FAIL else t.state.name.lower()
        if key in c:
            c[key] += 1
    return c


def best(study: optuna.Study) -> tuple[float | None, int | None, str]:
    """(CV AUROC, trial number, model) of the study's best complete anchor or search trial
    (ablation cells run on other folds); ``(None, None, "")`` before the first one completes."""
    from benchmark.engines.planner import is_search

    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if is_search(t) and t.value is not None]
    if not done:
        return None, None, ""
    top = max(done, key=lambda t: (t.value, -t.number))
    return top.value, top.number, str(top.params.get("model", ""))


def status_line(study: optuna.Study, target: int, start_finished: int, started: float) -> str:
    c = counts(study)
    finished = c["complete"] + c["pruned"]
    value, number, model = best(study)
    elapsed = time.time() - started
    new = finished - start_finished
    eta = f"{(target - finished) * elapsed / new:,.0f}s" if new > 0 and finished < target else "?"
    best_s = f"best CV AUROC {value:.4f} (#{number} {model})" if value is not None else "best CV AUROC -"
    return (f"[{finished}/{target}] complete {c['complete']} pruned {c['pruned']} failed {c['failed']} "
            f"running {c['running']} | {best_s} | elapsed {elapsed:,.0f}s eta {eta}")


class ProgressMonitor:
    """Polls the study in a thread; rewrites one line on a TTY, prints a line per change (at most
    every ``every`` seconds) otherwise."""

    def __init__(self, study: optuna.Study, target: int, every: float = 30.0, poll: float = 2.0):
        self.study, self.target, self.every, self.poll = study, target, every, poll
        self.tty = sys.stderr.isatty()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.time()
        c = counts(study)
        self.start_finished = c["complete"] + c["pruned"]

    def __enter__(self) -> "ProgressMonitor":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self.tty:
            sys.stderr.write("\n")

    def _run(self) -> None:
        last_line, last_print = "", 0.0
        while not self._stop.wait(self.poll):
            try:
                line = status_line(self.study, self.target, self.start_finished, self.started)
            except Exception:  # storage busy: try again next tick
                continue
            if self.tty:
                sys.stderr.write("\r" + line[:200].ljust(120))
                sys.stderr.flush()
                continue
            now = time.time()
            changed = line.split("|")[0] != last_line.split("|")[0]  # counts moved
            if (changed and now - last_print >= 5) or now - last_print >= self.every:
                print(line, file=sys.stderr, flush=True)
                last_line, last_print = line, now
