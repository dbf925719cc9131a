"""Leaderboard outputs: plain files that pandas reads back unchanged, stable bytes, and a readable
page and terminal table. A small in-memory study with hand-made fold results (no training)."""

from __future__ import annotations

import inspect
import json
import re

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution

from benchmark.leaderboard import columns, factors, files, header
from benchmark.leaderboard.render import cells, page
from benchmark.leaderboard.__main__ import print_table
from benchmark.leaderboard.columns import COLUMNS
from benchmark.leaderboard.table import leaderboard

STANDIN = "PUBLIC STAND-IN, NOT A PE LABEL: test"
METRICS = ("auroc", "auprc", "f1", "sensitivity", "specificity", "balanced_accuracy", "brier")

# (model, kind, family, pretrain, freeze_depth, fold AUROCs, parameters)
TRIALS = [
    ("minirocket", "baseline", "rocket", None, None, (0.80, 0.84, 0.86), 10_001),
    ("resnet1d18", "deep", "resnet1d", "none", None, (0.70, 0.75, 0.72), 703_649),
    ("resnet1d18", "deep", "resnet1d", "ptbxl", 1, (0.81, 0.79, 0.90), 703_649),
    ("resnet1d18", "deep", "resnet1d", "ptbxl", 0, (0.60, 0.66, 0.64), 703_649),
    ("vgg11_1d", "deep", "vgg1d", "ptbxl", 2, (0.55, 0.58, 0.51), 309_377),
    ("vgg11_1d", "deep", "vgg1d", "none", None, (0.91, 0.88, 0.90), 309_377),
]


def _fold(k: int, auc: float) -> dict:
    return {"fold": k, "repeat": 0, **{m: auc - 0.01 * i for i, m in enumerate(METRICS)}, "fit_seconds": 1.5 + k}


@pytest.fixture(scope="module")
def study():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    s = optuna.create_study(direction="maximize")
    s.set_user_attr("identity", {"task": "pe", "cohort": "pe-standin-ptbxl", "manifest_hash": "m" * 64,
                                 "split_hash": "s" * 64, "budget": "smoke", "seed": 0})
    s.set_user_attr("description", STANDIN)
    for model, kind, family, pretrain, depth, aucs, n_params in TRIALS:
        config = {"model": model, "kind": kind, "family": family, "normalization": "zscore", "model_kwargs": {}}
        if kind == "deep":
            config |= {"crop_seconds": 2.5, "filter": "bandpass", "pretrain": pretrain, "freeze_depth": depth,
                       "lr": 0.001}
        folds = [_fold(k, a) for k, a in enumerate(aucs)]
        s.add_trial(optuna.trial.create_trial(
            params={"model": model, "normalization": "zscore", "lr": 0.001},
            distributions={"model": CategoricalDistribution(sorted({t[0] for t in TRIALS})),
                           "normalization": CategoricalDistribution(["zscore"]),
                           "lr": FloatDistribution(1e-4, 1e-2, log=True)},
            value=float(np.mean(aucs)),
            user_attrs={"config": config, "folds": folds, "n_parameters": n_params, "seed": 0,
                        "fit_seconds": sum(f["fit_seconds"] for f in folds)}))
    return s


def _effects(study, table) -> pd.DataFrame:
    """Factor effects from whichever input ``marginal_effects`` takes (the table, or the study for the
    first-fold view with pruned trials)."""
    first = next(iter(inspect.signature(factors.marginal_effects).parameters))
    return factors.marginal_effects(study if first == "study" else table)


@pytest.fixture(scope="module")
def written(study, tmp_path_factory):
    out = tmp_path_factory.mktemp("board")
    table = leaderboard(study)
    counts = {"complete": len(table), "pruned": 0, "failed": 0}
    effects = _effects(study, table)
    files.write_all(out, study, header.header(study), table, counts, effects, {}, [], top=20)
    return out, table


def test_csv_is_plain_and_round_trips(written, study):
    out, table = written
    meta = json.loads((out / "leaderboard.meta.json").read_text())
    plain = pd.read_csv(out / "leaderboard.csv")  # no comment lines, no options needed
    expected = files.tidy(table, header.trial_configs(study))
    assert list(plain.columns) == list(expected.columns) and len(plain) == len(TRIALS)
    typed = pd.read_csv(out / "leaderboard.csv", dtype=meta["dtypes"])
    pd.testing.assert_frame_equal(typed, expected, check_exact=False, rtol=1e-12)
    for name in ("rank", "trial", "folds", "n_parameters", "seed"):  # integer columns stay integer
        assert plain[name].dtype.kind == "i", name
    assert meta["dtypes"]["freeze_depth"] == "Int64" and "NOT A PE LABEL" in meta["description"]
    assert meta["split_hash"] == "s" * 64 and meta["counts"]["complete"] == len(TRIALS)


