"""The ONE name mapping of the leaderboard's columns: a readable label, a short label for the
terminal, a definition (written into ``leaderboard.meta.json`` and the page's glossary), the value
type, and whether the HTML table shows the column by default.

The table (``table.leaderboard()``) may grow columns: a column not listed here is still written to
every file, shown among the page's extra columns under a label made from its name, and its type is
taken from its values. Add an entry here to give it a proper label and definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmark.study.config import FACTORS


@dataclass(frozen=True)
class Column:
    label: str  # HTML header and glossary
    short: str  # terminal header
    definition: str
    dtype: str = "float"  # int | float | str | bool | auto (kept as the table has it)
    main: bool = False  # shown in the HTML table by default (the rest behind "show all columns")
    digits: int = 4  # decimals shown for floats
    wide_only: bool = False  # a main column hidden on narrow screens (< 900 px) unless "show all columns"


def factor_column(name: str) -> Column:
    """A factor's column, from its one declaration (:data:`benchmark.study.config.FACTORS`)."""
    f = FACTORS[name]
    return Column(f.label, f.short, f.definition, f.dtype, f.main, f.digits, f.wide_only)


# Metrics stored per fold (``training/metrics.py``); each gets a mean and a standard deviation column.
METRICS = {
    "auroc": ("CV AUROC", "CV AUROC", "area under the ROC curve"),
    "auprc": ("CV AUPRC", "CV AUPRC", "average precision (area under the precision-recall curve)"),
    "f1": ("F1", "F1", "F1 score at the fold's threshold (chosen on training-side inner validation)"),
    "sensitivity": ("sensitivity", "sens", "sensitivity (recall of positives) at the fold's threshold"),
    "specificity": ("specificity", "spec", "specificity at the fold's threshold"),
    "balanced_accuracy": ("balanced accuracy", "bal acc", "balanced accuracy at the fold's threshold"),
    "brier": ("Brier score", "Brier", "Brier score of the predicted probabilities (lower is better)"),
}

NOT_APPLICABLE = "n/a"

_FIXED = {
    "rank": Column("Rank", "rank", "position by CV AUROC mean (the selection score), 1 = highest", "int", True, 0),
    "trial": Column("Trial", "trial", "Optuna trial number in the study", "int", True, 0, wide_only=True),
    "kind": Column("Kind", "kind", "deep (a neural network) or baseline (a classical time-series classifier)", "str"),
    "family": factor_column("family"),
    "model": factor_column("model"),
    **{name: factor_column(name) for name in ("crop_seconds", "filter", "normalization", "pretrain", "freeze_depth",
                                              "freeze_fraction")},
    "folds": Column("Folds", "folds", "(repeat, fold) results the row is computed from", "int", False, 0),
    "repeats": Column("Repeats", "repeats", "differently seeded fold sets (repeated CV)", "int", False, 0),
    "lr": Column("Learning rate", "lr", "learning rate (deep models)", "float", False, 6),
    "weight_decay": Column("Weight decay", "wd", "weight decay (deep models)", "float", False, 6),
    "batch_size": Column("Batch size", "batch", "batch size (deep models)", "int", False, 0),
    "loss": Column("Loss", "loss", "training loss (deep models)", "str"),
    "focal_gamma": Column("Focal gamma", "gamma", "focusing parameter of the focal loss (empty for other losses)",
                          "float", False, 2),
    "epochs": Column("Epochs", "epochs", "maximum training epochs (early stopping on the inner validation)", "int",
                     False, 0),
    "auroc_ci_low": Column("CV AUROC 95 % interval, low", "CI low", "lower end of the 95 % interval of the CV AUROC "
                           "mean, clipped to [0, 1] (the method is named in the metadata: interval_method, or a "
                           "t-interval over folds where none is named)", "float", True, 3),
    "auroc_ci_high": Column("CV AUROC 95 % interval, high", "CI high", "upper end of the same interval", "float", True, 3),
    "n_parameters": Column("Parameters", "params", "numbers the fitted model holds, as its estimator's n_parameters_ "
                           "reports: every network weight (frozen ones included) for deep models; for baselines "
                           "their fixed transform's parameters (e.g. ROCKET kernels) where counted, plus the "
                           "fitted head", "int", True, 0, wide_only=True),
    "fit_seconds_total": Column("Fit time, all folds (s)", "fit s total", "wall-clock seconds to fit the "
                                "configuration, summed over every (repeat, fold)", "float", False, 1),
    "fit_seconds_per_fold": Column("Fit time per fold (s)", "fit s/fold", "fit_seconds_total / folds: the mean "
                                   "wall-clock seconds of one fit", "float", True, 1, wide_only=True),
    "forward_flops_per_record": Column("Forward FLOPs per record", "FLOPs", "floating-point operations of one "
                                       "forward pass on one record (torch FlopCounterMode; the inference cost)",
                                       "float", False, 0),
    "predict_ms_per_record": Column("Predict time per record (ms)", "ms/rec", "milliseconds to predict one record "
                                    "(median over folds)", "float", False, 3),
    "seed": Column("Seed", "seed", "training seed of the trial", "int", False, 0),
    "test_train_ratio": Column("Test/train size ratio", "n_test/n_train", "held-out / training records per fold, "
                               "used by the corrected variance", "float", False, 3),
    "p_vs_rank_1": Column("p vs rank 1 (corrected)", "p", "two-sided p of the corrected resampled paired t-test "
                          "against rank 1 (method in the metadata: comparison_method)", "float", False, 3),
    "p_holm_vs_rank_1": Column("Holm p vs rank 1", "p Holm", "the p against rank 1, Holm-adjusted over the rows",
                               "float", False, 3),
    "p_equivalent_vs_rank_1": Column("P(equivalent to rank 1)", "P(equiv.)", "posterior probability that the row is "
                                     "within ±0.02 AUROC of rank 1 (Bayesian correlated t-test)", "float", False, 3),
    "vs_rank_1": Column("Compared with rank 1", "vs rank 1", "the comparison against rank 1 in plain words: worse "
                        "(Holm p < 0.05), equivalent (P(equivalent) >= 0.95), or not shown different",
                        "str", True),
    "config": Column("Configuration", "config", "the trial's stored configuration as JSON (Optuna user attribute "
                     "'config')", "str"),
}


