"""Optuna storages for the search: a journal file by default (safe for many processes on one
machine), or any RDB URL (PostgreSQL for many machines). Both detect dead workers by heartbeat,
store the dead worker's trial as FAIL with the reason :data:`STALE_REASON`, and re-queue it with
the same parameters.

The journal survives a crash mid-write: a torn last line (a write cut by SIGKILL or power loss)
is moved aside into ``<journal>.torn`` before the next append, so the next line starts clean, and
a bad line already inside a journal never stops a read (the complete operation glued behind a torn
fragment is recovered; anything else is skipped with a warning).
"""

from __future__ import annotations

import copy
import json
import os
import socket
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Iterator

import optuna
from optuna.storages import JournalStorage, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.storages.journal import JournalFileBackend
from optuna.storages.journal._file import get_lock_file
from optuna.trial import TrialState

from benchmark.errors import ConfigError
from benchmark.options import check_file

HEARTBEAT_S = 5
GRACE_S = 20
MAX_RETRY = 2
RDB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql")
STALE_REASON = "worker died (heartbeat stale)"
_OP_START = b'{"op_code"'  # every journal operation is one JSON object that starts like this


class RepairingJournalFileBackend(JournalFileBackend):
    """Optuna's journal file with crash repair.

    - :meth:`append_logs`: under the journal lock, a last line without its newline can only be a
      write cut short by a crash (appends are whole lines, written under that lock). It is moved
      to ``<journal>.torn`` (appended there, nothing is deleted) and the file is cut back to the
      last complete line before the new operations are written.
    - :meth:`read_logs`: yields exactly one item per line, as Optuna counts lines. A line that is
      not valid JSON (a fragment written before this repair existed, with an operation glued
      behind it) yields the last complete operation inside it, or ``None`` (skipped by
      :class:`HeartbeatJournalStorage`) with a warning. Optuna itself raises there, and every later
      command would fail.
    """

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        with get_lock_file(self._lock):
            self._move_torn_tail()
            data = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
            with open(self._file_path, "ab") as f:
                f.write(data.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())

    def _move_torn_tail(self) -> None:
        """(Under the lock.) Cut an unterminated last line off the journal into ``.torn``."""
        with open(self._file_path, "r+b") as f:
            size = f.seek(0, os.SEEK_END)
            if size == 0:
                return
            f.seek(size - 1)
            if f.read(1) == b"\n":
                return
            start = size
            while start > 0:  # find the end of the last complete line
                step = min(start, 1 << 16)
                f.seek(start - step)
                block = f.read(step)
                nl = block.rfind(b"\n")
                if nl >= 0:
                    start = start - step + nl + 1
                    break
                start -= step
            f.seek(start)
            fragment = f.read()
            torn = self._file_path + ".torn"
            with open(torn, "ab") as out:
                out.write(fragment + b"\n")
                out.flush()
                os.fsync(out.fileno())
            f.truncate(start)
            f.flush()
            os.fsync(f.fileno())
        print(f"notice: {self._file_path}: a torn last line ({len(fragment)} bytes, from an interrupted write) "
              f"was moved to {torn}; every complete operation is kept", file=sys.stderr)

    def read_logs(self, log_number_from: int) -> Iterator[dict[str, Any] | None]:
        # Optuna's reader, except that a bad line yields a recovered operation or None (never raises)
        with open(self._file_path, "rb") as f:
            remaining = os.stat(self._file_path).st_size
            start = 0
            if log_number_from in self._log_number_offset:
                f.seek(self._log_number_offset[log_number_from])
                start = log_number_from
                remaining -= self._log_number_offset[log_number_from]
            for log_number, line in enumerate(f, start=start):
                remaining -= len(line)
                if remaining < 0 or not line.endswith(b"\n"):
                    break  # a line still being written (or torn): read it next time
                if log_number + 1 not in self._log_number_offset:
                    self._log_number_offset[log_number + 1] = self._log_number_offset[log_number] + len(line)
                if log_number < log_number_from:
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    yield _salvage(line, self._file_path, log_number)


def _salvage(line: bytes, path: str, log_number: int) -> dict[str, Any] | None:
    """The complete operation glued behind a torn fragment, if any."""
    pos = line.find(_OP_START, 1)
    while pos > 0:
        try:
            op = json.loads(line[pos:])
        except json.JSONDecodeError:
            pos = line.find(_OP_START, pos + 1)
            continue
        warnings.warn(f"{path}: line {log_number + 1} starts with a torn fragment ({pos} bytes); "
                      "the operation after it was recovered")
        return op
    warnings.warn(f"{path}: line {log_number + 1} is not a journal operation; skipped")
    return None


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
        super().__init__(RepairingJournalFileBackend(str(path)))
        self.path, self.interval, self.grace = str(path), interval, grace
        self._callback = _retry_callback()

    def __reduce__(self):  # picklable for worker processes: reopen the same file
        return (HeartbeatJournalStorage, (self.path, self.interval, self.grace))

    def _sync_with_backend(self) -> None:
        # one item per journal line; None is a line that held no operation (see the backend)
        for log in self._backend.read_logs(self._replay_result.log_number_read):
            if log is None:
                self._replay_result.log_number_read += 1
            else:
                self._replay_result.apply_logs([log])

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
        return _mark_stale(self, stale)

    def get_heartbeat_interval(self) -> int | None:
        return self.interval

    def get_heartbeat_stale_trial_callback(self):
        return self._callback