def test_not_applicable_factors_are_empty_cells(written):
    out, _ = written
    raw = pd.read_csv(out / "leaderboard.csv", dtype=str, keep_default_na=False)
    base = raw[raw["kind"] == "baseline"].iloc[0]
    assert [base[c] for c in ("crop_seconds", "filter", "pretrain", "freeze_depth")] == ["", "", "", ""]
    unpretrained = raw[(raw["kind"] == "deep") & (raw["pretrain"] == "none")]
    assert set(unpretrained["freeze_depth"]) == {""}
    depths = raw.loc[raw["freeze_depth"] != "", "freeze_depth"]
    assert sorted(depths) == ["0", "1", "2"]  # integers, not 0.0000 or 1.0
    assert not any("n/a" in cell for cell in raw.to_numpy().ravel())


def test_json_round_trips_with_metadata(written, study):
    out, table = written
    frame = pd.read_json(out / "leaderboard.json", orient="table")
    expected = files.tidy(table, header.trial_configs(study))
    pd.testing.assert_frame_equal(frame, expected, check_exact=False, rtol=1e-12)
    payload = json.loads((out / "leaderboard.json").read_text())
    assert payload["meta"] == json.loads((out / "leaderboard.meta.json").read_text())
    assert {f["name"]: f["title"] for f in payload["schema"]["fields"]}["auroc_mean"] == "CV AUROC"


