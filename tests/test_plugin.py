"""One plugin surface: a package that uses only ``from benchmark import ...`` and declares one entry
point (group ``ecg_automl_bench.plugins``) adds a model, its space, a normalization and a
pretraining source, found by every command; ``benchmark.testing`` passes them; a broken plugin is
one line naming its entry point.

The plugin is ``tests/plugin_pkg`` (copied into a temporary folder first, so nothing here is
written). The fast tests make it visible with a ``.dist-info`` folder on ``PYTHONPATH``; the
acceptance test installs it with ``pip install -e`` into a throwaway virtual environment that
sees this interpreter's packages (so no other process on this interpreter ever loads it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO
from tests.searchutil import load

PLUGIN = Path(__file__).parent / "plugin_pkg"
GROUP = "ecg_automl_bench.plugins"

LISTING = """
import json
from benchmark.plugins import load_plugins
names = load_plugins()
from benchmark.data.sources import pretraining_sources
from benchmark.models import model_info
from benchmark.study.space import all_models, load_spaces
from benchmark.transforms import transform_choices
print(json.dumps({"plugins": names, "models": all_models(), "family": model_info("plugnet").family,
                  "spaces": list(load_spaces()), "normalizations": list(transform_choices("normalization")),
                  "filters": list(transform_choices("filter")), "pretraining": list(pretraining_sources())}))
