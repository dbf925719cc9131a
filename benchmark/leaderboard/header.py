"""A study's header as every output states it (identity, the stand-in flag, the notes for the
reader) and its trials' stored configurations: read by the files, the page and the terminal."""

from __future__ import annotations

import optuna

import benchmark
from benchmark.leaderboard.columns import NOTE_KEYS, header_label


def header(study: optuna.Study) -> dict:
    """The run's identity as every output states it; ``is_standin`` from the stored cohort name."""
    from benchmark.data.cohorts import STANDIN_NAME

    identity = study.user_attrs.get("identity", {})
    return {"study": study.study_name, "task": identity.get("task"), "cohort": identity.get("cohort"),
            "description": study.user_attrs.get("description", ""), "manifest_hash": identity.get("manifest_hash"),
            "split_hash": identity.get("split_hash"), "budget": identity.get("budget"), "seed": identity.get("seed"),
            "package_version": benchmark.__version__, "is_standin": identity.get("cohort") == STANDIN_NAME}


def trial_configs(study: optuna.Study) -> dict[int, dict]:
    return {t.number: t.user_attrs.get("config", {}) for t in study.get_trials(deepcopy=False)}


def notes(head: dict) -> dict[str, str]:
    """The header's notes for the reader (selection score, methods, locked-test use), in order."""
    keys = [k for k in NOTE_KEYS if k in head] + [k for k in head if k.endswith("_note") and k not in NOTE_KEYS]
    return {k: str(head[k]) for k in keys if head[k]}


def note_line(key: str, text: str) -> str:
    """"Label: text", without repeating a label the text already starts with."""
    label = header_label(key)
    return text if text.lower().startswith(label.lower()) else f"{label}: {text}"


def is_standin(head: dict) -> bool:
    """Whether the run is on the public stand-in (the flag :func:`header` sets)."""
    return bool(head.get("is_standin"))
