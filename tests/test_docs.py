"""The docs run and build: every extending page is an example executed here, the site builds in
mkdocs' strict mode, the README stays short and its layout section matches ``benchmark/``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = sorted(p for p in (DOCS / "extending").glob("*.md") if p.name != "index.md")


def python_blocks(page: Path) -> str:
    return "\n\n".join(re.findall(r"```python\n(.*?)```", page.read_text(), re.S))


def test_every_extending_topic_has_a_page():
    assert {p.stem for p in PAGES} >= {"model", "baseline", "transform", "source", "statistic", "engine"}


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_an_extending_page_runs_as_written(page, tmp_path):
    code = python_blocks(page)
    assert code.strip(), f"{page.relative_to(REPO)} has no ```python example"
    env = os.environ | {"PYTHONPATH": str(REPO), "ECG_BENCH_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, text=True, capture_output=True,
                          timeout=300)
    assert done.returncode == 0, f"{page.relative_to(REPO)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def test_the_docs_build_in_strict_mode(tmp_path):
    pytest.importorskip("mkdocs", reason="the docs build needs the test extra (mkdocs, mkdocs-material)")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=REPO, text=True, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_readme_is_at_most_150_lines():
    assert len((REPO / "README.md").read_text().splitlines()) <= 150


def test_the_readme_layout_matches_the_package():
    text = (REPO / "README.md").read_text()
    block = re.search(r"## Layout\s+```\n(.*?)```", text, re.S)
    assert block, "README.md has no ``` block under '## Layout'"
    named = set()
    for line in block.group(1).splitlines():
        m = re.match(r"  (\S+)", line)  # two spaces: an entry directly under benchmark/
        if m and not line.startswith("   "):
            named.update(n for n in re.split(r"[,+]", m.group(1)) if n)
    present = {p.name + ("/" if p.is_dir() else "") for p in (REPO / "benchmark").iterdir()
               if p.name != "__pycache__" and not p.name.startswith(".")}
    assert named == present, f"in README only: {sorted(named - present)}; in benchmark/ only: {sorted(present - named)}"
