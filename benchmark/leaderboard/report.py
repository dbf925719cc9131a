"""Leaderboard files: ``leaderboard.csv``, ``leaderboard.json``, ``factors.csv`` and a self-contained
``index.html`` (plotly figures with plotly.js inlined once: no network needed)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

import benchmark


def header(study: optuna.Study) -> dict:
    identity = study.user_attrs.get("identity", {})
    return {"study": study.study_name, "task": identity.get("task"), "cohort": identity.get("cohort"),
            "description": study.user_attrs.get("description", ""), "manifest_hash": identity.get("manifest_hash"),
            "split_hash": identity.get("split_hash"), "budget": identity.get("budget"), "seed": identity.get("seed"),
            "package_version": benchmark.__version__}


def write_csv(table: pd.DataFrame, path: Path, head: dict) -> None:
    lines = [f"# {k}: {v}" for k, v in head.items()]
    path.write_text("\n".join(lines) + "\n" + table.to_csv(index=False))


def write_json(path: Path, head: dict, table: pd.DataFrame, counts: dict, factors: pd.DataFrame,
               importances: dict, finalized: list[dict], extra: dict | None = None) -> None:
    payload = {**head, **(extra or {}), "counts": counts, "rows": json.loads(table.to_json(orient="records")),
               "factors": json.loads(factors.to_json(orient="records")), "importances": importances,
               "finalized": [{k: v for k, v in f.items() if k != "roc"} for f in finalized]}
    path.write_text(json.dumps(payload, indent=1))


def _figures(study: optuna.Study, table: pd.DataFrame, importances: dict, finalized: list[dict]) -> list[tuple[str, go.Figure]]:
    figs: list[tuple[str, go.Figure]] = []
    figs.append(("Optimization history", optuna.visualization.plot_optimization_history(study)))
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    shared = [p for p in ("model", "normalization", "crop_seconds", "pretrain", "freeze_depth", "lr")
              if any(p in t.params for t in complete)]
    if len(table) >= 2 and shared:
        figs.append(("Parallel coordinates", optuna.visualization.plot_parallel_coordinate(study, params=shared)))
    for factor in ("family", "crop_seconds", "normalization", "pretrain", "freeze_fraction"):
        data = table.dropna(subset=[factor])
        if len(data):
            fig = px.box(data.assign(**{factor: data[factor].astype(str)}), x=factor, y="auroc_mean", points="all",
                         labels={"auroc_mean": "CV AUROC (mean over folds)"})
            figs.append((f"CV AUROC by {factor}", fig))
    for view, values in importances.items():  # {view: {parameter: fANOVA importance}}
        imp = pd.DataFrame({"parameter": list(values), "importance": list(values.values())})
        figs.append((f"Parameter importances (fANOVA; {view})", px.bar(imp, x="importance", y="parameter", orientation="h")))
    if finalized:
        fig = go.Figure()
        for f in finalized:
            fig.add_trace(go.Scatter(x=f["roc"]["fpr"], y=f["roc"]["tpr"], mode="lines",
                                     name=f"#{f['trial']} {f['config']['model']} (AUROC {f['test']['auroc']:.3f})"))
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name="chance"))
        fig.update_layout(xaxis_title="1 - specificity", yaxis_title="sensitivity")
        figs.append(("ROC on the locked test (finalized top-K)", fig))
    return figs


def _html_table(table: pd.DataFrame, top: int) -> str:
    cols = ["rank", "trial", "model", "crop_seconds", "normalization", "pretrain", "freeze_depth", "auroc_mean",
            "auroc_std", "auroc_ci_low", "auroc_ci_high", "auprc_mean", "f1_mean", "sensitivity_mean",
            "specificity_mean", "n_parameters", "fit_seconds", "tied_with_best"]
    shown = table[[c for c in cols if c in table.columns]].head(top).copy()
    return shown.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="", classes="board", border=0)


def write_html(path: Path, study: optuna.Study, head: dict, table: pd.DataFrame, counts: dict,
               factors: pd.DataFrame, importances: dict, finalized: list[dict], top: int) -> None:
    parts = []
    for i, (title, fig) in enumerate(_figures(study, table, importances, finalized)):
        fig.update_layout(height=420, margin={"l": 40, "r": 20, "t": 30, "b": 40})
        parts.append(f"<h2>{html.escape(title)}</h2>" + fig.to_html(full_html=False, include_plotlyjs=(i == 0)))
    final_rows = "".join(
        f"<tr><td>#{f['trial']}</td><td>{html.escape(f['config']['model'])}</td><td>{f['cv_auroc']:.4f}</td>"
        f"<td>{f['test']['auroc']:.4f} [{f['auroc_ci'][0]:.3f}, {f['auroc_ci'][1]:.3f}]</td>"
        f"<td>{f['test']['auprc']:.4f} [{f['auprc_ci'][0]:.3f}, {f['auprc_ci'][1]:.3f}]</td>"
        f"<td>{f['test']['sensitivity']:.3f}</td><td>{f['test']['specificity']:.3f}</td></tr>" for f in finalized)
    finalized_html = ("<table class='board'><tr><th>trial</th><th>model</th><th>CV AUROC</th><th>test AUROC [95% CI]</th>"
                      "<th>test AUPRC [95% CI]</th><th>sensitivity</th><th>specificity</th></tr>" + final_rows + "</table>"
                      if finalized else "<p>Not finalized yet: <code>python -m benchmark.leaderboard finalize</code>.</p>")
    meta = "".join(f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>" for k, v in head.items())
    banner = (f"<p class='warn'>{html.escape(head['description'])}</p>" if "NOT A PE LABEL" in str(head["description"]) else "")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(str(head['study']))} leaderboard</title>
<style>body{{font-family:sans-serif;margin:24px;max-width:1200px}} .warn{{background:#fff3cd;border:1px solid #e0b000;padding:8px}}
table.board{{border-collapse:collapse;font-size:13px}} table.board td,table.board th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}</style>
</head><body><h1>ecg-automl-bench leaderboard: {html.escape(str(head['study']))}</h1>{banner}<ul>{meta}</ul>
<p>Trials: {counts['complete']} complete (ranked), {counts['pruned']} pruned, {counts['failed']} failed (counted, not ranked).
CV = mean over patient-grouped dev folds; the 95 % interval is a t-interval over folds; <i>tied_with_best</i> = a paired
t-test across folds finds no difference from the best (p &ge; 0.05).</p>
<h2>Cross-validated leaderboard (top {top})</h2>{_html_table(table, top)}
<h2>Locked test (finalized once)</h2>{finalized_html}
<h2>Factor effects (mean CV AUROC over trials)</h2>{factors.to_html(index=False, float_format=lambda v: f"{v:.4f}", border=0, classes="board")}
{''.join(parts)}</body></html>"""
    path.write_text(page)
