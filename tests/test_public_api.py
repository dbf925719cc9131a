"""We use Optuna and Ray through their public APIs only (issue 24): no shipped module imports a
private module or name of theirs, or reads a private attribute; and every dependency has an upper
bound at the next major version we have not tested.

The scan is static (``ast``: nothing is imported, so it never depends on what is installed) and
strict:

1. an import (``import``, ``from ... import``, ``importlib.import_module``) of ``optuna.*`` or
   ``ray.*`` has no dotted component, and imports no name, that starts with ``_``;
2. an attribute ``x._name`` (or ``getattr(x, "_name")``) read or written anywhere names something
   this package defines itself (a function, class, assignment, field or argument of that name);
   private names of other libraries are listed in :data:`ALLOWED`, each with its reason. The
   private names of Optuna and Ray we once read (:data:`NEVER`) are refused even where we define
   them, so that a look-alike of ours cannot hide them;
3. a class derived from an Optuna or Ray class (directly, or through one of ours) defines and
   touches no ``_name`` at all: any of them could be its base's (``self._ot_trials``,
   ``super()._get_stale_trial_ids``, an override of ``_sync_with_backend``).
"""

from __future__ import annotations

import ast
import functools
import textwrap

import pytest

from tests.conftest import REPO

PACKAGES = ("benchmark", "benchmark.study.spaces")  # what pyproject ships
WATCHED = ("optuna", "ray")
ALLOWED = {  # private names of other libraries (not Optuna or Ray) that we read, and why
    "_actions": "argparse (the standard library) keeps a parser's actions only there; cli.shared_options "
                "suppresses the defaults of a parent parser's options",
    "_asdict": "collections.namedtuple's documented method (underscored so that it cannot clash with a field)",
    "_fft_r2c": "torch.ops.aten operator names (FLOP formulas of the FFT operators)",
    "_fft_c2r": "torch.ops.aten operator names",
    "_fft_c2c": "torch.ops.aten operator names",
}


