"""What every command line shares: ``--version``, shared options that work before or after a
subcommand, and the ``ecg-bench`` console script (``ecg-bench search …`` = ``python -m benchmark.search …``)."""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
from typing import Callable, TypeVar

import benchmark
from benchmark.errors import BenchError, one_line

F = TypeVar("F", bound=Callable[..., object])

COMMANDS = {  # ecg-bench <command>: the module whose main() runs it
    "search": "benchmark.search",
    "leaderboard": "benchmark.leaderboard.__main__",
    "data": "benchmark.data.__main__",
    "reproduce": "benchmark.reproduce",
}


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"ecg-automl-bench {benchmark.__version__}")


def shared_options(add: Callable[[argparse.ArgumentParser], None], in_subcommand: bool) -> argparse.ArgumentParser:
    """A parent parser holding the options ``add`` defines. In a subcommand their defaults are
    suppressed, so an option given before the subcommand is not overwritten by the subcommand's
    default (``python -m benchmark.data --task pe describe`` = ``… describe --task pe``)."""
    parent = argparse.ArgumentParser(add_help=False)
    add(parent)
    if in_subcommand:
        for action in parent._actions:  # set_defaults would store SUPPRESS as a value
            action.default = argparse.SUPPRESS
    return parent


def cli_entry(fn: F) -> F:
    """Run a CLI main: the plugins are loaded first (:func:`benchmark.plugins.load_plugins`, before
    the command reads any registry), and a :class:`BenchError` becomes ``error: <one line>`` on
    stderr and exit 2 (a plugin that cannot be loaded is one too)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            from benchmark.plugins import load_plugins

            load_plugins()
            return fn(*args, **kwargs)
        except BenchError as exc:
            print(f"error: {one_line(exc)}", file=sys.stderr)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> None:
    """``ecg-bench <command> [options]``: the console script beside ``python -m``."""
    argv = sys.argv[1:] if argv is None else argv
    usage = f"usage: ecg-bench {{{','.join(COMMANDS)}}} [options]   (ecg-bench <command> --help)"
    if not argv or argv[0] in ("-h", "--help"):
        print(usage)
        for name, module in COMMANDS.items():
            print(f"  {name:<12} python -m {module.removesuffix('.__main__')}")
        sys.exit(0 if argv else 2)
    if argv[0] == "--version":
        print(f"ecg-automl-bench {benchmark.__version__}")
        return
    if argv[0] not in COMMANDS:
        print(f"error: unknown command {argv[0]!r}; choose {', '.join(COMMANDS)}", file=sys.stderr)
        sys.exit(2)
    importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    main()
