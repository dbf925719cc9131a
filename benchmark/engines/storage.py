"""Optuna storages for the search: a journal file by default (safe for many processes on one
machine), or any RDB URL (PostgreSQL for many machines). On both, a running trial's worker records a
heartbeat (:class:`Heartbeat`); :func:`fail_stale_trials` stores a dead worker's trial as FAIL with
the reason :data:`STALE_REASON` and re-queues it with the same parameters.

The journal survives a crash mid-write: a torn last line (a write cut by SIGKILL or power loss)
is moved aside into ``<journal>.torn`` before the next append, so the next line starts clean, and
a bad line already inside a journal never stops a read (the complete operation glued behind a torn
fragment is recovered; anything else is skipped with a warning).

Only Optuna's public API is used (``tests/test_public_api.py`` checks it): the repair is a
:class:`~optuna.storages.journal.BaseJournalBackend` holding Optuna's ``JournalFileBackend``, and the
heartbeat goes through the public ``BaseStorage`` methods, the same way on every storage.

A database password: a URL given as ``--storage postgresql://user:PASSWORD@host/db`` is visible
to every user of the machine in ``ps``. Put the URL in ``$ECG_BENCH_STORAGE`` instead (read when
``--storage`` is not given), or leave the password out of the URL (``postgresql://user@host/db``)
and keep it in ``~/.pgpass`` (mode 0600; one line ``host:port:db:user:password``), which libpq
reads. No message of this module shows a password (:func:`redact`, :func:`scrub`).
"""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote, unquote

import optuna
from optuna.storages import JournalStorage, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import BaseJournalBackend, JournalFileBackend, JournalFileSymlinkLock
from optuna.trial import TrialState

from benchmark.errors import ConfigError
from benchmark.options import check_file

HEARTBEAT_S = 5
GRACE_S = 20
MAX_RETRY = 2
RDB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql")
STALE_REASON = "worker died (heartbeat stale)"
STORAGE_ENV = "ECG_BENCH_STORAGE"  # the storage URL when --storage is not given (keeps a password out of ps)
OP_START = b'{"op_code"'  # every journal operation is one JSON object that starts like this


# ------------------------------------------------------------------------------ the journal file
def move_torn_tail(path: str) -> None:
    """Cut an unterminated last line off the journal ``path`` into ``<path>.torn`` (appended there,
    nothing is deleted). Call it holding the journal lock: appends are whole lines written under
    that lock, so such a line can only be a write cut short by a crash."""
    with open(path, "r+b") as f:
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
        torn = path + ".torn"
        with open(torn, "ab") as out:
            out.write(fragment + b"\n")
            out.flush()
            os.fsync(out.fileno())
        f.truncate(start)
        f.flush()
        os.fsync(f.fileno())
    print(f"notice: {path}: a torn last line ({len(fragment)} bytes, from an interrupted write) "
          f"was moved to {torn}; every complete operation is kept", file=sys.stderr)


class RepairingLock(JournalFileSymlinkLock):
    """Optuna's journal lock (the same ``<journal>.lock``); once it is held, a torn last line is
    moved aside (:func:`move_torn_tail`), so Optuna's append that follows starts on a clean line."""

    def __init__(self, path: str):
        super().__init__(path)
        self.journal = path

    def acquire(self) -> bool:
        held = super().acquire()
        try:
            move_torn_tail(self.journal)
        except BaseException:
            self.release()
            raise
        return held


class RepairingJournalBackend(BaseJournalBackend):
    """A journal file that a crash cannot break, on Optuna's public backend contract.

    - :meth:`append_logs`: Optuna's ``JournalFileBackend`` writes, under a :class:`RepairingLock`.
    - :meth:`read_logs`: a tolerant reader. A line that is not valid JSON (a fragment written
      before this repair existed, with an operation glued behind it) gives the last complete
      operation inside it, or is skipped, with a warning; Optuna's own reader raises there, and
      every later command would fail. A log number counts operations, not lines (a skipped line
      gets none), so Optuna's count of what it has read stays right.
    """

    def __init__(self, path: str):
        self.path = path
        self.file = JournalFileBackend(path, lock_obj=RepairingLock(path))  # creates the file if missing
        self.offsets: dict[int, tuple[int, int]] = {0: (0, 0)}  # log number -> (byte, line) where its search starts

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        self.file.append_logs(logs)

    def read_logs(self, log_number_from: int) -> Iterator[dict[str, Any]]:
        number = log_number_from if log_number_from in self.offsets else 0
        with open(self.path, "rb") as f:
            pos, line_no = self.offsets[number]
            remaining = os.fstat(f.fileno()).st_size - pos  # what is appended while reading is read next time
            f.seek(pos)
            for line in f:
                remaining -= len(line)
                if remaining < 0 or not line.endswith(b"\n"):
                    break  # a line still being written (or torn): read it next time
                pos, line_no = pos + len(line), line_no + 1
                op = parse_line(line, self.path, line_no)
                if op is None:  # no operation: the next one is searched after this line
                    self.offsets[number] = (pos, line_no)
                    continue
                number += 1
                self.offsets[number] = (pos, line_no)
                if number > log_number_from:
                    yield op


