"""Plugins: other packages that add models, search spaces, transforms, data sources, baselines or
engines, found through one entry-point group.

A plugin package names one module (or more) in the group :data:`GROUP`::

    # the plugin's pyproject.toml
    [project.entry-points."ecg_automl_bench.plugins"]
    mynet = "mypkg.bench"

Loading a plugin imports that module, and the module registers what it defines with the plugin
API of :mod:`benchmark` (``from benchmark import register_model, register_space, ...``), exactly
as the built-in modules do. :func:`load_plugins` does it once per process; every command calls it
before it reads a registry (:func:`benchmark.cli.main.cli_entry`), and so does
:func:`benchmark.study.space.load_spaces` (worker processes and library callers).

The built-in names keep their places: registration order is the order a search draws a
categorical's choices in (the sampler draws by index), so a plugin's come after every built-in
one. Each ``register_*`` lives in the package that defines the built-ins of its kind, so importing
it registers them first (``benchmark.models``, ``benchmark.transforms``, ``benchmark.data.sources``,
``benchmark.estimators.baselines``), and a space registered outside ``benchmark/study/spaces/`` imports the built-in
spaces first (:func:`benchmark.study.space.register_space`). Engines are looked up by name only.

A plugin that fails to import is one line naming its entry point (``error: plugin 'mynet'
(mypkg.bench, group ecg_automl_bench.plugins, package mypkg 0.1) cannot be loaded: ...``; the
command exits 2). :data:`LEGACY_GROUPS` are the older group names, still read.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from benchmark.errors import ConfigError

GROUP = "ecg_automl_bench.plugins"
LEGACY_GROUPS = ("ecg_automl_bench.search_spaces",)  # 0.4.0 and before: search-space modules only

_STATE = {"loaded": False, "names": []}


def plugin_entry_points() -> list[EntryPoint]:
    """The entry points of :data:`GROUP`, then of :data:`LEGACY_GROUPS`; one per (group, name),
    sorted by name within a group (the installation order of packages is no order)."""
    out: list[EntryPoint] = []
    for group in (GROUP, *LEGACY_GROUPS):
        seen: dict[str, EntryPoint] = {}
        for ep in entry_points(group=group):
            seen.setdefault(ep.name, ep)
        out += [seen[name] for name in sorted(seen)]
    return out


def _describe(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    package = f", package {dist.name} {dist.version}" if dist is not None else ""
    return f"plugin {ep.name!r} ({ep.value}, group {ep.group}{package})"


def load_plugins() -> list[str]:
    """Import every plugin module once; returns the plugins' names.

    A plugin that cannot be imported raises :class:`~benchmark.errors.ConfigError` naming its entry
    point; the next call tries again."""
    if _STATE["loaded"]:
        return list(_STATE["names"])
    _STATE["loaded"] = True  # a plugin that reads a registry while it loads does not load again
    try:
        eps = plugin_entry_points()
        for ep in eps:
            try:
                ep.load()
            except ConfigError as exc:
                raise ConfigError(f"{_describe(ep)}: {exc}") from exc
            except Exception as exc:  # noqa: BLE001 - any import failure is the plugin's, named as such
                raise ConfigError(f"{_describe(ep)} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        _STATE["loaded"] = False
        raise
    _STATE["names"] = [ep.name for ep in eps]
    return list(_STATE["names"])
