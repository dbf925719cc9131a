"""Optuna storages for the search: a journal file by default (safe for many processes on one
machine), or any RDB URL (PostgreSQL for many machines). Both detect dead workers by heartbeat
and re-queue their running trial with the same parameters."""

from __future__ import annotations

import os
import socket
import time
import warnings
from pathlib import Path

import optuna
from optuna.storages import JournalStorage, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from benchmark.errors import ConfigError

HEARTBEAT_S = 5
GRACE_S = 20
MAX_RETRY = 2
RDB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class HeartbeatJournalStorage(JournalStorage, BaseHeartbeat):
    """A journal storage with Optuna's heartbeat contract.

    Each running trial records ``{time, host, pid}`` every ``interval`` seconds. A running trial
    is stale when its heartbeat is older than ``grace`` seconds, or at once when its worker ran on
    this host and that process no longer exists (a SIGKILLed worker). Optuna then fails it and the
    retry callback queues it again with the same parameters.
    """

    def __init__(self, path: str | Path, interval: int = HEARTBEAT_S, grace: int = GRACE_S):
        super().__init__(JournalFileBackend(str(path)))
        self.path, self.interval, self.grace = str(path), interval, grace
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            self._callback = RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)

    def __reduce__(self):  # picklable for worker processes: reopen the same file
        return (HeartbeatJournalStorage, (self.path, self.interval, self.grace))

    def record_heartbeat(self, trial_id: int) -> None:
        self.set_trial_system_attr(trial_id, "heartbeat", {"time": time.time(), "host": socket.gethostname(),
                                                            "pid": os.getpid()})

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        now, host = time.time(), socket.gethostname()
        stale = []
        for trial in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
            beat = trial.system_attrs.get("heartbeat")
            if beat is None:  # never beat (e.g. driven by Ray Tune): not ours to judge, as in RDBStorage
                continue
            if now - beat["time"] > self.grace or (beat["host"] == host and not _pid_alive(beat["pid"])):
                stale.append(trial._trial_id)
        return stale

    def get_heartbeat_interval(self) -> int | None:
        return self.interval

    def get_heartbeat_stale_trial_callback(self):
        return self._callback


def redact(url: str) -> str:
    """The URL with any password hidden (for messages)."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def make_storage(url: str | None, default_path: Path) -> optuna.storages.BaseStorage:
    """``None`` -> journal file at ``default_path``; a path or ``journal:PATH`` -> journal file;
    ``sqlite:///``, ``postgresql://``, ``mysql://`` -> RDB storage with heartbeat. A bad or
    unreachable URL is one line naming it."""
    if url is None or url.startswith("journal:") or "://" not in url:
        path = Path(default_path if url is None else url.removeprefix("journal:"))
        if url is not None and not path.parent.is_dir():
            raise ConfigError(f"--storage {url}: folder {path.parent} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        return HeartbeatJournalStorage(path)
    scheme = url.split("://", 1)[0].split("+", 1)[0]
    if scheme not in RDB_SCHEMES:
        raise ConfigError(f"--storage {redact(url)}: unsupported scheme {scheme!r} "
                          "(use a journal file path, sqlite:///, postgresql:// or mysql://)")
    try:
        return _rdb_storage(url)
    except ImportError as exc:
        raise ConfigError(f"--storage {redact(url)}: database driver missing ({exc}); "
                          "install the extra, e.g. pip install -e '.[postgres]'") from exc
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200]
        raise ConfigError(f"--storage {redact(url)}: cannot open ({type(exc).__name__}: {reason})") from exc


def _rdb_storage(url: str, attempts: int = 5) -> RDBStorage:
    """An RDB storage with heartbeat; retried when workers starting together race to create the
    schema on a fresh database ("already exists")."""
    for attempt in range(attempts):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                callback = RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)
                return RDBStorage(url, engine_kwargs={"pool_pre_ping": True}, heartbeat_interval=HEARTBEAT_S,
                                  grace_period=GRACE_S, heartbeat_stale_trial_callback=callback)
        except Exception as exc:
            if "already exists" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5 + attempt)
    raise AssertionError("unreachable")


def describe_storage(storage: optuna.storages.BaseStorage) -> str:
    if isinstance(storage, HeartbeatJournalStorage):
        return storage.path
    if isinstance(storage, RDBStorage):
        return redact(storage.url)
    return type(storage).__name__