def parse_line(line: bytes, path: str, line_no: int) -> dict[str, Any] | None:
    """The journal operation on ``line`` (1-based ``line_no``), the complete one glued behind a
    torn fragment, or None (with a warning)."""
    try:
        op = json.loads(line)
    except ValueError:  # not JSON, or not UTF-8 (a write cut inside a character)
        op = None
    if isinstance(op, dict) and "op_code" in op:
        return op
    pos = line.find(OP_START, 1)
    while pos > 0:
        try:
            op = json.loads(line[pos:])
        except ValueError:
            pos = line.find(OP_START, pos + 1)
            continue
        warnings.warn(f"{path}: line {line_no} starts with a torn fragment ({pos} bytes); "
                      "the operation after it was recovered")
        return op
    warnings.warn(f"{path}: line {line_no} is not a journal operation; skipped")
    return None


class RepairingJournalStorage(JournalStorage):
    """Optuna's journal storage on a :class:`RepairingJournalBackend`; picklable for worker processes
    (each reopens the same file)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        super().__init__(RepairingJournalBackend(self.path))

    def __reduce__(self):
        return (RepairingJournalStorage, (self.path,))


# ------------------------------------------------------------------------------ heartbeats
def trial_id(storage: optuna.storages.BaseStorage, study_name: str, number: int) -> int:
    """The storage's id of trial ``number`` of study ``study_name``."""
    return storage.get_trial_id_from_study_id_trial_number(storage.get_study_id_from_name(study_name), number)


