"""The self-contained leaderboard page (``index.html``; plotly.js inlined once, so no network is
needed): the answers, the table, the locked test, the statistics, the figures and "How to read this"."""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import plotly.graph_objects as go

from benchmark.leaderboard.columns import (FACTOR_COLUMNS, NOT_APPLICABLE, Column, column,
                                          header_label)
from benchmark.atomic import write_text
from benchmark.leaderboard.header import is_standin, note_line, notes, trial_configs
from benchmark.study.config import OPTIONAL_FACTORS
from benchmark.leaderboard.render.cells import (_missing, display, display_order, interval_label,
                                                interval_pairs, level_text, na_reason)


def _pareto(cost: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both (lower cost, higher score), by cost."""
    front, best = [], -math.inf
    for i in sorted(range(len(cost)), key=lambda i: (cost[i], -score[i])):
        if score[i] > best:
            front.append(i)
            best = score[i]
    return np.array(front, dtype=int)


def _forest(effects: pd.DataFrame, title: str = "") -> go.Figure | None:
    """Level means with 95 % intervals (over trials): one panel per factor, levels top-down in the
    order of ``effects`` (``sort_effects``: natural order). A level with one trial has no bar."""
    if effects.empty:
        return None
    from plotly.subplots import make_subplots

    mean_col = next(c for c in ("mean_auroc", "mean_cv_auroc") if c in effects.columns)
    groups = list(effects.groupby("factor", sort=False))
    sizes = [len(g) for _, g in groups]
    fig = make_subplots(rows=len(groups), cols=1, shared_xaxes=True, row_heights=sizes, vertical_spacing=0.35 / sum(sizes),
                        subplot_titles=[f for f, _ in groups])
    for row, (factor, group) in enumerate(groups, start=1):
        levels = [level_text(v) for v in group["level"]]
        mean = group[mean_col].to_numpy(dtype=float)
        hi = group["ci_high"].to_numpy(dtype=float) - mean
        lo = mean - group["ci_low"].to_numpy(dtype=float)
        text = [f"n={n}" + ("" if n > 1 else " (no interval)") for n in group["trials"]]
        fig.add_trace(go.Scatter(x=mean, y=levels, mode="markers+text", text=text, textposition="middle right",
                                 textfont={"size": 10, "color": "#555"},
                                 marker={"color": "#1f5fa8", "size": 10, "symbol": "diamond"},
                                 error_x={"type": "data", "array": np.nan_to_num(hi), "arrayminus": np.nan_to_num(lo),
                                          "thickness": 2, "width": 6},
                                 name=factor, showlegend=False, hovertemplate="%{y}: %{x:.4f}<extra></extra>"),
                      row=row, col=1)
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=levels[::-1], row=row, col=1)
    fig.update_annotations(font_size=12, x=0, xanchor="left")
    fig.update_xaxes(title=title or column(mean_col, FACTOR_COLUMNS).label, row=len(groups), col=1)
    fig.update_layout(height=max(260, 24 * sum(sizes) + 34 * len(groups) + 60))
    return fig


def _cost_figures(table: pd.DataFrame) -> list[tuple[str, go.Figure]]:
    figs = []
    colour = "family" if "family" in table.columns else "model"
    for cost in ("fit_seconds_per_fold", "n_parameters", "forward_flops_per_record"):
        title = column(cost).label
        if cost not in table.columns:
            continue
        data = table[[cost, "auroc_mean", "trial", "model", colour]].dropna(subset=[cost, "auroc_mean"])
        data = data[data[cost] > 0]
        if data.empty:
            continue
        fig = go.Figure()
        for name, group in data.groupby(colour, sort=True):
            fig.add_trace(go.Scatter(x=group[cost].astype(float), y=group["auroc_mean"], mode="markers", name=str(name),
                                     marker={"size": 9}, customdata=np.stack([group["trial"], group["model"]], axis=1),
                                     hovertemplate="trial %{customdata[0]} %{customdata[1]}<br>%{x:,.4g}<br>"
                                                   "CV AUROC %{y:.4f}<extra></extra>"))
        front = data.iloc[_pareto(data[cost].to_numpy(dtype=float), data["auroc_mean"].to_numpy(dtype=float))]
        fig.add_trace(go.Scatter(x=front[cost].astype(float), y=front["auroc_mean"], mode="lines+markers",
                                 line={"shape": "hv", "color": "black", "dash": "dash"},
                                 marker={"symbol": "circle-open", "size": 14, "color": "black"},
                                 name="Pareto front", hoverinfo="skip"))
        fig.update_layout(xaxis={"type": "log", "title": f"{title} (log scale)"}, yaxis_title="CV AUROC",
                          height=380)
        figs.append((f"Cost and accuracy: CV AUROC against {title.lower()}", fig))
    return figs


def _figures(study: optuna.Study, table: pd.DataFrame, effects: pd.DataFrame, importances: dict,
             finalized: list[dict]) -> list[tuple[str, go.Figure]]:
    figs: list[tuple[str, go.Figure]] = []
    views = effects.groupby("view", sort=False) if "view" in effects.columns else [("", effects)]
    for view, part in views:
        forest = _forest(part, f"mean AUROC ({view})" if view else "")
        if forest is not None:
            figs.append((f"Factor effects (forest plot{': ' + view if view else ''}): mean per level with a 95 % "
                         "interval over trials", forest))
    figs.extend(_cost_figures(table))
    calibration = _calibration_figure(study, table)
    if calibration is not None:
        figs.append(calibration)
    figs.append(("Optimization history", optuna.visualization.plot_optimization_history(study)))
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    shared = [p for p in ("model", "normalization", "crop_seconds", "pretrain", "freeze_depth", "lr")
              if any(p in t.params for t in complete)]
    if len(table) >= 2 and shared:
        figs.append(("Parallel coordinates", optuna.visualization.plot_parallel_coordinate(study, params=shared)))
    nested = importances and all(isinstance(v, dict) for v in importances.values())
    for view, values in (importances.items() if nested else [("", importances)] if importances else []):
        names = list(values)[::-1]
        fig = go.Figure(go.Bar(x=[values[n] for n in names], y=names, orientation="h"))
        fig.update_layout(xaxis_title="importance", height=max(260, 28 * len(names) + 80))
        figs.append((f"Parameter importances{' (' + view + ')' if view else ''}", fig))
    if finalized:
        fig = go.Figure()
        for f in finalized:
            fig.add_trace(go.Scatter(x=f["roc"]["fpr"], y=f["roc"]["tpr"], mode="lines",
                                     name=f"#{f['trial']} {f['config']['model']} (AUROC {f['test']['auroc']:.3f})"))
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name="chance"))
        fig.update_layout(xaxis_title="1 - specificity", yaxis_title="sensitivity", height=420)
        figs.append(("ROC on the locked test (finalized configurations)", fig))
    return figs


def _calibration_figure(study: optuna.Study, table: pd.DataFrame):
    """Reliability curve of the top rows' out-of-fold probabilities (repeat 0, deciles of the
    predicted probability; scikit-learn ``calibration_curve``) with each row's Brier score, from the
    stored predictions (None for a study stored without them)."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    from benchmark.trial.predictions import trial_predictions

    fig, drawn = go.Figure(), 0
    by_number = {t.number: t for t in study.get_trials(deepcopy=False)}
    for _, row in table.head(3).iterrows():
        f = trial_predictions(study, by_number[int(row["trial"])])
        f = f[f["repeat"] == 0]
        if f.empty or f["y"].nunique() < 2:
            continue
        frac, mean = calibration_curve(f["y"], f["p"], n_bins=10, strategy="quantile")
        brier = brier_score_loss(f["y"], f["p"])
        fig.add_trace(go.Scatter(x=mean, y=frac, mode="lines+markers",
                                 name=f"rank {int(row['rank'])} #{int(row['trial'])} {row['model']} (Brier {brier:.3f})"))
        drawn += 1
    if not drawn:
        return None
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name="calibrated"))
    fig.update_layout(xaxis_title="mean predicted probability (decile)", yaxis_title="observed fraction positive",
                      height=420)
    return ("Calibration of the top rows (out-of-fold predictions of repeat 0; reliability curve and Brier score)", fig)