NEVER = ("_ot_trials", "_ot_study", "_completed_trials", "_log_number_offset", "_sync_with_backend", "_storage",
         "_backend", "_study_id", "_trial_id", "_replay_result", "_get_stale_trial_ids", "_thread_local")


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def watched(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in WATCHED


@functools.lru_cache(maxsize=1)
def sources() -> dict[str, ast.Module]:
    files = sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py"))
    assert files, "no shipped module found"
    return {str(p.relative_to(REPO)): ast.parse(p.read_text(), str(p)) for p in files}


def defined_names(trees: dict[str, ast.Module]) -> set[str]:
    """Every name this package defines: functions, classes, assigned names and attributes,
    annotated fields, arguments and keyword arguments."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.alias) and not isinstance(node, ast.ImportFrom):
                names.add((node.asname or node.name).split(".")[0])
    return names


def imported_from(tree: ast.Module) -> dict[str, str]:
    """Local name -> the module it comes from (``import optuna`` -> optuna, ``from optuna.samplers
    import BaseSampler`` -> optuna.samplers), wherever in the module the import stands."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module
    return out


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def import_problems(path: str, tree: ast.Module) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        modules: list[tuple[str, list[str]]] = []
        if isinstance(node, ast.Import):
            modules = [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [(node.module or "", [alias.name for alias in node.names])]
        elif (isinstance(node, ast.Call) and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            modules = [(node.args[0].value, [])]
        for module, names in modules:
            if not watched(module):
                continue
            bad = [part for part in module.split(".") if is_private(part)] + [n for n in names if is_private(n)]
            if bad:
                problems.append(f"{path}:{node.lineno}: imports private {module} {' '.join(names)}".rstrip())
    return problems


def derived_classes(trees: dict[str, ast.Module]) -> set[str]:
    """Names of our classes derived from an Optuna or Ray class, directly or through ours."""
    derived: set[str] = set()
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            origin = imported_from(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef) or node.name in derived:
                    continue
                for base in node.bases:
                    root = root_name(base)
                    tail = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
                    if watched(origin.get(root or "")) or tail in derived:
                        derived.add(node.name)
                        changed = True
                        break
    return derived


def attribute_problems(path: str, tree: ast.Module, ours: set[str], derived: set[str]) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("getattr", "setattr", "hasattr", "delattr")
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            name = node.args[1].value
        if name and is_private(name) and (name in NEVER or (name not in ours and name not in ALLOWED)):
            problems.append(f"{path}:{node.lineno}: reads {name}, which this package does not define"
                            if name not in NEVER else f"{path}:{node.lineno}: reads {name}, a private name of Optuna or Ray")
        if isinstance(node, ast.ClassDef) and node.name in derived:
            for inner in ast.walk(node):
                used = (inner.attr if isinstance(inner, ast.Attribute) else
                        inner.name if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) else None)
                if used and is_private(used):
                    problems.append(f"{path}:{inner.lineno}: {node.name} (an Optuna/Ray subclass) uses {used}, "
                                    "which could be its base's")
    return problems


def scan(trees: dict[str, ast.Module]) -> list[str]:
    ours = defined_names(trees)
    derived = derived_classes(trees)
    problems = []
    for path, tree in trees.items():
        problems += import_problems(path, tree) + attribute_problems(path, tree, ours, derived)
    return problems


def test_no_private_optuna_or_ray_api_in_the_package():
    problems = scan(sources())
    assert not problems, "use Optuna's and Ray's public API only:\n" + "\n".join(problems)


def test_the_allowed_private_names_are_still_needed():
    trees = sources()
    read = {node.attr for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert set(ALLOWED) <= read, f"no longer read, remove from ALLOWED: {sorted(set(ALLOWED) - read)}"


BAD = {  # each is one violation the scan must report
    "import optuna._imports": "imports private",
    "from optuna.storages._heartbeat import BaseHeartbeat": "imports private",
    "from optuna.storages import _CachedStorage": "imports private",
    "import ray.tune._internal.x as x": "imports private",
    "import importlib\nimportlib.import_module('optuna.storages._rdb')": "imports private",
    "def f(s):\n    return s._backend": "reads _backend",
    "class A:\n    def __init__(self, s):\n        self._storage = s\n    def f(self, study):\n        return study._storage":
        "a private name of Optuna or Ray",
    "def f(t):\n    return getattr(t, '_trial_id')": "reads _trial_id",
    "def f(b):\n    b._log_number_offset[0] = 1": "reads _log_number_offset",
    "from ray.tune.search.optuna import OptunaSearch\nclass S(OptunaSearch):\n    def f(self):\n"
    "        self._ot_trials = {}\n        return self._ot_trials": "could be its base's",
    "import optuna\nclass J(optuna.storages.JournalStorage):\n    def _sync_with_backend(self):\n        pass":
        "could be its base's",
    "from optuna.storages import RDBStorage\nclass R(RDBStorage):\n    pass\nclass Q(R):\n"
    "    def f(self, i):\n        return super()._get_stale_trial_ids(i)": "could be its base's",
}


@pytest.mark.parametrize("source", sorted(BAD))
def test_the_scan_finds_each_kind_of_violation(source):
    problems = scan({"snippet.py": ast.parse(textwrap.dedent(source))})
    assert [p for p in problems if BAD[source] in p], problems


def test_our_own_private_names_pass():
    source = "class A:\n    def __init__(self):\n        self._cache = {}\n    def f(self):\n        return self._cache\n"
    assert scan({"snippet.py": ast.parse(source)}) == []


# ------------------------------------------------------------------------------ dependency bounds
def requirements() -> list[str]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]


def test_every_dependency_has_an_upper_bound():
    from packaging.requirements import Requirement

    unbounded = []
    for line in requirements():
        req = Requirement(line)
        if not any(spec.operator in ("<", "==", "~=", "<=") for spec in req.specifier):
            unbounded.append(line)
    assert not unbounded, f"pin the majors we test (e.g. optuna<6): {unbounded}"


def test_installed_versions_are_within_the_bounds():
    """The bounds describe what this environment tests (a package that is not installed is skipped)."""
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement
    from packaging.version import Version

    outside = []
    for line in requirements():
        req = Requirement(line)
        try:
            installed = Version(version(req.name))
        except PackageNotFoundError:
            continue
        if not req.specifier.contains(Version(installed.base_version), prereleases=True):
            outside.append(f"{req.name} {installed} not in {req.specifier}")
    assert not outside, outside


@pytest.mark.parametrize("name,bound", [("optuna", "<6"), ("ray", "<3"), ("sktime", "<2")])
def test_the_majors_named_in_issue_24_are_bounded(name, bound):
    from packaging.requirements import Requirement

    specs = [str(s) for line in requirements() for s in Requirement(line).specifier if Requirement(line).name == name]
    assert bound in specs, (name, specs)
