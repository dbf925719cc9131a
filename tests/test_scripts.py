"""The ``scripts/`` benchmarks import what exists: their imports are mostly inside functions (run
only when a step runs), so a moved module would otherwise surface only in the next measurement."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "scripts").glob("*.py"))


def _benchmark_imports(path: Path) -> list[tuple[str, str | None]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "benchmark":
            out += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "benchmark"]
    return out


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_benchmark_import_of_a_script_resolves(path):
    imports = _benchmark_imports(path)
    for module, name in imports:
        mod = importlib.import_module(module)
        if name is not None and not hasattr(mod, name):
            importlib.import_module(f"{module}.{name}")  # a submodule imported by name


def test_the_scan_finds_function_level_imports():
    assert ("benchmark.study.budgets", "get_budget") in _benchmark_imports(
        Path(__file__).resolve().parents[1] / "scripts" / "bench_scale.py")
