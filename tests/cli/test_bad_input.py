"""Each bad input: one line naming the file or record, non-zero CLI exit, cache left unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmark.data.paths import cache_dir
from benchmark.errors import DataError
from benchmark.data.cohorts import load_cohort
from tests.conftest import REPO, make_cohort, write_record


@pytest.fixture
def cohort_dir(tmp_path, standin):
    make_cohort(tmp_path / "c", standin, n=40, positives=16)
    return tmp_path / "c"


@pytest.fixture(scope="module")
def cache_snapshot():
    """Bytes of every file already in the store; each test asserts they did not change."""

    def snap():
        root = cache_dir() / "store"
        return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock")}

    return snap


def _record(cohort_dir: Path, i: int = 0) -> Path:
    return sorted((cohort_dir / "records").glob("*.hea"))[i]


def _break(cohort_dir: Path, kind: str) -> str:
    """Damage the cohort; return the texts (joined by '|') the error must contain."""
    hea = _record(cohort_dir)
    labels = cohort_dir / "labels.csv"
    lines = labels.read_text().splitlines()
    if kind == "corrupt_header":
        hea.write_text("this is not a header\n")
        return str(hea)
    if kind == "truncated_signal":
        dat = hea.with_suffix(".dat")
        dat.write_bytes(dat.read_bytes()[:5000])
        return str(hea)
    if kind in ("nan_lead", "flat_lead", "unknown_lead", "low_fs"):
        from benchmark.data.signals import CANONICAL_LEADS, read_wfdb

        sig = read_wfdb(hea.with_suffix("")).data.T.copy()
        leads, fs = list(CANONICAL_LEADS), 100.0
        if kind == "nan_lead":
            sig[100:110, 3] = np.nan
        elif kind == "flat_lead":
            sig[:, 7] = 0.25
        elif kind == "unknown_lead":
            leads[4] = "XYZ"
        else:
            fs = 40.0
        write_record(hea.parent, hea.stem, sig, fs, leads)
        return {"nan_lead": "NaN", "flat_lead": "flat lead(s) V2", "unknown_lead": "unknown lead name 'XYZ'",
                "low_fs": "unsupported sampling rate 40"}[kind] + "|" + str(hea)
    if kind == "row_without_record":
        labels.write_text("\n".join(lines + ["records/ghost,p99,1"]) + "\n")
        return "'records/ghost' has no WFDB header"
    if kind == "record_without_label":
        labels.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
        return f"{hea}: record 'records/{hea.stem}' has no row"
    if kind == "bad_label":
        labels.write_text("\n".join(lines[:1] + [lines[1].rsplit(",", 1)[0] + ",2"] + lines[2:]) + "\n")
        return "labels must be 0 or 1"
    if kind == "missing_label":
        labels.write_text("\n".join(lines[:1] + [lines[1].rsplit(",", 1)[0] + ","] + lines[2:]) + "\n")
        return "label 'missing'"
    if kind == "duplicate_record":
        labels.write_text("\n".join(lines + [lines[1]]) + "\n")
        return "duplicate record id"
    if kind == "too_few_positives":
        body = [line.rsplit(",", 1)[0] + ("," + ("1" if i < 4 else "0")) for i, line in enumerate(lines[1:])]
        labels.write_text("\n".join(lines[:1] + body) + "\n")
        return "too few positives for 5 folds"
    raise ValueError(kind)


KINDS = ["corrupt_header", "truncated_signal", "nan_lead", "flat_lead", "unknown_lead", "low_fs",
         "row_without_record", "record_without_label", "bad_label", "missing_label", "duplicate_record",
         "too_few_positives"]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_cohort_input(kind, cohort_dir, standin, cache_snapshot, tmp_path):
    from benchmark.data.splits import make_split

    load_cohort(cohort_dir).with_signals()  # a good cache entry for this cohort exists before the damage
    before = cache_snapshot()
    expected = _break(cohort_dir, kind)
    with pytest.raises(DataError) as info:
        cohort = load_cohort(cohort_dir).with_signals()
        make_split(cohort.table, 5, 0.2, 0, what=str(cohort_dir))
    message = str(info.value)
    assert all(part in message for part in expected.split("|")) and "\n" not in message
    assert cache_snapshot() == before  # nothing already cached was lost or overwritten


@pytest.mark.parametrize("kind", ["nan_lead", "bad_label"])
def test_cli_exits_nonzero_with_one_line(kind, cohort_dir, tmp_path):
    expected = _break(cohort_dir, kind)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmark.data", "check", "--cohort", str(cohort_dir), "--results-dir", str(tmp_path / "r")],
        capture_output=True, text=True, cwd=REPO,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert all(part in proc.stderr for part in expected.split("|"))


def test_nan_never_reaches_a_model(cohort_dir):
    cohort = load_cohort(cohort_dir).with_signals()
    assert np.isfinite(cohort.X()).all()


def _cli(module: str, argv: list[str], capsys) -> tuple[int, str]:
    """Run a CLI main in-process; its exit code and stderr."""
    import importlib

    with pytest.raises(SystemExit) as info:
        importlib.import_module(module).main(argv)
    return info.value.code, capsys.readouterr().err


SEARCH = ["--task", "pe", "--budget", "smoke", "--trials", "1"]


@pytest.mark.parametrize("argv,fragment", [
    (["--fs", "0"], "--fs 0 Hz is outside the rates this benchmark uses (50-1000 Hz)"),
    (["--fs", "-100"], "--fs -100 Hz is outside"),
    (["--fs", "nan"], "--fs nan Hz is outside"),
    (["--fs", "inf"], "--fs inf Hz is outside"),
    (["--fs", "0.001"], "--fs 0.001 Hz is outside"),
    (["--fs", "7"], "--fs 7 Hz is outside"),
    (["--folds", "0"], "--folds must be at least 2, got 0"),
    (["--timeout", "-5"], "--timeout must be a positive number of seconds, got -5"),
    (["--models", ","], "--models ',' names no model"),
    (["--results-dir", "{file}"], "--results-dir {file}: is a file, not a folder"),
    (["--results-dir", "{file}/sub"], "--results-dir {file}/sub: {file} is a file, so no folder can be made there"),
    (["--storage", "{dir}"], "--storage {dir}: is a folder, not a file"),
])
def test_bad_search_option_is_one_line_and_exit_2(argv, fragment, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    subs = {"{file}": str(tmp_path / "afile"), "{dir}": str(tmp_path / "adir")}
    for key, value in subs.items():
        argv = [a.replace(key, value) for a in argv]
        fragment = fragment.replace(key, value)
    results = tmp_path / "results"
    code, err = _cli("benchmark.search", SEARCH + ["--results-dir", str(results), *argv], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and fragment in err, err
    assert not results.exists()  # nothing written


def test_cache_path_that_is_a_file_is_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "cachefile").write_text("x")
    monkeypatch.setenv("ECG_BENCH_CACHE", str(tmp_path / "cachefile"))
    code, err = _cli("benchmark.search", SEARCH + ["--results-dir", str(tmp_path / "r")], capsys)
    assert code == 2 and err.count("\n") == 1 and "cache folder ($ECG_BENCH_CACHE)" in err and "is a file" in err


def test_leaderboard_out_that_is_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "outfile").write_text("x")
    code, err = _cli("benchmark.leaderboard.__main__", ["--task", "pe", "--results-dir", str(tmp_path / "r"),
                                               "--out", str(tmp_path / "outfile")], capsys)
    assert code == 2 and err.count("\n") == 1 and f"--out {tmp_path / 'outfile'}: is a file, not a folder" in err


def test_read_only_results_folder_is_one_line(tmp_path, capsys, monkeypatch):
    """Tests run as root, who may write anywhere; so the permission answer is simulated (os.access
    is what the check asks), which tests the check and its message, not the file system."""
    import os

    readonly = tmp_path / "ro"
    readonly.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == readonly else real(p, mode, **kw))
    code, err = _cli("benchmark.search", SEARCH + ["--results-dir", str(readonly / "results")], capsys)
    assert code == 2 and err.count("\n") == 1 and f"folder {readonly} is not writable" in err
    assert not (readonly / "results").exists()


def _rewrite(hea: Path, kind: str) -> None:
    from benchmark.data.signals import CANONICAL_LEADS, read_wfdb

    sig = read_wfdb(hea.with_suffix("")).data.T.copy()
    leads = list(CANONICAL_LEADS)
    if kind == "unknown_lead":
        leads[4] = "XYZ"
    elif kind == "nan":
        sig[100:110, 3] = np.nan
    else:
        sig[:, 7] = 0.25
    write_record(hea.parent, hea.stem, sig, 100.0, leads)


def test_bad_locked_test_records_refused_before_any_trial(cohort_dir, tmp_path, capsys):
    """Every record is validated before the search starts, the locked test included, and all bad
    ones are named in one report; nothing (split, journal, folder) is written."""
    import pandas as pd

    labels = pd.read_csv(cohort_dir / "labels.csv")
    labels["split"] = ["test" if p in {"p0", "p1", "p2", "p3"} else "dev" for p in labels["patient_id"]]
    labels.to_csv(cohort_dir / "labels.csv", index=False)
    test_rec = [cohort_dir / f"{r}.hea" for r in labels.loc[labels["split"] == "test", "record"]]
    dev_rec = [cohort_dir / f"{r}.hea" for r in labels.loc[labels["split"] == "dev", "record"]]
    bad = {test_rec[0]: "unknown lead name 'XYZ'", test_rec[3]: "10 NaN/inf samples", dev_rec[5]: "flat lead(s) V2"}
    for hea, kind in zip(bad, ("unknown_lead", "nan", "flat")):
        _rewrite(hea, kind)
    results = tmp_path / "results"
    code, err = _cli("benchmark.search", SEARCH + ["--cohort", str(cohort_dir), "--results-dir", str(results),
                                                   "--models", "minirocket"], capsys)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert "3 of 40 records are bad" in err
    for hea, problem in bad.items():
        assert f"{hea}: {problem}" in err
    assert not results.exists()  # no split file, no journal, no folder


def test_split_of_a_changed_cohort_says_how_to_start_over(cohort_dir, tmp_path, capsys):
    import pandas as pd

    results = tmp_path / "results"
    argv = ["describe", "--cohort", str(cohort_dir), "--results-dir", str(results), "--json"]
    from benchmark.data.__main__ import main

    main(argv)
    capsys.readouterr()
    labels = pd.read_csv(cohort_dir / "labels.csv")
    labels.loc[0, "label"] = 1 - labels.loc[0, "label"]
    labels.to_csv(cohort_dir / "labels.csv", index=False)
    code, err = _cli("benchmark.data.__main__", argv, capsys)
    old = results / "pe"
    assert code == 2 and err.count("\n") == 1 and "its records, patients or labels changed" in err
    command = err.split("nothing is deleted): ")[1].split(" (or pass")[0]
    assert command.startswith(f"mv {old} {old}.old-")
    subprocess.run(command.split(), check=True)  # the command it gives works, and keeps the old split
    main(argv)
    assert (Path(command.split()[2]) / "split-k5-seed0.json").is_file() and (old / "split-k5-seed0.json").is_file()


def test_every_bad_labels_row_in_one_report(cohort_dir):
    labels = cohort_dir / "labels.csv"
    lines = labels.read_text().splitlines()
    bad_label = lines[1].rsplit(",", 1)[0] + ",2"
    labels.write_text("\n".join([lines[0], bad_label, *lines[2:], lines[3], "records/ghost,p99,1"]) + "\n")
    with pytest.raises(DataError) as info:
        load_cohort(cohort_dir)
    message = str(info.value)
    assert message.startswith(f"{labels}: 3 problems") and "\n" not in message
    assert "labels must be 0 or 1" in message and "duplicate record id" in message and "'records/ghost' has no WFDB header" in message