def _config_html(config: dict) -> str:
    flat = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()} or {key: "{}"})
        else:
            flat[key] = value
    def text(v):
        return f"{v:.6g}" if isinstance(v, float) else str(v)  # full precision: the config column of the CSV

    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(text(v))}</td></tr>" for k, v in flat.items())
    return f"<table class='cfg'>{rows}</table>"


def _visibility(spec: Column) -> list[str]:
    return ["extra"] if not spec.main else ["wide"] if spec.wide_only else []


def board_html(board: pd.DataFrame, configs: dict[int, dict], top: int) -> str:
    """The leaderboard as an HTML table: main columns shown, the rest marked ``extra`` (hidden until
    "show all columns" is ticked); each model cell expands to the trial's stored configuration."""
    pairs = interval_pairs(board.columns)
    highs = set(pairs.values())
    names = [n for n in display_order(board.columns) if n not in highs and n != "config"]
    heads = []
    for n in names:
        spec = column(n)
        label = interval_label(n) if n in pairs else spec.label
        classes = _visibility(spec) + (["txt"] if spec.dtype == "str" else [])
        cls = f" class='{' '.join(classes)}'" if classes else ""
        heads.append(f"<th{cls} title='{html.escape(spec.definition, quote=True)}'>{html.escape(label)}</th>")
    body = []
    for _, row in board.head(top).iterrows():
        cells = []
        for n in names:
            spec = column(n)
            classes = _visibility(spec)
            if n in pairs:
                lo, hi = display(row[n], spec), display(row[pairs[n]], column(pairs[n]))
                text = html.escape(f"[{lo}, {hi}]") if lo and hi else "<span class='na'>none</span>"
            elif n == "model" and "trial" in row:
                config = configs.get(int(row["trial"]), {})
                text = (f"<details><summary>{html.escape(str(row[n]))}</summary>{_config_html(config)}</details>")
                classes.append("model")
            elif _missing(row[n]):
                reason = na_reason(row, n) if n in OPTIONAL_FACTORS else NOT_APPLICABLE
                text = f"<span class='na' title='{html.escape(reason, quote=True)}'>{NOT_APPLICABLE}</span>"
            else:
                text = html.escape(display(row[n], spec, n))
            if spec.dtype == "str" or n in pairs:
                classes.append("txt")
            if n in pairs:
                classes.append("iv")
            cls = f" class='{' '.join(classes)}'" if classes else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table class='board'><thead><tr>{''.join(heads)}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def frame_html(frame: pd.DataFrame, mapping: dict[str, Column]) -> str:
    heads = "".join(f"<th title='{html.escape(column(n, mapping).definition, quote=True)}'>"
                    f"{html.escape(column(n, mapping).label)}</th>" for n in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for n in frame.columns:
            spec = column(n, mapping)
            text = level_text(row[n]) if n == "level" else display(row[n], spec, n)
            cells.append(f"<td{' class=txt' if spec.dtype == 'str' else ''}>{html.escape(text) or '<span class=na>none</span>'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='board'><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def finalized_html(finalized: list[dict], board: pd.DataFrame) -> str:
    """The locked-test results in leaderboard rank order (a trial no longer ranked goes last)."""
    if not finalized:
        return "<p>Not finalized yet: <code>python -m benchmark.leaderboard finalize</code>.</p>"
    rank = dict(zip(board["trial"].astype(int), board["rank"].astype(int))) if len(board) else {}
    ordered = sorted(finalized, key=lambda f: (rank.get(int(f["trial"]), math.inf), int(f["trial"])))

    def ci(value, bounds, digits=4):
        return f"{value:.{digits}f}" + (f" [{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else "")

    rows = []
    for f in ordered:
        t = f["test"]
        r = rank.get(int(f["trial"]))
        rows.append(
            f"<tr><td>{r if r is not None else '–'}</td><td>{f['trial']}</td><td class=txt>{html.escape(str(f['config']['model']))}</td>"
            f"<td>{f['cv_auroc']:.4f}</td><td class='txt iv'>{ci(t['auroc'], f.get('auroc_ci'))}</td>"
            f"<td class='txt iv'>{ci(t['auprc'], f.get('auprc_ci'))}</td>"
            f"<td class='txt iv'>{ci(t['sensitivity'], f.get('sensitivity_ci'), 3)}</td>"
            f"<td class='txt iv'>{ci(t['specificity'], f.get('specificity_ci'), 3)}</td>"
            f"<td>{f.get('test_positives', '')} / {f.get('test_records', '')}</td></tr>")
    heads = ("Rank", "Trial", "Model", "CV AUROC (selection score)", "Locked-test AUROC [95 % CI]",
             "Locked-test AUPRC [95 % CI]", "Sensitivity", "Specificity", "Test positives / records")
    return ("<div class='scroll'><table class='board'><thead><tr>"
            + "".join(f"<th class=txt>{h}</th>" if h == "Model" else f"<th>{h}</th>" for h in heads)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def statistics_html(statistics: dict | None) -> str:
    """Each registered statistic's table (:mod:`benchmark.leaderboard.statistic`): title, method, rows."""
    parts = []
    for name, (stat, frame) in (statistics or {}).items():
        parts.append(f"<h3>{html.escape(stat.title)}</h3><p>{html.escape(stat.method)} "
                     f"(<code>{html.escape(name)}.csv</code>).</p><div class='scroll'>"
                     f"{frame_html(frame, stat.columns)}</div>")
    return "".join(parts)


def _svg(path: Path) -> str:
    """An SVG file's ``<svg>`` element, for inlining (the page stays one self-contained file)."""
    text = path.read_text()
    start = text.find("<svg")
    return text[start:] if start >= 0 else ""


SELECTION = ("It is the mean over the patient-grouped dev folds that the search maximised, and the table is sorted by "
             "it. The top rows won on these same folds, so their CV AUROC is optimistic (the winner's curse).")

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d1d1d;line-height:1.45;
 margin:0 auto;padding:16px 20px;max-width:1200px;overflow-wrap:anywhere}
h1{font-size:1.5em;margin:.2em 0 .4em} h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd}
h3{font-size:1em;margin:1em 0 .3em}
.warn{background:#fff3cd;border:1px solid #e0b000;padding:8px 12px;font-weight:600}
.howto{background:#eef5fb;border:1px solid #9cc3e6;padding:6px 16px;margin:12px 0}
.howto h2{border:0;margin:.4em 0} .howto li{margin:.25em 0}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px;margin:8px 0}
dl.meta dt{font-weight:600} dl.meta dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace}
dl.gloss{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;font-size:13px}
dl.gloss dt{font-weight:600} dl.gloss dd{margin:0}
.scroll{overflow-x:auto;max-width:100%;border:1px solid #ddd;border-radius:4px}
table.board{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;overflow-wrap:normal}
table.board th{background:#f3f4f6;text-align:right;vertical-align:bottom;font-weight:600;padding:4px 8px;
 min-width:3.5em;max-width:9em;white-space:normal;border-bottom:2px solid #bbb}
table.board td{padding:3px 8px;border-bottom:1px solid #e5e5e5;text-align:right;white-space:nowrap;vertical-align:top}
table.board td.txt,table.board th.txt{text-align:left} table.board td.txt{white-space:normal;min-width:6em}
table.board tbody tr:nth-child(even){background:#fafafa}
table.board td.model,table.board td.iv{white-space:nowrap} td.model summary{cursor:pointer;color:#1f5fa8}
table.cfg{font-size:12px;margin:4px 0;border-collapse:collapse} table.board table.cfg th{text-align:left;padding:0 8px 0 0;
 font-weight:500;color:#555;background:none;border:0;min-width:0;max-width:none;white-space:nowrap}
table.board table.cfg td{text-align:left;padding:0;border:0}
.na{color:#999}
.extra{display:none} #allcols:checked ~ .scroll .extra{display:table-cell}
@media (max-width:900px){.wide{display:none}} #allcols:checked ~ .scroll .wide{display:table-cell}
.toggle{font-size:13px;margin:4px 0;display:inline-block}
.cd svg{max-width:100%;height:auto}
.plot{width:100%}
"""


def _how_to_read(head: dict, counts: dict, board: pd.DataFrame) -> str:
    noted = notes(head)
    extra = "".join(f"<li>{html.escape(note_line(k, v))}</li>"
                    for k, v in noted.items() if k not in ("selection_score", "interval_method"))
    standin = (f"<li><b>Stand-in cohort.</b> {html.escape(str(head['description']))}</li>" if is_standin(head) else "")
    selection = html.escape(noted["selection_score"]) + "." if "selection_score" in noted else SELECTION
    lead = "Selection score." if "selection_score" in noted else "CV AUROC is a selection score, not an estimate."
    gloss = "".join(f"<dt>{html.escape(column(n).label)}</dt><dd>{html.escape(column(n).definition)}</dd>"
                    for n in board.columns)
    interval = noted.get("interval_method", "a t-interval over folds, which ignores that folds share training data")
    return f"""<section class="howto"><h2>How to read this</h2><ul>
<li><b>{lead}</b> {selection} The estimate for unseen patients is
the <b>locked-test</b> result, measured once, for configurations chosen before the test was opened
(<code>finalize</code>).</li>
<li><b>Intervals</b> are 95 %. CV AUROC: {html.escape(interval)}. Factor effects: an interval of the mean over
the trials at a level; trials are not independent draws (the sampler chose them), so it describes spread, and a
level with one trial has none.</li>
<li><b>Counts.</b> {counts.get('complete', 0)} complete trials are ranked; {counts.get('pruned', 0)} pruned and
{counts.get('failed', 0)} failed trials are counted, never ranked.</li>
<li><b>n/a</b>: the factor does not apply to the row (baselines have no crop, filter or pretraining;
a model trained from scratch has no frozen stages). The files leave these cells empty. Click a model
for the trial's full configuration.</li>
{standin}{extra}</ul>
<details><summary>Column definitions</summary><dl class="gloss">{gloss}</dl></details></section>"""


def answers_method() -> str:
    from benchmark.leaderboard.answers import METHOD

    return METHOD


def answers_html(answers: pd.DataFrame | None, curves: pd.DataFrame | None) -> str:
    """The page's first section: the answer table (questions 2-5) and the curves of question 1."""
    from benchmark.leaderboard import curves as curve_mod
    from benchmark.leaderboard.answers import verdict

    out = ["<h2>The study's questions, answered</h2>"]
    if curves is not None and len(curves):
        out.append(f"<h3>Q1 architecture at equal budget</h3><p>{html.escape(curve_mod.METHOD)}.</p>")
        missing = curves[curves["k"] == 0]["family"].tolist()
        if missing:
            out.append(f"<p>No complete random draw: {html.escape(', '.join(missing))}.</p>")
        for x in ("k", "seconds"):
            out.append(curve_mod.figure(curves, x).to_html(full_html=False, include_plotlyjs=(x == "k"),
                                                           div_id=f"emp-{x}", default_width="100%",
                                                           config={"responsive": True, "displaylogo": False}))
    if answers is not None and len(answers):
        shown = answers.assign(verdict=[verdict(r) for _, r in answers.iterrows()])
        cols = ["question", "contrast", "family", "mean_delta", "ci_low", "ci_high", "p", "p_holm", "p_better",
                "p_equivalent", "p_worse", "mde", "blocks", "cost_seconds", "verdict", "note"]
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_answer_cell(r[c]))}</td>" for c in cols) + "</tr>"
                       for _, r in shown.iterrows())
        out.append(f"<h3>Q2-Q5: the ablation's declared contrasts (ΔAUROC)</h3><p>{html.escape(answers_method())}.</p>"
                   "<div class='scroll'><table><thead><tr>" + "".join(f"<th>{c}</th>" for c in cols)
                   + f"</tr></thead><tbody>{body}</tbody></table></div>")
    elif answers is not None:
        out.append("<p>This study has no ablation stage (or none of its contrasts ran): questions 2-5 are not "
                   "answered.</p>")
    return "".join(out)


def _answer_cell(v) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.3g}" if abs(v) < 1e-3 and v else f"{v:.3f}"
    return "" if v is None else str(v)


def write_html(path: Path, study: optuna.Study, head: dict, board: pd.DataFrame, counts: dict,
               effects: pd.DataFrame, importances: dict, finalized: list[dict], top: int,
               answers: pd.DataFrame | None = None, curves: pd.DataFrame | None = None,
               statistics: dict | None = None) -> None:
    """``board`` and ``effects`` are the tidy frames (``tidy``) the CSV files are written from."""
    parts, effect_parts = [], []
    js_first = curves is None or not len(curves)  # else the curves at the top carry plotly.js
    for i, (title, fig) in enumerate(_figures(study, board, effects, importances, finalized)):
        fig.update_layout(margin={"l": 50, "r": 20, "t": 30, "b": 40}, autosize=True)
        effect = title.startswith("Factor effects")  # shown in the factor-effects section, before the rest
        heading = f"<h3>{html.escape(title)}</h3>" if effect else f"<h2>{html.escape(title)}</h2>"
        (effect_parts if effect else parts).append(heading + fig.to_html(
            full_html=False, include_plotlyjs=(i == 0 and js_first), div_id=f"figure-{i}", default_width="100%",
            config={"responsive": True, "displaylogo": False}))
    configs = trial_configs(study)
    noted = notes(head)
    meta = "".join(f"<dt>{html.escape(header_label(k))}</dt><dd>{html.escape(str(v))}</dd>"
                   for k, v in head.items() if k not in noted and k not in ("description", "is_standin"))
    banner = f"<p class='warn'>{html.escape(str(head['description']))}</p>" if is_standin(head) else ""
    cd_file = path.parent / "cd_diagram.svg"
    cd = (f"<h2>Ranking across model families (critical-difference diagram)</h2><div class='cd'>{_svg(cd_file)}</div>"
          if cd_file.is_file() else "")
    factor_table = ""
    if len(effects):
        methods = sorted(set(effects["method"].dropna().astype(str))) if "method" in effects.columns else []
        factor_table = ("<details><summary>The same as a table</summary>"
                        + "".join(f"<p>Interval: {html.escape(m)}.</p>" for m in methods) + "<div class='scroll'>"
                        + frame_html(effects.drop(columns=["method"], errors="ignore"), FACTOR_COLUMNS)
                        + "</div></details>")
    shown = min(top, len(board))
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(str(head['study']))} leaderboard</title><style>{CSS}</style></head><body>
<h1>ecg-automl-bench leaderboard: {html.escape(str(head['study']))}</h1>{banner}
{answers_html(answers, curves)}
<dl class="meta">{meta}</dl>
{_how_to_read(head, counts, board)}
<h2>Cross-validated leaderboard (top {shown} of {len(board)}, sorted by CV AUROC)</h2>
<input type="checkbox" id="allcols"><label class="toggle" for="allcols"> show all columns</label>
<div class="scroll">{board_html(board, configs, top)}</div>
<h2>Locked test (ordered by leaderboard rank)</h2>{finalized_html(finalized, board)}
{statistics_html(statistics)}
{cd}
<h2>Factor effects (mean AUROC per level over trials)</h2>{''.join(effect_parts)}{factor_table}
{''.join(parts)}</body></html>
"""
    write_text(path, page)
