"""What a user types: --version everywhere, the ecg-bench console script, one option name per
concept, options before or after a subcommand, the split a budget uses, a readable resume refusal,
the stand-in notice."""

from __future__ import annotations

import importlib
from pathlib import Path
import json
from types import SimpleNamespace

import pytest

import benchmark
from benchmark.cli.main import COMMANDS
from benchmark.cli.main import main as ecg_bench
from benchmark.errors import ConfigError
from tests.conftest import REPO


@pytest.mark.parametrize("module", sorted(COMMANDS.values()))
def test_version_on_every_command(module, capsys):
    with pytest.raises(SystemExit) as done:
        importlib.import_module(module).main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"ecg-automl-bench {benchmark.__version__}"


def test_console_script_is_declared_and_dispatches(tmp_path, capsys):
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["ecg-bench"] == "benchmark.cli.main:main"
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "benchmark.__version__"}  # one place
    ecg_bench(["--version"])
    assert capsys.readouterr().out.strip() == f"ecg-automl-bench {benchmark.__version__}"
    ecg_bench(["data", "describe", "--json", "--results-dir", str(tmp_path)])
    assert json.loads(capsys.readouterr().out)["records"] == 300
    with pytest.raises(SystemExit) as bad:
        ecg_bench(["serach"])
    assert bad.value.code == 2 and "unknown command 'serach'" in capsys.readouterr().err


def test_study_is_one_name_in_every_command():
    from benchmark.search import build_parser

    search = build_parser()
    assert search.parse_args(["--study", "s1"]).study == "s1"
    assert search.parse_args(["--study-name", "s1"]).study == "s1"  # the old spelling still works ...
    assert "--study-name" not in search.format_help() and "--study " in search.format_help()  # ... but is not advertised
    for module in ("benchmark.leaderboard.__main__", "benchmark.reproduce"):
        source = (REPO / (module.replace(".", "/") + ".py")).read_text()
        assert '"--study"' in source or "add_study_options" in source, module


def _describe(capsys, *argv) -> dict:
    from benchmark.data.__main__ import main

    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_data_options_before_or_after_the_subcommand(tmp_path, capsys):
    r = str(tmp_path)
    after = _describe(capsys, "describe", "--json", "--results-dir", r, "--split-seed", "1", "--folds", "4")
    before = _describe(capsys, "--results-dir", r, "--split-seed", "1", "--folds", "4", "describe", "--json")
    mixed = _describe(capsys, "--results-dir", r, "describe", "--split-seed", "1", "--json", "--folds", "4")
    assert after == before == mixed
    assert len(after["folds"]) == 4 and after["split_file"].endswith("split-k4-seed1.json")
    default = _describe(capsys, "describe", "--json", "--results-dir", r)
    assert len(default["folds"]) == 5 and default["split_hash"] != after["split_hash"]


def test_describe_shows_the_split_a_budget_uses(tmp_path, capsys):
    from benchmark.study.budgets import get_budget
    from benchmark.data.__main__ import main
    from benchmark.cli.experiment import split_path

    smoke = _describe(capsys, "describe", "--budget", "smoke", "--json", "--results-dir", str(tmp_path))
    assert len(smoke["folds"]) == get_budget("smoke").folds == 3 and smoke["budget"] == "smoke"
    assert smoke["split_file"] == str(split_path(tmp_path, "pe", 3, 0))  # the file the smoke search reads
    main(["describe", "--budget", "smoke", "--results-dir", str(tmp_path)])
    assert "3 patient-grouped dev folds + locked test (the split of a --budget smoke search)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:
        main(["describe", "--budget", "smoke", "--folds", "5", "--results-dir", str(tmp_path)])
    assert bad.value.code == 2 and "--folds 5 disagrees with --budget smoke (3 folds)" in capsys.readouterr().err


def _ctx(models: list[str], choices=("none", "ptbxl")):
    """The parts of a SearchContext that open_study reads."""
    from benchmark.study.budgets import get_budget

    budget = get_budget("smoke")
    identity = {"task": "pe", "cohort": "c", "manifest_hash": "m", "split_hash": "s", "budget": "smoke", "seed": 0,
                "fs": 100.0, "models": models}
    return SimpleNamespace(identity=lambda: identity, seed=0, split=SimpleNamespace(n_folds=3, repeats=1), budget=budget,
                           pretrain_choices=list(choices), cohort=SimpleNamespace(description="d"), models=models,
                           searched_models=lambda: models, ceiling=None)


