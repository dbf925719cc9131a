"""The published leaderboard files (the formats; the page is drawn by :mod:`benchmark.leaderboard.render`): ``leaderboard.csv``, ``factors.csv`` (plain CSV: one header row, one row per
line), ``leaderboard.meta.json`` (run identity, counts, column definitions, read recipes),
``leaderboard.json`` (a pandas/Frictionless table schema with the metadata under ``meta``) and a
self-contained ``index.html`` (plotly.js inlined once: no network needed).

Reading them back::

    meta = json.load(open("leaderboard.meta.json"))
    pd.read_csv("leaderboard.csv", dtype=meta["dtypes"])        # plain pd.read_csv works too
    pd.read_json("leaderboard.json", orient="table")              # json.load(...)["meta"]: the metadata

A factor that does not apply to a row (a baseline's crop length, an unpretrained model's freezing
depth) is an empty cell in the files; the page shows "n/a" with the reason. Floats are written with
12 significant digits and rows in rank order, so the same study always gives the same bytes.

The header's notes for the reader (``columns.NOTE_KEYS``: selection score, interval and comparison
methods, locked-test use; and any key ending in ``_note``) are shown in the page's "How to read this"
box and above the terminal table; ``<out>/cd_diagram.svg`` is embedded when it exists (write it
before the page). Column labels and definitions come from ``columns.py`` only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
from pandas.io.json import build_table_schema

from benchmark.leaderboard.columns import COLUMNS, FACTOR_COLUMNS, Column, column
from benchmark.atomic import write_text
from benchmark.leaderboard.header import trial_configs
from benchmark.leaderboard.render.cells import _missing, level_text, sort_effects
from benchmark.study.config import OPTIONAL_FACTORS

SIGNIFICANT = 12  # significant digits of every float written to CSV/JSON
PANDAS_DTYPES = {"int": "Int64", "float": "float64", "str": "str", "bool": "boolean"}


def _round(v: float) -> float:
    return float(f"{v:.{SIGNIFICANT}g}") if math.isfinite(v) else v


def tidy(table: pd.DataFrame, configs: dict[int, dict] | None = None,
         mapping: dict[str, Column] = COLUMNS) -> pd.DataFrame:
    """The frame every file is written from: declared types (integers stay integers, missing = empty),
    floats rounded to ``SIGNIFICANT`` digits, rows in rank order, and the trial's config as JSON."""
    out = table.copy()
    if configs is not None and "trial" in out.columns and "config" not in out.columns:
        out["config"] = [json.dumps(configs.get(int(t), {}), sort_keys=True, separators=(",", ":"), default=str)
                         for t in out["trial"]]
    for name in out.columns:
        kind = column(name, mapping).dtype
        if kind in ("int", "float") or name in OPTIONAL_FACTORS:  # "n/a (...)" -> empty; a level label stays
            values = out[name].map(lambda v: None if _missing(v) else v).astype(object)
        else:
            values = out[name].map(lambda v: None if _missing(v) and not isinstance(v, str) else v).astype(object)
        if kind == "int":
            out[name] = pd.array(pd.to_numeric(values), dtype="Int64")
        elif kind == "float":
            out[name] = pd.to_numeric(values).astype("float64").map(_round)
        elif kind == "str":
            out[name] = values.map(lambda v: None if v is None or _missing(v) and not isinstance(v, str)
                                    else str(v)).astype("str")
        elif kind == "bool":
            out[name] = values.astype("boolean")
        elif out[name].dtype.kind == "f":
            out[name] = out[name].map(_round)
    if "rank" in out.columns:
        out = out.sort_values("rank", kind="stable")
    return out.reset_index(drop=True)


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    """``pd.read_csv(path, dtype=...)`` argument that restores the written frame's types."""
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