def _metric_columns() -> dict[str, Column]:
    cols = {}
    for name, (label, short, what) in METRICS.items():
        main = name in ("auroc", "auprc")
        selection = " (the selection score: the search maximised it and the table is sorted by it)" if name == "auroc" else ""
        cols[f"{name}_mean"] = Column(label, short, f"{what}, mean over folds{selection}", "float", main, 4)
        cols[f"{name}_std"] = Column(f"{label} SD", f"{short} sd", f"{what}, standard deviation over folds", "float",
                                     False, 4)
    return cols


COLUMNS: dict[str, Column] = {**_FIXED, **_metric_columns()}

# Keys of the study header (identity of the run) as shown on the page.
HEADER_LABELS = {"study": "Study", "task": "Task", "cohort": "Cohort", "description": "Cohort description",
                 "manifest_hash": "Cohort manifest hash", "split_hash": "Split hash", "budget": "Budget",
                 "seed": "Seed", "package_version": "Package version", "is_standin": "Public stand-in cohort",
                 "selection_score": "Selection score", "interval_method": "CV interval",
                 "comparison_method": "Comparison with rank 1", "family_ranking_method": "Ranking of families",
                 "factor_method": "Factor effects", "locked_test": "Locked test",
                 "locked_test_configurations": "Configurations that have seen the locked test",
                 "locked_test_looks": "Looks at the locked test",
                 "winners_curse": "Winner's curse (BBC-CV)", "bbc_cv_auroc": "BBC-CV AUROC of the selection",
                 "bbc_cv_interval": "BBC-CV 95 % interval", "bbc_cv_configurations": "Configurations BBC-CV chose among"}
# Header entries that are notes for the reader (shown in "How to read this" and above the terminal
# table), besides any entry whose key ends in "_note".
NOTE_KEYS = ("selection_score", "winners_curse", "interval_method", "comparison_method", "family_ranking_method",
             "factor_method", "locked_test")

# Columns of ``factors.csv`` (``factors.marginal_effects``).
FACTOR_COLUMNS = {
    "view": Column("View", "view", "which trials and which score the row is computed from", "str"),
    "factor": Column("Factor", "factor", "the searched factor", "str"),
    "level": Column("Level", "level", "the factor's level", "str"),
    "trials": Column("Trials", "trials", "complete trials at this level", "int", digits=0),
    "pruned": Column("Pruned", "pruned", "pruned trials among them", "int", digits=0),
    "mean_cv_auroc": Column("Mean CV AUROC", "mean", "mean of the trials' CV AUROC", "float"),
    "mean_auroc": Column("Mean AUROC", "mean", "mean of the trials' AUROC in this view", "float"),
    "se": Column("SE", "se", "standard error of that mean over trials (empty with one trial)", "float"),
    "ci_low": Column("95 % interval, low", "CI low", "lower end of a 95 % interval of the mean over trials (method: "
                     "the method column, or a t-interval where there is none); empty with one trial", "float", digits=3),
    "ci_high": Column("95 % interval, high", "CI high", "upper end of that interval", "float", digits=3),
    "best_cv_auroc": Column("Best CV AUROC", "best", "highest CV AUROC at this level (a selection score)", "float"),
    "best_auroc": Column("Best AUROC", "best", "highest AUROC at this level in this view (a selection score)", "float"),
    "method": Column("Method", "method", "how the interval was computed", "str"),
}


def column(name: str, mapping: dict[str, Column] | None = None) -> Column:
    """The column's entry; an unlisted column gets a label made from its name (never raw snake_case)."""
    found = (mapping or COLUMNS).get(name)
    if found is not None:
        return found
    words = name.replace("_", " ").strip()
    return Column(words[:1].upper() + words[1:], words, "(no definition yet: add it to benchmark/leaderboard/columns.py)",
                  dtype="auto")


def header_label(key: str) -> str:
    return HEADER_LABELS.get(key) or column(key).label
