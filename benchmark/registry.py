"""Name -> object registries: one small class behind models, sources, transforms, baselines, spaces
and engines.

A module that owns a kind of thing keeps one :class:`Registry` and fills it where the things are
defined (usually with a decorator)::

    _SOURCES = Registry("data source", list_known=True)

    def register_source(cls):
        return _SOURCES.register(cls.name, cls)

    _SOURCES.get("ptbxk")  # ConfigError: unknown data source 'ptbxk' (did you mean ptbxl?); known: cohort, ...

Contract:

- :meth:`Registry.register` stores ``name -> obj`` and returns ``obj`` (so it can end a decorator).
  Registering a name again replaces the object and keeps the name's first place in the order: a
  re-imported module re-registers what it defines. A registry that must refuse a second owner of
  a name (search spaces) checks that itself before registering.
- :meth:`Registry.names`, iteration and :meth:`Registry.items` follow registration order: the
  order the definitions were imported in. Callers that show names to people sort them; callers
  whose order matters (a search's choice list, drawn by index) rely on this order being stable.
  Another package's definitions (:mod:`benchmark.plugins`) are imported after every built-in one,
  so they come last and move no built-in name.
- :meth:`Registry.get` returns the object or raises :class:`~benchmark.errors.ConfigError` with
  one line: ``unknown <what> '<name>'``, `` (did you mean ...?)`` with up to three close names
  (difflib) when there are any, and ``; known: ...`` (sorted) when the registry was made with
  ``list_known=True``. It never returns ``None`` for a typo. :func:`did_you_mean` is that hint
  alone, for lookups that are not by registered name (a model's search space, ``--models``).
"""

from __future__ import annotations

import difflib
from typing import Generic, Iterable, Iterator, TypeVar

from benchmark.errors import ConfigError

T = TypeVar("T")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean a, b?)`` with up to three names close to ``name``, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


class Registry(Generic[T]):
    """Names of one kind (``what``: "model", "data source", ...) mapped to their objects;
    ``list_known``: :meth:`get`'s error ends with the sorted known names."""

    def __init__(self, what: str, *, list_known: bool = False):
        self.what = what
        self._list_known = list_known
        self._items: dict[str, T] = {}

    def register(self, name: str, obj: T) -> T:
        self._items[name] = obj
        return obj

    def get(self, name: str) -> T:
        if name not in self._items:
            message = f"unknown {self.what} {name!r}{did_you_mean(name, self._items)}"
            if self._list_known:
                message += f"; known: {', '.join(sorted(self._items))}"
            raise ConfigError(message)
        return self._items[name]

    def names(self) -> list[str]:
        """Registered names in registration order."""
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def values(self) -> list[T]:
        return list(self._items.values())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.what!r}: {', '.join(self._items)})"