def test_resuming_with_another_model_list_names_only_the_difference(tmp_path):
    from benchmark.engines.study import open_study
    from benchmark.engines.storage import make_storage
    from benchmark.study.space import all_models

    models = all_models()
    assert len(models) >= 20
    storage = make_storage(None, tmp_path / "study.journal")
    open_study(storage, "s", _ctx(models[:-1]))
    with pytest.raises(ConfigError) as info:
        open_study(storage, "s", _ctx(models))
    message = str(info.value)
    assert f"other models (this command adds {models[-1]})" in message and "choose another --study" in message
    assert models[0] not in message and len(message) < 200
    with pytest.raises(ConfigError, match=f"drops {models[-2]}"):
        open_study(storage, "s", _ctx(models[:-2]))
    with pytest.raises(ConfigError, match="other pretraining sources \\(drops ptbxl\\)"):
        open_study(storage, "s", _ctx(models[:-1], choices=("none",)))


def test_workers_starting_together_all_see_the_whole_identity(tmp_path):
    """Several workers open one new study at once: one creates it, and each other worker reads the
    identity and everything recorded with it (a worker that read the identity but not yet the
    pretraining sources refused the study: a CI failure of the two-worker PostgreSQL test)."""
    import threading

    from benchmark.engines.study import open_study
    from benchmark.engines.storage import make_storage

    models = ["minirocket", "vgg11_1d"]
    errors, opened = [], []

    def worker():
        try:
            opened.append(open_study(make_storage(None, tmp_path / "study.journal"), "s", _ctx(models)))
        except Exception as error:  # noqa: BLE001 - the test reports every worker's failure
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(opened) == 8
    assert {s._study_id for s in opened} == {opened[0]._study_id}


def test_a_worker_waits_for_the_creator_to_record_the_identity(tmp_path, monkeypatch):
    import threading

    import optuna

    import benchmark.engines.study as study_module
    from benchmark.engines.storage import make_storage

    storage = make_storage(None, tmp_path / "study.journal")
    ctx = _ctx(["minirocket"])
    recorded = study_module.open_study(make_storage(None, tmp_path / "other.journal"), "s", ctx).user_attrs
    made = optuna.create_study(study_name="s", storage=storage, direction="maximize")
    for key, value in recorded.items():  # the creator is between its writes: all but the identity (the last)
        if key != "identity":
            made.set_user_attr(key, value)
    result = {}
    waiter = threading.Thread(target=lambda: result.update(study=study_module.open_study(storage, "s", ctx)))
    waiter.start()
    waiter.join(timeout=1.5)
    assert waiter.is_alive()  # it waits rather than judging a half-recorded study
    made.set_user_attr("identity", ctx.identity())
    waiter.join(timeout=10)
    assert not waiter.is_alive() and result["study"].user_attrs["identity"] == ctx.identity()
    monkeypatch.setattr(study_module, "IDENTITY_WAIT_S", 0.5)
    optuna.create_study(study_name="orphan", storage=storage, direction="maximize")
    with pytest.raises(ConfigError, match="'orphan' has no recorded identity after 0 s"):
        study_module.open_study(storage, "orphan", ctx)


def test_reproduce_output_starts_with_the_cohort_notice():
    from benchmark.reproduce import standin_notice
    from benchmark.data.cohorts import STANDIN_NAME

    standin = SimpleNamespace(user_attrs={"identity": {"cohort": STANDIN_NAME}})
    assert standin_notice(standin).startswith("notice: PUBLIC STAND-IN, NOT A PE LABEL")
    mine = SimpleNamespace(user_attrs={"identity": {"cohort": "cohort:mine"}})
    assert standin_notice(mine) == "cohort: cohort:mine"


def test_the_add_a_model_page_names_what_must_be_filled():
    section = (REPO / "docs" / "extending" / "model.md").read_text()
    for required in ("stages", "head", "features("):
        assert required in section, required


def test_our_tests_package_is_not_shadowed():
    """baycomp installs a top-level ``tests`` package; pytest's ``pythonpath`` keeps this one first."""
    import tests

    assert Path(tests.__file__).resolve().parent == REPO / "tests"