def test_files_are_byte_stable(written, study, tmp_path):
    out, table = written
    shuffled = table.sample(frac=1.0, random_state=3)  # row order of the input does not matter
    effects = _effects(study, table)
    files.write_all(tmp_path, study, header.header(study), shuffled,
                     {"complete": len(table), "pruned": 0, "failed": 0}, effects, {}, [], top=20)
    for name in ("leaderboard.csv", "factors.csv", "leaderboard.json", "leaderboard.meta.json"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_fit_seconds_and_columns_are_defined(written, study):
    out, table = written
    frame = pd.read_csv(out / "leaderboard.csv")
    for _, row in frame.iterrows():
        folds = study.trials[int(row["trial"])].user_attrs["folds"]
        assert row["fit_seconds_total"] == pytest.approx(sum(f["fit_seconds"] for f in folds))
        assert row["fit_seconds_per_fold"] == pytest.approx(row["fit_seconds_total"] / len(folds))
    assert "fit_seconds" not in frame.columns
    undefined = [c for c in files.tidy(table, {}).columns if c not in COLUMNS]
    assert not undefined, f"add these to benchmark/leaderboard/columns.py: {undefined}"


def test_one_trial_level_has_no_interval_and_levels_are_ordered(written):
    out, _ = written
    effects = pd.read_csv(out / "factors.csv", dtype={"level": str})
    single = effects[effects["trials"] == 1]
    assert len(single) and single[["ci_low", "ci_high"]].isna().all().all()
    keys = [c for c in ("view", "factor") if c in effects.columns]
    for _, group in effects.groupby(keys, sort=False):
        assert list(group["level"]) == sorted(group["level"], key=cells.level_key)
        assert not any(lv.endswith(".0") for lv in group["level"])  # integer levels print as integers
    depth = effects[effects["factor"].str.startswith("freezing depth")]
    assert len(depth) >= 2


def test_level_order_is_natural():
    levels = ["1.0", "10", "n/a (baseline)", "0.0", "ptbxl", "2.5", "none"]
    assert [cells.level_text(v) for v in sorted(levels, key=cells.level_key)] == \
        ["0", "1", "2.5", "10", "none", "ptbxl", "n/a (baseline)"]


def test_pareto_front():
    cost = np.array([1.0, 2.0, 3.0, 0.5, 2.5])
    score = np.array([0.7, 0.9, 0.8, 0.6, 0.95])
    assert list(page._pareto(cost, score)) == [3, 0, 1, 4]


def _board_headers(page: str) -> list[str]:
    board = page.split("<table class='board'>", 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", board)]


def test_page_is_readable(written, study):
    out, table = written
    page = (out / "index.html").read_text()
    assert "Plotly.newPlot" in page and "How to read this" in page and "NOT A PE LABEL" in page
    headers = _board_headers(page)
    assert "CV AUROC" in headers and "Rank" in headers and len(headers) >= 10
    assert not [h for h in headers if "_" in h]  # one readable name per column, no snake_case
    assert re.search(r'<div class="scroll"><table class=\'board\'>', page)  # scrolls in its own box
    assert "class='extra'" in page and 'id="allcols"' in page  # fewer columns by default
    top = study.trials[int(table["trial"].iloc[0])].user_attrs["config"]
    first_row = page.split("<tbody>", 1)[1].split("</details>", 1)[0]
    assert f"<summary>{top['model']}</summary>" in first_row
    assert f"<th>freeze_depth</th><td>{top['freeze_depth']}</td>" in first_row  # the stored config, expandable
    assert "title='n/a (baseline)'>n/a<" in page and "title='n/a (not pretrained)'>n/a<" in page
    assert "forest plot" in page and "Pareto front" in page


def test_forest_plot_orders_levels(written, study):
    out, table = written
    effects = cells.sort_effects(_effects(study, table))
    if "view" in effects.columns:
        effects = effects[effects["view"] == effects["view"].iloc[-1]]
    fig = page._forest(effects)
    depth = next(t for t in fig.data if t.name.startswith("freezing depth"))
    levels = list(depth.y)
    assert levels == sorted(levels, key=cells.level_key) and len(levels) >= 2
    numeric = [float(v) for v in levels if not v.startswith("n/a")]
    assert numeric == sorted(numeric)  # 0 before 1
    single = [i for i, n in enumerate(depth.text) if "no interval" in n]
    assert single and all(depth.error_x.array[i] == 0 and depth.error_x.arrayminus[i] == 0 for i in single)


def test_locked_test_ordered_by_rank(written):
    _, table = written
    board = files.tidy(table)
    by_rank = list(board["trial"])
    finalized = [{"trial": t, "config": {"model": "m"}, "cv_auroc": 0.5, "test": {"auroc": 0.5, "auprc": 0.5,
                  "sensitivity": 0.5, "specificity": 0.5}, "auroc_ci": [0.4, 0.6], "auprc_ci": [0.4, 0.6]}
                 for t in sorted(by_rank[:3])]  # file-name order
    html = page.finalized_html(finalized, board)
    shown = [int(m) for m in re.findall(r"<tr><td>\d+</td><td>(\d+)</td>", html)]
    assert shown == by_rank[:3]


@pytest.mark.parametrize("width", [60, 100, 200])
def test_terminal_table_fits_the_width(written, study, capsys, width):
    _, table = written
    print_table(table, {"complete": len(table), "pruned": 0, "failed": 0}, header.header(study), 20, width=width)
    text = capsys.readouterr().out
    lines = [line for line in text.splitlines() if line.startswith(("┃", "│", "┏", "└"))]
    assert lines and max(len(line) for line in lines) <= width
    columns = lines[1].count("┃") - 1
    assert ("CV AUROC" in text) and (columns >= 14 if width == 200 else columns < 10)


def test_not_applicable_is_empty_in_numbers_but_kept_as_a_factor_level():
    table = pd.DataFrame({"rank": [1, 2], "crop_seconds": ["n/a (baseline)", 2.5], "pretrain": ["n/a (baseline)", "ptbxl"],
                          "freeze_depth": [None, 1.0]})
    tidy = files.tidy(table)
    assert tidy["crop_seconds"].isna().tolist() == [True, False] and tidy["pretrain"].isna().tolist() == [True, False]
    assert str(tidy["freeze_depth"].dtype) == "Int64" and tidy["freeze_depth"].iloc[1] == 1
    effects = pd.DataFrame({"factor": ["pretraining source"] * 2, "level": ["n/a (baseline)", "ptbxl"], "trials": [2, 3]})
    assert files.tidy(effects, mapping=columns.FACTOR_COLUMNS)["level"].tolist() == ["n/a (baseline)", "ptbxl"]


def test_importance_ties_in_a_fixed_order():
    a = {"b": 0.0, "x": 0.7, "a": 0.0, "m": 0.3}
    b = {"a": 0.0, "m": 0.3, "b": 0.0, "x": 0.7}
    assert list(files._stable_importances(a)) == list(files._stable_importances(b)) == ["x", "m", "a", "b"]
    assert list(files._stable_importances({"v": b})["v"]) == ["x", "m", "a", "b"]