def _mark_stale(storage: optuna.storages.BaseStorage, trial_ids: list[int]) -> list[int]:
    """Record why each stale trial is about to be failed (Optuna fails it without a reason)."""
    for trial_id in trial_ids:
        try:
            storage.set_trial_user_attr(trial_id, "fail_reason", STALE_REASON)
        except (optuna.exceptions.UpdateFinishedTrialError, KeyError):
            pass  # finished meanwhile (its worker was alive after all, or another process failed it)
    return trial_ids


class RetryStaleTrial(RetryHeartbeatStaleTrialCallback):
    """Optuna's retry of a stale trial (same parameters and plan, ``failed_trial`` lineage), whose copy
    inherits neither the dead trial's ``fail_reason`` and partial results (fold rows, predictions) nor
    its ``heartbeat``: Optuna copies the system attributes, and a copied heartbeat names the dead
    process, so another worker would fail the retry as stale the moment it starts (seen when a
    killed search was resumed with two workers)."""

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        from benchmark.predictions import PREFIX

        trial = copy.copy(trial)
        trial.user_attrs = {k: v for k, v in trial.user_attrs.items()
                            if k not in ("fail_reason", "folds") and not k.startswith(PREFIX)}
        trial.system_attrs = {k: v for k, v in trial.system_attrs.items() if k != "heartbeat"}
        super().__call__(study, trial)


def _retry_callback() -> RetryStaleTrial:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return RetryStaleTrial(max_retry=MAX_RETRY)


class HeartbeatRDBStorage(RDBStorage):
    """Optuna's RDB storage whose stale trials carry :data:`STALE_REASON`."""

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        return _mark_stale(self, super()._get_stale_trial_ids(study_id))


def redact(url: str) -> str:
    """The URL with any password hidden (for messages): SQLAlchemy's own rendering,
    ``make_url(url).render_as_string(hide_password=True)``; a journal path comes back as is.

    SQLAlchemy reads a URL's password up to its first ``@``, so an unescaped ``@`` in the password
    would show the rest of it, and it refuses some URLs (a scheme with ``-``, a port that is not a
    number) that may still carry a password: in those cases everything between ``user:`` and the
    last ``@`` is hidden."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL SQLAlchemy reads (a journal path, a bad port)
        parsed = None
    if parsed is not None and "@" not in (parsed.host or ""):
        return parsed.render_as_string(hide_password=True)
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, host = rest.rsplit("@", 1)
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url


def check_journal_path(url: str | None, default_path: Path) -> Path | None:
    """The journal file that ``url`` names (``None``: the default; an RDB URL: no journal, returns
    None), checked without creating anything: not a folder, and in a writable place."""
    if url is not None and not (url.startswith("journal:") or "://" not in url):
        return None
    path = Path(default_path if url is None else url.removeprefix("journal:"))
    check_file(path, "--storage" if url is not None else "journal")
    return path


def make_storage(url: str | None, default_path: Path) -> optuna.storages.BaseStorage:
    """``None`` -> journal file at ``default_path``; a path or ``journal:PATH`` -> journal file;
    ``sqlite:///``, ``postgresql://``, ``mysql://`` -> RDB storage with heartbeat. A bad or
    unreachable URL is one line naming it."""
    path = check_journal_path(url, default_path)
    if path is not None:
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
            return HeartbeatRDBStorage(url, engine_kwargs={"pool_pre_ping": True}, heartbeat_interval=HEARTBEAT_S,
                                       grace_period=GRACE_S, heartbeat_stale_trial_callback=_retry_callback())
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


def study_version(study) -> str | None:
    """The package version that made ``study`` (stored at creation; older studies: on their trials)."""
    version = study.user_attrs.get("package_version")
    if version is None:
        version = next((t.user_attrs["package_version"] for t in study.get_trials(deepcopy=False)
                        if "package_version" in t.user_attrs), None)
    return version


def check_version(study) -> None:
    """Refuse a study another package version made: its trials would be mixed with this version's
    (a different space, protocol or metric), so it must be regenerated, never silently reused."""
    import benchmark
    from benchmark.errors import ConfigError

    version = study_version(study)
    if version is not None and version != benchmark.__version__:
        raise ConfigError(f"study {study.study_name!r} was made by ecg-automl-bench {version}, this is "
                          f"{benchmark.__version__}; regenerate it (scripts/publish_leaderboard.py, or a new --study); "
                          "results of two versions are never mixed")
