"""The leaderboard's statistics on known data and on a hand-built study (no search, no signals)."""

from __future__ import annotations

import json
import math
import statistics

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState
from scipy import stats as sps
from sklearn.metrics import roc_auc_score

from benchmark.leaderboard import stats


# ------------------------------------------------------------------------------ corrected resampled t
def test_corrected_ttest_matches_the_formula_by_hand():
    best = [0.82, 0.84, 0.81, 0.83, 0.85]
    other = [0.80, 0.80, 0.80, 0.80, 0.80]
    # d = 0.02, 0.04, 0.01, 0.03, 0.05: mean 0.03, sample variance 0.001 / 4 = 0.00025
    # 5-fold: n_test/n_train = 1/4; corrected variance of the mean = (1/5 + 1/4) * 0.00025 = 1.125e-4
    # t = 0.03 / sqrt(1.125e-4) = 2 * sqrt(2); the naive paired t would be 0.03 / sqrt(0.00025 / 5) = 4.243
    t, p = stats.corrected_ttest(best, other, 0.25)
    assert t == pytest.approx(2 * math.sqrt(2), rel=1e-9)
    assert p == pytest.approx(2 * sps.t.sf(2 * math.sqrt(2), 4), rel=1e-9)
    assert 0.04 < p < 0.05  # the plain paired t-test gives p = 0.013: the correction matters
    assert sps.ttest_rel(best, other).pvalue < 0.02
    assert stats.corrected_ttest(best, best, 0.25) == (0.0, 1.0)


def test_corrected_interval_is_wider_than_the_naive_one_by_the_factor():
    x = [0.70, 0.75, 0.72, 0.80, 0.78, 0.74]  # 2 repeats x 3 folds
    ratio = 0.5  # 3-fold: n_test / n_train = 1/2
    lo, hi = stats.corrected_interval(x, ratio)
    half_naive = sps.t.ppf(0.975, 5) * statistics.stdev(x) / math.sqrt(6)
    assert (hi - lo) / 2 == pytest.approx(half_naive * math.sqrt((1 / 6 + 0.5) / (1 / 6)), rel=1e-9)
    assert (lo + hi) / 2 == pytest.approx(statistics.mean(x))
    assert all(math.isnan(v) for v in stats.corrected_interval([0.7], ratio))


def test_test_train_ratio_from_fold_sizes_else_the_fold_count():
    rows = pd.DataFrame({"fold": [0, 1, 2], "n_eval": [40, 40, 41], "n_train": [160, 160, 159]})
    assert stats.test_train_ratio(rows) == pytest.approx(np.mean([40 / 160, 40 / 160, 41 / 159]))
    assert stats.test_train_ratio(rows.drop(columns=["n_eval", "n_train"])) == pytest.approx(1 / 2)


# ------------------------------------------------------------------------------ the locked test
@pytest.mark.parametrize("k,n", [(3, 8), (0, 10), (52, 52), (17, 40)])
def test_wilson_interval_matches_the_formula(k, n):
    z = sps.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = stats.wilson_interval(k, n)
    assert lo == pytest.approx(centre - half, abs=1e-12) and hi == pytest.approx(centre + half, abs=1e-12)
    if (k, n) == (3, 8):  # the issue's example: 3 of 8 positives found
        assert (round(lo, 2), round(hi, 2)) == (0.14, 0.69)


def _mean_gap(y, p):  # a fast score that, like AUROC, ignores copying every record the same number of times
    return p[y == 1].mean() - p[y == 0].mean()


def test_patient_bootstrap_resamples_patients_not_records():
    """Each patient's record copied 20 times gives the same interval as one record per patient (a
    record-level bootstrap would shrink it by about sqrt(20)), and every resample has both classes."""
    rng = np.random.default_rng(1)
    y1 = np.array([1] * 6 + [0] * 18)
    p1 = np.clip(0.3 * y1 + rng.normal(0.4, 0.2, len(y1)), 0, 1)
    g1 = np.arange(len(y1)).astype(str)
    copies = 20
    y20, p20, g20 = np.repeat(y1, copies), np.repeat(p1, copies), np.repeat(g1, copies)
    once = stats.patient_bootstrap_interval(y1, p1, g1, _mean_gap, seed=3)
    repeated = stats.patient_bootstrap_interval(y20, p20, g20, _mean_gap, seed=3)
    assert repeated == pytest.approx(once, abs=1e-12)
    lo, hi = repeated
    assert lo < _mean_gap(y20, p20) < hi
    records = sps.bootstrap((np.arange(len(y20)),), lambda i: _mean_gap(y20[i], p20[i]), n_resamples=2000,
                            vectorized=False, method="percentile", rng=np.random.default_rng(3)).confidence_interval
    assert (hi - lo) > 2.5 * (records.high - records.low)
    auc = stats.patient_bootstrap_interval(y20, p20, g20, roc_auc_score, seed=3, n_resamples=200)
    assert auc[0] < roc_auc_score(y20, p20) < auc[1] and not any(map(math.isnan, auc))