"""


def _visible_plugin(tmp_path: Path, module_text: str | None = None, value: str = "plugdemo") -> dict:
    """A copy of the plugin with a ``.dist-info`` beside it: the environment that makes
    ``importlib.metadata`` find its entry point."""
    root = tmp_path / "site"
    shutil.copytree(PLUGIN / "plugdemo", root / "plugdemo")
    if module_text is not None:
        (root / "plugdemo" / "__init__.py").write_text(module_text)
    dist = root / "ecg_bench_plugdemo-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ecg-bench-plugdemo\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\nplugdemo = {value}\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}


def _run(args: list[str], env: dict, python: str = sys.executable) -> subprocess.CompletedProcess:
    return subprocess.run([python, *args], capture_output=True, text=True, cwd=REPO, env=env)


def test_plugin_parts_are_registered_after_the_builtins(tmp_path):
    proc = _run(["-c", LISTING], _visible_plugin(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout)
    assert found["plugins"] == ["plugdemo"]
    assert "plugnet" in found["models"] and found["family"] == "plugnet" and found["spaces"][-1] == "plugnet"
    # the built-ins keep their places (the sampler draws by index); the plugin's come after them
    assert found["normalizations"] == ["none", "minmax", "zscore", "robust", "log", "l2", "zscore_dataset", "plug_median"]
    assert found["filters"] == ["none", "bandpass", "baseline"]
    assert found["pretraining"] == ["ptbxl", "cpsc2018", "plugsrc"]


def test_load_plugins_names_the_failing_entry_point_and_tries_again(monkeypatch):
    from importlib.metadata import EntryPoint

    from benchmark import plugins
    from benchmark.errors import ConfigError

    broken = EntryPoint("broken", "no_such_module_xyz", GROUP)
    monkeypatch.setattr(plugins, "entry_points", lambda group: [broken] if group == GROUP else [])
    monkeypatch.setitem(plugins._STATE, "loaded", False)
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"^plugin 'broken' \(no_such_module_xyz, group ecg_automl_bench\.plugins\) "
                                              r"cannot be loaded: ModuleNotFoundError: No module named 'no_such_module_xyz'$"):
            plugins.load_plugins()


BROKEN = "import plugdemo_missing_dependency\n"


@pytest.mark.parametrize("command", [
    ["-m", "benchmark.search", "--task", "pe", "--trials", "1"],
    ["-m", "benchmark.reproduce", "--task", "pe", "--trial", "0"],
    ["-m", "benchmark.leaderboard", "--task", "pe"],
    ["-m", "benchmark.data", "describe"],
])
def test_a_broken_plugin_is_one_line_naming_its_entry_point(tmp_path, command):
    env = _visible_plugin(tmp_path, module_text=BROKEN)
    proc = _run([*command, "--results-dir", str(tmp_path / "r")], env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: plugin 'plugdemo' (plugdemo, group ecg_automl_bench.plugins, "
                                                   "package ecg-bench-plugdemo 0.1.0) cannot be loaded: "), proc.stderr
    assert "ModuleNotFoundError" in lines[0] and "plugdemo_missing_dependency" in lines[0]
    assert not (tmp_path / "r").exists()  # nothing was read or written before


def test_a_space_of_another_family_than_its_models_is_refused():
    from benchmark.errors import ConfigError
    from benchmark.study.space import SpaceEntry, check_space

    entry = SpaceEntry("plugfamily", ("resnet1d18",), "deep",
                       lambda trial, model: {"width": trial.suggest_categorical("width", [16])}, "/plugins/space.py")
    with pytest.raises(ConfigError, match=r"^/plugins/space\.py: model 'resnet1d18' is registered with family 'resnet1d' "
                                          r"\(@register_model in benchmark\.models\.resnet1d\), not 'plugfamily'"):
        check_space(entry)


def _demo_records(root: Path, n: int = 60, seed: int = 0) -> Path:
    """``<root>/plugsrc/``: ``n`` labelled 10 s records at 100 Hz (two per patient)."""
    rng = np.random.default_rng(seed)
    folder = root / "plugsrc"
    folder.mkdir(parents=True)
    t = np.arange(1000) / 100.0
    rows = []
    for i in range(n):
        a, b = int(rng.random() < 0.4), int(rng.random() < 0.3)
        beat = np.sin(2 * np.pi * (1.0 + 0.5 * a) * t) ** 9
        x = rng.uniform(0.3, 1.5, (12, 1)) * beat + 0.2 * b * np.sin(2 * np.pi * 0.3 * t) \
            + 0.05 * rng.standard_normal((12, 1000))
        np.save(folder / f"r{i:03d}.npy", x.astype(np.float32))
        rows.append({"record_id": f"r{i:03d}", "patient_id": f"p{i // 2:03d}", "a": a, "b": b})
    pd.DataFrame(rows).to_csv(folder / "records.csv", index=False)
    return folder


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=REPO, capture_output=True,
                          text=True).stdout


@pytest.mark.slow
def test_installed_plugin_joins_the_search_and_passes_the_kit(tmp_path):
    before = _git_status()
    pkg = tmp_path / "plugdemo-src"
    shutil.copytree(PLUGIN, pkg)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python]
    install = subprocess.run([*pip, "install", "--no-deps", "--no-build-isolation", "--no-input", "-e", str(pkg)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    try:
        data = tmp_path / "data"
        records = _demo_records(data)
        results = tmp_path / "r"
        proc = _run(["-m", "benchmark.search", "--task", "pe", "--budget", "smoke", "--results-dir", str(results),
                     "--data-dir", str(data), "--trials", "1", "--models", "plugnet", "--ablation-families", "0"],
                    dict(os.environ), python)
        assert proc.returncode == 0, proc.stderr[-3000:]
        study = load(results)
        trial = study.trials[0]
        assert trial.state.name == "COMPLETE" and trial.params["model"] == "plugnet" and "plugnet.width" in trial.params
        assert trial.user_attrs["config"]["family"] == "plugnet"
        # the plugin's normalization and pretraining source are choices of the study, after the built-ins
        assert trial.distributions["normalization"].choices[-1] == "plug_median"
        assert "plug_median" in study.user_attrs["budget_settings"]["normalizations"]
        pretrain = list(trial.distributions["pretrain"].choices)
        assert pretrain[:3] == ["none", "random_frozen", "ptbxl"] and "plugsrc" in pretrain
        assert study.user_attrs["pretrain_choices"] == pretrain
        kit = ("import plugdemo\n"
               "from benchmark.plugins import load_plugins\n"
               "from benchmark.testing import check_model, check_source, check_space, check_transform\n"
               "load_plugins()\n"
               "check_model('plugnet'); check_space('plugnet'); check_transform(plugdemo.MedianCentre)\n"
               f"check_source('plugsrc', {str(records)!r}); print('kit passed')\n")
        proc = _run(["-c", kit], dict(os.environ), python)
        assert proc.returncode == 0 and "kit passed" in proc.stdout, proc.stderr[-3000:]
    finally:
        subprocess.run([*pip, "uninstall", "-y", "ecg-bench-plugdemo"], capture_output=True, text=True)
    assert _git_status() == before  # no file of this repo was written
