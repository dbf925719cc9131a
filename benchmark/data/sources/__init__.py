"""Data sources: one reader per public dataset or cohort layout, behind one registry.

A source turns a directory into a *table* (one row per usable record: ``record_id``,
``patient_id``, label columns) and reads one row's signal. It knows its file format; nothing
downstream does.
"""

from benchmark.data.sources.base import (
    Source,
    create_source,
    list_sources,
    register_source,
)
from benchmark.data.sources import cohort, cpsc2018, ptbxl  # noqa: F401  (registration)

__all__ = ["Source", "create_source", "list_sources", "register_source"]