def test_level_mean_interval_is_absent_for_one_trial():
    assert all(math.isnan(v) for v in stats.bootstrap_mean_interval([0.71]))
    lo, hi = stats.bootstrap_mean_interval([0.6, 0.7, 0.8, 0.65])
    assert 0.6 <= lo < 0.6875 < hi <= 0.8


# ------------------------------------------------------------------------------ a hand-built study
FAMILY_SKILL = {"minirocket": 0.90, "resnet1d": 0.80, "vgg": 0.70, "hsmnet": 0.60}
MODEL = {"minirocket": "minirocket", "resnet1d": "resnet1d18", "vgg": "vgg11_1d", "hsmnet": "hsmnet"}


def _config(family: str, pretrain: str = "none", freeze=None, fraction=None, **extra) -> dict:
    if family == "minirocket":
        return {"model": "minirocket", "family": "minirocket", "kind": "baseline", "normalization": "zscore",
                "model_kwargs": {"num_kernels": 2000, "C": 0.5}, **extra}
    return {"model": MODEL[family], "family": family, "kind": "deep", "normalization": "zscore",
            "model_kwargs": {"width": 32}, "crop_seconds": 2.5, "filter": "none", "pretrain": pretrain,
            "freeze_depth": freeze, "freeze_fraction": fraction, "lr": 1e-3, "weight_decay": 1e-4, "batch_size": 64,
            "loss": "bce", "focal_gamma": 2.0, "epochs": 5, **extra}


def _folds(aurocs, repeats=2, k=3):
    rows = []
    for i, a in enumerate(aurocs):
        rows.append({"repeat": i // k, "fold": i % k, "auroc": a, "auprc": a / 2, "f1": 0.5, "sensitivity": 0.5,
                     "specificity": 0.5, "balanced_accuracy": 0.5, "brier": 0.2, "fit_seconds": 1.0,
                     "n_train": 200, "n_eval": 100})
    return rows


def _add(study, config, folds, state=TrialState.COMPLETE):
    dist = {"model": CategoricalDistribution(list(MODEL.values())),
            "normalization": CategoricalDistribution(["zscore", "minmax"])}
    params = {"model": config["model"], "normalization": config["normalization"]}
    value = float(np.mean([f["auroc"] for f in folds])) if state == TrialState.COMPLETE else None
    study.add_trial(optuna.trial.create_trial(
        state=state, value=value, params=params, distributions=dist,
        user_attrs={"config": config, "folds": folds, "n_parameters": 10, "fit_seconds": float(len(folds)), "seed": 0},
        intermediate_values={i: f["auroc"] for i, f in enumerate(folds)}))


@pytest.fixture(scope="module")
def hand_study():
    rng = np.random.default_rng(0)
    study = optuna.create_study(direction="maximize")
    for family, skill in FAMILY_SKILL.items():
        for shift in (0.0, -0.05):  # two configurations per family
            _add(study, _config(family), _folds(list(skill + shift + rng.normal(0, 0.01, 6))))
    _add(study, _config("resnet1d", "ptbxl", 2, 0.5), _folds(list(0.75 + rng.normal(0, 0.01, 6))))
    _add(study, _config("resnet1d", "none", 0), _folds(list(0.74 + rng.normal(0, 0.01, 6))))  # old style: depth 0
    _add(study, _config("vgg", "ptbxl", 1, 0.2), _folds([0.30]), state=TrialState.PRUNED)  # pruned after fold 0
    return study


def test_table_rows_carry_corrected_intervals_and_plain_words(hand_study):
    from benchmark.leaderboard.table import leaderboard

    table = leaderboard(hand_study)
    assert len(table) == 10 and table["trial"].iloc[0] == 0 and table["vs_rank_1"].iloc[0] == stats.BEST
    for _, row in table.iterrows():
        folds = pd.DataFrame(_stored_folds(hand_study, row["trial"]))
        lo, hi = stats.corrected_interval(folds["auroc"], 0.5)  # n_eval / n_train = 100 / 200
        assert row["auroc_ci_low"] == pytest.approx(max(0, lo)) and row["auroc_ci_high"] == pytest.approx(min(1, hi))
        assert row["repeats"] == 2 and row["folds"] == 6
    worst = table.iloc[-1]
    assert worst["vs_rank_1"] == stats.WORSE and worst["p_vs_rank_1"] < 0.05
    assert "tied_with_best" not in table.columns