class Heartbeat:
    """``with Heartbeat(storage, study_name, number):`` around a trial's work: its system attribute
    ``heartbeat`` holds ``{time, host, pid}``, renewed every ``interval`` seconds by a thread."""

    def __init__(self, storage: optuna.storages.BaseStorage, study_name: str, number: int,
                 interval: float = HEARTBEAT_S):
        self.storage, self.interval = storage, interval
        self.trial_id = trial_id(storage, study_name, number)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.keep_beating, name=f"heartbeat-{number}", daemon=True)

    def beat(self) -> None:
        self.storage.set_trial_system_attr(self.trial_id, "heartbeat", {"time": time.time(), "host": socket.gethostname(),
                                                                        "pid": os.getpid()})

    def keep_beating(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self.beat()
            except optuna.exceptions.UpdateFinishedTrialError:
                return  # another worker judged this trial stale meanwhile (this process stalled)

    def __enter__(self) -> "Heartbeat":
        self.beat()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(beat: dict | None, now: float, host: str, grace: float = GRACE_S) -> bool:
    """A heartbeat older than ``grace`` seconds, or from a process of this host that is gone (a
    SIGKILLed worker). A trial that never beat (one driven by Ray Tune) is not ours to judge."""
    if beat is None:
        return False
    return now - beat["time"] > grace or (beat["host"] == host and not pid_alive(beat["pid"]))


def fail_stale_trials(study: optuna.Study, storage: optuna.storages.BaseStorage, grace: float = GRACE_S) -> list[int]:
    """Store each running trial of ``study`` whose heartbeat is stale (:func:`is_stale`) as FAIL
    with ``fail_reason`` :data:`STALE_REASON`, and queue it again (:class:`RetryStaleTrial`, at most
    :data:`MAX_RETRY` times); the numbers of the trials it failed. ``storage`` is the study's. Each
    worker calls it before its first trial and after each one, as Optuna does for its RDB heartbeat;
    two workers that find the same trial fail and re-queue it once."""
    now, host = time.time(), socket.gethostname()
    study_id = storage.get_study_id_from_name(study.study_name)
    failed = []
    for trial in storage.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
        if not is_stale(trial.system_attrs.get("heartbeat"), now, host, grace):
            continue
        tid = storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
        try:
            storage.set_trial_user_attr(tid, "fail_reason", STALE_REASON)
            if storage.set_trial_state_values(tid, TrialState.FAIL):
                failed.append(copy.deepcopy(storage.get_trial(tid)))
        except (optuna.exceptions.UpdateFinishedTrialError, KeyError):
            pass  # finished meanwhile (its worker was alive after all, or another process failed it)
    retry = _retry_callback()
    for trial in failed:
        retry(study, trial)
    return [trial.number for trial in failed]


class RetryStaleTrial(RetryHeartbeatStaleTrialCallback):
    """Optuna's retry of a stale trial (same parameters and plan, ``failed_trial`` lineage), whose copy
    inherits neither the dead trial's ``fail_reason`` and partial results (fold rows, predictions) nor
    its ``heartbeat``: Optuna copies the system attributes, and a copied heartbeat names the dead
    process, so another worker would fail the retry as stale the moment it starts (seen when a
    killed search was resumed with two workers)."""

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        from benchmark.trial.predictions import PREFIX

        trial = copy.copy(trial)
        trial.user_attrs = {k: v for k, v in trial.user_attrs.items()
                            if k not in ("fail_reason", "folds") and not k.startswith(PREFIX)}
        trial.system_attrs = {k: v for k, v in trial.system_attrs.items() if k != "heartbeat"}
        super().__call__(study, trial)


def _retry_callback() -> RetryStaleTrial:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return RetryStaleTrial(max_retry=MAX_RETRY)


# ------------------------------------------------------------------------------ URLs and passwords
def storage_url(url: str | None) -> tuple[str | None, str]:
    """The storage URL a command uses, and its name in messages: ``--storage`` when given, else
    ``$ECG_BENCH_STORAGE`` when set (so that a password stays out of ``ps``), else ``(None,
    "--storage")``: the journal file at the default path."""
    if url is not None:
        return url, "--storage"
    env = os.environ.get(STORAGE_ENV, "").strip()
    return (env, f"${STORAGE_ENV}") if env else (None, "--storage")


QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


def passwords(url: str) -> list[str]:
    """The passwords a storage URL carries: in its ``user:password@`` part (up to the last ``@``) or
    as a ``password=`` query parameter."""
    found = [m.group(2) for m in QUERY_PASSWORD.finditer(url) if m.group(2)]
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        creds = rest.rsplit("@", 1)[0]
        if ":" in creds:
            found.append(creds.split(":", 1)[1])
    return found


def redact(url: str) -> str:
    """The URL with any password hidden (for messages): SQLAlchemy's own rendering,
    ``make_url(url).render_as_string(hide_password=True)``, and a ``password=`` query parameter
    hidden too; a journal path comes back as is.

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
        shown = parsed.render_as_string(hide_password=True)
    else:
        scheme, sep, rest = url.partition("://")
        shown = url
        if sep and "@" in rest:
            creds, host = rest.rsplit("@", 1)
            if ":" in creds:
                shown = f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return QUERY_PASSWORD.sub(r"\1***", shown)


def scrub(text: str, url: str | None) -> str:
    """``text`` (a driver's error, say) with ``url`` redacted and each of its passwords, in any
    spelling (as typed, percent-encoded or decoded), replaced by ``***``."""
    if not url:
        return text
    text = text.replace(url, redact(url))
    for secret in passwords(url):
        for form in sorted({secret, unquote(secret), quote(secret, safe=""), quote(unquote(secret), safe="")},
                           key=len, reverse=True):
            if form:
                text = text.replace(form, "***")
    return text


def check_journal_path(url: str | None, default_path: Path) -> Path | None:
    """The journal file that ``url`` names (``None``: ``$ECG_BENCH_STORAGE``, else the default; an
    RDB URL: no journal, returns None), checked without creating anything: not a folder, and in a
    writable place."""
    url, option = storage_url(url)
    if url is not None and not (url.startswith("journal:") or "://" not in url):
        return None
    path = Path(default_path if url is None else url.removeprefix("journal:"))
    check_file(path, option if url is not None else "journal")
    return path


def make_storage(url: str | None, default_path: Path) -> optuna.storages.BaseStorage:
    """``None`` -> ``$ECG_BENCH_STORAGE`` if set, else the journal file at ``default_path``; a path or
    ``journal:PATH`` -> journal file; ``sqlite:///``, ``postgresql://``, ``mysql://`` -> RDB storage.
    A bad or unreachable URL is one line naming it, never its password."""
    path = check_journal_path(url, default_path)
    url, option = storage_url(url)
    if path is not None:
        if url is not None and not path.parent.is_dir():
            raise ConfigError(f"{option} {url}: folder {path.parent} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        return RepairingJournalStorage(path)
    shown = redact(url)
    if option == "--storage" and passwords(url):
        print(f"notice: --storage {shown}: a password on the command line is visible to every user of this machine "
              f"(ps); set ${STORAGE_ENV} instead, or keep the password in ~/.pgpass", file=sys.stderr)
    scheme = url.split("://", 1)[0].split("+", 1)[0]
    if scheme not in RDB_SCHEMES:
        raise ConfigError(f"{option} {shown}: unsupported scheme {scrub(repr(scheme), url)} "
                          "(use a journal file path, sqlite:///, postgresql:// or mysql://)")
    try:
        return _rdb_storage(url)
    except ImportError as exc:
        raise ConfigError(f"{option} {shown}: database driver missing ({scrub(str(exc), url)}); "
                          "install the extra, e.g. pip install -e '.[postgres]'") from None
    except Exception as exc:
        reason = scrub(" ".join(str(exc).split()), url)[:200]
        raise ConfigError(f"{option} {shown}: cannot open ({type(exc).__name__}: {reason})") from None


def _rdb_storage(url: str, attempts: int = 5) -> RDBStorage:
    """An RDB storage; retried when workers starting together race to create the schema on a fresh
    database ("already exists")."""
    for attempt in range(attempts):
        try:
            return RDBStorage(url, engine_kwargs={"pool_pre_ping": True})
        except Exception as exc:
            if "already exists" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5 + attempt)
    raise AssertionError("unreachable")


def describe_storage(storage: optuna.storages.BaseStorage) -> str:
    if isinstance(storage, RepairingJournalStorage):
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
