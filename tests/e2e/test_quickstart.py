"""The README's quick start, run as written in a clean clone, leaves ``git status`` clean: its study,
tables and page land beside the study (``results/``, ignored), never in the committed
``leaderboard/``. The commands are read from the README's quick-start block, so the test follows it;
only the search's trial count is lowered (6 -> 2) to keep the suite short."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def quickstart_commands() -> list[list[str]]:
    text = (REPO / "README.md").read_text()
    block = re.search(r"## Quick start\s+```bash\n(.*?)```", text, re.S)
    assert block, "README.md has no ```bash block under '## Quick start'"
    commands = []
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("export "):
            continue
        args = shlex.split(line)
        if "--trials" in args:
            args[args.index("--trials") + 1] = "2"
        assert args[0] == "python", f"quick-start line is not a python command: {line}"
        commands.append([sys.executable, *args[1:]])
    return commands


def test_the_quickstart_block_is_read():
    commands = quickstart_commands()
    names = [c[2] for c in commands]
    assert "benchmark.search" in names and "benchmark.leaderboard" in names and "benchmark.reproduce" in names


@pytest.mark.slow
def test_the_quickstart_in_a_clean_clone_leaves_git_status_clean(tmp_path, data_root):
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and this repo's history")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)], check=True)
    before = subprocess.run(["git", "status", "--porcelain"], cwd=clone, text=True, capture_output=True).stdout
    assert before == ""
    env = os.environ | {"ECG_BENCH_DATA": str(data_root), "ECG_BENCH_CACHE": str(tmp_path / "cache"),
                        "PYTHONPATH": str(clone)}
    for command in quickstart_commands():
        done = subprocess.run(command, cwd=clone, env=env, text=True, capture_output=True, timeout=900)
        assert done.returncode == 0, f"{' '.join(command[1:])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=clone, text=True,
                            capture_output=True).stdout
    assert status == "", f"the quick start changed the clone:\n{status}"
    assert (clone / "results" / "pe").is_dir()  # its outputs are there, beside the study