def _stored_folds(study, number):
    return study.trials[int(number)].user_attrs["folds"]


def test_table_shows_every_hyperparameter_of_the_configuration(hand_study):
    """Issue 14 item 3: lr, batch size, loss, epochs and the model's own arguments are in the table."""
    from benchmark.leaderboard.table import leaderboard

    table = leaderboard(hand_study)
    for _, row in table.iterrows():
        config = hand_study.trials[int(row["trial"])].user_attrs["config"]
        assert json.loads(row["config"]) == config
        if config["kind"] == "deep":
            for key in ("lr", "weight_decay", "batch_size", "loss", "epochs", "crop_seconds", "normalization"):
                assert row[key] == config[key]
        else:
            assert json.loads(row["config"])["model_kwargs"] == {"num_kernels": 2000, "C": 0.5}
            assert math.isnan(row["lr"]) and math.isnan(row["crop_seconds"])  # empty, not a string


def test_unpretrained_trials_have_no_freezing_level(hand_study):
    from benchmark.leaderboard.factors import FACTOR_NAMES, marginal_effects
    from benchmark.leaderboard.table import NOT_PRETRAINED, leaderboard

    table = leaderboard(hand_study)
    deep = table[table["kind"] == "deep"]
    unpretrained = deep[deep["pretrain"] == "none"]
    assert unpretrained["freeze_fraction"].isna().all() and unpretrained["freeze_depth"].isna().all()
    assert deep.loc[deep["pretrain"] == "ptbxl", "freeze_fraction"].tolist() == [0.5]
    effects = marginal_effects(hand_study)
    freeze = effects[effects["factor"] == FACTOR_NAMES["freeze_fraction"]]
    complete = freeze[freeze["view"].str.startswith("CV mean")].set_index("level")
    # 7 unpretrained deep trials, the old-style one (pretrain none, depth 0) among them, never level "0.00"
    assert complete.loc[NOT_PRETRAINED, "trials"] == 7 and "0.00" not in complete.index
    assert complete.loc["0.50", "trials"] == 1


def test_factor_effects_count_pruned_trials_on_the_first_fold(hand_study):
    from benchmark.leaderboard.factors import COMPLETE, FIRST_FOLD, marginal_effects

    effects = marginal_effects(hand_study).set_index(["view", "factor", "level"])
    first = effects.loc[(FIRST_FOLD, "architecture family", "vgg")]
    complete = effects.loc[(COMPLETE, "architecture family", "vgg")]
    assert first["trials"] == 3 and first["pruned"] == 1 and complete["trials"] == 2
    assert first["mean_auroc"] < complete["mean_auroc"]  # the pruned trial's poor fold counts
    one = effects.loc[(FIRST_FOLD, "freezing depth (fraction of stages)", "0.25")]  # 1 / 5 rounds to a quarter
    assert one["trials"] == 1 and math.isnan(one["ci_low"]) and math.isnan(one["ci_high"])


def test_importances_use_fanova_on_both_views(hand_study):
    from benchmark.leaderboard.factors import COMPLETE, FIRST_FOLD, importances

    imp = importances(hand_study)
    assert set(imp) == {FIRST_FOLD, COMPLETE}
    assert max(imp[COMPLETE], key=imp[COMPLETE].get) == "model"  # family drives AUROC here, not normalization


def test_family_ranking_and_cd_diagram(hand_study, tmp_path):
    from benchmark.leaderboard.table import family_view, fold_frame, leaderboard

    table = leaderboard(hand_study)
    families = family_view(table)
    assert list(families["family"]) == ["minirocket", "resnet1d", "vgg", "hsmnet"]
    assert list(families["trial"]) == [0, 2, 4, 6]  # each family's best configuration
    ranking = stats.family_ranking(table, fold_frame(hand_study))
    assert ranking.blocks == 6 and ranking.p_value < 0.01
    assert ranking.mean_ranks == {"minirocket": 1.0, "resnet1d": 2.0, "vgg": 3.0, "hsmnet": 4.0}
    assert ranking.nemenyi_p.loc["minirocket", "hsmnet"] < 0.05
    path = tmp_path / "cd_diagram.svg"
    assert stats.write_cd_diagram(ranking, path)
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "minirocket" in svg
    json.dumps(ranking.as_dict())  # exposed as plain data
    two = stats.family_ranking(table[table["family"].isin(["vgg", "hsmnet"])], fold_frame(hand_study))
    assert two.nemenyi_p is None and "at least 3 families" in two.note
    assert not stats.write_cd_diagram(two, path) and not path.exists()  # a stale diagram is removed


