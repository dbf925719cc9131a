"""Data sources: one reader per public dataset or cohort layout, behind one registry.

A source turns a directory into a *table* (one row per usable record: ``record_id``,
``patient_id``, label columns) and reads one row's signal. It knows its file format; nothing
downstream does. A source tagged ``pretraining`` is a pretraining level of the search when its data
are present (:func:`pretraining_sources`; :mod:`benchmark.data.pools`).
"""

from benchmark.data.sources.base import (
    Source,
    create_source,
    list_sources,
    pretraining_sources,
    register_source,
    source_class,
)

# registration, in this order: ptbxl before cpsc2018 is the order of the pretraining levels a
# seeded study draws from (by index), as it was when they were the download list's keys
from benchmark.data.sources import ptbxl  # noqa: F401
from benchmark.data.sources import cpsc2018  # noqa: F401
from benchmark.data.sources import cohort  # noqa: F401

__all__ = ["Source", "create_source", "list_sources", "pretraining_sources", "register_source", "source_class"]
