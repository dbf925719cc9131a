"""What the security guidance promises and code can check: a database password never reaches a
message (error lines, notices, the search's closing summary), and the storage URL can come from
``$ECG_BENCH_STORAGE`` (or the password from ``~/.pgpass``, which libpq reads when the URL has none)
instead of the command line, where ``ps`` shows it to every user."""

from __future__ import annotations

import pytest

from benchmark.engines.storage import STORAGE_ENV, check_journal_path, make_storage, passwords, redact, scrub
from benchmark.errors import ConfigError

SECRET = "s3cr3tPw"


@pytest.fixture(autouse=True)
def no_storage_env(monkeypatch):
    monkeypatch.delenv(STORAGE_ENV, raising=False)


@pytest.mark.parametrize("url", [
    f"postgresql://bench:{SECRET}@db.example:5432/optuna",
    f"postgresql+psycopg://bench:{SECRET}@db.example/optuna",
    f"postgresql://bench:{SECRET}@part@db.example/optuna",  # an unescaped @ in the password
    f"postgresql://bench:{SECRET}@db.example:notaport/optuna",  # SQLAlchemy refuses the port
    f"my-db://bench:{SECRET}@db.example/optuna",  # a scheme SQLAlchemy refuses
    f"postgresql://bench@db.example/optuna?password={SECRET}&sslmode=require",
    f"mysql://bench:{SECRET.replace('Pw', '%40Pw')}@db.example/optuna",  # percent-encoded
])
def test_redact_hides_every_spelling_of_the_password(url):
    shown = redact(url)
    assert SECRET[:6] not in shown and "***" in shown and "db.example" in shown
    assert SECRET[:6] not in scrub(f"could not connect to {url} (password {passwords(url)[0]} rejected)", url)


def test_scrub_hides_a_decoded_or_encoded_password_in_a_driver_message():
    url = "postgresql://bench:p%40ss%2Fw0rd@db.example/optuna"
    message = 'FATAL: password "p@ss/w0rd" rejected; dsn=postgresql://bench:p%40ss%2Fw0rd@db.example/optuna'
    cleaned = scrub(message, url)
    assert "p@ss/w0rd" not in cleaned and "p%40ss%2Fw0rd" not in cleaned and "***" in cleaned


def test_a_journal_path_is_shown_as_is():
    assert redact("results/pe/study.journal") == "results/pe/study.journal"
    assert passwords("results/pe/study.journal") == []


@pytest.mark.parametrize("url,fragment", [
    (f"postgresql://bench:{SECRET}@127.0.0.1:1/optuna", "cannot open"),  # nothing listens on port 1
    (f"postgresql://bench:{SECRET}@127.0.0.1:notaport/optuna", "cannot open"),
    (f"nosuchdb://bench:{SECRET}@127.0.0.1/optuna", "unsupported scheme"),
])
def test_a_bad_database_url_is_one_line_without_the_password(url, fragment, tmp_path, capsys):
    if fragment == "cannot open":
        pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    with pytest.raises(ConfigError) as info:
        make_storage(url, tmp_path / "study.journal")
    line = str(info.value)
    assert "\n" not in line and fragment in line and line.startswith("--storage ") and "bench:***@" in line
    assert SECRET not in line and SECRET not in capsys.readouterr().err
    exc = info.value  # no traceback can show the driver's text
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)


def test_a_password_on_the_command_line_gets_a_notice_without_it(tmp_path, capsys):
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    with pytest.raises(ConfigError):
        make_storage(f"postgresql://bench:{SECRET}@127.0.0.1:1/optuna", tmp_path / "study.journal")
    err = capsys.readouterr().err
    assert "notice: --storage postgresql://bench:***@127.0.0.1:1/optuna" in err and "ps" in err
    assert STORAGE_ENV in err and "~/.pgpass" in err and SECRET not in err


def test_the_storage_url_can_come_from_the_environment(tmp_path, monkeypatch, capsys):
    from optuna.storages import RDBStorage

    db = tmp_path / "env.db"
    monkeypatch.setenv(STORAGE_ENV, f"sqlite:///{db}")
    assert check_journal_path(None, tmp_path / "study.journal") is None  # not the default journal
    storage = make_storage(None, tmp_path / "study.journal")
    assert isinstance(storage, RDBStorage) and db.exists() and not (tmp_path / "study.journal").exists()
    assert make_storage(str(tmp_path / "cli.journal"), tmp_path / "study.journal").path == str(tmp_path / "cli.journal")
    assert "notice" not in capsys.readouterr().err  # --storage wins, and the variable is out of ps


def test_an_error_from_the_environment_names_the_variable_not_the_password(tmp_path, monkeypatch, capsys):
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    monkeypatch.setenv(STORAGE_ENV, f"postgresql://bench:{SECRET}@127.0.0.1:1/optuna")
    with pytest.raises(ConfigError) as info:
        make_storage(None, tmp_path / "study.journal")
    line = str(info.value)
    assert line.startswith(f"${STORAGE_ENV} postgresql://bench:***@127.0.0.1:1/optuna: cannot open")
    assert SECRET not in line and "notice" not in capsys.readouterr().err


def test_the_search_summary_never_shows_the_password(monkeypatch):
    from benchmark.search import storage_hint

    assert storage_hint(None, "results") == "--results-dir results"
    assert storage_hint(f"postgresql://bench:{SECRET}@db/optuna", "results") == "--storage postgresql://bench:***@db/optuna"
    monkeypatch.setenv(STORAGE_ENV, f"postgresql://bench:{SECRET}@db/optuna")
    assert storage_hint(None, "results") == f'--storage "${STORAGE_ENV}"'


def test_the_search_command_error_line_has_no_password(tmp_path, capsys):
    """The whole command: validate, load the data, open the storage; exit 2 with one error line."""
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    from benchmark.search import main

    with pytest.raises(SystemExit) as done:
        main(["--task", "pe", "--budget", "smoke", "--trials", "1", "--models", "minirocket",
              "--results-dir", str(tmp_path), "--storage", f"postgresql://bench:{SECRET}@127.0.0.1:1/optuna"])
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert done.value.code == 2 and len(errors) == 1 and "bench:***@127.0.0.1:1" in errors[0]
    assert SECRET not in captured.err + captured.out


def test_the_storage_help_says_how_to_keep_a_password_out_of_ps():
    from benchmark.search import build_parser

    text = " ".join(build_parser().format_help().split())
    assert STORAGE_ENV in text and "~/.pgpass" in text and "ps" in text


def test_a_local_ray_starts_without_its_dashboard_and_job_api():
    """docs/security.md: without --address the local Ray has no dashboard (its unauthenticated job API)."""
    import ast
    import inspect

    import benchmark.engines.ray_engine as ray_engine

    calls = [n for n in ast.walk(ast.parse(inspect.getsource(ray_engine))) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "init" and getattr(n.func.value, "id", "") == "ray"]
    local = [c for c in calls if not any(k.arg == "address" for k in c.keywords)]
    assert local, "no local ray.init call found"
    for call in local:
        flags = {k.arg: k.value for k in call.keywords}
        assert isinstance(flags.get("include_dashboard"), ast.Constant) and flags["include_dashboard"].value is False