# ------------------------------------------------------------------------------ the command line
@pytest.mark.parametrize("argv", [
    ["--task", "pe", "--results-dir", "D", "--study", "S", "finalize", "--top", "2"],
    ["finalize", "--task", "pe", "--results-dir", "D", "--study", "S", "--top", "2"],
    ["--results-dir", "D", "finalize", "--study-name", "S", "--top", "2", "--task", "pe"],
])
def test_options_work_before_and_after_the_subcommand(argv):
    from benchmark.leaderboard.__main__ import build_parser

    args = build_parser().parse_args(argv)
    assert (args.command, args.results_dir, args.study, args.top, args.task) == ("finalize", "D", "S", 2, "pe")
    assert args.rows == 20 and args.storage is None  # defaults still there when not given anywhere


def test_rows_shown_and_models_finalized_have_two_names(capsys):
    from benchmark.leaderboard.__main__ import build_parser

    parser = build_parser()
    assert parser.parse_args(["--rows", "5"]).rows == 5
    assert parser.parse_args(["finalize"]).top == 1  # one pre-chosen configuration by default
    assert parser.parse_args(["finalize", "--trial", "4", "--trial", "9"]).trial == [4, 9]
    for bad in (["--top", "3"], ["finalize", "--top", "2", "--trial", "4"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


# ------------------------------------------------------------------------------ the locked-test log
@pytest.fixture
def fake_finalize(monkeypatch, tmp_path):
    """finalize() with the refit and the test evaluation replaced by a record of the call, so the
    log's bookkeeping is tested without signals."""
    from benchmark.leaderboard import finalize as fin

    opened: list[tuple[int, int]] = []  # (trial, configurations that will have seen the test)

    def fake_trial(trial, ctx, data, out, seen):
        opened.append((trial.number, seen))
        if trial.number == 2:
            raise RuntimeError("the refit failed")
        result = {"trial": trial.number, "config": trial.user_attrs["config"], "cv_auroc": trial.value}
        out.write_text(json.dumps(result))
        return result

    monkeypatch.setattr(fin, "finalize_trial", fake_trial)

    class Ctx:
        task = "pe"

    return fin, Ctx(), opened, tmp_path


def test_locked_test_log_counts_configurations_and_refuses_a_second_look(hand_study, fake_finalize):
    from benchmark.errors import ConfigError

    fin, ctx, opened, results = fake_finalize
    study = optuna.create_study(direction="maximize")
    for t in hand_study.get_trials(states=(TrialState.COMPLETE,))[:4]:
        _add(study, t.user_attrs["config"], t.user_attrs["folds"])
    out, use = fin.finalize(study, ctx, None, results)  # default: the rank-1 configuration only
    assert opened == [(0, 1)] and [r["trial"] for r in out] == [0]
    assert use["configurations"] == 1 and use["looks"] == 1 and "1 configuration(s)" in fin.usage_line(use)
    again, use = fin.finalize(study, ctx, None, results)  # same choice: reused, the test is not opened
    assert opened == [(0, 1)] and again[0]["reused"] and use["looks"] == 1
    with pytest.raises(ConfigError, match="already been seen by 1 configuration.*has not changed.*--force"):
        fin.finalize(study, ctx, None, results, top=2)
    _add(study, hand_study.trials[0].user_attrs["config"], _folds([0.99] * 6))  # the study grows: a new rank 1
    with pytest.raises(ConfigError, match=r"has changed since \(4 complete trials then, 5 now\)"):
        fin.finalize(study, ctx, None, results)
    assert opened == [(0, 1)]
    out, use = fin.finalize(study, ctx, None, results, force=True, trials=[4, 1])
    assert opened == [(0, 1), (4, 2), (1, 3)] and use["configurations"] == 3 and use["looks"] == 3 and use["forced_looks"] == 2
    out, use = fin.finalize(study, ctx, None, results, force=True, trials=[1])  # a re-look: counted, not a new config
    assert use["configurations"] == 3 and use["looks"] == 4
    log = (fin.finalized_dir(results, "pe", study.study_name) / fin.LOG_NAME).read_text().splitlines()
    entries = [json.loads(line) for line in log]
    assert [e["trials"] for e in entries] == [[0], [4, 1], [1]]
    assert [e["configurations_seen"] for e in entries] == [1, 3, 3]
    assert [e["study"]["complete_trials"] for e in entries] == [4, 5, 5] and entries[1]["forced"]
    assert all(e["when"] for e in entries)
    with pytest.raises(ConfigError, match="--trial 99 is not a complete"):
        fin.finalize(study, ctx, None, results, trials=[99])
    stored = (fin.finalized_dir(results, "pe", study.study_name) / "trial-1.json").read_text()
    with pytest.raises(RuntimeError):  # trial 1 is re-evaluated and logged, then trial 2 fails
        fin.finalize(study, ctx, None, results, force=True, trials=[1, 2])
    folder = fin.finalized_dir(results, "pe", study.study_name)
    assert [json.loads(line)["trials"] for line in (folder / fin.LOG_NAME).read_text().splitlines()][-1] == [1]
    assert not (folder / "trial-2.json").exists() and (folder / "trial-1.json").read_text() == stored
    assert any(p.read_text() == stored for p in (folder / "history").glob("trial-1-*.json"))


def test_board_files_name_the_methods_the_count_and_the_families(hand_study, tmp_path, capsys):
    """The leaderboard command on a stored copy of the hand-built study: every output names the
    selection score, the methods and the locked-test count; the CD diagram and family view exist."""
    from benchmark.engines.storage import make_storage
    from benchmark.leaderboard.__main__ import main

    storage = make_storage(None, tmp_path / "results" / "pe" / "study.journal")
    study = optuna.create_study(study_name="pe-hand", storage=storage, direction="maximize")
    study.set_user_attr("identity", {"task": "pe", "cohort": "pe-standin-ptbxl", "manifest_hash": "m" * 64,
                                     "split_hash": "s" * 64, "budget": "smoke", "seed": 0})
    study.set_user_attr("description", "PUBLIC STAND-IN, NOT A PE LABEL")
    for t in hand_study.get_trials():
        study.add_trial(t)
    out = tmp_path / "board"
    main(["--task", "pe", "--results-dir", str(tmp_path / "results"), "--out", str(out), "--rows", "3"])
    printed = " ".join(capsys.readouterr().out.split())  # the terminal may wrap the notes
    assert "selection score" in printed and "Nadeau-Bengio" in printed and "0 configurations have seen it" in printed
    assert "NOT A PE LABEL" in printed and "rank 1" in printed
    meta = json.loads((out / "leaderboard.meta.json").read_text())
    assert meta["locked_test_configurations"] == 0 and meta["family_ranking"]["mean_ranks"]["minirocket"] == 1
    rows = pd.read_json(out / "leaderboard.json", orient="table")
    assert set(rows["trial"]) == {t.number for t in hand_study.trials if t.state.name == "COMPLETE"}
    assert list(pd.read_csv(out / "families.csv")["trial"]) == [0, 2, 4, 6]
    assert "<svg" in (out / "cd_diagram.svg").read_text()
    page = (out / "index.html").read_text()
    assert "Nadeau-Bengio" in page and "selection score" in page and "not opened yet" in page


def test_locked_test_auroc_interval_has_near_nominal_coverage():
    """A small seeded version of scripts/bench_interval_coverage.py: at the stand-in's locked-test
    size (8 positives, 54 negatives, AUROC 0.95) the logit-DeLong interval covers the truth in about
    95 % of simulated tests (0.92 over 2,000 simulations)."""
    from benchmark.leaderboard import stats

    assert stats.coverage(stats.delong_logit_interval, 8, 54, 0.95, sims=300, seed=3) >= 0.88


def test_delong_interval_of_the_issue_case_is_wider_than_the_bootstrap():
    """430/432 (7 positives above every negative, 1 below two): the bootstrap gave [0.978, 1]."""
    import numpy as np

    from benchmark.leaderboard import stats

    y = np.r_[np.ones(8, int), np.zeros(54, int)]
    p = np.r_[np.full(7, 10.0), [0.5], np.zeros(52), [1.0, 1.0]]
    lo, hi = stats.delong_logit_interval(y, p)
    assert lo < 0.978 < 430 / 432 < hi <= 1.0
