"""User-facing errors: each one is printed as a single line and ends the CLI with a non-zero exit."""

from __future__ import annotations


class BenchError(Exception):
    """A problem the user can fix (bad input, missing data, bad option). Printed as one line."""


class DataError(BenchError):
    """Bad or missing data: the message names the file or record and the problem."""


class ConfigError(BenchError):
    """A bad option, search-space file or storage URL: the message names the parameter."""


def one_line(message: str) -> str:
    """Collapse a message to one line so a CLI error is never a traceback or a paragraph."""
    return " ".join(str(message).split())