def _jsonable(v):
    if _missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return _round(float(v))
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _dump(obj) -> str:
    return json.dumps(_jsonable(obj), indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Plain CSV (no comment lines): ``pd.read_csv(path)`` reads it."""
    write_text(path, frame.to_csv(index=False, float_format=f"%.{SIGNIFICANT}g", lineterminator="\n"))


def _stable_importances(importances: dict) -> dict:
    """Highest first, ties by name: the evaluator returns tied parameters in no fixed order."""
    if importances and all(isinstance(v, dict) for v in importances.values()):
        return {view: _stable_importances(values) for view, values in importances.items()}
    return dict(sorted(importances.items(), key=lambda kv: (-_round(float(kv[1])), kv[0])))


def metadata(head: dict, counts: dict, board: pd.DataFrame, effects: pd.DataFrame, importances: dict,
             finalized: list[dict]) -> dict:
    """Everything about the tables that is not a row: identity, counts, column definitions, recipes."""
    def columns(frame, mapping):
        return {name: {"label": column(name, mapping).label, "definition": column(name, mapping).definition}
                for name in frame.columns}

    return {**head, "counts": counts,
            "read_with": {"leaderboard.csv": "pd.read_csv('leaderboard.csv', dtype=meta['dtypes'])",
                          "factors.csv": "pd.read_csv('factors.csv', dtype=meta['factor_dtypes'])",
                          "leaderboard.json": "pd.read_json('leaderboard.json', orient='table'); "
                                              "json.load(open('leaderboard.json'))['meta']"},
            "columns": columns(board, COLUMNS), "dtypes": dtypes(board),
            "factor_columns": columns(effects, FACTOR_COLUMNS), "factor_dtypes": dtypes(effects),
            "importances": _stable_importances(importances),
            "finalized": [{k: v for k, v in f.items() if k not in ("roc", "reused")} for f in finalized]}


def write_json(frame: pd.DataFrame, path: Path, meta: dict) -> None:
    """A table-schema JSON (``pd.read_json(path, orient="table")``) with the metadata under ``meta``."""
    schema = build_table_schema(frame, index=False)
    for field in schema["fields"]:
        spec = column(field["name"])
        field["title"], field["description"] = spec.label, spec.definition
    data = [dict(zip(frame.columns, row)) for row in frame.itertuples(index=False, name=None)]
    write_text(path, _dump({"schema": schema, "data": data, "meta": meta}))


def write_all(out: Path, study: optuna.Study, head: dict, table: pd.DataFrame, counts: dict, effects: pd.DataFrame,
              importances: dict, finalized: list[dict], top: int, families: pd.DataFrame | None = None,
              extra: dict | None = None, answers: pd.DataFrame | None = None,
              curves: pd.DataFrame | None = None, statistics: dict | None = None) -> list[Path]:
    """Every leaderboard file into ``out`` (``families.csv`` when ``families`` is given; ``extra``
    goes into the metadata); returns their paths. Write ``cd_diagram.svg`` first to have it embedded."""
    board = tidy(table, trial_configs(study))
    if len(effects):  # levels as written: "0", not "0.0" for a depth stored as float beside empty cells
        effects = sort_effects(effects).assign(level=lambda e: e["level"].map(level_text))
    factor_frame = tidy(effects, mapping=FACTOR_COLUMNS)
    meta = metadata(head, counts, board, factor_frame, importances, finalized) | (extra or {})
    paths = [out / "leaderboard.csv", out / "factors.csv"]
    write_csv(board, paths[0])
    write_csv(factor_frame, paths[1])
    if families is not None:
        family_frame = tidy(families)
        write_csv(family_frame, out / "families.csv")
        meta["read_with"]["families.csv"] = "pd.read_csv('families.csv', dtype=meta['family_dtypes'])"
        meta["family_dtypes"] = dtypes(family_frame)
        paths.append(out / "families.csv")
    if answers is not None:
        answer_frame = answers.map(lambda v: _round(v) if isinstance(v, float) else v)
        write_csv(answer_frame, out / "answers.csv")
        from benchmark.leaderboard.answers import METHOD, ROPE

        write_text(out / "answers.json", _dump({"method": METHOD, "rope": ROPE,
                                                "rows": json.loads(answer_frame.to_json(orient="records"))}))
        paths += [out / "answers.csv", out / "answers.json"]
    if curves is not None:
        write_csv(curves.map(lambda v: _round(v) if isinstance(v, float) else v), out / "curves.csv")
        paths.append(out / "curves.csv")
    for name, (stat, frame) in (statistics or {}).items():  # benchmark.leaderboard.statistic
        write_csv(frame.map(lambda v: _round(v) if isinstance(v, float) else v), out / f"{name}.csv")
        meta.setdefault("statistics", {})[name] = {"file": f"{name}.csv", "title": stat.title, "method": stat.method}
        paths.append(out / f"{name}.csv")
    paths += [out / "leaderboard.meta.json", out / "leaderboard.json", out / "index.html"]
    write_text(paths[-3], _dump(meta))
    write_json(board, paths[-2], meta)
    from benchmark.leaderboard.render.page import write_html  # plotly only when a page is written

    write_html(paths[-1], study, head, board, counts, factor_frame, importances, finalized, top, answers, curves,
               statistics)
    return paths
