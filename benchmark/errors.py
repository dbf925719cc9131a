"""User-facing errors: each one is printed as a single line and ends the CLI with a non-zero exit."""

from __future__ import annotations

import functools
import sys
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable[..., object])


class BenchError(Exception):
    """A problem the user can fix (bad input, missing data, bad option). Printed as one line."""


class DataError(BenchError):
    """Bad or missing data: the message names the file or record and the problem."""


class ConfigError(BenchError):
    """A bad option, search-space file or storage URL: the message names the parameter."""


def one_line(message: str) -> str:
    """Collapse a message to one line so a CLI error is never a traceback or a paragraph."""
    return " ".join(str(message).split())


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
