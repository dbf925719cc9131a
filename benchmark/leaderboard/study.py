"""Opening a stored study for reading (leaderboard, finalize, reproduce)."""

from __future__ import annotations

from pathlib import Path

import optuna

from benchmark.engines.storage import STORAGE_ENV, make_storage, storage_url as resolved_url
from benchmark.errors import ConfigError


def open_stored_study(task: str, results_dir: str | Path, study_name: str | None, storage_url: str | None):
    """(study, storage): one line naming the problem when the study or storage is missing."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    default = Path(results_dir) / task / "study.journal"
    if resolved_url(storage_url)[0] is None and not default.is_file():  # neither --storage nor $ECG_BENCH_STORAGE
        raise ConfigError(f"no study storage at {default}; run python -m benchmark.search first, or pass --storage "
                          f"(or set ${STORAGE_ENV})")
    storage = make_storage(storage_url, default)
    names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    if study_name is None:
        candidates = [n for n in names if n.startswith(f"{task}-")]
        if len(candidates) != 1:
            raise ConfigError(f"pass --study: the storage holds {', '.join(names) or 'no studies'}")
        study_name = candidates[0]
    if study_name not in names:
        raise ConfigError(f"study {study_name!r} not found; the storage holds {', '.join(names) or 'no studies'}")
    study = optuna.load_study(study_name=study_name, storage=storage)
    identity = study.user_attrs.get("identity", {})
    if identity.get("task") not in (None, task):
        raise ConfigError(f"study {study_name!r} is for task {identity.get('task')!r}, not {task!r}")
    return study, storage  # any version's study is read: tables regenerate from it (benchmark.study.identity)
